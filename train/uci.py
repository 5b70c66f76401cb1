"""A check outside the project's data: scikit-learn's copy of the UCI handwritten digits (1,797 digits by 43
writers, scanned at 8x8, 17 grey levels), each enlarged to 28x28 bicubically and read through the pixel contract
and the model, as a photographed or scanned digit would be. For evaluation only: never trained on.

Besides accuracy, how far the model's confidence can be trusted: the share of wrong readings it gives 90 % or
more, and the expected calibration error (ECE) over 10 equal bins of confidence."""

from collections.abc import Callable

import numpy as np
from PIL import Image

from digit.pixels import SIZE, to_mnist
from train import fit

CONFIDENT = 0.9  # a wrong reading at this probability or more is confidently wrong
BINS = 10


def digits() -> tuple[np.ndarray, np.ndarray]:
    """The UCI digits as (N, 28, 28) uint8 in the contract's form, and their labels."""
    from sklearn.datasets import load_digits  # only here: scikit-learn is slow to import

    found = load_digits()
    scans = np.round(found.images * (255 / 16)).astype(np.uint8)
    enlarged = [np.asarray(Image.fromarray(scan).resize((SIZE, SIZE), Image.BICUBIC)) for scan in scans]
    return np.stack([to_mnist(image) for image in enlarged]), found.target.astype(np.int64)


def calibration_error(probabilities: np.ndarray, labels: np.ndarray, bins: int = BINS) -> float:
    """Expected calibration error: over `bins` equal-width bins of the top probability, the gap between the
    bin's mean confidence and its accuracy, weighted by the share of readings in the bin."""
    confidence = probabilities.max(axis=1)
    right = probabilities.argmax(axis=1) == labels
    which = np.minimum((confidence * bins).astype(int), bins - 1)  # a confidence of 1.0 is in the top bin
    error = 0.0
    for index in range(bins):
        chosen = which == index
        if chosen.any():
            error += chosen.mean() * abs(confidence[chosen].mean() - right[chosen].mean())
    return float(error)


def measure(probabilities_of: Callable[[np.ndarray], np.ndarray], found: tuple[np.ndarray, np.ndarray]) -> dict:
    """Accuracy overall and per digit, the wrong readings and how many were confident, and the ECE."""
    images, labels = found
    probabilities = np.asarray(probabilities_of(images.astype(np.float32)), dtype=np.float64)
    read = probabilities.argmax(axis=1)
    wrong = read != labels
    result = fit.scored(read, labels)
    return {
        "images": len(labels),
        "accuracy": round(result.accuracy, 4),
        "per_class_accuracy": result.per_class_accuracy,
        "wrong": int(wrong.sum()),
        "confidently_wrong": int((wrong & (probabilities.max(axis=1) >= CONFIDENT)).sum()),
        "calibration_error": round(calibration_error(probabilities, labels), 4),
    }


def summary(result: dict) -> str:
    """The result as a line for the person training."""
    worst = int(np.argmin(result["per_class_accuracy"]))
    return (
        f"UCI digits (evaluation only): {result['accuracy']:.1%}, worst digit {worst} at "
        f"{result['per_class_accuracy'][worst]:.0%}; {result['confidently_wrong']} of {result['wrong']} wrong "
        f"readings at {CONFIDENT:.0%} or more; calibration error {result['calibration_error']:.1%}"
    )
