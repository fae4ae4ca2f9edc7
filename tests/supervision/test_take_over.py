"""Supervisors take over or reassign a live chat; counsellors give a chat back; all against a
real relay with real websockets clients."""

from __future__ import annotations

from typing import Any

from console1712.relay.server import Relay
from console1712.store import audit
from tests.relay.helpers import chatter, console, expect_error, recv_type, request, send


async def test_supervisor_takes_over_and_chats_like_a_counsellor(
    relay: Relay, make_staff: Any
) -> None:
    anna = await make_staff("anna", display="Anna")
    sofie = await make_staff("sofie", role="supervisor", display="Sofie")
    async with (
        chatter(relay, nickname="Mus") as (cw, queued),
        console(relay, anna) as aw,
        console(relay, sofie) as sw,
    ):
        chat = queued["chat"]
        await request(aw, {"type": "accept", "chat": chat}, "assigned")
        await recv_type(cw, "joined")
        await send(cw, {"type": "say", "id": "c1", "text": "help"})
        await recv_type(aw, "message", chat=chat)
        await request(aw, {"type": "say", "chat": chat, "id": "a1", "text": "Ik ben er."}, "ack")

        await send(sw, {"type": "take_over", "chat": chat, "ref": "t1"})
        assigned = await recv_type(sw, "assigned", chat=chat)  # the tab first, then the answer
        answer = await recv_type(sw, "taken_over")
        assert answer == {"type": "taken_over", "chat": chat, "ref": "t1"}
        assert [m["text"] for m in assigned["history"]] == ["help", "Ik ben er."]
        # Sofie sees who wrote the counsellor's line, as after a transfer
        assert [m.get("name") for m in assigned["history"]] == [None, "Anna"]
        released = await recv_type(aw, "released", chat=chat)
        assert released["by"] == "Sofie"
        assert (await recv_type(cw, "joined"))["counsellor"] == "Sofie"

        await send(sw, {"type": "say", "chat": chat, "id": "s1", "text": "Ik neem het over."})
        await recv_type(sw, "ack", id="s1")
        assert (await recv_type(cw, "message"))["text"] == "Ik neem het over."
        await send(cw, {"type": "say", "id": "c2", "text": "ok"})
        assert (await recv_type(sw, "message", chat=chat))["text"] == "ok"
        # Anna's chat is no longer hers.
        await expect_error(
            aw, {"type": "say", "chat": chat, "id": "a9", "text": "hallo"}, "not_assigned"
        )

    entries = await audit.entries(relay.db, limit=50)
    assert [(e.actor, e.object) for e in entries if e.action == "chat.take_over"] == [
        ("sofie", chat)
    ]


async def test_supervisor_reassigns_to_a_logged_in_counsellor(
    relay: Relay, make_staff: Any
) -> None:
    anna = await make_staff("anna", display="Anna")
    ben = await make_staff("ben", display="Ben")
    sofie = await make_staff("sofie", role="supervisor", display="Sofie")
    async with (
        chatter(relay) as (cw, queued),
        console(relay, anna) as aw,
        console(relay, ben) as bw,
        console(relay, sofie) as sw,
    ):
        chat = queued["chat"]
        await request(aw, {"type": "accept", "chat": chat}, "assigned")
        await recv_type(cw, "joined")
        await expect_error(sw, {"type": "reassign", "chat": chat, "to": "nobody"}, "not_found")
        answer = await request(sw, {"type": "reassign", "chat": chat, "to": "ben"}, "reassigned")
        assert answer["to"] == "ben"
        await recv_type(bw, "assigned", chat=chat)
        await recv_type(aw, "released", chat=chat)
        assert (await recv_type(cw, "joined"))["counsellor"] == "Ben"
        await send(bw, {"type": "say", "chat": chat, "id": "b1", "text": "Hoi, ik ben Ben."})
        await recv_type(bw, "ack", id="b1")

    entries = await audit.entries(relay.db, limit=50)
    reassigns = [e for e in entries if e.action == "chat.reassign"]
    assert [(e.actor, e.object) for e in reassigns] == [("sofie", chat)]
    assert "ben" in (reassigns[0].detail or "")


async def test_counsellors_may_not_take_over_or_reassign(relay: Relay, make_staff: Any) -> None:
    anna = await make_staff("anna")
    ben = await make_staff("ben")
    async with (
        chatter(relay) as (_cw, queued),
        console(relay, anna) as aw,
        console(relay, ben) as bw,
    ):
        chat = queued["chat"]
        await request(aw, {"type": "accept", "chat": chat}, "assigned")
        await expect_error(bw, {"type": "take_over", "chat": chat}, "forbidden")
        await expect_error(bw, {"type": "reassign", "chat": chat, "to": "ben"}, "forbidden")
        assert relay.chats[chat].counsellor == "anna"


async def test_supervisors_are_scoped_to_their_team(relay: Relay, make_staff: Any) -> None:
    anna = await make_staff("anna", team="antwerpen", display="Anna")
    lies = await make_staff("lies", role="supervisor", team="limburg", display="Lies")
    async with (
        chatter(relay, region="antwerpen") as (_cw, queued),
        console(relay, anna) as aw,
        console(relay, lies) as lw,
    ):
        chat = queued["chat"]
        await request(aw, {"type": "accept", "chat": chat}, "assigned")
        for frame in (
            {"type": "take_over", "chat": chat},
            {"type": "reassign", "chat": chat, "to": "lies"},
        ):
            await expect_error(lw, frame, "not_found")
        assert relay.chats[chat].counsellor == "anna"


async def test_counsellor_gives_a_chat_back_to_the_front_of_the_queue(
    relay: Relay, make_staff: Any
) -> None:
    anna = await make_staff("anna", display="Anna")
    ben = await make_staff("ben", display="Ben")
    async with (
        chatter(relay) as (_ew, early),
        chatter(relay) as (cw, queued),
        console(relay, anna) as aw,
        console(relay, ben) as bw,
    ):
        chat = queued["chat"]
        await request(aw, {"type": "accept", "chat": chat}, "assigned")
        await expect_error(bw, {"type": "chat_return", "chat": chat}, "not_assigned")
        await request(aw, {"type": "chat_return", "chat": chat}, "chat_returned")
        requeued = await recv_type(cw, "requeued")
        assert requeued["position"] == 1
        queue = await recv_type(bw, "queue")
        while [e["chat"] for e in queue["waiting"]] != [chat, early["chat"]]:
            queue = await recv_type(bw, "queue")
        assert queue["waiting"][0]["returned"] is True
    entries = await audit.entries(relay.db, limit=50)
    assert [(e.actor, e.object) for e in entries if e.action == "chat.requeue"] == [("anna", chat)]


async def test_bad_stepping_in_frames_get_bad_request(relay: Relay, make_staff: Any) -> None:
    sofie = await make_staff("sofie", role="supervisor", team=None)
    anna = await make_staff("anna")
    async with console(relay, sofie) as sw, console(relay, anna) as aw:
        await expect_error(sw, {"type": "take_over"}, "bad_request")
        await expect_error(sw, {"type": "take_over", "chat": 5}, "bad_request")
        await expect_error(sw, {"type": "reassign", "chat": "c_x"}, "bad_request")
        await expect_error(sw, {"type": "take_over", "chat": "c_unknown"}, "not_found")
        await expect_error(aw, {"type": "chat_return", "chat": ["x"]}, "bad_request")
        await expect_error(aw, {"type": "chat_return", "chat": "c_unknown"}, "not_assigned")
