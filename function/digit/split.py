"""The split of a picture of a number into its digits, part of the pixel contract (digit/pixels.py), ported
line for line to site/split.js.

A picture of a number is split into its digits after step 2 of the contract (`to_mnist_digits`), each digit's
strongest ink is stretched to 255 again, and each then takes steps 3 and 4 as a picture of that digit alone
would. The split reads the ink's marks (the pieces of ink that touch, at a side or a corner), measured against
the tallest:

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

from digit.pixels import clean_ink, ink_map, place, stretch

# Shares of the tallest mark's height (SPECK, LOW) and of a width (OVERLAP), as the docstring says. LOW matters
# most: a bar that stands apart from its 5 or 7 may be nearly a third as tall as the digit (MNIST has such 5s),
# while a small digit beside a large one is rarely less than half as tall.
SPECK = 0.15
LOW = 0.4
OVERLAP = 0.5
# The most runs of ink along the rows (see ink_runs) that a picture may have to be split: a number of 20 digits
# written large in a picture at the function's size limit has a few thousand; noise or a fine pattern has
# hundreds of thousands, each a step of the split's Python loops, seconds of a vCPU. The page's port has no such
# limit: it splits only the drawings of its own pad, far smaller.
MAX_INK_RUNS = 50_000


class ScatteredInkError(ValueError):
    """The picture's ink is in too many pieces to be split into the digits of a number."""


class TooManyDigitsError(ValueError):
    """The picture holds more digits than the number read may have."""

    def __init__(self, count: int, most: int):
        super().__init__(f"{count} digits found; a number is read up to {most} digits")


def to_mnist_digits(image: np.ndarray, most_digits: int | None = None) -> np.ndarray:
    """The pixel contract for a number: any picture of digits side by side → (N, 28, 28) uint8, one field per
    digit, left to right. Each digit's strongest ink is stretched to 255, as a picture of it alone would be.

    Raises EmptyImageError when there is no ink, ScatteredInkError when it is in too many pieces,
    TooManyDigitsError when it holds more than `most_digits` digits, ValueError when the array is not an image."""
    return np.stack([place(stretch(piece)) for piece in split(clean_ink(ink_map(image)), most_digits)])


def split(ink: np.ndarray, most_digits: int | None = None) -> Iterator[np.ndarray]:
    """Clean ink → the ink of each digit, left to right (digits_alone)."""
    return digits_alone(ink, *label_digits(ink, most_digits))


def digits_alone(ink: np.ndarray, labels: np.ndarray, boxes: list[list[int]]) -> Iterator[np.ndarray]:
    """The ink of each digit that label_digits found, cropped to its box, without the ink of the others (a
    slanted neighbour may reach into the box) or of what is no digit. One at a time: slanted digits' boxes may
    each be nearly as large as the picture."""
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
