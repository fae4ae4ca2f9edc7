"""Shared fixtures: a fake clock, settings on a temporary data directory, a real relay on
a loopback port (in this test's event loop), and staff accounts that can log in."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from console1712.clock import FakeClock
from console1712.config import Settings, load_settings
from tests.relay.helpers import standard_relay

# `make test` runs the relay's tests a second time on uvloop, the loop the relay process
# uses by default (setting `event_loop`); the in-process relay gets it from this policy.
if os.environ.get("TEST_EVENT_LOOP") == "uvloop":
    import uvloop

    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


@pytest.fixture
def clock() -> FakeClock:
    # Thursday 26 November 2026, 15:00 in Brussels: chat is open.
    return FakeClock(datetime(2026, 11, 26, 14, 0, tzinfo=UTC))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # smtp_port 0: the mail listener (a relay service) must not fight over 2525 in parallel runs.
    # Every test chatter comes from 127.0.0.1: the per-address waiting cap is lifted here and
    # tested with its default in tests/relay/test_floods.py.
    return load_settings(
        environ={},
        overrides={
            "data": tmp_path / "data",
            "port": 0,
            "smtp_port": 0,
            "max_waiting_per_address": 1000,
        },
    )


@dataclass
class StaffLogin:
    """A staff account made for a test, with what it needs to log in."""

    name: str
    password: str
    secret: str  # base32 TOTP secret
    clock: FakeClock

    def code(self, offset_steps: int = 0) -> str:
        from console1712.store.accounts import totp_code

        return totp_code(self.secret, self.clock.now(), offset_steps)

    def login_frame(self) -> dict[str, str]:
        return {"type": "login", "user": self.name, "password": self.password, "otp": self.code()}


@pytest.fixture
async def relay(settings: Settings, clock: FakeClock) -> AsyncIterator[object]:

    server = standard_relay(settings, clock)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def make_staff(relay: object, clock: FakeClock) -> Callable[..., Awaitable[StaffLogin]]:
    """Create an account in the running relay's database: await make_staff("anna")."""
    from console1712.store import accounts

    async def make(
        name: str,
        role: str = "counsellor",
        team: str | None = "antwerpen",
        display: str | None = None,
        password: str = "correct horse battery",
    ) -> StaffLogin:
        db = relay.db  # type: ignore[attr-defined]
        created = await accounts.create_account(
            db, clock, name, password, role=role, team=team, display=display or name.title()
        )
        return StaffLogin(name, password, created.secret, clock)

    return make
