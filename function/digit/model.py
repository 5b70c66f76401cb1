"""A trained model ready to serve: rebuilt from code, its weights checked and loaded, traced once."""

import tempfile
import time
from pathlib import Path

import numpy as np
import tensorflow as tf

from digit import architectures
from digit.artefact import METADATA_FILE, WEIGHTS_FILE, WeightsError, check, parse_metadata
from digit.pixels import SIZE


class Classifier:
    """Probabilities for batches of contract-form images, from one traced TensorFlow function.

    The function is traced once for any batch size, so a request costs one call into the TensorFlow
    runtime: no `model.predict` (which rebuilds a data pipeline on every call) and no retracing. Calling
    it from several threads at once is safe."""

    def __init__(self, weights: bytes, metadata: dict):
        check(weights, metadata)
        started = time.perf_counter()
        try:
            model = architectures.build(metadata["arch"])
        except ValueError as error:
            raise WeightsError(f"{METADATA_FILE}: {error}") from error
        built = time.perf_counter()
        # Keras loads weights from a path only; the file lives no longer than the call.
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / WEIGHTS_FILE
            path.write_bytes(weights)
            try:
                model.load_weights(path)
            except Exception as error:  # h5py and Keras report a bad file through many exception types
                raise WeightsError(
                    f"{WEIGHTS_FILE} cannot be loaded into the {metadata['arch']!r} architecture "
                    f"({type(error).__name__})"
                ) from error
        loaded = time.perf_counter()
        self.metadata = metadata
        self._model = model  # the traced function reads its variables
        self.version: str = metadata["version"]
        self._call = tf.function(
            lambda images: model(images, training=False),
            input_signature=[tf.TensorSpec((None, SIZE, SIZE), tf.float32)],
        ).get_concrete_function()
        self.probabilities(np.zeros((1, SIZE, SIZE), np.float32))  # warm-up: first call builds the runtime
        # Where a cold start's time goes, for the logs and the benchmark.
        self.seconds = {"build": built - started, "load": loaded - built, "warm-up": time.perf_counter() - loaded}

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """(N, 28, 28) float32 0..255 → (N, 10) float32 probabilities."""
        return self._call(tf.constant(images)).numpy()


def load_files(folder: Path) -> Classifier:
    """A Classifier from the two artefact files in a local folder, as the tests read the committed weights."""
    return Classifier((folder / WEIGHTS_FILE).read_bytes(), parse_metadata((folder / METADATA_FILE).read_bytes()))
