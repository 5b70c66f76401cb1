"""The model architectures, defined once, as plain data: each a list of layers, each layer a kind and its sizes.

Training turns an architecture into Keras layers (train/network.py); the function turns it into numpy
computations (digit/forward.py). Neither keeps a layer list of its own, and this module imports no framework,
so the function needs none. The kinds are named after the Keras layers they stand for, whose weights files
name each layer after its class.

Every model reads the wire format as it is, a (28, 28) array of raw 0..255 ink levels, and scales it to
[0, 1] itself, so no caller can feed it differently scaled pixels.
"""

from dataclasses import dataclass

from digit.pixels import SIZE


@dataclass(frozen=True)
class Rescaling:
    """Every value times `scale`."""

    scale: float


@dataclass(frozen=True)
class Reshape:
    """Each image laid out in `shape` (the batch axis aside)."""

    shape: tuple[int, ...]


@dataclass(frozen=True)
class Conv2D:
    """`filters` convolutions of `kernel` x `kernel` pixels: stride 1, no padding ("valid"), then `activation`."""

    filters: int
    kernel: int = 3
    activation: str = "relu"


@dataclass(frozen=True)
class MaxPooling2D:
    """The largest value of each `size` x `size` block, blocks side by side; a last row or column that fills no
    block is dropped."""

    size: int = 2


@dataclass(frozen=True)
class Flatten:
    """Each image as one vector, in channels-last order (row, column, channel)."""


@dataclass(frozen=True)
class Dropout:
    """Zeroes a `rate` share of values while training; reading, it passes everything through."""

    rate: float


@dataclass(frozen=True)
class Dense:
    """A fully connected layer of `units`, then `activation`."""

    units: int
    activation: str


Layer = Rescaling | Reshape | Conv2D | MaxPooling2D | Flatten | Dropout | Dense

# Two conv + pool blocks and a softmax readout, as in the Keras MNIST example: small, and accurate on MNIST.
_TWO_BLOCKS = (Reshape((SIZE, SIZE, 1)), Conv2D(32), MaxPooling2D(), Conv2D(64), MaxPooling2D())
_READOUT = (Flatten(), Dropout(0.5), Dense(10, "softmax"))

# Names are never reused for another network: a version in a bucket names the architecture its weights fit.
ARCHITECTURES: dict[str, tuple[Layer, ...]] = {
    # The cnn with a third convolution, of 128 filters, after the second pool: about three times its
    # parameters, and better at the thick, blurred strokes of low-resolution scans and at the styles MNIST's
    # writers rarely used (docs/training.md).
    "cnn3": (*_TWO_BLOCKS, Conv2D(128), *_READOUT),
    "cnn": (*_TWO_BLOCKS, *_READOUT),
    # No convolution: the baseline that shows what the convnets' convolutions are worth on the same data.
    "mlp": (Flatten(), Dense(128, "relu"), Dense(128, "relu"), Dense(128, "relu"), Dense(10, "softmax")),
}


def layers(arch: str) -> tuple[Layer, ...]:
    """The named architecture's layers, from (batch, 28, 28) raw 0..255 pixels to (batch, 10) probabilities.
    Raises ValueError for a name that is not one."""
    if arch not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {arch!r}; known: {', '.join(ARCHITECTURES)}")
    return (Rescaling(1 / 255), *ARCHITECTURES[arch])
