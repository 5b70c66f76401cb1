"""Driving the page in Debian's Chromium with Playwright, for the browser tests and the README's screenshot.

Playwright is pointed at /usr/bin/chromium (`make test` installs it with apt): it never downloads a browser.
"""

import math

from playwright.sync_api import Browser, Page, Playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests may run as root
    "--disable-gpu",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--disable-background-networking",  # no requests of the browser's own: the tests count every request
    "--disable-component-update",
    "--no-first-run",
]

Stroke = list[tuple[float, float]]  # points in pad heights from its top left corner, as the page keeps them


def launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def ellipse(centre_x: float, centre_y: float, radius_x: float, radius_y: float, points: int = 24) -> Stroke:
    """A closed loop, starting at the top and drawn anticlockwise, as most people write a 0."""
    angles = [math.pi / 2 + 2 * math.pi * i / points for i in range(points + 1)]
    return [(centre_x + radius_x * math.cos(a), centre_y - radius_y * math.sin(a)) for a in angles]


# Digits as a person draws them, one list of strokes each, filling most of a square pad.
DIGITS: dict[int, list[Stroke]] = {
    0: [ellipse(0.5, 0.5, 0.2, 0.3)],
    1: [[(0.45, 0.3), (0.55, 0.2), (0.55, 0.8)]],
    2: [[(0.32, 0.33), (0.4, 0.23), (0.52, 0.2), (0.63, 0.25), (0.66, 0.36), (0.6, 0.48), (0.32, 0.8), (0.7, 0.8)]],
    3: [
        [(0.32, 0.26), (0.45, 0.2), (0.6, 0.23), (0.64, 0.34), (0.56, 0.45), (0.45, 0.49), (0.58, 0.53), (0.66, 0.64)],
        [(0.66, 0.64), (0.62, 0.76), (0.48, 0.81), (0.32, 0.76)],
    ],
    4: [[(0.55, 0.2), (0.3, 0.6), (0.75, 0.6)], [(0.62, 0.4), (0.62, 0.82)]],
    5: [
        [(0.36, 0.21), (0.33, 0.48), (0.48, 0.44), (0.62, 0.5), (0.67, 0.64), (0.6, 0.77), (0.45, 0.81), (0.32, 0.75)],
        [(0.36, 0.21), (0.66, 0.21)],
    ],
    6: [
        [(0.62, 0.2), (0.46, 0.31), (0.36, 0.48), (0.33, 0.66), (0.41, 0.79), (0.53, 0.81), (0.64, 0.72), (0.64, 0.6)]
        + [(0.55, 0.52), (0.43, 0.53), (0.35, 0.62)]
    ],
    7: [[(0.3, 0.22), (0.7, 0.22), (0.45, 0.8)]],
    8: [ellipse(0.5, 0.34, 0.14, 0.14), ellipse(0.5, 0.64, 0.17, 0.16)],
    9: [ellipse(0.49, 0.36, 0.15, 0.15), [(0.64, 0.36), (0.62, 0.8)]],
}


def scaled(strokes: list[Stroke], scale: float, left: float, top: float) -> list[Stroke]:
    """The same strokes drawn `scale` times as large, with their (0, 0) at (left, top)."""
    return [[(left + x * scale, top + y * scale) for x, y in stroke] for stroke in strokes]


def number(
    digits: str, sizes: list[float] | None = None, height: float = 0.6, left: float = 0.1, gap: float = 0.08
) -> list[Stroke]:
    """A number as a person writes it: each digit of DIGITS `height` pad heights tall (times its share in
    `sizes`), their feet on one line, `gap` pad heights between them (the ink's gap is narrower by the pad's line
    width), starting `left` from the pad's left edge."""
    strokes: list[Stroke] = []
    foot = 0.2 + height
    for digit, size in zip(digits, sizes or [1.0] * len(digits), strict=True):
        shape = DIGITS[int(digit)]
        xs = [x for stroke in shape for x, _ in stroke]
        bottom = max(y for stroke in shape for _, y in stroke)
        scale = height * size / 0.6  # DIGITS are about 0.6 tall
        strokes += [
            [(left + (x - min(xs)) * scale, foot + (y - bottom) * scale) for x, y in stroke] for stroke in shape
        ]
        left += (max(xs) - min(xs)) * scale + gap
    return strokes


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
