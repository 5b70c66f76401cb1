"""Reading request bodies: every accepted form, and a precise message for every bad one."""

import base64
import io
import json

import numpy as np
import pytest
from PIL import Image

from digit import reading
from digit.payload import MAX_DIGITS, MAX_IMAGES, BadRequest, parse_body
from digit.pixels import to_mnist
from digit.split import to_mnist_digits
from tests.helpers import EMPTY, NOT_JSON, ONE, csv

FORMS = "image: expected a string of 784 comma-separated numbers, a list of 784 numbers or a 28x28 list of lists"


def body(value) -> bytes:
    return json.dumps(value).encode()


def png(array: np.ndarray, mode: str) -> str:
    buffer = io.BytesIO()
    Image.fromarray(array.astype(np.uint8), mode).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def rejects(raw: bytes, message: str) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_body(raw)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "image",
    [
        csv(ONE),
        ",".join(str(float(v)) for v in ONE.ravel()),  # "255.0"
        csv(ONE, " , "),  # spaces around separators
        csv(ONE, ",\n"),  # line breaks between values, which float() accepts as spaces
        ONE.ravel().tolist(),
        ONE.astype(float).ravel().tolist(),
        ONE.tolist(),  # 28x28
    ],
    ids=["csv", "csv-floats", "csv-spaces", "csv-line-breaks", "list", "list-floats", "nested"],
)
def test_every_form_of_one_image_reads_the_same(image):
    query = parse_body(body({"image": image}))
    assert not query.batch and not query.from_picture
    assert query.images.dtype == np.float32 and query.images.shape == (1, 28, 28)
    np.testing.assert_array_equal(query.images[0], ONE)


def test_fractional_and_exponent_values_are_numbers():
    values = ["0"] * 784
    values[3], values[4], values[5] = "12.5", "1e2", "-0"
    image = parse_body(body({"image": ",".join(values)})).images[0].ravel()
    assert image[3:6].tolist() == [12.5, 100.0, 0.0]


@pytest.mark.parametrize(
    ("written", "value"),
    [("+12", 12.0), (".5", 0.5), ("7.", 7.0), ("012", 12.0), (" 3 ", 3.0), ("1E1", 10.0), ("\f4", 4.0)],
)
def test_number_forms_that_json_lacks_read_as_numbers_too(written, value):
    values = ["0"] * 783 + [written]
    assert parse_body(body({"image": ",".join(values)})).images[0, 27, 27] == value


@pytest.mark.parametrize("digits", [400, 5000])  # beyond float range, and beyond Python's int parsing limit
def test_an_integer_too_long_for_a_float_is_outside_the_range(digits):
    values = ["0"] * 783 + ["9" * digits]
    rejects(body({"image": ",".join(values)}), "image: value inf at index 783 is not a finite number")


def test_a_batch_keeps_its_order_and_mixes_forms():
    other = 255 - ONE
    query = parse_body(body({"images": [csv(ONE), other.tolist()]}))
    assert query.batch and query.images.shape == (2, 28, 28)
    np.testing.assert_array_equal(query.images[1], other)


def test_the_body_is_json_whatever_the_encoding_json_allows():
    raw = json.dumps({"image": csv(ONE)}).encode("utf-16")
    np.testing.assert_array_equal(parse_body(raw).images[0], ONE)


@pytest.mark.parametrize("mode,array", [("L", 255 - ONE), ("RGBA", np.dstack([ONE * 0] * 3 + [ONE]))])
def test_a_png_goes_through_the_pixel_contract(mode, array):
    query = parse_body(body({"png": png(array, mode)}))
    assert query.from_picture and not query.batch
    assert query.images.shape == (1, 28, 28)
    rows, cols = np.nonzero(query.images[0])
    assert (rows.min(), rows.max()) == (5, 24)  # 20 tall, centre of mass 9.5 + 5 → 14.5, the nearest to 14 it can be


def test_a_png_may_be_a_data_url_with_line_breaks():
    encoded = png(255 - ONE, "L")
    wrapped = "\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))
    query = parse_body(body({"png": "data:image/png;base64," + wrapped}))
    assert query.images[0].max() == 255


LONG = csv([0] * 783 + [255])


@pytest.mark.parametrize(
    "raw,message",
    [
        (b"", EMPTY),
        (b"  \n", EMPTY),
        (b"{", NOT_JSON + " (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"),
        (b"0,0,0", "the request body is not valid JSON (Extra data: line 1 column 2 (char 1))"),
        (b"\xff\xfe\xfa", "the request body is not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "the request body is not valid JSON"),
        (
            body([1, 2]),
            'expected a JSON object such as {"image": "0,0,...,255"} (784 comma-separated values), got a list',
        ),
        (body({}), "expected exactly one of the fields image, images or png; got none"),
        (body({"pixels": LONG}), "expected exactly one of the fields image, images or png; got none"),
        (
            body({"image": LONG, "png": "x"}),
            "expected exactly one of the fields image, images or png; got image and png",
        ),
    ],
    ids=["empty", "blank", "truncated", "not-json", "not-utf", "deep", "list", "no-field", "unknown", "two-fields"],
)
def test_bodies_that_are_not_a_request(raw, message):
    rejects(raw, message)


def with_value(index: int, value: str) -> str:
    values = ["0"] * 783 + ["255"]
    values[index] = value
    return ",".join(values)


@pytest.mark.parametrize(
    "image,message",
    [
        (csv([0] * 783), "image: expected 784 values, got 783"),
        (csv([0] * 785), "image: expected 784 values, got 785"),
        ("", "image: expected 784 values, got 1"),
        (LONG + ",", "image: expected 784 values, got 785"),
        (with_value(12, "300"), "image: value 300 at index 12 is outside 0..255"),
        (with_value(0, "-1"), "image: value -1 at index 0 is outside 0..255"),
        (with_value(780, "255.5"), "image: value 255.5 at index 780 is outside 0..255"),
        (with_value(5, "abc"), "image: value 'abc' at index 5 is not a number"),
        (with_value(5, ""), "image: value '' at index 5 is not a number"),
        (with_value(7, "nan"), "image: value 'nan' at index 7 is not a number"),
        (with_value(7, "Infinity"), "image: value 'Infinity' at index 7 is not a number"),
        (with_value(9, "1e999"), "image: value inf at index 9 is not a finite number"),
        (with_value(2, "1_0"), "image: value '1_0' at index 2 is not a number"),
        (with_value(2, "\u0661"), "image: value '\u0661' at index 2 is not a number"),
        (with_value(2, "0x10"), "image: value '0x10' at index 2 is not a number"),
        (with_value(2, "1e"), "image: value '1e' at index 2 is not a number"),
        (with_value(2, "x" * 1000), "image: value 'xxxxxxxxxxxxxxxxxxx… at index 2 is not a number"),
        ([0] * 783, "image: expected 784 values, got 783"),
        ([0] * 100 + [256] + [0] * 683, "image: value 256 at index 100 is outside 0..255"),
        ([0] * 100 + ["7"] + [0] * 683, "image: value '7' at index 100 is a string, not a number"),
        ([0] * 100 + [True] + [0] * 683, "image: value True at index 100 is a boolean, not a number"),
        ([0] * 100 + [None] + [0] * 683, "image: value None at index 100 is null, not a number"),
        ([0] * 100 + [[0]] + [0] * 683, "image: value [0] at index 100 is a list, not a number"),
        ([0] * 100 + [10**400] + [0] * 683, "image: value 10000000000000000000… at index 100 is outside 0..255"),
        ([[0] * 28] * 27 + [[0] * 27], "image: row 27 has 27 values, expected 28"),
        ([[0] * 28] * 3 + [[0] * 27 + [-5]] + [[0] * 28] * 24, "image: value -5 at row 3, column 27 is outside 0..255"),
        ([], "image: expected 784 values, got 0"),
        (csv([0] * 784), "image: every value is 0, so there is no digit to read"),
        ([[0] * 28] * 28, "image: every value is 0, so there is no digit to read"),
        (7, FORMS + ", got a number"),
        ({"a": 1}, FORMS + ", got an object"),
        (None, FORMS + ", got null"),
    ],
)
def test_bad_images_are_explained(image, message):
    rejects(body({"image": image}), message)


def test_nan_and_infinity_literals_in_json_lists_are_refused():
    rejects(b'{"image": [NaN' + b", 0" * 783 + b"]}", "image: value nan at index 0 is not a finite number")
    rejects(b'{"image": [0, -Infinity' + b", 0" * 782 + b"]}", "image: value -inf at index 1 is not a finite number")


@pytest.mark.parametrize(
    "images,message",
    [
        ([], "images: the list is empty"),
        (LONG, "images: expected a list of images, got a string"),
        ([LONG] * (MAX_IMAGES + 1), f"images: {MAX_IMAGES + 1} images sent, at most {MAX_IMAGES} per request"),
        ([LONG, LONG, with_value(3, "999")], "images[2]: value 999 at index 3 is outside 0..255"),
        # The first image in error is named, whichever its error: out of range here, not a number further on.
        ([LONG, with_value(5, "300"), LONG, with_value(7, "x")], "images[1]: value 300 at index 5 is outside 0..255"),
        ([LONG, with_value(7, "x"), with_value(5, "300")], "images[1]: value 'x' at index 7 is not a number"),
        ([LONG, csv([0] * 784)], "images[1]: every value is 0, so there is no digit to read"),
    ],
)
def test_bad_batches_are_explained(images, message):
    rejects(body({"images": images}), message)


def test_a_full_batch_is_accepted():
    assert parse_body(body({"images": [LONG] * MAX_IMAGES})).images.shape == (MAX_IMAGES, 28, 28)


def test_every_whole_number_reads_exactly_in_a_batch_of_text():
    images = np.random.default_rng(0).integers(0, 256, (MAX_IMAGES, 28, 28))
    images[0].flat[:256] = np.arange(256)  # every value, of one, two and three digits
    query = parse_body(body({"images": [csv(image) for image in images]}))
    np.testing.assert_array_equal(query.images, images)


@pytest.mark.parametrize(
    "value,message",
    [
        (12, "png: expected a base64 string or a data: URL, got a number"),
        ("not base64!", "png: not valid base64"),
        ("iVBORw0KGgoAAAANSUhEUgAA", "png: the data is not a readable PNG or JPEG image"),
        (base64.b64encode(b"GIF89a" + b"\0" * 40).decode(), "png: the data is not a readable PNG or JPEG image"),
        (png(np.full((30, 30), 255), "L"), "png: the image has no ink: draw or write a digit"),
        (png(np.zeros((30, 30, 4)), "RGBA"), "png: the image is fully transparent"),
    ],
    ids=["number", "base64", "truncated", "gif", "blank", "transparent"],
)
def test_bad_pictures_are_explained(value, message):
    rejects(body({"png": value}), message)


def test_a_picture_too_large_is_refused_before_it_is_decoded():
    buffer = io.BytesIO()
    Image.new("L", (1025, 1024), 255).save(buffer, "PNG")  # compresses to a few kB
    rejects(
        body({"png": base64.b64encode(buffer.getvalue()).decode()}),
        "png: the image is 1025x1024 pixels, more than the 1,048,576 pixels allowed",
    )


def bars(count: int) -> np.ndarray:
    """`count` upright bars of unequal heights on white paper, a gap between each: a number of 1s."""
    paper = np.full((60, 12 * count + 8), 255, dtype=np.uint8)
    for index in range(count):
        paper[10 + index % 3 * 5 : 50, 8 + 12 * index : 12 + 12 * index] = 0
    return paper


def test_a_png_with_number_is_split_into_its_digits_left_to_right():
    query = parse_body(body({"png": png(bars(3), "L"), "number": True}))
    assert query.cuts is not None and query.from_picture and not query.batch
    assert query.cuts.pieces == [1, 1, 1]  # digits apart, none wide enough to cut
    assert query.images.shape == (3, 28, 28) and query.images.dtype == np.float32
    np.testing.assert_array_equal(query.images, to_mnist_digits(bars(3)))


def test_a_png_of_digits_that_touch_is_cut_into_candidates_among_them_the_split():
    touching = bars(4)
    touching[28:31, 8:48] = 0  # a stroke across all four
    query = parse_body(body({"png": png(touching, "L"), "number": True}))
    assert query.cuts.pieces[0] > 1 and len(query.cuts.pieces) < len(query.images) <= MAX_IMAGES
    np.testing.assert_array_equal(query.images[reading.uncut(query.cuts)], to_mnist_digits(touching))


@pytest.mark.parametrize("extra", [{}, {"number": False}], ids=["without", "false"])
def test_a_png_without_number_is_one_digit_as_before(extra):
    query = parse_body(body({"png": png(bars(3), "L"), **extra}))
    assert query.cuts is None and query.from_picture
    np.testing.assert_array_equal(query.images, to_mnist(bars(3))[np.newaxis])


def test_a_number_may_have_as_many_digits_as_the_limit():
    assert parse_body(body({"png": png(bars(MAX_DIGITS), "L"), "number": True})).images.shape == (MAX_DIGITS, 28, 28)


@pytest.mark.parametrize(
    "request_,message",
    [
        ({"png": png(bars(2), "L"), "number": "true"}, "number: expected true or false, got a string"),
        ({"png": png(bars(2), "L"), "number": 1}, "number: expected true or false, got a number"),
        ({"png": png(bars(2), "L"), "number": None}, "number: expected true or false, got null"),
        ({"image": csv(ONE), "number": True}, "number: only a picture (png) is read as a number, not image"),
        ({"images": [csv(ONE)], "number": True}, "number: only a picture (png) is read as a number, not images"),
        ({"image": csv(ONE), "number": "no"}, "number: expected true or false, got a string"),
        (
            {"png": png(bars(MAX_DIGITS + 1), "L"), "number": True},
            f"png: {MAX_DIGITS + 1} digits found; a number is read up to {MAX_DIGITS} digits",
        ),
        ({"png": png(np.full((30, 90), 255), "L"), "number": True}, "png: the image has no ink: draw or write a digit"),
        ({"png": "not base64!", "number": True}, "png: not valid base64"),
        (
            {"png": png(np.tile(np.array([0, 255], np.uint8), (101, 500)), "L"), "number": True},
            "png: the ink is in too many pieces to be a number (50,500 runs along the rows, at most 50,000)",
        ),
    ],
    ids=["text", "one", "null", "image", "images", "image-text", "too-many", "no-ink", "base64", "scattered"],
)
def test_bad_numbers_are_explained(request_, message):
    rejects(body(request_), message)
