"""Emergency disclosure (policy 2.6) over real websockets: request, four-eyes approval, one
view, and each refusal: own request, non-supervisor, second view, past retention."""

from __future__ import annotations

from typing import Any

from console1712.store import audit
from tests.relay.helpers import chatter, console, expect_error, recv_type, request

REASON = "Chatter meldt acuut gevaar voor een kind; politie vraagt het adres."


async def test_whole_flow_with_refusals(relay, make_staff, clock) -> None:
    anna = await make_staff("anna")
    sofie = await make_staff("sofie", role="supervisor")
    wim = await make_staff("wim", role="supervisor")
    ben = await make_staff("ben")
    async with (
        chatter(relay) as (_cw, queued),
        console(relay, anna) as aw,
        console(relay, sofie) as sw,
        console(relay, wim) as ww,
        console(relay, ben) as bw,
    ):
        chat = queued["chat"]
        await request(aw, {"type": "accept", "chat": chat}, "assigned")

        # Only the counsellor of the chat may ask.
        await expect_error(
            bw, {"type": "disclosure_request", "chat": chat, "reason": REASON}, "not_found"
        )
        await expect_error(aw, {"type": "disclosure_request", "chat": chat}, "bad_request")
        asked = await request(
            aw,
            {"type": "disclosure_request", "chat": chat, "reason": REASON},
            "disclosure_requested",
        )
        rid = asked["request"]
        pending = await recv_type(sw, "disclosure_pending")
        assert (pending["request"], pending["requested_by"]) == (rid, "anna")

        listed = await request(sw, {"type": "disclosures"}, "disclosures")
        assert [(r["request"], r["reason"], r["status"]) for r in listed["requests"]] == [
            (rid, REASON, "pending")
        ]

        # A counsellor cannot approve, nor view.
        await expect_error(
            bw, {"type": "disclosure_decide", "request": rid, "approve": True}, "forbidden"
        )
        await expect_error(aw, {"type": "disclosure_view", "request": rid}, "forbidden")
        # Nothing to see before approval.
        await expect_error(sw, {"type": "disclosure_view", "request": rid}, "forbidden")

        decided = await request(
            sw, {"type": "disclosure_decide", "request": rid, "approve": True}, "disclosure_decided"
        )
        assert decided["approved"] is True
        told = await recv_type(aw, "disclosure_decided")
        assert told == {"type": "disclosure_decided", "request": rid, "approved": True}
        # Decided once: the other supervisor cannot decide again.
        await expect_error(
            ww, {"type": "disclosure_decide", "request": rid, "approve": False}, "decided"
        )
        # Only the approving supervisor sees it...
        await expect_error(ww, {"type": "disclosure_view", "request": rid}, "forbidden")
        shown = await request(sw, {"type": "disclosure_view", "request": rid}, "disclosure_address")
        assert shown["address"] == "127.0.0.1" and shown["chat"] == chat
        # ... once.
        await expect_error(sw, {"type": "disclosure_view", "request": rid}, "already_viewed")

    actions = [(e.actor, e.action, e.outcome) for e in await audit.entries(relay.db, 50)]
    disclosure_steps = [a for a in actions if a[1].startswith("disclosure.")]
    assert disclosure_steps == [
        ("ben", "disclosure.request", "refused"),
        ("anna", "disclosure.request", "ok"),
        ("sofie", "disclosure.view", "refused"),
        ("sofie", "disclosure.approve", "ok"),
        ("wim", "disclosure.refuse", "refused"),
        ("wim", "disclosure.view", "refused"),
        ("sofie", "disclosure.view", "ok"),
        ("sofie", "disclosure.view", "refused"),
    ]
    assert await audit.verify(relay.db) == []


async def test_own_request_cannot_be_approved_and_refusal_is_final(relay, make_staff) -> None:
    # A supervisor who takes chats asks for an address: a colleague must decide.
    sofie = await make_staff("sofie", role="supervisor")
    wim = await make_staff("wim", role="supervisor")
    async with (
        chatter(relay) as (_cw, queued),
        console(relay, sofie) as sw,
        console(relay, wim) as ww,
    ):
        chat = queued["chat"]
        await request(sw, {"type": "accept", "chat": chat}, "assigned")
        asked = await request(
            sw,
            {"type": "disclosure_request", "chat": chat, "reason": REASON},
            "disclosure_requested",
        )
        rid = asked["request"]
        await expect_error(
            sw, {"type": "disclosure_decide", "request": rid, "approve": True}, "own_request"
        )
        refused = await request(
            ww,
            {"type": "disclosure_decide", "request": rid, "approve": False},
            "disclosure_decided",
        )
        assert refused["approved"] is False
        await expect_error(ww, {"type": "disclosure_view", "request": rid}, "forbidden")


async def test_recently_ended_chat_yes_past_retention_no(relay, make_staff, clock) -> None:
    anna = await make_staff("anna")
    sofie = await make_staff("sofie", role="supervisor")
    async with console(relay, anna) as aw:
        async with chatter(relay) as (_cw, queued):
            chat = queued["chat"]
            await request(aw, {"type": "accept", "chat": chat}, "assigned")
            await request(aw, {"type": "end", "chat": chat}, "ended")
    clock.advance(3 * 24 * 3600)  # three days later: an ended chat may still be asked for
    # (each jump logs in anew: a console's session lasts 12 hours, then it is closed)
    async with console(relay, anna) as aw:
        asked = await request(
            aw,
            {"type": "disclosure_request", "chat": chat, "reason": REASON},
            "disclosure_requested",
        )
    clock.advance(200 * 24 * 3600)  # past six months: the address may no longer be used
    async with console(relay, anna) as aw:
        await expect_error(
            aw, {"type": "disclosure_request", "chat": chat, "reason": REASON}, "expired"
        )
        async with console(relay, sofie) as sw:
            await expect_error(
                sw,
                {"type": "disclosure_decide", "request": asked["request"], "approve": True},
                "expired",
            )


async def test_approved_but_expired_before_viewing(relay, make_staff, clock) -> None:
    anna = await make_staff("anna")
    sofie = await make_staff("sofie", role="supervisor")
    async with console(relay, anna) as aw:
        async with chatter(relay) as (_cw, queued):
            chat = queued["chat"]
            await request(aw, {"type": "accept", "chat": chat}, "assigned")
            await request(aw, {"type": "end", "chat": chat}, "ended")
    clock.advance(170 * 24 * 3600)
    # (each jump logs in anew: a console's session lasts 12 hours, then it is closed)
    async with console(relay, anna) as aw, console(relay, sofie) as sw:
        rid = (
            await request(
                aw,
                {"type": "disclosure_request", "chat": chat, "reason": REASON},
                "disclosure_requested",
            )
        )["request"]
        await request(
            sw, {"type": "disclosure_decide", "request": rid, "approve": True}, "disclosure_decided"
        )
    clock.advance(20 * 24 * 3600)
    async with console(relay, sofie) as sw:
        await expect_error(sw, {"type": "disclosure_view", "request": rid}, "expired")


async def test_purged_chat_has_no_address(relay, make_staff, clock) -> None:
    anna = await make_staff("anna")
    async with console(relay, anna) as aw:
        async with chatter(relay) as (_cw, queued):
            chat = queued["chat"]
            await request(aw, {"type": "accept", "chat": chat}, "assigned")
            await request(aw, {"type": "end", "chat": chat}, "ended")

        async def purge(tx: Any) -> None:
            await tx.execute("DELETE FROM chats WHERE id = ?", (chat,))

        await relay.db.write(purge)
        await expect_error(
            aw, {"type": "disclosure_request", "chat": chat, "reason": REASON}, "not_found"
        )
