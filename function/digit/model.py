"""A trained model ready to serve: rebuilt from code with Keras on JAX, its weights checked and loaded, its
forward pass compiled by XLA, and the result checked against what the trained model answered.

Training runs Keras on TensorFlow; the weights file is Keras's own format, which loads the same under JAX,
and the self-check (digit.selfcheck) proves it at every load. A process has one Keras backend, fixed when
Keras is first imported: this module sets it before importing Keras.
"""

import os

os.environ["KERAS_BACKEND"] = "jax"

import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import jax  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

from digit import architectures, selfcheck  # noqa: E402
from digit.artefact import METADATA_FILE, WEIGHTS_FILE, WeightsError, check  # noqa: E402
from digit.payload import MAX_IMAGES  # noqa: E402
from digit.pixels import SIZE  # noqa: E402

# Run each computation in the calling thread: for a network this small, handing it to XLA's own threads
# costs more than the computation itself.
jax.config.update("jax_cpu_enable_async_dispatch", False)

# The input shapes compiled, each once per model: a batch is padded up to the next of them. The single image
# is compiled at load; the others when first asked for.
BATCH_SIZES = (1, 16, MAX_IMAGES)


class Classifier:
    """Probabilities for batches of contract-form images. Safe to call from many threads at once: a compiled
    computation may run in several threads, and compiling a new shape takes a lock."""

    def __init__(self, metadata: dict, forward: Callable[[jax.Array], jax.Array]):
        self.metadata = metadata
        self.version: str = metadata["version"]
        self.seconds: dict[str, float] = {}  # where its load's time went, by step
        self._forward = forward
        self._compiled: dict[int, Callable[[np.ndarray], jax.Array]] = {}
        self._compiling = threading.Lock()

    def load_seconds(self) -> dict[str, float]:
        """Where this model's load spent its time, step by step, to the millisecond."""
        return {step: round(seconds, 3) for step, seconds in self.seconds.items()}

    @property
    def compiled_sizes(self) -> list[int]:
        """The batch sizes compiled so far."""
        return sorted(self._compiled)

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """(N, 28, 28) float32 0..255 → (N, 10) float32 probabilities."""
        largest = BATCH_SIZES[-1]
        if len(images) > largest:
            return np.concatenate([self.probabilities(images[i : i + largest]) for i in range(0, len(images), largest)])
        count = len(images)
        size = next(size for size in BATCH_SIZES if size >= count)
        if size > count:
            images = np.concatenate([images, np.zeros((size - count, SIZE, SIZE), np.float32)])
        return np.asarray(self._compiled_for(size)(images))[:count]

    def _compiled_for(self, size: int) -> Callable[[np.ndarray], jax.Array]:
        compiled = self._compiled.get(size)
        if compiled is None:
            with self._compiling:
                compiled = self._compiled.get(size)
                if compiled is None:
                    shape = jax.ShapeDtypeStruct((size, SIZE, SIZE), np.float32)
                    # Tracing runs stateless_call, whose own scope, on closing, would give every variable this
                    # thread left empty (the rebuilt model's, see rebuild) its random initial value; inside a
                    # scope that initialises nothing, it leaves them empty.
                    with keras.StatelessScope(initialize_variables=False):
                        compiled = jax.jit(self._forward).lower(shape).compile()
                    self._compiled[size] = compiled
        return compiled


def load(weights: bytes, metadata: dict) -> Classifier:
    """The Classifier for a weights artefact, once every check has passed. Raises WeightsError, with a message
    for the client, when the artefact cannot be served."""
    check(weights, metadata)
    started = time.perf_counter()
    model, variables = rebuild(weights, metadata["arch"])
    loaded = time.perf_counter()
    trainable, non_trainable = variables
    classifier = Classifier(
        metadata, lambda images: model.stateless_call(trainable, non_trainable, images, training=False)[0]
    )
    classifier.probabilities(np.zeros((1, SIZE, SIZE), np.float32))  # compiles the single image
    compiled = time.perf_counter()
    # One image at a time: the reference inputs go through the very computation that answers the page.
    selfcheck.verify(lambda inputs: np.concatenate([classifier.probabilities(x[np.newaxis]) for x in inputs]), metadata)
    checked = time.perf_counter()
    classifier.seconds = {"load": loaded - started, "compile": compiled - loaded, "check": checked - compiled}
    return classifier


def rebuild(weights: bytes, arch: str) -> tuple[keras.Model, tuple[list, list]]:
    """The architecture rebuilt and the weights read into it, as the model and the values of its trainable and
    non-trainable variables.

    Inside a StatelessScope that does not initialise variables, building skips the random initial values (XLA
    would compile every initializer, for seconds), and loading records the values read instead of assigning
    them: the model's own variables stay empty, and the values go to `stateless_call`."""
    with keras.StatelessScope(initialize_variables=False) as scope:
        try:
            model = architectures.build(arch)
        except ValueError as error:
            raise WeightsError(f"{METADATA_FILE}: {error}") from error
        # Keras reads weights from a path only; the file lives no longer than the call.
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / WEIGHTS_FILE
            path.write_bytes(weights)
            try:
                model.load_weights(path)
            except Exception as error:  # h5py and Keras report a bad file through many exception types
                raise WeightsError(
                    f"{WEIGHTS_FILE} cannot be loaded into the {arch!r} architecture ({type(error).__name__})"
                ) from error
    trainable = [scope.get_current_value(variable) for variable in model.trainable_variables]
    if any(value is None for value in trainable):
        raise WeightsError(f"{WEIGHTS_FILE} does not hold every weight of the {arch!r} architecture")
    # The rest is random-number state (Dropout's seed): it is not saved with the weights and plays no part in
    # inference.
    non_trainable = []
    for variable in model.non_trainable_variables:
        value = scope.get_current_value(variable)
        non_trainable.append(np.zeros(variable.shape, variable.dtype) if value is None else value)
    return model, (trainable, non_trainable)
