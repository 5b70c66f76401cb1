"""The benchmark's fresh drawings (bench/fresh_drawings.py) are what they say: 8 of each digit, printed-style 6s
among them, and numbers of 2 to 5 digits whose digits touch, or stand apart, as the pad's line would show them;
all on the pad, and the same from one run to the next."""

from itertools import combinations, pairwise

import numpy as np
import pytest

from bench import fresh_drawings
from bench.fresh_drawings import APART, TOUCHING, distance, number_drawing


def on_the_pad(strokes) -> bool:
    return all(0 <= value <= 1 for stroke in strokes for point in stroke for value in point)


def test_eight_drawings_of_each_digit_every_way_of_drawing_it_on_the_pad():
    drawings = fresh_drawings.single_digits()
    assert sorted(expected for _, expected in drawings.values()) == sorted(str(d) for d in range(10) for _ in range(8))
    assert all(on_the_pad(strokes) for strokes, _ in drawings.values())
    printed_six = fresh_drawings.TEMPLATES[6][1]
    assert printed_six[0][0][1] > printed_six[0][1][1]  # its first point turned down from the top of the arc
    assert fresh_drawings.single_digits() == drawings


@pytest.mark.parametrize("touching", [True, False])
def test_twenty_numbers_of_two_to_five_digits_on_the_pad(touching):
    drawings = fresh_drawings.numbers(touching)
    assert len(drawings) == 20 and all(2 <= len(expected) <= 5 for _, expected in drawings.values())
    assert all(on_the_pad(strokes) for strokes, _ in drawings.values())
    assert fresh_drawings.numbers(touching) == drawings


def test_each_digit_of_a_touching_number_reaches_the_one_before():
    rng = np.random.default_rng(5)
    written = [digits for digits in (number_drawing("4821", True, rng) for _ in range(10)) if digits is not None]
    assert written
    for digits in written:
        assert all(distance(before, after) <= TOUCHING for before, after in pairwise(digits))


def test_the_digits_of_a_number_with_gaps_stand_apart():
    rng = np.random.default_rng(5)
    written = [digits for digits in (number_drawing("4821", False, rng) for _ in range(10)) if digits is not None]
    assert written
    for digits in written:
        assert all(distance(first, second) >= APART for first, second in combinations(digits, 2))
