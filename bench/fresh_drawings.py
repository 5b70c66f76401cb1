"""Drawings no test or training run has seen, made afresh from a seed for the benchmark to draw on the page: single
digits drawn as people draw them, printed-style 6s among them, and numbers of 2 to 5 digits written with gaps or
so close that their strokes touch or cross. Each shape is a template of a digit's strokes (a box as tall as 1),
slanted, turned, stretched and wobbled a little every time, as no hand draws a digit twice alike."""

import math

import numpy as np

from local.browser import along
from local.drawings import Stroke, scaled

# Templates, as (x, y) with y down from the top of a digit 1 tall; one or two ways of drawing each digit, most in
# one stroke, as a mouse draws them.
LOOP = [(0.3 + 0.3 * math.sin(2 * math.pi * i / 16), 0.5 - 0.5 * math.cos(2 * math.pi * i / 16)) for i in range(17)]
TEMPLATES: dict[int, list[list[Stroke]]] = {
    0: [[LOOP[::-1]], [[*LOOP[::-1], (0.2, 0.08)]]],
    1: [[[(0.3, 0.0), (0.28, 1.0)]], [[(0.05, 0.25), (0.35, 0.0), (0.33, 1.0)]]],
    2: [
        [[(0.05, 0.25), (0.2, 0.05), (0.4, 0.0), (0.58, 0.1), (0.6, 0.28), (0.45, 0.5), (0.05, 1.0), (0.62, 1.0)]],
        [[(0.05, 0.2), (0.3, 0.0), (0.55, 0.12), (0.5, 0.4), (0.15, 0.85), (0.05, 1.0), (0.3, 0.9), (0.65, 0.97)]],
    ],
    3: [
        [[(0.05, 0.12), (0.25, 0.0), (0.5, 0.03), (0.58, 0.2), (0.45, 0.42), (0.25, 0.48), (0.45, 0.52)]
         + [(0.6, 0.68), (0.55, 0.9), (0.3, 1.0), (0.05, 0.92)]],
        [[(0.05, 0.0), (0.55, 0.0), (0.25, 0.42), (0.5, 0.5), (0.6, 0.72), (0.45, 0.95), (0.2, 1.0), (0.02, 0.9)]],
    ],
    4: [
        [[(0.45, 0.0), (0.0, 0.65), (0.65, 0.65)], [(0.5, 0.3), (0.5, 1.0)]],
        [[(0.1, 0.0), (0.05, 0.6), (0.62, 0.6)], [(0.5, 0.05), (0.5, 1.0)]],
    ],
    5: [
        [[(0.1, 0.0), (0.05, 0.45), (0.3, 0.4), (0.55, 0.5), (0.6, 0.72), (0.5, 0.92), (0.25, 1.0), (0.02, 0.9)],
         [(0.1, 0.0), (0.6, 0.0)]],
        [[(0.6, 0.0), (0.1, 0.0), (0.05, 0.45), (0.3, 0.4), (0.55, 0.5), (0.6, 0.72), (0.5, 0.92), (0.25, 1.0)]
         + [(0.02, 0.9)]],
    ],
    6: [
        [[(0.55, 0.02), (0.3, 0.2), (0.1, 0.5), (0.08, 0.75), (0.25, 0.98), (0.45, 0.98), (0.58, 0.8), (0.52, 0.6)]
         + [(0.3, 0.55), (0.1, 0.7)]],
        # Printed-style: the top arcs over and ends turned down at the right.
        [[(0.6, 0.18), (0.55, 0.05), (0.4, 0.0), (0.2, 0.08), (0.08, 0.35), (0.05, 0.65), (0.15, 0.92), (0.35, 1.0)]
         + [(0.55, 0.9), (0.6, 0.7), (0.45, 0.55), (0.2, 0.58), (0.07, 0.7)]],
    ],
    7: [[[(0.0, 0.0), (0.6, 0.0), (0.25, 1.0)]], [[(0.0, 0.05), (0.6, 0.0), (0.3, 1.0)], [(0.15, 0.5), (0.55, 0.48)]]],
    8: [
        [[(0.55, 0.1), (0.3, 0.0), (0.08, 0.12), (0.15, 0.35), (0.45, 0.55), (0.58, 0.78), (0.4, 1.0), (0.12, 0.95)]
         + [(0.05, 0.78), (0.2, 0.55), (0.45, 0.35), (0.52, 0.15), (0.45, 0.05)]],
        [[(0.3 + 0.22 * math.sin(a), 0.25 - 0.25 * math.cos(a)) for a in np.linspace(0, 2 * math.pi, 13)],
         [(0.3 + 0.28 * math.sin(a), 0.75 - 0.25 * math.cos(a)) for a in np.linspace(math.pi, 3 * math.pi, 13)]],
    ],
    9: [
        [[(0.55, 0.15), (0.4, 0.0), (0.15, 0.05), (0.05, 0.25), (0.2, 0.42), (0.45, 0.38), (0.56, 0.2), (0.56, 0.5)]
         + [(0.5, 1.0)]],
        [[(0.55, 0.15), (0.4, 0.0), (0.15, 0.05), (0.05, 0.25), (0.2, 0.42), (0.45, 0.38), (0.56, 0.2), (0.55, 0.6)]
         + [(0.45, 0.92), (0.25, 1.0)]],
    ],
}  # fmt: skip
SEED = 2029  # the sets' own, shared with nothing else
DIGITS_EACH = 8  # single digits of each kind
NUMBERS = 20  # of each kind
# Pad heights between the centre lines of two digits' strokes: the pad draws a line 0.035 wide, so at most
# TOUCHING their ink meets; at least APART, a gap shows.
TOUCHING, APART = 0.012, 0.06
STEP = 0.003  # pad heights: how far a digit is moved up to the one before at a time
OVERLAP = 0.35  # how far two touching digits may reach into each other, as a share of the narrower's width


def varied(strokes: list[Stroke], rng: np.random.Generator) -> list[Stroke]:
    """A template as one hand draws it once: leaning right up to 0.3 (or left a little), turned up to 5°,
    stretched 0.8-1.2 times as wide, each point moved by about 1.5 % of the height; its left edge at x 0."""
    lean, turn, wide = rng.uniform(-0.1, 0.3), math.radians(rng.uniform(-5, 5)), rng.uniform(0.8, 1.2)
    cos, sin = math.cos(turn), math.sin(turn)
    out = []
    for stroke in strokes:
        points = np.array(stroke, dtype=float) + rng.normal(0, 0.015, (len(stroke), 2))
        x, y = points[:, 0] * wide + lean * (1 - points[:, 1]), points[:, 1] - 0.5
        out.append(np.stack([x * cos - y * sin, 0.5 + x * sin + y * cos], 1))
    left = min(points[:, 0].min() for points in out)
    return [[(float(x - left), float(y)) for x, y in points] for points in out]


def distance(first: list[Stroke], second: list[Stroke]) -> float:
    """The least distance between the centre lines of two drawings' strokes."""
    a, b = (np.array([point for stroke in strokes for point in along(stroke, 8)]) for strokes in (first, second))
    return float(np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)).min())


def digit_drawing(digit: int, rng: np.random.Generator) -> list[Stroke]:
    templates = TEMPLATES[digit]
    return varied(templates[rng.integers(len(templates))], rng)


def single_digits(seed: int = SEED) -> dict[str, tuple[list[Stroke], str]]:
    """DIGITS_EACH drawings of each digit, each alone on the pad, half the size of the pad or more."""
    rng = np.random.default_rng(seed)
    drawings = {}
    for digit in range(10):
        for copy in range(DIGITS_EACH):
            shape = TEMPLATES[digit][copy % len(TEMPLATES[digit])]  # every way of drawing it, in turn
            height = rng.uniform(0.45, 0.7)
            drawings[f"a {digit}, drawing {copy + 1}"] = (scaled(varied(shape, rng), height, 0.3, 0.15), str(digit))
    return drawings


def number_drawing(digits: str, touching: bool, rng: np.random.Generator) -> list[list[Stroke]] | None:
    """A number written digit by digit, the strokes of each digit apart: each digit moved up to the one before
    until their strokes are within TOUCHING of each other, or a gap of 10-30 % of the height (and at least APART)
    from every digit's; the whole about 0.86 pad heights wide and 0.5 tall at most, centred, its digits' feet
    wandering a little off the line. None where two digits would have to reach more than OVERLAP of the narrower
    into each other to touch (nobody writes one digit inside another), or where the number would not fit."""
    shapes = [digit_drawing(int(digit), rng) for digit in digits]
    widths = [max(x for stroke in shape for x, _ in stroke) for shape in shapes]
    height = min(0.5, 0.86 / (sum(widths) + 0.3 * (len(digits) - 1)))
    written: list[list[Stroke]] = []
    for index, shape in enumerate(shapes):
        top = 0.25 + rng.uniform(-0.04, 0.04) * height
        if not written:
            written.append(scaled(shape, height, 0.0, top))
            continue
        right = max(x for stroke in written[-1] for x, _ in stroke)
        deepest = right - OVERLAP * height * min(widths[index - 1], widths[index])
        wanted = rng.uniform(TOUCHING / 3, TOUCHING) if touching else max(APART, rng.uniform(0.1, 0.3) * height)
        before = written[-1] if touching else [stroke for digit in written for stroke in digit]
        offset = right + 0.4 * height
        drawn = scaled(shape, height, offset, top)
        while True:  # closer, a step at a time: until they touch, or as long as the gap stays as wide as wanted
            nearer = scaled(shape, height, offset - STEP, top)
            gap = distance(nearer, before)
            if not touching and gap < wanted:
                break
            drawn, offset = nearer, offset - STEP
            if touching and gap <= wanted:
                break
            if offset < deepest:
                return None
        written.append(drawn)
    right = max(x for digit in written for stroke in digit for x, _ in stroke)
    if right > 0.96:
        return None
    return [[[(x + (1 - right) / 2, y) for x, y in stroke] for stroke in digit] for digit in written]


def numbers(touching: bool, seed: int = SEED) -> dict[str, tuple[list[Stroke], str]]:
    """NUMBERS numbers of 2 to 5 digits, with gaps or with their digits touching."""
    rng = np.random.default_rng(seed + touching)
    drawings = {}
    while len(drawings) < NUMBERS:
        digits = "".join(str(d) for d in rng.integers(0, 10, rng.integers(2, 6)))
        written = number_drawing(digits, touching, rng)
        if written is not None:
            drawings[f"the number {digits}"] = ([stroke for digit in written for stroke in digit], digits)
    return drawings
