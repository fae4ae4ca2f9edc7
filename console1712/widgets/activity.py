"""The activity line: on every screen but the workspace, unread messages per chat tab and the
number waiting in the queue, so that no chatter is missed while mail or a dialog is open."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import Static

from console1712.i18n import t

MAX_NICK = 10


def activity_content(
    tabs: Sequence[tuple[int, str, int, bool]], waiting: int, lang: str
) -> Content:
    """`Chats: 1 Mila (2) · 2 Sam ⏱ · wachtrij 3 · F9 naar chat`; nicknames are data."""
    parts: list[str | tuple[str, str]] = [(t("activity.chats", lang) + " ", "bold")]
    if not tabs:
        parts.append((t("activity.none", lang), "dim"))
    for i, (number, nickname, unread, waits) in enumerate(tabs):
        if i:
            parts.append(" · ")
        parts.append((f"{number} ", "dim"))
        parts.append(nickname[:MAX_NICK])
        if unread:
            parts.append((f" ({unread})", "bold reverse"))
        if waits:
            parts.append((" ⏱", "bold"))
    parts.append(" · ")
    queue_style = "bold reverse" if waiting else ""
    parts.append((t("activity.queue", lang, n=waiting), queue_style))
    parts.append((" · " + t("activity.jump", lang), "dim"))
    return Content.assemble(*parts)


class ActivityLine(Static):
    """One row at the top of a screen or dialog (the bottom holds the footer); the app updates
    every one of them."""

    DEFAULT_CSS = """
    ActivityLine {
        dock: top; height: 1; width: 100%; background: $panel; color: $foreground;
        padding: 0 1;
    }
    """

    def __init__(self, content: Content) -> None:
        super().__init__(content, classes="activity-line")
        self.shown = content

    def show(self, content: Content) -> None:
        if content != self.shown:
            self.shown = content
            self.update(content)
