"""Typed Messages for registration frames, posted by the app's network worker."""

from __future__ import annotations

from typing import Any

from textual.message import Message

Frame = dict[str, Any]


class RegistrationsOpen(Message):
    """The counsellor's open registrations (`registrations_open`: pushed or answered)."""

    def __init__(self, entries: list[Frame]) -> None:
        super().__init__()
        self.entries = entries


class ChatNotesChanged(Message):
    """A chat's counsellor changed its notes (`chat_notes`, pushed to readers)."""

    def __init__(self, chat: str, text: str) -> None:
        super().__init__()
        self.chat = chat
        self.text = text


class HelpRequests(Message):
    """For supervisors: the open calls for help they cover (`ring`: a new or repeated call)."""

    def __init__(self, requests: list[Frame], ring: bool) -> None:
        super().__init__()
        self.requests = requests
        self.ring = ring


class HelpAnswered(Message):
    """For the counsellor: a supervisor took their call for help on `chat`."""

    def __init__(self, chat: str, by: str) -> None:
        super().__init__()
        self.chat = chat
        self.by = by


def registration_message(frame: Frame) -> Message | None:
    kind = frame.get("type")
    if kind == "registrations_open" and isinstance(frame.get("open"), list):
        return RegistrationsOpen([e for e in frame["open"] if isinstance(e, dict)])
    if kind == "chat_notes" and "ref" not in frame:
        return ChatNotesChanged(str(frame.get("chat", "")), str(frame.get("text", "")))
    if kind == "help_requests" and isinstance(frame.get("requests"), list):
        requests = [r for r in frame["requests"] if isinstance(r, dict)]
        return HelpRequests(requests, frame.get("ring") is True)
    if kind == "help_answered" and "ref" not in frame:
        return HelpAnswered(str(frame.get("chat", "")), str(frame.get("by", "")))
    return None
