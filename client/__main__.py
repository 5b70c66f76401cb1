"""`python -m client [--number] FILE... [--url URL]`: which digit, or which number, is in each picture?

Each file (PNG or JPEG, any size, dark-on-light or light-on-dark) becomes the pixel contract's 784 values
here, through the project's own `digit` package, and they go to the function 256 to a request (its limit).
Prints `FILE: DIGIT (PROBABILITY %)` for each.

With --number, each file is sent as it is (shrunk first if it is beyond what the function accepts) to be read
as a number by the function's number mode, one request a file, and `FILE: NUMBER (DIGIT: PROBABILITY %, ...)`
is printed for each.

A file that cannot be read (or, as a number, that the function refuses) is named on stderr, the others are
still read, and the exit code is then 1.
"""

import argparse
import base64
import io
import json
import math
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from digit import picture_files
from digit.payload import MAX_IMAGES
from digit.pixels import EmptyImageError, to_mnist
from digit.settings import Settings

LOCAL_DEMO = "http://127.0.0.1:8080"  # where `make demo` serves the function
# The function limits pictures sent to it to 1 Mpx; files on disk are the user's own, so allow a 48 Mpx phone
# photo (which takes seconds and gigabytes to read).
MAX_PIXELS = 50_000_000
TIMEOUT_SECONDS = 90  # a first answer waits for a cold start, and a model load that retries a slow Cloud Storage
# The most bytes of picture a request may carry to a function with the default body limit: base64 takes 4 bytes
# for 3, and the JSON around it a few dozen.
MAX_SENT_BYTES = (Settings.max_body_bytes - 100) * 3 // 4


class Failure(Exception):
    """What went wrong, said for the person at the terminal."""


class FileFailure(Failure):
    """A file could not be read as a picture."""


class Refused(Failure):
    """The function refused the request with 400: `reason` is its own message."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"{url} answered 400: {reason}")
        self.reason = reason


def decoded(path: Path) -> tuple[bytes, np.ndarray]:
    """A picture file's bytes, and its pixels."""
    try:
        data = path.read_bytes()
        return data, picture_files.decode(data, MAX_PIXELS)
    except OSError as error:
        raise FileFailure(error.strerror) from error
    except picture_files.ImageError as error:
        raise FileFailure(str(error)) from error


def read_pixels(path: Path) -> list[int]:
    """A picture file → the pixel contract's 784 values."""
    try:
        return to_mnist(decoded(path)[1]).ravel().tolist()
    except EmptyImageError as error:
        raise FileFailure(str(error)) from error


def classify(url: str, pixels: list[list[int]]) -> list[tuple[int, float]]:
    """Each image's digit and its probability, asked MAX_IMAGES at a time: the function refuses more."""
    batches = [pixels[start : start + MAX_IMAGES] for start in range(0, len(pixels), MAX_IMAGES)]
    return [answer for batch in batches for answer in ask(url, batch)]


def ask(url: str, batch: list[list[int]]) -> list[tuple[int, float]]:
    """One request about the images in `batch`; anything but an answer of the Digit function's shape becomes a
    Failure that says what went wrong."""
    return post(url, {"image": batch[0]} if len(batch) == 1 else {"images": batch}, lambda a: readings(a, len(batch)))


def post(url: str, request_body: dict, read: Callable[[dict], list]) -> list:
    """POSTs `request_body` and gives the answer to `read`, which raises ValueError, KeyError, TypeError or
    IndexError for an answer of another shape than the Digit function's; every other outcome is a Failure."""
    request = urllib.request.Request(url, json.dumps(request_body).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return read(json.load(response))
    except urllib.error.HTTPError as error:
        if error.code == 400:
            raise Refused(url, server_message(error)) from error
        raise Failure(f"{url} answered {error.code}: {server_message(error)}") from error
    except OSError as error:  # refused, unknown host, timed out
        reason = getattr(error, "reason", error)
        raise Failure(
            f"cannot reach {url} ({reason}): start make demo, or give the function's URL with --url"
        ) from error
    except (ValueError, KeyError, TypeError, IndexError) as error:
        raise Failure(f"{url} did not answer as the Digit function does; is --url right?") from error


def readings(answer: dict, count: int) -> list[tuple[int, float]]:
    """Each image's digit and its probability, from the function's answer about `count` images; an answer of
    another shape raises ValueError, KeyError, TypeError or IndexError."""
    digits = [answer["prediction"]] if count == 1 else answer["predictions"]
    probabilities = [answer["probabilities"]] if count == 1 else answer["probabilities"]
    return paired(digits, probabilities, count)


def paired(digits: list, probabilities: list, count: int) -> list[tuple[int, float]]:
    """`count` digits, each with the probability given to it; ValueError or IndexError for anything else."""
    if len(digits) != count or not all(type(digit) is int and 0 <= digit <= 9 for digit in digits):
        raise ValueError(f"expected {count} digits, got {digits!r}")
    return [(digit, float(p[digit])) for digit, p in zip(digits, probabilities, strict=True)]


def number_readings(answer: dict) -> list[tuple[int, float]]:
    """Each digit of a number and its probability, from the function's answer in number mode; an answer of
    another shape raises ValueError, KeyError, TypeError or IndexError."""
    digits = [reading["prediction"] for reading in answer["digits"]]
    found = paired(digits, [reading["probabilities"] for reading in answer["digits"]], len(digits))
    if not digits or answer["number"] != "".join(map(str, digits)):
        raise ValueError(f"the number {answer['number']!r} is not its digits {digits!r}")
    return found


def sendable(path: Path) -> str:
    """A picture file as the function may take it, base64: as it is when it is within the function's limits,
    else shrunk to fit them (grey, which is all the pixel contract reads but for transparency)."""
    data, picture = decoded(path)
    height, width = picture.shape[:2]
    if height * width > picture_files.MAX_PIXELS or len(data) > MAX_SENT_BYTES:
        scale = min(1, math.sqrt(picture_files.MAX_PIXELS / (height * width)))
        image = Image.fromarray(picture).convert("LA" if picture.ndim == 3 and picture.shape[2] in (2, 4) else "L")
        image = image.resize((max(1, int(width * scale)), max(1, int(height * scale))), Image.BOX)
        buffer = io.BytesIO()
        image.save(buffer, "PNG" if image.mode == "LA" else "JPEG", quality=95)
        data = buffer.getvalue()
    return base64.b64encode(data).decode()


def read_numbers(url: str, paths: list[Path]) -> int:
    """Prints the number in each file, as the function reads it; the exit code."""
    failed = False
    for path in paths:
        try:
            picture = sendable(path)
            digits = post(url, {"png": picture, "number": True}, number_readings)
        except Refused as refusal:  # about this picture: no ink on it, or too many digits
            print(f"{path}: {refusal.reason.removeprefix('png: ')}", file=sys.stderr)
            failed = True
            continue
        except FileFailure as error:
            print(f"{path}: {error}", file=sys.stderr)
            failed = True
            continue
        except Failure as error:  # about the function: no use asking it about the other files
            print(error, file=sys.stderr)
            return 1
        number = "".join(str(digit) for digit, _ in digits)
        print(f"{path}: {number} ({', '.join(f'{digit}: {p * 100:.0f} %' for digit, p in digits)})")
    return 1 if failed else 0


def server_message(error: urllib.error.HTTPError) -> str:
    """The function's own message ({"error": "..."}), or the HTTP reason when something else answered."""
    try:
        return json.load(error)["error"]
    except (ValueError, KeyError, TypeError):
        return str(error.reason)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m client",
        description="Reads the digit (or with --number the number) in each picture (PNG or JPEG) with the Digit "
        "function.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--url", default=LOCAL_DEMO, help=f"the function's URL (default: make demo's, {LOCAL_DEMO})")
    parser.add_argument("--number", action="store_true", help="read each picture as a number of one or more digits")
    args = parser.parse_args(argv)
    return read_numbers(args.url, args.files) if args.number else read_digits(args.url, args.files)


def read_digits(url: str, paths: list[Path]) -> int:
    """Prints the digit in each file, the files' pixels sent together; the exit code."""
    readable: list[tuple[Path, list[int]]] = []
    for path in paths:
        try:
            readable.append((path, read_pixels(path)))
        except Failure as error:
            print(f"{path}: {error}", file=sys.stderr)
    if readable:
        try:
            answers = classify(url, [pixels for _, pixels in readable])
        except Failure as error:
            print(error, file=sys.stderr)
            return 1
        for (path, _), (digit, probability) in zip(readable, answers, strict=True):
            print(f"{path}: {digit} ({probability * 100:.1f} %)")
    return 0 if len(readable) == len(paths) else 1


if __name__ == "__main__":
    sys.exit(main())
