"""Proxy sets: how the model reads handwriting it was never trained on, built here from what the project may
use (no other handwriting dataset, which is for evaluation only): the test digits as low-resolution scans,
digits in the handwriting fonts held out of training, fresh drawings of the continental styles and of the
writing habits (hooks, serifs, curls and loops), each also at low resolution. Their seeds differ from
training's, so no picture here was trained on."""

import keras
import numpy as np
from PIL import Image

from train import fit, habits, synthetic

SEED = 1000  # training's seeds are small: these drawings are others
FONT_COPIES = 4
EACH_FONT_COPIES = 20
STYLE_COPIES = 40
HABIT_COPIES = 40
# The scans the low-resolution sets imitate: 8x8, enlarged smoothly, with the digit's box padded square or
# stretched to fill it (as size-normalising scanners did), and 12x12 enlarged as blocks.
SCANS = {
    "at 8x8": (8, Image.BICUBIC, False),
    "at 8x8, stretched": (8, Image.BICUBIC, True),
    "at 12x12": (12, Image.NEAREST, False),
}


def sets(x_test: np.ndarray, y_test: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each proxy set by name, as (images, labels)."""
    rng = np.random.default_rng(SEED)
    found = {f"test digits {name}": (low(x_test, *scan), y_test) for name, scan in SCANS.items()}
    drawn = {"held-out fonts": synthetic.font_digits(synthetic.handwriting_fonts(held_out=True), FONT_COPIES, rng)}
    drawn["continental styles"] = synthetic.styled_digits(STYLE_COPIES, rng)
    drawn["hooks and curls"] = habits.habit_digits(HABIT_COPIES, rng)
    for name, (images, labels) in drawn.items():
        found[name] = (images, labels)
        for scan in ("at 8x8", "at 8x8, stretched"):
            found[f"{name} {scan}"] = (low(images, *SCANS[scan]), labels)
    # Each held-out font alone, in more pictures than above, so that a font read worse than the others shows:
    # drawn from a generator of their own, which leaves the sets above as they were.
    each = np.random.default_rng(SEED + 1)
    for path in synthetic.handwriting_fonts(held_out=True):
        found[f"held-out font {path.stem}"] = synthetic.font_digits([path], EACH_FONT_COPIES, each)
    return found


def low(images: np.ndarray, side: int, resample: int, stretch: bool) -> np.ndarray:
    copies = [synthetic.low_resolution(image, side, resample, stretch) for image in images]
    return np.array(copies, dtype=np.uint8).reshape(-1, *images.shape[1:])


def measure_one(model: keras.Model, proxy: tuple[np.ndarray, np.ndarray]) -> dict:
    images, labels = proxy
    result = fit.evaluate(model, images, labels)
    present = np.bincount(labels, minlength=10) > 0  # the styles are of five digits only
    per_digit = [a if shown else None for a, shown in zip(result.per_class_accuracy, present, strict=True)]
    return {"images": len(images), "accuracy": round(result.accuracy, 4), "per_class_accuracy": per_digit}


def measure(model: keras.Model, proxies: dict[str, tuple[np.ndarray, np.ndarray]]) -> dict[str, dict]:
    """Each set's size, accuracy and accuracy per digit (None for a digit it lacks)."""
    return {name: measure_one(model, proxy) for name, proxy in proxies.items()}


def summary(results: dict[str, dict]) -> str:
    """The results as lines for the person training."""
    lines = ["proxy sets (never trained on), read right overall and per digit:"]
    for name, result in results.items():
        digits = " ".join(f"{d}:{a:.0%}" for d, a in enumerate(result["per_class_accuracy"]) if a is not None)
        lines.append(f"  {name:<38} {result['accuracy']:6.1%}  {digits}")
    return "\n".join(lines)
