"""The served model: the Keras weights read and computed in numpy, the same answers whatever the batch and from
several threads at once, every version published so far still served, and a model refused at load unless it
can be computed and reproduces the trained model's answers. (That it answers what Keras on TensorFlow answers
for the same weights is tested in tests/integration/test_served_equals_trained.py.)"""

import json
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from checkout import WEIGHTS
from digit import forward, named_networks, selfcheck
from digit.artefact import METADATA_FILE, WEIGHTS_FILE, WeightsError
from digit.layers import FIELD, Conv2D, Dense, Flatten, MaxPooling2D, parse
from digit.model import SLICE, Classifier, from_folder, load
from tests.versions import PUBLISHED
from train.data import split_of

METADATA = json.loads((WEIGHTS / METADATA_FILE).read_text())
GOOD_WEIGHTS = (WEIGHTS / WEIGHTS_FILE).read_bytes()


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return from_folder(WEIGHTS)


@pytest.fixture(scope="module")
def singles(classifier, held_out) -> np.ndarray:
    """Each held-out digit's probabilities, asked one image at a time, as the page asks."""
    return np.concatenate([classifier.probabilities(image[np.newaxis]) for image in held_out[0].astype(np.float32)])


def test_the_committed_version_is_kept_among_those_published():
    """weights/ is what a deploy makes live: its copy in tests/published/ keeps it servable once replaced."""
    kept = PUBLISHED / METADATA["version"]
    for name in (WEIGHTS_FILE, METADATA_FILE):
        assert (kept / name).read_bytes() == (WEIGHTS / name).read_bytes(), name


@pytest.mark.parametrize("folder", sorted(PUBLISHED.iterdir()), ids=lambda folder: folder.name)
def test_every_version_published_so_far_still_loads(folder):
    served = from_folder(folder)
    recorded = json.loads((folder / METADATA_FILE).read_text())
    assert served.version == folder.name
    held_out = split_of(recorded)  # the digits its own training held out
    assert recorded["data"]["split"] == held_out.description["split"]
    accuracy = (served.probabilities(held_out.x_test.astype(np.float32)).argmax(axis=1) == held_out.y_test).mean()
    assert accuracy == pytest.approx(recorded["accuracy"], abs=0.0005)  # what training measured, to its 3 places


def test_a_load_reports_where_its_time_went(classifier):
    served, seconds = load(GOOD_WEIGHTS, METADATA)
    assert served.version == classifier.version == METADATA["version"]
    assert list(seconds) == ["load", "check"] and all(0 <= value < 10 for value in seconds.values())


def test_every_batch_size_answers_as_single_images_do(classifier, singles, held_out):
    images = held_out[0].astype(np.float32)
    for start, size in [(0, 2), (1, 256), (300, 3), (0, 1), (500, SLICE), (600, SLICE + 1), (0, 1000)]:
        served = classifier.probabilities(images[start : start + size])
        assert served.shape == (size, 10) and served.dtype == np.float32
        np.testing.assert_allclose(served, singles[start : start + size], atol=2e-6)


def test_calls_from_many_threads_each_get_their_own_answer(classifier, singles, held_out):
    images = held_out[0].astype(np.float32)
    calls = [(start, 1 + start % 40) for start in range(0, 400, 2)]  # batch sizes change from call to call

    def call(start_size: tuple[int, int]) -> np.ndarray:
        start, size = start_size
        return classifier.probabilities(images[start : start + size])

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(call, calls))
    for (start, size), served in zip(calls, answers, strict=True):
        np.testing.assert_allclose(served, singles[start : start + size], atol=2e-6)


LAYERS = parse(METADATA[FIELD])
# A version of an architecture named in code, published before versions carried their list of layers: a network
# whose layers the refusals below count.
NAMED = PUBLISHED / "cnn3-53aa59a382fc"
NAMED_LAYERS = parse(json.loads((NAMED / METADATA_FILE).read_text())[FIELD])


def test_each_layer_with_weights_names_the_group_keras_filed_them_under():
    filed = {name for name, values in forward.read_weights(GOOD_WEIGHTS).items() if values}
    named = [layer.weights for layer in LAYERS if isinstance(layer, Conv2D | Dense)]
    assert named == ["conv2d", "conv2d_1", "conv2d_2", "dense", "dense_1"] and set(named) == filed


def test_a_version_without_the_list_is_built_from_its_named_architecture_and_answers_the_same():
    weights, listed = (NAMED / WEIGHTS_FILE).read_bytes(), json.loads((NAMED / METADATA_FILE).read_text())
    legacy = {key: value for key, value in listed.items() if key != FIELD}
    assert named_networks.layers(listed["arch"]) == parse(listed[FIELD])
    inputs = selfcheck.reference_inputs(0)
    served = load(weights, legacy)[0]
    np.testing.assert_array_equal(served.probabilities(inputs), from_folder(NAMED).probabilities(inputs))


def test_a_version_without_the_list_naming_no_known_architecture_is_refused():
    legacy = {key: value for key, value in METADATA.items() if key != FIELD}
    with pytest.raises(WeightsError) as refused:
        load(GOOD_WEIGHTS, {**legacy, "arch": "resnet"})
    assert str(refused.value) == (
        "model.json has no 'layers' list, and 'resnet' is none of the architectures named before versions carried "
        "theirs (cnn3, cnn, mlp)"
    )


CONV = {"kind": "Conv2D", "filters": 8, "kernel": 3, "activation": "relu", "weights": "conv2d"}


@pytest.mark.parametrize(
    ("listed", "problem"),
    [
        (None, "'layers' is not a list of layers"),
        ([], "'layers' is not a list of layers"),
        ({"kind": "Flatten"}, "'layers' is not a list of layers"),
        ([{"kind": "Flatten"}, {"kind": "LSTM", "units": 4}],
         "layer 1 of 'layers' is of no kind the function computes ('LSTM'; it computes Rescaling, Reshape, Conv2D, "
         "MaxPooling2D, Flatten, Dropout, Dense)"),
        (["Flatten"], "layer 0 of 'layers' is of no kind the function computes ('Flatten'; it computes Rescaling, "
         "Reshape, Conv2D, MaxPooling2D, Flatten, Dropout, Dense)"),
        ([{**CONV, "strides": 2}], "layer 0 of 'layers': a Conv2D has fields ['activation', 'filters', 'kernel', "
         "'weights'], not ['activation', 'filters', 'kernel', 'strides', 'weights']"),
        ([{key: value for key, value in CONV.items() if key != "weights"}], "layer 0 of 'layers': a Conv2D has "
         "fields ['activation', 'filters', 'kernel', 'weights'], not ['activation', 'filters', 'kernel']"),
        ([{**CONV, "filters": 0}], "layer 0 of 'layers': Conv2D filters 0 is not a positive integer"),
        ([{**CONV, "kernel": 3.0}], "layer 0 of 'layers': Conv2D kernel 3.0 is not a positive integer"),
        ([{**CONV, "weights": ""}], "layer 0 of 'layers': Conv2D weights '' is not a name"),
        ([{"kind": "Reshape", "shape": [28, "28"]}],
         "layer 0 of 'layers': Reshape shape [28, '28'] is not a list of sizes"),
        ([{"kind": "Dropout", "rate": True}],
         "layer 0 of 'layers': Dropout rate True is not a finite number of 0 or more"),
    ],
)  # fmt: skip
def test_a_bad_list_of_layers_is_refused_naming_the_file_and_the_problem(listed, problem):
    with pytest.raises(WeightsError) as refused:
        load(GOOD_WEIGHTS, {**METADATA, FIELD: listed})
    assert str(refused.value) == f"model.json: {problem}"


def test_a_good_list_is_read_as_its_layers():
    listed = [{"kind": "Reshape", "shape": [28, 28, 1]}, CONV, {"kind": "Rescaling", "scale": 1}]
    assert parse(listed)[0].shape == (28, 28, 1)
    assert parse(listed)[1] == Conv2D(8, 3, "relu", "conv2d")
    assert parse(listed)[2].scale == 1


def refusal(layers: tuple, weights: dict) -> str:
    with pytest.raises(WeightsError) as refused:
        forward.compile_network("the test", layers, weights)
    return str(refused.value)


def test_a_layer_the_function_cannot_compute_is_refused_by_its_place():
    weights = forward.read_weights((NAMED / WEIGHTS_FILE).read_bytes())
    layers = (*NAMED_LAYERS[:-1], Dense(10, "tanh", "dense"))
    assert refusal(layers, weights) == (
        "the function cannot compute layer 9 of the test: Dense(units=10, activation='tanh', weights='dense')"
    )


def test_weights_that_do_not_fit_the_layers_are_refused_naming_the_layer():
    weights = forward.read_weights((NAMED / WEIGHTS_FILE).read_bytes())
    missing = {name: values for name, values in weights.items() if name != "conv2d_2"}
    assert refusal(NAMED_LAYERS, missing) == "model.weights.h5 has no group 'conv2d_2', named by layer 6 of the test"
    assert refusal(NAMED_LAYERS, {**weights, "dense_1": weights["dense"]}) == (
        "model.weights.h5 holds weights no layer of the test names: dense_1"
    )
    # An empty group (Keras files one for each layer, with weights or not) holds nothing unserved.
    assert len(forward.compile_network("the test", NAMED_LAYERS, {**weights, "dense_1": []})) == len(NAMED_LAYERS)
    narrower = tuple(Conv2D(16, 3, "relu", "conv2d") if layer.__class__ is Conv2D and layer.filters == 32 else layer
                     for layer in NAMED_LAYERS)  # fmt: skip
    assert refusal(narrower, weights) == (
        "model.weights.h5: layer 2 of the test holds weights of shapes [(3, 3, 1, 32), (32,)], "
        "not [(3, 3, 1, 16), (16,)]"
    )
    too_large = {"conv2d": [np.zeros((29, 29, 1, 8)), np.zeros(8)]}
    assert refusal((LAYERS[1], Conv2D(8, 29, "relu", "conv2d")), too_large) == (
        "layer 1 of the test cannot take an input of shape (28, 28, 1): "
        "Conv2D(filters=8, kernel=29, activation='relu', weights='conv2d')"
    )
    assert refusal((LAYERS[1], MaxPooling2D(29)), {}) == (
        "layer 1 of the test cannot take an input of shape (28, 28, 1): MaxPooling2D(size=29)"
    )
    flat = {"flatten": [], "conv2d": [np.zeros((3, 3, 784, 8)), np.zeros(8)]}
    assert refusal((Flatten(), Conv2D(8, 3, "relu", "conv2d")), flat) == (
        "layer 1 of the test cannot take an input of shape (784,): "
        "Conv2D(filters=8, kernel=3, activation='relu', weights='conv2d')"
    )


def test_a_file_that_is_not_keras_weights_is_refused():
    with pytest.raises(WeightsError) as refused:
        forward.read_weights(GOOD_WEIGHTS[: len(GOOD_WEIGHTS) // 2])
    assert str(refused.value).startswith("model.weights.h5 is not a Keras weights file (")


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
    assert load(GOOD_WEIGHTS, with_self_check(lambda stored: stored + 5e-5))[0].version == METADATA["version"]


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
