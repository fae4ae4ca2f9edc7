"""The web page while the relay's PostgreSQL is away: a message the relay answers with
`unavailable` (nothing stored) stays "being sent", never "failed", and goes again with the
same id until the database is back; the counsellor gets it once."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from playwright.async_api import Page, WebSocket, expect

from console1712.clock import FakeClock
from console1712.config import Settings
from console1712.relay.server import Relay
from console1712.store import accounts, chats
from tests.conftest import StaffLogin
from tests.databases import CutProxy
from tests.relay.helpers import console, poll, recv_type, standard_relay
from tests.web.test_page import accept, start_chat

pytestmark = pytest.mark.asyncio(loop_scope="module")
PASSWORD = "correct horse battery"


@pytest_asyncio.fixture(loop_scope="module")
async def proxy(pg_url: str) -> AsyncIterator[CutProxy]:
    through = CutProxy(pg_url)
    await through.start()
    yield through
    await through.cut()


@pytest_asyncio.fixture(loop_scope="module")
async def pg_relay(settings: Settings, clock: FakeClock, proxy: CutProxy) -> AsyncIterator[Relay]:
    server = standard_relay(dataclasses.replace(settings, database=proxy.url), clock)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def test_a_message_refused_as_unavailable_goes_again_once_the_database_is_back(
    page: Page, pg_relay: Relay, proxy: CutProxy, clock: FakeClock
) -> None:
    made = await accounts.create_account(
        pg_relay.db, clock, "anna", PASSWORD, role="counsellor", team="antwerpen", display="Anna"
    )
    anna = StaffLogin("anna", PASSWORD, made.secret, clock)
    refused: list[str] = []  # the ids the relay answered with `unavailable`, as the page got them

    def on_socket(socket: WebSocket) -> None:
        def on_frame(payload: str | bytes) -> None:
            frame = json.loads(payload)
            if frame.get("type") == "error" and frame.get("code") == "unavailable":
                refused.append(frame["id"])

        socket.on("framereceived", on_frame)

    page.on("websocket", on_socket)
    chat_id = await start_chat(page, pg_relay)
    async with console(pg_relay, anna) as ws:
        await accept(ws, chat_id)
        await expect(page.locator("#chat-state")).to_have_text("Je praat met Anna.")

        await proxy.cut()  # PostgreSQL is gone
        await page.fill("#message", "tijdens de storing")
        await page.press("#message", "Enter")
        mine = page.locator(".msg.me")
        await expect(mine).to_have_count(1)
        await poll(lambda: len(refused) >= 2, 20)  # refused, and sent again: refused again
        assert len(set(refused)) == 1  # the same id each time
        assert await page.locator(".failed, [data-state=failed]").count() == 0
        assert await mine.get_attribute("data-state") != "sent"

        await proxy.restore()  # it is back: the page's next try is stored
        got = await recv_type(ws, "message", chat=chat_id, wait=20)
        assert got["text"] == "tijdens de storing"
        await expect(mine).to_have_attribute("data-state", "sent", timeout=20_000)
    stored = await chats.transcript(pg_relay.db, chat_id)
    assert [m.text for m in stored] == ["tijdens de storing"]
