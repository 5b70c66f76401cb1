"""Candidate cuts of a number whose digits touch, part of the pixel contract (digit/pixels.py, digit/split.py).

The split (digit/split.py) is the first cut of the ink: marks that do not touch. Digits that touch stay one
mark, so a split digit wider than a digit of its height may hold several: it is cut further, at candidate
points, into more pieces than it can hold digits. The candidate points are where touching strokes meet: the
columns where the ink is thinnest (local minima of its column profile, a little smoothed), and the valleys of
its outline, where its top edge dips or its bottom edge rises between two digits. Every run of consecutive
pieces that could be one digit (no wider than MAX_SPAN of the height) becomes a candidate, a 28x28 field made by
steps 3-4 of the contract as any digit is; the reading (digit/reading.py) chooses among them the cuts whose
digits the model reads best together, as the check readers of the 1990s did (LeCun, Bottou, Bengio and
Haffner, 1998: heuristic over-segmentation and recognition-based search).
"""

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from digit.pixels import place, round_half_up, stretch
from digit.split import digits_alone, label_digits

# Shares of a split digit's height: one wider than CUT_WIDTH is cut further; a candidate is at most MAX_SPAN wide;
# candidate points are at least MIN_PIECE apart, and from the ends. MNIST's digits are 0.45 (a 1) to 0.95 (a 2,
# a 5) as wide as they are tall, at the median, and few are wider than 1.4 (digit/reading.py's WIDTHS).
CUT_WIDTH = 0.65
MAX_SPAN = 1.5
MIN_PIECE = 0.1
# Columns per row: a number leans as its writer's hand (train/numbers.py's SLANT is 0.25); a larger slope is
# more likely a digit's own stroke (a 7's) than a hand's lean.
MAX_SLANT = 0.35
LEANS = 15  # leans tried, MAX_SLANT either way: 0.05 apart


@dataclass(frozen=True)
class Piece:
    """A candidate digit's ink, cut from the picture: a run of consecutive pieces of a split digit."""

    group: int  # which split digit, from the left
    first: int  # its first piece
    last: int  # one past its last piece
    top: int  # where its ink lies in the picture (its row and column)
    left: int
    ink: np.ndarray  # the split digit's ink in those columns, all rows of the split digit
    width: float  # as a share of the split digit's height


@dataclass(frozen=True)
class Candidates:
    """Every candidate digit of a picture of a number, in one batch for the model."""

    fields: np.ndarray  # (M, 28, 28) uint8: each candidate's field
    spans: list[tuple[int, int, int]]  # each field's (split digit, first piece, one past its last piece)
    widths: list[float]  # each field's width, as a share of its split digit's height
    pieces: list[int]  # how many pieces each split digit was cut into


def candidates(ink: np.ndarray, most_digits: int | None = None, most_fields: int | None = None) -> Candidates:
    """Clean ink of a number → its candidate digits, split digit by split digit, left to right, each placed in
    its field as soon as it is cut: at most `most_fields` of them (one batch, as a request may send). More than
    `most_digits` split digits are refused as the split refuses them (TooManyDigitsError)."""
    labels, boxes, points, lean = plan(ink, most_digits, most_fields)
    fields, spans, widths = [], [], []
    for piece in pieces(ink, labels, boxes, points, lean):
        fields.append(place(stretch(piece.ink)))
        spans.append((piece.group, piece.first, piece.last))
        widths.append(piece.width)
    return Candidates(np.stack(fields), spans, widths, [len(found) + 1 for found in points])


def plan(
    ink: np.ndarray, most_digits: int | None = None, most_fields: int | None = None
) -> tuple[np.ndarray, list[list[int]], list[list[int]], float]:
    """Clean ink of a number → its split (label_digits' labels and boxes), where each split digit is cut (in its
    upright columns), with no more than `most_fields` candidates in all, and how far the number leans."""
    labels, boxes = label_digits(ink, most_digits)
    lean = slant(ink)
    points, shapes = [], []
    for group in digits_alone(ink, labels, boxes):
        columns = upright_columns(group, lean)
        points.append(cut_points(group, columns))
        shapes.append((group.shape[0], int(columns[group > 0].max()) + 1))

    def count(group: int) -> int:
        return len(runs(*shapes[group], points[group]))

    while most_fields is not None and any(points) and sum(map(count, range(len(points)))) > most_fields:
        most = max(range(len(points)), key=count)
        points[most] = points[most][:-1]  # the weakest point of the split digit with the most candidates
    return labels, boxes, points, lean


def pieces(
    ink: np.ndarray, labels: np.ndarray, boxes: list[list[int]], points: list[list[int]], lean: float
) -> Iterator[Piece]:
    """Each candidate's ink, split digit by split digit, left to right, as `plan` cuts them: the cuts follow
    the number's lean, so that a slanted digit's top is not cut off and given to its neighbour."""
    groups = zip(digits_alone(ink, labels, boxes), points, boxes, strict=True)
    for index, (group, found, (top, _, left, _)) in enumerate(groups):
        height = group.shape[0]
        columns = upright_columns(group, lean)
        width = int(columns[group > 0].max()) + 1
        edges = [0, *sorted(found), width]
        owner = np.searchsorted(edges, columns, side="right") - 1  # each pixel's piece
        for first, last in runs(height, width, found):
            piece = np.where((owner >= first) & (owner < last), group, 0)
            inked = np.flatnonzero(piece.any(axis=0))
            if inked.size:
                start, end = int(inked[0]), int(inked[-1]) + 1
                upright = columns[piece > 0]
                span = int(upright.max() - upright.min()) + 1
                yield Piece(index, first, last, top, left + start, piece[:, start:end], span / height)


def slant(ink: np.ndarray) -> float:
    """How far the ink leans, in columns to the right per row up: of the leans LEANS apart up to MAX_SLANT
    either way, the one that stands its strokes most upright, so that they pile up in the fewest columns (the
    sum of the squares of its column profile is highest; the smaller lean when two tie). Moments would not do:
    digits side by side at different heights lean as a whole when none of them does."""
    rows, cols = np.nonzero(ink)
    best, sharpest = 0.0, -1
    for lean in sorted(np.linspace(-MAX_SLANT, MAX_SLANT, LEANS), key=abs):
        columns = cols + round_half_up(lean * (rows - (ink.shape[0] - 1))).astype(np.int64)
        sharpness = int((np.bincount(columns - columns.min()) ** 2).sum()) if columns.size else 0
        if sharpness > sharpest:
            best, sharpest = float(lean), sharpness
    return best


def upright_columns(group: np.ndarray, lean: float) -> np.ndarray:
    """Each pixel's column once the split digit is stood upright (each row moved back by its lean), the
    leftmost ink at 0."""
    height, width = group.shape
    shifts = round_half_up(lean * (np.arange(height) - (height - 1))).astype(np.int64)
    columns = np.arange(width)[np.newaxis, :] + shifts[:, np.newaxis]
    return columns - columns[group > 0].min()


def runs(height: int, width: int, points: list[int]) -> list[tuple[int, int]]:
    """The runs of consecutive pieces, as (first, one past the last), that are narrow enough to be a digit; the
    whole split digit always, whatever its width."""
    edges = [0, *sorted(points), width]
    found = [(first, last) for first in range(len(edges) - 1) for last in range(first + 1, len(edges))
             if edges[last] - edges[first] <= MAX_SPAN * height]  # fmt: skip
    whole = (0, len(edges) - 1)
    return found if whole in found else [*found, whole]


def cut_points(group: np.ndarray, columns: np.ndarray) -> list[int]:
    """The upright columns (each pixel's in `columns`, upright_columns') where a split digit wider than CUT_WIDTH
    of its height is cut, strongest first, at least MIN_PIECE of its height apart and from its ends: the local
    minima of its ink's column profile once stood upright, thinnest first; then the valleys of its top edge,
    deepest first; then those of its bottom edge. A column without ink is the deepest of valleys."""
    inked = group > 0
    upright = columns[inked]
    height, width = group.shape[0], int(upright.max()) + 1
    if width <= CUT_WIDTH * height:
        return []
    window = max(1, int(round_half_up(height / 10)))
    # The ink in a window of columns around each, summed: whole numbers, so that the page's port finds the same.
    profile = np.convolve(np.bincount(upright, minlength=width), np.ones(window, dtype=np.int64), mode="same")
    rows = np.nonzero(inked)[0]
    top, bottom = np.full(width, height), np.full(width, -1)  # each column's highest and lowest ink
    np.minimum.at(top, upright, rows)
    np.maximum.at(bottom, upright, rows)
    spacing = max(1, int(round_half_up(MIN_PIECE * height)))
    chosen: list[int] = []
    for values in (profile, -top, bottom):
        for column in local_minima(values, spacing):
            if all(abs(column - other) >= spacing for other in chosen):
                chosen.append(column)
    return chosen


def local_minima(values: np.ndarray, spacing: int) -> list[int]:
    """The columns at least `spacing` from the ends whose value is the least within `spacing` either side,
    least first (the leftmost when two tie)."""
    inner = range(spacing, len(values) - spacing + 1)
    minima = [c for c in inner if values[c] <= values[max(c - spacing, 0) : c + spacing + 1].min()]
    return sorted(minima, key=lambda c: (int(values[c]), c))
