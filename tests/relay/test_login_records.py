"""Failed-login records do not pile up: the relay deletes old failures, ended locks, stale
known sources and expired sessions (store: accounts.clean_login_records)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from console1712.clock import FakeClock
from console1712.relay import server as relay_module
from console1712.store import accounts
from tests.databases import both_databases
from tests.relay.helpers import expect_error, request
from tests.relay.test_login_sources import console_from, fail_from

pytestmark = both_databases

TABLES = ("login_failures", "login_source_locks", "login_locks", "login_known_sources", "sessions")


async def counts(db: Any) -> dict[str, int]:
    found = {}
    for table in TABLES:
        row = await db.fetchone(f"SELECT count(*) FROM {table}")
        found[table] = int(row[0])
    return found


async def test_clean_login_records_keeps_what_still_counts(
    relay: Any, make_staff: Any, clock: FakeClock
) -> None:
    anna = await make_staff("anna")
    await fail_from(relay, "127.0.0.2", anna, 5)  # failures and a source lock
    async with console_from(relay, "127.0.0.1") as ws:  # a known source and a session
        await request(ws, anna.login_frame(), "session")
    await accounts.clean_login_records(relay.db, clock)
    assert await counts(relay.db) == {
        "login_failures": 5,
        "login_source_locks": 1,
        "login_locks": 0,
        "login_known_sources": 1,
        "sessions": 1,
    }
    clock.advance(15 * 60)  # the window and the lock are over
    assert await accounts.clean_login_records(relay.db, clock) == 6
    left = await counts(relay.db)
    assert (left["login_failures"], left["login_source_locks"], left["sessions"]) == (0, 0, 1)
    clock.advance(12 * 3600)  # the session expired
    await accounts.clean_login_records(relay.db, clock)
    assert (await counts(relay.db))["sessions"] == 0
    clock.advance(90 * 24 * 3600)  # not seen for 90 days: no longer known
    await accounts.clean_login_records(relay.db, clock)
    assert (await counts(relay.db))["login_known_sources"] == 0


async def test_the_relay_cleans_them_periodically(
    relay_with: Any, settings: Any, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(relay_module, "LOGIN_CLEAN_INTERVAL", 0.0)  # every sweep, for the test
    async with relay_with() as relay:
        async with console_from(relay, "127.0.0.2") as ws:
            frame = {"type": "login", "user": "nobody", "password": "x" * 8, "otp": "123456"}
            for _ in range(3):
                await expect_error(ws, frame, "auth_failed")
        assert (await counts(relay.db))["login_failures"] == 3
        clock.advance(15 * 60)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while (await counts(relay.db))["login_failures"]:
            assert loop.time() < deadline, "the relay did not clean old login failures"
            await asyncio.sleep(0.05)
