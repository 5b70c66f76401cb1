"""Numbers drawn on the page as a person would, with the mouse and with a pen: cut into their digits, sent in one
request, and shown digit by digit as read, each with its pixels and how sure the model is of it."""

import re

import pytest
from playwright.sync_api import expect

from digit.payload import MAX_DIGITS
from local import services
from local.browser import draw, draw_by_touch, draw_with_pen
from local.drawings import NUMBERS, number
from tests.helpers import stroke_width

pytestmark = pytest.mark.browser

SHOWN = re.compile(r"(\d) (\d+)%")  # a digit of a number, as its button shows it: the digit and how sure


def assert_read_as_sent(visit, stub, digits: int, errors: set[str] = frozenset()) -> None:
    """The page sent `digits` digits in one request, and shows each as read, with the pixels sent and how sure;
    it logged no error but `errors`."""
    shown_number = visit.digit_shown()
    sent = visit.last_number_sent()
    assert len(sent) == digits
    assert shown_number == stub.reads_number(sent)
    shown = visit.digits_shown()
    assert [pixels for _, pixels in shown] == sent
    assert [SHOWN.fullmatch(text)[1] for text, _ in shown] == list(shown_number)
    sure = [100 * stub.probabilities(field).max() for field in sent]
    assert [int(SHOWN.fullmatch(text)[2]) for text, _ in shown] == pytest.approx(sure, abs=0.501)  # rounded
    assert set(visit.errors) <= errors


@pytest.mark.parametrize("digits", [digits for digits, height in NUMBERS.items() if height >= 0.4])
def test_a_number_drawn_with_the_mouse_is_read_in_one_request(visit, stub, digits):
    strokes = number(digits, height=NUMBERS[digits])
    draw(visit.page, strokes)
    assert_read_as_sent(visit, stub, len(digits))
    assert len(visit.readings_sent()) <= len(strokes)  # a request at most for each pause, never one for each digit


def test_a_number_drawn_with_a_pen_is_read(visit, stub):
    draw_with_pen(visit.page, number("1984"))
    assert_read_as_sent(visit, stub, 4)


def test_a_phone_number_of_ten_digits_fits_on_the_pad_and_is_read(visit, stub):
    strokes = number("0612345678", height=NUMBERS["0612345678"])
    box = visit.page.locator("#pad").bounding_box()
    assert max(x for stroke in strokes for x, _ in stroke) < box["width"] / box["height"]  # all of it on the pad
    draw(visit.page, strokes)
    assert_read_as_sent(visit, stub, 10)


def test_each_digit_reaches_the_model_with_the_stroke_width_it_would_have_alone_whatever_its_size(visit, stub):
    """A small 1 beside a large 0, the two large, and the two small in a corner: the page renders each digit's
    strokes for the model with a width relative to that digit, so that all reach it alike."""
    sent = []
    for strokes in (number("10", sizes=[0.5, 1]), number("10"), number("10", height=0.15, left=2.4)):
        draw(visit.page, strokes)
        assert visit.digit_shown() == stub.reads_number(visit.last_number_sent())
        sent.append(visit.last_number_sent())
        assert len(sent[-1]) == 2
        visit.page.get_by_role("button", name="Clear").click()
    for digit in range(2):
        assert len({stroke_width(drawing[digit]) for drawing in sent}) == 1
        masses = [sum(drawing[digit]) for drawing in sent]
        assert max(masses) <= 1.05 * min(masses)


def test_undoing_the_last_digit_of_a_number_leaves_a_digit_shown_as_a_digit(visit, stub):
    draw(visit.page, number("42"))
    assert_read_as_sent(visit, stub, 2)
    expect(visit.page.locator("#digits")).to_be_visible()
    visit.page.get_by_role("button", name="Undo").click()
    assert visit.digit_shown() == stub.reads(visit.last_sent())
    expect(visit.page.locator("#digits")).to_be_hidden()
    expect(visit.page.locator("#bars-title")).to_have_text("How sure it is")
    assert visit.preview() == visit.last_sent()


def test_more_digits_than_a_number_may_have_are_not_sent_and_the_page_says_why(visit, stub):
    draw(visit.page, number("1" * (MAX_DIGITS + 1), height=0.3))
    expect(visit.page.locator("#status")).to_have_text(
        f"That is {MAX_DIGITS + 1} digits: a number is read up to {MAX_DIGITS}. Your drawing is kept."
    )
    assert visit.digit_shown() == ""
    assert all(len(body.get("images", [])) <= MAX_DIGITS for body in visit.readings_sent())
    visit.page.get_by_role("button", name="Undo").click()
    assert_read_as_sent(visit, stub, MAX_DIGITS)


def test_the_page_reads_as_many_digits_as_the_function_s_health_says(visit, stub, function_url):
    def fewer(route):  # the function's own health, saying it reads numbers of up to 3 digits
        if route.request.method != "GET":
            return route.continue_()
        response = route.fetch()
        return route.fulfill(response=response, json={**response.json(), "max_digits": 3})

    visit.page.route(function_url + "/", fewer)
    visit.page.reload()
    draw(visit.page, number("1111"))
    expect(visit.page.locator("#status")).to_have_text(
        "That is 4 digits: a number is read up to 3. Your drawing is kept."
    )
    visit.page.get_by_role("button", name="Undo").click()
    assert_read_as_sent(visit, stub, 3)


def test_before_the_function_s_health_has_answered_a_number_is_sent_whatever_its_length(visit, stub, function_url):
    visit.page.route(
        function_url + "/", lambda route: route.abort() if route.request.method == "GET" else route.continue_()
    )
    visit.page.reload()
    draw(visit.page, number("1" * (MAX_DIGITS + 1), height=0.3))
    # The function reads a batch of up to 256 digits. The page logs the health it could not fetch.
    assert_read_as_sent(visit, stub, MAX_DIGITS + 1, errors={"Failed to load resource: net::ERR_FAILED"})


def test_on_a_phone_a_number_is_drawn_by_finger_and_its_digits_fit_the_screen(open_page, stub):
    """The pad is square on a phone held upright: a year fits (a phone number wants the phone turned)."""
    phone = open_page(viewport={"width": 320, "height": 640}, device_scale_factor=2, is_mobile=True, has_touch=True)
    draw_by_touch(phone.page, number("2026", height=0.3, left=0.05, gap=0.05))
    assert_read_as_sent(phone, stub, 4)
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= 320
    for button in phone.page.locator("#digits button").all():
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320


def test_on_a_phone_turned_sideways_a_phone_number_fits_and_is_read(open_page, stub):
    phone = open_page(viewport={"width": 800, "height": 360}, device_scale_factor=2, is_mobile=True, has_touch=True)
    draw_by_touch(phone.page, number("0612345678", height=NUMBERS["0612345678"]))
    assert_read_as_sent(phone, stub, 10)


def test_a_number_the_function_cannot_read_leaves_no_digit_of_it_on_screen(open_page):
    visit = open_page(f"page/?api=http://127.0.0.1:{services.free_port()}")
    four, two = number("42")[:2], number("42")[2:]
    draw(visit.page, four)
    expect(visit.page.locator("#status")).to_contain_text("Cannot reach the function")
    assert visit.preview() == visit.last_sent()  # a digit alone: its pixels sent are shown, as ever
    with visit.page.expect_request(lambda request: request.method == "POST" and '"images"' in request.post_data):
        draw(visit.page, two)
    assert len(visit.last_number_sent()) == 2
    assert visit.digit_shown() == ""
    assert set(visit.preview()) == {0}  # a number's digits are shown with its reading, which never came
    expect(visit.page.locator("#digits")).to_be_hidden()
    assert visit.ink_on_pad()
