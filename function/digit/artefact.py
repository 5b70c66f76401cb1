"""The weights artefact that training writes and the function serves: two files, named here once.

WEIGHTS_FILE holds Keras 3 weights; METADATA_FILE is JSON with at least the architecture to rebuild
(`arch`), a `version` to report, and the weights' `sha256`, checked before they are loaded.
"""

import hashlib
import json

WEIGHTS_FILE = "model.weights.h5"
METADATA_FILE = "model.json"
DEFAULT_PREFIX = "model/"  # where in its bucket the function looks for the two files, unless told otherwise


class WeightsError(Exception):
    """The weights or their metadata cannot be served; the message says which and why."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_metadata(data: bytes) -> dict:
    """METADATA_FILE's contents, once they are known to name an architecture, a version and a checksum."""
    try:
        metadata = json.loads(data)
    except ValueError as error:
        raise WeightsError(f"{METADATA_FILE} is not valid JSON") from error
    if not isinstance(metadata, dict):
        raise WeightsError(f"{METADATA_FILE} must hold a JSON object")
    for key in ("arch", "version", "sha256"):
        if not isinstance(metadata.get(key), str):
            raise WeightsError(f"{METADATA_FILE} has no {key!r} string")
    return metadata


def check(weights: bytes, metadata: dict) -> None:
    """Raises WeightsError unless the weights are the ones the metadata describes."""
    actual = sha256(weights)
    if actual != metadata["sha256"]:
        raise WeightsError(
            f"{WEIGHTS_FILE} does not match {METADATA_FILE}: sha256 {actual[:12]}…, expected {metadata['sha256'][:12]}…"
        )
