"""Registrations over a real relay: a chat walked from start to end, registered with two
themes and a referral, counted by `stats --year --format json` (codes, never the note);
refusals and bad input."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from console1712.cli import main
from console1712.domain.themes import taxonomy
from console1712.store import audit, registrations, stats
from tests.relay.helpers import (
    chatter,
    console,
    expect_error,
    recv_type,
    request,
    send,
    standard_relay,
)

NOTE = "geheime notitie over Jan uit Gent"


def form(contact: str, **changes: Any) -> dict[str, Any]:
    frame: dict[str, Any] = {
        "type": "registration_save",
        "contact": contact,
        "kind": "help",
        "themes": ["partner-violence", "child-abuse-sexual"],
        "about": "child",
        "relation": "step-parent",
        "risk": "worried",
        "referrals": ["caw"],
        "age_band": "12-17",
        "gender": "female",
        "note": NOTE,
    }
    frame.update({k.rstrip("_"): v for k, v in changes.items()})
    return {k: v for k, v in frame.items() if v is not None}


async def walk_chat(relay: Any, aw: Any, by: str) -> str:
    """One chat from start to end (`by` chatter or counsellor); its id."""
    async with chatter(relay, nickname="Jan", age=15, gender="meisje", region="antwerpen") as (
        cw,
        queued,
    ):
        chat = queued["chat"]
        await request(aw, {"type": "accept", "chat": chat}, "assigned")
        await request(aw, {"type": "say", "chat": chat, "id": "s1", "text": "Dag"}, "ack")
        if by == "chatter":
            await send(cw, {"type": "leave"})
            await recv_type(aw, "ended", chat=chat, by="chatter")
        else:
            await request(aw, {"type": "end", "chat": chat}, "ended")
    return chat


async def test_chat_to_registration_to_yearly_statistics(
    relay: Any, make_staff: Any, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    anna = await make_staff("anna")
    async with console(relay, anna) as aw:
        ids = [await walk_chat(relay, aw, "chatter" if i % 2 else "counsellor") for i in range(5)]
        listed = await request(aw, {"type": "registration_list"}, "registrations_open")
        assert sorted(e["contact"] for e in listed["open"]) == sorted(ids)
        assert {e["channel"] for e in listed["open"]} == {"chat"}
        # Prefilled from the intake (15, "meisje").
        got = await request(aw, {"type": "registration_get", "contact": ids[0]}, "registration")
        assert got["prefill"] == {"age_band": "12-17", "gender": "female", "note": None}
        for i, chat in enumerate(ids):
            # Every console of anna's hears how many are left (before the answer).
            await send(aw, form(chat))
            pushed = await recv_type(aw, "registrations_open")
            assert len(pushed["open"]) == 4 - i
            saved = await recv_type(aw, "registration_saved")
            assert saved["codes"]["themes"] == ["partner-violence", "child-abuse-sexual"]
        again = await request(aw, {"type": "registration_get", "contact": ids[0]}, "registration")
        assert again["note"] == NOTE and again["status"] == "done"

    # The note is sealed in the database; the audit log has codes only.
    raw = await relay.db.fetchall("SELECT note FROM registrations")
    assert all(NOTE.encode() not in bytes(r["note"]) for r in raw)
    opened = [e for e in await audit.entries(relay.db) if e.action == "registration.open"]
    assert [e.object for e in opened] == [ids[0], ids[0]]

    # The real command (it runs its own event loop, so on a thread), the relay still serving.
    args = ["stats", "--year", "2026", "--format", "json", "--data", str(settings.data)]
    assert await asyncio.to_thread(main, args) == 0
    out = capsys.readouterr().out
    assert "geheime" not in out and "Jan" not in out
    tables = {
        name: {row["category"]: row for row in rows}
        for name, rows in json.loads(out)["tables"].items()
    }
    assert tables["channel"]["total"]["chat"] == 5
    assert tables["kind"]["help"]["chat"] == 5
    assert tables["theme"]["partner-violence"]["chat"] == 5  # the main theme
    assert tables["themes"]["partner-violence"]["chat"] == 5
    assert tables["themes"]["child-abuse-sexual"]["chat"] == 5
    assert tables["referral"]["caw"]["chat"] == 5
    assert tables["relation"]["step-parent"]["chat"] == 5
    assert tables["risk"]["worried"]["chat"] == 5
    assert tables["about"]["child"]["chat"] == 5
    assert tables["age_band"]["12-17"]["chat"] == 5


async def test_refusals(relay: Any, make_staff: Any) -> None:
    anna = await make_staff("anna")
    bert = await make_staff("bert")
    lies = await make_staff("lies", team="limburg")
    root = await make_staff("root", role="admin", team=None)
    sup = await make_staff("sara", role="supervisor")
    async with console(relay, anna) as aw:
        chat = await walk_chat(relay, aw, "counsellor")
        async with console(relay, bert) as bw:
            # A colleague of the team cannot register (or read) anna's contact.
            await expect_error(bw, {"type": "registration_get", "contact": chat}, "forbidden")
            await expect_error(bw, form(chat), "forbidden")
            listed = await request(bw, {"type": "registration_list"}, "registrations_open")
            assert listed["open"] == []
        async with console(relay, lies) as lw:
            await expect_error(lw, {"type": "registration_get", "contact": chat}, "not_found")
            await expect_error(lw, form(chat), "not_found")
        async with console(relay, root) as rw:
            # Admins read no notes and register nothing.
            await expect_error(rw, {"type": "registration_get", "contact": chat}, "forbidden")
            await expect_error(rw, {"type": "registration_list"}, "forbidden")
            await expect_error(rw, {"type": "registration_counts"}, "forbidden")
        async with console(relay, sup) as sw:
            got = await request(sw, {"type": "registration_counts"}, "registration_counts")
            assert got["counts"] == [{"user": "anna", "open": 1}]
        await expect_error(aw, {"type": "registration_counts"}, "forbidden")
        await expect_error(aw, form("c_nothing"), "not_found")
        for bad in (
            {"kind": "gezellig"},
            {"kind": None},
            {"themes": []},  # a request for help needs a main theme
            {"themes": ["vrije tekst"]},
            {"themes": ["other", "other"]},
            {"themes": "other"},
            {"risk": "acute"},  # acute needs an action
            {"risk": "high", "action": "emergency"},
            {"referrals": ["advocaat"]},
            {"age_band": "10-20"},
            {"gender": "meisje"},
            {"note": 5},
            {"note": "x" * 2001},
            {"contact_": 7},
        ):
            err = await expect_error(aw, form(chat, **bad), "bad_request")
            named = (*(k.rstrip("_") for k in bad), "kind", "action")
            assert any(f"'{k}'" in err["detail"] for k in named), (bad, err)
            await request(aw, {"type": "registration_list"}, "registrations_open")
        # Silent contacts need no theme; acute with an action is complete.
        await request(aw, form(chat, kind="silent", themes=[]), "registration_saved")
        await request(aw, form(chat, risk="acute", action="emergency"), "registration_saved")
    stored = await registrations.get(relay.db, chat)
    assert stored is not None and stored.codes is not None
    assert stored.codes.risk == "acute" and stored.codes.action == "emergency"


async def test_phone_contact_gets_the_same_registration(relay: Any, make_staff: Any) -> None:
    anna = await make_staff("anna")
    sup = await make_staff("sara", role="supervisor", team=None)
    async with console(relay, anna) as aw:
        call = {"type": "phone_contact", "minutes": 12, "age_band": "25-64"}
        saved = await request(aw, {**call, "theme": "elder-abuse"}, "phone_contact_saved")
        listed = await request(aw, {"type": "registration_list"}, "registrations_open")
        assert [(e["contact"], e["channel"]) for e in listed["open"]] == [(saved["id"], "phone")]
        got = await request(
            aw, {"type": "registration_get", "contact": saved["id"]}, "registration"
        )
        assert got["prefill"]["themes"] == ["elder-abuse"]
        assert got["prefill"]["age_band"] == "25-64"
        async with console(relay, sup) as sw:
            counts = await request(sw, {"type": "registration_counts"}, "registration_counts")
            assert counts["counts"] == [{"user": "anna", "open": 1}]
        await request(
            aw, form(saved["id"], themes=["elder-abuse"], about="self"), "registration_saved"
        )
    contacts = await stats.year_contacts(relay.db, 2026, list(taxonomy()))
    (phone_call,) = [c for c in contacts if c.channel == "phone"]
    assert (phone_call.theme, phone_call.kind, phone_call.referrals) == (
        "elder-abuse",
        "help",
        ("caw",),
    )


async def test_open_registrations_survive_a_relay_restart(
    settings: Any, clock: Any, make_staff: Any, relay: Any
) -> None:

    anna = await make_staff("anna")
    async with console(relay, anna) as aw:
        chat = await walk_chat(relay, aw, "chatter")
    await relay.stop()
    again = standard_relay(settings, clock)
    await again.start()
    try:
        clock.advance(30)  # a fresh login code
        async with console(again, anna) as aw:
            listed = await request(aw, {"type": "registration_list"}, "registrations_open")
            assert [e["contact"] for e in listed["open"]] == [chat]
    finally:
        await again.stop()
