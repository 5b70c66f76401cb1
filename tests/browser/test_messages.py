"""What the page says when it cannot read a drawing: it keeps the drawing and explains why, in #status."""

import pytest
from playwright.sync_api import expect

from local import services
from local.browser import draw
from local.drawings import DIGITS

pytestmark = pytest.mark.browser

KEPT = "Your drawing is kept."


def test_an_unreachable_function_is_named_and_the_drawing_kept(open_page):
    down = f"http://127.0.0.1:{services.free_port()}"
    visit = open_page(f"page/?api={down}")
    draw(visit.page, DIGITS[7])
    expect(visit.page.locator("#status")).to_have_text(
        f"Cannot reach the function at {down}: it may be down, or the address may be wrong. {KEPT}"
    )
    assert visit.digit_shown() == ""
    assert visit.ink_on_pad()
    assert visit.preview() == visit.last_sent()


def test_a_function_without_its_model_answers_503_and_the_page_shows_why(open_page, start_function):
    # The function says to retry in nearly 600 s, which the page caps at 60 s: a 60 shows that the page took the
    # function's word for it (its Retry-After, or its health's retry_seconds), however long the test took.
    server = start_function("no-such-bucket", RETRY_SECONDS="600")
    visit = open_page(f"page/?api={server.url}")
    draw(visit.page, DIGITS[7])
    expect(visit.page.locator("#status")).to_have_text(
        "The function is not ready (the model could not be loaded: bucket gs://no-such-bucket does not exist). "
        f"Trying again in 60 s. {KEPT}"
    )
    assert visit.digit_shown() == ""
    assert visit.ink_on_pad()


def test_without_config_js_or_api_the_page_says_how_to_name_the_function(open_page):
    visit = open_page("unconfigured/")
    status = visit.page.locator("#status")
    expect(status).to_have_text(
        "No function to ask: add ?api= and the function's URL to this page's address, or serve the page with a "
        "config.js that names it."
    )
    draw(visit.page, DIGITS[7])
    assert visit.ink_on_pad()
    expect(status).to_contain_text("No function to ask")
    assert [request.method for request in visit.requests if request.method != "GET"] == []


def test_an_api_that_is_not_a_web_address_is_refused(open_page):
    visit = open_page("page/?api=javascript:alert(1)")
    expect(visit.page.locator("#status")).to_have_text(
        "“javascript:alert(1)” is not an http:// or https:// address: check ?api= in this page's address."
    )
