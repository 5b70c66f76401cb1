"""The pixel contract's split of a number into its digits, on pictures drawn here with known answers."""

import numpy as np
import pytest
from PIL import Image, ImageDraw

from digit import split as split_module
from digit.pixels import FIT, EmptyImageError, clean_ink, ink_map, to_mnist
from digit.split import MAX_INK_RUNS, ScatteredInkError, TooManyDigitsError, label_digits, split, to_mnist_digits

Stroke = list[tuple[float, float]]  # (x, y) points


def drawn(strokes: list[Stroke], size: tuple[int, int] = (400, 160), width: int = 8) -> np.ndarray:
    """Strokes in dark ink on white paper, with round joints."""
    paper = Image.new("L", size, 255)
    pen = ImageDraw.Draw(paper)
    for stroke in strokes:
        pen.line(stroke, fill=0, width=width, joint="curve")
        for x, y in stroke:
            pen.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=0)
    return np.asarray(paper)


def oval(left: float, top: float, right: float, bottom: float, points: int = 32) -> Stroke:
    angles = np.linspace(0, 2 * np.pi, points + 1)
    cx, cy, rx, ry = (left + right) / 2, (top + bottom) / 2, (right - left) / 2, (bottom - top) / 2
    return [(cx + rx * np.sin(a), cy - ry * np.cos(a)) for a in angles]


def boxes(picture: np.ndarray) -> list[list[int]]:
    """The split's box of each digit, as [top, bottom, left, right]."""
    return label_digits(clean_ink(ink_map(picture)))[1]


def columns(picture: np.ndarray) -> list[tuple[int, int]]:
    return [(left, right) for _, _, left, right in boxes(picture)]


ONE = [[(40, 50), (60, 30), (60, 130)]]  # columns 36..64 with a pen of 8
SEVEN = [[(100, 30), (150, 30), (115, 130)]]
ZERO = [oval(180, 30, 240, 130)]


def test_digits_with_gaps_between_them_are_split_left_to_right():
    picture = drawn(ONE + SEVEN + ZERO)
    assert columns(picture) == [(36, 64), (96, 154), (176, 244)]
    assert len(to_mnist_digits(picture)) == 3


def test_digits_are_numbered_by_their_place_along_the_line_not_by_which_starts_higher():
    low_one = [[(x, y + 40) for x, y in stroke] for stroke in ONE]  # its top row comes after the 7's
    assert columns(drawn(low_one + SEVEN)) == [(36, 64), (96, 154)]


def test_one_digit_alone_reads_as_the_contract_reads_a_digit():
    for strokes in (ONE, SEVEN, ZERO):
        picture = drawn(strokes)
        np.testing.assert_array_equal(to_mnist_digits(picture), to_mnist(picture)[np.newaxis])


def test_each_digit_of_a_row_of_mnist_digits_becomes_what_it_would_alone(mnist_sample):
    images, _ = mnist_sample
    digits = [images[index] for index in (0, 60, 120, 180)]  # a 0, 1, 2 and 3, each with its MNIST margins
    row = np.hstack(digits)  # the margins leave gaps of a few columns between the inks
    for alone, read in zip(digits, to_mnist_digits(255 - row), strict=True):
        np.testing.assert_array_equal(read, to_mnist(255 - alone))


def test_strokes_of_one_digit_that_overlap_in_columns_are_one_digit_even_where_they_do_not_touch():
    four = [[(50, 20), (20, 100), (110, 100)], [(80, 40), (80, 88)], [(80, 112), (80, 150)]]  # its upright broken
    crossed_seven = [[(150, 20), (230, 20), (170, 150)], [(165, 60), (215, 60)]]
    assert len(boxes(drawn(four))) == 1
    assert len(boxes(drawn(crossed_seven))) == 1
    assert len(boxes(drawn(four + crossed_seven))) == 2


def test_a_bar_that_reaches_beyond_its_digit_joins_the_digit_it_overlaps():
    five = [[(60, 20), (50, 75), (90, 70), (100, 110), (80, 145), (45, 135)], [(75, 8), (140, 8)]]
    one = [[(180, 20), (180, 145)]]
    assert columns(drawn(five + one, size=(300, 160))) == [(41, 144), (176, 184)]


def test_specks_dashes_and_dots_are_dropped_and_dust_over_a_digit_stays_out_of_it():
    digits = ONE + SEVEN + ZERO
    # a dash and a dot between digits, dust over the 7 and in the 0, a dash and a dot after the number
    noise = [[(80, 80), (88, 80)], [(160, 140)], [(120, 8)], [(210, 80)], [(260, 70), (290, 70)], [(270, 140)]]
    picture = drawn(digits + noise)
    assert columns(picture) == columns(drawn(digits))
    pieces = zip(split(clean_ink(ink_map(drawn(digits)))), split(clean_ink(ink_map(picture))), strict=True)
    for clean, speckled in pieces:
        np.testing.assert_array_equal(clean, speckled)


def test_a_dot_on_its_own_is_read_as_a_digit():
    assert len(boxes(drawn([[(100, 100)]]))) == 1


def test_a_small_digit_beside_a_large_one_is_a_digit_fitted_as_large():
    small_one = [[(40, 100), (48, 90), (48, 140)]]  # 50 tall beside a 0 of 110
    big_zero = [oval(90, 30, 160, 140)]
    picture = drawn(small_one + big_zero)
    assert len(boxes(picture)) == 2
    one, zero = to_mnist_digits(picture)
    for field in (one, zero):
        rows = np.flatnonzero(field.any(axis=1))
        assert rows[-1] - rows[0] + 1 == FIT


def test_a_slanted_hand_whose_digits_share_a_few_columns_is_split_each_digit_without_its_neighbours_ink():
    leaning_ones = [[(80, 20), (40, 140)], [(125, 20), (85, 140)], [(170, 20), (130, 140)]]
    picture = drawn(leaning_ones)
    assert columns(picture) == [(36, 84), (81, 129), (126, 174)]  # each shares columns with the next
    pieces = split(clean_ink(ink_map(picture)))
    for piece in pieces:
        assert piece.shape == (129, 49)
        # A stroke's ink: in its top row, at the right only; in its bottom row, at the left only.
        assert np.flatnonzero(piece[0]).min() > 30 and np.flatnonzero(piece[-1]).max() < 19


def test_digits_that_touch_are_read_as_one_digit():
    touching = [[(40, 50), (60, 30), (60, 130)], [(60, 30), (110, 30), (75, 130)]]  # a 1 whose flag is a 7's bar
    assert columns(drawn(touching)) == [(36, 114)]
    assert len(to_mnist_digits(drawn(touching))) == 1


@pytest.mark.parametrize("picture", [np.full((40, 90), 255, np.uint8), np.zeros((30, 30, 4), np.uint8)])
def test_a_picture_without_ink_has_no_number_to_read(picture):
    with pytest.raises(EmptyImageError):
        to_mnist_digits(picture)


def ink_in_runs(runs: int, per_row: int = 500) -> np.ndarray:
    """Dark ink on white paper in `runs` runs along the rows: `per_row` one-pixel dots a row, a blank column
    between them, each row of dots a blank row apart."""
    paper = np.full((2 * (runs // per_row + 1), 2 * per_row), 255, dtype=np.uint8)
    for run in range(runs):
        paper[2 * (run // per_row), 2 * (run % per_row)] = 0
    return paper


def test_ink_in_more_pieces_than_a_number_has_is_refused_before_it_is_split():
    with pytest.raises(ScatteredInkError, match=f"{MAX_INK_RUNS + 1:,} runs along the rows, at most {MAX_INK_RUNS:,}"):
        to_mnist_digits(ink_in_runs(MAX_INK_RUNS + 1))
    assert len(label_digits(clean_ink(ink_map(ink_in_runs(MAX_INK_RUNS))))[1]) > 0  # as many as that are split


def test_more_digits_than_asked_for_are_refused_before_the_low_marks_are_placed(monkeypatch):
    bars = np.full((60, 12 * 21), 255, np.uint8)
    bars[10:50, 4::12] = 0
    assert len(to_mnist_digits(bars, most_digits=21)) == 21
    with pytest.raises(TooManyDigitsError, match="21 digits found; a number is read up to 20 digits"):
        to_mnist_digits(bars, most_digits=20)
    # Noise of 2,048 digits (bars 3 pixels tall, a column apart) and 20,480 dots: refused as digits, counted
    # before each dot is weighed against each digit, which costs a step for every pair.
    noise = np.full((26, 4096), 255, np.uint8)
    noise[0:3, ::2] = 0
    noise[5:25:2, ::2] = 0
    lists = []  # the calls of max() on a list: a few to count the marks, then one for each low mark placed

    def largest(*values):
        lists.extend(values[:1] if len(values) == 1 else [])
        return max(*values)

    monkeypatch.setattr(split_module, "max", largest, raising=False)
    with pytest.raises(TooManyDigitsError, match="2048 digits found; a number is read up to 20 digits"):
        to_mnist_digits(noise, most_digits=20)
    assert len(lists) < 10  # the marks counted and the tallest found, but not one of the 20,480 dots weighed
    monkeypatch.undo()
    to_mnist_digits(noise[:, :40], most_digits=20)  # the same noise, few enough digits to place every dot
