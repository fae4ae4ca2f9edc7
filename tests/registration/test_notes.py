"""The counsellor's own notes during a chat, over a real relay: sealed, travel with a
transfer, reach a supervisor reading along, prefill the registration; refusals."""

from __future__ import annotations

from typing import Any

from console1712.store import audit
from tests.relay.helpers import chatter, console, expect_error, recv_type, request

NOTES = "Mila (15) woont bij stiefvader; wil geen politie"


async def test_notes_travel_with_transfer_and_reach_readers(relay: Any, make_staff: Any) -> None:
    anna = await make_staff("anna")
    bert = await make_staff("bert")
    sofie = await make_staff("sofie", role="supervisor")
    root = await make_staff("root", role="admin", team=None)
    async with (
        console(relay, anna) as aw,
        console(relay, bert) as bw,
        console(relay, sofie) as sw,
        console(relay, root) as rw,
        chatter(relay, nickname="Mila", age=15) as (_cw, queued),
    ):
        chat = queued["chat"]
        await request(aw, {"type": "accept", "chat": chat}, "assigned")
        empty = await request(aw, {"type": "chat_notes_get", "chat": chat}, "chat_notes")
        assert empty["text"] == ""
        saved = await request(
            aw, {"type": "chat_notes_set", "chat": chat, "text": NOTES}, "chat_notes_saved"
        )
        assert saved["text"] == NOTES
        raw = await relay.db.fetchall("SELECT text FROM chat_notes")
        assert b"stiefvader" not in bytes(raw[0]["text"])  # sealed

        # Nobody else reads them: a colleague not on the chat, an admin.
        await expect_error(bw, {"type": "chat_notes_get", "chat": chat}, "not_found")
        await expect_error(
            bw, {"type": "chat_notes_set", "chat": chat, "text": "x"}, "not_assigned"
        )
        await expect_error(rw, {"type": "chat_notes_get", "chat": chat}, "forbidden")
        for bad in ({"text": 5}, {"text": "x" * 4001}, {}):
            await expect_error(aw, {"type": "chat_notes_set", "chat": chat, **bad}, "bad_request")

        # A supervisor reading along reads them (audited) and gets each change pushed.
        await request(sw, {"type": "read_along", "chat": chat}, "read_along")
        read = await request(sw, {"type": "chat_notes_get", "chat": chat}, "chat_notes")
        assert read["text"] == NOTES
        await request(
            aw, {"type": "chat_notes_set", "chat": chat, "text": NOTES + "!"}, "chat_notes_saved"
        )
        pushed = await recv_type(sw, "chat_notes", chat=chat)
        assert pushed["text"] == NOTES + "!"

        # A transfer: the notes stay with the chat, for its new counsellor only.
        await request(aw, {"type": "transfer", "chat": chat, "to": "bert"}, "released")
        await recv_type(bw, "assigned", chat=chat)
        moved = await request(bw, {"type": "chat_notes_get", "chat": chat}, "chat_notes")
        assert moved["text"] == NOTES + "!"
        await expect_error(aw, {"type": "chat_notes_get", "chat": chat}, "not_found")

        # They prefill bert's registration when the chat ends.
        await request(bw, {"type": "end", "chat": chat}, "ended")
        got = await request(bw, {"type": "registration_get", "contact": chat}, "registration")
        assert got["prefill"]["note"] == NOTES + "!"
    reads = [e for e in await audit.entries(relay.db) if e.action == "chat.notes_read"]
    assert [(e.actor, e.object) for e in reads] == [("sofie", chat)]
