"""Fixtures for the web page tests: one Chromium per module, a fresh page per test, and the
relay running in the module's event loop (where the browser lives too)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright, expect

from console1712.clock import FakeClock
from console1712.config import Settings
from console1712.relay.server import Relay
from tests.relay.helpers import standard_relay

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

expect.set_options(timeout=5000)


@pytest.fixture(scope="module")
def chromium() -> str:
    """Debian's chromium; its absence fails the tests (never a silent skip in CI)."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"chromium not found at {CHROMIUM}: run `make browser` "
            "(or `apt-get install -y chromium`) before the web tests",
            pytrace=False,
        )
    return CHROMIUM


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser(chromium: str) -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@pytest_asyncio.fixture(loop_scope="module")
async def relay(settings: Settings, clock: FakeClock) -> AsyncIterator[Relay]:
    """The shared `relay` fixture, but in the module's loop so the browser can share it."""
    server = standard_relay(settings, clock)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest_asyncio.fixture(loop_scope="module")
async def page(browser: Browser) -> AsyncIterator[Page]:
    """A fresh tab at phone width (own session storage), closed after the test."""
    context = await browser.new_context(viewport={"width": 360, "height": 740}, locale="nl-BE")
    page = await context.new_page()
    try:
        yield page
    finally:
        await context.close()


def base_url(relay: Relay) -> str:
    return f"http://127.0.0.1:{relay.port}/"
