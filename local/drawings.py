"""What the page is drawn with, by the browser tests, the benchmark and the README's screenshot: digits and
numbers as a person draws them with the mouse, and the habits that finish some people's 6s and 9s, each as
strokes of points in pad heights from the pad's top left corner, as the page keeps them."""

import math

Stroke = list[tuple[float, float]]  # points in pad heights from its top left corner, as the page keeps them


def ellipse(centre_x: float, centre_y: float, radius_x: float, radius_y: float, points: int = 24) -> Stroke:
    """A closed loop, starting at the top and drawn anticlockwise, as most people write a 0."""
    angles = [math.pi / 2 + 2 * math.pi * i / points for i in range(points + 1)]
    return [(centre_x + radius_x * math.cos(a), centre_y - radius_y * math.sin(a)) for a in angles]


# Digits as a person draws them, one list of strokes each, filling most of a square pad.
DIGITS: dict[int, list[Stroke]] = {
    0: [ellipse(0.5, 0.5, 0.2, 0.3)],
    1: [[(0.45, 0.3), (0.55, 0.2), (0.55, 0.8)]],
    2: [[(0.32, 0.33), (0.4, 0.23), (0.52, 0.2), (0.63, 0.25), (0.66, 0.36), (0.6, 0.48), (0.32, 0.8), (0.7, 0.8)]],
    3: [
        [(0.32, 0.26), (0.45, 0.2), (0.6, 0.23), (0.64, 0.34), (0.56, 0.45), (0.45, 0.49), (0.58, 0.53), (0.66, 0.64)],
        [(0.66, 0.64), (0.62, 0.76), (0.48, 0.81), (0.32, 0.76)],
    ],
    4: [[(0.55, 0.2), (0.3, 0.6), (0.75, 0.6)], [(0.62, 0.4), (0.62, 0.82)]],
    5: [
        [(0.36, 0.21), (0.33, 0.48), (0.48, 0.44), (0.62, 0.5), (0.67, 0.64), (0.6, 0.77), (0.45, 0.81), (0.32, 0.75)],
        [(0.36, 0.21), (0.66, 0.21)],
    ],
    6: [
        [(0.62, 0.2), (0.46, 0.31), (0.36, 0.48), (0.33, 0.66), (0.41, 0.79), (0.53, 0.81), (0.64, 0.72), (0.64, 0.6)]
        + [(0.55, 0.52), (0.43, 0.53), (0.35, 0.62)]
    ],
    7: [[(0.3, 0.22), (0.7, 0.22), (0.45, 0.8)]],
    8: [ellipse(0.5, 0.34, 0.14, 0.14), ellipse(0.5, 0.64, 0.17, 0.16)],
    9: [ellipse(0.49, 0.36, 0.15, 0.15), [(0.64, 0.36), (0.62, 0.8)]],
}


def scaled(strokes: list[Stroke], scale: float, left: float, top: float) -> list[Stroke]:
    """The same strokes drawn `scale` times as large, with their (0, 0) at (left, top)."""
    return [[(left + x * scale, top + y * scale) for x, y in stroke] for stroke in strokes]


def number(
    digits: str, sizes: list[float] | None = None, height: float = 0.6, left: float = 0.1, gap: float = 0.08
) -> list[Stroke]:
    """A number as a person writes it: each digit of DIGITS `height` pad heights tall (times its share in
    `sizes`), their feet on one line, `gap` pad heights between them (the ink's gap is narrower by the pad's line
    width), starting `left` from the pad's left edge."""
    strokes: list[Stroke] = []
    foot = 0.2 + height
    for digit, size in zip(digits, sizes or [1.0] * len(digits), strict=True):
        shape = DIGITS[int(digit)]
        xs = [x for stroke in shape for x, _ in stroke]
        bottom = max(y for stroke in shape for _, y in stroke)
        scale = height * size / 0.6  # DIGITS are about 0.6 tall
        strokes += [
            [(left + (x - min(xs)) * scale, foot + (y - bottom) * scale) for x, y in stroke] for stroke in shape
        ]
        left += (max(xs) - min(xs)) * scale + gap
    return strokes


# Numbers as the page's tests and the benchmark draw them, each with its digits' height in pad heights.
NUMBERS = {"1984": 0.6, "70": 0.6, "42": 0.6, "20260501": 0.4, "3659": 0.5, "0612345678": 0.3}


# Upright, the hard way to read them: a 6 from its top down round its loop, a 9's loop and its straight stem.
SIX = [(0.56, 0.2), (0.46, 0.3), (0.4, 0.44), (0.38, 0.6), (0.42, 0.74), (0.5, 0.8), (0.58, 0.77), (0.62, 0.67)]
SIX += [(0.59, 0.57), (0.5, 0.53), (0.42, 0.57), (0.39, 0.63)]
NINE_LOOP = [(0.6, 0.3), (0.52, 0.22), (0.43, 0.25), (0.4, 0.34), (0.45, 0.43), (0.55, 0.44), (0.61, 0.36), (0.6, 0.3)]
NINE_STEM = [(0.61, 0.34), (0.61, 0.8)]


def curl_into(x: float, y: float, across: float) -> Stroke:
    """A loop `across` pad heights wide that ends at (x, y), coming down onto it from above."""
    radius = across / 2
    angles = [math.pi + 2 * math.pi * i / 11 for i in range(12)]
    return [(x + radius * math.sin(a), y - radius + radius * math.cos(a)) for a in angles][::-1]


def curl_from(x: float, y: float, across: float) -> Stroke:
    """A curl `across` pad heights wide (right of (x, y), or left where negative) going on from a stroke that
    ends at (x, y) heading down: it turns and comes back up beside the stroke."""
    return [(x + dx * across, y + dy * abs(across)) for dx, dy in ((0.3, 0.5), (1, 0.5), (1, 0), (0.5, -0.2))]


def hook_from(stroke: Stroke, across: float, side: int) -> Stroke:
    """A hook about `across` pad heights across going on from the end of `stroke`: the pen turns back, to its
    right (`side` 1) or its left (-1), as it lifts."""
    (x0, y0), (x1, y1) = stroke[-2:]
    length = math.hypot(x1 - x0, y1 - y0)
    ahead_x, ahead_y = (x1 - x0) / length, (y1 - y0) / length
    radius = across / 2
    centre_x, centre_y = x1 - side * radius * ahead_y, y1 + side * radius * ahead_x
    turns = [side * math.radians(150) * i / 10 for i in range(1, 11)]  # about to head back the way it came
    return [
        (
            centre_x + (x1 - centre_x) * math.cos(a) - (y1 - centre_y) * math.sin(a),
            centre_y + (x1 - centre_x) * math.sin(a) + (y1 - centre_y) * math.cos(a),
        )
        for a in turns
    ]


# The digits about 0.6 of the pad tall; each habit a fifth to a quarter of that unless said.
HOOKED_SIXES = {
    "a curl": [[*curl_into(*SIX[0], 0.15), *SIX]],
    "a hook": [[(SIX[0][0] + 0.045, SIX[0][1] + 0.15), (SIX[0][0] + 0.075, SIX[0][1] + 0.03), *SIX]],
    # Small, the common case: about 15 % of the 6's height, turned back either way, where the top stroke ends.
    # Drawn from its tip into the 6: the page sees only the ink, not which way the pen went.
    **{
        f"a small hook turned to the {name}": [[*hook_from(SIX[1::-1], 0.09, side)[::-1], *SIX]]
        for name, side in (("right", 1), ("left", -1))
    },
}
CURLED_NINES = {
    "to the right": [NINE_LOOP, [*NINE_STEM, *curl_from(*NINE_STEM[-1], 0.12)]],
    "to the left": [NINE_LOOP, [*NINE_STEM, *curl_from(*NINE_STEM[-1], -0.15)]],
}


def on_the_page() -> dict[str, tuple[list[Stroke], str]]:
    """The drawings the benchmark reads on the page with the served weights, by name, each with what it is."""
    drawings = {f"the digit {digit}": (strokes, str(digit)) for digit, strokes in DIGITS.items()}
    for digits, height in NUMBERS.items():
        drawings[f"the number {digits}"] = (number(digits, height=height), digits)
    drawings |= {f"a 6 whose top ends in {habit}": (strokes, "6") for habit, strokes in HOOKED_SIXES.items()}
    drawings |= {f"a 9 whose tail curls {way}": (strokes, "9") for way, strokes in CURLED_NINES.items()}
    return drawings
