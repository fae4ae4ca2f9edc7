"""Transcript bookkeeping driven by the worker's Messages (no relay): acks and restores."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from console1712.app import ConsoleApp
from console1712.clock import FakeClock
from console1712.protocol import events as ev
from console1712.widgets.events import ChatAssigned, ChatMessage, MessageAcked, message_for

NOW = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
SESSION = {"user": "anna", "name": "Anna", "role": "counsellor", "team": "antwerpen"}


def item(seq: int, sender: str, text: str) -> dict:
    return {"seq": seq, "from": sender, "text": text, "at": "2026-11-26T13:59:00Z"}


async def test_ack_of_message_already_in_restored_history_shows_it_once(settings) -> None:
    app = ConsoleApp(settings, clock=FakeClock(NOW))
    async with app.run_test(size=(80, 24)) as pilot:
        ws = app.open_workspace(SESSION)
        await pilot.pause()
        ws.post_message(ChatAssigned("c1", {"nickname": "Mo"}, [item(1, "chatter", "hoi")]))
        await pilot.pause()
        pane = ws.panes["c1"]
        pane.add_own("stored before the drop", "m1", NOW)
        # After a reconnect the history already holds it (its ack was lost on the way)...
        history = [item(1, "chatter", "hoi"), item(2, "counsellor", "stored before the drop")]
        ws.post_message(ChatAssigned("c1", {"nickname": "Mo"}, history))
        await pilot.pause()
        # ...and the re-sent id is acknowledged with its first seq: one line, not two.
        ws.post_message(MessageAcked("c1", "m1", 2))
        ws.post_message(ChatMessage("c1", 1, "chatter", "hoi", ""))  # a replay: ignored
        await pilot.pause()
        plain = pane.transcript.plain()
        assert plain.count("stored before the drop") == 1
        assert plain.count("hoi") == 1
        assert not pane.pending_lines()


def test_frames_become_typed_messages() -> None:
    ack = ev.staff_event({"type": "ack", "chat": "c", "id": "i", "seq": 3})
    assert ack is not None and isinstance(message_for(ack), MessageAcked)
    assert message_for({"type": "unknown"}) is None
    msg = message_for(ev.Message(chat="c", seq=4, sender="chatter", text="hoi", at="t"))
    assert isinstance(msg, ChatMessage) and (msg.seq, msg.sender, msg.text) == (4, "chatter", "hoi")
    # A malformed chat-core frame never reaches the console: the client drops it.
    with pytest.raises(ev.BadEvent):
        ev.staff_event({"type": "message", "chat": "c", "seq": "x", "text": 5})
