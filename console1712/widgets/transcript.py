"""The transcript of one chat: a RichLog of Text lines, never markup."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import events
from textual.widgets import RichLog

from console1712.clock import from_rfc3339
from console1712.domain.text import strip_controls
from console1712.i18n import t

BRUSSELS = ZoneInfo("Europe/Brussels")
MAX_LINES = 2000


@dataclass
class Line:
    """One entry of a transcript: a message (with seq once stored) or a system notice."""

    sender: str  # "chatter", "counsellor", "me" or "system"
    text: str
    at: datetime | None = None
    seq: int | None = None
    msg_id: str | None = None  # own messages: the client id

    @property
    def pending(self) -> bool:
        return self.sender == "me" and self.seq is None


def parse_at(at: str) -> datetime | None:
    try:
        return from_rfc3339(at)
    except (ValueError, TypeError):
        return None


def render_line(line: Line, lang: str) -> Text:
    """One transcript entry as Text: remote text goes in as plain data after stripping."""
    stamp = line.at.astimezone(BRUSSELS).strftime("%H:%M") if line.at else "--:--"
    body = strip_controls(line.text)
    if line.sender == "system":
        return Text.assemble((f"{stamp} ", "dim"), (body, "italic dim"))
    who = {
        "me": t("chat.you", lang),
        "chatter": t("chat.chatter", lang),
        "counsellor": t("chat.counsellor", lang),
    }.get(line.sender, line.sender)
    mark = ""
    if line.sender == "me":
        mark = " " + t("chat.pending", lang) if line.pending else " ✓"
    style = "bold" if line.sender == "chatter" else "dim bold"
    return Text.assemble(
        (f"{stamp} ", "dim"),
        (who, style),
        (mark, "dim"),
        (": ", "dim"),
        Text(body),
    )


class Transcript(RichLog):
    """The lines of one chat; rebuilt when an own message changes state (ack)."""

    DEFAULT_CSS = """
    Transcript { height: 1fr; border: none; padding: 0 1; scrollbar-size-vertical: 1; }
    """

    def __init__(self, lang: str, *, id: str | None = None) -> None:
        super().__init__(
            max_lines=MAX_LINES,
            wrap=True,
            markup=False,
            highlight=False,
            id=id,
            auto_scroll=True,
            min_width=1,
        )
        self.lang = lang
        self.entries: list[Line] = []
        self.can_focus = False
        self._wrapped_at = 0

    def on_resize(self, event: events.Resize) -> None:
        super().on_resize(event)
        # Lines are wrapped when written: re-wrap them at the new width.
        width = self.scrollable_content_region.width
        if width and width != self._wrapped_at:
            self._wrapped_at = width
            self.rebuild()

    def add(self, line: Line) -> None:
        self.entries.append(line)
        if len(self.entries) > MAX_LINES:
            del self.entries[: len(self.entries) - MAX_LINES]
        self.write(render_line(line, self.lang))

    def rebuild(self) -> None:
        self.clear()
        for line in self.entries:
            self.write(render_line(line, self.lang))

    def has_seq(self, seq: int) -> bool:
        return any(line.seq == seq for line in self.entries)

    def plain(self) -> str:
        """The transcript as plain text (tests, copying)."""
        return "\n".join(render_line(line, self.lang).plain for line in self.entries)
