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


def registration_message(frame: Frame) -> Message | None:
    kind = frame.get("type")
    if kind == "registrations_open" and isinstance(frame.get("open"), list):
        return RegistrationsOpen([e for e in frame["open"] if isinstance(e, dict)])
    return None
