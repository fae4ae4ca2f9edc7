"""`console1712 migrate-data`: a real SQLite helpline (made through the store) moves into
PostgreSQL table by table, sealed values as they are; an interrupted run continues; the
counts are verified and printed; the copy is the helpline (logins, transcripts, audit)."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest

from console1712.cli import main
from console1712.clock import FakeClock
from console1712.domain.mailparse import parse_mail
from console1712.store import accounts, audit, blocks, chats, dossiers, mail, migrate, phone
from console1712.store.db import Database, StoreError
from tests.dossiers.conftest import make_chat

TEXTS = ("hallo", "ik wil iets vertellen", "dank je")


async def helpline(db_file: Path, key_file: Path, clock: FakeClock) -> dict[str, str]:
    """A small helpline with a row in most tables; returns the TOTP secrets."""
    db = await Database.open(db_file, key_file)
    try:
        secrets = {}
        for name in ("anna", "bert"):
            created = await accounts.create_account(
                db, clock, name, "long enough", role="counsellor", team="antwerpen"
            )
            secrets[name] = created.secret
        with pytest.raises(accounts.AuthFailed):
            await accounts.authenticate(db, clock, "anna", "wrong", "000000", "192.0.2.1")
        for i in range(4):
            await make_chat(db, clock.now(), texts=TEXTS, nickname=f"Nick{i}", ended=clock.now())
        live = await make_chat(db, clock.now(), texts=TEXTS[:1])
        code = (await dossiers.create(db, clock.now(), "anna", "antwerpen", "Roos")).code
        first = await dossiers.annotate(
            db, clock.now(), "anna", code, "antwerpen", "note", "eerste versie"
        )
        await dossiers.annotate(
            db, clock.now(), "anna", code, "antwerpen", "note", "tweede", corrects=first.id
        )
        await dossiers.link(db, clock.now(), "anna", code, "antwerpen", "chat", live)
        await mail.store_incoming(
            db,
            parse_mail(
                b"From: x@example.org\r\nTo: hulp@1712.local\r\nSubject: vraag\r\n"
                b"Message-ID: <a@example.org>\r\n\r\nIk heb een vraag.\r\n"
            ),
            clock.now(),
            "antwerpen",
        )
        await phone.register(
            db,
            clock.now(),
            "anna",
            phone.PhoneContact(
                "p_1", date(2026, 11, 26), 12, "limburg", "25-64", "female", "elder-abuse"
            ),
        )
        await db.write(
            lambda tx: blocks.add_in(
                tx, "b_1", "h", clock.now(), clock.now(), live, "anna", "dreigend"
            )
        )
        await audit.record(db, clock, "anna", "chat.block", f"chat:{live}", detail="reden")
        return secrets
    finally:
        await db.close()


async def rows_of(db: Database, table: str, columns: list[str]) -> list[tuple[object, ...]]:
    listed = ", ".join(f'"{c}"' for c in columns)
    return sorted(
        (tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in
         await db.fetchall(f'SELECT {listed} FROM "{table}"')),
        key=repr,
    )  # fmt: skip


async def test_migrate_data_interrupted_then_resumed_and_verified(
    tmp_path: Path, pg_url: str, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    db_file, key_file = data / "console1712.db", data / "console1712.key"
    secrets = await helpline(db_file, key_file, clock)

    # An interrupted run: a few batches land, then the admin presses ctrl+c.
    calls: list[str] = []

    def interrupt(table: str, copied: int) -> None:
        calls.append(table)
        if len(calls) == 4:
            raise KeyboardInterrupt

    src = await Database.open(db_file, key_file, create=False)
    dst = await Database.open(pg_url, key_file)
    try:
        with pytest.raises(KeyboardInterrupt):
            await migrate.copy(src, dst, batch=2, progress=interrupt)
    finally:
        await dst.close()
        await src.close()

    # Run again through the command: it continues, and prints verified counts.
    argv = ["migrate-data", "--from", str(db_file), "--to", pg_url, "--data", str(data)]
    assert await asyncio.to_thread(main, [*argv, "--batch", "2"]) == 0
    out = capsys.readouterr().out
    assert "verified:" in out and "the same on both sides" in out
    assert any(line.split()[:2] == ["chat_messages", "13"] for line in out.splitlines())

    src = await Database.open(db_file, key_file, create=False)
    dst = await Database.open(pg_url, key_file, create=False)
    try:
        tables = await src.tables()
        assert set(tables) <= set(await dst.tables())
        for table in tables:
            columns = [str(r["name"]) for r in await src.fetchall(f'PRAGMA table_info("{table}")')]
            want = await rows_of(src, table, columns)
            got = await rows_of(dst, table, columns)
            if table == "meta":  # the destination's own key check (same key, its own nonce)
                want = [r for r in want if r[0] != "key_check"]
                got = [r for r in got if r[0] != "key_check"]
            assert got == want, table
        # The copy is the helpline: sealed values open, logins work, the chain holds.
        assert await audit.verify(dst) == []
        for chat_id in [r[0] for r in await src.fetchall("SELECT id FROM chats")]:
            want_texts = [m.text for m in await chats.transcript(src, chat_id)]
            assert [m.text for m in await chats.transcript(dst, chat_id)] == want_texts
        clock.advance(60)
        code = accounts.totp_code(secrets["bert"], clock.now())
        assert (await accounts.authenticate(dst, clock, "bert", "long enough", code)).name == "bert"
        # Order kept where PostgreSQL keeps SQLite's rowid; new rows come after.
        assert [r[0] for r in await dst.fetchall("SELECT id FROM chats ORDER BY rowid")] == [
            r[0] for r in await src.fetchall("SELECT id FROM chats ORDER BY rowid")
        ]
        fresh = await make_chat(dst, clock.now(), texts=("nieuw",), nickname="Nieuw")
        newest = await dst.fetchone("SELECT id FROM chats ORDER BY rowid DESC LIMIT 1")
        assert newest[0] == fresh
        assert await dst.fetchone("SELECT count(*) FROM meta WHERE name LIKE 'migrate_data:%'") == (
            0,
        )
    finally:
        await dst.close()
        await src.close()

    # Once done, the destination is a live helpline: a second migration is refused.
    assert await asyncio.to_thread(main, argv) == 1
    assert "already holds data" in capsys.readouterr().err


def test_migrate_data_needs_a_postgres_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["migrate-data", "--from", str(tmp_path / "x.db"), "--to", str(tmp_path / "y.db")])
        == 1
    )
    assert "--to must be a postgresql:// URL" in capsys.readouterr().err


async def test_copy_refuses_a_destination_that_holds_a_helpline(
    tmp_path: Path, pg_url: str, clock: FakeClock
) -> None:
    key_file = tmp_path / "k.key"
    await helpline(tmp_path / "a.db", key_file, clock)
    dst = await Database.open(pg_url, key_file)
    src = await Database.open(tmp_path / "a.db", key_file, create=False)
    try:
        await accounts.create_account(dst, clock, "carla", "long enough", role="admin")
        with pytest.raises(StoreError, match="already holds data"):
            await migrate.copy(src, dst)
    finally:
        await src.close()
        await dst.close()
