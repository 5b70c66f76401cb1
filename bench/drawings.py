"""What the served weights read of drawings made on the page: each drawing of local/drawings.py drawn with the
mouse in Chromium on the page, as staged for deploy, asking a function that serves them. The page's own tests
read with a stub model, so that a page test fails for the page alone; how well the model reads what people
draw is measured here, and by training's proxy sets."""

import tempfile
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from local import page, services
from local.browser import draw, launch
from local.drawings import on_the_page

# How sure the page says the model is of what it shows: a digit's bar, or the least sure digit of a number.
SURENESS = """(shown) => shown.length === 1
  ? document.querySelector(`#probabilities [data-digit="${shown}"] meter`).value
  : Math.min(...Array.from(document.querySelectorAll("#digits button span"),
    (span) => parseInt(span.textContent.split(" ")[1]) / 100))"""


def measure(function_url: str, log_dir: Path) -> dict:
    """How many of the drawings the page reads exactly (the digits of a number all right), how sure it is of
    the least sure of those, and what it read of each it did not, by name."""
    drawings = on_the_page()
    wrong: dict[str, str] = {}
    sureness: list[float] = []
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        served = page.stage_site(Path(folder) / "page", function_url)
        with services.start_site(services.free_port(), log_dir, served) as site:
            browser = launch(playwright)
            for name, (strokes, expected) in drawings.items():
                context = browser.new_context(viewport={"width": 1000, "height": 760})
                tab = context.new_page()
                tab.goto(site.url + "/")
                draw(tab, strokes)
                shown = reading(tab)
                if shown != expected:
                    wrong[name] = shown
                else:
                    sureness.append(tab.evaluate(SURENESS, shown))
                context.close()
            browser.close()
    return {"read": len(sureness), "drawings": len(drawings), "least sure": min(sureness, default=0), "wrong": wrong}


def reading(tab: Page) -> str:
    """What the page shows once its reading is of the drawing as it is now (it clears aria-busy then)."""
    expect(tab.locator("#reading")).to_have_attribute("aria-busy", "false", timeout=30_000)
    return tab.locator("#prediction").text_content() or ""
