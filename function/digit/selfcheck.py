"""The load-time self-check: the served model must answer what the trained model answered.

Training runs Keras on TensorFlow, the function computes the same network in numpy (digit/forward.py), and
nothing but the weights and numbers travels between them. So training stores in model.json the probabilities
its model gave a few reference inputs, which are made in code from a seed (only the probabilities are stored),
and every load computes them again. A model that does not reproduce them (a forward pass computing differently
from Keras, weights loaded into the wrong layers) is refused as a corrupt file is.
"""

from collections.abc import Callable

import numpy as np

from digit.artefact import METADATA_FILE, WeightsError
from digit.pixels import SIZE

FIELD = "self_check"  # in METADATA_FILE: {"seed": int, "probabilities": [[10 floats] for each input]}
COUNT = 8
TOLERANCE = 1e-4
_STROKES = 3
_HALF_WIDTH = 1.4  # pixels: strokes about as thick as MNIST's


def reference_inputs(seed: int, count: int = COUNT) -> np.ndarray:
    """(count, 28, 28) float32 scribbles of 0..255 ink, a few joined thick strokes each, so that the model
    reads them as different digits. Made from PCG64's raw bit stream, which numpy keeps the same from version
    to version (its distributions may change)."""
    raw = np.random.PCG64(seed).random_raw(count * (_STROKES + 1) * 2)
    corners = 4 + 20 * (raw >> np.uint64(11)).astype(np.float64) * 2.0**-53  # in [4, 24)
    corners = corners.reshape(count, _STROKES + 1, 2)
    rows, cols = np.mgrid[0:SIZE, 0:SIZE]
    centres = np.stack([rows.ravel(), cols.ravel()], axis=1).astype(np.float64)  # (784, 2)
    images = np.empty((count, SIZE * SIZE))
    for index, points in enumerate(corners):
        starts, ends = points[:-1], points[1:]
        along = ends - starts
        offset = centres[:, None, :] - starts[None, :, :]  # (784, strokes, 2)
        t = np.clip((offset * along).sum(axis=2) / (along * along).sum(axis=1), 0, 1)
        distance = np.linalg.norm(offset - t[:, :, None] * along, axis=2).min(axis=1)
        images[index] = np.floor(255 * np.clip(_HALF_WIDTH + 0.5 - distance, 0, 1) + 0.5)
    return images.reshape(count, SIZE, SIZE).astype(np.float32)


def record(probabilities_of: Callable[[np.ndarray], np.ndarray], seed: int = 0) -> dict:
    """What training stores under FIELD: the trained model's probabilities for the reference inputs."""
    probabilities = np.asarray(probabilities_of(reference_inputs(seed)), dtype=np.float64)
    return {"seed": seed, "probabilities": probabilities.round(7).tolist()}


def verify(probabilities_of: Callable[[np.ndarray], np.ndarray], metadata: dict) -> None:
    """Raises WeightsError unless `probabilities_of` reproduces the stored probabilities: the same digit for
    every reference input, and every probability within TOLERANCE."""
    seed, expected = _stored(metadata)
    served = np.asarray(probabilities_of(reference_inputs(seed, len(expected))), dtype=np.float64)
    for index, (read, trained) in enumerate(zip(served.argmax(axis=1), expected.argmax(axis=1), strict=True)):
        if read != trained:
            raise WeightsError(
                f"the rebuilt model reads {FIELD} input {index} as {read}, the trained model read it as {trained}"
            )
    difference = float(np.abs(served - expected).max())
    if not difference <= TOLERANCE:  # NaN fails too
        raise WeightsError(
            f"the rebuilt model's probabilities differ from the trained model's by up to {difference:.2g} "
            f"({FIELD}; the tolerance is {TOLERANCE:g})"
        )


def _stored(metadata: dict) -> tuple[int, np.ndarray]:
    stored = metadata.get(FIELD)
    problem = f"{METADATA_FILE} has no valid {FIELD!r} (retrain the model: training writes it)"
    if not isinstance(stored, dict) or type(stored.get("seed")) is not int:
        raise WeightsError(problem)
    try:
        probabilities = np.array(stored.get("probabilities"), dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise WeightsError(problem) from error
    if probabilities.ndim != 2 or not 1 <= len(probabilities) <= 64 or probabilities.shape[1] != 10:
        raise WeightsError(problem)
    return stored["seed"], probabilities
