"""An architecture (digit.architectures) as a Keras model, to train and to save weights from."""

import keras

from digit import architectures
from digit.architectures import Conv2D, Dense, Dropout, Flatten, Layer, MaxPooling2D, Rescaling, Reshape
from digit.pixels import SIZE


def build(arch: str) -> keras.Model:
    """A fresh, untrained model of the named architecture, taking (batch, 28, 28) raw 0..255 pixels and
    giving (batch, 10) probabilities. Raises ValueError for an unknown name."""
    layers = [keras.Input((SIZE, SIZE)), *(keras_layer(layer) for layer in architectures.layers(arch))]
    return keras.Sequential(layers, name=arch)


def keras_layer(layer: Layer) -> keras.layers.Layer:
    """The Keras layer a layer of an architecture stands for."""
    match layer:
        case Rescaling(scale):
            return keras.layers.Rescaling(scale)
        case Reshape(shape):
            return keras.layers.Reshape(shape)
        case Conv2D(filters, kernel, activation):
            return keras.layers.Conv2D(filters, kernel, activation=activation)
        case MaxPooling2D(size):
            return keras.layers.MaxPooling2D(size)
        case Flatten():
            return keras.layers.Flatten()
        case Dropout(rate):
            return keras.layers.Dropout(rate)
        case Dense(units, activation):
            return keras.layers.Dense(units, activation=activation)
    raise ValueError(f"no Keras layer for {layer!r}")
