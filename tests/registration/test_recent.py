"""Recently ended chats over a real relay: the counsellor's own, the last 12 hours,
read-only transcript and notes, every open audited."""

from __future__ import annotations

from typing import Any

from console1712.store import audit
from tests.relay.helpers import chatter, console, expect_error, recv_type, request, send


async def test_recent_chats_are_own_recent_and_audited(
    relay: Any, make_staff: Any, clock: Any
) -> None:
    anna = await make_staff("anna")
    bert = await make_staff("bert")
    root = await make_staff("root", role="admin", team=None)
    async with console(relay, anna) as aw, console(relay, bert) as bw, console(relay, root) as rw:
        ended = []
        for nickname in ("Een", "Twee"):
            async with chatter(relay, nickname=nickname) as (cw, queued):
                chat = queued["chat"]
                await request(aw, {"type": "accept", "chat": chat}, "assigned")
                await send(cw, {"type": "say", "id": "1", "text": f"Ik ben {nickname}"})
                await recv_type(aw, "message", chat=chat)
                frame = {"type": "chat_notes_set", "chat": chat, "text": f"notitie {nickname}"}
                await request(aw, frame, "chat_notes_saved")
                await request(aw, {"type": "end", "chat": chat}, "ended")
                ended.append(chat)
            clock.advance(60)
        listed = await request(aw, {"type": "recent_chats"}, "recent_chats")
        assert [(c["chat"], c["nickname"], c["registration"]) for c in listed["chats"]] == [
            (ended[1], "Twee", "open"),
            (ended[0], "Een", "open"),
        ]
        opened = await request(aw, {"type": "recent_chat_open", "chat": ended[0]}, "recent_chat")
        assert [(m["from"], m["text"]) for m in opened["history"]] == [("chatter", "Ik ben Een")]
        assert opened["notes"] == "notitie Een"
        # Not someone else's, not an admin's; the notes of an ended chat only for its owner.
        assert (await request(bw, {"type": "recent_chats"}, "recent_chats"))["chats"] == []
        await expect_error(bw, {"type": "recent_chat_open", "chat": ended[0]}, "not_found")
        await expect_error(bw, {"type": "chat_notes_get", "chat": ended[0]}, "not_found")
        await expect_error(rw, {"type": "recent_chats"}, "forbidden")
        await expect_error(rw, {"type": "recent_chat_open", "chat": ended[0]}, "forbidden")
        notes = await request(aw, {"type": "chat_notes_get", "chat": ended[0]}, "chat_notes")
        assert notes["text"] == "notitie Een"
        await expect_error(aw, {"type": "recent_chat_open"}, "bad_request")
    # After 12 hours they are no longer "recent" (a new shift: the old session has ended too).
    clock.advance(12 * 3600)
    async with console(relay, anna) as aw:
        assert (await request(aw, {"type": "recent_chats"}, "recent_chats"))["chats"] == []
        await expect_error(aw, {"type": "recent_chat_open", "chat": ended[0]}, "not_found")
    opens = [e for e in await audit.entries(relay.db) if e.action == "chat.transcript_open"]
    assert [(e.actor, e.object) for e in opens] == [("anna", ended[0])]
