"""The database files on disk: private whatever the umask, and damage found at start.

Real SQLite files throughout; the corrupt ones are made by writing over a page or by
changing an index's definition behind SQLite's back. SQLite alone (not `both_databases`):
PostgreSQL's files, their modes and their checks are the server's."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from console1712.clock import FakeClock
from console1712.config import Settings
from console1712.store import accounts, audit
from console1712.store.db import Database, StoreError, Tx
from tests.conftest import StaffLogin
from tests.relay.helpers import console, standard_relay
from tests.test_cli import cli, one_error_line


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def set_modes(folder: Path, new: int) -> None:
    for f in folder.glob("d.db*"):
        f.chmod(new)


def modes_of(folder: Path) -> list[int]:
    return [mode(f) for f in folder.glob("d.db*")]


async def test_db_wal_and_shm_are_0600_with_umask_022(
    umask_022: None, settings: Settings, clock: FakeClock
) -> None:
    relay = standard_relay(settings, clock)
    await relay.start()
    try:
        created = await accounts.create_account(
            relay.db, clock, "anna", "correct horse battery", role="counsellor"
        )
        staff = StaffLogin("anna", "correct horse battery", created.secret, clock)
        async with console(relay, staff):  # writes go through the WAL
            pass
        db = settings.db_path
        files = [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]
        assert all(f.exists() for f in files)
        assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
    finally:
        await relay.stop()


async def test_files_left_0644_are_tightened_at_open(umask_022: None, tmp_path: Path) -> None:
    paths = (tmp_path / "d.db", tmp_path / "k.key")
    db = await Database.open(*paths)
    await db.close()
    set_modes(tmp_path, 0o644)
    db = await Database.open(*paths)
    try:
        modes = modes_of(tmp_path)
        assert len(modes) >= 2 and set(modes) == {0o600}, modes
    finally:
        await db.close()


async def fill_audit(path: Path, key: Path, clock: FakeClock, entries: int) -> None:
    """A database whose audit table spans many pages (start-up reads only its last one)."""
    db = await Database.open(path, key)
    try:

        async def job(tx: Tx) -> None:
            for i in range(entries):
                await audit.append(tx, clock.now(), "cli", "test.fill", f"object:{i:06d}" * 8)

        await db.write(job)
    finally:
        await db.close()


def damage_a_middle_page(path: Path, table: str) -> None:
    """Write over the cells of one leaf page in the middle of `table` (after a checkpoint)."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = [
            int(r[0])
            for r in conn.execute(
                "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno",
                (table,),
            )
        ]
        size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    finally:
        conn.close()
    assert len(pages) > 10
    with path.open("r+b") as f:
        f.seek((pages[len(pages) // 2] - 1) * size + 8)
        f.write(bytes(range(64)) * 2)


async def test_relay_refuses_to_start_on_a_damaged_page(
    settings: Settings, clock: FakeClock
) -> None:
    await fill_audit(settings.db_path, settings.key_path, clock, 2000)
    damage_a_middle_page(settings.db_path, "audit")
    relay = standard_relay(settings, clock)
    with pytest.raises(StoreError, match="is damaged"):
        await relay.start()
    # The command: one clear line, exit 1.
    result = await asyncio.to_thread(
        cli, settings.data, "relay", "--port", "0", "--smtp-port", "0", "--always-open"
    )
    line = one_error_line(result)
    assert "console1712.db is damaged (quick_check: " in line
    assert "restore it from a backup" in line


def break_an_index(path: Path) -> None:
    """Give an index another definition than its contents: only a full check sees it."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute(
            "UPDATE sqlite_schema SET sql = 'CREATE INDEX sessions_by_name ON sessions"
            " (created_at)' WHERE name = 'sessions_by_name'"
        )
        conn.commit()
    finally:
        conn.close()


async def test_audit_verify_runs_the_full_integrity_check(
    settings: Settings, clock: FakeClock
) -> None:
    db = await Database.open(settings.db_path, settings.key_path)
    try:
        created = await accounts.create_account(
            db, clock, "anna", "correct horse battery", role="counsellor"
        )
        await accounts.create_session(db, clock, created.account)
    finally:
        await db.close()
    ok = await asyncio.to_thread(cli, settings.data, "audit", "verify")
    assert ok.code == 0 and "audit log intact" in ok.out, ok
    break_an_index(settings.db_path)
    # quick_check (start-up) does not compare indexes with their tables: the file opens...
    db = await Database.open(settings.db_path, settings.key_path, create=False)
    await db.close()
    # ... and the full check in `audit verify` finds it.
    result = await asyncio.to_thread(cli, settings.data, "audit", "verify")
    assert result.code == 1, result
    assert "console1712: database: " in result.err and "sessions_by_name" in result.err
    assert "Traceback" not in result.err
