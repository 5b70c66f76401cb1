"""Pictures an attacker would send: small files that a careless decoder turns into seconds of CPU or hundreds of
megabytes. The benchmark measures what they cost the function, and the tests that it refuses or reads them."""

import io
import struct

import numpy as np
from PIL import Image

from digit.picture_files import MAX_PIXELS, jpeg_segments


def png(array: np.ndarray, **options) -> bytes:
    out = io.BytesIO()
    Image.fromarray(array).save(out, "PNG", optimize=True, **options)
    return out.getvalue()


def long_line(width: int = MAX_PIXELS, height: int = 1) -> bytes:
    """A white picture one pixel high and a million wide (or the other way round), with a little ink at each
    end: about a kilobyte, within the pixel limit, and a digit to the contract."""
    picture = np.full((height, width), 255, np.uint8)
    ends = picture.reshape(-1)
    ends[:5] = ends[-5:] = 0
    return png(picture)


def jpeg_of_repeated_scans(scans: int, side: int = 1024) -> bytes:
    """A progressive JPEG `side` pixels square whose last scan, a few dozen bytes that send the decoder over
    every block of the picture again, is repeated until the file holds `scans` scans."""
    picture = np.full((side, side), 255, np.uint8)
    picture[side // 8 : -side // 8, side // 2 : side // 2 + side // 50] = 0
    out = io.BytesIO()
    Image.fromarray(picture).save(out, "JPEG", progressive=True, quality=90)
    data = out.getvalue()
    segments = [(marker, data[start:end]) for marker, start, end in jpeg_segments(data)]
    last_scan = max(index for index, (marker, _) in enumerate(segments) if marker == 0xDA)
    before = b"".join(segment for _, segment in segments[:last_scan])
    held = sum(marker == 0xDA for marker, _ in segments[:last_scan])
    return b"\xff\xd8" + before + segments[last_scan][1] * (scans - held) + b"\xff\xd9"


def exif_with_entries(entries: int, orientation: int = 6, byte_order: str = "<") -> bytes:
    """A TIFF structure for EXIF whose first directory holds `entries` entries, the orientation tag the last."""
    padding = b"".join(struct.pack(f"{byte_order}HHII", 0x9000 + index % 4096, 3, 1, 0) for index in range(entries - 1))
    orientation_entry = struct.pack(f"{byte_order}HHIHH", 0x0112, 3, 1, orientation, 0)
    header = (b"II*\x00" if byte_order == "<" else b"MM\x00*") + struct.pack(f"{byte_order}I", 8)
    return header + struct.pack(f"{byte_order}H", entries) + padding + orientation_entry + b"\x00" * 4


def sideways_digit_with_exif(entries: int) -> tuple[bytes, np.ndarray]:
    """A PNG of a 7 lying on its side whose EXIF, of `entries` entries, says to turn it upright; and the
    upright picture."""
    upright = np.full((60, 40), 255, np.uint8)
    upright[8:12, 6:34] = 0  # the 7's bar
    upright[12:52, 28:32] = 0  # its stem
    sideways = np.rot90(upright)  # turned left: EXIF orientation 6 turns it right again
    return png(sideways, exif=exif_with_entries(entries)), upright
