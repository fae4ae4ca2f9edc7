"""The chatter side of protocol v1 on a real relay: welcome, start, queue, say, leave."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from websockets.asyncio.client import connect

from console1712.clock import FakeClock
from tests.databases import both_databases
from tests.relay.helpers import (
    chatter,
    closed_with,
    console,
    expect_error,
    recv,
    recv_type,
    request,
    send,
    url,
)

pytestmark = both_databases


async def test_welcome_when_open_lists_alternatives(relay) -> None:
    async with connect(url(relay, "/chat")) as ws:
        welcome = await recv(ws)
    assert welcome["type"] == "welcome" and welcome["protocol"] == 1
    assert welcome["open"] is True and welcome["next_open"] is None
    contacts = {a["contact"] for a in welcome["alternatives"]}
    assert {"tel:1712", "tel:112", "tel:101"} <= contacts
    assert all(a["label"] for a in welcome["alternatives"])


async def test_closed_hours_welcome_and_start(relay, clock: FakeClock) -> None:
    clock.set(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))  # Saturday
    async with connect(url(relay, "/chat")) as ws:
        welcome = await recv(ws)
        assert welcome["open"] is False
        assert welcome["next_open"] == "2026-11-30T12:00:00Z"  # Monday 13:00 Brussels
        err = await expect_error(ws, {"type": "start", "consent": True, "ref": "s1"}, "closed")
        assert err["next_open"] == "2026-11-30T12:00:00Z" and err["ref"] == "s1"
        assert err["alternatives"]
    assert await relay.db.fetchall("SELECT id FROM chats") == []


async def test_consent_required_stores_nothing(relay) -> None:
    async with connect(url(relay, "/chat")) as ws:
        await recv_type(ws, "welcome")
        await expect_error(ws, {"type": "start", "nickname": "Mira"}, "consent_required")
        await expect_error(ws, {"type": "start", "consent": False}, "consent_required")
        await expect_error(ws, {"type": "start", "consent": "true"}, "consent_required")
        # validation comes before consent
        await expect_error(ws, {"type": "start", "age": 200}, "bad_request")
        # the connection stays usable
        queued = await request(ws, {"type": "start", "consent": True}, "queued")
    assert queued["position"] == 1
    assert len(await relay.db.fetchall("SELECT id FROM chats")) == 1


async def test_second_start_is_already_started(relay) -> None:
    async with chatter(relay) as (ws, queued):
        assert queued["chat"].startswith("c_") and queued["resume"]
        await expect_error(ws, {"type": "start", "consent": True}, "already_started")


async def test_say_before_start_is_bad_request_with_id(relay) -> None:
    async with connect(url(relay, "/chat")) as ws:
        await recv_type(ws, "welcome")
        err = await expect_error(ws, {"type": "say", "id": "m1", "text": "hoi"}, "bad_request")
        assert err["id"] == "m1"


async def test_say_while_waiting_is_acked_and_in_history(relay, make_staff) -> None:
    anna = await make_staff("anna")
    async with chatter(relay, nickname="Mira") as (cw, queued):
        ack = await request(cw, {"type": "say", "id": "m1", "text": "ben je daar?"}, "ack")
        assert ack == {"type": "ack", "id": "m1", "seq": 1}
        async with console(relay, anna) as sw:
            assigned = await request(sw, {"type": "accept", "chat": queued["chat"]}, "assigned")
    assert assigned["intake"]["nickname"] == "Mira"
    assert [(h["seq"], h["from"], h["text"]) for h in assigned["history"]] == [
        (1, "chatter", "ben je daar?")
    ]


async def test_queue_positions_are_pushed(relay, make_staff) -> None:
    anna = await make_staff("anna")
    async with chatter(relay) as (_first, q1), chatter(relay) as (second, q2):
        assert (q1["position"], q2["position"]) == (1, 2)
        async with console(relay, anna) as sw:
            await request(sw, {"type": "accept", "chat": q1["chat"]}, "assigned")
            pushed = await recv_type(second, "queue")
            assert pushed == {"type": "queue", "position": 1}


async def test_queue_pushes_are_coalesced_to_the_current_position(relay, make_staff) -> None:
    anna = await make_staff("anna")
    async with (
        chatter(relay) as (_w1, _q1),
        chatter(relay) as (_w2, _q2),
        chatter(relay) as (_w3, _q3),
        chatter(relay) as (last, q4),
    ):
        assert q4["position"] == 4
        async with console(relay, anna) as sw:
            for _ in range(3):
                await request(sw, {"type": "accept"}, "assigned")
            seen = []
            while not seen or seen[-1] != 1:
                seen.append((await recv_type(last, "queue"))["position"])
    # three changes in well under 250 ms: never three separate pushes of 3, 2, 1
    assert seen[-1] == 1 and len(seen) < 3


async def test_chatter_leave_ends_for_both(relay, make_staff) -> None:
    anna = await make_staff("anna")
    async with chatter(relay) as (cw, queued), console(relay, anna) as sw:
        await request(sw, {"type": "accept"}, "assigned")
        await send(cw, {"type": "leave"})
        assert await recv_type(cw, "ended") == {"type": "ended", "by": "chatter"}
        assert await closed_with(cw) == 1000
        ended = await recv_type(sw, "ended")
    assert ended == {"type": "ended", "chat": queued["chat"], "by": "chatter"}
    row = await relay.db.fetchone("SELECT state, ended_by FROM chats")
    assert tuple(row) == ("ended", "chatter")


async def test_leave_while_waiting_leaves_the_queue(relay, make_staff) -> None:
    anna = await make_staff("anna")
    async with chatter(relay) as (cw, _), console(relay, anna) as sw:
        assert len((await recv_type(sw, "queue"))["waiting"]) == 1
        await send(cw, {"type": "leave"})
        assert (await recv_type(sw, "queue"))["waiting"] == []


async def test_typing_is_relayed_both_ways_and_not_stored(relay, make_staff) -> None:
    anna = await make_staff("anna")
    async with chatter(relay) as (cw, queued), console(relay, anna) as sw:
        await request(sw, {"type": "accept"}, "assigned")
        await send(cw, {"type": "typing"})
        assert await recv_type(sw, "typing") == {"type": "typing", "chat": queued["chat"]}
        await send(sw, {"type": "typing", "chat": queued["chat"]})
        assert await recv_type(cw, "typing") == {"type": "typing"}
    assert await relay.db.fetchall("SELECT seq FROM chat_messages") == []


async def test_rate_limited_messages_are_not_stored(relay, clock: FakeClock) -> None:
    async with chatter(relay) as (cw, _):
        for i in range(5):
            await send(cw, {"type": "say", "id": f"m{i}", "text": "spam"})
        err = await expect_error(cw, {"type": "say", "id": "m5", "text": "spam"}, "rate_limited")
        assert err["id"] == "m5" and err["retry_after"] >= 1
        acks = sorted([(await recv_type(cw, "ack"))["seq"] for _ in range(5)])
        assert acks == [1, 2, 3, 4, 5]
        # a repeated id is not a new message: acked, not limited
        assert (await request(cw, {"type": "say", "id": "m0", "text": "x"}, "ack"))["seq"] == 1
        clock.advance(1.0)
        ack = await request(cw, {"type": "say", "id": "m5", "text": "later"}, "ack")
        assert ack["seq"] == 6  # the limited one did not use a number
        for i in range(6, 30):
            clock.advance(0.3)
            await request(cw, {"type": "say", "id": f"m{i}", "text": "x"}, "ack")
        clock.advance(0.3)
        err = await expect_error(cw, {"type": "say", "id": "m30", "text": "x"}, "rate_limited")
    assert len(await relay.db.fetchall("SELECT seq FROM chat_messages")) == 30


async def test_idempotent_ids_are_acked_with_the_first_seq(relay) -> None:
    async with chatter(relay) as (cw, _):
        # the same id twice without waiting: the second waits for the first write
        await send(cw, {"type": "say", "id": "dup", "text": "first"})
        await send(cw, {"type": "say", "id": "dup", "text": "second"})
        a, b = await recv_type(cw, "ack"), await recv_type(cw, "ack")
        assert a["seq"] == b["seq"] == 1
        assert (await request(cw, {"type": "say", "id": "new", "text": "x"}, "ack"))["seq"] == 2
    rows = await relay.db.fetchall("SELECT seq FROM chat_messages")
    assert [r[0] for r in rows] == [1, 2]


async def test_control_characters_are_removed_before_storing_and_relaying(
    relay, make_staff
) -> None:
    anna = await make_staff("anna")
    async with chatter(relay) as (cw, queued), console(relay, anna) as sw:
        await request(sw, {"type": "accept"}, "assigned")
        await send(cw, {"type": "say", "id": "m", "text": "\x1b[2Jhoi\x07\n\tdaar\x9b"})
        message = await recv_type(sw, "message")
    assert message["text"] == "[2Jhoi\n\tdaar"
    from console1712.store.chats import transcript

    assert [m.text for m in await transcript(relay.db, queued["chat"])] == ["[2Jhoi\n\tdaar"]


async def test_group_commit_batches_concurrent_messages(relay, make_staff) -> None:
    anna = await make_staff("anna")
    async with chatter(relay) as (cw, queued), console(relay, anna) as sw:
        await request(sw, {"type": "accept"}, "assigned")
        before = relay.db.commits
        for i in range(50):
            await send(sw, {"type": "say", "chat": queued["chat"], "id": f"s{i}", "text": f"{i}"})
        acks = [await recv_type(sw, "ack") for _ in range(50)]
        got = [(await recv_type(cw, "message"))["seq"] for _ in range(50)]
    assert sorted(a["seq"] for a in acks) == list(range(1, 51))
    assert got == list(range(1, 51))  # relayed in order
    assert relay.db.commits - before < 25


async def test_two_chatters_do_not_share_seq(relay) -> None:
    async with chatter(relay) as (a, _), chatter(relay) as (b, _):
        await asyncio.gather(
            send(a, {"type": "say", "id": "1", "text": "a"}),
            send(b, {"type": "say", "id": "1", "text": "b"}),
        )
        assert (await recv_type(a, "ack"))["seq"] == 1
        assert (await recv_type(b, "ack"))["seq"] == 1
