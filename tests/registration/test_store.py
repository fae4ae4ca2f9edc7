"""Registrations in a real database: opened by the end of a chat (every way it ends),
erased with the chat by the retention purge, whose archive keeps the codes, never the note."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from console1712.clock import FakeClock
from console1712.config import Settings
from console1712.domain.registration import Codes
from console1712.domain.themes import taxonomy
from console1712.store import blocks, chats, registrations, retention, stats
from console1712.store.chats import Intake
from console1712.store.db import Database, Tx
from tests.databases import both_databases

NOTE = "Jan, 15, woont in Gent"
CODES = Codes(
    kind="help",
    themes=("child-abuse-sexual", "partner-violence"),
    about="self",
    relation="parent",
    risk="high",
    referrals=("vk", "police"),
    age_band="12-17",
    gender="female",
)


@both_databases
async def test_chat_end_opens_registration_and_purge_keeps_codes_only(settings: Settings) -> None:
    db = await Database.open(settings.db_target, settings.key_path)
    try:
        march = datetime(2026, 3, 10, 14, tzinfo=UTC)
        intake = Intake(nickname="Jan", age=15, gender="meisje", region="limburg")
        for n in range(3):
            await chats.create_chat(db, f"c_{n}", march, intake, "10.0.0.1", "h", f"r{n}")
        await chats.assign(db, "c_0", "anna", "limburg", march)
        await chats.assign(db, "c_1", "anna", "limburg", march)
        await chats.end_chat(db, "c_0", "chatter", march + timedelta(minutes=20))

        async def block(tx: Tx) -> None:  # a block ends the chat too
            await chats.end_in(tx, "c_1", "counsellor", march)
            await blocks.add_in(tx, "b_1", "h", march, march, "c_1", "anna", "x")

        await db.write(block)
        await chats.end_chat(db, "c_2", "chatter", march)  # never accepted: nothing to register
        assert [r.contact for r in await registrations.open_for(db, "anna")] == ["c_1", "c_0"]
        assert await registrations.open_counts(db, "limburg") == {"anna": 2}

        await registrations.save(db, march, "anna", "c_0", CODES, NOTE)
        (raw,) = await db.fetchall("SELECT note FROM registrations WHERE contact = 'c_0'")
        assert b"Gent" not in bytes(raw["note"])  # sealed
        themes = list(taxonomy())
        before = sorted(map(repr, await stats.year_contacts(db, 2026, themes)))
        (mine,) = [c for c in await stats.year_contacts(db, 2026, themes) if c.kind == "help"]
        assert mine.theme == "child-abuse-sexual" and mine.referrals == ("vk", "police")

        counts = await retention.purge(db, FakeClock(datetime(2026, 11, 1, tzinfo=UTC)))
        assert counts.chats == 3
        assert await db.fetchall("SELECT contact FROM registrations") == []
        assert sorted(map(repr, await stats.year_contacts(db, 2026, themes))) == before
        rows = await db.fetchall("SELECT * FROM stats_archive_codes WHERE kind = 'help'")
        assert [(r["themes"], r["referrals"], r["risk"]) for r in rows] == [
            ("child-abuse-sexual partner-violence", "vk police", "high")
        ]
    finally:
        await db.close()
