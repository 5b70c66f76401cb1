"""`python -m client FILE... [--url URL]`: which digit is in each picture?

Each file (PNG or JPEG, any size, dark-on-light or light-on-dark) becomes the pixel contract's 784 values
here, through the project's own `digit` package, and they go to the function 256 to a request (its limit).
Prints `FILE: DIGIT (PROBABILITY %)` for each; a file that cannot be read is named on stderr, the others are
still sent, and the exit code is then 1.
"""

import argparse
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

from digit import picture_files
from digit.payload import MAX_IMAGES
from digit.pixels import EmptyImageError, to_mnist

LOCAL_DEMO = "http://127.0.0.1:8080"  # where `make demo` serves the function
# The function limits pictures sent to it to 1 Mpx; files on disk are the user's own, so allow a 48 Mpx phone
# photo (which takes seconds and gigabytes to read).
MAX_PIXELS = 50_000_000
TIMEOUT_SECONDS = 90  # a first answer waits for a cold start, and a model load that retries a slow Cloud Storage


class Failure(Exception):
    """What went wrong, said for the person at the terminal."""


def read_pixels(path: Path) -> list[int]:
    """A picture file → the pixel contract's 784 values."""
    try:
        return to_mnist(picture_files.decode(path.read_bytes(), MAX_PIXELS)).ravel().tolist()
    except OSError as error:
        raise Failure(error.strerror) from error
    except (picture_files.ImageError, EmptyImageError) as error:
        raise Failure(str(error)) from error


def classify(url: str, pixels: list[list[int]]) -> list[tuple[int, float]]:
    """Each image's digit and its probability, asked MAX_IMAGES at a time: the function refuses more."""
    batches = [pixels[start : start + MAX_IMAGES] for start in range(0, len(pixels), MAX_IMAGES)]
    return [answer for batch in batches for answer in ask(url, batch)]


def ask(url: str, batch: list[list[int]]) -> list[tuple[int, float]]:
    """One request about the images in `batch`; anything but an answer of the Digit function's shape becomes a
    Failure that says what went wrong."""
    body = json.dumps({"image": batch[0]} if len(batch) == 1 else {"images": batch}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return readings(json.load(response), len(batch))
    except urllib.error.HTTPError as error:
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
    if len(digits) != count or not all(type(digit) is int and 0 <= digit <= 9 for digit in digits):
        raise ValueError(f"expected {count} digits, got {digits!r}")
    return [(digit, float(p[digit])) for digit, p in zip(digits, probabilities, strict=True)]


def server_message(error: urllib.error.HTTPError) -> str:
    """The function's own message ({"error": "..."}), or the HTTP reason when something else answered."""
    try:
        return json.load(error)["error"]
    except (ValueError, KeyError, TypeError):
        return str(error.reason)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m client", description="Reads the digit in each picture (PNG or JPEG) with the Digit function."
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--url", default=LOCAL_DEMO, help=f"the function's URL (default: make demo's, {LOCAL_DEMO})")
    args = parser.parse_args(argv)

    readable: list[tuple[Path, list[int]]] = []
    for path in args.files:
        try:
            readable.append((path, read_pixels(path)))
        except Failure as error:
            print(f"{path}: {error}", file=sys.stderr)
    if readable:
        try:
            answers = classify(args.url, [pixels for _, pixels in readable])
        except Failure as error:
            print(error, file=sys.stderr)
            return 1
        for (path, _), (digit, probability) in zip(readable, answers, strict=True):
            print(f"{path}: {digit} ({probability * 100:.1f} %)")
    return 0 if len(readable) == len(args.files) else 1


if __name__ == "__main__":
    sys.exit(main())
