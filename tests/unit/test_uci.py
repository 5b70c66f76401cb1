"""The UCI evaluation's measures (train/uci.py), on probabilities whose answers are worked out by hand."""

import numpy as np
import pytest

from train import uci


def test_calibration_error_weighs_each_bins_gap_between_confidence_and_accuracy():
    probabilities = np.array([[0.95, 0.05], [0.95, 0.05], [0.35, 0.65], [0.6, 0.4]])
    labels = np.array([0, 1, 1, 0])
    # bin 9 holds the two at 0.95, one right: |0.95 - 0.5| × 2/4; bin 6 holds 0.65 and 0.6, both right:
    # |0.625 - 1| × 2/4.
    assert uci.calibration_error(probabilities, labels) == pytest.approx(0.45 * 0.5 + 0.375 * 0.5)


def test_a_model_that_is_as_sure_as_it_is_right_has_no_calibration_error():
    probabilities = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert uci.calibration_error(probabilities, np.array([0, 1])) == 0.0  # 1.0 falls in the top bin


def test_measure_counts_the_confidently_wrong_and_each_digits_accuracy():
    labels = np.arange(10).repeat(2)
    chosen = labels.copy()
    chosen[[0, 2]] = [5, 7]  # two wrong readings, the first at 0.92, the second at 0.6
    sure = np.full(20, 0.99)
    sure[[0, 2]] = [0.92, 0.6]
    probabilities = np.full((20, 10), 0.0)
    probabilities[np.arange(20), chosen] = sure
    probabilities[np.arange(20), (chosen + 1) % 10] = 1 - sure
    result = uci.measure(lambda images: probabilities, (np.zeros((20, 28, 28), np.uint8), labels))
    assert (result["images"], result["wrong"], result["confidently_wrong"]) == (20, 2, 1)
    assert result["accuracy"] == 0.9 and result["per_class_accuracy"][:2] == [0.5, 0.5]
    assert result["per_class_accuracy"][2:] == [1.0] * 8
