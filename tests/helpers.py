"""What several test files send or expect: the README's digit, the page's text form, the messages for a body
that is not a request, a folder's files, and the width of a digit's strokes."""

from itertools import groupby
from pathlib import Path

import numpy as np

from digit.payload import EXAMPLE
from digit.pixels import SIZE
from examples import one

# The README's example: a "1", one vertical stroke in column 14, rows 4 to 23 (examples/one.py).
ONE = np.array(one.PIXELS, dtype=np.uint8).reshape(SIZE, SIZE)
ONE.flags.writeable = False  # shared by every test: none may change it for the others

EMPTY = f"the request body is empty; send a JSON object such as {EXAMPLE}"
NOT_JSON = "the request body is not valid JSON"


def csv(values: object, separator: str = ",") -> str:
    """Whole pixel values as the page sends them: one string, comma-separated, row after row."""
    return separator.join(str(int(value)) for value in np.ravel(values))


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file below `folder`, by its path there, with its content: what a staged or published page holds."""
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def stroke_width(pixels: object) -> float:
    """The median length of the runs of ink (above half strength) along the rows and the columns of a 28x28
    image: the width of its strokes, give or take the runs along a stroke."""
    ink = np.asarray(pixels).reshape(28, 28) > 127
    runs = [len(list(run)) for line in [*ink, *ink.T] for is_ink, run in groupby(line) if is_ink]
    return float(np.median(runs))
