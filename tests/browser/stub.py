"""The model the page's tests read with: a version made for them, whose answer for any pixels the tests compute
themselves. A page test then checks that the page shows what was read of the very pixels it sent, and fails for
the page alone: never because training changed the committed weights, nor because an unpinned Chromium draws a
stroke a pixel wider. What the committed weights read of drawings made on the page is the benchmark's to
measure (bench/drawings.py).

The stub is one dense layer over the pixels, fitted by least squares to a few hundred MNIST digits: it reads
most digits right, and is often unsure: the tests never rely on its reading right, only on knowing what it reads."""

from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from digit.pixels import SIZE
from tests.versions import write_version

BUCKET = "stub"  # the bucket in the storage emulator that serves it
RIDGE = 1.0  # keeps the fit's weights small where few digits have ink
SHARPNESS = 8.0  # the fit's scores times this, so that its probabilities are as sure as a trained model's


@dataclass(frozen=True)
class Stub:
    kernel: np.ndarray  # (784, 10), over pixels scaled to 0..1
    bias: np.ndarray  # (10,)

    def probabilities(self, pixels: list[int]) -> np.ndarray:
        """The ten probabilities the stub gives 784 pixels, 0..255, as the page sends them."""
        scores = np.asarray(pixels, dtype=np.float64) / 255 @ self.kernel + self.bias
        exponentials = np.exp(scores - scores.max())
        return exponentials / exponentials.sum()

    def reads(self, pixels: list[int]) -> str:
        """The digit the stub reads in 784 pixels."""
        return str(int(self.probabilities(pixels).argmax()))

    def not_read(self, pixels: list[int]) -> int:
        """A digit the stub does not read in 784 pixels: what a person correcting it might say it was."""
        return (int(self.reads(pixels)) + 1) % 10

    def reads_number(self, fields: list[list[int]]) -> str:
        """The number the stub reads in the pixels of its digits."""
        return "".join(self.reads(field) for field in fields)

    def publish(self, folder: Path) -> str:
        """Writes the stub into `folder` as a version the function serves; returns its version."""
        model = keras.Sequential([keras.Input((SIZE, SIZE)), keras.layers.Rescaling(1 / 255), keras.layers.Flatten(),
                                  keras.layers.Dense(10, activation="softmax")])  # fmt: skip
        model.set_weights([self.kernel, self.bias])
        return write_version(folder, model, "stub")


def fitted(images: np.ndarray, labels: np.ndarray) -> Stub:
    """The stub fitted to MNIST `images` (N, 28, 28) and their `labels`: ridge regression onto the one-hot
    labels, its scores sharpened."""
    x = np.hstack([images.reshape(len(images), -1) / 255, np.ones((len(images), 1))])
    targets = np.eye(10)[labels]
    solution = np.linalg.solve(x.T @ x + RIDGE * np.eye(x.shape[1]), x.T @ targets) * SHARPNESS
    solution = solution.astype(np.float32)  # as the version holds them
    return Stub(kernel=solution[:-1], bias=solution[-1])
