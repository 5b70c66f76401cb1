"""Served equals trained: for the same weights, the function's numpy forward pass gives what Keras on TensorFlow
(training's own runtime) gives, digit for digit and probability for probability, in one batch and one image at
a time, on every held-out digit and on the self-check's reference inputs, whose stored probabilities are
training's. For every version published so far, the committed weights among them (tests/unit/test_model.py
checks that they are), and for a network no code names, rebuilt from its model.json alone."""

import json
from pathlib import Path

import keras
import numpy as np
import pytest

from digit import selfcheck
from digit.artefact import METADATA_FILE, WEIGHTS_FILE
from digit.model import from_folder
from tests.versions import PUBLISHED, unnamed_model, write_version
from train import network

FOLDERS = sorted(PUBLISHED.iterdir())


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda folder: folder.name)
def test_numpy_serves_what_keras_on_tensorflow_computes_for_the_same_weights(folder, held_out):
    metadata = json.loads((folder / METADATA_FILE).read_text())
    trained = network.build(metadata["arch"])
    trained.load_weights(folder / WEIGHTS_FILE)
    expected = served_equals_trained(folder, trained, held_out)
    stored = metadata[selfcheck.FIELD]["probabilities"]
    np.testing.assert_allclose(expected[-selfcheck.COUNT :], stored, atol=1e-6)


def test_numpy_serves_what_keras_computes_for_a_network_no_code_names(tmp_path, held_out):
    trained = unnamed_model(3)
    write_version(tmp_path, trained, "unnamed")
    served_equals_trained(tmp_path, trained, held_out)


def served_equals_trained(folder: Path, trained: keras.Model, held_out: tuple) -> np.ndarray:
    """What Keras answers for the held-out digits and the reference inputs, once the function's load of the
    version in `folder` is shown to answer the same, in batches and one image at a time."""
    images = np.concatenate([held_out[0].astype(np.float32), selfcheck.reference_inputs(0)])
    expected = np.asarray(trained.predict(images, batch_size=256, verbose=0))
    served = from_folder(folder)
    in_one_batch = np.concatenate([served.probabilities(images[i : i + 256]) for i in range(0, len(images), 256)])
    one_at_a_time = np.concatenate([served.probabilities(image[np.newaxis]) for image in images])
    assert len(images) >= 1000
    for answers in (in_one_batch, one_at_a_time):
        np.testing.assert_array_equal(answers.argmax(axis=1), expected.argmax(axis=1))
        np.testing.assert_allclose(answers, expected, atol=1e-5)
    return expected
