"""The numbers in held-out handwriting fonts that measure reading numbers (train/font_numbers.py): made as
promised, with gaps the split finds, or with digits that touch so that the split cannot."""

import numpy as np
import pytest

from train import font_numbers, numbers

COUNT = 16  # four of each length: enough to see the shares, quick to draw


@pytest.fixture(scope="module")
def made() -> dict[str, list[numbers.Number]]:
    return {
        "gaps": font_numbers.font_numbers(COUNT, touching=False, seed=font_numbers.GAPS_SEED),
        "touching": font_numbers.font_numbers(COUNT, touching=True, seed=font_numbers.TOUCHING_SEED),
    }


@pytest.mark.parametrize("kind", ["gaps", "touching"])
def test_there_are_as_many_numbers_of_each_length_each_digit_with_its_own_picture(made, kind):
    lengths = [len(number.labels) for number in made[kind]]
    assert sorted(lengths) == [length for length in numbers.LENGTHS for _ in range(COUNT // len(numbers.LENGTHS))]
    assert all(len(number.digits) == len(number.labels) for number in made[kind])
    assert all(0 <= label <= 9 for number in made[kind] for label in number.labels)


@pytest.mark.parametrize("kind", ["gaps", "touching"])
def test_each_number_and_each_of_its_digits_is_dark_ink_on_white_paper(made, kind):
    for number in made[kind]:
        for picture in [number.picture, *number.digits]:
            assert picture.dtype == np.uint8 and picture.ndim == 2
            assert np.median(picture) == 255 and picture.min() < 64
        rows = np.flatnonzero((number.picture < 128).any(axis=1))
        assert numbers.HEIGHTS[0] * 0.8 <= rows[-1] - rows[0] + 1 <= numbers.HEIGHTS[1] * 1.6


def test_the_split_finds_every_digit_of_nearly_every_number_with_gaps(made):
    exact, fewer = font_numbers.split_shares(made["gaps"])
    assert exact >= 0.9 and fewer <= 0.1  # 100 % of the 150 of the set


def test_the_split_merges_digits_in_most_numbers_whose_digits_touch(made):
    _, fewer = font_numbers.split_shares(made["touching"])
    assert fewer >= 0.6  # 81 % of the 150 of the set


def test_the_same_seed_makes_the_same_numbers():
    first, again = (font_numbers.font_numbers(2, touching=True, seed=font_numbers.TOUCHING_SEED) for _ in range(2))
    assert [number.labels for number in first] == [number.labels for number in again]
    assert all(np.array_equal(a.picture, b.picture) for a, b in zip(first, again, strict=True))
