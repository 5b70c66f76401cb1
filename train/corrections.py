"""Corrections sent from the page as training data: read from a local folder or from `gs://bucket/prefix/`
(through google-cloud-storage, so that the storage emulator works too), each object checked, the bad ones
counted and skipped, exact duplicates dropped, and a share held out to measure the model on.

The objects are those the function stores (digit/corrections.py), their pixels as the function read them, in the
pixel contract's form already: they are used as they are."""

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from digit.corrections import from_record
from digit.pixels import SIZE
from train.data import Dataset

HELD_OUT_SHARE = 0.2  # of the corrections, to measure on: never trained on


class CorrectionsError(ValueError):
    """The source of corrections cannot be read at all; the message says why."""


@dataclass
class Corrections:
    """The corrections to train on and those held out, as (N, 28, 28) uint8 images and (N,) int64 labels, and
    what was read: `report` goes into model.json."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    report: dict = field(default_factory=dict)


def load(source: str, seed: int = 0) -> Corrections:
    """The corrections at `source`, checked, without duplicates, split with `seed`."""
    read, skipped, images, labels, seen = 0, Counter(), [], [], set()
    for data in objects(source):
        read += 1
        try:
            image, label = parse(data)
        except ValueError as error:
            skipped[str(error)] += 1
            continue
        key = (label, image.tobytes())
        if key in seen:
            skipped["a duplicate of another correction"] += 1
            continue
        seen.add(key)
        images.append(image)
        labels.append(label)
    order = np.random.default_rng(seed).permutation(len(images))
    held = int(round(HELD_OUT_SHARE * len(images))) if len(images) > 1 else 0
    x = np.array(images, dtype=np.uint8).reshape(-1, SIZE, SIZE)[order]
    y = np.array(labels, dtype=np.int64)[order]
    report = {
        "source": source,
        "read": read,
        "skipped": dict(skipped),
        "used": len(images) - held,
        "held_out": held,
        "per_digit": [int(count) for count in np.bincount(y[held:], minlength=10)],
    }
    return Corrections(x[held:], y[held:], x[:held], y[:held], report)


def parse(data: bytes) -> tuple[np.ndarray, int]:
    """One stored correction (digit/corrections.py defines it) → its (28, 28) uint8 pixels and its label;
    ValueError saying what is wrong."""
    correction = from_record(data)
    if not any(correction.pixels):
        raise ValueError("a blank image")
    return np.array(correction.pixels, dtype=np.uint8).reshape(SIZE, SIZE), correction.label


def objects(source: str) -> Iterator[bytes]:
    """The content of every .json object under `source`, in the order of their names."""
    if source.startswith("gs://"):
        yield from _bucket_objects(source)
        return
    folder = Path(source)
    if not folder.is_dir():
        raise CorrectionsError(f"{source}: no such folder (give a folder of corrections or gs://bucket/prefix/)")
    for path in sorted(folder.rglob("*.json")):
        yield path.read_bytes()


def _bucket_objects(source: str) -> Iterator[bytes]:
    from google.api_core import exceptions as gcs_errors
    from google.cloud import storage

    bucket, _, prefix = source.removeprefix("gs://").partition("/")
    try:
        blobs = sorted(storage.Client().list_blobs(bucket, prefix=prefix), key=lambda blob: blob.name)
        for blob in blobs:
            if blob.name.endswith(".json"):
                yield blob.download_as_bytes()
    except gcs_errors.NotFound as error:
        raise CorrectionsError(f"{source}: bucket gs://{bucket} does not exist") from error
    except gcs_errors.GoogleAPICallError as error:
        raise CorrectionsError(f"{source}: Cloud Storage answered {error.code}: {error.message}") from error


# Each correction is seen this many times an epoch (differently distorted each time, with augmentation): a few
# dozen of them among thousands of MNIST digits would otherwise teach the model nothing.
REPEATS = 10


def add_to(data: Dataset, corrections: Corrections) -> None:
    """Adds the corrections to train on to the training part of `data` (never to its test part), REPEATS times
    each, and says so in its description."""
    data.x_train = np.concatenate([data.x_train, np.repeat(corrections.x_train, REPEATS, axis=0)])
    data.y_train = np.concatenate([data.y_train, np.repeat(corrections.y_train, REPEATS)])
    data.description["train_images"] = len(data.x_train)
    data.description["corrections"] = f"{len(corrections.x_train)} corrections, each {REPEATS} times"


def accuracy(probabilities: Callable[[np.ndarray], np.ndarray], corrections: Corrections) -> float | None:
    """The share of the held-out corrections read right by a model, given as its function from images to
    probabilities (None when none is held out)."""
    if not len(corrections.x_test):
        return None
    return round(float(np.mean(probabilities(corrections.x_test).argmax(axis=1) == corrections.y_test)), 4)


def accuracy_of_weights(folder: Path, corrections: Corrections) -> float | None:
    """What the version whose two files are in `folder` (the one the corrections were made against, before this
    training replaces it) reads right of the held-out corrections; None when there is none. It is read as the
    function reads it, from the layers its model.json lists, whatever network it is."""
    from digit.artefact import METADATA_FILE, WEIGHTS_FILE
    from digit.model import from_folder

    if not (folder / WEIGHTS_FILE).is_file() or not (folder / METADATA_FILE).is_file():
        return None
    return accuracy(from_folder(folder).probabilities, corrections)


def summary(report: dict) -> str:
    """What was read, for the person training."""
    skipped = ", ".join(f"{count} {why}" for why, count in report["skipped"].items()) or "none"
    per_digit = " ".join(f"{digit}:{count}" for digit, count in enumerate(report["per_digit"]))
    return (
        f"corrections from {report['source']}: {report['read']} read, skipped: {skipped}; "
        f"{report['used']} to train on (per digit {per_digit}), {report['held_out']} held out"
    )


def comparison(report: dict) -> str:
    def shown(value: float | None) -> str:
        return "-" if value is None else f"{value:.0%}"

    return (
        f"held-out corrections read right: {shown(report['accuracy_before'])} by the model before, "
        f"{shown(report['accuracy_after'])} by this one"
    )
