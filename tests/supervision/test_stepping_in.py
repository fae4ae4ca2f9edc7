"""Reading along and private notes over real websockets against a real relay."""

from __future__ import annotations

import asyncio

from console1712.store import audit
from tests.relay.helpers import chatter, console, expect_error, recv, recv_type, request, send


async def test_read_along_history_live_messages_and_watched_mark(relay, make_staff) -> None:
    anna = await make_staff("anna", display="Anna")
    sofie = await make_staff("sofie", role="supervisor", display="Sofie")
    async with (
        chatter(relay, nickname="Mus", region="limburg") as (cw, queued),
        console(relay, anna) as aw,
        console(relay, sofie) as sw,
    ):
        chat = queued["chat"]
        await request(aw, {"type": "accept", "chat": chat}, "assigned")
        await send(cw, {"type": "say", "id": "c1", "text": "hallo, ben je daar?"})
        await recv_type(aw, "message", chat=chat)

        answer = await request(sw, {"type": "read_along", "chat": chat, "ref": "r1"}, "read_along")
        assert answer["ref"] == "r1"
        assert answer["counsellor"] == "Anna"
        assert [m["text"] for m in answer["history"]] == ["hallo, ben je daar?"]
        watched = await recv_type(aw, "watched", chat=chat)
        assert watched["by"] == ["Sofie"]

        # Live, both directions, in order.
        await send(aw, {"type": "say", "chat": chat, "id": "a1", "text": "Ja, ik ben er."})
        first = await recv_type(sw, "read_along_message", chat=chat)
        await send(cw, {"type": "say", "id": "c2", "text": "oké"})
        second = await recv_type(sw, "read_along_message", chat=chat)
        assert (first["from"], first["text"], first["seq"]) == ("counsellor", "Ja, ik ben er.", 2)
        assert (second["from"], second["text"], second["seq"]) == ("chatter", "oké", 3)

        # Read-only: the supervisor cannot say anything in the chat.
        await expect_error(
            sw, {"type": "say", "chat": chat, "id": "s1", "text": "hoi"}, "not_assigned"
        )

        await request(sw, {"type": "read_along_stop", "chat": chat}, "read_along_stopped")
        assert (await recv_type(aw, "watched", chat=chat))["by"] == []

    entries = await audit.entries(relay.db, limit=20)
    reads = [e for e in entries if e.action == "chat.read_along"]
    assert [(e.actor, e.object) for e in reads] == [("sofie", chat)]


async def test_a_counsellor_cannot_read_along(relay, make_staff) -> None:
    anna = await make_staff("anna")
    ben = await make_staff("ben")
    async with (
        chatter(relay) as (_cw, queued),
        console(relay, anna) as aw,
        console(relay, ben) as bw,
    ):
        await request(aw, {"type": "accept", "chat": queued["chat"]}, "assigned")
        await expect_error(bw, {"type": "read_along", "chat": queued["chat"]}, "forbidden")
        await expect_error(
            bw, {"type": "note", "chat": queued["chat"], "text": "psst"}, "forbidden"
        )


async def test_private_note_reaches_the_counsellor_never_the_chatter(relay, make_staff) -> None:
    anna = await make_staff("anna", display="Anna")
    sofie = await make_staff("sofie", role="supervisor", display="Sofie")
    async with (
        chatter(relay) as (cw, queued),
        console(relay, anna) as aw,
        console(relay, sofie) as sw,
    ):
        chat = queued["chat"]
        await request(aw, {"type": "accept", "chat": chat}, "assigned")
        await recv_type(cw, "joined")
        secret = "Vraag naar haar veiligheid thuis."
        sent = await request(sw, {"type": "note", "chat": chat, "text": secret}, "note_sent")
        assert sent["chat"] == chat
        note = await recv_type(aw, "note", chat=chat)
        assert (note["from"], note["text"]) == ("Sofie", secret)

        # The chatter gets nothing: the very next frame it sees is the counsellor's message.
        await send(aw, {"type": "say", "chat": chat, "id": "a1", "text": "Gaat het?"})
        message = await recv(cw)
        assert message["type"] == "message"
        assert message["text"] == "Gaat het?" and message["seq"] == 1

    # Not a chat message, and the audit entry holds no content.
    rows = await relay.db.fetchall("SELECT count(*) FROM chat_messages WHERE chat = ?", (chat,))
    assert rows[0][0] == 1
    entries = await audit.entries(relay.db, limit=20)
    notes = [e for e in entries if e.action == "chat.note"]
    assert len(notes) == 1 and secret not in (notes[0].detail or "")


async def test_reader_leaving_clears_the_mark(relay, make_staff) -> None:
    anna = await make_staff("anna")
    sofie = await make_staff("sofie", role="supervisor", display="Sofie")
    async with chatter(relay) as (_cw, queued), console(relay, anna) as aw:
        chat = queued["chat"]
        await request(aw, {"type": "accept", "chat": chat}, "assigned")
        async with console(relay, sofie) as sw:
            await request(sw, {"type": "read_along", "chat": chat}, "read_along")
            assert (await recv_type(aw, "watched", chat=chat))["by"] == ["Sofie"]
        assert (await recv_type(aw, "watched", chat=chat))["by"] == []
        await asyncio.sleep(0)
        assert relay.chats[chat].readers == set()
