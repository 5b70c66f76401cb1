"""The temperature that matches the model's confidence to how often it is right, and its folding into the
readout, on scores made here with a known answer."""

import keras
import numpy as np
import pytest

from train.calibrate import fold, temperature


def softmax(scores: np.ndarray) -> np.ndarray:
    exponentials = np.exp(scores - scores.max(axis=1, keepdims=True))
    return exponentials / exponentials.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("truth", [0.5, 1.0, 1.5])
def test_the_temperature_found_is_the_one_the_labels_were_drawn_with(truth):
    rng = np.random.default_rng(0)
    scores = rng.normal(0, 3, size=(20_000, 10))
    labels = np.array([rng.choice(10, p=row) for row in softmax(scores / truth)])
    # A model that says softmax(scores) of labels drawn from softmax(scores / truth) is too sure when truth > 1.
    assert temperature(softmax(scores), labels) == pytest.approx(truth, abs=0.05)


def test_a_folded_temperature_changes_how_sure_the_model_is_and_no_reading():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(10, activation="softmax")])
    inputs = np.random.default_rng(1).normal(size=(50, 4)).astype(np.float32)
    before = model.predict(inputs, verbose=0)
    fold(model, 0.5)
    after = model.predict(inputs, verbose=0)
    assert np.array_equal(after.argmax(axis=1), before.argmax(axis=1))
    np.testing.assert_allclose(after, softmax(np.log(before) / 0.5), rtol=1e-4, atol=1e-6)
    assert after.max(axis=1).mean() > before.max(axis=1).mean()


def test_only_a_softmax_readout_is_folded():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(10)])
    with pytest.raises(ValueError, match="not a softmax readout"):
        fold(model, 0.5)
