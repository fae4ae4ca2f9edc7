"""Quitting the console (F10) ends its session on the relay: the token left in memory
no longer logs in. A session ended elsewhere (account disabled) is said on screen."""

from __future__ import annotations

from typing import Any

from websockets.asyncio.client import connect

from console1712.clock import FakeClock
from console1712.config import Settings
from console1712.store import accounts, audit
from console1712.store.db import Database
from tests.console.conftest import console_app, sign_in, until
from tests.relay.helpers import expect_error


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


async def test_a_disabled_account_s_console_says_the_session_ended(
    settings: Settings, relay: Any, clock: FakeClock, make_staff: Any
) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        workspace = await sign_in(pilot, anna)
        # As `console1712 user disable anna` does it: another connection to the same file.
        other = await Database.open(settings.db_path, settings.key_path, create=False)
        try:
            await accounts.disable_account(other, clock, "anna", actor="cli")
        finally:
            await other.close()
        await until(pilot, lambda: workspace.status.connection == "session_lost")
        await pilot.pause()
        assert "sessie verlopen" in str(workspace.status.render())
