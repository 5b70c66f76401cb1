"""An architecture (digit.architectures) as numpy computations over the weights Keras saved for it: the
function's forward pass, with no machine-learning framework.

The weights file is Keras 3's own (`model.weights.h5`), read with h5py from the downloaded bytes. Keras files
each layer's values under `layers/<name>/vars/<index>`, its name made from its class's in snake case and
numbered from the second of a kind on (`conv2d`, `conv2d_1`, …), so the architecture alone says where each
layer's weights are. The maths is Keras's for the layers the architectures use, in float32 as Keras computes
it; the self-check (digit.selfcheck) proves at every load that it answers what training's model answered.
"""

import functools
import io
import re
from collections.abc import Callable

import h5py
import numpy as np
from numpy.lib.stride_tricks import as_strided

from digit.architectures import Conv2D, Dense, Dropout, Flatten, Layer, MaxPooling2D, Rescaling, Reshape
from digit.artefact import WEIGHTS_FILE, WeightsError
from digit.pixels import SIZE

Step = Callable[[np.ndarray], np.ndarray]  # (batch, …) float32 → (batch, …) float32


def read_weights(data: bytes) -> dict[str, list[np.ndarray]]:
    """Each layer's values in a Keras weights file, by the layer's name: [] for a layer with none."""
    try:
        with h5py.File(io.BytesIO(data), "r") as file:
            return {
                name: [group["vars"][key][()] for key in sorted(group["vars"], key=int)]
                for name, group in file["layers"].items()
            }
    except Exception as error:  # h5py reports a bad file through many exception types
        raise WeightsError(f"{WEIGHTS_FILE} is not a Keras weights file ({type(error).__name__})") from error


def compile_network(arch: str, layers: tuple[Layer, ...], weights: dict[str, list[np.ndarray]]) -> list[Step]:
    """The steps of the forward pass, each layer's weights checked against the shape the layer before gives it.
    Raises WeightsError naming the layer that cannot be computed, or whose weights are missing or misshapen."""
    names = keras_names(layers)
    for layer, name in zip(layers, names, strict=True):
        if not computable(layer):
            raise WeightsError(f"the function cannot compute layer {name!r} of the {arch!r} architecture: {layer}")
    unused = set(weights) - set(names)
    if unused:
        raise WeightsError(
            f"{WEIGHTS_FILE} holds layers the {arch!r} architecture does not have: {', '.join(sorted(unused))}"
        )
    shape: tuple[int, ...] = (SIZE, SIZE)
    steps = []
    for layer, name in zip(layers, names, strict=True):
        if name not in weights:
            raise WeightsError(f"{WEIGHTS_FILE} has no layer {name!r} of the {arch!r} architecture")
        expected = weight_shapes(layer, shape)
        found = [tuple(value.shape) for value in weights[name]]
        if found != expected:
            raise WeightsError(
                f"{WEIGHTS_FILE}: layer {name!r} of {arch!r} holds weights of shapes {found}, not {expected}"
            )
        step, shape = _step(layer, shape, [value.astype(np.float32) for value in weights[name]], arch, name)
        steps.append(step)
    return steps


def computable(layer: Layer) -> bool:
    """Whether the forward pass here has the layer's kind, and its activation."""
    match layer:
        case Conv2D(activation=activation) | Dense(activation=activation):
            return activation in _ACTIVATIONS
        case Rescaling() | Reshape() | MaxPooling2D() | Flatten() | Dropout():
            return True
    return False


def keras_names(layers: tuple[Layer, ...]) -> list[str]:
    """The name Keras files each layer under: its kind in snake case, `_1`, `_2` … from the second of a kind."""
    names, seen = [], {}
    for layer in layers:
        kind = re.sub(r"([a-z])([A-Z])", r"\1_\2", re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", type(layer).__name__)).lower()
        names.append(f"{kind}_{seen[kind]}" if kind in seen else kind)
        seen[kind] = seen.get(kind, 0) + 1
    return names


def weight_shapes(layer: Layer, shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    """The shapes of a layer's kernel and bias, given the shape of one image reaching it; [] if it has none."""
    match layer:
        case Conv2D(filters, kernel):
            return [(kernel, kernel, shape[-1], filters), (filters,)]
        case Dense(units):
            return [(shape[-1], units), (units,)]
    return []


def _step(layer: Layer, shape: tuple[int, ...], values: list[np.ndarray], arch: str, name: str) -> tuple[Step, tuple]:
    """A layer's computation, and the shape of one image leaving it."""
    match layer:
        case Rescaling(scale):
            factor = np.float32(scale)
            return (lambda x: x * factor), shape
        case Reshape(target) if np.prod(target) == np.prod(shape):
            return (lambda x: x.reshape(len(x), *target)), target
        case Conv2D(filters, kernel, activation) if len(shape) == 3:
            rows, cols, channels = shape
            matrix = values[0].reshape(kernel * kernel * channels, filters)  # rows in (row, column, channel) order
            step = _conv(kernel, matrix, values[1], _ACTIVATIONS[activation])
            return step, (rows - kernel + 1, cols - kernel + 1, filters)
        case MaxPooling2D(size) if len(shape) == 3:
            return _max_pool(size), (shape[0] // size, shape[1] // size, shape[2])
        case Flatten():
            return (lambda x: x.reshape(len(x), -1)), (int(np.prod(shape)),)
        case Dropout():
            return (lambda x: x), shape
        case Dense(units, activation) if len(shape) == 1:
            kernel, bias, activate = values[0], values[1], _ACTIVATIONS[activation]
            return (lambda x: activate(_affine(x, kernel, bias))), (units,)
    raise WeightsError(f"layer {name!r} of the {arch!r} architecture cannot take an input of shape {shape}: {layer}")


def _conv(kernel: int, matrix: np.ndarray, bias: np.ndarray, activate: Step) -> Step:
    def conv(x: np.ndarray) -> np.ndarray:
        batch, rows, cols, channels = x.shape
        rows, cols = rows - kernel + 1, cols - kernel + 1
        # Each window as a view in the kernel's (row, column, channel) order, then one window a row: the one copy,
        # of each pixel once per window it falls in. Channels last, it moves whole runs of memory at a time.
        image, row, col, channel = x.strides
        windows = as_strided(
            x, (batch, rows, cols, kernel, kernel, channels), (image, row, col, row, col, channel), writeable=False
        )
        patches = windows.reshape(batch * rows * cols, kernel * kernel * channels)
        return activate(_affine(patches, matrix, bias)).reshape(batch, rows, cols, -1)

    return conv


def _max_pool(size: int) -> Step:
    def max_pool(x: np.ndarray) -> np.ndarray:
        batch, rows, cols, channels = x.shape
        rows, cols = rows // size, cols // size
        blocks = x[:, : rows * size, : cols * size].reshape(batch, rows, size, cols, size, channels)
        # The element-wise maximum of each position in the block, taken whole array at a time: several times
        # faster than numpy's max over two axes of the block.
        return functools.reduce(np.maximum, (blocks[:, :, i, :, j] for i in range(size) for j in range(size)))

    return max_pool


def _affine(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """x @ kernel + bias, the bias added in place."""
    product = x @ kernel
    product += bias
    return product


def _relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0, out=x)


def _softmax(x: np.ndarray) -> np.ndarray:
    exp = np.exp(x - x.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


_ACTIVATIONS: dict[str, Step] = {"relu": _relu, "softmax": _softmax}
