"""The model architectures, defined once: training builds them to fit, the function builds them to load the
trained weights into (weights files carry numbers, not code).

Every model reads the wire format as it is, a (28, 28) array of raw 0..255 ink levels, and scales it to
[0, 1] itself, so no caller can feed it differently scaled pixels.
"""

from collections.abc import Callable

import keras

from digit.pixels import SIZE


def _cnn() -> list[keras.layers.Layer]:
    """Two conv + pool blocks, as in the Keras MNIST example: small, and accurate on MNIST."""
    return [*_two_blocks(), *_readout()]


def _cnn3() -> list[keras.layers.Layer]:
    """The cnn with a third convolution, of 128 filters, after the second pool: about three times its
    parameters, and better at the thick, blurred strokes of low-resolution scans and at the styles MNIST's
    writers rarely used (README, Training)."""
    return [*_two_blocks(), keras.layers.Conv2D(128, 3, activation="relu"), *_readout()]


def _two_blocks() -> list[keras.layers.Layer]:
    return [
        keras.layers.Reshape((SIZE, SIZE, 1)),
        keras.layers.Conv2D(32, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(64, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
    ]


def _readout() -> list[keras.layers.Layer]:
    return [keras.layers.Flatten(), keras.layers.Dropout(0.5), keras.layers.Dense(10, activation="softmax")]


def _mlp() -> list[keras.layers.Layer]:
    """The baseline the project started from, kept to show what the convnet buys."""
    return [
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ]


# Names are never reused for another network: a version in a bucket names the architecture its weights fit.
ARCHITECTURES: dict[str, Callable[[], list[keras.layers.Layer]]] = {"cnn3": _cnn3, "cnn": _cnn, "mlp": _mlp}


def build(arch: str) -> keras.Model:
    """A fresh, untrained model of the named architecture, taking (batch, 28, 28) raw 0..255 pixels and
    giving (batch, 10) probabilities."""
    if arch not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {arch!r}; known: {', '.join(ARCHITECTURES)}")
    layers = [keras.Input((SIZE, SIZE)), keras.layers.Rescaling(1 / 255), *ARCHITECTURES[arch]()]
    return keras.Sequential(layers, name=arch)
