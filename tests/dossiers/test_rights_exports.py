"""Rights requests (deadlines, fulfilment per kind) and the three dossier exports."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from console1712.cli import main
from console1712.clock import FakeClock
from console1712.config import Settings
from console1712.domain.mailparse import parse_mail
from console1712.records import exports
from console1712.records.rights import fulfil
from console1712.store import audit, dossiers, mail, rights
from console1712.store.db import Database
from console1712.store.dossiers import DossierError
from tests.dossiers.conftest import make_chat

T = "antwerpen"
HOSTILE = "[@click=app.quit]x[/] [/b] [link=http://x]y[/link] [TODO] \x1b]0;title\x07\x1b[2J"


async def _dossier(db: Database, clock: FakeClock, pseudonym: str = "Roos") -> str:
    d = await dossiers.create(db, clock.now(), "anna", T, pseudonym, ["partner-violence"])
    return d.code


async def test_deadlines_and_overdue_across_a_fake_clock(db: Database, clock: FakeClock) -> None:
    code = await _dossier(db, clock)
    copy = await rights.create(db, clock.now(), "anna", code, T, "copy")
    erase = await rights.create(db, clock.now(), "anna", code, T, "erasure", date(2026, 11, 20))
    assert (copy.received, copy.due) == (date(2026, 11, 26), date(2026, 12, 10))
    assert erase.due == date(2026, 12, 20)
    with pytest.raises(DossierError, match="bad_date"):
        await rights.create(db, clock.now(), "anna", code, T, "copy", date(2026, 12, 1))
    clock.set(datetime(2026, 12, 10, 20, tzinfo=UTC))
    today = date(2026, 12, 10)
    assert [r.overdue(today) for r in await rights.listing(db, T)] == [False, False]
    clock.advance(86400)
    listed = await rights.listing(db, T)
    assert [(r.kind, r.overdue(date(2026, 12, 11))) for r in listed] == [
        ("copy", True),
        ("erasure", False),
    ]
    assert await rights.listing(db, "limburg") == []
    with pytest.raises(DossierError, match="not_found"):
        await rights.create(db, clock.now(), "lies", code, "limburg", "copy")


async def test_fulfilling_restriction_objection_withdrawal_makes_read_only(
    db: Database, clock: FakeClock
) -> None:
    for kind in ("restriction", "objection", "withdrawal"):
        code = await _dossier(db, clock)
        r = await rights.create(db, clock.now(), "anna", code, T, kind)
        done = await fulfil(db, clock.now(), "anna", r.id, T)
        assert done.request.status == "done" and done.request.done_by == "anna"
        assert (await dossiers.get(db, code, T)).restricted
        with pytest.raises(DossierError, match="restricted"):
            await dossiers.annotate(db, clock.now(), "anna", code, T, "note", "x")
        with pytest.raises(DossierError, match="not_open"):
            await fulfil(db, clock.now(), "anna", r.id, T)


async def test_erasure_request_refused_under_hold_then_carried_out(
    db: Database, clock: FakeClock
) -> None:
    code = await _dossier(db, clock)
    chat = await make_chat(db, clock.now(), texts=("hulp",))
    stored = await mail.store_incoming(
        db,
        parse_mail(
            b"From: x@example.org\r\nTo: hulp@1712.local\r\nSubject: vraag\r\n"
            b"Message-ID: <a@example.org>\r\n\r\nIk heb een vraag.\r\n"
        ),
        clock.now(),
        T,
    )
    await dossiers.link(db, clock.now(), "anna", code, T, "chat", chat)
    await dossiers.link(db, clock.now(), "anna", code, T, "mail", stored.thread)
    r = await rights.create(db, clock.now(), "anna", code, T, "erasure", note="per brief")
    await dossiers.set_hold(db, clock.now(), "sofie", code, T, "lopend onderzoek")
    with pytest.raises(DossierError, match="legal_hold"):
        await fulfil(db, clock.now(), "sofie", r.id, T)
    assert (await rights.get(db, r.id, T)).status == "open"

    await dossiers.set_hold(db, clock.now(), "sofie", code, T, None)
    done = await fulfil(db, clock.now(), "sofie", r.id, T)
    assert done.erased is not None
    assert (done.erased.dossiers, done.erased.chats, done.erased.mail_threads) == (1, 1, 1)
    for table in ("chats", "chat_messages", "mail_threads", "mail_messages", "dossier_links"):
        assert (await db.fetchone(f"SELECT count(*) FROM {table}"))[0] == 0, table
    # The request stays as proof it was answered: code, kind, days, status; the note is gone.
    proof = await rights.get(db, r.id, T)
    assert (proof.code, proof.status, proof.note, proof.erased) == (code, "done", None, True)


def _check(value: Any, schema: Any, where: str = "$") -> None:
    """A tiny checker for the schema written in docs/portability-schema.md."""
    if isinstance(schema, dict):
        assert isinstance(value, dict), where
        assert set(value) == set(schema), f"{where}: {sorted(value)} != {sorted(schema)}"
        for key, sub in schema.items():
            _check(value[key], sub, f"{where}.{key}")
    elif isinstance(schema, list):
        assert isinstance(value, list), where
        for i, item in enumerate(value):
            _check(item, schema[0], f"{where}[{i}]")
    elif isinstance(schema, tuple):
        assert isinstance(value, schema), f"{where}: {value!r}"
    else:
        assert isinstance(value, schema) and not (schema is int and isinstance(value, bool)), where


N = type(None)
PORTABILITY = {
    "format": str,
    "version": int,
    "exported_at": str,
    "dossier": {
        "code": str,
        "team": str,
        "status": str,
        "opened_at": str,
        "closed_at": (str, N),
        "pseudonym": str,
        "themes": [{"id": str, "label": str}],
        "restricted": bool,
    },
    "annotations": [
        {
            "id": str,
            "kind": str,
            "referral_to": (str, N),
            "text": str,
            "at": str,
            "version": int,
            "corrects": (str, N),
            "origin": str,
            "current": bool,
        }
    ],
    "chats": [
        {
            "id": str,
            "linked_at": str,
            "messages": [{"seq": int, "from": str, "at": str, "text": str}],
        }
    ],
    "mail_threads": [{"id": str, "linked_at": str}],
    "rights_requests": [{"kind": str, "received": str, "due": str, "status": str}],
}


async def _full_dossier(db: Database, clock: FakeClock) -> tuple[str, str]:
    code = await _dossier(db, clock, pseudonym=f"Roos {HOSTILE}")
    chat = await make_chat(db, clock.now(), texts=("ik ben bang", "help"))
    await dossiers.link(db, clock.now(), "anna", code, T, "chat", chat)
    v1 = await dossiers.annotate(db, clock.now(), "anna", code, T, "assessment", "laag risico")
    await dossiers.annotate(
        db, clock.now(), "anna", code, T, "assessment", "hoog risico, Jan Peeters", corrects=v1.id
    )
    await dossiers.annotate(
        db, clock.now(), "anna", code, T, "referral", "bel CAW Gent 09 123", referral_to="caw"
    )
    await dossiers.annotate(db, clock.now(), "anna", code, T, "client_disagrees", "oneens")
    return code, chat


async def test_portability_json_follows_the_documented_schema(
    db: Database, clock: FakeClock
) -> None:
    code, chat = await _full_dossier(db, clock)
    r = await rights.create(db, clock.now(), "anna", code, T, "portability")
    done = await fulfil(db, clock.now(), "anna", r.id, T)
    data = done.export
    assert isinstance(data, dict)
    _check(data, PORTABILITY)
    assert data["format"] == "console1712-dossier" and data["version"] == 1
    assert data["dossier"]["pseudonym"] == f"Roos {HOSTILE}"
    assert [(a["version"], a["current"]) for a in data["annotations"]][:2] == [
        (1, False),
        (2, True),
    ]
    assert data["chats"][0]["id"] == chat
    assert [m["text"] for m in data["chats"][0]["messages"]] == ["ik ben bang", "help"]
    assert "anna" not in json.dumps(data)  # no staff account names
    doc = (Path(__file__).parents[2] / "docs" / "portability-schema.md").read_text()
    for key in ("exported_at", "referral_to", "corrects", "mail_threads", "rights_requests"):
        assert f"`{key}`" in doc


async def test_copy_is_readable_text_with_every_version(db: Database, clock: FakeClock) -> None:
    code, _ = await _full_dossier(db, clock)
    r = await rights.create(db, clock.now(), "anna", code, T, "copy")
    done = await fulfil(db, clock.now(), "anna", r.id, T)
    text = done.export
    assert isinstance(text, str)
    assert text.startswith(f"Kopie van dossier {code}\n")
    for expected in (
        "Pseudoniem: Roos",
        "Thema's: partnergeweld",
        "Beoordeling (versie 1) — verbeterd",
        "Beoordeling (versie 2)",
        "    laag risico",
        "Doorverwijzing → CAW",
        "Cliënt niet akkoord met beoordeling",
        "jij: ik ben bang",
    ):
        assert expected in text
    entries = await audit.entries(db, 5)
    assert any(e.action == "dossier.export" and e.object == code for e in entries)


async def test_inspection_export_has_no_identifiers(db: Database, clock: FakeClock) -> None:
    code, chat = await _full_dossier(db, clock)
    data = await exports.inspection_export(db, clock.now(), "cli", code, None)
    flat = json.dumps(data, ensure_ascii=False)
    for secret in (code, chat, "Roos", "Jan Peeters", "CAW Gent", "09 123", "anna", "bang"):
        assert secret not in flat
    assert data["dossier"]["themes"] == ["partner-violence"]
    assert data["dossier"]["linked_chats"] == 1
    kinds = [(a["kind"], a["referral_to"], a["version"]) for a in data["annotations"]]
    assert kinds == [
        ("assessment", None, 1),
        ("assessment", None, 2),
        ("referral", "caw", 1),
        ("client_disagrees", None, 1),
    ]


def test_export_command(
    settings: Settings, clock: FakeClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async def fill() -> str:
        db = await Database.open(settings.db_path, settings.key_path)
        try:
            return (await _full_dossier(db, clock))[0]
        finally:
            await db.close()

    code = asyncio.run(fill())
    data = ["--data", str(settings.data)]
    assert main(["export", *data, "dossier", code]) == 0
    assert capsys.readouterr().out.startswith(f"Kopie van dossier {code}")
    out = tmp_path / "d.json"
    assert main(["export", "dossier", code, "--format", "json", *data, "--out", str(out)]) == 0
    _check(json.loads(out.read_text()), PORTABILITY)
    assert main(["export", "inspection", code, *data]) == 0
    inspection = json.loads(capsys.readouterr().out)
    assert inspection["format"] == "console1712-dossier-inspection"
    assert "Roos" not in json.dumps(inspection)
    assert main(["export", "dossier", "D-1999-0001", *data]) == 1
    assert "no dossier with code D-1999-0001" in capsys.readouterr().err


def test_receive_day_is_brussels_local() -> None:
    from console1712.domain.retention import brussels_today

    assert brussels_today(datetime(2026, 11, 26, 23, 30, tzinfo=UTC)) == date(2026, 11, 27)
    assert brussels_today(datetime(2026, 11, 26, 22, 59, tzinfo=UTC) - timedelta(0)) == date(
        2026, 11, 26
    )
