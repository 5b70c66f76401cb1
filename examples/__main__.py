"""`python -m examples` (from the full environment, .venv/): writes the pictures in examples/ that the README
and the docs send to the function. They are made from held-out MNIST digits, the 1,000 that the committed
weights' training never saw (train/data.py's split, with their seed): nothing is downloaded, and every run
writes the same bytes.

- seven.png: a 7, dark ink on light paper, three times its size;
- year.png: the year 1984, four digits side by side, for the function's number mode (and client --number);
- photo.jpg: a 3 on a sheet of paper as a phone photographs it, in colour: grain, a slight tilt, a soft focus,
  saved as a JPEG.
"""

import io
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from checkout import WEIGHTS
from digit.artefact import METADATA_FILE
from train.data import split_of

FOLDER = Path(__file__).parent
SCALE = 3  # MNIST's 28 pixels become 84, about the size of a digit written on a phone's screen
YEAR = "1984"


def first(images: np.ndarray, labels: np.ndarray, digit: int) -> np.ndarray:
    """The first held-out picture of `digit`, as light ink on black (MNIST's own form)."""
    return images[np.flatnonzero(labels == digit)[0]]


def on_paper(ink: np.ndarray) -> Image.Image:
    """MNIST's light ink on black, as dark ink on white paper, SCALE times larger."""
    picture = Image.fromarray(255 - ink.astype(np.uint8))
    return picture.resize((picture.width * SCALE, picture.height * SCALE), Image.BICUBIC)


def photographed(ink: np.ndarray) -> Image.Image:
    """A digit written on a page, as a phone photographs it: warm grey paper, grain, a tilt, a soft focus. The
    light is even: the pixel contract takes the dark side of a page lit from one side for ink."""
    rng = np.random.default_rng(0)
    digit = Image.fromarray(ink.astype(np.uint8)).resize((300, 300), Image.BICUBIC).rotate(-6, Image.BICUBIC)
    ink_share = np.zeros((480, 640))
    ink_share[90:390, 170:470] = np.asarray(digit) / 255
    paper = 225 + rng.normal(0, 4, ink_share.shape)
    pen = 50 + rng.normal(0, 4, ink_share.shape)
    page = paper * (1 - ink_share) + pen * ink_share
    picture = Image.fromarray(np.clip(page, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(1.2))
    shade = np.asarray(picture, dtype=np.float64)
    return Image.fromarray(np.stack([shade, shade * 0.96, shade * 0.88], axis=-1).astype(np.uint8))  # in colour


def encoded(picture: Image.Image, kind: str) -> bytes:
    out = io.BytesIO()
    picture.save(out, kind, **({"quality": 80} if kind == "JPEG" else {"optimize": True}))
    return out.getvalue()


def pictures(images: np.ndarray, labels: np.ndarray) -> dict[str, bytes]:
    """The example files, by name, from held-out digits and their labels."""
    year = np.hstack([first(images, labels, int(digit)) for digit in YEAR])
    return {
        "seven.png": encoded(on_paper(first(images, labels, 7)), "PNG"),
        "year.png": encoded(on_paper(year), "PNG"),
        "photo.jpg": encoded(photographed(first(images, labels, 3)), "JPEG"),
    }


def main() -> int:
    data = split_of(json.loads((WEIGHTS / METADATA_FILE).read_text()))
    for name, content in pictures(data.x_test, data.y_test).items():
        (FOLDER / name).write_bytes(content)
        print(f"{FOLDER / name}: {len(content):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
