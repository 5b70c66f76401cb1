"""`python -m train.font_numbers --show DIR`: numbers written in the handwriting fonts held out of training, to
measure how numbers are read on pictures no model has seen (issue 29): with gaps between the digits, and with
digits that touch.

Each number has 2 to 5 digits in one font, all at one font size (so that the digits keep the font's own
proportions), side by side on the font's baseline, each a little above or below it, the whole leaning as a hand
does (train/numbers.py's SLANT and WANDER). With gaps, each digit's ink box stands apart from the one before by
GAPS of the height (train/numbers.py's); touching, each ink box reaches 0 to OVERLAP pixels into the one before,
so that most digits touch their neighbour at a point or two, as a quick hand's do. Each digit's ink is drawn
alone and laid over the others, so that each keeps its own picture beside the number.
"""

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from digit.pixels import clean_ink, ink_map
from digit.split import label_digits
from train.numbers import GAPS, HEIGHTS, LENGTHS, SLANT, WANDER, Number, ink_box, leaning
from train.synthetic import handwriting_fonts

GAPS_SEED = 4000  # other than training's, the proxy sets' (1000) and train/numbers.py's (3000)
TOUCHING_SEED = 4001
COUNT = 150  # numbers in each set, as the issue measures
OVERLAP = (0, 3)  # pixels, inclusive: how far a touching digit's ink box reaches into the one before
REFERENCE_SIZE = 100  # the font size at which a font's digits are measured, to find the size for a height


def glyph(font: ImageFont.FreeTypeFont, digit: int) -> tuple[np.ndarray, int]:
    """A digit's ink in `font`, white on black and cropped to its box, and how far its top stands above the
    font's baseline (negative below it), in pixels: fonts draw some digits lower than others (a 9's tail)."""
    left, top, right, bottom = font.getbbox(str(digit), anchor="ls")
    pad = 2  # a pixel of anti-aliasing may fall outside the box the font reports
    canvas = Image.new("L", (right - left + 2 * pad, bottom - top + 2 * pad), 0)
    ImageDraw.Draw(canvas).text((pad - left, pad - top), str(digit), fill=255, font=font, anchor="ls")
    ink = np.asarray(canvas, dtype=np.float64)
    first_row = int(np.flatnonzero(ink.any(axis=1))[0])
    return ink_box(ink), (pad - top) - first_row


def write(labels: list[int], path: Path, touching: bool, rng: np.random.Generator) -> Number:
    """A number's digits in the font at `path`, its tallest digit between HEIGHTS pixels tall."""
    height = int(rng.integers(*HEIGHTS, endpoint=True))
    # One size for every digit of the number, chosen so that the tallest of them is about `height` tall.
    reference = ImageFont.truetype(str(path), REFERENCE_SIZE)
    tallest_at_reference = max(glyph(reference, digit)[0].shape[0] for digit in labels)
    font = ImageFont.truetype(str(path), max(8, round(REFERENCE_SIZE * height / tallest_at_reference)))
    glyphs = [glyph(font, digit) for digit in labels]
    height = max(ink.shape[0] for ink, _ in glyphs)
    if touching:
        steps = [-int(rng.integers(*OVERLAP, endpoint=True)) for _ in glyphs[1:]]
    else:
        steps = [max(1, round(height * rng.uniform(*GAPS))) for _ in glyphs[1:]]
    rises = [max(above for _, above in glyphs) - above for _, above in glyphs]  # each top's distance below the line's
    feet = [round(height * rng.uniform(-WANDER, WANDER)) for _ in glyphs]
    margin = height // 2 + round(height * WANDER)
    width = sum(ink.shape[1] for ink, _ in glyphs) + sum(steps) + 2 * margin
    depth = max(rise + ink.shape[0] for (ink, _), rise in zip(glyphs, rises, strict=True))
    layers = np.zeros((len(glyphs), depth + 2 * margin, width))
    left = margin
    for layer, (ink, _), step, rise, foot in zip(layers, glyphs, [0, *steps], rises, feet, strict=True):
        left += step
        top = margin + rise + foot
        layer[top : top + ink.shape[0], left : left + ink.shape[1]] = ink
        left += ink.shape[1]
    slant = rng.uniform(-SLANT, SLANT)
    digits = [leaning(np.pad(ink, height // 4), slant) for ink, _ in glyphs]
    # Laid over, not added: where two digits' strokes cross, the ink is as dark as the darker stroke.
    picture = leaning(layers.max(axis=0), slant)
    return Number(picture, digits, list(labels), np.stack([255 - leaning(layer, slant) for layer in layers]))


def font_numbers(count: int, touching: bool, seed: int) -> list[Number]:
    """`count` numbers, of each length in LENGTHS in turn (as many of each as `count` allows), each of random
    digits in a font drawn from the held-out handwriting fonts; with gaps between the digits, or `touching`."""
    fonts = handwriting_fonts(held_out=True)
    if not fonts:
        raise FileNotFoundError("no held-out handwriting fonts found (make tools installs them)")
    rng = np.random.default_rng(seed)
    numbers = []
    for index in range(count):
        labels = rng.integers(0, 10, size=LENGTHS[index % len(LENGTHS)]).tolist()
        numbers.append(write(labels, fonts[int(rng.integers(len(fonts)))], touching, rng))
    return numbers


def split_shares(numbers: list[Number]) -> tuple[float, float]:
    """The shares of numbers whose ink the pixel contract's split (touching ink is one digit) reads as exactly
    as many digits as they have, and as fewer: how far a set tests reading touching digits."""
    found = np.array([len(label_digits(clean_ink(ink_map(number.picture)))[1]) for number in numbers])
    digits = np.array([len(number.labels) for number in numbers])
    return float(np.mean(found == digits)), float(np.mean(found < digits))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m train.font_numbers", description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", type=Path, required=True, metavar="DIR", help="writes 12 pictures of each set")
    args = parser.parse_args(argv)
    args.show.mkdir(parents=True, exist_ok=True)
    for name, touching, seed in (("gaps", False, GAPS_SEED), ("touching", True, TOUCHING_SEED)):
        numbers = font_numbers(COUNT, touching, seed)
        for index, number in enumerate(numbers[:12]):
            digits = "".join(map(str, number.labels))
            Image.fromarray(number.picture).save(args.show / f"{name}-{index:02}-{digits}.png")
        exact, fewer = split_shares(numbers)
        print(f"{name}: of {len(numbers)}, the split finds all the digits of {exact:.1%}, fewer of {fewer:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
