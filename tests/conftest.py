"""Shared fixtures: a fake clock, settings on a temporary data directory, a real relay on
a loopback port (in this test's event loop), staff accounts that can log in, and a fresh
PostgreSQL schema per test for the tests that run on both databases.

PostgreSQL: the server named by TEST_PG_URL (`make test` sets it: the one on
127.0.0.1:5432, or a throwaway cluster it starts), else 127.0.0.1:5432. A test that needs it
fails when it cannot be reached: it is never skipped."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from console1712.clock import FakeClock
from console1712.config import Settings, load_settings
from tests.databases import DATABASES, PG_DEFAULT, PG_ENV, pg_run, with_search_path
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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "both_databases: run on SQLite and on PostgreSQL")
    config.addinivalue_line("markers", "one_database: once, on SQLite (in a module on both)")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.get_closest_marker("both_databases") is None:
        return
    if metafunc.definition.get_closest_marker("one_database") is not None:
        return
    if "database_kind" in metafunc.fixturenames:
        metafunc.parametrize("database_kind", DATABASES)


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The test server's URL; the test fails (never skips) when it does not answer."""
    url = os.environ.get(PG_ENV) or PG_DEFAULT
    try:
        pg_run(url, "SELECT 1")
    except Exception as exc:
        pytest.fail(
            f"PostgreSQL for the tests does not answer ({type(exc).__name__}: {exc});"
            f" start one on 127.0.0.1:5432 or set {PG_ENV} (`make test` does both)",
            pytrace=False,
        )
    return url


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh schema of the test server for this test alone, dropped after it."""
    schema = "t_" + secrets.token_hex(8)
    pg_run(pg_server, f"CREATE SCHEMA {schema}")
    try:
        yield with_search_path(pg_server, schema)
    finally:
        pg_run(pg_server, f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def database_kind() -> str:
    """SQLite unless the test is parametrized with `both_databases`."""
    return "sqlite"


@pytest.fixture
def db_target(database_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Path | str:
    """Where this test's database lives: a file in tmp_path, or a PostgreSQL schema's URL."""
    if database_kind == "postgres":
        url: str = request.getfixturevalue("pg_url")
        return url
    return tmp_path / "d.db"


@pytest.fixture
def settings(tmp_path: Path, database_kind: str, request: pytest.FixtureRequest) -> Settings:
    # smtp_port 0: the mail listener (a relay service) must not fight over 2525 in parallel runs.
    # Every test chatter comes from 127.0.0.1: the per-address waiting cap is lifted here and
    # tested with its default in tests/relay/test_floods.py.
    overrides: dict[str, object] = {
        "data": tmp_path / "data",
        "port": 0,
        "smtp_port": 0,
        "max_waiting_per_address": 1000,
    }
    if database_kind == "postgres":
        overrides["database"] = request.getfixturevalue("pg_url")
    return load_settings(environ={}, overrides=overrides)


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
