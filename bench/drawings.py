"""What the served weights read of drawings made on the page: each drawing of local/drawings.py, and of the fresh
sets of bench/fresh_drawings.py, drawn with the mouse in Chromium on the page, as staged for deploy, asking a
function that serves them. The page's own tests read with a stub model, so that a page test fails for the page
alone; how well the model reads what people draw is measured here, and by training's proxy sets."""

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from bench import fresh_drawings
from local import page, services
from local.browser import draw, launch
from local.drawings import Stroke, on_the_page


@dataclass(frozen=True)
class DrawingSet:
    make: Callable[[], dict[str, tuple[list[Stroke], str]]]  # the drawings by name, each with what it is
    what: str
    target: str  # how many the page is to read: issue 29's for the fresh sets


# The sets drawn, each made when it is drawn: the page's tests' own drawings, and drawings no test has seen.
SETS = {
    "the tests' drawings": DrawingSet(
        on_the_page, "local/drawings.py: digits, numbers, 6s and 9s finished with a hook or a curl", "all"
    ),
    "single digits": DrawingSet(
        fresh_drawings.single_digits, "bench/fresh_drawings.py: 8 of each digit, printed-style 6s among them",
        "≥ 78 of 80"
    ),
    "numbers with gaps": DrawingSet(
        partial(fresh_drawings.numbers, touching=False), "bench/fresh_drawings.py: 2-5 digits", "≥ 17 of 20"
    ),
    "numbers whose digits touch": DrawingSet(
        partial(fresh_drawings.numbers, touching=True),
        "bench/fresh_drawings.py: 2-5 digits, strokes touching or crossing", "≥ 16 of 20"
    ),
}  # fmt: skip

# How sure the page says the model is of what it shows: a digit's bar, or the least sure digit of a number.
SURENESS = """(shown) => shown.length === 1
  ? document.querySelector(`#probabilities [data-digit="${shown}"] meter`).value
  : Math.min(...Array.from(document.querySelectorAll("#digits button span"),
    (span) => parseInt(span.textContent.split(" ")[1]) / 100))"""


def measure(function_url: str, log_dir: Path, most: int | None = None) -> dict[str, dict]:
    """For each set of drawings (SETS), its first `most` or all: how many the page reads exactly (the digits of a
    number all right), how sure it is of the least sure of those, and what it read of each it did not, by name."""
    results = {}
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        served = page.stage_site(Path(folder) / "page", function_url)
        with services.start_site(services.free_port(), log_dir, served) as site:
            browser = launch(playwright)
            for kind, drawing_set in SETS.items():
                wrong: dict[str, str] = {}
                sureness: list[float] = []
                for name, (strokes, expected) in list(drawing_set.make().items())[:most]:
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
                results[kind] = {"read": len(sureness), "drawings": len(sureness) + len(wrong),
                                 "least sure": min(sureness, default=None), "wrong": wrong}  # fmt: skip
            browser.close()
    return results


def reading(tab: Page) -> str:
    """What the page shows once its reading is of the drawing as it is now (it clears aria-busy then)."""
    expect(tab.locator("#reading")).to_have_attribute("aria-busy", "false", timeout=30_000)
    return tab.locator("#prediction").text_content() or ""
