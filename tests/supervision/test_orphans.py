"""No chatter left alone: a chat whose counsellor is gone goes back to the front of the queue
(protocol v1 Additions), against a real relay with real websockets clients."""

from __future__ import annotations

import asyncio
from typing import Any

from websockets.asyncio.client import connect

from console1712.clock import FakeClock
from console1712.relay.server import Relay
from console1712.store import audit
from tests.relay.helpers import chatter, console, recv, recv_type, request, send, url


async def until(check: Any, wait: float = 5) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while not check():
        assert loop.time() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


async def test_gone_counsellor_chat_goes_back_and_another_takes_it_with_history(
    relay: Relay, make_staff: Any, clock: FakeClock
) -> None:
    anna = await make_staff("anna", display="Anna")
    ben = await make_staff("ben", display="Ben")
    async with (
        chatter(relay, nickname="Mus", region="antwerpen") as (cw, queued),
        chatter(relay, nickname="Vink", region="antwerpen") as (_vw, other),
    ):
        chat = queued["chat"]
        async with connect(url(relay, "/console")) as aw:
            await request(aw, anna.login_frame(), "session")
            await request(aw, {"type": "accept", "chat": chat}, "assigned")
            assert (await recv_type(cw, "joined"))["counsellor"] == "Anna"
            await send(cw, {"type": "say", "id": "c1", "text": "Ik durf het niet te zeggen."})
            await recv_type(aw, "message", chat=chat)
            await send(aw, {"type": "say", "chat": chat, "id": "a1", "text": "Neem je tijd."})
            await recv_type(aw, "ack", id="a1")
            # The console vanishes without a close frame (crash, network).
            aw.transport.abort()
        await until(lambda: not relay.staff.get("anna"))

        # The child goes on writing to nobody: stored and acknowledged, never an error.
        await send(cw, {"type": "say", "id": "c2", "text": "Hallo?? Is er iemand?"})
        await until(lambda: relay.chats[chat].delivered == 3)
        await relay.sweep()  # before orphan_after: still Anna's
        assert relay.chats[chat].state == "assigned"

        clock.advance(relay.settings.orphan_after)
        seen = [await recv(cw)]
        while seen[-1]["type"] != "requeued":
            seen.append(await recv(cw))
        assert not [f for f in seen if f["type"] == "error"]
        assert {"type": "ack", "id": "c2", "seq": 3} in seen
        requeued = seen[-1]
        assert requeued["position"] == 1  # in front of the chat that waited all along
        assert "andere hulpverlener" in requeued["detail"]

        async with console(relay, ben) as bw:
            queue = await recv_type(bw, "queue")
            assert [e["chat"] for e in queue["waiting"]] == [chat, other["chat"]]
            assert queue["waiting"][0]["returned"] is True
            assert "returned" not in queue["waiting"][1]
            # accept without an id takes the returned chat first
            assigned = await request(bw, {"type": "accept"}, "assigned")
            assert assigned["chat"] == chat
            assert [(m["seq"], m["from"], m["text"]) for m in assigned["history"]] == [
                (1, "chatter", "Ik durf het niet te zeggen."),
                (2, "counsellor", "Neem je tijd."),
                (3, "chatter", "Hallo?? Is er iemand?"),
            ]
            joined = await recv(cw)
            assert joined == {"type": "joined", "counsellor": "Ben"}
            queue = await recv_type(bw, "queue")
            assert [e["chat"] for e in queue["waiting"]] == [other["chat"]]

    entries = await audit.entries(relay.db, limit=50)
    assert [(e.actor, e.object) for e in entries if e.action == "chat.requeue"] == [("relay", chat)]


async def test_a_counsellor_back_in_time_keeps_the_chat(
    relay: Relay, make_staff: Any, clock: FakeClock
) -> None:
    anna = await make_staff("anna", display="Anna")
    async with chatter(relay) as (cw, queued):
        chat = queued["chat"]
        async with console(relay, anna) as aw:
            await request(aw, {"type": "accept", "chat": chat}, "assigned")
        await until(lambda: not relay.staff.get("anna"))
        clock.advance(relay.settings.orphan_after - 1)
        async with console(relay, anna) as aw:
            restored = await recv_type(aw, "assigned")  # reconnect restores the tab
            assert restored["chat"] == chat
            clock.advance(relay.settings.orphan_after * 2)
            await relay.sweep()
            assert relay.chats[chat].state == "assigned"
            await send(aw, {"type": "say", "chat": chat, "id": "a1", "text": "Ik ben er nog."})
            # the chatter's next frame is Anna's message, not `requeued`
            frame = await recv_type(cw, "message")
            assert frame["text"] == "Ik ben er nog."


async def test_orphan_clock_and_returned_mark_survive_relay_restarts(
    relay: Relay, make_staff: Any, clock: FakeClock
) -> None:
    anna = await make_staff("anna", display="Anna")
    ben = await make_staff("ben", display="Ben")
    async with chatter(relay) as (_first, early), chatter(relay) as (_cw, queued):
        chat = queued["chat"]
        async with console(relay, anna) as aw:
            await request(aw, {"type": "accept", "chat": chat}, "assigned")
    await relay.stop()
    clock.advance(100)  # down longer than orphan_after: the clock runs from when it serves
    await relay.start()
    assert relay.chats[chat].state == "assigned"
    clock.advance(relay.settings.orphan_after)
    await relay.sweep()
    assert relay.chats[chat].state == "waiting"
    await relay.stop()
    await relay.start()
    assert list(relay.waiting) == [chat, early["chat"]]
    async with console(relay, ben) as bw:
        queue = await recv_type(bw, "queue")
        assert [(e["chat"], e.get("returned")) for e in queue["waiting"]] == [
            (chat, True),
            (early["chat"], None),
        ]
