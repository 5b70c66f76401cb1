"""A trained model ready to serve: rebuilt from code, its weights checked and loaded, then compiled once for
the LiteRT interpreter.

Keras and TensorFlow stay the model's only definition; they rebuild it and hand it to the LiteRT converter
at load time. Requests then go to the interpreter alone, because on a model this small a call is nearly all
fixed cost: about 0.2 ms for any TensorFlow function call (even one that only doubles its input) against
0.04 ms for this whole network in LiteRT (README, Performance).
"""

import tempfile
import threading
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from ai_edge_litert.interpreter import Interpreter

from digit import architectures
from digit.artefact import METADATA_FILE, WEIGHTS_FILE, WeightsError, check, parse_metadata
from digit.pixels import SIZE


class Classifier:
    """Probabilities for batches of contract-form images, from one LiteRT interpreter.

    Calls from several threads take turns: an interpreter runs one call at a time, and a single image takes
    it for tens of microseconds."""

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
        self.version: str = metadata["version"]
        self._interpreter = Interpreter(model_content=litert_model(model), num_threads=1)
        self._input = self._interpreter.get_input_details()[0]["index"]
        self._output = self._interpreter.get_output_details()[0]["index"]
        self._batch = 0  # the batch size the interpreter's tensors are allocated for
        self._lock = threading.Lock()
        self.probabilities(np.zeros((1, SIZE, SIZE), np.float32))  # allocates the tensors for single images
        # Where a cold start's time goes, for the logs and the benchmark.
        self.seconds = {"build": built - started, "load": loaded - built, "compile": time.perf_counter() - loaded}

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """(N, 28, 28) float32 0..255 → (N, 10) float32 probabilities."""
        with self._lock:
            if len(images) != self._batch:  # resizing costs microseconds: only the tensors are reallocated
                self._interpreter.resize_tensor_input(self._input, images.shape)
                self._interpreter.allocate_tensors()
                self._batch = len(images)
            self._interpreter.set_tensor(self._input, images)
            self._interpreter.invoke()
            return self._interpreter.get_tensor(self._output)


def litert_model(model: keras.Model) -> bytes:
    """The model as a LiteRT flatbuffer for any batch size, its weights frozen in as constants.

    The converter is handed the tf.function the concrete function comes from, as the object that keeps the
    weights alive; it then freezes the variables that function captured, in 0.1 s. Handed a tf.Module holding
    the variables, it would save and reload a SavedModel first (0.24 s at every cold start); handed nothing,
    it takes the same path as with the function but logs a deprecation warning."""
    traced = tf.function(
        lambda images: model(images, training=False),
        input_signature=[tf.TensorSpec((None, SIZE, SIZE), tf.float32)],
        autograph=False,  # plain layer calls: nothing for AutoGraph to rewrite, 15 ms saved
    )
    return tf.lite.TFLiteConverter.from_concrete_functions([traced.get_concrete_function()], traced).convert()


def load_files(folder: Path) -> Classifier:
    """A Classifier from the two artefact files in a local folder, as the tests read the committed weights."""
    return Classifier((folder / WEIGHTS_FILE).read_bytes(), parse_metadata((folder / METADATA_FILE).read_bytes()))
