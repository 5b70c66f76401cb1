"""The model versions that training writes and the function serves, and the names they go by.

A version is two files: WEIGHTS_FILE holds Keras 3 weights; METADATA_FILE is JSON with at least the name of
its architecture (`arch`), the `version` it goes by, and the weights' `sha256`, checked before they are loaded,
and the layers to rebuild (digit.layers), which versions from before that list lack. In a bucket, each version
has a folder of its own, `<prefix><version>/`, and POINTER_FILE, `<prefix>live.json`, names the version to serve
and those served before it, for a rollback:
`{"version": "<version>", "history": [..., "<the one before>"], "set_at": "<when>"}`.

Standard library only, and Python 3.8's: deploy.sh asks these names and checks of whatever python3 the deployer
has (digit/deployment.py).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from datetime import datetime, timezone

WEIGHTS_FILE = "model.weights.h5"
METADATA_FILE = "model.json"
POINTER_FILE = "live.json"
DEFAULT_PREFIX = "models/"  # where in its bucket the function finds the versions, unless told otherwise
# How a version reads a picture of a number, the METADATA_FILE field NUMBERS: by its candidate cuts
# (digit/reading.py) when training taught it what a wrong cut looks like, else by the split alone (digit/split.py),
# as a version without the field does.
NUMBERS, BY_CUTS, BY_SPLIT = "numbers", "cuts", "split"
# A version names a folder: up to 64 letters, digits, dots, dashes and underscores (deploy.sh asks with this one).
VERSION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
HISTORY_KEPT = 20  # earlier live versions that POINTER_FILE remembers, for rollback


class WeightsError(Exception):
    """A model version cannot be served; the message says which file and why."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def reason(error: Exception) -> str:
    """What a client may be told about a load that failed: our own messages, never internals."""
    return str(error) if isinstance(error, WeightsError) else f"internal error ({type(error).__name__})"


def parse_metadata(data: bytes) -> dict:
    """METADATA_FILE's contents, once they are known to name an architecture, a version and a checksum."""
    metadata = _json_object(data, METADATA_FILE)
    for key in ("arch", "version", "sha256"):
        if not isinstance(metadata.get(key), str):
            raise WeightsError(f"{METADATA_FILE} has no {key!r} string")
    return metadata


def parse_pointer(data: bytes) -> str:
    """The version POINTER_FILE names."""
    version = _json_object(data, POINTER_FILE).get("version")
    if not isinstance(version, str):
        raise WeightsError(f"{POINTER_FILE} has no 'version' string")
    if not VERSION_NAME.fullmatch(version):
        raise WeightsError(f"{POINTER_FILE} names {version[:40]!r}, which is not a version's name")
    return version


def parse_history(data: bytes) -> list[str]:
    """The versions POINTER_FILE says were served before the one it names, the latest last: those of its
    entries that are versions' names."""
    history = _json_object(data, POINTER_FILE).get("history")
    if not isinstance(history, list):
        return []
    return [entry for entry in history if isinstance(entry, str) and VERSION_NAME.fullmatch(entry)]


def pointer(version: str, earlier: Sequence[str] = (), now: datetime | None = None) -> bytes:
    """POINTER_FILE's content naming `version`, `earlier` (the latest last) the versions served before it, of
    which it keeps HISTORY_KEPT, and `now` (the current time by default) when it was set."""
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)  # noqa: UP017 (datetime.UTC is 3.11's)
    record = {"version": version, "history": list(earlier)[-HISTORY_KEPT:], "set_at": f"{moment:%Y-%m-%dT%H:%M:%SZ}"}
    return json.dumps(record).encode()


def check(weights: bytes, metadata: dict) -> None:
    """Raises WeightsError unless the weights are the ones the metadata describes."""
    actual = sha256(weights)
    if actual != metadata["sha256"]:
        raise WeightsError(
            f"{WEIGHTS_FILE} does not match {METADATA_FILE}: sha256 {actual[:12]}…, expected {metadata['sha256'][:12]}…"
        )


def _json_object(data: bytes, name: str) -> dict:
    try:
        value = json.loads(data)
    except ValueError as error:
        raise WeightsError(f"{name} is not valid JSON") from error
    if not isinstance(value, dict):
        raise WeightsError(f"{name} must hold a JSON object")
    return value
