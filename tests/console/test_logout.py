"""Quitting the console (F10) ends its session on the relay: the token left in memory or
in a terminal's scrollback no longer logs in."""

from __future__ import annotations

from typing import Any

from websockets.asyncio.client import connect

from console1712.clock import FakeClock
from console1712.config import Settings
from console1712.store import audit
from tests.console.conftest import console_app, sign_in, until
from tests.net.helpers import expect_error


async def test_f10_logs_out_before_closing(
    settings: Settings, relay: Any, clock: FakeClock, make_staff: Any
) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, anna)
        assert app.client is not None and app.client.token
        token = app.client.token
        await pilot.press("f10")  # no open chats: no question
        await until(pilot, lambda: not app.is_running)
    async with connect(f"ws://127.0.0.1:{relay.port}/console") as ws:
        await expect_error(ws, {"type": "login", "token": token}, "auth_failed")
    actions = [(e.actor, e.action) for e in await audit.entries(relay.db, 100)]
    assert ("anna", "logout") in actions
