"""Training examples of cuts: what a wrong cut of a number looks like, so that the model is unsure of it.

A model trained on whole digits is sure of half a digit, of two digits read as one, and of a digit with a
neighbour's stroke; the reading of numbers (digit/reading.py) needs it to be unsure of them. So training draws
numbers from the digits it trains on (MNIST's, the fonts', the pen's habits), most with digits that touch, cuts
them with the contract's own candidates (digit/cuts.py), and labels each candidate: the digit it is when it
holds most of one digit's ink and little else, WRONG_CUT when it is a wrong cut, to be taught as a spread of
probability over the ten digits, each counted WRONG_CUT_WEIGHT in the loss (train/fit.py). A candidate in
between, most of a digit but not quite, is left out: it is neither.
"""

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from digit.cuts import pieces, plan
from digit.payload import MAX_IMAGES
from digit.pixels import clean_ink, ink_map, place, stretch
from train.data import Dataset
from train.font_numbers import write
from train.numbers import GAPS, HEIGHTS, SHRINK, SLANT, WANDER, leaning, scaled
from train.synthetic import handwriting_fonts

WRONG_CUT = 10  # the label of a wrong cut, beside the ten digits
# How much a wrong cut counts in the loss, against a digit's 1: less keeps the model surer of whole digits
# (docs/training.md, the runs).
WRONG_CUT_WEIGHT = 0.3
TOUCHING = 0.7  # the share of the numbers drawn whose digits touch; the others have gaps
IN_FONTS = 0.5  # the share written in the training fonts, where there are fonts
OVERLAP = (0, 4)  # pixels, inclusive: how far a touching digit reaches into the one before
LENGTHS = (2, 3, 4)
# A candidate is a digit when it holds at least RIGHT of one digit's ink and that ink is at least RIGHT of its
# own; a wrong cut when either is below WRONG.
RIGHT, WRONG = 0.9, 0.75


def extend(data: Dataset, numbers: int, seed: int) -> None:
    """Adds the candidates of `numbers` numbers, drawn from data's training digits and written in the training
    fonts, to its training part, and says so in its description."""
    fonts = handwriting_fonts()
    x, y = cut_examples(data.x_train, data.y_train, numbers, np.random.default_rng(seed), fonts)
    data.x_train, data.y_train = np.concatenate([data.x_train, x]), np.concatenate([data.y_train, y])
    data.description["train_images"] = len(data.x_train)
    data.description["cut_examples"] = {"numbers": numbers, "in_fonts": IN_FONTS if fonts else 0,
                                        "digits": int((y != WRONG_CUT).sum()),
                                        "wrong_cuts": int((y == WRONG_CUT).sum())}  # fmt: skip


def cut_examples(
    images: np.ndarray, labels: np.ndarray, numbers: int, rng: np.random.Generator, fonts: Sequence[Path] = ()
) -> tuple[np.ndarray, np.ndarray]:
    """The labelled candidates of `numbers` numbers: made of `images` (contract form) and their `labels`, or,
    IN_FONTS of them where `fonts` are given, written in one of the fonts as the font sets are
    (train/font_numbers.py): a font's digits keep its proportions, and a bold hand touches more than a pen."""
    fields, targets, merged = [], [], []
    for _ in range(numbers):
        touching = bool(rng.random() < TOUCHING)
        if fonts and rng.random() < IN_FONTS:
            digits = rng.integers(0, 10, size=int(rng.choice(LENGTHS))).tolist()
            number = write(digits, fonts[int(rng.integers(len(fonts)))], touching, rng)
            picture, layers, read = number.picture, number.layers, np.array(digits)
        else:
            chosen = rng.choice(len(images), size=int(rng.choice(LENGTHS)), replace=False)
            (picture, layers), read = drawn([images[i] for i in chosen], touching, rng), labels[chosen]
        for field, target, digits_held in labelled(picture, layers, read):
            fields.append(field)
            targets.append(target)
            merged.append(digits_held > 1)
    x, y = np.array(fields, dtype=np.uint8).reshape(-1, *images.shape[1:]), np.array(targets, dtype=np.int64)
    kept = balanced(y, np.array(merged, dtype=bool), rng)
    return x[kept], y[kept]


def balanced(labels: np.ndarray, together: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The indices of the examples kept, in order: every digit, and as many wrong cuts as digits, since cuts are
    wrong more often than right and would outweigh them. Half are digits cut out `together`, of which the model
    is surest, and half are parts of one digit, such as a 7's stem that looks like a 1 alone; either kind makes
    up what the other lacks, and each is drawn at random."""
    wrong = labels == WRONG_CUT
    both, parts = np.flatnonzero(wrong & together), np.flatnonzero(wrong & ~together)
    room = int((~wrong).sum())
    from_parts = min(len(parts), max(room // 2, room - len(both)))
    from_both = min(len(both), room - from_parts)
    chosen = [rng.choice(both, size=from_both, replace=False), rng.choice(parts, size=from_parts, replace=False)]
    return np.sort(np.concatenate([np.flatnonzero(~wrong), *chosen]))


def drawn(digits: list[np.ndarray], touching: bool, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A number of `digits` as dark ink on white paper, and each digit's ink alone where it lies in it (white on
    black, one layer a digit), the whole leaning as a hand does."""
    tallest = int(rng.integers(*HEIGHTS, endpoint=True))
    inks = [scaled(digit, max(4, round(tallest * rng.uniform(*SHRINK)))) for digit in digits]
    if touching:
        steps = [0, *(-int(rng.integers(OVERLAP[0], OVERLAP[1] + 1)) for _ in inks[1:])]
    else:
        steps = [0, *(max(1, round(tallest * rng.uniform(*GAPS))) for _ in inks[1:])]
    margin = tallest // 2 + round(tallest * WANDER)
    width = sum(ink.shape[1] for ink in inks) + sum(max(step, 0) for step in steps) + 2 * margin
    layers = np.zeros((len(inks), tallest + 2 * margin, width))
    left = margin
    for layer, ink, step in zip(layers, inks, steps, strict=True):
        left += step
        bottom = margin + tallest + round(tallest * rng.uniform(-WANDER, WANDER))
        layer[bottom - ink.shape[0] : bottom, left : left + ink.shape[1]] = ink
        left += ink.shape[1]
    slant = rng.uniform(-SLANT, SLANT)
    leaned = np.stack([255 - leaning(layer, slant) for layer in layers])
    return 255 - leaned.max(axis=0), leaned


def labelled(picture: np.ndarray, layers: np.ndarray, labels: np.ndarray) -> list[tuple[np.ndarray, int, int]]:
    """Each candidate of the picture, cut as the function cuts it, with its label (the digit it holds, or
    WRONG_CUT; those in between are left out) and how many digits it holds at least half of."""
    ink = clean_ink(ink_map(picture))
    # Each pixel of the ink the contract sees is the digit's whose layer is strongest there.
    owned = (layers.argmax(axis=0) == np.arange(len(layers))[:, np.newaxis, np.newaxis]) & (ink > 0)
    found = []
    for piece in pieces(ink, *plan(ink, most_fields=MAX_IMAGES)):
        height, width = piece.ink.shape
        mine = owned[:, piece.top : piece.top + height, piece.left : piece.left + width] & (piece.ink > 0)
        shares = mine.sum(axis=(1, 2))
        best = int(shares.argmax())
        purity = shares[best] / max(1, int((piece.ink > 0).sum()))
        coverage = shares[best] / max(1, int(owned[best].sum()))
        held = int((shares >= 0.5 * np.maximum(owned.sum(axis=(1, 2)), 1)).sum())
        if purity >= RIGHT and coverage >= RIGHT:
            found.append((place(stretch(piece.ink)), int(labels[best]), held))
        elif purity < WRONG or coverage < WRONG:
            found.append((place(stretch(piece.ink)), WRONG_CUT, held))
    return found
