"""Model versions for tests: the committed one, other valid versions made from it, and broken ones.

A variant is the committed convnet with its weights nudged: another sha256, so another version, with its own
answers and its own self-check, computed here by the same JAX model the function runs (the committed
version's self-check is TensorFlow's)."""

import json
from pathlib import Path

import numpy as np
from google.cloud import storage

from checkout import WEIGHTS
from digit import architectures, selfcheck
from digit.artefact import DEFAULT_PREFIX, METADATA_FILE, WEIGHTS_FILE, parse_metadata, sha256
from digit.model import Classifier, load

METADATA = json.loads((WEIGHTS / METADATA_FILE).read_text())
GOOD_WEIGHTS = (WEIGHTS / WEIGHTS_FILE).read_bytes()


def load_files(folder: Path) -> Classifier:
    """A Classifier from the two files of a version in a local folder, such as the committed weights/."""
    return load((folder / WEIGHTS_FILE).read_bytes(), parse_metadata((folder / METADATA_FILE).read_bytes()))


def variant(folder: Path, seed: int) -> str:
    """Writes into `folder` a valid version of its own, made from the committed one; returns its version."""
    model = architectures.build(METADATA["arch"])
    model.load_weights(WEIGHTS / WEIGHTS_FILE)
    rng = np.random.default_rng(seed)
    model.set_weights([w * rng.uniform(0.9, 1.1, w.shape).astype(w.dtype) for w in model.get_weights()])
    folder.mkdir(parents=True, exist_ok=True)
    model.save_weights(folder / WEIGHTS_FILE)
    weights = (folder / WEIGHTS_FILE).read_bytes()
    metadata = {**METADATA, "sha256": sha256(weights), "version": f"{METADATA['arch']}-{sha256(weights)[:12]}"}
    metadata[selfcheck.FIELD] = selfcheck.record(lambda images: np.asarray(model(images, training=False)))
    (folder / METADATA_FILE).write_text(json.dumps(metadata))
    load(weights, metadata)  # the function will serve it: its own checks pass
    return metadata["version"]


def metadata_for(weights: bytes, **changes) -> bytes:
    """The committed metadata, describing `weights` instead, with `changes`."""
    return json.dumps({**METADATA, "sha256": sha256(weights), **changes}).encode()


def put_version(bucket: storage.Bucket, folder: str, weights: bytes, metadata: bytes) -> None:
    """Writes the two files of a version, good or not, into `<prefix><folder>/`."""
    bucket.blob(f"{DEFAULT_PREFIX}{folder}/{WEIGHTS_FILE}").upload_from_string(weights)
    bucket.blob(f"{DEFAULT_PREFIX}{folder}/{METADATA_FILE}").upload_from_string(metadata)
