"""An account's open consoles end when its access ends: disable, password or OTP change
(also from `console1712 user` in another process on the same data), session expiry and
logout; the token then stops working for reconnects. Token logins are audited."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from console1712.clock import FakeClock
from console1712.config import Settings
from console1712.store import accounts, audit
from console1712.store.db import Database
from tests.databases import both_databases, database_args
from tests.relay.helpers import (
    chatter,
    closed_with,
    console,
    expect_error,
    recv_type,
    request,
    send,
    url,
)
from tests.test_cli import cli

pytestmark = both_databases


async def session_of(relay: Any, staff: Any) -> tuple[ClientConnection, str]:
    """A console logged in with password and code: (ws, its session token)."""
    ws = await connect(url(relay, "/console"))
    session = await request(ws, staff.login_frame(), "session")
    return ws, str(session["token"])


async def token_refused(relay: Any, token: str) -> None:
    async with connect(url(relay, "/console")) as ws:
        await expect_error(ws, {"type": "login", "token": token}, "auth_failed")


async def still_served(ws: ClientConnection) -> None:
    """A request on this console is answered: it was not closed."""
    reply = await request(ws, {"type": "status", "state": "available", "ref": "s"}, "status")
    assert reply["ref"] == "s"


async def test_cli_disable_closes_the_open_console_1008(
    relay: Any, make_staff: Any, settings: Settings
) -> None:
    anna = await make_staff("anna")
    bob = await make_staff("bob")
    ws, token = await session_of(relay, anna)
    async with console(relay, bob) as other:
        result = await asyncio.to_thread(
            cli, settings.data, "user", "disable", "anna", *database_args(settings.db_target)
        )
        assert result.code == 0, result.err
        assert await closed_with(ws, wait=10) == 1008
        await token_refused(relay, token)
        await still_served(other)  # only that account's consoles end


async def test_cli_passwd_and_reset_otp_close_consoles_1008(
    relay: Any, make_staff: Any, settings: Settings
) -> None:
    anna = await make_staff("anna")
    ws, token = await session_of(relay, anna)
    result = await asyncio.to_thread(
        cli,
        settings.data,
        "user",
        "passwd",
        "anna",
        *database_args(settings.db_target),
        stdin="another long password\n",
    )
    assert result.code == 0, result.err
    assert await closed_with(ws, wait=10) == 1008
    await token_refused(relay, token)

    bert = await make_staff("bert")
    ws, token = await session_of(relay, bert)
    result = await asyncio.to_thread(
        cli, settings.data, "user", "reset-otp", "bert", *database_args(settings.db_target)
    )
    assert result.code == 0, result.err
    assert await closed_with(ws, wait=10) == 1008
    await token_refused(relay, token)


async def test_a_request_after_disable_elsewhere_is_not_served(
    relay: Any, make_staff: Any, settings: Settings, clock: FakeClock
) -> None:
    """The attack of the issue: the disabled account's console accepts a chat and reads its
    history before anyone notices. Each staff request checks the session first."""
    anna = await make_staff("anna")
    ws, _ = await session_of(relay, anna)
    async with chatter(relay, nickname="Jo") as (_chat_ws, queued):
        # Another process on the same database (its own connections), as `user disable` is.
        other = await Database.open(settings.db_target, settings.key_path, create=False)
        try:
            await accounts.disable_account(other, clock, "anna", actor="cli")
        finally:
            await other.close()
        # (the relay's once-a-second sweep may have closed it already: that is refused too)
        with contextlib.suppress(ConnectionClosed):
            await send(ws, {"type": "accept", "chat": queued["chat"], "ref": "a"})
            await send(ws, {"type": "history", "chat": queued["chat"], "ref": "h"})
        seen: list[str] = []

        async def drain() -> None:
            with contextlib.suppress(ConnectionClosed):
                async for raw in ws:
                    seen.append(str(raw))

        await asyncio.wait_for(drain(), 10)
        assert ws.close_code == 1008
        assert not any('"assigned"' in raw or '"history"' in raw for raw in seen), seen
        assert queued["chat"] in relay.waiting  # still waiting for someone else


async def test_an_expired_session_closes_the_console(
    relay: Any, make_staff: Any, clock: FakeClock
) -> None:
    anna = await make_staff("anna")
    ws, token = await session_of(relay, anna)
    await still_served(ws)
    clock.advance(12 * 3600 + 1)
    assert await closed_with(ws, wait=10) == 1008
    await token_refused(relay, token)


async def test_logout_ends_this_session_only(relay: Any, make_staff: Any, clock: FakeClock) -> None:
    anna = await make_staff("anna")
    ws, token = await session_of(relay, anna)
    clock.advance(30)  # a code is used once: the second console logs in at the next step
    other_ws, _ = await session_of(relay, anna)  # a second console, its own session
    await send(ws, {"type": "logout", "ref": "bye"})
    reply = await recv_type(ws, "logged_out")
    assert reply["ref"] == "bye"
    assert await closed_with(ws) == 1000
    await token_refused(relay, token)
    await still_served(other_ws)
    await other_ws.close()
    logouts = [e for e in await audit.entries(relay.db, 100) if e.action == "logout"]
    assert [(e.actor, e.object) for e in logouts] == [("anna", "account:anna")]


async def test_logout_before_login_is_unauthenticated(relay: Any) -> None:
    async with connect(url(relay, "/console")) as ws:
        await expect_error(ws, {"type": "logout"}, "unauthenticated")


async def test_token_logins_are_audited(relay: Any, make_staff: Any) -> None:
    anna = await make_staff("anna")
    ws, token = await session_of(relay, anna)
    await ws.close()
    async with connect(url(relay, "/console")) as again:
        await request(again, {"type": "login", "token": token}, "session")
    await token_refused(relay, "not-a-token")
    found = [
        (e.actor, e.object, e.outcome)
        for e in await audit.entries(relay.db, 100)
        if e.action == "login" and e.detail == "token"
    ]
    assert found == [("anna", "account:anna", "ok"), (accounts.UNKNOWN_ACTOR, "session", "failed")]


async def test_disabled_account_token_refusal_is_audited_with_its_name(
    relay: Any, make_staff: Any, clock: FakeClock
) -> None:
    anna = await make_staff("anna")
    ws, token = await session_of(relay, anna)
    await ws.close()
    # Disabled without ending sessions (an older relay's data): the token still must not work.
    await relay.db.write(
        lambda tx: tx.execute("UPDATE accounts SET disabled = 1 WHERE name = 'anna'")
    )
    await token_refused(relay, token)
    last = (await audit.entries(relay.db, 1))[0]
    assert (last.actor, last.action, last.outcome, last.detail) == (
        "anna",
        "login",
        "failed",
        "token",
    )
