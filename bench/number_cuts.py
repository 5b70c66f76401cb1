"""What reading a number by its cuts costs in Python: the candidate cuts (digit/cuts.py) and the reading that
chooses among them (digit/reading.py), per digit read, beside the forward pass over the candidates, which is
measured apart (the model's cost per image is the batch row's). The CPU counted is this thread's alone: the
process's would count OpenBLAS's threads too, which spin for a while after each forward pass."""

import time
from pathlib import Path

import numpy as np

from digit import model, reading
from digit.payload import number_candidates
from train.font_numbers import COUNT, TOUCHING_SEED, font_numbers


def measure(weights: Path) -> dict[str, float]:
    """Seconds of CPU per digit for the cuts and the reading, over the held-out fonts' numbers whose digits
    touch, and how many candidates each number was cut into."""
    classifier = model.from_folder(weights)
    numbers = font_numbers(COUNT, touching=True, seed=TOUCHING_SEED)
    python, fields = 0.0, 0
    for number in numbers:
        started = time.thread_time()
        cut = number_candidates(number.picture)
        python += time.thread_time() - started
        probabilities = classifier.probabilities(cut.fields.astype(np.float32))
        started = time.thread_time()
        reading.choose(cut, probabilities)
        python += time.thread_time() - started
        fields += len(cut.fields)
    digits = sum(len(number.labels) for number in numbers)
    return {"per digit": python / digits, "numbers": len(numbers), "fields per number": fields / len(numbers)}
