"""The page in headless Chromium. It is served from a temporary copy on one local port and asks the real
function on another, so every call is cross-origin, as in production. The function serves the stub model
(tests/browser/stub.py), whose answers the tests compute. One browser serves the whole session; each test opens
the page in a fresh context of its own."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from local import page, services
from local.browser import launch
from tests.browser.stub import BUCKET, Stub, fitted
from tests.browser.visit import Visit

# Waits end as soon as their condition holds; the limit only matters on a machine busy with other work.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def stub(mnist_sample) -> Stub:
    return fitted(*mnist_sample)


@pytest.fixture(scope="session")
def stub_version(gcs, stub, tmp_path_factory) -> str:
    """The stub's version, live in the emulator's bucket stub.BUCKET for the function servers the page's tests
    start."""
    folder = tmp_path_factory.mktemp("stub")
    stub.publish(folder)
    return services.publish_version(gcs, BUCKET, folder)


@pytest.fixture(scope="session")
def function_url(stub_version, start_function) -> str:
    """A function server serving the stub, its model loaded."""
    server = start_function(BUCKET)
    services.wait_until_loaded(server.url, timeout=60)
    return server.url


@pytest.fixture(scope="session")
def served(tmp_path_factory, function_url) -> Path:
    """What the page's server serves: page/, site/ staged with a config.js naming the function, and
    unconfigured/, staged without one. The worktree's site/ is never written to."""
    root = tmp_path_factory.mktemp("served")
    page.stage_site(root / "page", function_url)
    page.stage_site(root / "unconfigured")
    return root


@pytest.fixture(scope="session")
def site_url(served, logs) -> Iterator[str]:
    server = services.start_site(services.free_port(), logs, served)
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, site_url) -> Iterator[Callable[..., Visit]]:
    """Opens `path` on the page's server (default: the configured page) in a fresh browser context, made
    with the given options (viewport, device_scale_factor, has_touch, ...)."""
    contexts = []

    def open_(path: str = "page/", **context_options) -> Visit:
        context = browser.new_context(**context_options)
        contexts.append(context)
        visit = Visit(context.new_page()).watch()
        visit.page.goto(f"{site_url}/{path}")
        return visit

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def visit(open_page) -> Visit:
    """The configured page on a desktop-sized screen."""
    return open_page(viewport={"width": 1000, "height": 760})
