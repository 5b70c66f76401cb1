"""Driving the page in Debian's Chromium with Playwright, for the browser tests and the README's screenshot.

Playwright is pointed at /usr/bin/chromium (`make test` installs it with apt): it never downloads a browser.
"""

from playwright.sync_api import Browser, Page, Playwright

from local.drawings import Stroke

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests may run as root
    "--disable-gpu",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--disable-background-networking",  # no requests of the browser's own: the tests count every request
    "--disable-component-update",
    "--no-first-run",
    # Each mouse move is handled at once rather than at the next frame, 60 a second: a drawing of a few hundred
    # moves would otherwise wait seconds for frames the tests never look at.
    "--disable-frame-rate-limit",
]


def launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def pad_points(page: Page, stroke: Stroke) -> list[tuple[float, float]]:
    """A stroke's points in page coordinates, from the pad's position on screen, scrolled into view first as a
    person would (a click below it may have scrolled the page)."""
    page.locator("#pad").scroll_into_view_if_needed()
    box = page.locator("#pad").bounding_box()
    assert box is not None, "the pad is not on screen"
    return [(box["x"] + x * box["height"], box["y"] + y * box["height"]) for x, y in stroke]


def along(points: list[tuple[float, float]], steps: int) -> list[tuple[float, float]]:
    """The points with `steps` evenly spaced points on each segment, as a hand passes through them."""
    path = points[:1]
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        path += [(x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps) for i in range(1, steps + 1)]
    return path


def draw(page: Page, strokes: list[Stroke], steps: int = 8) -> None:
    """Draws with the mouse: button down, moves through many points along each stroke, button up."""
    for stroke in strokes:
        (x, y), *rest = along(pad_points(page, stroke), steps)
        page.mouse.move(x, y)
        page.mouse.down()
        for x, y in rest:
            page.mouse.move(x, y)
        page.mouse.up()


def draw_by_touch(page: Page, strokes: list[Stroke], steps: int = 8) -> None:
    """Draws with a finger. Playwright's touchscreen only taps, so the touches go through the DevTools
    protocol (the context needs has_touch=True)."""
    cdp = page.context.new_cdp_session(page)
    for stroke in strokes:
        path = along(pad_points(page, stroke), steps)
        for phase, (x, y) in zip(phases(path, "touchStart", "touchMove"), path, strict=True):
            cdp.send("Input.dispatchTouchEvent", {"type": phase, "touchPoints": [{"x": x, "y": y}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def draw_with_pen(page: Page, strokes: list[Stroke], steps: int = 8) -> None:
    """Draws with a pen: pointer events of type "pen", sent through the DevTools protocol."""
    cdp = page.context.new_cdp_session(page)
    for stroke in strokes:
        path = along(pad_points(page, stroke), steps)
        for phase, (x, y) in zip(phases(path, "mousePressed", "mouseMoved"), path, strict=True):
            pen = {"x": x, "y": y, "button": "left", "buttons": 1, "clickCount": 1, "pointerType": "pen"}
            cdp.send("Input.dispatchMouseEvent", {"type": phase, **pen})
        cdp.send("Input.dispatchMouseEvent", {"type": "mouseReleased", **pen, "buttons": 0})
    cdp.detach()


def phases(path: list, start: str, move: str) -> list[str]:
    """The protocol's event type for each point of a path: it starts at the first and moves through the rest."""
    return [start] + [move] * (len(path) - 1)
