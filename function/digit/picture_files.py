"""Decoding a picture file (PNG or JPEG) into an array the pixel contract accepts, within bounds of memory and
CPU that the file's size sets, not what a decoder would make of it: its pixels are counted from its header, a
JPEG's scans (each a pass of the decoder over every pixel) from its markers, both before any pixel is decoded,
and of its EXIF only the orientation tag is read."""

import io
import re
from collections.abc import Iterator

import numpy as np
from PIL import Image

FORMATS = ("PNG", "JPEG")
MAX_PIXELS = 1024 * 1024
# Progressive JPEGs from cameras, browsers and image tools have about ten scans; each costs the decoder a pass
# over every block of the picture, and a hostile file can hold tens of thousands in a few bytes each.
MAX_JPEG_SCANS = 100
# How EXIF's orientation (1 = upright) is undone, as cameras that save a picture sideways say it should be.
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_ORIENTATION_TAG = 0x0112
# In a JPEG's entropy-coded data, 0xFF is followed by 0x00 (a stuffed byte) or a restart marker; anything else
# is the next marker.
_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7]")
_MARKERS_WITHOUT_LENGTH = {0x01, *range(0xD0, 0xD8)}  # TEM and the restart markers
_START_OF_SCAN, _END_OF_IMAGE = 0xDA, 0xD9


class ImageError(ValueError):
    """The bytes are not a picture this project reads; the message is for the client."""


def decode(data: bytes, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """PNG or JPEG bytes → (H, W) grey, (H, W, 2) grey+alpha, (H, W, 3) RGB or (H, W, 4) RGBA uint8 array,
    turned upright as its EXIF orientation says."""
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as picture:
            if picture.width * picture.height > max_pixels:
                raise ImageError(
                    f"the image is {picture.width}x{picture.height} pixels, more than the {max_pixels:,} pixels allowed"
                )
            if picture.format == "JPEG" and jpeg_scans(data, MAX_JPEG_SCANS) > MAX_JPEG_SCANS:
                raise ImageError(f"the JPEG has more than {MAX_JPEG_SCANS} scans; a photo has about ten")
            upright = _UPRIGHT.get(exif_orientation(picture.info.get("exif", b"")))
            if upright is not None:
                picture = picture.transpose(upright)
            if picture.mode not in ("L", "LA", "RGB", "RGBA"):
                picture = picture.convert("RGBA" if picture.has_transparency_data else "RGB")
            return np.asarray(picture)
    except ImageError:
        raise
    except Image.DecompressionBombError as error:  # Pillow's own guard, for sizes far beyond ours
        raise ImageError(f"the image has more than the {max_pixels:,} pixels allowed") from error
    except Exception as error:  # Pillow reports a malformed file through many exception types
        raise ImageError("the data is not a readable PNG or JPEG image") from error


def jpeg_scans(data: bytes, most: int) -> int:
    """How many scans (start-of-scan segments) the JPEG `data` holds, read from its markers without decoding it;
    the count stops once it is past `most`. A malformed file is counted as far as it can be read: the decoder
    then refuses it."""
    scans = 0
    for marker, _, _ in jpeg_segments(data):
        scans += marker == _START_OF_SCAN
        if scans > most:
            break
    return scans


def jpeg_segments(data: bytes) -> Iterator[tuple[int, int, int]]:
    """The marker of each segment of the JPEG `data` after its start-of-image, with where the segment begins and
    ends, a scan's entropy-coded data in its segment, up to the end-of-image; a malformed file as far as it can
    be read."""
    position = 2  # after the start-of-image marker
    while position + 4 <= len(data) and data[position] == 0xFF:
        marker = data[position + 1]
        if marker == _END_OF_IMAGE:
            return
        if marker == 0xFF or marker in _MARKERS_WITHOUT_LENGTH:  # a fill byte, or a marker on its own
            end = position + (1 if marker == 0xFF else 2)
        else:
            end = position + 2 + int.from_bytes(data[position + 2 : position + 4], "big")
        if marker == _START_OF_SCAN:
            following = _NEXT_MARKER.search(data, end)  # past the scan's entropy-coded data
            end = following.start() if following else len(data)
        yield marker, position, end
        position = end


def exif_orientation(exif: bytes) -> int:
    """The orientation tag (1 to 8) of raw EXIF data, as Pillow gives it ("Exif\\0\\0" and a TIFF structure),
    read from the first directory's entries all at once; 1 (upright) where there is none or it cannot be read.
    The rest of the EXIF, which may hold tens of thousands of entries, is never parsed."""
    tiff = exif[6:] if exif.startswith(b"Exif\x00\x00") else b""
    byte_order = {b"II": "little", b"MM": "big"}.get(tiff[:2])
    if byte_order is None or len(tiff) < 8:
        return 1
    directory = int.from_bytes(tiff[4:8], byte_order)
    count = min(int.from_bytes(tiff[directory : directory + 2], byte_order), (len(tiff) - directory - 2) // 12)
    if count <= 0:
        return 1
    # An entry is 12 bytes: its tag, type, count, and a value whose first 2 bytes hold a short number.
    short = "<u2" if byte_order == "little" else ">u2"
    entry = np.dtype({"names": ["tag", "value"], "formats": [short, short], "offsets": [0, 8], "itemsize": 12})
    entries = np.frombuffer(tiff, entry, count, directory + 2)
    found = entries["value"][entries["tag"] == _ORIENTATION_TAG]
    return int(found[0]) if found.size and 1 <= found[0] <= 8 else 1
