"""The supervisor's alert line, on every console screen: one line counting what needs them
(open disclosure requests, chats left by a counsellor, unanswered chatters, a long queue).
It shows counts and a key only, never remote text; it is hidden while nothing needs them."""

from __future__ import annotations

from collections import Counter
from typing import Any

from textual.content import Content
from textual.widgets import Static

from console1712.i18n import t

# The order of the counts on the line; a kind not listed here is counted under "other".
ORDER = ("disclosure", "help", "orphaned", "returned", "reply", "queue")


def alert_summary(items: list[dict[str, Any]], lang: str) -> str:
    """The alert line's text for these items ("" when there are none)."""
    if not items:
        return ""
    counts = Counter(str(i.get("kind")) for i in items)
    parts = [t(f"alerts.kind.{kind}", lang, n=counts[kind]) for kind in ORDER if counts.get(kind)]
    other = sum(n for kind, n in counts.items() if kind not in ORDER)
    if other:
        parts.append(t("alerts.kind.other", lang, n=other))
    return t("alerts.line", lang, parts=" · ".join(parts))


class AlertLine(Static):
    """One line of alert counts; `show(items)` redraws it."""

    DEFAULT_CSS = """
    AlertLine {
        height: 1;
        padding: 0 1;
        background: $warning;
        color: $text;
        text-style: bold;
    }
    """

    def __init__(self, lang: str, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.lang = lang
        self.text = ""

    def show(self, items: list[dict[str, Any]]) -> None:
        self.text = alert_summary(items, self.lang)
        self.display = bool(self.text)
        self.update(Content(self.text))
