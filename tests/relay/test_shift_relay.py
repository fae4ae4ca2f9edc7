"""Relay parts of the counsellor's shift: the chat cap, the transfer note and names, the first
line in the staff queue."""

from __future__ import annotations

from tests.databases import both_databases
from tests.relay.helpers import chatter, console, expect_error, recv_type, request, send

pytestmark = both_databases


async def test_accept_past_the_cap_is_refused(relay, make_staff) -> None:
    relay.settings.max_chats_per_counsellor = 2
    anna = await make_staff("anna")
    async with (
        console(relay, anna) as ws,
        chatter(relay) as (_, q1),
        chatter(relay) as (_, q2),
        chatter(relay) as (_, q3),
    ):
        await request(ws, {"type": "accept", "chat": q1["chat"]}, "assigned")
        await request(ws, {"type": "accept", "chat": q2["chat"]}, "assigned")
        err = await expect_error(ws, {"type": "accept", "chat": q3["chat"]}, "too_many_chats")
        assert err["max"] == 2 and "maximum" in err["detail"]
        assert q3["chat"] in relay.waiting  # still waiting for someone else
        await expect_error(ws, {"type": "accept"}, "too_many_chats")
        await request(ws, {"type": "end", "chat": q1["chat"]}, "ended")
        await request(ws, {"type": "accept"}, "assigned")  # room again


async def test_no_cap_when_zero(relay, make_staff) -> None:
    relay.settings.max_chats_per_counsellor = 0
    anna = await make_staff("anna")
    async with console(relay, anna) as ws:
        for _ in range(4):
            async with chatter(relay) as (_, queued):
                await request(ws, {"type": "accept", "chat": queued["chat"]}, "assigned")


async def test_transfer_note_and_previous_counsellor_named(relay, make_staff) -> None:
    anna = await make_staff("anna")
    bob = await make_staff("bob")
    async with (
        console(relay, anna) as anna_ws,
        console(relay, bob) as bob_ws,
        chatter(relay) as (chat_ws, queued),
    ):
        chat = queued["chat"]
        await request(bob_ws, {"type": "accept", "chat": chat}, "assigned")
        await send(bob_ws, {"type": "say", "chat": chat, "id": "b1", "text": "Dag"})
        await recv_type(bob_ws, "ack")
        await send(chat_ws, {"type": "say", "id": "c1", "text": "hoi"})
        await recv_type(chat_ws, "ack")
        await expect_error(
            bob_ws, {"type": "transfer", "chat": chat, "to": "anna", "note": 5}, "bad_request"
        )
        note = "Ze praat\u0007 over thuis"
        await request(
            bob_ws, {"type": "transfer", "chat": chat, "to": "anna", "note": note}, "released"
        )
        assigned = await recv_type(anna_ws, "assigned", chat=chat)
        assert assigned["transferred_by"] == "Bob"
        assert assigned["note"] == "Ze praat over thuis"  # cleaned like every free text
        lines = {h["seq"]: h for h in assigned["history"]}
        assert lines[1]["name"] == "Bob" and "name" not in lines[2]
        # Without a note: no note field; the chatter never sees names or notes.
        await request(anna_ws, {"type": "transfer", "chat": chat, "to": "bob"}, "released")
        back = await recv_type(bob_ws, "assigned", chat=chat)
        assert back["transferred_by"] == "Anna" and "note" not in back
        joined = await recv_type(chat_ws, "joined")
        assert set(joined) == {"type", "counsellor"}


async def test_queue_entry_carries_the_first_line_written_while_waiting(relay, make_staff) -> None:
    anna = await make_staff("anna")
    async with console(relay, anna) as ws, chatter(relay) as (chat_ws, _):
        first = await recv_type(ws, "queue")
        while not first["waiting"]:
            first = await recv_type(ws, "queue")
        assert "first" not in first["waiting"][0]
        await send(chat_ws, {"type": "say", "id": "c1", "text": "Help\nik weet\tniet wat"})
        await recv_type(chat_ws, "ack")
        frame = await recv_type(ws, "queue")
        while "first" not in frame["waiting"][0]:
            frame = await recv_type(ws, "queue")
        assert frame["waiting"][0]["first"] == "Help ik weet niet wat"
        await send(chat_ws, {"type": "say", "id": "c2", "text": "tweede"})
        await recv_type(chat_ws, "ack")
        assert relay.queue_entries()[0]["first"] == "Help ik weet niet wat"
