"""Corrections from the page ("that's wrong, it was a 7"), as a request sends them and as they are stored: one
small JSON object each, `corrections/<date>/<uuid>.json`, that holds the 784 pixels read, the digit they show,
the model's reading, the version that read them and the time: nothing about the person who sent it (no address,
no browser, no origin). The function writes these objects (digit/store.py) and training reads them
(train/corrections.py), both through this one definition."""

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from digit import payload
from digit.artefact import VERSION_NAME
from digit.payload import BadRequest, json_type
from digit.pixels import SIZE

FOLDER = "corrections/"
FIELDS = ("image", "label", "read_as", "model")
EXAMPLE = '{"image": "0,0,...,255", "label": 7, "read_as": 1, "model": "cnn-a497cee2f488"}'


@dataclass(frozen=True)
class Correction:
    pixels: list[int]  # the 784 values read, row by row
    label: int  # the digit they show, as the person says
    read_as: int | None  # what the model read
    model: str | None  # the version that read it

    def record(self, now: datetime) -> bytes:
        """The object stored: these fields and the time, nothing else."""
        time_stored = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return json.dumps({"label": self.label, "pixels": self.pixels, "read_as": self.read_as, "model": self.model,
                           "time": time_stored}).encode()  # fmt: skip


def object_name(now: datetime) -> str:
    """Where a correction stored at `now` goes in its bucket: a name of its own, under the day's folder."""
    return f"{FOLDER}{now.astimezone(UTC):%Y-%m-%d}/{uuid.uuid4()}.json"


def from_record(data: bytes) -> Correction:
    """A stored object → its correction; ValueError saying what is wrong with it. Only the pixels and the
    label must be there: the reading and the version are kept where they are well formed."""
    try:
        record = json.loads(data)
    except ValueError as error:
        raise ValueError("not JSON") from error
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    label, pixels = record.get("label"), record.get("pixels")
    if type(label) is not int or not 0 <= label <= 9:
        raise ValueError("no label 0..9")
    if not isinstance(pixels, list) or len(pixels) != SIZE * SIZE:
        raise ValueError(f"no list of {SIZE * SIZE} pixels")
    if not all(type(value) is int and 0 <= value <= 255 for value in pixels):
        raise ValueError("pixels that are not whole numbers 0..255")
    read_as, model = record.get("read_as"), record.get("model")
    return Correction(
        pixels=pixels,
        label=label,
        read_as=read_as if type(read_as) is int else None,
        model=model if isinstance(model, str) else None,
    )


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
