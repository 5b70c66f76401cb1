"""The named networks, as Keras models to train and to save weights from. A trained version carries its layers
in its model.json (train/export.py), so the function serves a network named here without knowing its name."""

from collections.abc import Callable

import keras

from digit.pixels import SIZE


def _two_blocks() -> list[keras.layers.Layer]:
    """Two conv + pool blocks, as in the Keras MNIST example: small, and accurate on MNIST."""
    return [
        keras.layers.Reshape((SIZE, SIZE, 1)),
        keras.layers.Conv2D(32, 3, activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(64, 3, activation="relu"),
        keras.layers.MaxPooling2D(2),
    ]


def _three_convs() -> list[keras.layers.Layer]:
    """The two blocks, then a third convolution, of 128 filters, after the second pool."""
    return [*_two_blocks(), keras.layers.Conv2D(128, 3, activation="relu")]


def _readout() -> list[keras.layers.Layer]:
    return [keras.layers.Flatten(), keras.layers.Dropout(0.5), keras.layers.Dense(10, activation="softmax")]


# Each network's layers after the scaling every model starts with; its name is the `arch` of the versions it trains.
NETWORKS: dict[str, Callable[[], list[keras.layers.Layer]]] = {
    # The cnn with a third convolution: about three times its parameters, and better at the thick, blurred
    # strokes of low-resolution scans and at the styles MNIST's writers rarely used (docs/training.md).
    "cnn3": lambda: [*_three_convs(), *_readout()],
    # cnn3 with a hidden layer of 96 before its readout, for a model taught the wrong cuts of numbers as well as
    # digits (its recipe): more room for the second lesson (docs/training.md). Twice cnn3's parameters, nearly all
    # in the hidden layer, which costs little to compute beside the convolutions.
    "cnn3h": lambda: [
        *_three_convs(),
        keras.layers.Flatten(),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(96, activation="relu"),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(10, activation="softmax"),
    ],
    "cnn": lambda: [*_two_blocks(), *_readout()],
    # No convolution: shows what the convnets' convolutions are worth on the same data.
    "mlp": lambda: [
        keras.layers.Flatten(),
        *(keras.layers.Dense(128, activation="relu") for _ in range(3)),
        keras.layers.Dense(10, activation="softmax"),
    ],
}


def build(arch: str) -> keras.Model:
    """A fresh, untrained model of the named network, taking (batch, 28, 28) raw 0..255 pixels and giving
    (batch, 10) probabilities: every model reads the wire format as it is and scales it to [0, 1] itself, so no
    caller can feed it differently scaled pixels. Raises ValueError for an unknown name."""
    if arch not in NETWORKS:
        raise ValueError(f"unknown architecture {arch!r}; known: {', '.join(NETWORKS)}")
    return keras.Sequential([keras.Input((SIZE, SIZE)), keras.layers.Rescaling(1 / 255), *NETWORKS[arch]()], name=arch)
