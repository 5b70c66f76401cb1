"""The served model: rebuilt on JAX, compiled for a few batch sizes only, the same answers whatever the batch
and from several threads at once, and refused at load unless it reproduces the trained model's answers.
(That it answers what TensorFlow answers for the same weights is tested in tests/integration/test_backends.py.)"""

import json
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from checkout import WEIGHTS
from digit import selfcheck
from digit.artefact import METADATA_FILE, WEIGHTS_FILE, WeightsError
from digit.model import BATCH_SIZES, Classifier, load
from tests.versions import load_files

METADATA = json.loads((WEIGHTS / METADATA_FILE).read_text())
GOOD_WEIGHTS = (WEIGHTS / WEIGHTS_FILE).read_bytes()


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return load_files(WEIGHTS)


@pytest.fixture(scope="module")
def singles(classifier, held_out) -> np.ndarray:
    """Each held-out digit's probabilities, asked one image at a time, as the page asks."""
    return np.concatenate([classifier.probabilities(image[np.newaxis]) for image in held_out[0].astype(np.float32)])


def test_a_loaded_model_has_compiled_the_single_image_only(classifier):
    assert load_files(WEIGHTS).compiled_sizes == [1]
    assert classifier.version == METADATA["version"]


def test_every_batch_size_answers_as_single_images_do(classifier, singles, held_out):
    images = held_out[0].astype(np.float32)
    for start, size in [(0, 2), (1, 256), (300, 3), (0, 1), (500, 16), (600, 17), (0, 1000)]:
        served = classifier.probabilities(images[start : start + size])
        assert served.shape == (size, 10)
        np.testing.assert_allclose(served, singles[start : start + size], atol=2e-6)


def test_batches_of_every_size_compile_no_more_shapes_than_batch_sizes(classifier):
    images = np.full((BATCH_SIZES[-1] + 1, 28, 28), 40, np.float32)
    for count in range(1, len(images) + 1):
        classifier.probabilities(images[:count])
    assert classifier.compiled_sizes == sorted(BATCH_SIZES) == [1, 16, 256]


def test_calls_from_many_threads_each_get_their_own_answer(classifier, singles, held_out):
    images = held_out[0].astype(np.float32)
    calls = [(start, 1 + start % 20) for start in range(0, 400, 2)]  # batch sizes change from call to call

    def call(start_size: tuple[int, int]) -> np.ndarray:
        start, size = start_size
        return classifier.probabilities(images[start : start + size])

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(call, calls))
    for (start, size), served in zip(calls, answers, strict=True):
        np.testing.assert_allclose(served, singles[start : start + size], atol=2e-6)


def with_self_check(change) -> dict:
    """The committed metadata with its stored probabilities changed by `change(probabilities)`."""
    stored = np.array(METADATA[selfcheck.FIELD]["probabilities"])
    return {**METADATA, selfcheck.FIELD: {**METADATA[selfcheck.FIELD], "probabilities": change(stored).tolist()}}


def test_a_model_that_misreads_a_reference_input_is_refused():
    def swap_first_input_classes(stored: np.ndarray) -> np.ndarray:
        stored = stored.copy()
        trained = int(stored[0].argmax())
        other = (trained + 1) % 10
        stored[0, [trained, other]] = stored[0, [other, trained]]
        return stored

    metadata = with_self_check(swap_first_input_classes)
    read = int(np.argmax(METADATA[selfcheck.FIELD]["probabilities"][0]))
    with pytest.raises(WeightsError) as refused:
        load(GOOD_WEIGHTS, metadata)
    assert str(refused.value) == (
        f"the rebuilt model reads self_check input 0 as {read}, the trained model read it as {(read + 1) % 10}"
    )


def test_probabilities_beyond_the_tolerance_are_refused():
    def shifted(stored: np.ndarray) -> np.ndarray:
        stored = stored.copy()
        stored[3, int(stored[3].argmin())] += 2e-4  # the same digit read, one probability off
        return stored

    with pytest.raises(WeightsError) as refused:
        load(GOOD_WEIGHTS, with_self_check(shifted))
    assert str(refused.value) == (
        "the rebuilt model's probabilities differ from the trained model's by up to 0.0002 "
        "(self_check; the tolerance is 0.0001)"
    )


def test_probabilities_within_the_tolerance_pass():
    assert load(GOOD_WEIGHTS, with_self_check(lambda stored: stored + 5e-5)).version == METADATA["version"]


@pytest.mark.parametrize(
    "stored",
    [None, "yes", {"seed": 0}, {"seed": "0", "probabilities": [[0.1] * 10]}, {"seed": 0, "probabilities": [[0.1] * 9]},
     {"seed": 0, "probabilities": []}, {"seed": 0, "probabilities": [["a"] * 10]}],
)  # fmt: skip
def test_metadata_without_a_valid_self_check_is_refused(stored):
    metadata = {key: value for key, value in METADATA.items() if key != selfcheck.FIELD}
    if stored is not None:
        metadata[selfcheck.FIELD] = stored
    with pytest.raises(WeightsError) as refused:
        load(GOOD_WEIGHTS, metadata)
    assert str(refused.value) == "model.json has no valid 'self_check' (retrain the model: training writes it)"


def test_reference_inputs_are_fixed_by_their_seed_and_read_as_several_digits(classifier):
    inputs = selfcheck.reference_inputs(0)
    assert inputs.shape == (selfcheck.COUNT, 28, 28) and inputs.dtype == np.float32
    np.testing.assert_array_equal(inputs, selfcheck.reference_inputs(0))
    assert not np.array_equal(inputs, selfcheck.reference_inputs(1))
    assert inputs.min() == 0 and inputs.max() == 255 and np.array_equal(inputs, inputs.round())
    assert len(set(classifier.probabilities(inputs).argmax(axis=1).tolist())) >= 3
