"""The retention purge across years: chats after 6 months, dossiers 10 (or 5) years after
closing, open dossiers never; counts audited; the ciphertext gone from the files."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from console1712.cli import main
from console1712.clock import FakeClock
from console1712.config import Settings
from console1712.store import audit, dossiers, retention
from console1712.store.db import Database
from tests.databases import both_databases, database_args, one_database
from tests.dossiers.conftest import make_chat

pytestmark = both_databases


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


async def _closed_dossier(db: Database, opened: datetime, closed: datetime, name: str) -> str:
    d = await dossiers.create(db, opened, "anna", "antwerpen", name)
    await dossiers.annotate(db, opened, "anna", d.code, "antwerpen", "note", f"over {name}")
    await dossiers.set_status(db, closed, "anna", d.code, "antwerpen", "closed")
    return d.code


async def _codes(db: Database) -> set[str]:
    return {r[0] for r in await db.fetchall("SELECT code FROM dossiers")}


async def test_dossiers_across_the_years(db: Database) -> None:
    clock = FakeClock(utc(2017, 1, 10))
    old = await _closed_dossier(db, utc(2017, 1, 10), utc(2018, 6, 1), "Oud")
    recent = await _closed_dossier(db, utc(2020, 1, 10), utc(2020, 6, 1), "Recent")
    still_open = (await dossiers.create(db, utc(2017, 2, 1), "anna", "antwerpen", "Open")).code

    clock.set(utc(2023, 5, 31, 23))
    counts = await retention.purge(db, clock)
    assert counts.dossiers == 0 and await _codes(db) == {old, recent, still_open}

    clock.set(utc(2023, 6, 1, 0, 0, 1))
    counts = await retention.purge(db, clock)
    assert (counts.dossiers, counts.annotations) == (1, 1)
    assert await _codes(db) == {recent, still_open}

    clock.set(utc(2030, 5, 31))
    assert (await retention.purge(db, clock)).dossiers == 0
    clock.set(utc(2030, 6, 1, 0, 0, 1))
    assert (await retention.purge(db, clock)).dossiers == 1
    clock.set(utc(2099, 1, 1))
    await retention.purge(db, clock)
    assert await _codes(db) == {still_open}  # open: never erased

    last = (await audit.entries(db, 1))[0]
    assert (last.actor, last.action) == ("retention", "retention.purge")
    assert "dossiers=0" in (last.detail or "") and "chats=0" in (last.detail or "")


async def test_a_legal_hold_keeps_an_expired_dossier(db: Database) -> None:
    clock = FakeClock(utc(2018, 1, 1))
    code = await _closed_dossier(db, utc(2018, 1, 1), utc(2018, 2, 1), "Vastgehouden")
    await dossiers.set_hold(db, clock.now(), "sofie", code, None, "gerechtelijk onderzoek")
    clock.set(utc(2030, 1, 1))
    assert (await retention.purge(db, clock)).dossiers == 0
    assert await _codes(db) == {code}


async def test_chats_after_six_months_with_messages_intake_and_address(
    db: Database, clock: FakeClock
) -> None:
    start = clock.now()
    old = await make_chat(db, start, texts=("a", "b", "c"), ended=start + timedelta(minutes=30))
    clock.advance(40 * 86400)
    newer = await make_chat(db, clock.now(), ended=clock.now())
    d = await dossiers.create(db, start, "anna", "antwerpen", "Roos")
    await dossiers.link(db, start, "anna", d.code, "antwerpen", "chat", old)

    clock.set(start + timedelta(days=180))  # not yet six calendar months after the end
    assert (await retention.purge(db, clock)).chats == 0

    clock.set(start + timedelta(days=200))
    counts = await retention.purge(db, clock)
    assert (counts.chats, counts.messages) == (1, 3)
    assert await db.fetchone("SELECT 1 FROM chats WHERE id = ?", (old,)) is None
    assert await db.fetchone("SELECT 1 FROM chat_messages WHERE chat = ?", (old,)) is None
    assert await db.fetchone("SELECT 1 FROM chats WHERE id = ?", (newer,)) is not None
    # The dossier stays; its link to the erased chat goes.
    opened = await dossiers.open_dossier(db, clock.now(), "anna", d.code, "antwerpen")
    assert opened.links == []


async def test_chats_linked_to_a_held_dossier_are_kept(db: Database, clock: FakeClock) -> None:
    chat = await make_chat(db, clock.now(), ended=clock.now())
    d = await dossiers.create(db, clock.now(), "anna", "antwerpen", "Roos")
    await dossiers.link(db, clock.now(), "anna", d.code, "antwerpen", "chat", chat)
    await dossiers.set_hold(db, clock.now(), "sofie", d.code, "antwerpen", "parket")
    clock.advance(365 * 86400)
    assert (await retention.purge(db, clock)).chats == 0


def _file_bytes(path: Path) -> bytes:
    found = b""
    for p in (path, path.with_name(path.name + "-wal")):
        if p.exists():
            found += p.read_bytes()
    return found


@one_database
async def test_ciphertext_is_gone_from_the_database_files(db: Database, clock: FakeClock) -> None:
    chat = await make_chat(
        db, clock.now(), texts=("mijn adres is Kerkstraat 1",), ended=clock.now()
    )
    old = await _closed_dossier(db, utc(2010, 1, 1), utc(2010, 2, 1), "Pseudo-Oud")
    sealed = [
        (await db.fetchone("SELECT text FROM chat_messages WHERE chat = ?", (chat,)))[0],
        (await db.fetchone("SELECT address FROM chats WHERE id = ?", (chat,)))[0],
        (await db.fetchone("SELECT nickname FROM chats WHERE id = ?", (chat,)))[0],
        (await db.fetchone("SELECT pseudonym FROM dossiers WHERE code = ?", (old,)))[0],
        (await db.fetchone("SELECT text FROM annotations"))[0],
    ]
    before = _file_bytes(db.path)
    assert all(blob in before for blob in sealed)  # the test looks for something real
    clock.advance(200 * 86400)
    counts = await retention.purge(db, clock)
    assert (counts.chats, counts.dossiers) == (1, 1)
    after = _file_bytes(db.path)
    for blob in sealed:
        assert blob not in after
        assert blob[-16:] not in after  # not even the tag (the last 16 bytes)


async def test_dry_run_counts_and_changes_nothing(db: Database, clock: FakeClock) -> None:
    await make_chat(db, clock.now(), texts=("a", "b"), ended=clock.now())
    await _closed_dossier(db, utc(2010, 1, 1), utc(2010, 2, 1), "Oud")
    audit_before = await audit.count(db)
    clock.advance(200 * 86400)
    counts = await retention.purge(db, clock, dry_run=True)
    assert (counts.chats, counts.messages, counts.dossiers, counts.annotations) == (1, 2, 1, 1)
    assert await audit.count(db) == audit_before
    assert await retention.last_run(db) is None
    assert (await retention.purge(db, clock)).line() == counts.line()


def _prepare(settings: Settings) -> None:
    async def fill() -> None:
        db = await Database.open(settings.db_target, settings.key_path)
        try:
            await make_chat(db, utc(2020, 1, 1), texts=("oud",), ended=utc(2020, 1, 1))
            await _closed_dossier(db, utc(2010, 1, 1), utc(2010, 2, 1), "Oud")
            await dossiers.create(db, utc(2020, 1, 1), "anna", "antwerpen", "Open")
        finally:
            await db.close()

    asyncio.run(fill())


def _state(settings: Settings) -> tuple[int, int, int]:
    async def read() -> tuple[int, int, int]:
        db = await Database.open(settings.db_target, settings.key_path, create=False)
        try:
            chats = (await db.fetchone("SELECT count(*) FROM chats"))[0]
            found = (await db.fetchone("SELECT count(*) FROM dossiers"))[0]
            return int(chats), int(found), await audit.count(db)
        finally:
            await db.close()

    return asyncio.run(read())


def test_purge_command_dry_run_then_real(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    _prepare(settings)
    argv = ["--data", str(settings.data), *database_args(settings.db_target)]
    before = _state(settings)
    assert main(["purge", *argv, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("would erase (dry run):") and "chats=1" in out and "dossiers=1" in out
    assert _state(settings) == before
    assert main(["purge", *argv]) == 0
    out = capsys.readouterr().out
    assert out.startswith("erased:") and "chats=1 messages=1" in out and "dossiers=1" in out
    chats, found, audits = _state(settings)
    assert (chats, found, audits) == (0, 1, before[2] + 1)


def test_purge_command_without_data_is_a_user_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["purge", "--data", str(tmp_path / "none")]) == 1
    assert "no database" in capsys.readouterr().err
