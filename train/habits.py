"""The habits of a pen, which MNIST's writers rarely show: strokes that end in a hook, a serif or a curl, and
small loops where a stroke turns, added to plain digits drawn stroke by stroke."""

from collections.abc import Callable

import numpy as np

from train.drawing import Stroke, drawn, ellipse

# Plain digits as a pen draws them, stroke by stroke, for the habits below to be added to.
PLAIN: dict[int, Callable[[], list[Stroke]]] = {
    0: lambda: [ellipse(0.5, 0.5, 0.26, 0.38, 0.25, 1)],
    1: lambda: [[(0.52, 0.12), (0.5, 0.88)]],
    2: lambda: [ellipse(0.5, 0.32, 0.24, 0.2, 0.55, -0.6) + [(0.24, 0.86), (0.78, 0.86)]],
    3: lambda: [ellipse(0.48, 0.3, 0.22, 0.18, 0.45, -0.7) + ellipse(0.48, 0.68, 0.25, 0.2, 0.25, -0.75)],
    4: lambda: [[(0.52, 0.12), (0.24, 0.62), (0.8, 0.62)], [(0.64, 0.3), (0.64, 0.88)]],
    5: lambda: [[(0.74, 0.14), (0.34, 0.14), (0.3, 0.46)] + ellipse(0.48, 0.64, 0.24, 0.22, 0.4, -0.85)],
    6: lambda: [[(0.62, 0.12), (0.42, 0.34), (0.3, 0.62)] + ellipse(0.5, 0.66, 0.2, 0.2, 0.5, 1)],
    7: lambda: [[(0.22, 0.14), (0.78, 0.14), (0.46, 0.88)]],
    8: lambda: [ellipse(0.5, 0.3, 0.18, 0.17, 0.25, 1) + ellipse(0.5, 0.68, 0.22, 0.2, 0.25, -1)],
    9: lambda: [ellipse(0.48, 0.3, 0.19, 0.18, 0, 1) + [(0.66, 0.52), (0.62, 0.88)]],
}
# Where people end a stroke with a hook, a serif or a curl, as (stroke, end): 0 its start, -1 its end.
STROKE_ENDS: dict[int, tuple[tuple[int, int], ...]] = {
    1: ((0, 0), (0, -1)),  # the top of a 1, and its foot
    2: ((0, 0), (0, -1)),  # the start of a 2
    3: ((0, 0), (0, -1)),  # the start of a 3, and its end
    4: ((0, 0), (1, 0), (1, -1), (0, -1)),  # the ends of a 4
    5: ((0, 0), (0, -1)),
    6: ((0, 0),),  # the top of a 6
    7: ((0, 0), (0, -1)),  # the start of a 7, and its foot
    9: ((0, -1),),  # the tail of a 9
}
# Where a stroke turns sharply, some writers leave a small loop, as (stroke, index of the point).
TURNS: dict[int, tuple[tuple[int, int], ...]] = {2: ((0, 25),), 4: ((0, 1),), 7: ((0, 1),)}
HABITS = ("hook", "serif", "curl")
HABIT_COPIES = 60  # drawings of each digit with the writing habits


def habit_digits(per_digit: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """`per_digit` drawings of each digit with the habits MNIST's writers rarely show: at each place a pen
    ends a stroke (STROKE_ENDS), at even odds, a small hook, serif or curl, of random size and direction;
    at each sharp turn (TURNS), at one in three, a small loop. A 0 and an 8 are drawn plain, as their strokes
    end inside the digit."""
    drawings = []
    for digit, strokes_of in PLAIN.items():
        for _ in range(per_digit):
            strokes = strokes_of()
            extra = []
            for index, point in TURNS.get(digit, ()):
                if rng.random() < 1 / 3:
                    strokes[index] = _looped(strokes[index], point, rng)
            for index, end in STROKE_ENDS.get(digit, ()):
                if rng.random() < 0.5:
                    strokes[index], added = _finished(strokes[index], end, HABITS[rng.integers(len(HABITS))], rng)
                    extra += added
            drawings.append((digit, strokes + extra))
    return drawn(drawings, rng, jitter=0.01)  # less than the styles': a curl's points are close together


def _finished(stroke: Stroke, end: int, habit: str, rng: np.random.Generator) -> tuple[Stroke, list[Stroke]]:
    """The stroke with a habit at one end (its start when `end` is 0), and any stroke the habit adds apart.
    The habit is small beside the digit, 6 to 24 % of the canvas (the digit's height is about 80 %): as a pen
    makes them, and as large as those that MNIST's habits had the model read as another digit (a 6 whose top
    curls into a loop read as an 8)."""
    points = stroke if end == -1 else stroke[::-1]
    (x0, y0), (x1, y1) = points[-2], points[-1]
    length = np.hypot(x1 - x0, y1 - y0) or 1.0
    ahead = np.array([(x1 - x0) / length, (y1 - y0) / length])  # the pen's direction as it reaches the end
    side = np.array([-ahead[1], ahead[0]]) * rng.choice([-1, 1])
    size = rng.uniform(0.06, 0.24)
    tip = np.array([x1, y1])
    if habit == "hook":  # the pen turns back as it lifts
        turned = tip + size * (0.6 * side - 0.8 * ahead)
        added, finished = [], [*points, tuple(tip + size * 0.3 * (ahead + side)), tuple(turned)]
    elif habit == "serif":  # a short stroke across the end
        added, finished = [[tuple(tip - size * side), tuple(tip + size * side)]], list(points)
    else:  # a curl: the stroke goes on in a small arc that turns back on itself
        radius = size / 2
        centre = tip + radius * side
        start = np.arctan2(*(tip - centre)[::-1])
        clockwise = ahead[0] * side[1] - ahead[1] * side[0]  # ±1: which way the arc turns to start along `ahead`
        turns = np.linspace(0, rng.uniform(0.6, 0.9) * 2 * np.pi, 10) * clockwise
        arc = [tuple(centre + radius * np.array([np.cos(start + a), np.sin(start + a)])) for a in turns[1:]]
        added, finished = [], [*points, *arc]
    return (finished if end == -1 else finished[::-1]), added


def _looped(stroke: Stroke, point: int, rng: np.random.Generator) -> Stroke:
    """The stroke with a small loop where it turns at `point`: 4 to 8 % of the canvas across."""
    x, y = stroke[point]
    radius = rng.uniform(0.02, 0.04)
    angles = np.linspace(0, 2 * np.pi, 12)
    loop = [(x + radius * (np.cos(a) - 1), y + radius * np.sin(a)) for a in angles]
    return [*stroke[:point], *loop, *stroke[point + 1 :]]
