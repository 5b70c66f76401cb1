"""The correction row in Chromium: shown after a reading where the function collects corrections, never where it
does not; a click (or a key) stores exactly the pixels read, of a number's digit the one chosen; labelled and
announced; fits a phone screen."""

import json
import re

import pytest
from playwright.sync_api import expect

from local import services
from local.browser import draw
from local.drawings import DIGITS, number
from tests.browser.stub import BUCKET

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def bucket(gcs):
    return gcs.create_bucket("page-corrections")


@pytest.fixture(scope="module")
def collecting_url(stub_version, bucket, start_function) -> str:
    server = start_function(BUCKET, CORRECTIONS_BUCKET=bucket.name)
    services.wait_until_loaded(server.url, timeout=60)
    return server.url


@pytest.fixture
def stored(bucket):
    """What the bucket holds, emptied after each test."""
    yield lambda: [json.loads(blob.download_as_bytes()) for blob in bucket.list_blobs()]
    for blob in bucket.list_blobs():
        blob.delete()


def test_a_click_stores_the_pixels_read_with_the_digit_chosen(open_page, collecting_url, stored, stub, stub_version):
    visit = open_page(f"page/?api={collecting_url}", viewport={"width": 1000, "height": 760})
    draw(visit.page, DIGITS[7])
    read, sent = visit.digit_shown(), visit.last_sent()
    assert read == stub.reads(sent)
    row = visit.page.locator("#correction")
    expect(row).to_be_visible()
    label = stub.not_read(sent)
    row.locator(f'button[data-label="{label}"]').click()
    expect(visit.page.locator("#status")).to_have_text(f"Thanks: stored as a {label}.")
    (record,) = stored()
    assert (record["label"], record["read_as"], record["model"]) == (label, int(read), stub_version)
    assert record["pixels"] == sent == visit.preview()
    again = (label + 1) % 10
    row.locator(f'button[data-label="{again}"]').click(force=True)  # one reading is corrected once: this sends nothing
    expect(visit.page.locator("#status")).to_have_text(f"Thanks: stored as a {label}.")
    # A click sends its POST as it is handled; a reading asked for after it is seen after that POST would be.
    with visit.page.expect_request(lambda request: request.method == "POST" and request.url == collecting_url + "/"):
        draw(visit.page, DIGITS[1])
    sent = [request for request in visit.requests if request.method == "POST" and request.url.endswith("/corrections")]
    assert len(sent) == 1


def test_the_row_waits_while_the_next_reading_is_on_its_way(open_page, collecting_url, stored, stub):
    visit = open_page(f"page/?api={collecting_url}", viewport={"width": 1000, "height": 760})
    page = visit.page
    draw(page, DIGITS[7])
    assert visit.digit_shown() == stub.reads(visit.last_sent())
    reading = collecting_url + "/"
    held = []  # the requests to read the drawing, held back until the test lets them through
    page.route(reading, lambda route: held.append(route) if route.request.method == "POST" else route.continue_())
    with page.expect_request(lambda request: request.method == "POST" and request.url == reading):
        draw(page, DIGITS[7])  # the 7 again, over the first: the reading on screen is no longer the drawing's
    one = page.locator('#correction button[data-label="1"]')
    expect(one).to_have_attribute("aria-disabled", "true")
    one.click(force=True)  # a click on a button marked disabled does nothing
    assert len(held) == 1
    held[0].continue_()
    visit.settle()
    assert not [request for request in visit.requests if request.url.endswith("/corrections")]
    expect(page.locator("#status")).to_have_text("")
    expect(one).to_have_attribute("aria-disabled", "false")  # the new reading may be corrected
    one.click()
    expect(page.locator("#status")).to_have_text("Thanks: stored as a 1.")
    (record,) = stored()
    assert (record["label"], record["read_as"]) == (1, int(visit.digit_shown()))
    assert record["pixels"] == visit.last_sent()


def test_a_digit_of_a_number_is_corrected_by_itself_with_its_own_pixels_each_digit_once(
    open_page, collecting_url, stored, stub
):
    visit = open_page(f"page/?api={collecting_url}", viewport={"width": 1000, "height": 760})
    page = visit.page
    draw(page, number("1984"))
    read, sent = visit.digit_shown(), visit.last_number_sent()
    assert len(sent) == 4 and read == stub.reads_number(sent)
    status = page.locator("#status")
    second, fourth = stub.not_read(sent[1]), stub.not_read(sent[3])

    page.get_by_role("button", name=re.compile(rf"^digit 2: {read[1]}, \d+% sure$")).click()
    expect(page.get_by_role("group", name=f"Wrong? Digit 2, read as {read[1]}, was:")).to_be_visible()
    assert visit.preview() == sent[1]
    page.get_by_role("button", name=f"It was a {second}").click()
    expect(status).to_have_text(f"Thanks: digit 2 stored as a {second}.")
    (record,) = stored()
    assert (record["label"], record["read_as"], record["pixels"]) == (second, int(read[1]), sent[1])

    page.get_by_role("button", name=re.compile(f"^digit 4: {read[3]}")).click()
    expect(page.get_by_role("group", name=f"Wrong? Digit 4, read as {read[3]}, was:")).to_be_visible()
    page.get_by_role("button", name=f"It was a {fourth}").click()
    expect(status).to_have_text(f"Thanks: digit 4 stored as a {fourth}.")
    records = sorted((r["label"], r["read_as"], r["pixels"]) for r in stored())
    assert records == sorted([(second, int(read[1]), sent[1]), (fourth, int(read[3]), sent[3])])

    page.get_by_role("button", name=re.compile(f"^digit 2: {read[1]}")).click()  # corrected already: row spent
    expect(page.get_by_role("button", name="It was a 5")).to_have_attribute("aria-disabled", "true")
    page.get_by_role("button", name=re.compile(f"^digit 1: {read[0]}")).click()  # not yet: its row may be used
    expect(page.get_by_role("button", name="It was a 5")).to_have_attribute("aria-disabled", "false")
    assert len(stored()) == 2


def test_the_row_works_from_the_keyboard_and_is_announced(open_page, collecting_url, stored, stub):
    visit = open_page(f"page/?api={collecting_url}", viewport={"width": 1000, "height": 760})
    page = visit.page
    draw(page, DIGITS[4])
    assert visit.digit_shown() == stub.reads(visit.last_sent())
    expect(page.get_by_role("group", name="Wrong? It was:")).to_be_visible()
    label = stub.not_read(visit.last_sent())
    button = page.get_by_role("button", name=f"It was a {label}")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").and_(page.locator("#status"))).to_have_text(f"Thanks: stored as a {label}.")
    expect(button).to_be_focused()  # the button is marked used, not disabled: the focus stays
    assert [record["label"] for record in stored()] == [label]
    expect(page.locator("#correction")).to_contain_text("Nothing about you is stored.")


def test_the_row_fits_a_320_px_screen(open_page, collecting_url, stored, stub):
    visit = open_page(f"page/?api={collecting_url}", viewport={"width": 320, "height": 640}, device_scale_factor=2)
    draw(visit.page, DIGITS[0])
    assert visit.digit_shown() == stub.reads(visit.last_sent())
    buttons = visit.page.locator("#correction button")
    expect(buttons).to_have_count(10)
    for index in range(10):
        box = buttons.nth(index).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 320, (index, box)
        assert box["width"] >= 24 and box["height"] >= 24  # WCAG 2.2's smallest target
    assert visit.page.evaluate("document.documentElement.scrollWidth") <= 320


def test_the_row_never_shows_where_corrections_are_not_collected(visit, stub):
    draw(visit.page, DIGITS[7])
    assert visit.digit_shown() == stub.reads(visit.last_sent())
    expect(visit.page.locator("#correction")).to_be_hidden()
    assert not [request for request in visit.requests if re.search(r"/corrections$", request.url)]


def test_a_correction_refused_says_why_and_may_be_tried_again(open_page, stub_version, stub, start_function):
    server = start_function(BUCKET, CORRECTIONS_BUCKET="no-such-bucket")
    visit = open_page(f"page/?api={server.url}", viewport={"width": 1000, "height": 760})
    draw(visit.page, DIGITS[7])
    assert visit.digit_shown() == stub.reads(visit.last_sent())
    visit.page.locator('#correction button[data-label="9"]').click()
    expect(visit.page.locator("#status")).to_have_text(
        "The correction was not stored (503: the correction could not be stored: bucket gs://no-such-bucket does "
        "not exist). Try again in 10 s."
    )
    expect(visit.page.locator('#correction button[data-label="9"]')).to_have_attribute("aria-disabled", "false")
