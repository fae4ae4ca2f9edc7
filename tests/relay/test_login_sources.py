"""Failed logins are counted per (name, source address): a stranger cannot keep a named
account locked for its owner. Real relay, real clients from different loopback addresses
(Linux routes all of 127.0.0.0/8 to the loopback interface)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from console1712.clock import FakeClock
from console1712.store import accounts, audit
from tests.databases import both_databases
from tests.relay.helpers import expect_error, request, url

pytestmark = both_databases


@asynccontextmanager
async def console_from(relay: Any, address: str) -> AsyncIterator[ClientConnection]:
    """A /console connection whose source address is `address` (a loopback address)."""
    async with connect(url(relay, "/console"), local_addr=(address, 0)) as ws:
        yield ws


def wrong(staff: Any) -> dict[str, str]:
    return {**staff.login_frame(), "password": "not the password"}


async def fail_from(relay: Any, address: str, staff: Any, times: int) -> None:
    async with console_from(relay, address) as ws:
        for _ in range(times):
            await expect_error(ws, wrong(staff), "auth_failed")


async def test_a_stranger_locks_the_name_only_where_they_are(
    relay: Any, make_staff: Any, clock: FakeClock
) -> None:
    anna = await make_staff("anna")
    await fail_from(relay, "127.0.0.2", anna, 5)
    async with console_from(relay, "127.0.0.2") as ws:
        # protocol v1 from that source: locked, the correct login too, for 15 minutes
        err = await expect_error(ws, anna.login_frame(), "locked")
        assert err["until"] == "2026-11-26T14:15:00Z"
    async with console_from(relay, "127.0.0.1") as ws:
        session = await request(ws, anna.login_frame(), "session")
        assert session["user"] == "anna"
    clock.advance(30)  # the next code, for the next login
    async with console_from(relay, "127.0.0.2") as ws:
        await expect_error(ws, anna.login_frame(), "locked")  # the owner's success elsewhere


async def test_the_name_cap_spares_a_known_source(
    relay: Any, make_staff: Any, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The cap is 50; 8 keeps the test short (every failure costs a scrypt).
    monkeypatch.setattr(accounts, "NAME_MAX_FAILURES", 8)
    anna = await make_staff("anna")
    async with console_from(relay, "127.0.0.1") as ws:  # the console host: now known
        await request(ws, anna.login_frame(), "session")
    for n, times in ((3, 3), (4, 3), (5, 2)):  # a stranger spread over addresses
        await fail_from(relay, f"127.0.0.{n}", anna, times)  # the 8th failure still fails
    clock.advance(30)
    async with console_from(relay, "127.0.0.9") as ws:  # a source that never logged in
        await expect_error(ws, anna.login_frame(), "locked")
    async with console_from(relay, "127.0.0.1") as ws:
        session = await request(ws, anna.login_frame(), "session")
        assert session["user"] == "anna"
    locks = [e for e in await audit.entries(relay.db, 200) if e.action == "login.lock"]
    assert [e.detail for e in locks] == ["name cap"]
    clock.advance(15 * 60 + 1)  # the cap's lock ends like any other
    async with console_from(relay, "127.0.0.9") as ws:
        await request(ws, anna.login_frame(), "session")


async def test_failures_from_known_source_still_lock_that_source(
    relay: Any, make_staff: Any, clock: FakeClock
) -> None:
    anna = await make_staff("anna")
    async with console_from(relay, "127.0.0.1") as ws:
        await request(ws, anna.login_frame(), "session")
    await fail_from(relay, "127.0.0.1", anna, 5)
    clock.advance(30)
    async with console_from(relay, "127.0.0.1") as ws:
        await expect_error(ws, anna.login_frame(), "locked")
    async with console_from(relay, "127.0.0.7") as ws:
        await request(ws, anna.login_frame(), "session")


async def test_login_tables_hold_no_address_or_name(relay: Any, make_staff: Any) -> None:
    anna = await make_staff("anna")
    await fail_from(relay, "127.0.0.2", anna, 5)
    async with console_from(relay, "127.0.0.1") as ws:
        await request(ws, anna.login_frame(), "session")
    tables = ("login_failures", "login_source_locks", "login_known_sources")
    rows = [r for t in tables for r in await relay.db.fetchall(f"SELECT * FROM {t}")]
    assert len(rows) == 5 + 1 + 1
    assert all("127.0.0" not in str(tuple(r)) and "anna" not in str(tuple(r)) for r in rows)
