"""Reading what a client sent, with an error that says what was wrong and where for every bad input.

A request body is a JSON object with exactly one of `image` (one image), `images` (a batch) or `png` (a
picture file, base64 or a data: URL, passed through the pixel contract here; with `"number": true`, cut into
the candidate digits of a number first). An image may come as a string of 784 comma-separated numbers (what the page
sends), as a list of 784 numbers, or as a 28x28 list of lists; each value is an ink level 0..255 in the pixel
contract's form. Text of whole numbers (what the page and the client send) is read a whole batch at a time, in
a few numpy passes over its characters; other forms in one numpy call an image; the slower value-by-value walk
runs only to explain a rejection.
"""

import base64
import binascii
import contextlib
import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from digit import picture_files
from digit.cuts import Candidates, candidates
from digit.memory import give_back_free_memory
from digit.pixels import SIZE, EmptyImageError, clean_ink, ink_map, to_mnist
from digit.split import ScatteredInkError, TooManyDigitsError

T = TypeVar("T")
PIXELS = SIZE * SIZE
MAX_IMAGES = 256
MAX_DIGITS = 20  # in a number: a phone number with its country code, and then some (the health tells the page)
# A picture at the size limit takes tens of megabytes while it is read, and a full batch's text about ten: a
# burst of them from the server's threads must not multiply that in the instance's memory, and one vCPU reads
# no faster for reading several at once, so the others wait their turn (docs/performance.md).
LARGE_READS_AT_ONCE = threading.BoundedSemaphore(2)


@contextlib.contextmanager
def large_read() -> Iterator[None]:
    """One of the LARGE_READS_AT_ONCE; what it freed is given back to the system once it is over."""
    try:
        with LARGE_READS_AT_ONCE:
            yield
    finally:
        give_back_free_memory()


_NUMBER_TYPES = {int, float}  # bool is a subclass of int, and is not a pixel
_NUMBER_CHARACTERS = re.compile(r"[0-9.eE+\-,\s]*", re.ASCII)
_NUMBER = re.compile(r"\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*", re.ASCII)


class BadRequest(ValueError):
    """The request cannot be answered as sent; the message is for the client."""


@dataclass(frozen=True)
class Query:
    """What a request asks: images in contract form, and how the answer must be shaped."""

    images: np.ndarray  # (N, 28, 28) float32
    batch: bool
    from_picture: bool  # a png was sent: the answer shows the pixels it became
    cuts: Candidates | None = None  # the png is a number: the images are its candidate digits' fields


FIELDS = ("image", "images", "png")
EXAMPLE = '{"image": "0,0,...,255"} (784 comma-separated values)'


def parse_body(body: bytes) -> Query:
    """A request body → the query it makes."""
    request = json_object(body, EXAMPLE)
    present = [name for name in FIELDS if name in request]
    if len(present) != 1:
        found = f"got {' and '.join(present)}" if present else "got none"
        raise BadRequest(f"expected exactly one of the fields image, images or png; {found}")
    field = present[0]
    number = request.get("number", False)
    if not isinstance(number, bool):
        raise BadRequest(f"number: expected true or false, got {json_type(number)}")
    if number:
        if field != "png":
            raise BadRequest(f"number: only a picture (png) is read as a number, not {field}")
        cut = number_picture(request["png"])
        return Query(cut.fields.astype(np.float32), batch=False, from_picture=True, cuts=cut)
    if field == "image":
        return Query(image(request["image"])[np.newaxis], batch=False, from_picture=False)
    if field == "images":
        return Query(images(request["images"]), batch=True, from_picture=False)
    return Query(picture(request["png"])[np.newaxis], batch=False, from_picture=True)


def json_object(body: bytes, example: str) -> dict:
    """A request body's JSON object; the messages for anything else show `example`."""
    if not body.strip():
        raise BadRequest(f"the request body is empty; send a JSON object such as {example}")
    try:
        request = json.loads(body)
    except (ValueError, RecursionError) as error:
        detail = f" ({error})" if isinstance(error, json.JSONDecodeError) else ""
        raise BadRequest(f"the request body is not valid JSON{detail}") from error
    if not isinstance(request, dict):
        raise BadRequest(f"expected a JSON object such as {example}, got {json_type(request)}")
    return request


def image(value: object, where: str = "image") -> np.ndarray:
    """One image in any of the accepted forms → (28, 28) float32."""
    return _checked(*_read(value, where), where)


def images(value: object) -> np.ndarray:
    """A batch: a non-empty list of at most MAX_IMAGES images → (N, 28, 28) float32."""
    if not isinstance(value, list):
        raise BadRequest(f"images: expected a list of images, got {json_type(value)}")
    if not value:
        raise BadRequest("images: the list is empty")
    if len(value) > MAX_IMAGES:
        raise BadRequest(f"images: {len(value)} images sent, at most {MAX_IMAGES} per request")
    with large_read():
        return _batch(value)


def _batch(value: list) -> np.ndarray:
    """Reads every image, then checks them all at once; if anything is wrong, checks them one by one instead,
    so that the first image in error is the one named, as always."""
    values = _whole_numbers(value)
    if values is None:
        try:
            values = np.stack([_read(item, f"images[{index}]")[0] for index, item in enumerate(value)])
        except BadRequest:
            pass
    if values is None or not (((values >= 0) & (values <= 255)).all() and values.any(axis=1).all()):
        return np.stack([image(item, f"images[{index}]") for index, item in enumerate(value)])
    return values.astype(np.float32).reshape(-1, SIZE, SIZE)


def picture(value: object) -> np.ndarray:
    """A PNG or JPEG file, base64-encoded or as a data: URL, through the pixel contract → (28, 28) float32."""
    return _through_contract(value, to_mnist).astype(np.float32)


def number_picture(value: object) -> Candidates:
    """A picture file of a number, as for `picture`, cut into its candidate digits (number_candidates)."""
    return _through_contract(value, number_candidates)


def number_candidates(image: np.ndarray) -> Candidates:
    """A decoded picture of a number → its candidate digits (digit/cuts.py), as the function cuts every picture
    sent with `number`: at most MAX_DIGITS split digits, cut into at most MAX_IMAGES candidates, one batch."""
    return candidates(clean_ink(ink_map(image)), MAX_DIGITS, MAX_IMAGES)


def _through_contract(value: object, contract: Callable[[np.ndarray], T]) -> T:
    """A picture file, base64-encoded or as a data: URL, decoded and through `contract`."""
    if not isinstance(value, str):
        raise BadRequest(f"png: expected a base64 string or a data: URL, got {json_type(value)}")
    encoded = value.split(",", 1)[1] if value.startswith("data:") and "," in value else value
    try:
        data = base64.b64decode("".join(encoded.split()), validate=True)
    except (binascii.Error, ValueError) as error:
        raise BadRequest("png: not valid base64") from error
    try:
        with large_read():
            return contract(picture_files.decode(data))
    except (picture_files.ImageError, EmptyImageError, ScatteredInkError, TooManyDigitsError) as error:
        raise BadRequest(f"png: {error}") from error


def json_type(value: object) -> str:
    """The JSON name of a decoded value's type, for messages."""
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def _read(value: object, where: str) -> tuple[np.ndarray, Callable[[int], str]]:
    """An image's 784 values as float64, unchecked for range, and how a message names a value's position."""
    if isinstance(value, str):
        return _from_text(value, where), _flat_position
    if isinstance(value, list) and len(value) == SIZE and all(isinstance(row, list) for row in value):
        for number, row in enumerate(value):
            if len(row) != SIZE:
                raise BadRequest(f"{where}: row {number} has {len(row)} values, expected {SIZE}")
        return _from_list([v for row in value for v in row], where, _grid_position), _grid_position
    if isinstance(value, list):
        return _from_list(value, where, _flat_position), _flat_position
    raise BadRequest(
        f"{where}: expected a string of {PIXELS} comma-separated numbers, a list of {PIXELS} numbers "
        f"or a {SIZE}x{SIZE} list of lists, got {json_type(value)}"
    )


def _from_text(text: str, where: str) -> np.ndarray:
    count = text.count(",") + 1
    if count != PIXELS:
        raise BadRequest(f"{where}: expected {PIXELS} values, got {count}")
    values = _whole_numbers([text])
    if values is not None:
        return values[0]
    if _NUMBER_CHARACTERS.fullmatch(text):
        try:
            return np.array(text.split(","), dtype=np.float64)
        except ValueError:
            pass
    for index, part in enumerate(text.split(",")):
        if not _NUMBER.fullmatch(part):
            raise BadRequest(f"{where}: value {_shown(part)} at index {index} is not a number")
    raise BadRequest(f"{where}: not a list of numbers")  # unreachable while _NUMBER is stricter than numpy


def _whole_numbers(texts: list) -> np.ndarray | None:
    """Texts of PIXELS whole numbers of one to three digits, with commas between and nothing else → (N, PIXELS)
    float64, read in a few numpy passes over all their characters at once, several times faster than Python
    reads numbers one by one; None for anything else, which the general path then reads or explains."""
    if not all(isinstance(text, str) and text.count(",") == PIXELS - 1 for text in texts):
        return None
    joined = ",".join(texts) + ","
    if not joined.isascii():
        return None
    characters = np.frombuffer(joined.encode("ascii"), np.uint8)
    digits = characters - np.uint8(ord("0"))  # any other character wraps round to 10 or more
    # Positions as int32 (a body is far below 2 GB): a full batch's arrays are half the size, and a burst of
    # batches holds several of them at once.
    commas = np.flatnonzero(characters == ord(",")).astype(np.int32)
    lengths = np.empty_like(commas)  # of each number: the characters between its comma and the one before
    lengths[0] = commas[0]
    np.subtract(commas[1:], commas[:-1] + 1, out=lengths[1:])
    if lengths.min() < 1 or lengths.max() > 3 or np.count_nonzero(digits < 10) + commas.size != characters.size:
        return None
    # A number's units are the character before its comma, its tens (where it has them) the one before that.
    values = digits[commas - 1].astype(np.int16)  # not uint8: 100 × 3 would wrap round
    for place, scale in ((2, 10), (3, 100)):
        longer = np.flatnonzero(lengths >= place)
        values[longer] += scale * digits[commas[longer] - place].astype(np.int16)
    return values.reshape(len(texts), PIXELS).astype(np.float64)


def _from_list(values: list, where: str, position) -> np.ndarray:
    if len(values) != PIXELS:
        raise BadRequest(f"{where}: expected {PIXELS} values, got {len(values)}")
    if set(map(type, values)) <= _NUMBER_TYPES:
        try:
            return np.array(values, dtype=np.float64)
        except OverflowError:  # an integer beyond float range is outside 0..255 too
            pass
    for index, value in enumerate(values):
        if type(value) not in _NUMBER_TYPES:
            raise BadRequest(f"{where}: value {_shown(value)} at {position(index)} is {json_type(value)}, not a number")
        if not 0 <= value <= 255:
            raise BadRequest(f"{where}: value {_shown(value)} at {position(index)} is outside 0..255")
    raise BadRequest(f"{where}: not a list of numbers")  # unreachable: every failure above names its value


def _checked(values: np.ndarray, position: Callable[[int], str], where: str) -> np.ndarray:
    bad = np.flatnonzero(~((values >= 0) & (values <= 255)))  # NaN fails both comparisons
    if bad.size:
        index = int(bad[0])
        value = values[index]
        problem = "is not a finite number" if not np.isfinite(value) else "is outside 0..255"
        raise BadRequest(f"{where}: value {_shown(value.item())} at {position(index)} {problem}")
    if not values.any():
        raise BadRequest(f"{where}: every value is 0, so there is no digit to read")
    return values.astype(np.float32).reshape(SIZE, SIZE)


def _flat_position(index: int) -> str:
    return f"index {index}"


def _grid_position(index: int) -> str:
    return f"row {index // SIZE}, column {index % SIZE}"


def _shown(value: object) -> str:
    """A value as a message may quote it: short, and never more than a few dozen characters of input."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 24 else text[:20] + "…"
