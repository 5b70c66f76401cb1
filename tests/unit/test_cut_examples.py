"""Training's examples of cuts (train/cut_examples.py): a number drawn from known digits, cut as the function
cuts it, each candidate labelled with the digit it holds or as a wrong cut, and the wrong cuts no more than
the digits."""

import numpy as np
import pytest

from digit import cuts
from digit.cuts import candidates
from digit.pixels import clean_ink, ink_map
from train import cut_examples
from train.cut_examples import WRONG_CUT, balanced, drawn, labelled
from train.cut_examples import cut_examples as examples
from train.synthetic import handwriting_fonts


@pytest.fixture
def upright(monkeypatch):
    """Numbers drawn upright, and cut upright: MNIST's digits lean each their own way, and the lean the cuts
    find for the whole number would cut them askew."""
    monkeypatch.setattr(cut_examples, "SLANT", 0.0)
    monkeypatch.setattr(cuts, "slant", lambda ink: 0.0)


def test_a_touching_number_s_whole_is_a_wrong_cut_and_its_digits_are_themselves(mnist_sample, upright):
    images, labels = mnist_sample
    zero, eight = images[0], images[400]  # 50 of each digit, in order
    picture, layers = drawn([zero, eight], touching=True, rng=np.random.default_rng(3))
    assert len(layers) == 2 and layers.shape[1:] == picture.shape
    found = labelled(picture, layers, np.array([0, 8]))
    cut = candidates(clean_ink(ink_map(picture)))
    assert 0 < len(found) <= len(cut.fields)
    found_labels = [label for _, label, _ in found]
    assert found_labels.count(0) == found_labels.count(8) == 1  # each digit, cut out right, once
    assert found_labels.count(WRONG_CUT) == len(found) - 2  # the rest: halves, both, a digit and a stroke
    assert all(field.shape == (28, 28) and field.dtype == np.uint8 for field, _, _ in found)
    assert 2 in [held for _, label, held in found if label == WRONG_CUT]  # the whole, both digits at least


def test_the_wrong_cuts_kept_are_no_more_than_the_digits(mnist_sample):
    images, labels = mnist_sample
    x, y = examples(images.astype(np.uint8), labels, 30, np.random.default_rng(0))
    assert len(x) == len(y) > 0
    right = int((y != WRONG_CUT).sum())
    assert 0 < int((y == WRONG_CUT).sum()) <= right
    assert set(np.unique(y[y != WRONG_CUT])) <= set(range(10))


@pytest.mark.parametrize(("parts", "both_kept", "parts_kept"), [(20, 5, 5), (2, 8, 2)])
def test_the_wrong_cuts_kept_are_half_parts_of_a_digit_and_half_digits_together(parts, both_kept, parts_kept):
    labels = np.array([3] * 10 + [WRONG_CUT] * (20 + parts))
    together = np.array([False] * 10 + [True] * 20 + [False] * parts)
    kept = balanced(labels, together, np.random.default_rng(0))
    assert kept.tolist() == sorted(set(kept.tolist())) and kept[:10].tolist() == list(range(10))  # every digit
    assert int(together[kept].sum()) == both_kept and len(kept) - 10 - both_kept == parts_kept


def test_numbers_in_the_training_fonts_are_cut_and_labelled_too(monkeypatch):
    monkeypatch.setattr(cut_examples, "IN_FONTS", 1.0)  # every number in a font: no image is drawn from
    fonts = handwriting_fonts()[:2]
    x, y = examples(np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.int64), 12, np.random.default_rng(0), fonts)
    assert len(x) == len(y) and x.shape[1:] == (28, 28)
    assert len(set(y[y != WRONG_CUT].tolist())) >= 5 and (y == WRONG_CUT).sum() > 0
