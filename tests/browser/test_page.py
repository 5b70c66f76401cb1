"""The page as a whole: where it sends requests, what a screen reader finds on it, and its contrast."""

import re

import pytest
from playwright.sync_api import expect

from local import services
from local.browser import draw
from local.drawings import DIGITS

pytestmark = pytest.mark.browser

# Every element with text of its own: its text colour, and the first opaque background behind it.
COLOURS = """() => Array.from(document.querySelectorAll("body *"))
  .filter((element) => element.checkVisibility()
    && [...element.childNodes].some((node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim()))
  .map((element) => {
    let behind = element;
    while (behind && getComputedStyle(behind).backgroundColor.endsWith(", 0)")) behind = behind.parentElement;
    const background = behind ? getComputedStyle(behind).backgroundColor : "rgb(255, 255, 255)";
    return [element.textContent.trim().slice(0, 30), getComputedStyle(element).color, background];
  })"""


def luminance(css_colour: str) -> float:
    """The relative luminance (WCAG 2) of an opaque CSS rgb() colour."""
    channels = [int(value) / 255 for value in re.findall(r"\d+", css_colour)[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted([luminance(foreground), luminance(background)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_page_asks_nothing_of_any_host_but_its_own_and_the_function(visit, stub, site_url, function_url):
    draw(visit.page, DIGITS[7])
    assert visit.digit_shown() == stub.reads(visit.last_sent())
    assert visit.origins() == {site_url, function_url}
    assert visit.errors == []


def test_buttons_pad_and_reading_are_labelled_and_the_reading_is_announced(visit):
    page = visit.page
    expect(page.get_by_role("button", name="Undo")).to_have_attribute("aria-keyshortcuts", "Control+Z Meta+Z")
    expect(page.get_by_role("button", name="Clear")).to_have_attribute("aria-keyshortcuts", "Escape")
    expect(page.get_by_role("img", name=re.compile("^Drawing pad"))).to_have_id("pad")
    expect(page.get_by_role("img", name=re.compile("^The 28 by 28 pixels sent"))).to_have_id("preview")
    expect(page.get_by_role("status").and_(page.locator("#prediction"))).to_have_accessible_name("Reads as")
    expect(page.locator("#prediction")).to_have_attribute("aria-live", "polite")
    expect(page.get_by_role("meter", name="probability of 7")).to_have_count(1)


def too_faint(visit) -> list[tuple[str, float]]:
    """The texts on the page with a contrast under 4.5:1 (WCAG AA), with their contrast."""
    texts = visit.page.evaluate(COLOURS)
    assert len(texts) > 10
    ratios = [(text, round(contrast(colour, background), 2)) for text, colour, background in texts]
    return [(text, ratio) for text, ratio in ratios if ratio < 4.5]


def test_every_text_has_a_contrast_of_at_least_4_5_to_1_with_a_reading_and_with_a_message(visit, stub, open_page):
    draw(visit.page, DIGITS[7])
    assert visit.digit_shown() == stub.reads(visit.last_sent())
    assert too_faint(visit) == []
    failing = open_page(f"page/?api=http://127.0.0.1:{services.free_port()}")
    draw(failing.page, DIGITS[7])
    expect(failing.page.locator("#status")).to_contain_text("Cannot reach")
    assert too_faint(failing) == []
