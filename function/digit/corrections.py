"""Corrections from the page ("that's wrong, it was a 7"): each is checked, counted against a limit per minute,
and stored in Cloud Storage as one small JSON object, `corrections/<date>/<uuid>.json`, that holds the 784
pixels read, the digit they show, the model's reading, the version that read them and the time: nothing about
the person who sent it (no address, no browser, no origin)."""

import collections
import json
import math
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from google.api_core import exceptions as gcs_errors

from digit import payload
from digit.artefact import VERSION_NAME
from digit.payload import BadRequest, json_type
from digit.store import TIMEOUT, Bucket, failure

FOLDER = "corrections/"
FIELDS = ("image", "label", "read_as", "model")
EXAMPLE = '{"image": "0,0,...,255", "label": 7, "read_as": 1, "model": "cnn-a497cee2f488"}'


class StorageError(Exception):
    """A correction could not be stored; the message says why, for the client."""


@dataclass(frozen=True)
class Correction:
    pixels: list[int]  # the 784 values read, row by row
    label: int  # the digit they show, as the person says
    read_as: int | None  # what the model read
    model: str | None  # the version that read it

    def record(self, now: datetime) -> dict:
        """What is stored: these fields and the time, nothing else."""
        time_stored = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"label": self.label, "pixels": self.pixels, "read_as": self.read_as, "model": self.model,
                "time": time_stored}  # fmt: skip


def parse_correction(body: bytes) -> Correction:
    """A request body → the correction it sends; BadRequest with a message for anything else."""
    request = payload.json_object(body, EXAMPLE)
    unexpected = [name for name in request if name not in FIELDS]
    if unexpected:
        raise BadRequest(
            f"unexpected field {unexpected[0][:40]!r}: a correction holds image, label, and optionally read_as "
            "and model"
        )
    for needed in ("image", "label"):
        if needed not in request:
            raise BadRequest(f"a correction needs {needed!r}, such as {EXAMPLE}")
    pixels = payload.image(request["image"]).ravel()
    fractional = np.flatnonzero(pixels != np.round(pixels))
    if fractional.size:
        index = int(fractional[0])
        raise BadRequest(f"image: value {pixels[index]:g} at index {index} is not a whole number, as read pixels are")
    return Correction(
        pixels=pixels.astype(int).tolist(),
        label=digit(request["label"], "label"),
        read_as=None if request.get("read_as") is None else digit(request["read_as"], "read_as"),
        model=None if request.get("model") is None else version(request["model"]),
    )


def digit(value: object, field: str) -> int:
    if type(value) is not int or not 0 <= value <= 9:  # bool is a subclass of int, and no digit
        shown = value if type(value) in (int, float) else json_type(value)
        raise BadRequest(f"{field}: expected a digit, a whole number from 0 to 9, got {shown}")
    return value


def version(value: object) -> str:
    if not isinstance(value, str) or not VERSION_NAME.fullmatch(value):
        raise BadRequest("model: expected the version that read the image, such as cnn-a497cee2f488")
    return value


class RateLimit:
    """At most `per_minute` grants in any 60 seconds, across the threads of a process."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self._per_minute = per_minute
        self._clock = clock
        self._granted: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()

    def take(self) -> int:
        """0 once a grant is taken; otherwise the whole seconds until one can be."""
        with self._lock:
            now = self._clock()
            while self._granted and self._granted[0] <= now - 60:
                self._granted.popleft()
            if len(self._granted) >= self._per_minute:
                return max(1, math.ceil(self._granted[0] + 60 - now))
            self._granted.append(now)
            return 0

    def give_back(self) -> None:
        """Returns the latest grant, for something that was not done after all."""
        with self._lock:
            if self._granted:
                self._granted.pop()


class CorrectionBucket(Bucket):
    """Corrections written into a bucket, one object each, never read back: the function's account may
    create objects there and do nothing else."""

    def store(self, correction: Correction, now: datetime) -> str:
        """Stores the correction; returns the object's name, or raises StorageError."""
        name = f"{FOLDER}{now.astimezone(UTC):%Y-%m-%d}/{uuid.uuid4()}.json"
        try:
            self.bucket.blob(name).upload_from_string(
                json.dumps(correction.record(now)),
                content_type="application/json",
                if_generation_match=0,  # a new object, never one overwritten: which also makes retrying safe
                retry=self._retry,
                timeout=TIMEOUT,
            )
        except gcs_errors.NotFound as error:
            raise StorageError(f"bucket gs://{self.name} does not exist") from error
        except Exception as error:
            raise StorageError(failure(error, f"store in gs://{self.name}")) from error
        return name
