"""The encrypted store: migrations, restarts, refusals, and nothing readable at rest."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from console1712.clock import FakeClock
from console1712.store import accounts, audit, chats
from console1712.store.crypto import DecryptError, KeyRing, write_key_file
from console1712.store.db import Database, IntegrityError, StoreError, migrations
from tests.databases import both_databases, raw_execute, raw_query

SECRET_DETAIL = "geblokkeerd wegens dreigende taal XYZZY"
ALIAS = "Hulpverlener Marieke-QUUX"


@both_databases
async def test_migrations_from_empty_and_restart(
    tmp_path: Path, db_target: Path | str, clock: FakeClock
) -> None:
    key = tmp_path / "data" / "k.key"
    # SQLite: the folder is made too
    target = db_target if isinstance(db_target, str) else tmp_path / "data" / "d.db"
    db = await Database.open(target, key)
    try:
        assert await db.schema_version() == migrations()[-1][0] == migrations("postgres")[-1][0]
        tables = set(await db.tables())
        assert {"meta", "accounts", "sessions", "audit", "login_failures"} <= tables
        await accounts.create_account(db, clock, "anna", "long enough", role="admin")
    finally:
        await db.close()
    assert os.stat(key).st_mode & 0o777 == 0o600
    db = await Database.open(target, key)
    try:
        assert [a.name for a in await accounts.list_accounts(db)] == ["anna"]
        assert await db.schema_version() == migrations()[-1][0]
    finally:
        await db.close()


@both_databases
async def test_newer_schema_refused(tmp_path: Path, db_target: Path | str) -> None:
    paths = (db_target, tmp_path / "k.key")
    await (await Database.open(*paths)).close()
    if isinstance(db_target, str):
        newer = "INSERT INTO schema_version VALUES (999, 'later', now())"
        version = "SELECT max(version) FROM schema_version"
    else:
        newer, version = "PRAGMA user_version = 999", "PRAGMA user_version"
    raw_execute(db_target, newer)
    with pytest.raises(StoreError, match="schema version 999, newer than"):
        await Database.open(*paths)
    assert raw_query(db_target, version) == [(999,)]  # left as it was


@both_databases
async def test_messages_kept_through_the_migration_to_arrival_order(
    tmp_path: Path, db_target: Path | str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """0011 drops the UNIQUE (chat, sender, client_id) index (SQLite: rebuilds the table in
    arrival order): every message of a version-10 database is still there and opens, and
    (chat, seq) stays unique."""
    paths = (db_target, tmp_path / "k.key")
    up_to_10 = [
        m for m in migrations("postgres" if isinstance(db_target, str) else "sqlite") if m[0] <= 10
    ]
    module = "postgres" if isinstance(db_target, str) else "sqlite"
    monkeypatch.setattr(f"console1712.store.{module}.migrations", lambda *_: up_to_10)
    db = await Database.open(*paths)
    try:
        assert await db.schema_version() == 10
        for n in (1, 2):
            chat_id = f"c_{n}"
            await chats.create_chat(
                db, chat_id, clock.now(), chats.Intake(nickname=f"kind {n}"), "10.0.0.1", "a", "r"
            )
            for seq in (1, 2, 3):
                await chats.add_message(
                    db, chat_id, seq, chats.CHATTER, f"id-{seq}", f"bericht {n}.{seq}", clock.now()
                )
    finally:
        await db.close()
    monkeypatch.undo()
    db = await Database.open(*paths)
    try:
        assert await db.schema_version() == 11
        for n in (1, 2):
            stored = await chats.transcript(db, f"c_{n}")
            assert [(m.seq, m.text) for m in stored] == [(s, f"bericht {n}.{s}") for s in (1, 2, 3)]
        # the relay's idempotency is in memory: the same client id again is no constraint now
        await chats.add_message(db, "c_1", 4, chats.CHATTER, "id-1", "nog eens", clock.now())
        with pytest.raises(IntegrityError):  # but a seq is taken once
            await chats.add_message(db, "c_1", 4, chats.CHATTER, "id-9", "dubbel", clock.now())
        assert [m.seq for m in await chats.transcript(db, "c_1")] == [1, 2, 3, 4]
    finally:
        await db.close()


async def test_corrupt_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "d.db"
    junk = os.urandom(8192)
    path.write_bytes(junk)
    with pytest.raises(StoreError, match=r"corrupt|not a usable"):
        await Database.open(path, tmp_path / "k.key", create=True)
    assert path.read_bytes() == junk  # no data touched


@both_databases
async def test_key_file_refusals(tmp_path: Path, db_target: Path | str) -> None:
    paths = (db_target, tmp_path / "k.key")
    await (await Database.open(*paths)).close()
    os.chmod(paths[1], 0o644)
    with pytest.raises(StoreError, match="accessible to others"):
        await Database.open(*paths)
    os.chmod(paths[1], 0o600)
    with pytest.raises(StoreError, match="is missing for the existing database"):
        await Database.open(paths[0], tmp_path / "other.key")
    assert not (tmp_path / "other.key").exists()
    write_key_file(tmp_path / "wrong.key", KeyRing.generate())
    with pytest.raises(StoreError, match="does not belong to the database"):
        await Database.open(paths[0], tmp_path / "wrong.key")


def copy_with_wal(db_file: Path, dest: Path) -> bytes:
    """Copy the database file and its write-ahead log as a thief would; their bytes."""
    wal = Path(str(db_file) + "-wal")
    assert wal.exists() and wal.stat().st_size > 0
    shutil.copyfile(db_file, dest)
    shutil.copyfile(wal, Path(str(dest) + "-wal"))
    return dest.read_bytes() + Path(str(dest) + "-wal").read_bytes()


async def test_copy_of_database_and_wal_reveals_no_plaintext(
    tmp_path: Path, clock: FakeClock
) -> None:
    paths = (tmp_path / "d.db", tmp_path / "k.key")
    db = await Database.open(*paths)
    try:
        created = await accounts.create_account(
            db, clock, "anna", "long enough", role="counsellor", display=ALIAS
        )
        await audit.record(db, clock, "anna", "chat.block", "chat:c_1", detail=SECRET_DETAIL)
        # copied while open: the new rows are still in the write-ahead log
        blob = copy_with_wal(paths[0], tmp_path / "copy")
        for plain in (created.secret, ALIAS, SECRET_DETAIL):
            assert plain.encode() not in blob
            assert plain.encode("utf-16-le") not in blob
        assert (await accounts.get_account(db, "anna")).display == ALIAS  # type: ignore[union-attr]
    finally:
        await db.close()
    blob = paths[0].read_bytes()
    for plain in (created.secret, ALIAS, SECRET_DETAIL):
        assert plain.encode() not in blob


@both_databases
async def test_sealed_value_moved_to_another_row_fails(
    tmp_path: Path, db_target: Path | str, clock: FakeClock
) -> None:
    paths = (db_target, tmp_path / "k.key")
    db = await Database.open(*paths)
    try:
        for name in ("anna", "bert"):
            await accounts.create_account(db, clock, name, "long enough", role="counsellor")
    finally:
        await db.close()
    raw_execute(
        paths[0],
        "UPDATE accounts SET totp_secret = (SELECT totp_secret FROM accounts WHERE name = 'anna')"
        " WHERE name = 'bert'",
    )
    db = await Database.open(*paths)
    try:
        row = await db.fetchone("SELECT totp_secret FROM accounts WHERE name = 'bert'")
        assert row is not None
        with pytest.raises(DecryptError):
            db.keys.open(row[0], "accounts", "totp_secret", "bert")
        assert db.keys.open(row[0], "accounts", "totp_secret", "anna")  # it is anna's
        # and a login for bert fails closed rather than accepting anna's codes
        with pytest.raises(accounts.AuthFailed):
            await accounts.authenticate(db, clock, "bert", "long enough", "123456")
    finally:
        await db.close()
