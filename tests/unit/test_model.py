"""The served model is the trained one: LiteRT, which answers requests, gives what Keras gives for the same
weights, for any batch size and from several threads at once."""

import logging
from concurrent.futures import ThreadPoolExecutor

import keras
import numpy as np
import pytest

from digit import architectures
from digit.artefact import WEIGHTS_FILE
from digit.model import Classifier, litert_model, load_files
from local.services import WEIGHTS


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return load_files(WEIGHTS)


@pytest.fixture(scope="module")
def keras_model(classifier) -> keras.Model:
    """The same weights in the Keras model, built here apart from the Classifier."""
    model = architectures.build(classifier.metadata["arch"])
    model.load_weights(WEIGHTS / WEIGHTS_FILE)
    return model


@pytest.fixture(scope="module")
def keras_probabilities(keras_model, held_out) -> np.ndarray:
    """The reference the served probabilities are held to."""
    return np.asarray(keras_model(held_out[0].astype(np.float32), training=False))


def test_litert_gives_the_probabilities_keras_gives(classifier, keras_probabilities, held_out):
    served = classifier.probabilities(held_out[0].astype(np.float32))
    assert served.shape == (len(held_out[0]), 10)
    np.testing.assert_allclose(served, keras_probabilities, atol=1e-5)
    np.testing.assert_array_equal(served.argmax(axis=1), keras_probabilities.argmax(axis=1))


def test_batch_sizes_can_follow_each_other_in_any_order(classifier, keras_probabilities, held_out):
    images = held_out[0].astype(np.float32)
    for start, size in [(0, 1), (1, 256), (300, 3), (0, 1), (500, 1), (600, 17)]:
        served = classifier.probabilities(images[start : start + size])
        np.testing.assert_allclose(served, keras_probabilities[start : start + size], atol=1e-5)


def test_calls_from_many_threads_each_get_their_own_answer(classifier, keras_probabilities, held_out):
    images = held_out[0].astype(np.float32)
    calls = [(start, 1 + start % 7) for start in range(0, 400, 2)]  # batch sizes change from call to call

    def call(start_size: tuple[int, int]) -> np.ndarray:
        start, size = start_size
        return classifier.probabilities(images[start : start + size])

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(call, calls))
    for (start, size), served in zip(calls, answers, strict=True):
        np.testing.assert_allclose(served, keras_probabilities[start : start + size], atol=1e-5)


def test_compiling_for_litert_logs_no_warning(keras_model, caplog):
    """Every cold start compiles: a warning there would reach the logs of every instance. (The converter
    warns when it is not handed an object that keeps the weights alive.)"""
    with caplog.at_level(logging.WARNING):
        compiled = litert_model(keras_model)
    assert [record.getMessage() for record in caplog.records] == []
    assert len(compiled) > 4 * keras_model.count_params()  # the weights are in it, as float32 constants
