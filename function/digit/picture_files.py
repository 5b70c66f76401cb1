"""Decoding a picture file (PNG or JPEG) into an array the pixel contract accepts, within size limits that
keep a small hostile file from becoming a huge image in memory."""

import io

import numpy as np
from PIL import Image, ImageOps

FORMATS = ("PNG", "JPEG")
MAX_PIXELS = 1024 * 1024


class ImageError(ValueError):
    """The bytes are not a picture this project reads; the message is for the client."""


def decode(data: bytes, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """PNG or JPEG bytes → (H, W) grey, (H, W, 2) grey+alpha, (H, W, 3) RGB or (H, W, 4) RGBA uint8 array.

    The size is checked from the header, before any pixel is decoded."""
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as picture:
            if picture.width * picture.height > max_pixels:
                raise ImageError(
                    f"the image is {picture.width}x{picture.height} pixels, more than the {max_pixels:,} pixels allowed"
                )
            picture = ImageOps.exif_transpose(picture)
            if picture.mode not in ("L", "LA", "RGB", "RGBA"):
                picture = picture.convert("RGBA" if picture.has_transparency_data else "RGB")
            return np.asarray(picture)
    except ImageError:
        raise
    except Image.DecompressionBombError as error:  # Pillow's own guard, for sizes far beyond ours
        raise ImageError(f"the image has more than the {max_pixels:,} pixels allowed") from error
    except Exception as error:  # Pillow reports a malformed file through many exception types
        raise ImageError("the data is not a readable PNG or JPEG image") from error
