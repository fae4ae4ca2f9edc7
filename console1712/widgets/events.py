"""Typed Messages the network worker posts to the workspace, one per relay frame kind."""

from __future__ import annotations

from typing import Any

from textual.message import Message

Frame = dict[str, Any]


class ConnectionChanged(Message):
    """The link to the relay went up, down, or the session was lost."""

    def __init__(self, state: str) -> None:
        super().__init__()
        self.state = state


class QueueChanged(Message):
    """The current queue (entries in queue order; the relay lists at most the first 100)
    and its whole length, `total`."""

    def __init__(self, waiting: list[Frame], total: int | None = None) -> None:
        super().__init__()
        self.waiting = waiting
        self.total = len(waiting) if total is None else max(total, len(waiting))


class ChatAssigned(Message):
    """A chat is ours (accepted, transferred to us, or restored after a reconnect)."""

    def __init__(
        self,
        chat: str,
        intake: Frame,
        history: list[Frame],
        transferred_by: str | None = None,
        note: str | None = None,
    ) -> None:
        super().__init__()
        self.chat = chat
        self.intake = intake
        self.history = history
        self.transferred_by = transferred_by  # a colleague's alias: handed to us, not accepted
        self.note = note  # the colleague's handover note


class ChatMessage(Message):
    """A chatter's message in one of our chats."""

    def __init__(self, chat: str, seq: int, sender: str, text: str, at: str) -> None:
        super().__init__()
        self.chat = chat
        self.seq = seq
        self.sender = sender
        self.text = text
        self.at = at


class MessageAcked(Message):
    """The relay stored one of our messages."""

    def __init__(self, chat: str, msg_id: str, seq: int) -> None:
        super().__init__()
        self.chat = chat
        self.msg_id = msg_id
        self.seq = seq


class ChatTyping(Message):
    def __init__(self, chat: str) -> None:
        super().__init__()
        self.chat = chat


class ChatPresence(Message):
    """The chatter dropped ("away") or resumed ("back")."""

    def __init__(self, chat: str, state: str) -> None:
        super().__init__()
        self.chat = chat
        self.state = state


class ChatEnded(Message):
    def __init__(self, chat: str, by: str) -> None:
        super().__init__()
        self.chat = chat
        self.by = by


class ChatReleased(Message):
    """A chat we transferred now belongs to a colleague (`by`: the supervisor who took it
    over or reassigned it, else "")."""

    def __init__(self, chat: str, by: str = "") -> None:
        super().__init__()
        self.chat = chat
        self.by = by


class AvailabilityChanged(Message):
    def __init__(self, state: str) -> None:
        super().__init__()
        self.state = state


class RelayError(Message):
    """An `error` frame (with the chat and message id when it answers a say)."""

    def __init__(self, code: str, chat: str | None, msg_id: str | None, frame: Frame) -> None:
        super().__init__()
        self.code = code
        self.chat = chat
        self.msg_id = msg_id
        self.frame = frame


class MailNew(Message):
    """A mail was stored (no content): open Mail screens refresh their list."""

    def __init__(self, thread: str, team: str | None, new_thread: bool) -> None:
        super().__init__()
        self.thread = thread
        self.team = team
        self.new_thread = new_thread


class MailChanged(Message):
    """A thread was claimed, answered or forgotten (no content)."""

    def __init__(self, thread: str, status: str, claimed_by: str | None) -> None:
        super().__init__()
        self.thread = thread
        self.status = status
        self.claimed_by = claimed_by


MAIL_FRAMES = ("mail_new", "mail_changed")


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def message_for(frame: Frame) -> Message | None:
    """The Message for one relay frame, or None for frames the workspace does not use."""
    kind = frame.get("type")
    chat = _str(frame.get("chat"))
    if kind == "queue" and isinstance(frame.get("waiting"), list):
        total = frame.get("total")
        return QueueChanged(
            [e for e in frame["waiting"] if isinstance(e, dict)],
            total if isinstance(total, int) and not isinstance(total, bool) else None,
        )
    if kind == "assigned":
        intake = frame.get("intake") if isinstance(frame.get("intake"), dict) else {}
        history = frame.get("history") if isinstance(frame.get("history"), list) else []
        by, note = frame.get("transferred_by"), frame.get("note")
        return ChatAssigned(
            chat,
            intake or {},
            [h for h in history or [] if isinstance(h, dict)],
            by if isinstance(by, str) and by else None,
            note if isinstance(note, str) and note else None,
        )
    if kind == "message":
        return ChatMessage(
            chat,
            _int(frame.get("seq")),
            _str(frame.get("from")),
            _str(frame.get("text")),
            _str(frame.get("at")),
        )
    if kind == "ack":
        return MessageAcked(chat, _str(frame.get("id")), _int(frame.get("seq")))
    if kind == "typing":
        return ChatTyping(chat)
    if kind == "presence":
        return ChatPresence(chat, _str(frame.get("state")))
    if kind == "ended":
        return ChatEnded(chat, _str(frame.get("by")))
    if kind == "released":
        return ChatReleased(chat, _str(frame.get("by")))
    if kind == "status":
        return AvailabilityChanged(_str(frame.get("state")))
    if kind == "mail_new":
        team = frame.get("team")
        return MailNew(
            _str(frame.get("thread")),
            team if isinstance(team, str) else None,
            frame.get("new_thread") is True,
        )
    if kind == "mail_changed":
        claimed = frame.get("claimed_by")
        return MailChanged(
            _str(frame.get("thread")),
            _str(frame.get("status")),
            claimed if isinstance(claimed, str) else None,
        )
    if kind == "error":
        msg_id = frame.get("id")
        return RelayError(
            _str(frame.get("code")),
            chat or None,
            msg_id if isinstance(msg_id, str) else None,
            frame,
        )
    return None
