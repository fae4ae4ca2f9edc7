"""Typed Messages the network worker posts to the workspace, one per relay frame kind."""

from __future__ import annotations

from typing import Any

from textual.message import Message

from console1712.protocol import events as ev

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
        ref: str | None = None,
    ) -> None:
        super().__init__()
        self.chat = chat
        self.intake = intake
        self.history = history
        self.transferred_by = transferred_by  # a colleague's alias: handed to us, not accepted
        self.note = note  # the colleague's handover note
        self.ref = ref  # the `ref` of our accept this answers (None: transfer, restore)


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

    def __init__(self, code: str, chat: str | None, msg_id: str | None, frame: ev.Error) -> None:
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


def message_for(frame: ev.StaffEvent | Frame) -> Message | None:
    """The Message for one relay event (or a mail push, which stays a dict), or None for
    what the workspace does not use."""
    if isinstance(frame, dict):
        return _mail_message(frame)
    match frame:
        case ev.Queue(waiting=waiting, total=total):
            return QueueChanged([ev.to_dict(e) for e in waiting], total)
        case ev.Assigned():
            return ChatAssigned(
                frame.chat,
                ev.to_dict(frame.intake),
                [ev.to_dict(h) for h in frame.history],
                frame.transferred_by or None,
                frame.note or None,
                frame.ref,
            )
        case ev.Message(chat=str(chat)):
            return ChatMessage(chat, frame.seq, frame.sender, frame.text, frame.at)
        case ev.Ack(chat=str(chat)):
            return MessageAcked(chat, frame.id, frame.seq)
        case ev.Typing(chat=str(chat)):
            return ChatTyping(chat)
        case ev.Presence():
            return ChatPresence(frame.chat, frame.state)
        case ev.Ended(chat=str(chat)):
            return ChatEnded(chat, frame.by)
        case ev.Released():
            return ChatReleased(frame.chat, frame.by or "")
        case ev.Status():
            return AvailabilityChanged(frame.state)
        case ev.Error():
            return RelayError(frame.code, frame.chat or None, frame.id, frame)
    return None


def _mail_message(frame: Frame) -> Message | None:
    kind = frame.get("type")
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
    return None
