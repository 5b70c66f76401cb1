"""The candidate cuts of digits that touch, and the reading that chooses among them, on pictures and
probabilities made here with known answers."""

import base64
import io
import json

import numpy as np
import pytest
from PIL import Image

from digit import payload, reading, service
from digit.cuts import (
    CUT_WIDTH,
    MAX_SLANT,
    Candidates,
    candidates,
    cut_points,
    pieces,
    plan,
    slant,
    upright_columns,
)
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
    assert cut_points(narrow, upright_columns(narrow, 0.0)) == []
    touching = rings(2, touching=True)[10:50, 10:-10]
    assert cut_points(touching, upright_columns(touching, 0.0)) != []


def test_touching_digits_are_cut_where_their_ink_is_thinnest():
    ink = clean_ink(ink_map(rings(2, touching=True)))
    cut = candidates(ink)
    assert cut.pieces[0] >= 2
    ink_box = np.flatnonzero(ink.any(axis=0))
    joint = 40 - (ink_box[0] - 10)  # where the second ring begins, in the split digit's columns
    group = np.where(ink > 0, ink, 0)[:, ink_box[0] : ink_box[-1] + 1]
    points = cut_points(group, upright_columns(group, 0.0))
    assert min(abs(point - joint) for point in points) <= 3
    whole = (0, 0, cut.pieces[0])
    assert whole in cut.spans  # the whole split digit is always a candidate
    assert len(cut.fields) == len(cut.spans) == len(cut.widths)


def test_round_digits_that_lean_on_each_other_are_cut_at_the_valley_of_their_outline():
    # Two rings whose sides overlap: the ink is thickest where they touch, so no minimum of the column profile
    # lies there; the dip of the top edge (and the rise of the bottom) between them does.
    side, overlap = 40, 8
    pair = np.maximum(np.pad(rings(1, True)[10:50, 10:50], ((0, 0), (0, side - overlap))),
                      np.pad(rings(1, True)[10:50, 10:50], ((0, 0), (side - overlap, 0))))  # fmt: skip
    joint = side - overlap // 2 - 1
    columns = upright_columns(pair, 0.0)
    profile = (pair > 0).sum(axis=0)
    assert profile[joint - 2 : joint + 3].min() > profile[joint - 6 : joint + 7].min() + 6  # thick at the joint
    assert min(abs(point - joint) for point in cut_points(pair, columns)) <= 2


def test_the_candidates_of_one_picture_are_one_batch_at_most():
    ink = clean_ink(ink_map(rings(12, touching=True, side=24, stroke=3)))
    assert len(candidates(ink).fields) > 40
    cut = candidates(ink, most_fields=40)
    assert 12 <= len(cut.fields) <= 40 and max(cut.pieces) > 1  # the weakest cuts dropped, not all of them
    assert candidates(ink, most_fields=1).pieces == [1]  # one split digit, uncut, whatever the limit


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


def leaning_bars(lean: float, bridge: bool) -> tuple[np.ndarray, np.ndarray]:
    """Two bars 8 pixels wide and 40 tall, leaning `lean` columns per row up, their feet 22 pixels apart, joined
    at mid-height by a thin bridge or not: white ink on black, and which bar each pixel is (1, 2; 0 paper)."""
    which = np.zeros((60, 120), dtype=np.int32)
    for row in range(10, 50):
        shift = round(lean * (49 - row))
        which[row, 20 + shift : 28 + shift] = 1
        which[row, 42 + shift : 50 + shift] = 2
    if bridge:
        shift = round(lean * 20)
        which[28:30, 28 + shift : 42 + shift] = 1
    return (which > 0) * 255.0, which


def test_the_lean_of_a_number_is_measured_from_its_ink():
    assert slant(leaning_bars(0.25, bridge=False)[0]) == pytest.approx(0.25, abs=0.02)
    assert slant(leaning_bars(-0.2, bridge=False)[0]) == pytest.approx(-0.2, abs=0.02)
    assert slant(rings(3, touching=False)) == pytest.approx(0, abs=0.02)
    assert slant(leaning_bars(0.8, bridge=False)[0]) == MAX_SLANT  # steeper is a stroke, not a hand


def test_digits_that_lean_are_cut_along_their_lean():
    # The bars overlap in their columns: no upright cut could part them without cutting one of them.
    picture, which = leaning_bars(0.3, bridge=True)
    ink = clean_ink(ink_map(picture))
    labels, boxes, points, lean = plan(ink)
    assert len(boxes) == 1 and lean == pytest.approx(0.3, abs=0.05)
    shares = []
    for piece in pieces(ink, labels, boxes, points, lean):
        height, width = piece.ink.shape
        held = which[piece.top : piece.top + height, piece.left : piece.left + width][piece.ink > 0]
        shares.append([(held == bar).sum() / (which == bar).sum() for bar in (1, 2)])
    # Each bar whole and alone, but for a part of the bridge, in some candidate.
    assert any(first > 0.95 and second == 0 for first, second in shares)
    assert any(first < 0.05 and second == 1 for first, second in shares)


def png(picture: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(picture).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


class Classifier:
    """A model that is sure a narrow field is a 1 and unsure of anything wider, taught the cuts or not."""

    version = "made-here"

    def __init__(self, reads_cuts: bool):
        self.reads_cuts = reads_cuts

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        widths = (images > 0).any(axis=1).sum(axis=1)
        return np.stack([sure(1) if width < 8 else np.full(10, 0.1) for width in widths])


def test_the_function_reads_a_number_by_its_cuts_only_with_a_model_taught_them():
    ones = np.full((60, 56), 255, dtype=np.uint8)
    for left in (8, 20, 32, 44):
        ones[10:50, left : left + 4] = 0
    ones[28:30, 8:48] = 0  # a thin stroke through all four: one split digit
    query = payload.parse_body(json.dumps({"png": png(ones), "number": True}).encode())
    taught = service.prediction(Classifier(reads_cuts=True), query)
    assert taught["number"] == "1111" and [digit["prediction"] for digit in taught["digits"]] == [1, 1, 1, 1]
    assert all(len(digit["pixels"]) == 784 and max(digit["probabilities"]) > 0.9 for digit in taught["digits"])
    untaught = service.prediction(Classifier(reads_cuts=False), query)
    assert untaught["number"] == "0" and len(untaught["digits"]) == 1  # the whole, read as the first of ten ties
