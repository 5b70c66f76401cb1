"""What reading a number by its cuts costs in Python: the candidate cuts (digit/cuts.py) and the reading that
chooses among them (digit/reading.py), per digit read, beside the forward pass over the candidates, which is
measured apart (the model's cost per image is the batch row's)."""

import time

import numpy as np

from digit import model, reading
from digit.artefact import METADATA_FILE, WEIGHTS_FILE, parse_metadata
from digit.cuts import candidates
from digit.payload import MAX_DIGITS, MAX_IMAGES
from digit.pixels import clean_ink, ink_map
from train.font_numbers import COUNT, TOUCHING_SEED, font_numbers


def measure(weights) -> dict[str, float]:
    """Seconds of CPU per digit for the cuts and the reading, over the held-out fonts' numbers whose digits
    touch, and how many candidates each number was cut into."""
    metadata = parse_metadata((weights / METADATA_FILE).read_bytes())
    classifier, _ = model.load((weights / WEIGHTS_FILE).read_bytes(), metadata)
    numbers = font_numbers(COUNT, touching=True, seed=TOUCHING_SEED)
    python, fields = 0.0, 0
    for number in numbers:
        started = time.process_time()
        cut = candidates(clean_ink(ink_map(number.picture)), MAX_DIGITS, MAX_IMAGES)
        python += time.process_time() - started
        probabilities = classifier.probabilities(cut.fields.astype(np.float32))
        started = time.process_time()
        reading.choose(cut, probabilities)
        python += time.process_time() - started
        fields += len(cut.fields)
    digits = sum(len(number.labels) for number in numbers)
    return {"per digit": python / digits, "numbers": len(numbers), "fields per number": fields / len(numbers)}
