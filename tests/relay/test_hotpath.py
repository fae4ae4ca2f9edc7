"""The relay's hot path: shared queue frames, configured flood limits, a failed message write."""

from __future__ import annotations

import asyncio
import json

from websockets.asyncio.client import ClientConnection, connect

from console1712.clock import FakeClock
from console1712.store import chats
from tests.databases import both_databases, failing_insert
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


async def raw_queue_frame(ws: ClientConnection, waiting: int) -> str:
    """The next `queue` frame listing `waiting` chats, as the exact text the relay sent."""
    while True:
        raw = await asyncio.wait_for(ws.recv(), 10)
        assert isinstance(raw, str)
        frame = json.loads(raw)
        if frame["type"] == "queue" and len(frame["waiting"]) == waiting:
            return raw


async def test_queue_frame_is_encoded_once_and_identical_for_every_console(
    relay, make_staff
) -> None:
    anna, bert = await make_staff("anna"), await make_staff("bert", team=None)
    carla = await make_staff("carla", role="supervisor")
    async with console(relay, anna) as aw, console(relay, bert) as bw, console(relay, carla) as cw:
        async with chatter(relay, nickname="Mira", age=15) as (_cw, queued):
            texts = [await raw_queue_frame(ws, 1) for ws in (aw, bw, cw)]
            assert texts[0] == texts[1] == texts[2]
            shared = relay.queue_text()
            assert shared is relay.queue_text()  # cached until the queue changes
            assert texts[0] == shared
            entry = json.loads(shared)["waiting"][0]
            assert (entry["chat"], entry["nickname"], entry["age"]) == (queued["chat"], "Mira", 15)
            async with chatter(relay) as (_c2, _q2):
                texts = [await raw_queue_frame(ws, 2) for ws in (aw, bw, cw)]
                assert texts[0] == texts[1] == texts[2] == relay.queue_text() != shared


async def test_configured_flood_limits_are_used_also_after_a_restart(
    relay_with, clock: FakeClock
) -> None:
    async with relay_with(chat_rate_per_second=2, chat_rate_per_10s=3) as relay:
        async with chatter(relay) as (cw, queued):
            for i in range(2):
                await request(cw, {"type": "say", "id": f"m{i}", "text": "x"}, "ack")
            err = await expect_error(cw, {"type": "say", "id": "m2", "text": "x"}, "rate_limited")
            assert err["retry_after"] == 1  # the 1 s window of 2, not the default of 5
            clock.advance(1.0)
            await request(cw, {"type": "say", "id": "m2", "text": "x"}, "ack")
            clock.advance(1.0)
            err = await expect_error(cw, {"type": "say", "id": "m3", "text": "x"}, "rate_limited")
            assert err["retry_after"] == 8  # 3 per 10 s: the first leaves the window in 8 s
    async with relay_with(chat_rate_per_second=2, chat_rate_per_10s=3) as relay:
        # rebuilt from the database: the chat gets the configured limits again
        assert relay.chats[queued["chat"]].rate.limits == ((1.0, 2), (10.0, 3))


async def test_a_failing_message_write_does_not_sink_the_others(relay, make_staff) -> None:
    anna = await make_staff("anna")
    async with (
        chatter(relay) as (bad_ws, bad_q),
        chatter(relay) as (good_ws, good_q),
        console(relay, anna) as sw,
    ):
        for _ in range(2):
            await request(sw, {"type": "accept"}, "assigned")
        await request(bad_ws, {"type": "say", "id": "ok", "text": "eerst"}, "ack")
        # A real database failure for one message (as a full disk would give), none for others.
        poison = chats.client_id_hash(relay.db, bad_q["chat"], "poison")
        failing_insert(relay.settings.db_target, "chat_messages", "client_id", poison)
        # Sent together, so they are likely in one group commit; either way only one fails.
        await send(bad_ws, {"type": "say", "id": "poison", "text": "kapot"})
        await send(good_ws, {"type": "say", "id": "g1", "text": "hallo"})
        await send(good_ws, {"type": "say", "id": "g2", "text": "nog"})
        err = await recv_type(bad_ws, "error")
        assert (err["code"], err["id"]) == ("fault", "poison")
        assert await closed_with(bad_ws) == 1011
        assert [(await recv_type(good_ws, "ack"))["seq"] for _ in range(2)] == [1, 2]
        relayed = [await recv_type(sw, "message", chat=good_q["chat"]) for _ in range(2)]
        assert [m["text"] for m in relayed] == ["hallo", "nog"]
    rows = await relay.db.fetchall("SELECT chat, seq FROM chat_messages ORDER BY chat, seq")
    assert sorted((r[0], r[1]) for r in rows) == sorted(
        [(bad_q["chat"], 1), (good_q["chat"], 1), (good_q["chat"], 2)]
    )


async def recv_one_of(ws: ClientConnection, kinds: set[str]) -> dict[str, object]:
    """The next frame of one of these types, skipping any other (queue pushes, positions)."""
    while True:
        frame = await recv(ws)
        if frame["type"] in kinds:
            return frame


async def test_frames_in_one_burst_are_handled_in_the_order_sent(relay, make_staff) -> None:
    """Messages are handled as they arrive (compat.net.TextNow), other frames by the
    connection's task: a burst mixing both, sent without waiting, is answered in order."""
    anna = await make_staff("anna")
    async with connect(url(relay, "/chat")) as cw, console(relay, anna) as sw:
        await recv_type(cw, "welcome")
        # say before start is refused; start (a write) then says right behind it
        for frame in (
            {"type": "say", "id": "early", "text": "te vroeg"},
            {"type": "start", "consent": True},
            {"type": "say", "id": "m1", "text": "een"},
            {"type": "typing"},
            {"type": "say", "id": "m2", "text": "twee"},
            {"type": "say", "id": "m1", "text": "een"},  # resent: its ack again
        ):
            await send(cw, frame)
        answers = [await recv_one_of(cw, {"error", "queued", "ack"}) for _ in range(5)]
        assert [(a["type"], a.get("id"), a.get("seq")) for a in answers] == [
            ("error", "early", None),
            ("queued", None, None),
            ("ack", "m1", 1),
            ("ack", "m1", 1),  # the resend waited for the same write
            ("ack", "m2", 2),
        ]
        chat = answers[1]["chat"]
        # accept (awaits the database) and a say in the same burst: the say is the new
        # counsellor's, not refused as not_assigned
        await send(sw, {"type": "accept", "chat": chat})
        await send(sw, {"type": "say", "chat": chat, "id": "s1", "text": "hallo"})
        await recv_type(sw, "assigned")
        assert (await recv_type(sw, "ack"))["seq"] == 3
        assert (await recv_type(cw, "message"))["text"] == "hallo"


async def test_a_connection_out_of_write_room_waits_and_loses_nothing(
    relay, make_staff, monkeypatch
) -> None:
    """Past its room for unacknowledged messages a connection waits for acks; the frames
    behind queue up and are handled in order once there is room. (A counsellor's console:
    a chatter's flood limits would refuse a burst first.)"""
    monkeypatch.setattr("console1712.relay.connections.MAX_PENDING_WRITES", 2)
    anna = await make_staff("anna")
    async with chatter(relay) as (cw, queued), console(relay, anna) as sw:
        chat = queued["chat"]
        await request(sw, {"type": "accept", "chat": chat}, "assigned")
        for i in range(10):
            await send(sw, {"type": "say", "chat": chat, "id": f"s{i}", "text": f"bericht {i}"})
        acks = [await recv_type(sw, "ack") for _ in range(10)]
        assert [(a["id"], a["seq"]) for a in acks] == [(f"s{i}", i + 1) for i in range(10)]
        got = [await recv_type(cw, "message") for _ in range(10)]
        assert [m["text"] for m in got] == [f"bericht {i}" for i in range(10)]
        conn = next(c for conns in relay.staff.values() for c in conns)
        assert conn.writes.free == 2
