"""Training digits made here, for the writing MNIST lacks: low-resolution scans, digits in handwriting fonts,
the continental styles (a 1 with a flag and a foot, a crossed 7, an open 4, a 9 with a straight stem), and the
habits of a pen: strokes that end in a hook, a serif or a curl, and small loops where a stroke turns.
Every picture goes through the pixel contract, as anything the function reads does.

Nothing here comes from another handwriting dataset: those are for evaluation only.
"""

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from digit.pixels import SIZE, EmptyImageError, resize, to_mnist
from train.data import Dataset

FONT_FOLDERS = [Path("/usr/share/fonts/truetype"), Path("/usr/share/fonts/opentype")]
# Debian's handwriting fonts (the Makefile installs them), by file name: their digits are other people's hands.
HANDWRITING = (
    "dkg", "Breip", "breipfont", "BecauseWe", "femkeklaver", "Humor-Sans", "ComicNeue", "DancingScript",
)  # fmt: skip
# Fonts held out of training, to measure on (train/proxies.py): whole families, and two of the six hands of
# "Because We".
HELD_OUT_FONTS = ("BecauseWeMentor", "BecauseWeOrganize", "Humor-Sans", "femkeklaver")
CANVAS = 112  # pixels: the side of the picture a synthetic digit is drawn in before the contract
RESAMPLES = (Image.NEAREST, Image.BILINEAR, Image.BICUBIC)

Stroke = list[tuple[float, float]]  # points in fractions of the canvas, (0, 0) its top left corner


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
HOLLOW_COPIES = 4
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
                image = _contract(_distorted(Image.fromarray(canvas), rng))
                if image is not None:
                    images.append(image)
                    labels.append(digit)
    return np.array(images, dtype=np.uint8).reshape(-1, SIZE, SIZE), np.array(labels, dtype=np.int64)


def font_glyph(
    font: ImageFont.FreeTypeFont, digit: int, shift: np.ndarray, hollow: bool, rng: np.random.Generator
) -> np.ndarray:
    """A digit in `font`, white on black in the middle of the canvas moved by `shift` pixels, its strokes widened
    by 0 to 2 pixels; or, `hollow`, its outline alone, 2 to 4 pixels wide (the glyph drawn black over its own
    widened strokes)."""
    canvas = Image.new("L", (CANVAS, CANVAS), 0)
    x, y = CANVAS / 2 + shift
    stroke = int(rng.integers(2, 5)) if hollow else int(rng.integers(0, 3))
    ImageDraw.Draw(canvas).text(
        (x, y), str(digit), fill=0 if hollow else 255, font=font, anchor="mm", stroke_width=stroke, stroke_fill=255
    )
    return np.asarray(canvas)


def _ellipse(cx: float, cy: float, rx: float, ry: float, start: float = 0.0, turn: float = 1.0) -> Stroke:
    """Points on an ellipse from angle `start` (in turns, 0 at the right, anticlockwise) for `turn` turns."""
    angles = 2 * np.pi * (start + turn * np.linspace(0, 1, 25))
    return [(cx + rx * np.cos(a), cy - ry * np.sin(a)) for a in angles]


# The styles MNIST's writers rarely used, each a function of a random generator that gives the strokes of one
# drawing, its points shifted a little each time.
STYLES: dict[str, tuple[int, Callable[[], list[Stroke]]]] = {
    "1 with flag and foot": (1, lambda: [[(0.32, 0.34), (0.55, 0.1), (0.55, 0.9)], [(0.35, 0.9), (0.75, 0.9)]]),
    "1 with a long flag": (1, lambda: [[(0.25, 0.42), (0.58, 0.1), (0.58, 0.9)]]),
    "crossed 7": (7, lambda: [[(0.22, 0.14), (0.8, 0.14), (0.42, 0.9)], [(0.36, 0.52), (0.74, 0.5)]]),
    "7 with a hook": (7, lambda: [[(0.2, 0.26), (0.25, 0.14), (0.8, 0.14), (0.45, 0.9)]]),
    "open 4": (4, lambda: [[(0.5, 0.1), (0.22, 0.62), (0.82, 0.62)], [(0.66, 0.3), (0.66, 0.92)]]),
    "9 with a straight stem": (9, lambda: [_ellipse(0.44, 0.3, 0.2, 0.2, 0, 1), [(0.64, 0.3), (0.64, 0.92)]]),
    "9 with a small loop": (9, lambda: [_ellipse(0.5, 0.24, 0.15, 0.14, 0, 1), [(0.65, 0.24), (0.58, 0.92)]]),
    "9 with an open loop": (9, lambda: [_ellipse(0.45, 0.3, 0.2, 0.19, 0.05, 0.8) + [(0.65, 0.3), (0.63, 0.92)]]),
    "9 with a curved tail": (
        9,
        lambda: [_ellipse(0.45, 0.28, 0.19, 0.18, 0, 1), [(0.64, 0.28), (0.63, 0.75), (0.5, 0.9), (0.33, 0.84)]],
    ),
    "4 closed at the top": (4, lambda: [[(0.6, 0.1), (0.2, 0.62), (0.84, 0.62)], [(0.6, 0.1), (0.6, 0.92)]]),
    # As printed 6s are: the top arcs over and ends turned down at the right.
    "6 with its top turned down": (
        6,
        lambda: [_ellipse(0.52, 0.4, 0.22, 0.28, 0.06, 0.44) + _ellipse(0.5, 0.68, 0.21, 0.2, 0.5, 1)],
    ),
    # As a handwritten g: the tail curls back to the left under the loop.
    "9 with a tail like a g": (
        9,
        lambda: [_ellipse(0.47, 0.28, 0.19, 0.18, 0, 1) + _ellipse(0.46, 0.66, 0.2, 0.22, 0, -0.45)],
    ),
}


def styled_digits(per_style: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """`per_style` drawings in each of STYLES: the points moved a little, the line of a random width, slanted."""
    drawings = [(digit, strokes_of()) for digit, strokes_of in STYLES.values() for _ in range(per_style)]
    return _drawn(drawings, rng, jitter=0.025)


# Plain digits as a pen draws them, stroke by stroke, for the habits below to be added to.
PLAIN: dict[int, Callable[[], list[Stroke]]] = {
    0: lambda: [_ellipse(0.5, 0.5, 0.26, 0.38, 0.25, 1)],
    1: lambda: [[(0.52, 0.12), (0.5, 0.88)]],
    2: lambda: [_ellipse(0.5, 0.32, 0.24, 0.2, 0.55, -0.6) + [(0.24, 0.86), (0.78, 0.86)]],
    3: lambda: [_ellipse(0.48, 0.3, 0.22, 0.18, 0.45, -0.7) + _ellipse(0.48, 0.68, 0.25, 0.2, 0.25, -0.75)],
    4: lambda: [[(0.52, 0.12), (0.24, 0.62), (0.8, 0.62)], [(0.64, 0.3), (0.64, 0.88)]],
    5: lambda: [[(0.74, 0.14), (0.34, 0.14), (0.3, 0.46)] + _ellipse(0.48, 0.64, 0.24, 0.22, 0.4, -0.85)],
    6: lambda: [[(0.62, 0.12), (0.42, 0.34), (0.3, 0.62)] + _ellipse(0.5, 0.66, 0.2, 0.2, 0.5, 1)],
    7: lambda: [[(0.22, 0.14), (0.78, 0.14), (0.46, 0.88)]],
    8: lambda: [_ellipse(0.5, 0.3, 0.18, 0.17, 0.25, 1) + _ellipse(0.5, 0.68, 0.22, 0.2, 0.25, -1)],
    9: lambda: [_ellipse(0.48, 0.3, 0.19, 0.18, 0, 1) + [(0.66, 0.52), (0.62, 0.88)]],
}
# Where people end a stroke with a hook, a serif or a curl, as (stroke, end): 0 its start, -1 its end.
STROKE_ENDS: dict[int, tuple[tuple[int, int], ...]] = {
    1: ((0, 0), (0, -1)),  # the top of a 1, and its foot
    2: ((0, 0), (0, -1)),  # the start of a 2
    3: ((0, 0), (0, -1)),  # the start of a 3, and its end
    4: ((0, 0), (1, 0), (1, -1), (0, -1)),  # the ends of a 4
    5: ((0, 0), (0, -1)),
    6: ((0, 0),),  # the top of a 6
    7: ((0, 0), (0, -1)),  # the start of a 7, and its foot
    9: ((0, -1),),  # the tail of a 9
}
# Where a stroke turns sharply, some writers leave a small loop, as (stroke, index of the point).
TURNS: dict[int, tuple[tuple[int, int], ...]] = {2: ((0, 25),), 4: ((0, 1),), 7: ((0, 1),)}
HABITS = ("hook", "serif", "curl")
HABIT_COPIES = 60  # drawings of each digit with the writing habits


def habit_digits(per_digit: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """`per_digit` drawings of each digit with the habits MNIST's writers rarely show: at each place a pen
    ends a stroke (STROKE_ENDS), at even odds, a small hook, serif or curl, of random size and direction;
    at each sharp turn (TURNS), at one in three, a small loop. A 0 and an 8 are drawn plain, as their strokes
    end inside the digit."""
    drawings = []
    for digit, strokes_of in PLAIN.items():
        for _ in range(per_digit):
            strokes = strokes_of()
            extra = []
            for index, point in TURNS.get(digit, ()):
                if rng.random() < 1 / 3:
                    strokes[index] = _looped(strokes[index], point, rng)
            for index, end in STROKE_ENDS.get(digit, ()):
                if rng.random() < 0.5:
                    strokes[index], added = _finished(strokes[index], end, HABITS[rng.integers(len(HABITS))], rng)
                    extra += added
            drawings.append((digit, strokes + extra))
    return _drawn(drawings, rng, jitter=0.01)  # less than the styles': a curl's points are close together


def _finished(stroke: Stroke, end: int, habit: str, rng: np.random.Generator) -> tuple[Stroke, list[Stroke]]:
    """The stroke with a habit at one end (its start when `end` is 0), and any stroke the habit adds apart.
    The habit is small beside the digit, 6 to 24 % of the canvas (the digit's height is about 80 %): as a pen
    makes them, and as large as those that MNIST's habits had the model read as another digit (a 6 whose top
    curls into a loop read as an 8)."""
    points = stroke if end == -1 else stroke[::-1]
    (x0, y0), (x1, y1) = points[-2], points[-1]
    length = np.hypot(x1 - x0, y1 - y0) or 1.0
    ahead = np.array([(x1 - x0) / length, (y1 - y0) / length])  # the pen's direction as it reaches the end
    side = np.array([-ahead[1], ahead[0]]) * rng.choice([-1, 1])
    size = rng.uniform(0.06, 0.24)
    tip = np.array([x1, y1])
    if habit == "hook":  # the pen turns back as it lifts
        turned = tip + size * (0.6 * side - 0.8 * ahead)
        added, finished = [], [*points, tuple(tip + size * 0.3 * (ahead + side)), tuple(turned)]
    elif habit == "serif":  # a short stroke across the end
        added, finished = [[tuple(tip - size * side), tuple(tip + size * side)]], list(points)
    else:  # a curl: the stroke goes on in a small arc that turns back on itself
        radius = size / 2
        centre = tip + radius * side
        start = np.arctan2(*(tip - centre)[::-1])
        clockwise = ahead[0] * side[1] - ahead[1] * side[0]  # ±1: which way the arc turns to start along `ahead`
        turns = np.linspace(0, rng.uniform(0.6, 0.9) * 2 * np.pi, 10) * clockwise
        arc = [tuple(centre + radius * np.array([np.cos(start + a), np.sin(start + a)])) for a in turns[1:]]
        added, finished = [], [*points, *arc]
    return (finished if end == -1 else finished[::-1]), added


def _looped(stroke: Stroke, point: int, rng: np.random.Generator) -> Stroke:
    """The stroke with a small loop where it turns at `point`: 4 to 8 % of the canvas across."""
    x, y = stroke[point]
    radius = rng.uniform(0.02, 0.04)
    angles = np.linspace(0, 2 * np.pi, 12)
    loop = [(x + radius * (np.cos(a) - 1), y + radius * np.sin(a)) for a in angles]
    return [*stroke[:point], *loop, *stroke[point + 1 :]]


def _drawn(
    drawings: list[tuple[int, list[Stroke]]], rng: np.random.Generator, jitter: float
) -> tuple[np.ndarray, np.ndarray]:
    """Each (digit, strokes) drawn: each point moved by `jitter` (a standard deviation, in canvas sides), the
    line of a random width with round ends, distorted, and read through the contract."""
    images, labels = [], []
    for digit, strokes in drawings:
        canvas = Image.new("L", (CANVAS, CANVAS), 0)
        draw = ImageDraw.Draw(canvas)
        width = int(rng.uniform(0.06, 0.15) * CANVAS)
        for stroke in strokes:
            points = [(CANVAS * (x + rng.normal(0, jitter)), CANVAS * (y + rng.normal(0, jitter))) for x, y in stroke]
            draw.line(points, fill=255, width=width, joint="curve")
            for x, y in (points[0], points[-1]):  # round ends
                draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=255)
        image = _contract(_distorted(canvas, rng))
        if image is not None:
            images.append(image)
            labels.append(digit)
    return np.array(images, dtype=np.uint8).reshape(-1, SIZE, SIZE), np.array(labels, dtype=np.int64)


def _distorted(canvas: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Turned by up to 12 degrees, slanted by up to 0.3, and its strokes thickened or thinned."""
    slant = rng.uniform(-0.3, 0.3)
    canvas = canvas.transform(canvas.size, Image.AFFINE, (1, slant, -slant * CANVAS / 2, 0, 1, 0), Image.BILINEAR)
    canvas = canvas.rotate(rng.uniform(-12, 12), Image.BILINEAR)
    change = int(rng.integers(-1, 3))  # -1: thinner, 0: as drawn, 1 or 2: thicker
    if change:
        size = 2 * abs(change) + 1
        canvas = canvas.filter(ImageFilter.MaxFilter(size) if change > 0 else ImageFilter.MinFilter(size))
    return canvas


def _contract(canvas: Image.Image) -> np.ndarray | None:
    try:
        return to_mnist(np.asarray(canvas))
    except EmptyImageError:  # thinned away
        return None
