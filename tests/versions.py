"""Model versions for tests: the committed one, other valid versions made from it or of a network no code names,
and broken ones.

A variant is the committed convnet with its weights nudged: another sha256, so another version, with its own
answers and its own self-check, computed by Keras on TensorFlow as training computes it."""

import json
import threading
from pathlib import Path
from types import SimpleNamespace

import keras
import numpy as np
from google.cloud import storage

from checkout import WEIGHTS
from digit import selfcheck
from digit.artefact import DEFAULT_PREFIX, METADATA_FILE, WEIGHTS_FILE, WeightsError, sha256
from digit.layers import FIELD
from digit.model import load
from digit.store import Pointer
from train import network
from train.describe import describe

METADATA = json.loads((WEIGHTS / METADATA_FILE).read_text())
GOOD_WEIGHTS = (WEIGHTS / WEIGHTS_FILE).read_bytes()
# The messages for half a weights file, and for the weights of the mlp published as the committed architecture.
NOT_A_WEIGHTS_FILE = r"model\.weights\.h5 is not a Keras weights file \(\w+\)"
NOT_ITS_ARCH = r"model\.weights\.h5 holds weights no layer of model\.json's 'layers' names: dense_2, dense_3"
# The message for a version without the list of layers, naming an architecture never named.
UNKNOWN_ARCH = r"model\.json has no 'layers' list, and 'resnet' is none of the architectures named before .*"
PUBLISHED = Path(__file__).parent / "published"  # a copy of each version ever made live, to keep serving them


class FolderBucket:
    """digit.store.ModelBucket's reads, over version folders on disk, for tests with no storage server: the
    pointer names `live`, and each `point` is a new content of it. It records each version downloaded, and
    while `gate` is set, a download waits for it."""

    name = "folders"

    def __init__(self, folders: dict[str, Path], live: str):
        self.folders, self.live, self.generation = folders, live, 1
        self.downloads: list[str] = []
        self.gate: threading.Event | None = None

    def point(self, version: str) -> None:
        self.live, self.generation = version, self.generation + 1

    def pointer_object(self) -> SimpleNamespace:
        return SimpleNamespace(generation=self.generation)

    def read_pointer(self, blob: object = None) -> Pointer:
        return Pointer(self.live, self.generation)

    def read_version(self, version: str) -> tuple[bytes, bytes]:
        self.downloads.append(version)
        if self.gate is not None:
            self.gate.wait(10)
        if version not in self.folders:
            raise WeightsError(f"gs://{self.name}/models/{version}/{WEIGHTS_FILE} does not exist")
        folder = self.folders[version]
        return (folder / WEIGHTS_FILE).read_bytes(), (folder / METADATA_FILE).read_bytes()


def variant(folder: Path, seed: int) -> str:
    """Writes into `folder` a valid version of its own, made from the committed one; returns its version."""
    model = network.build(METADATA["arch"])
    model.load_weights(WEIGHTS / WEIGHTS_FILE)
    rng = np.random.default_rng(seed)
    model.set_weights([w * rng.uniform(0.9, 1.1, w.shape).astype(w.dtype) for w in model.get_weights()])
    return write_version(folder, model, METADATA["arch"])


def unnamed_model(seed: int) -> keras.Model:
    """A conv net of other sizes than training's, which no code names, with random weights fixed by `seed`."""
    keras.utils.set_random_seed(seed)
    return keras.Sequential([
        keras.Input((28, 28)), keras.layers.Rescaling(1 / 255), keras.layers.Reshape((28, 28, 1)),
        keras.layers.Conv2D(6, 5, activation="relu"), keras.layers.MaxPooling2D(3), keras.layers.Flatten(),
        keras.layers.Dense(24, activation="relu"), keras.layers.Dense(10, activation="softmax"),
    ])  # fmt: skip


def write_version(folder: Path, model: keras.Model, arch: str) -> str:
    """Writes into `folder` a valid version of `model`, its layers listed and its self-check recorded by Keras
    as training lists and records them, the rest of its metadata the committed one's; returns its version."""
    folder.mkdir(parents=True, exist_ok=True)
    model.save_weights(folder / WEIGHTS_FILE)
    weights = (folder / WEIGHTS_FILE).read_bytes()
    metadata = {**METADATA, "arch": arch, "sha256": sha256(weights), "version": f"{arch}-{sha256(weights)[:12]}"}
    metadata[FIELD] = describe(model, folder / WEIGHTS_FILE)
    metadata[selfcheck.FIELD] = selfcheck.record(lambda images: np.asarray(model(images, training=False)))
    (folder / METADATA_FILE).write_text(json.dumps(metadata))
    load(weights, metadata)  # the function will serve it: its own checks pass
    return metadata["version"]


def metadata_for(weights: bytes, *, listed: bool = True, **changes) -> bytes:
    """The committed metadata, describing `weights` instead, with `changes`; without its list of layers, as
    versions from before the list, unless `listed`."""
    metadata = {**METADATA, "sha256": sha256(weights), **changes}
    if not listed:
        del metadata[FIELD]
    return json.dumps(metadata).encode()


def put_version(bucket: storage.Bucket, folder: str, weights: bytes, metadata: bytes) -> None:
    """Writes the two files of a version, good or not, into `<prefix><folder>/`."""
    bucket.blob(f"{DEFAULT_PREFIX}{folder}/{WEIGHTS_FILE}").upload_from_string(weights)
    bucket.blob(f"{DEFAULT_PREFIX}{folder}/{METADATA_FILE}").upload_from_string(metadata)
