"""The chat page passes axe-core's WCAG 2.1 A/AA rules in every state a chatter can meet.

axe-core comes from npm (`make axe`: tests/web/package.json and its lock file) and is
injected into the page; only these tests' browser context bypasses the page's CSP for it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, expect

from console1712.clock import FakeClock
from console1712.relay.server import Relay
from tests.relay.helpers import console, recv_type, request, send
from tests.web.conftest import base_url

pytestmark = pytest.mark.asyncio(loop_scope="module")

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_RUN = """(tags) => axe.run(document, {
    runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]
}).then((r) => r.violations.map((v) => ({
    id: v.id, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")),
})))"""


@pytest.fixture(scope="module")
def axe_source() -> Path:
    if not AXE.exists():
        pytest.fail(f"axe-core missing at {AXE}: run `make axe`", pytrace=False)
    return AXE


@pytest_asyncio.fixture(loop_scope="module")
async def page(browser: Browser, axe_source: Path) -> AsyncIterator[Page]:
    """A phone-width tab whose context lets the axe script in despite the page's CSP."""
    context = await browser.new_context(
        viewport={"width": 360, "height": 740}, locale="nl-BE", bypass_csp=True
    )
    page = await context.new_page()
    try:
        yield page
    finally:
        await context.close()


async def assert_accessible(page: Page, state: str) -> None:
    """No WCAG 2.1 A/AA violation on the page as it is now."""
    if await page.evaluate("typeof window.axe") != "object":
        await page.add_script_tag(path=AXE)
    violations: list[dict[str, Any]] = await page.evaluate(AXE_RUN, WCAG21_AA)
    assert violations == [], f"{state}: {violations}"


async def open_page(page: Page, relay: Relay) -> None:
    await page.goto(base_url(relay))
    await expect(page.locator("#open-state")).not_to_have_text("Verbinden…")


async def start_chat(page: Page, relay: Relay) -> str:
    await open_page(page, relay)
    await page.check("#consent")
    await page.click("#start")
    await expect(page.locator("#chat-state")).to_contain_text("plaats 1")
    (chat_id,) = relay.chats
    return chat_id


async def test_welcome_and_consent_error(page: Page, relay: Relay) -> None:
    await open_page(page, relay)
    await expect(page.locator("#start-form")).to_be_visible()
    await assert_accessible(page, "welcome")
    await page.click("#start")
    await expect(page.locator("#consent")).to_have_attribute("aria-invalid", "true")
    await assert_accessible(page, "consent error")
    await page.fill("#age", "3")
    await page.check("#consent")
    await page.click("#start")
    await expect(page.locator("#intake-error")).to_contain_text("tussen 5 en 120")
    await assert_accessible(page, "intake error")


async def test_closed_hours(page: Page, relay: Relay, clock: FakeClock) -> None:
    clock.set(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))  # a Saturday
    await open_page(page, relay)
    await expect(page.locator("#open-state")).to_contain_text("gesloten")
    await expect(page.locator("#alternatives")).to_be_visible()
    await assert_accessible(page, "closed")


async def test_queued_chatting_resumed_and_ended(page: Page, relay: Relay, make_staff: Any) -> None:
    anna = await make_staff("anna", display="Anna")
    chat_id = await start_chat(page, relay)
    await page.fill("#message", "Is er iemand?")
    await page.press("#message", "Enter")
    await expect(page.locator(".msg.me .state")).to_have_text("verstuurd")
    await assert_accessible(page, "queued")
    async with console(relay, anna) as ws:
        await request(ws, {"type": "accept", "chat": chat_id}, "assigned")
        await expect(page.locator("#chat-state")).to_have_text("Je praat met Anna.")
        await request(
            ws, {"type": "say", "chat": chat_id, "id": "c1", "text": "Ja, ik ben er."}, "ack"
        )
        await page.fill("#message", "Fijn.")
        await page.press("#message", "Enter")
        await recv_type(ws, "message", chat=chat_id)
        await send(ws, {"type": "typing", "chat": chat_id})
        await expect(page.locator("#typing")).to_have_text("Anna is aan het typen…")
        await expect(page.locator(".msg")).to_have_count(4)  # mine, joined, theirs, mine
        await assert_accessible(page, "chatting")

        await page.click("#leave")
        await expect(page.locator("#confirm-leave")).to_be_visible()
        await assert_accessible(page, "confirm leave")
        await page.click("#confirm-no")

        await page.reload()
        await recv_type(ws, "presence", chat=chat_id, state="back")
        await expect(page.locator(".msg")).to_have_count(4)
        await expect(page.locator("#connection")).to_have_text("")
        await assert_accessible(page, "resumed")

        await request(ws, {"type": "end", "chat": chat_id}, "ended")
        await expect(page.locator("#ended")).to_be_visible()
        await assert_accessible(page, "ended")


async def test_blocked(page: Page, relay: Relay, make_staff: Any) -> None:
    anna = await make_staff("anna")
    chat_id = await start_chat(page, relay)
    async with console(relay, anna) as ws:
        await request(ws, {"type": "accept", "chat": chat_id}, "assigned")
        block = {"type": "block", "chat": chat_id, "hours": 2, "reason": "test"}
        await request(ws, block, "ended")
    await page.click("#restart")
    await page.check("#consent")
    await page.click("#start")
    await expect(page.locator("#ended-reason")).to_contain_text("Je kunt tijdelijk niet chatten")
    await assert_accessible(page, "blocked")


async def test_offline(page: Page, relay: Relay) -> None:
    await start_chat(page, relay)
    await relay.stop()  # the relay gone: the page keeps the chat and keeps trying
    await expect(page.locator("#connection")).to_have_text(
        "Verbinding verbroken, opnieuw verbinden…"
    )
    await page.fill("#message", "hallo?")
    await page.press("#message", "Enter")
    await expect(page.locator(".msg.me .state")).to_have_text("wordt verstuurd…")
    await assert_accessible(page, "offline")


async def test_english_follows_the_browser_and_the_switch(
    browser: Browser, relay: Relay, make_staff: Any
) -> None:
    context = await browser.new_context(
        viewport={"width": 360, "height": 740}, locale="en-GB", bypass_csp=True
    )
    try:
        page = await context.new_page()
        await page.goto(base_url(relay))
        await expect(page.locator("html")).to_have_attribute("lang", "en")
        await expect(page.locator("#open-state")).to_have_text(
            "The chat is open now. A counsellor will help you as soon as possible."
        )
        await expect(page.locator("#start")).to_have_text("Start the chat")
        switch = page.locator("#lang-switch")
        await expect(switch).to_have_text("Nederlands")
        await expect(switch).to_have_attribute("lang", "nl")
        await assert_accessible(page, "welcome (en)")

        anna = await make_staff("anna", display="Anna")
        await page.check("#consent")
        await page.click("#start")
        await expect(page.locator("#chat-state")).to_contain_text("position 1")
        (chat_id,) = relay.chats
        async with console(relay, anna) as ws:
            await request(ws, {"type": "accept", "chat": chat_id}, "assigned")
            await expect(page.locator("#chat-state")).to_have_text("You are talking with Anna.")
            await send(ws, {"type": "typing", "chat": chat_id})
            await expect(page.locator("#typing")).to_have_text("Anna is typing…")
            await assert_accessible(page, "chatting (en)")

            # The switch turns everything, also what is already shown, into Dutch.
            await switch.click()
            await expect(page.locator("html")).to_have_attribute("lang", "nl")
            await expect(page.locator("#chat-state")).to_have_text("Je praat met Anna.")
            await expect(page.locator(".msg.system")).to_have_text("Anna praat nu met je.")
            await expect(page.locator("#typing")).to_have_text("Anna is aan het typen…")
            await expect(page.locator("#send")).to_have_text("Versturen")
            await expect(switch).to_have_text("English")
            # The choice holds across a reload of this tab.
            await page.reload()
            await expect(page.locator("#chat-state")).to_have_text("Je praat met Anna.")
            await expect(page.locator("html")).to_have_attribute("lang", "nl")
            await assert_accessible(page, "switched to nl")

            # Back to English: the end and the other ways to get help in English too,
            # although the relay (lang nl) labels them in Dutch.
            await switch.click()
            await request(ws, {"type": "end", "chat": chat_id}, "ended")
            await expect(page.locator("#ended-reason")).to_have_text(
                "The counsellor ended the chat. Thank you for contacting 1712."
            )
            await expect(page.locator("#alternatives-list li").first).to_have_text(
                "Call 1712 (Mon-Fri 9-18, free and anonymous)"
            )
            await assert_accessible(page, "ended (en)")
    finally:
        await context.close()
