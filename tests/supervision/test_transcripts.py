"""Anonymised transcripts from a real relay's database: JSONL records without names,
identifiers, ids or intake."""

from __future__ import annotations

from datetime import date

from console1712.records.transcripts import anonymised_transcripts
from tests.relay.helpers import chatter, console, recv_type, request, send


async def test_ended_chats_come_out_scrubbed(relay, make_staff, clock) -> None:
    anna = await make_staff("anna", display="Annelies")
    async with console(relay, anna) as aw:
        async with chatter(relay, nickname="Zonnebloem", age=15, region="limburg") as (cw, q):
            chat = q["chat"]
            await request(aw, {"type": "accept", "chat": chat}, "assigned")
            await send(cw, {"type": "say", "id": "1", "text": "Dag Annelies, ik ben Zonnebloem."})
            await recv_type(cw, "ack")
            await send(cw, {"type": "say", "id": "2", "text": "Bel me op 0470 12 34 56 aub."})
            await recv_type(cw, "ack")
            await request(
                aw, {"type": "say", "chat": chat, "id": "a", "text": "Hoi, ik ben Annelies."}, "ack"
            )
            await request(aw, {"type": "end", "chat": chat}, "ended")
        # Still open chats are not exported.
        async with chatter(relay, nickname="Open"):
            records = [r async for r in anonymised_transcripts(relay.db)]
    assert records == [
        {
            "transcript": 1,
            "month": "2026-11",
            "messages": [
                {"from": "chatter", "text": "Dag <NAME>, ik ben <NAME>."},
                {"from": "chatter", "text": "Bel me op <PHONE> aub."},
                {"from": "counsellor", "text": "Hoi, ik ben <NAME>."},
            ],
        }
    ]
    assert [r async for r in anonymised_transcripts(relay.db, date(2026, 11, 27))] == []


def test_export_transcripts_command(tmp_path, capsys) -> None:
    import asyncio
    import json
    from datetime import UTC, datetime

    from console1712.cli import main
    from console1712.config import load_settings
    from console1712.store import chats
    from console1712.store.chats import Intake
    from console1712.store.db import Database

    data = tmp_path / "data"
    settings = load_settings(environ={}, overrides={"data": data})

    async def fill() -> None:
        db = await Database.open(settings.db_path, settings.key_path)
        try:
            for n, day in enumerate((3, 20)):
                at = datetime(2026, 10, day, 14, tzinfo=UTC)
                cid = f"c_{n}"
                await chats.create_chat(db, cid, at, Intake("Kat"), "10.1.2.3", "h", f"r{n}")
                text = "Mijn mail is kat@example.be en ik woon Kerkstraat 4."
                await chats.add_message(db, cid, 1, chats.CHATTER, "x", text, at)
                await chats.end_chat(db, cid, "chatter", at)
        finally:
            await db.close()

    asyncio.run(fill())
    base = ["export", "transcripts", "--anonymise", "--data", str(data)]
    assert main(base) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["transcript"] for line in lines] == [1, 2]
    assert json.loads(lines[0])["messages"][0]["text"] == (
        "Mijn mail is <EMAIL> en ik woon <ADDRESS>."
    )
    assert "10.1.2.3" not in "".join(lines) and "c_0" not in "".join(lines)
    assert main([*base, "--since", "2026-10-10"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1
    assert main([*base, "--since", "gisteren"]) == 1
    with __import__("pytest").raises(SystemExit):
        main(["export", "transcripts", "--data", str(data)])  # --anonymise is required
