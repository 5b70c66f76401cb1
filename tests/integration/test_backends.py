"""The served model answers what the trained one answers: the committed weights run by Keras on TensorFlow (as
training runs them, in a process of its own, since a process has one Keras backend) and by the function's
Keras on JAX give the same digits and the same probabilities, on every held-out digit and on the self-check's
reference inputs, whose stored probabilities are TensorFlow's."""

import json
import os
import subprocess
import sys

import numpy as np

from checkout import ROOT, WEIGHTS
from digit import selfcheck
from digit.artefact import METADATA_FILE
from tests.versions import load_files

ON_TENSORFLOW = """
import sys
import numpy as np
from digit import architectures
images = np.load(sys.argv[1])
model = architectures.build(sys.argv[2])
model.load_weights(sys.argv[3])
np.save(sys.argv[4], np.asarray(model(images, training=False)))
"""


def tensorflow_probabilities(images: np.ndarray, tmp_path) -> np.ndarray:
    np.save(tmp_path / "images.npy", images)
    arch = json.loads((WEIGHTS / METADATA_FILE).read_text())["arch"]
    env = {**os.environ, "KERAS_BACKEND": "tensorflow"}
    command = [sys.executable, "-c", ON_TENSORFLOW, str(tmp_path / "images.npy"), arch]
    command += [str(WEIGHTS / "model.weights.h5"), str(tmp_path / "probabilities.npy")]
    subprocess.run(command, cwd=ROOT, env=env, check=True, timeout=300)
    return np.load(tmp_path / "probabilities.npy")


def test_jax_serves_what_tensorflow_computes_for_the_same_weights(held_out, tmp_path):
    images = np.concatenate([held_out[0].astype(np.float32), selfcheck.reference_inputs(0)])
    trained = tensorflow_probabilities(images, tmp_path)
    served = load_files(WEIGHTS).probabilities(images)
    np.testing.assert_array_equal(served.argmax(axis=1), trained.argmax(axis=1))
    np.testing.assert_allclose(served, trained, atol=1e-5)
    stored = json.loads((WEIGHTS / METADATA_FILE).read_text())[selfcheck.FIELD]["probabilities"]
    np.testing.assert_allclose(trained[-selfcheck.COUNT :], stored, atol=1e-6)
