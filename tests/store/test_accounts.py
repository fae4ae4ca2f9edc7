"""Accounts: scrypt passwords, TOTP with drift and replay refusal, lockout, sessions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from console1712.clock import FakeClock
from console1712.store import accounts, audit
from console1712.store.accounts import AccountError, AuthFailed, Locked, NameTaken
from console1712.store.db import Database
from tests.databases import both_databases

PASSWORD = "correct horse battery"


pytestmark = both_databases


@pytest.fixture
async def db(tmp_path: Path, db_target: Path | str) -> AsyncIterator[Database]:
    database = await Database.open(db_target, tmp_path / "k.key")
    try:
        yield database
    finally:
        await database.close()


async def make(db: Database, clock: FakeClock, name: str = "anna") -> accounts.Created:
    return await accounts.create_account(
        db, clock, name, PASSWORD, role="counsellor", team="antwerpen", display="Anna"
    )


async def test_create_and_login_with_uri_secret(db: Database, clock: FakeClock) -> None:
    created = await make(db, clock)
    uri = urlparse(created.uri)
    assert (uri.scheme, uri.netloc, uri.path) == ("otpauth", "totp", "/console1712:anna")
    query = parse_qs(uri.query)
    assert query["secret"] == [created.secret] and query["issuer"] == ["console1712"]
    code = accounts.totp_code(query["secret"][0], clock.now())
    account = await accounts.authenticate(db, clock, "anna", PASSWORD, code)
    assert account == accounts.Account("anna", "counsellor", "antwerpen", "Anna", False)
    assert await accounts.get_account(db, "anna") == account
    assert await accounts.list_accounts(db) == [account]


async def test_bad_input_refused(db: Database, clock: FakeClock) -> None:
    with pytest.raises(AccountError):
        await accounts.create_account(db, clock, "Anna", PASSWORD, role="counsellor")
    with pytest.raises(AccountError):
        await accounts.create_account(db, clock, "a" * 65, PASSWORD, role="counsellor")
    with pytest.raises(AccountError):
        await accounts.create_account(db, clock, "anna", "short77", role="counsellor")
    with pytest.raises(AccountError):
        await accounts.create_account(db, clock, "anna", PASSWORD, role="god")
    await make(db, clock)
    with pytest.raises(NameTaken, match="account anna already exists"):
        await make(db, clock)


async def test_totp_drift_one_step_accepted_two_refused(db: Database, clock: FakeClock) -> None:
    created = await make(db, clock)
    for offset in (2, -2):
        code = accounts.totp_code(created.secret, clock.now(), offset)
        with pytest.raises(AuthFailed):
            await accounts.authenticate(db, clock, "anna", PASSWORD, code)
    early = accounts.totp_code(created.secret, clock.now(), -1)
    await accounts.authenticate(db, clock, "anna", PASSWORD, early)
    clock.advance(90)
    late = accounts.totp_code(created.secret, clock.now(), 1)
    await accounts.authenticate(db, clock, "anna", PASSWORD, late)


async def test_replay_and_older_step_refused(db: Database, clock: FakeClock) -> None:
    created = await make(db, clock)
    code = accounts.totp_code(created.secret, clock.now())
    await accounts.authenticate(db, clock, "anna", PASSWORD, code)
    with pytest.raises(AuthFailed):
        await accounts.authenticate(db, clock, "anna", PASSWORD, code)
    # the previous step's code is within drift but older than the one used: refused too
    with pytest.raises(AuthFailed):
        await accounts.authenticate(
            db, clock, "anna", PASSWORD, accounts.totp_code(created.secret, clock.now(), -1)
        )
    clock.advance(30)
    await accounts.authenticate(
        db, clock, "anna", PASSWORD, accounts.totp_code(created.secret, clock.now())
    )


async def test_two_racing_logins_with_one_code_one_wins(db: Database, clock: FakeClock) -> None:
    created = await make(db, clock)
    code = accounts.totp_code(created.secret, clock.now())
    results = await asyncio.gather(
        accounts.authenticate(db, clock, "anna", PASSWORD, code),
        accounts.authenticate(db, clock, "anna", PASSWORD, code),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["Account", "AuthFailed"]


async def fail(db: Database, clock: FakeClock, name: str, times: int) -> None:
    for _ in range(times):
        with pytest.raises(AuthFailed):
            await accounts.authenticate(db, clock, name, "wrong password", "000000")


async def test_lockout_at_fifth_failure_and_expiry(db: Database, clock: FakeClock) -> None:
    created = await make(db, clock)
    await fail(db, clock, "anna", 5)  # the fifth still answers AuthFailed
    clock.advance(60)
    with pytest.raises(Locked) as locked:
        code = accounts.totp_code(created.secret, clock.now())
        await accounts.authenticate(db, clock, "anna", PASSWORD, code)
    assert locked.value.until == clock.now() - timedelta(seconds=60) + timedelta(minutes=15)
    clock.advance(14 * 60 - 1)
    with pytest.raises(Locked):
        await accounts.authenticate(
            db, clock, "anna", PASSWORD, accounts.totp_code(created.secret, clock.now())
        )
    clock.advance(1)
    await accounts.authenticate(
        db, clock, "anna", PASSWORD, accounts.totp_code(created.secret, clock.now())
    )
    outcomes = [e.outcome for e in await audit.entries(db, 100) if e.action == "login"]
    assert outcomes == ["failed"] * 5 + ["locked", "locked", "ok"]


async def test_failures_outside_window_do_not_lock(db: Database, clock: FakeClock) -> None:
    created = await make(db, clock)
    await fail(db, clock, "anna", 4)
    clock.advance(15 * 60)
    await fail(db, clock, "anna", 4)
    clock.advance(30)
    code = accounts.totp_code(created.secret, clock.now())
    assert (await accounts.authenticate(db, clock, "anna", PASSWORD, code)).name == "anna"


async def test_success_resets_count(db: Database, clock: FakeClock) -> None:
    created = await make(db, clock)
    await fail(db, clock, "anna", 4)
    await accounts.authenticate(
        db, clock, "anna", PASSWORD, accounts.totp_code(created.secret, clock.now())
    )
    await fail(db, clock, "anna", 4)
    clock.advance(30)
    await accounts.authenticate(
        db, clock, "anna", PASSWORD, accounts.totp_code(created.secret, clock.now())
    )


async def test_unknown_names_lock_and_are_not_stored(db: Database, clock: FakeClock) -> None:
    await fail(db, clock, "nobody-here", 5)
    with pytest.raises(Locked):
        await accounts.authenticate(db, clock, "nobody-here", PASSWORD, "123456")
    rows = [
        r
        for table in ("login_failures", "login_locks", "login_source_locks")
        for r in await db.fetchall(f"SELECT * FROM {table}")
    ]
    assert rows and all("nobody" not in str(tuple(r)) for r in rows)
    assert all("nobody" not in f"{e.actor} {e.object}" for e in await audit.entries(db, 100))


async def test_lockout_survives_restart(
    tmp_path: Path, db_target: Path | str, clock: FakeClock
) -> None:
    paths = (db_target, tmp_path / "k.key")
    db = await Database.open(*paths)
    try:
        created = await make(db, clock)
        await fail(db, clock, "anna", 3)
    finally:
        await db.close()
    db = await Database.open(*paths)
    try:
        await fail(db, clock, "anna", 2)
        with pytest.raises(Locked):
            code = accounts.totp_code(created.secret, clock.now())
            await accounts.authenticate(db, clock, "anna", PASSWORD, code)
    finally:
        await db.close()


async def test_disabled_account_fails_like_wrong_password(db: Database, clock: FakeClock) -> None:
    created = await make(db, clock)
    account = await accounts.authenticate(
        db, clock, "anna", PASSWORD, accounts.totp_code(created.secret, clock.now())
    )
    token = await accounts.create_session(db, clock, account)
    await accounts.disable_account(db, clock, "anna")
    clock.advance(30)
    with pytest.raises(AuthFailed):
        await accounts.authenticate(
            db, clock, "anna", PASSWORD, accounts.totp_code(created.secret, clock.now())
        )
    with pytest.raises(AuthFailed):
        await accounts.account_for_session(db, clock, token)
    await accounts.enable_account(db, clock, "anna")
    clock.advance(30)
    assert not (
        await accounts.authenticate(
            db, clock, "anna", PASSWORD, accounts.totp_code(created.secret, clock.now())
        )
    ).disabled


async def test_set_password_and_reset_otp(db: Database, clock: FakeClock) -> None:
    old = await make(db, clock)
    await accounts.set_password(db, clock, "anna", "a new long password")
    with pytest.raises(AuthFailed):
        await accounts.authenticate(
            db, clock, "anna", PASSWORD, accounts.totp_code(old.secret, clock.now())
        )
    new = await accounts.reset_otp(db, clock, "anna")
    assert new.secret != old.secret and new.account.name == "anna"
    clock.advance(30)
    with pytest.raises(AuthFailed):
        await accounts.authenticate(
            db, clock, "anna", "a new long password", accounts.totp_code(old.secret, clock.now())
        )
    await accounts.authenticate(
        db, clock, "anna", "a new long password", accounts.totp_code(new.secret, clock.now())
    )
    with pytest.raises(accounts.UnknownAccount):
        await accounts.reset_otp(db, clock, "nobody")


async def test_session_valid_expires_after_12h_and_survives_reopen(
    tmp_path: Path, db_target: Path | str, clock: FakeClock
) -> None:
    paths = (db_target, tmp_path / "k.key")
    db = await Database.open(*paths)
    try:
        created = await make(db, clock)
        token = await accounts.create_session(db, clock, created.account)
        assert (await accounts.account_for_session(db, clock, token)).name == "anna"
        with pytest.raises(AuthFailed):
            await accounts.account_for_session(db, clock, token + "x")
        stored = await db.fetchall("SELECT token_hash FROM sessions")
        assert token not in str([tuple(r) for r in stored])
    finally:
        await db.close()
    db = await Database.open(*paths)
    try:
        clock.advance(12 * 3600 - 1)
        assert (await accounts.account_for_session(db, clock, token)).name == "anna"
        clock.advance(1)
        with pytest.raises(AuthFailed):
            await accounts.account_for_session(db, clock, token)
    finally:
        await db.close()
