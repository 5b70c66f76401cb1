"""A version's layers (digit.layers) as numpy computations over the weights Keras saved for them: the
function's forward pass, with no machine-learning framework.

The weights file is Keras 3's own (`model.weights.h5`), read with h5py from the downloaded bytes. Keras files
each layer's values under `layers/<group>/vars/<index>`, and each layer with weights names its group. The
maths is Keras's for the kinds of layer digit.layers has, in float32 as Keras computes it; the self-check
(digit.selfcheck) proves at every load that it answers what training's model answered.
"""

import functools
import io
from collections.abc import Callable

import h5py
import numpy as np
from numpy.lib.stride_tricks import as_strided

from digit.artefact import WEIGHTS_FILE, WeightsError
from digit.layers import Conv2D, Dense, Dropout, Flatten, Layer, MaxPooling2D, Rescaling, Reshape
from digit.pixels import SIZE

Step = Callable[[np.ndarray], np.ndarray]  # (batch, …) float32 → (batch, …) float32


def read_weights(data: bytes) -> dict[str, list[np.ndarray]]:
    """Each group's values in a Keras weights file, by the group's name: [] for a layer with none."""
    try:
        with h5py.File(io.BytesIO(data), "r") as file:
            return {
                name: [group["vars"][key][()] for key in sorted(group["vars"], key=int)]
                for name, group in file["layers"].items()
            }
    except Exception as error:  # h5py reports a bad file through many exception types
        raise WeightsError(f"{WEIGHTS_FILE} is not a Keras weights file ({type(error).__name__})") from error


def compile_network(source: str, layers: tuple[Layer, ...], weights: dict[str, list[np.ndarray]]) -> list[Step]:
    """The steps of the forward pass, each layer's weights read from the group it names and checked against the
    shape the layer before gives it. `source` says where the layers were listed, for messages. Raises
    WeightsError naming the layer that cannot be computed, or whose weights are missing or misshapen."""
    for index, layer in enumerate(layers):
        if not computable(layer):
            raise WeightsError(f"the function cannot compute layer {index} of {source}: {layer}")
    named = {layer.weights for layer in layers if isinstance(layer, Conv2D | Dense)}
    unused = {name for name, values in weights.items() if values} - named
    if unused:
        raise WeightsError(f"{WEIGHTS_FILE} holds weights no layer of {source} names: {', '.join(sorted(unused))}")
    shape: tuple[int, ...] = (SIZE, SIZE)
    steps = []
    for index, layer in enumerate(layers):
        values = _values(layer, weights, source, index)
        expected = weight_shapes(layer, shape)
        found = [tuple(value.shape) for value in values]
        if found != expected:
            raise WeightsError(
                f"{WEIGHTS_FILE}: layer {index} of {source} holds weights of shapes {found}, not {expected}"
            )
        step, shape = _step(layer, shape, [value.astype(np.float32) for value in values], source, index)
        steps.append(step)
    return steps


def _values(layer: Layer, weights: dict[str, list[np.ndarray]], source: str, index: int) -> list[np.ndarray]:
    """The weights filed under the group the layer names; [] for a kind that has none."""
    if not isinstance(layer, Conv2D | Dense):
        return []
    if layer.weights not in weights:
        raise WeightsError(f"{WEIGHTS_FILE} has no group {layer.weights!r}, named by layer {index} of {source}")
    return weights[layer.weights]


def computable(layer: Layer) -> bool:
    """Whether the forward pass here has the layer's activation (every kind in digit.layers it computes)."""
    match layer:
        case Conv2D(activation=activation) | Dense(activation=activation):
            return activation in _ACTIVATIONS
    return True


def weight_shapes(layer: Layer, shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    """The shapes of a layer's kernel and bias, given the shape of one image reaching it; [] if it has none."""
    match layer:
        case Conv2D(filters, kernel):
            return [(kernel, kernel, shape[-1], filters), (filters,)]
        case Dense(units):
            return [(shape[-1], units), (units,)]
    return []


def _step(
    layer: Layer, shape: tuple[int, ...], values: list[np.ndarray], source: str, index: int
) -> tuple[Step, tuple]:
    """A layer's computation, and the shape of one image leaving it."""
    match layer:
        case Rescaling(scale):
            factor = np.float32(scale)
            return (lambda x: x * factor), shape
        case Reshape(target) if np.prod(target) == np.prod(shape):
            return (lambda x: x.reshape(len(x), *target)), target
        case Conv2D(filters, kernel, activation, _) if len(shape) == 3 and min(shape[:2]) >= kernel:
            rows, cols, channels = shape
            matrix = values[0].reshape(kernel * kernel * channels, filters)  # rows in (row, column, channel) order
            step = _conv(kernel, matrix, values[1], _ACTIVATIONS[activation])
            return step, (rows - kernel + 1, cols - kernel + 1, filters)
        case MaxPooling2D(size) if len(shape) == 3 and min(shape[:2]) >= size:
            return _max_pool(size), (shape[0] // size, shape[1] // size, shape[2])
        case Flatten():
            return (lambda x: x.reshape(len(x), -1)), (int(np.prod(shape)),)
        case Dropout():
            return (lambda x: x), shape
        case Dense(units, activation, _) if len(shape) == 1:
            kernel, bias, activate = values[0], values[1], _ACTIVATIONS[activation]
            return (lambda x: activate(_affine(x, kernel, bias))), (units,)
    raise WeightsError(f"layer {index} of {source} cannot take an input of shape {shape}: {layer}")


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
