"""The candidate cuts of digits that touch, and the reading that chooses among them, on pictures and
probabilities made here with known answers."""

import numpy as np

from digit import reading
from digit.cuts import CUT_WIDTH, MAX_FIELDS, Candidates, candidates, cut_points
from digit.pixels import clean_ink, ink_map


def rings(count: int, touching: bool, side: int = 40, stroke: int = 5) -> np.ndarray:
    """`count` rings (0s) side by side as white ink on black, joined by a thin bridge at mid-height or apart."""
    y, x = np.mgrid[:side, :side]
    radius = np.hypot(y - side / 2 + 0.5, x - side / 2 + 0.5)
    ring = ((radius < side / 2 - 1) & (radius > side / 2 - 1 - stroke)).astype(float) * 255
    gap = 0 if touching else side // 4
    picture = np.zeros((side + 20, 10 + count * (side + gap) + 10))
    for index in range(count):
        left = 10 + index * (side + gap)
        picture[10 : 10 + side, left : left + side] = np.maximum(picture[10 : 10 + side, left : left + side], ring)
        if touching and index:
            picture[10 + side // 2 - 1 : 10 + side // 2 + 1, left - 3 : left + 3] = 255  # a thin bridge
    return picture


def test_a_split_digit_is_cut_only_when_wider_than_a_digit_of_its_height():
    narrow = np.full((40, int(CUT_WIDTH * 40)), 255.0)
    assert cut_points(narrow) == []
    assert cut_points(rings(2, touching=True)[10:50, 10:-10]) != []


def test_touching_digits_are_cut_where_their_ink_is_thinnest():
    ink = clean_ink(ink_map(rings(2, touching=True)))
    cut = candidates(ink)
    assert cut.pieces[0] >= 2
    ink_box = np.flatnonzero(ink.any(axis=0))
    joint = 40 - (ink_box[0] - 10)  # where the second ring begins, in the split digit's columns
    points = cut_points(np.where(ink > 0, ink, 0)[:, ink_box[0] : ink_box[-1] + 1])
    assert min(abs(point - joint) for point in points) <= 3
    whole = (0, 0, cut.pieces[0])
    assert whole in cut.spans  # the whole split digit is always a candidate
    assert len(cut.fields) == len(cut.spans) == len(cut.widths)


def test_the_candidates_of_one_picture_are_one_batch_at_most():
    ink = clean_ink(ink_map(rings(12, touching=True, side=24, stroke=3)))
    assert len(candidates(ink).fields) <= MAX_FIELDS


def made(spans: list[tuple[int, int, int]], widths: list[float], pieces: list[int]) -> Candidates:
    return Candidates(np.zeros((len(spans), 28, 28), np.uint8), spans, widths, pieces)


def sure(digit: int, certainty: float = 0.99) -> np.ndarray:
    probabilities = np.full(10, (1 - certainty) / 9)
    probabilities[digit] = certainty
    return probabilities


def test_the_reading_chooses_the_covering_read_best_together():
    # One split digit cut in three: read whole it is an unsure 8, in two a sure 1 and a sure 0 ...
    spans = [(0, 0, 3), (0, 0, 1), (0, 1, 3), (0, 0, 2), (0, 2, 3), (0, 1, 2)]
    widths = [1.4, 0.3, 0.9, 0.9, 0.3, 0.5]
    probabilities = np.stack([np.full(10, 0.1), sure(1), sure(0), np.full(10, 0.1), sure(1), np.full(10, 0.1)])
    assert reading.choose(made(spans, widths, [3]), probabilities) == [(1, 1), (2, 0)]


def test_a_digit_too_wide_for_what_it_is_read_as_loses_to_a_plausible_cut():
    # ... and a sliver read as a sure 0 is implausible for a 0: the whole, a 4 of a 4's width, wins.
    spans = [(0, 0, 2), (0, 0, 1), (0, 1, 2)]
    widths = [0.8, 0.1, 0.7]
    probabilities = np.stack([sure(4, 0.9), sure(0), sure(1)])
    assert reading.choose(made(spans, widths, [2]), probabilities) == [(0, 4)]


def test_split_digits_are_read_one_after_another():
    spans = [(0, 0, 1), (1, 0, 1), (2, 0, 1)]
    probabilities = np.stack([sure(2), sure(0), sure(7)])
    assert reading.choose(made(spans, [0.8, 0.9, 0.8], [1, 1, 1]), probabilities) == [(0, 2), (1, 0), (2, 7)]
