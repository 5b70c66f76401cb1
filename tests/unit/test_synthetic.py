"""The digits training makes (train/synthetic.py) and the proxy sets made to measure on (train/proxies.py): what
they are, that they go through the pixel contract, and that nothing measured on is trained on."""

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from digit.pixels import SIZE, EmptyImageError, to_mnist
from train import habits, proxies, synthetic
from train.drawing import CANVAS


def ink_box(image: np.ndarray) -> tuple[int, int]:
    rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


@pytest.fixture(scope="module")
def a_one() -> np.ndarray:
    """A thin 1 with a short flag, through the contract."""
    picture = np.zeros((28, 28), np.uint8)
    picture[4:24, 13:15] = 255
    for step in range(5):
        picture[8 - step, 9 + step] = 255
    return to_mnist(picture)


@pytest.mark.parametrize("side", [7, 8, 12, 16])
def test_a_low_resolution_copy_is_a_digit_in_the_contracts_form_with_coarser_strokes(a_one, side):
    copy = synthetic.low_resolution(a_one, side, Image.BICUBIC)
    assert copy.shape == (SIZE, SIZE) and copy.dtype == np.uint8 and copy.max() > 128
    assert max(ink_box(copy)) == 20  # fitted as the contract fits every digit
    assert ink_box(copy)[1] > ink_box(a_one)[1]  # blurred: wider strokes than the original


def test_stretching_makes_a_one_as_wide_as_a_size_normalising_scanner_does(a_one):
    padded = synthetic.low_resolution(a_one, 8, Image.BICUBIC)
    stretched = synthetic.low_resolution(a_one, 8, Image.BICUBIC, stretch=True)
    assert ink_box(padded)[1] < 15 and ink_box(stretched) == (20, 20)  # as wide as it is tall


def test_a_bar_that_stretching_would_fill_is_copied_unstretched():
    bar = np.zeros((28, 28), np.uint8)
    bar[4:24, 13:15] = 255
    with pytest.raises(EmptyImageError):
        synthetic.low_resolution(bar, 8, Image.BICUBIC, stretch=True)
    copies = synthetic.low_resolution_copies(np.stack([bar] * 6), np.random.default_rng(0), (8, 8))
    assert all(max(ink_box(copy)) == 20 for copy in copies)


def test_fonts_to_train_on_and_fonts_to_measure_on_are_apart():
    training, held_out = synthetic.handwriting_fonts(), synthetic.handwriting_fonts(held_out=True)
    assert training and held_out, "make tools installs Debian's handwriting fonts"
    assert not {font.name for font in training} & {font.name for font in held_out}
    assert all(font.name.startswith(synthetic.HELD_OUT_FONTS) for font in held_out)


def test_font_digits_are_labelled_and_none_without_fonts():
    rng = np.random.default_rng(0)
    images, labels = synthetic.font_digits(synthetic.handwriting_fonts()[:2], 1, rng)
    assert images.shape == (20, SIZE, SIZE) and labels.tolist() == list(range(10)) * 2
    empty, no_labels = synthetic.font_digits([], 3, rng)
    assert empty.shape == (0, SIZE, SIZE) and no_labels.shape == (0,)


def test_hollow_font_digits_are_outlines_of_thefont_glyph():
    font = ImageFont.truetype(str(synthetic.handwriting_fonts()[0]), 80)
    inside = np.zeros((CANVAS, CANVAS), np.uint8)
    glyph = Image.fromarray(inside)
    ImageDraw.Draw(glyph).text((CANVAS / 2, CANVAS / 2), "8", fill=255, font=font, anchor="mm")
    solid = np.asarray(glyph) > 128
    hollow = synthetic.font_glyph(font, 8, np.zeros(2), hollow=True, rng=np.random.default_rng(0)) > 128
    assert hollow.sum() > 0.5 * solid.sum()  # as much ink as a line around the glyph takes
    assert (hollow & solid).sum() < 0.05 * solid.sum()  # none of it where the glyph's own strokes are
    images, labels = synthetic.font_digits(synthetic.handwriting_fonts()[:1], 1, np.random.default_rng(0), hollow=True)
    assert labels.tolist() == list(range(10)) and images.max() == 255


def test_styled_digits_draw_every_style_with_its_digit():
    images, labels = synthetic.styled_digits(3, np.random.default_rng(0))
    assert labels.tolist() == [digit for digit, _ in synthetic.STYLES.values() for _ in range(3)]
    assert images.shape == (3 * len(synthetic.STYLES), SIZE, SIZE) and all(image.max() > 128 for image in images)


@pytest.fixture(scope="module")
def proxy_sets() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The proxy sets, but those made of the test digits, which are given none."""
    return proxies.sets(np.zeros((0, SIZE, SIZE), np.uint8), np.zeros(0, np.int64))


def test_the_proxy_drawings_are_none_of_the_drawings_trained_on(proxy_sets):
    training = synthetic.styled_digits(synthetic.STYLE_COPIES, np.random.default_rng(0))[0]
    measured = proxy_sets
    drawings = measured["continental styles"][0]
    trained = {image.tobytes() for image in training}
    assert len(drawings) == proxies.STYLE_COPIES * len(synthetic.STYLES)
    assert not [image for image in drawings if image.tobytes() in trained]


@pytest.mark.parametrize("habit", habits.HABITS)
@pytest.mark.parametrize("end", [0, -1])
def test_a_habit_is_small_and_at_the_end_of_the_stroke_it_finishes(habit, end):
    stroke = [(0.5, 0.1), (0.5, 0.5), (0.5, 0.9)]  # drawn downwards: it starts at the top, ends at the foot
    tip = np.array(stroke[end])
    for seed in range(20):
        finished, added = habits._finished(stroke, end, habit, np.random.default_rng(seed))
        new = [point for point in finished if point not in stroke] + [point for extra in added for point in extra]
        assert new, "the habit adds to the drawing"
        assert max(np.hypot(*(np.array(point) - tip)) for point in new) <= 0.25  # small, beside a digit of 0.8
        if habit == "serif":
            assert finished == stroke and len(added) == 1  # a stroke of its own, across the end
        else:  # the stroke goes on from where it ended
            kept = finished[: len(stroke)] if end == -1 else finished[-len(stroke) :]
            assert added == [] and kept == stroke


def test_a_loop_where_a_stroke_turns_is_small_and_closed():
    corner = [(0.2, 0.14), (0.8, 0.14), (0.45, 0.9)]
    looped = habits._looped(corner, 1, np.random.default_rng(0))
    loop = looped[1:-1]
    assert looped[0] == corner[0] and looped[-1] == corner[-1] and len(loop) == 12
    assert np.allclose(loop[0], loop[-1]) and np.allclose(loop[0], corner[1])  # it leaves and returns at the turn
    assert max(np.hypot(x - 0.8, y - 0.14) for x, y in loop) <= 0.08


def test_habit_digits_draw_every_digit_with_its_label():
    images, labels = habits.habit_digits(4, np.random.default_rng(0))
    assert labels.tolist() == [digit for digit in range(10) for _ in range(4)]
    assert images.shape == (40, SIZE, SIZE) and all(image.max() > 128 for image in images)
    np.testing.assert_array_equal(images, habits.habit_digits(4, np.random.default_rng(0))[0])


def test_the_hooks_and_curls_measured_on_are_none_of_those_trained_on(proxy_sets):
    training = habits.habit_digits(habits.HABIT_COPIES, np.random.default_rng(0))[0]
    measured = proxy_sets["hooks and curls"]
    trained = {image.tobytes() for image in training}
    assert len(measured[0]) == proxies.HABIT_COPIES * 10 and sorted(set(measured[1].tolist())) == list(range(10))
    assert not [image for image in measured[0] if image.tobytes() in trained]


def test_each_held_out_font_is_measured_alone_and_the_other_sets_are_unchanged_by_it(proxy_sets, monkeypatch):
    measured = proxy_sets
    fonts = synthetic.handwriting_fonts(held_out=True)
    for path in fonts:
        images, labels = measured[f"held-out font {path.stem}"]
        assert len(images) == 10 * proxies.EACH_FONT_COPIES and labels.tolist().count(9) == proxies.EACH_FONT_COPIES
    monkeypatch.setattr(proxies, "EACH_FONT_COPIES", 1)
    fewer = proxies.sets(np.zeros((0, SIZE, SIZE), np.uint8), np.zeros(0, np.int64))
    for name in ("held-out fonts", "continental styles", "hooks and curls"):
        assert fewer[name][0].tobytes() == measured[name][0].tobytes()
