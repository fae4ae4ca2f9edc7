"""Typed Messages for supervision frames (issue 7), posted by the app's network worker."""

from __future__ import annotations

from typing import Any

from textual.message import Message

Frame = dict[str, Any]


class MonitorUpdated(Message):
    """A `monitor` frame: the live overview."""

    def __init__(self, frame: Frame) -> None:
        super().__init__()
        self.frame = frame


class ReadAlongMessage(Message):
    """A message in a chat a supervisor reads along in."""

    def __init__(self, chat: str, entry: Frame) -> None:
        super().__init__()
        self.chat = chat
        self.entry = entry


class ReadAlongEnded(Message):
    def __init__(self, chat: str) -> None:
        super().__init__()
        self.chat = chat


class Watched(Message):
    """For the counsellor: who reads along in one of their chats now (aliases)."""

    def __init__(self, chat: str, by: list[str]) -> None:
        super().__init__()
        self.chat = chat
        self.by = by


class NoteReceived(Message):
    """A supervisor's private note about one of our chats."""

    def __init__(self, chat: str, sender: str, text: str, at: str) -> None:
        super().__init__()
        self.chat = chat
        self.sender = sender
        self.text = text
        self.at = at


class DisclosurePending(Message):
    """A counsellor asked for an emergency disclosure (supervisors)."""

    def __init__(self, request: str) -> None:
        super().__init__()
        self.request = request


class DisclosureDecided(Message):
    """Our disclosure request was approved or refused."""

    def __init__(self, request: str, approved: bool) -> None:
        super().__init__()
        self.request = request
        self.approved = approved


class AlertsChanged(Message):
    """The supervisor's alert items (an `alerts` frame): what needs them, until handled."""

    def __init__(self, items: list[Frame]) -> None:
        super().__init__()
        self.items = items


def alert_items(frame: Frame) -> list[Frame]:
    """The well-formed items of an `alerts` frame."""
    items = frame.get("items")
    if not isinstance(items, list):
        return []
    return [i for i in items if isinstance(i, dict) and isinstance(i.get("kind"), str)]


def alert_key(item: Frame) -> tuple[str, str, str]:
    """What makes an alert the same alert in a later frame (a new key rings the bell)."""
    return (
        _str(item.get("kind")),
        _str(item.get("request")) or _str(item.get("chat")),
        _str(item.get("since")),
    )


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def supervision_message(frame: Frame) -> Message | None:
    """The Message for a supervision frame, or None for any other frame."""
    kind = frame.get("type")
    chat = _str(frame.get("chat"))
    if kind == "monitor":
        return MonitorUpdated(frame)
    if kind == "read_along_message":
        return ReadAlongMessage(chat, frame)
    if kind == "read_along_ended":
        return ReadAlongEnded(chat)
    if kind == "watched":
        by = frame.get("by") if isinstance(frame.get("by"), list) else []
        return Watched(chat, [b for b in by or [] if isinstance(b, str)])
    if kind == "note":
        return NoteReceived(
            chat, _str(frame.get("from")), _str(frame.get("text")), _str(frame.get("at"))
        )
    if kind == "disclosure_pending":
        return DisclosurePending(_str(frame.get("request")))
    if kind == "disclosure_decided" and "ref" not in frame:
        return DisclosureDecided(_str(frame.get("request")), frame.get("approved") is True)
    return None
