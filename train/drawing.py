"""Drawing digits as a pen would, for the digits training makes (train/synthetic.py, train/habits.py): strokes
on a large canvas, turned, slanted, thickened or thinned, and read through the pixel contract as anything the
function reads is."""

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from digit.pixels import SIZE, EmptyImageError, to_mnist

CANVAS = 112  # pixels: the side of the picture a synthetic digit is drawn in before the contract

Stroke = list[tuple[float, float]]  # points in fractions of the canvas, (0, 0) its top left corner


def ellipse(cx: float, cy: float, rx: float, ry: float, start: float = 0.0, turn: float = 1.0) -> Stroke:
    """Points on an ellipse from angle `start` (in turns, 0 at the right, anticlockwise) for `turn` turns."""
    angles = 2 * np.pi * (start + turn * np.linspace(0, 1, 25))
    return [(cx + rx * np.cos(a), cy - ry * np.sin(a)) for a in angles]


def drawn(
    drawings: list[tuple[int, list[Stroke]]], rng: np.random.Generator, jitter: float
) -> tuple[np.ndarray, np.ndarray]:
    """Each (digit, strokes) drawn: each point moved by `jitter` (a standard deviation, in canvas sides), the
    line of a random width with round ends, distorted, and read through the contract."""
    images, labels = [], []
    for digit, strokes in drawings:
        canvas = Image.new("L", (CANVAS, CANVAS), 0)
        draw = ImageDraw.Draw(canvas)
        width = int(rng.uniform(0.06, 0.15) * CANVAS)
        for stroke in strokes:
            points = [(CANVAS * (x + rng.normal(0, jitter)), CANVAS * (y + rng.normal(0, jitter))) for x, y in stroke]
            draw.line(points, fill=255, width=width, joint="curve")
            for x, y in (points[0], points[-1]):  # round ends
                draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=255)
        image = contract(distorted(canvas, rng))
        if image is not None:
            images.append(image)
            labels.append(digit)
    return np.array(images, dtype=np.uint8).reshape(-1, SIZE, SIZE), np.array(labels, dtype=np.int64)


def distorted(canvas: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Turned by up to 12 degrees, slanted by up to 0.3, and its strokes thickened or thinned."""
    slant = rng.uniform(-0.3, 0.3)
    canvas = canvas.transform(canvas.size, Image.AFFINE, (1, slant, -slant * CANVAS / 2, 0, 1, 0), Image.BILINEAR)
    canvas = canvas.rotate(rng.uniform(-12, 12), Image.BILINEAR)
    change = int(rng.integers(-1, 3))  # -1: thinner, 0: as drawn, 1 or 2: thicker
    if change:
        size = 2 * abs(change) + 1
        canvas = canvas.filter(ImageFilter.MaxFilter(size) if change > 0 else ImageFilter.MinFilter(size))
    return canvas


def contract(canvas: Image.Image) -> np.ndarray | None:
    try:
        return to_mnist(np.asarray(canvas))
    except EmptyImageError:  # thinned away
        return None
