"""Candidate cuts of a number whose digits touch, part of the pixel contract (digit/pixels.py, digit/split.py).

The split (digit/split.py) is the first cut of the ink: marks that do not touch. Digits that touch stay one
mark, so a split digit wider than a digit of its height may hold several: it is cut further, at candidate
points, into more pieces than it can hold digits. The candidate points are the columns where the ink is thinnest
(local minima of its column profile, a little smoothed), where touching strokes meet. Every run of consecutive
pieces that could be one digit (no wider than MAX_SPAN of the height) becomes a candidate, a 28x28 field made by
steps 3-4 of the contract as any digit is; the reading (digit/reading.py) chooses among them the cuts whose
digits the model reads best together, as the check readers of the 1990s did (LeCun, Bottou, Bengio and
Haffner, 1998: heuristic over-segmentation and recognition-based search).
"""

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from digit.payload import MAX_IMAGES
from digit.pixels import place, stretch
from digit.split import digits_alone, label_digits

# Shares of a split digit's height: one wider than CUT_WIDTH is cut further; a candidate is at most MAX_SPAN wide;
# candidate points are at least MIN_PIECE apart, and from the ends. MNIST's digits are 0.45 (a 1) to 0.95 (a 2,
# a 5) as wide as they are tall, at the median, and few are wider than 1.4 (digit/reading.py's WIDTHS).
CUT_WIDTH = 0.65
MAX_SPAN = 1.5
MIN_PIECE = 0.12
MAX_FIELDS = MAX_IMAGES  # the candidates of one picture, at most: one batch, as a request may send


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


def candidates(ink: np.ndarray, most_digits: int | None = None) -> Candidates:
    """Clean ink of a number → its candidate digits, split digit by split digit, left to right, each placed in
    its field as soon as it is cut. More than `most_digits` split digits are refused as the split refuses them
    (TooManyDigitsError)."""
    labels, boxes, points = plan(ink, most_digits)
    fields, spans, widths = [], [], []
    for piece in pieces(ink, labels, boxes, points):
        fields.append(place(stretch(piece.ink)))
        spans.append((piece.group, piece.first, piece.last))
        widths.append(piece.width)
    return Candidates(np.stack(fields), spans, widths, [len(found) + 1 for found in points])


def plan(ink: np.ndarray, most_digits: int | None = None) -> tuple[np.ndarray, list[list[int]], list[list[int]]]:
    """Clean ink of a number → its split (label_digits' labels and boxes) and where each split digit is cut,
    with no more than MAX_FIELDS candidates in all."""
    labels, boxes = label_digits(ink, most_digits)
    points = [cut_points(group) for group in digits_alone(ink, labels, boxes)]
    shapes = [(bottom - top + 1, right - left + 1) for top, bottom, left, right in boxes]
    while sum(len(runs(*shape, found)) for shape, found in zip(shapes, points, strict=True)) > MAX_FIELDS:
        most = max(range(len(points)), key=lambda group: len(runs(*shapes[group], points[group])))
        points[most] = points[most][:-1]  # the weakest point of the split digit with the most candidates
    return labels, boxes, points


def pieces(ink: np.ndarray, labels: np.ndarray, boxes: list[list[int]], points: list[list[int]]) -> Iterator[Piece]:
    """Each candidate's ink, split digit by split digit, left to right, as `plan` cuts them."""
    groups = zip(digits_alone(ink, labels, boxes), points, boxes, strict=True)
    for index, (group, found, (top, _, left, _)) in enumerate(groups):
        height, width = group.shape
        edges = [0, *sorted(found), width]
        for first, last in runs(height, width, found):
            piece = group[:, edges[first] : edges[last]]
            if piece.any():
                yield Piece(index, first, last, top, left + edges[first], piece, (edges[last] - edges[first]) / height)


def runs(height: int, width: int, points: list[int]) -> list[tuple[int, int]]:
    """The runs of consecutive pieces, as (first, one past the last), that are narrow enough to be a digit; the
    whole split digit always, whatever its width."""
    edges = [0, *sorted(points), width]
    found = [(first, last) for first in range(len(edges) - 1) for last in range(first + 1, len(edges))
             if edges[last] - edges[first] <= MAX_SPAN * height]  # fmt: skip
    whole = (0, len(edges) - 1)
    return found if whole in found else [*found, whole]


def cut_points(group: np.ndarray) -> list[int]:
    """The columns where a split digit wider than CUT_WIDTH of its height is cut, strongest first: local minima
    of its ink's column profile, at least MIN_PIECE of its height apart and from its ends."""
    height, width = group.shape
    if width <= CUT_WIDTH * height:
        return []
    window = max(1, round(height / 10))
    profile = np.convolve((group > 0).sum(axis=0), np.ones(window) / window, mode="same")
    spacing = max(1, round(MIN_PIECE * height))
    inner = np.arange(spacing, width - spacing + 1)
    minima = [c for c in inner if profile[c] <= profile[max(c - spacing, 0) : c + spacing + 1].min()]
    chosen: list[int] = []
    for column in sorted(minima, key=lambda c: (profile[c], c)):  # the thinnest ink first
        if all(abs(column - other) >= spacing for other in chosen):
            chosen.append(int(column))
    return chosen
