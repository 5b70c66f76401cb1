"""Takes the README's screenshot from the real thing: the local stack (storage emulator, function, page),
and a year drawn with the mouse, read by the function as a number, each digit shown with how sure it is,
and the row that corrects a misread digit.

    make screenshot        # = .venv/bin/python -m local.screenshot docs/screenshot.png
"""

import argparse
import tempfile
from contextlib import ExitStack
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from local.browser import draw, launch
from local.drawings import number
from local.stack import free_ports, start_stack


def take(page_url: str, output: Path) -> None:
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 900, "height": 640})
        page.goto(page_url)
        draw(page, number("1984", height=0.6))
        expect(page.locator("#reading")).to_have_attribute("aria-busy", "false")
        expect(page.locator("#prediction")).to_have_text("1984")
        expect(page.locator("#correction")).to_be_visible()  # the demo's function collects corrections
        page.screenshot(path=output, full_page=True)
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("output", type=Path, help="where to write the PNG")
    output = parser.parse_args().output
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work, ExitStack() as running:
        stack = start_stack(free_ports(), Path(work), running)
        take(stack.site.url + "/", output)
    print(f"wrote {output} ({output.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
