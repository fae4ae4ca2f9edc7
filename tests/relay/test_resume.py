"""Interruptions: resume with missed messages, token rotation, takeover, expiry, restart."""

from __future__ import annotations

import dataclasses

from websockets.asyncio.client import connect

from console1712.clock import FakeClock
from tests.databases import both_databases
from tests.relay.helpers import (
    chatter,
    closed_with,
    console,
    expect_error,
    recv_type,
    request,
    send,
    standard_relay,
    until_dropped,
    url,
)

pytestmark = both_databases


async def resume(relay, token: str, after: int = 0):
    ws = await connect(url(relay, "/chat"))
    await recv_type(ws, "welcome")
    await send(ws, {"type": "resume", "token": token, "after": after})
    return ws


async def test_resume_replays_missed_messages_and_rotates_token(relay, make_staff) -> None:
    anna = await make_staff("anna")
    async with console(relay, anna) as sw:
        async with chatter(relay) as (cw, q):
            chat = q["chat"]
            await request(sw, {"type": "accept"}, "assigned")
            await request(cw, {"type": "say", "id": "c1", "text": "hallo"}, "ack")  # seq 1
            await request(sw, {"type": "say", "chat": chat, "id": "s1", "text": "dag"}, "ack")
            await recv_type(cw, "message")  # seq 2 seen
        await recv_type(sw, "presence", state="away")
        for i in (3, 4):
            ack = await request(
                sw, {"type": "say", "chat": chat, "id": f"s{i}", "text": f"m{i}"}, "ack"
            )
            assert ack["seq"] == i
        ws = await resume(relay, q["resume"], after=2)
        resumed = await recv_type(ws, "resumed")
        assert resumed["chat"] == chat and resumed["counsellor"] == "Anna"
        assert resumed["resume"] != q["resume"]
        missed = [await recv_type(ws, "message") for _ in range(2)]
        assert [(m["seq"], m["text"], m["from"]) for m in missed] == [
            (3, "m3", "counsellor"),
            (4, "m4", "counsellor"),
        ]
        # both sides continue
        assert (await request(ws, {"type": "say", "id": "c2", "text": "terug"}, "ack"))["seq"] == 5
        assert (await recv_type(sw, "message"))["text"] == "terug"
        await ws.close()
        # the old token is spent, the new one works
        old = await resume(relay, q["resume"])
        assert (await recv_type(old, "error"))["code"] == "expired"
        await old.close()
        new = await resume(relay, resumed["resume"], after=5)
        assert (await recv_type(new, "resumed"))["chat"] == chat
        await new.close()


async def test_resume_while_waiting_keeps_the_place(relay) -> None:
    async with chatter(relay) as (_, _q1):
        async with chatter(relay) as (_, q2):
            pass
        await until_dropped(relay, q2["chat"])
        ws = await resume(relay, q2["resume"])
        resumed = await recv_type(ws, "resumed")
        assert resumed["position"] == 2 and resumed["counsellor"] is None
        await ws.close()


async def test_resume_takes_over_an_open_connection(relay, make_staff) -> None:
    async with chatter(relay) as (old, q):
        ws = await resume(relay, q["resume"])
        await recv_type(ws, "resumed")
        assert await closed_with(old) == 1000
        assert (await request(ws, {"type": "say", "id": "x", "text": "hier"}, "ack"))["seq"] == 1
        await ws.close()


async def test_expiry_ends_the_chat_by_timeout(relay, make_staff, clock: FakeClock) -> None:
    anna = await make_staff("anna")
    async with console(relay, anna) as sw:
        async with chatter(relay) as (_cw, q):
            await request(sw, {"type": "accept"}, "assigned")
        await recv_type(sw, "presence", state="away")
        clock.advance(299)
        assert await relay.sweep() == 0
        clock.advance(2)
        # the periodic sweep (real time) notices it without help
        ended = await recv_type(sw, "ended", wait=3)
        assert ended == {"type": "ended", "chat": q["chat"], "by": "timeout"}
        ws = await resume(relay, q["resume"])
        assert (await recv_type(ws, "error"))["code"] == "expired"
        await ws.close()
    row = await relay.db.fetchone("SELECT state, ended_by FROM chats")
    assert tuple(row) == ("ended", "timeout")


async def test_resume_just_after_the_window_is_expired(relay, clock: FakeClock) -> None:
    async with chatter(relay) as (_, q):
        pass
    await until_dropped(relay, q["chat"])
    clock.advance(300)
    ws = await resume(relay, q["resume"])
    assert (await recv_type(ws, "error"))["code"] == "expired"
    await ws.close()


async def test_unknown_token_is_expired(relay) -> None:
    async with connect(url(relay, "/chat")) as ws:
        await recv_type(ws, "welcome")
        await expect_error(ws, {"type": "resume", "token": "nonsense"}, "expired")


async def test_ended_while_away_answers_ended(relay, make_staff) -> None:
    anna = await make_staff("anna")
    async with console(relay, anna) as sw:
        async with chatter(relay) as (_, q):
            await request(sw, {"type": "accept"}, "assigned")
        await recv_type(sw, "presence", state="away")
        await request(sw, {"type": "end", "chat": q["chat"]}, "ended")
    ws = await resume(relay, q["resume"])
    assert await recv_type(ws, "ended") == {"type": "ended", "by": "counsellor"}
    assert await closed_with(ws) == 1000


async def test_resume_works_outside_opening_hours(relay, clock: FakeClock) -> None:
    async with chatter(relay) as (_, q):
        pass
    await until_dropped(relay, q["chat"])
    clock.advance(120)
    relay.schedule = type(relay.schedule).from_settings([5], ["10:00-11:00"], [])  # closed now
    ws = await resume(relay, q["resume"])
    assert (await recv_type(ws, "resumed"))["chat"] == q["chat"]
    await ws.close()


async def test_restart_rebuilds_state_and_restarts_the_window(
    settings, clock: FakeClock, make_staff, relay
) -> None:
    anna = await make_staff("anna")
    async with chatter(relay, region="brussel") as (_, q1), chatter(relay) as (c2, q2):
        async with chatter(relay) as (_, q3):
            pass  # q3 dropped before the restart
        await until_dropped(relay, q3["chat"])
        clock.advance(200)
        async with console(relay, anna) as sw:
            await request(sw, {"type": "accept", "chat": q2["chat"]}, "assigned")
            await request(c2, {"type": "say", "id": "m1", "text": "voor de herstart"}, "ack")
        await relay.stop()
        clock.advance(250)  # q3: 450 s since its drop; q1 and q2: dropped only now
        # Anna has no console on the new relay: her chat must not go back to the queue
        # (orphan_after) in the 299 s below, or q1 would no longer be first.
        second = standard_relay(dataclasses.replace(settings, orphan_after=3600), clock)
        await second.start()
        try:
            assert list(second.waiting) == [q1["chat"]]
            ws = await resume(second, q3["resume"])
            assert (await recv_type(ws, "error"))["code"] == "expired"
            await ws.close()
            ws = await resume(second, q2["resume"])
            resumed = await recv_type(ws, "resumed")
            assert resumed["counsellor"] == "Anna"
            assert (await request(ws, {"type": "say", "id": "m1", "text": "dup"}, "ack"))[
                "seq"
            ] == 1
            assert (await request(ws, {"type": "say", "id": "m2", "text": "na"}, "ack"))["seq"] == 2
            await ws.close()
            clock.advance(299)
            ws = await resume(second, q1["resume"])
            assert (await recv_type(ws, "resumed"))["position"] == 1
            await ws.close()
        finally:
            await second.stop()
