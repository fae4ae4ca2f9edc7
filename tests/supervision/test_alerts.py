"""Alerts that stay until handled, and supervision scoped to the supervisor's team, against a
real relay with real websockets clients (fake clock for the waits)."""

from __future__ import annotations

from typing import Any

from websockets.asyncio.client import ClientConnection

from console1712.clock import FakeClock
from console1712.relay.server import Relay
from tests.relay.helpers import chatter, console, expect_error, recv_type, request, send

REASON = "Chatter meldt acuut gevaar; de politie vraagt het adres."


async def alerts_until(ws: ClientConnection, check: Any) -> list[dict[str, Any]]:
    """The items of the next `alerts` frame for which check(items) holds (skipping others)."""
    while True:
        items: list[dict[str, Any]] = (await recv_type(ws, "alerts"))["items"]
        if check(items):
            return items


def kinds(items: list[dict[str, Any]]) -> list[str]:
    return sorted(i["kind"] for i in items)


async def test_alerts_stay_until_handled(relay: Relay, make_staff: Any, clock: FakeClock) -> None:
    anna = await make_staff("anna", display="Anna")
    sofie = await make_staff("sofie", role="supervisor", team=None, display="Sofie")
    async with (
        chatter(relay, nickname="Mus") as (cw, queued),
        console(relay, sofie) as sw,
        console(relay, anna) as aw,
    ):
        assert await alerts_until(sw, lambda items: True) == []
        chat = queued["chat"]
        await request(aw, {"type": "accept", "chat": chat}, "assigned")
        await request(
            aw,
            {"type": "disclosure_request", "chat": chat, "reason": REASON},
            "disclosure_requested",
        )
        items = await alerts_until(sw, lambda items: items)
        assert [(i["kind"], i["chat"], i["nickname"]) for i in items] == [
            ("disclosure", chat, "Mus")
        ]
        rid = items[0]["request"]

        # The chatter waits for an answer: after reply_alert_s x 3 it is an alert too.
        await send(cw, {"type": "say", "id": "c1", "text": "Ben je daar nog?"})
        await recv_type(aw, "message", chat=chat)
        clock.advance(relay.settings.reply_alert_s * 3)
        items = await alerts_until(sw, lambda items: len(items) == 2)
        assert kinds(items) == ["disclosure", "reply"]
        # Time alone does not clear anything.
        clock.advance(3600)
        await relay.sweep()
        # Opening the read-along handles the reply alert; deciding handles the request.
        await request(sw, {"type": "read_along", "chat": chat}, "read_along")
        items = await alerts_until(sw, lambda items: len(items) == 1)
        assert kinds(items) == ["disclosure"]
        await request(
            sw,
            {"type": "disclosure_decide", "request": rid, "approve": False},
            "disclosure_decided",
        )
        assert await alerts_until(sw, lambda items: not items) == []


async def test_returned_and_queue_alerts(relay: Relay, make_staff: Any, clock: FakeClock) -> None:
    anna = await make_staff("anna", display="Anna")
    ben = await make_staff("ben", display="Ben")
    sofie = await make_staff("sofie", role="supervisor", display="Sofie")
    async with (
        chatter(relay, region="antwerpen") as (_cw, queued),
        console(relay, sofie) as sw,
    ):
        chat = queued["chat"]
        async with console(relay, anna) as aw:
            await request(aw, {"type": "accept", "chat": chat}, "assigned")
        items = await alerts_until(sw, lambda items: items)
        assert [(i["kind"], i["chat"]) for i in items] == [("orphaned", chat)]
        clock.advance(relay.settings.orphan_after)
        items = await alerts_until(sw, lambda items: kinds(items) == ["returned"])
        clock.advance(relay.settings.queue_alert_s)
        items = await alerts_until(sw, lambda items: len(items) == 2)
        assert kinds(items) == ["queue", "returned"]
        async with console(relay, ben) as bw:
            await request(bw, {"type": "accept", "chat": chat}, "assigned")
            assert await alerts_until(sw, lambda items: not items) == []


async def test_supervision_is_scoped_to_the_team(relay: Relay, make_staff: Any) -> None:
    anna = await make_staff("anna", team="antwerpen", display="Anna")
    lies = await make_staff("lies", role="supervisor", team="limburg", display="Lies")
    sofie = await make_staff("sofie", role="supervisor", team="antwerpen", display="Sofie")
    all_teams = await make_staff("wim", role="supervisor", team=None, display="Wim")
    async with (
        chatter(relay, region="antwerpen") as (_cw, queued),
        console(relay, anna) as aw,
        console(relay, lies) as lw,
        console(relay, sofie) as sw,
        console(relay, all_teams) as ww,
    ):
        chat = queued["chat"]
        await request(aw, {"type": "accept", "chat": chat}, "assigned")
        await expect_error(lw, {"type": "read_along", "chat": chat}, "not_found")
        await expect_error(lw, {"type": "note", "chat": chat, "text": "psst"}, "not_found")
        asked = await request(
            aw,
            {"type": "disclosure_request", "chat": chat, "reason": REASON},
            "disclosure_requested",
        )
        rid = asked["request"]
        # Only supervisors of the chat's team (or of all teams) hear of it.
        assert (await recv_type(sw, "disclosure_pending"))["requested_by_name"] == "Anna"
        assert (await recv_type(ww, "disclosure_pending"))["request"] == rid
        listed = await request(lw, {"type": "disclosures"}, "disclosures")
        assert listed["requests"] == []
        await expect_error(
            lw, {"type": "disclosure_decide", "request": rid, "approve": True}, "not_found"
        )
        # A second request for the same chat while one is open is refused.
        refused = await expect_error(
            aw, {"type": "disclosure_request", "chat": chat, "reason": REASON}, "pending"
        )
        assert refused["detail"] == "Er loopt al een aanvraag tot noodvrijgave voor dit gesprek."
        listed = await request(sw, {"type": "disclosures"}, "disclosures")
        [entry] = listed["requests"]
        assert (entry["nickname"], entry["requested_by_name"]) == ("Anoniem", "Anna")
        await request(
            sw, {"type": "disclosure_decide", "request": rid, "approve": True}, "disclosure_decided"
        )
        await expect_error(lw, {"type": "disclosure_view", "request": rid}, "not_found")
        shown = await request(sw, {"type": "disclosure_view", "request": rid}, "disclosure_address")
        assert shown["address"] == "127.0.0.1"
        await expect_error(lw, {"type": "read_along", "chat": chat}, "not_found")
        await request(ww, {"type": "read_along", "chat": chat}, "read_along")


async def test_a_call_for_help_is_an_alert_until_a_supervisor_answers(
    relay: Relay, make_staff: Any
) -> None:
    anna = await make_staff("anna", display="Anna")
    sofie = await make_staff("sofie", role="supervisor", team=None, display="Sofie")
    async with (
        chatter(relay, nickname="Mus") as (_cw, queued),
        console(relay, sofie) as sw,
        console(relay, anna) as aw,
    ):
        assert await alerts_until(sw, lambda items: True) == []
        chat = queued["chat"]
        await request(aw, {"type": "accept", "chat": chat}, "assigned")
        asked = await request(aw, {"type": "help_request", "chat": chat}, "help_request_sent")
        items = await alerts_until(sw, lambda items: items)
        assert [(i["kind"], i["chat"], i["counsellor"]) for i in items] == [("help", chat, "Anna")]
        await request(sw, {"type": "help_answer", "request": asked["request"]}, "help_answered")
        assert await alerts_until(sw, lambda items: not items) == []
