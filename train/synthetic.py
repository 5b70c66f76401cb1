"""Training digits made here, for the writing MNIST lacks: low-resolution scans, digits in handwriting fonts,
the continental styles (a 1 with a flag and a foot, a crossed 7, an open 4, a 9 with a straight stem), and the
habits of a pen: strokes that end in a hook, a serif or a curl, and small loops where a stroke turns.
Every picture goes through the pixel contract, as anything the function reads does.

Nothing here comes from another handwriting dataset: those are for evaluation only.
"""

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from digit.pixels import SIZE, EmptyImageError, resize, to_mnist
from train.data import Dataset
from train.drawing import CANVAS, Stroke, contract, distorted, drawn, ellipse
from train.habits import HABIT_COPIES, habit_digits

FONT_FOLDERS = [Path("/usr/share/fonts/truetype"), Path("/usr/share/fonts/opentype")]
# Debian's handwriting fonts (the Makefile installs them), by file name: their digits are other people's hands.
HANDWRITING = (
    "dkg", "Breip", "breipfont", "BecauseWe", "femkeklaver", "Humor-Sans", "ComicNeue", "DancingScript",
)  # fmt: skip
# Fonts held out of training, to measure on (train/proxies.py): whole families, and two of the six hands of
# "Because We".
HELD_OUT_FONTS = ("BecauseWeMentor", "BecauseWeOrganize", "Humor-Sans", "femkeklaver")
RESAMPLES = (Image.NEAREST, Image.BILINEAR, Image.BICUBIC)


def handwriting_fonts(held_out: bool = False) -> list[Path]:
    """The handwriting fonts installed to train on (or, `held_out`, those kept to measure on), in name order."""
    found = [path for folder in FONT_FOLDERS if folder.is_dir() for path in folder.rglob("*") if path.is_file()]
    fonts = [path for path in found if path.suffix in (".ttf", ".otf") and path.name.startswith(HANDWRITING)]
    return sorted(path for path in fonts if path.name.startswith(HELD_OUT_FONTS) == held_out)


# What may be added to MNIST: a low-resolution copy of each training digit; pictures of each digit in each
# training font (FONT_COPIES), and as outlines (HOLLOW_COPIES), drawings in each of the STYLES (STYLE_COPIES)
# and drawings of each digit with the writing habits (HABIT_COPIES); or all of these, the low-resolution copies
# then of the pictures and drawings too.
KINDS = ("all", "low-resolution", "styles", "none")
FONT_COPIES = 4
HOLLOW_COPIES = 8
STYLE_COPIES = 60
LOW_RESOLUTION_SIDES = (7, 16)


def extend(data: Dataset, kind: str, seed: int) -> None:
    """Adds the synthetic digits of `kind` (one of KINDS) to data's training part, never to its test part, and
    says what was added in its description."""
    rng = np.random.default_rng(seed)
    fonts = handwriting_fonts() if kind in ("all", "styles") else []
    if kind in ("all", "styles") and not fonts:
        print("no handwriting fonts found (make tools installs them): training without font digits")
    solid, hollow = font_digits(fonts, FONT_COPIES, rng), font_digits(fonts, HOLLOW_COPIES, rng, hollow=True)
    in_fonts = np.concatenate([solid[0], hollow[0]]), np.concatenate([solid[1], hollow[1]])
    styled = styled_digits(STYLE_COPIES if kind in ("all", "styles") else 0, rng)
    habits = habit_digits(HABIT_COPIES if kind in ("all", "styles") else 0, rng)
    x_made = np.concatenate([in_fonts[0], styled[0], habits[0]])
    y_made = np.concatenate([in_fonts[1], styled[1], habits[1]])
    data.x_train, data.y_train = np.concatenate([data.x_train, x_made]), np.concatenate([data.y_train, y_made])
    low = 0
    if kind in ("all", "low-resolution"):
        sides = LOW_RESOLUTION_SIDES
        data.x_train = np.concatenate([data.x_train, low_resolution_copies(data.x_train, rng, sides)])
        data.y_train = np.concatenate([data.y_train, data.y_train])
        low = len(data.x_train) // 2
    data.description["train_images"] = len(data.x_train)
    data.description["synthetic"] = {
        "kind": kind,
        "fonts": [path.name for path in fonts],
        "font_digits": len(in_fonts[0]),
        "styled_digits": len(styled[0]),
        "habit_digits": len(habits[0]),
        "low_resolution_copies": low,
    }


def low_resolution(image: np.ndarray, side: int, resample: int, stretch: bool = False) -> np.ndarray:
    """A digit as a small, coarse scan blown up again: its ink's box made square (padded, or with `stretch`
    stretched to fill it, as scanners that normalise size did, which makes a 1 nearly as wide as it is tall),
    area-averaged down to side x side, quantised to 17 grey levels (as 4x4 blocks of a 32x32 bitmap count
    their black pixels), enlarged to 28x28 with `resample`, and read through the contract. Its strokes come out
    thick and blurred."""
    rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
    crop = image[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1].astype(np.float64)
    square = max(crop.shape)
    if stretch:
        padded = resize(crop, square, square)
    else:
        padded = np.zeros((square, square))
        top, left = (square - crop.shape[0]) // 2, (square - crop.shape[1]) // 2
        padded[top : top + crop.shape[0], left : left + crop.shape[1]] = crop
    small = np.round(resize(padded, side, side) / 255 * 16) * (255 / 16)
    enlarged = Image.fromarray(small.astype(np.uint8)).resize((SIZE, SIZE), resample)
    return to_mnist(np.asarray(enlarged))


def low_resolution_copies(images: np.ndarray, rng: np.random.Generator, sides: tuple[int, int]) -> np.ndarray:
    """A low-resolution copy of each image, each at a side drawn from `sides` (inclusive), with a resample
    drawn from RESAMPLES, stretched or not at even odds. An upright bar, stretched, fills its square and leaves
    no stroke to see: it is copied unstretched; a thin outline that a coarse scan averages away, as it is."""
    copies = []
    for image in images:
        side, resample = int(rng.integers(sides[0], sides[1] + 1)), RESAMPLES[rng.integers(len(RESAMPLES))]
        for stretch in (bool(rng.integers(2)), False, None):
            try:
                copies.append(image if stretch is None else low_resolution(image, side, resample, stretch))
                break
            except EmptyImageError:
                continue
    return np.stack(copies)


def font_digits(
    fonts: list[Path], per_digit: int, rng: np.random.Generator, hollow: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """`per_digit` pictures of each digit in each font, each turned, slanted, thickened or thinned at random;
    `hollow`, each drawn as its outline, traced once or twice a little apart, as people draw bubble letters
    and as sketched fonts are."""
    images, labels = [], []
    for path in fonts:
        for digit in range(10):
            for _ in range(per_digit):
                font = ImageFont.truetype(str(path), int(rng.integers(60, 90)))
                canvas = np.zeros((CANVAS, CANVAS), dtype=np.uint8)
                for _ in range(int(rng.integers(1, 3)) if hollow else 1):
                    shift = rng.uniform(-2, 2, size=2) if hollow else np.zeros(2)
                    canvas = np.maximum(canvas, font_glyph(font, digit, shift, hollow, rng))
                image = contract(distorted(Image.fromarray(canvas), rng))
                if image is not None:
                    images.append(image)
                    labels.append(digit)
    return np.array(images, dtype=np.uint8).reshape(-1, SIZE, SIZE), np.array(labels, dtype=np.int64)


def font_glyph(
    font: ImageFont.FreeTypeFont, digit: int, shift: np.ndarray, hollow: bool, rng: np.random.Generator
) -> np.ndarray:
    """A digit in `font`, white on black in the middle of the canvas moved by `shift` pixels, its strokes widened
    by 0 to 2 pixels; or, `hollow`, its outline alone, 1 to 4 pixels wide (the glyph drawn black over its own
    widened strokes)."""
    canvas = Image.new("L", (CANVAS, CANVAS), 0)
    x, y = CANVAS / 2 + shift
    stroke = int(rng.integers(1, 5)) if hollow else int(rng.integers(0, 3))
    ImageDraw.Draw(canvas).text(
        (x, y), str(digit), fill=0 if hollow else 255, font=font, anchor="mm", stroke_width=stroke, stroke_fill=255
    )
    return np.asarray(canvas)


# The styles MNIST's writers rarely used, each a function of a random generator that gives the strokes of one
# drawing, its points shifted a little each time.
STYLES: dict[str, tuple[int, Callable[[], list[Stroke]]]] = {
    "1 with flag and foot": (1, lambda: [[(0.32, 0.34), (0.55, 0.1), (0.55, 0.9)], [(0.35, 0.9), (0.75, 0.9)]]),
    "1 with a long flag": (1, lambda: [[(0.25, 0.42), (0.58, 0.1), (0.58, 0.9)]]),
    "crossed 7": (7, lambda: [[(0.22, 0.14), (0.8, 0.14), (0.42, 0.9)], [(0.36, 0.52), (0.74, 0.5)]]),
    "7 with a hook": (7, lambda: [[(0.2, 0.26), (0.25, 0.14), (0.8, 0.14), (0.45, 0.9)]]),
    "open 4": (4, lambda: [[(0.5, 0.1), (0.22, 0.62), (0.82, 0.62)], [(0.66, 0.3), (0.66, 0.92)]]),
    "9 with a straight stem": (9, lambda: [ellipse(0.44, 0.3, 0.2, 0.2, 0, 1), [(0.64, 0.3), (0.64, 0.92)]]),
    "9 with a small loop": (9, lambda: [ellipse(0.5, 0.24, 0.15, 0.14, 0, 1), [(0.65, 0.24), (0.58, 0.92)]]),
    "9 with an open loop": (9, lambda: [ellipse(0.45, 0.3, 0.2, 0.19, 0.05, 0.8) + [(0.65, 0.3), (0.63, 0.92)]]),
    "9 with a curved tail": (
        9,
        lambda: [ellipse(0.45, 0.28, 0.19, 0.18, 0, 1), [(0.64, 0.28), (0.63, 0.75), (0.5, 0.9), (0.33, 0.84)]],
    ),
    "4 closed at the top": (4, lambda: [[(0.6, 0.1), (0.2, 0.62), (0.84, 0.62)], [(0.6, 0.1), (0.6, 0.92)]]),
    # As printed 6s are: the top arcs over and ends turned down at the right.
    "6 with its top turned down": (
        6,
        lambda: [ellipse(0.52, 0.4, 0.22, 0.28, 0.06, 0.44) + ellipse(0.5, 0.68, 0.21, 0.2, 0.5, 1)],
    ),
    # As a handwritten g: the tail curls back to the left under the loop.
    "9 with a tail like a g": (
        9,
        lambda: [ellipse(0.47, 0.28, 0.19, 0.18, 0, 1) + ellipse(0.46, 0.66, 0.2, 0.22, 0, -0.45)],
    ),
}


def styled_digits(per_style: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """`per_style` drawings in each of STYLES: the points moved a little, the line of a random width, slanted."""
    drawings = [(digit, strokes_of()) for digit, strokes_of in STYLES.values() for _ in range(per_style)]
    return drawn(drawings, rng, jitter=0.025)
