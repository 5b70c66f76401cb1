"""The networks training builds, as the function rebuilds them: every named network is listed (train/describe.py)
in kinds the function computes and answers as Keras does, and a layer the function cannot compute is refused
when training lists it, not when a deployed function loads it."""

import re

import keras
import numpy as np
import pytest

from digit import forward, selfcheck
from digit.artefact import WEIGHTS_FILE
from digit.layers import parse
from train import network
from train.describe import describe
from train.recipes import RECIPES


def test_every_named_network_has_a_recipe_and_every_recipe_a_network():
    assert sorted(network.NETWORKS) == sorted(RECIPES)


@pytest.mark.parametrize("arch", sorted(network.NETWORKS))
def test_each_named_network_is_rebuilt_from_its_list_and_answers_as_keras_does(arch, tmp_path):
    keras.utils.set_random_seed(0)
    model = network.build(arch)
    model.save_weights(tmp_path / WEIGHTS_FILE)
    layers = parse(describe(model, tmp_path / WEIGHTS_FILE))
    steps = forward.compile_network(arch, layers, forward.read_weights((tmp_path / WEIGHTS_FILE).read_bytes()))
    values = inputs = selfcheck.reference_inputs(0)
    for step in steps:
        values = step(values)
    np.testing.assert_allclose(values, np.asarray(model(inputs, training=False)), atol=1e-6)


@pytest.mark.parametrize(
    ("layer", "refused"),
    [
        (keras.layers.Conv2D(4, 3, padding="same"), "Conv2D"),
        (keras.layers.Conv2D(4, 3, strides=2), "Conv2D"),
        (keras.layers.Conv2D(4, (3, 5)), "Conv2D"),
        (keras.layers.MaxPooling2D(2, strides=1), "MaxPooling2D"),
        (keras.layers.BatchNormalization(), "BatchNormalization"),
    ],
    ids=["padded", "strided", "oblong", "overlapping pools", "batch normalisation"],
)
def test_a_layer_the_function_cannot_compute_is_refused_when_training_lists_it(layer, refused, tmp_path):
    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Reshape((28, 28, 1)), layer])
    model.save_weights(tmp_path / WEIGHTS_FILE)
    with pytest.raises(ValueError, match=rf"^the function computes no layer like '\w+': {refused} \{{"):
        describe(model, tmp_path / WEIGHTS_FILE)


def test_each_layer_with_weights_is_found_in_the_one_group_that_holds_them(tmp_path):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Dense(28), keras.layers.Dense(28)])
    model.save_weights(tmp_path / WEIGHTS_FILE)
    assert [entry["weights"] for entry in describe(model, tmp_path / WEIGHTS_FILE)] == ["dense", "dense_1"]
    model.layers[1].set_weights(model.layers[0].get_weights())  # two groups now hold the same values
    model.save_weights(tmp_path / WEIGHTS_FILE)
    with pytest.raises(ValueError) as refused:
        describe(model, tmp_path / WEIGHTS_FILE)
    message = str(refused.value)
    assert re.fullmatch(r"the weights of layer '\w+' are in 2 groups of model\.weights\.h5, not one", message)
