"""Picture files decoded within bounds that the file's size sets: a JPEG's scans counted before it is decoded,
and EXIF read for its orientation alone."""

import io

import numpy as np
import pytest
from PIL import Image, ImageOps

from bench.hostile import exif_with_entries, jpeg_of_repeated_scans, png, sideways_digit_with_exif
from digit.picture_files import MAX_JPEG_SCANS, ImageError, decode, exif_orientation, jpeg_scans


def jpeg(array: np.ndarray, **options) -> bytes:
    out = io.BytesIO()
    Image.fromarray(array).save(out, "JPEG", **options)
    return out.getvalue()


PHOTO = np.random.default_rng(0).integers(0, 256, (120, 90, 3), dtype=np.uint8)


def test_scans_are_counted_from_the_markers():
    assert jpeg_scans(jpeg(PHOTO), 1000) == 1  # baseline: one scan
    assert jpeg_scans(jpeg(PHOTO, progressive=True), 1000) == 10  # libjpeg's progressive script
    assert jpeg_scans(jpeg_of_repeated_scans(500, side=64), 1000) == 500
    assert jpeg_scans(jpeg_of_repeated_scans(500, side=64), 20) == 21  # it stops counting past the limit


def test_a_jpeg_of_more_scans_than_the_limit_is_refused_before_it_is_decoded():
    at_limit = decode(jpeg_of_repeated_scans(MAX_JPEG_SCANS, side=64))
    assert at_limit.shape == (64, 64)
    with pytest.raises(ImageError, match=f"the JPEG has more than {MAX_JPEG_SCANS} scans; a photo has about ten"):
        decode(jpeg_of_repeated_scans(MAX_JPEG_SCANS + 1, side=64))


@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize("write", [png, jpeg])
def test_each_exif_orientation_is_turned_upright_as_pillow_would(orientation, write):
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = write(PHOTO[:, :60, 0], exif=exif.tobytes())
    with Image.open(io.BytesIO(data)) as picture:
        expected = np.asarray(ImageOps.exif_transpose(picture))
    np.testing.assert_array_equal(decode(data), expected)


def test_the_orientation_is_found_among_tens_of_thousands_of_entries_without_parsing_them():
    data, upright = sideways_digit_with_exif(60_000)
    np.testing.assert_array_equal(decode(data), upright)


@pytest.mark.parametrize(
    "exif, orientation",
    [
        (b"Exif\x00\x00" + exif_with_entries(3, 8, ">"), 8),  # big-endian
        (b"Exif\x00\x00" + exif_with_entries(1, 3), 3),
        (b"Exif\x00\x00" + exif_with_entries(3, 9), 1),  # no such orientation
        (b"Exif\x00\x00" + exif_with_entries(70, 6)[:200], 1),  # cut short: the entries it holds have none
        (b"Exif\x00\x00II*\x00\xff\xff\xff\xff", 1),  # a directory beyond the data
        (b"Exif\x00\x00XX*\x00\x08\x00\x00\x00", 1),  # no byte order
        (b"", 1),
    ],
)
def test_exif_orientation_reads_what_is_there_and_nothing_else(exif, orientation):
    assert exif_orientation(exif) == orientation
