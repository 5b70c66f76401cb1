"""The proxy numbers that measure how often a whole number is read exactly (train/numbers.py): made as promised,
and counted right."""

import numpy as np
import pytest

from digit.pixels import clean_ink, ink_map, to_mnist
from digit.split import label_digits
from train import numbers


@pytest.fixture(scope="module")
def made(mnist_sample) -> list[numbers.Number]:
    images, labels = mnist_sample
    return numbers.proxy_numbers(images.astype(np.uint8), labels)


def test_there_are_as_many_numbers_of_each_length_each_digit_with_its_own_picture(made):
    lengths = [len(number.labels) for number in made]
    assert lengths == [length for length in numbers.LENGTHS for _ in range(numbers.NUMBERS_OF_EACH_LENGTH)]
    assert all(len(number.digits) == len(number.labels) for number in made)


def test_each_number_is_dark_ink_on_light_paper_as_tall_as_its_height_allows(made):
    for number in made[::50]:
        assert number.picture.dtype == np.uint8
        assert np.median(number.picture) == 255 and number.picture.min() < 64
        rows = np.flatnonzero((number.picture < 128).any(axis=1))
        assert rows[-1] - rows[0] + 1 <= numbers.HEIGHTS[1] * (1 + 2 * numbers.WANDER)


def test_a_number_without_slant_splits_into_its_digits_and_each_reads_as_its_own_picture(mnist_sample, monkeypatch):
    monkeypatch.setattr(numbers, "SLANT", 0.0)
    images, labels = mnist_sample
    number = numbers.compose([images[0], images[60], images[120]], [0, 1, 2], np.random.default_rng(1))
    _, boxes = label_digits(clean_ink(ink_map(number.picture)))
    assert len(boxes) == 3
    assert all(to_mnist(digit).any() for digit in number.digits)


@pytest.mark.parametrize("slant", [0.25, -0.25])
def test_a_lean_shifts_the_top_of_the_ink_by_the_slant_times_its_height(slant):
    bar = np.zeros((40, 10))
    bar[:, 4:6] = 255
    leaning = 255 - numbers.leaning(bar, slant).astype(int)
    top, bottom = (np.flatnonzero(leaning[row] > 128).mean() for row in (0, -1))
    assert top - bottom == pytest.approx(slant * 39, abs=1.5)
