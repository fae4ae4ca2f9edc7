"""The chatters' web page, served through HAProxy, while its relay is SIGKILLed and comes
back: a short "Verbinding verbroken, opnieuw verbinden…", never an error, and the chat
goes on with the same counsellor; what was typed meanwhile is delivered once."""

from __future__ import annotations

import asyncio
import json

import pytest
from playwright.async_api import Page, expect

from console1712.client.staff import CONNECTED
from console1712.i18n import t
from tests.deploy.helpers import Counsellor, make_counsellors
from tests.deploy.procs import Deployment

pytestmark = pytest.mark.asyncio(loop_scope="module")

BACK = 30_000  # ms: the page retries with backoff (0.5 s doubling) while the relay restarts


async def test_page_shows_a_short_reconnect_not_an_error(
    page: Page, deployment: Deployment
) -> None:
    secrets = await make_counsellors(deployment.data, deployment.database)
    await deployment.start()
    haproxy = deployment.haproxy
    anna = Counsellor(haproxy.url("/console"), "anna")
    await anna.login(secrets["anna"])
    await page.goto(f"http://127.0.0.1:{haproxy.port}/")
    await expect(page.locator("#open-state")).not_to_have_text("Verbinden…")
    await page.check("#consent")
    await page.click("#start")
    await expect(page.locator("#chat-state")).to_contain_text("plaats 1")
    saved = json.loads(await page.evaluate("sessionStorage.getItem('c1712.chat')"))
    chat = saved["chat"]
    reply = await anna.client.request({"type": "accept", "chat": chat})
    assert reply is not None and reply["type"] == "assigned"
    await expect(page.locator("#chat-state")).to_have_text("Je praat met Anna.")
    await anna.say(chat, "hallo, ik ben er")
    await expect(page.locator(".msg.them .text")).to_have_text(["hallo, ik ben er"])

    # Every text the connection line shows, however briefly (a standby takes over fast).
    await page.evaluate(
        """() => {
          const line = document.querySelector('#connection');
          window.seenNotices = [];
          new MutationObserver(() => window.seenNotices.push(line.textContent))
            .observe(line, {childList: true, characterData: true, subtree: true});
        }"""
    )
    await deployment.kill()
    notice = t("web.dropped", "nl")
    assert notice == "Verbinding verbroken, opnieuw verbinden…"
    await page.wait_for_function("window.seenNotices.length > 0")
    assert await page.evaluate("window.seenNotices[0]") == notice
    # Typed while the relay is gone: shown as being sent, not as failed.
    await page.fill("#message", "ben je er nog?")
    await page.press("#message", "Enter")
    await expect(page.locator(".msg.me")).to_have_count(1)
    assert await page.locator(".failed, [data-state=failed]").count() == 0

    await deployment.recover()
    await expect(page.locator("#connection")).to_have_text("", timeout=BACK)
    await expect(page.locator("#chat-state")).to_have_text("Je praat met Anna.")
    await expect(page.locator(".msg.them .text")).to_have_text(["hallo, ik ben er"])
    assert await page.locator("#ended").is_hidden()
    # Delivered once: stored (acknowledged to the page) and seen by the console, which came
    # back through HAProxy too (live, or in the history it gets back on reconnecting).
    await expect(page.locator(".msg.me")).to_have_attribute("data-state", "sent", timeout=BACK)
    for _ in range(400):
        if anna.client.state == CONNECTED and anna.assigned.count(chat) == 2:
            break
        await asyncio.sleep(0.05)
    seen = anna.history[chat] + [m["text"] for m in anna.messages]
    assert seen.count("ben je er nog?") == 1, seen
    await anna.say(chat, "ja, nog steeds")
    await expect(page.locator(".msg.them .text")).to_have_text(
        ["hallo, ik ben er", "ja, nog steeds"]
    )
    await anna.client.close()
    # Never an error: only "reconnecting", "resuming your chat", and nothing.
    shown = set(await page.evaluate("window.seenNotices"))
    assert shown <= {notice, t("web.resuming", "nl"), ""}, shown
    await deployment.stop()
