"""The relay's hot path: shared queue frames, configured flood limits, a failed message write."""

from __future__ import annotations

import asyncio
import json

from websockets.asyncio.client import ClientConnection

from console1712.clock import FakeClock
from console1712.store import chats
from tests.databases import both_databases, failing_insert
from tests.relay.helpers import (
    chatter,
    closed_with,
    console,
    expect_error,
    recv_type,
    request,
    send,
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
