"""The supervisors' persistent alert for calls for help: one line, shown while any call
is open (the oldest first, how many more), until a supervisor takes it (ctrl+x)."""

from __future__ import annotations

from typing import Any

from textual.content import Content
from textual.widgets import Static

from console1712.domain.text import one_line
from console1712.domain.vocabulary import BRUSSELS
from console1712.i18n import t
from console1712.widgets.transcript import parse_at


class HelpAlerts(Static):
    """Hidden while no call is open."""

    DEFAULT_CSS = """
    HelpAlerts { height: 1; background: $error; color: $text; text-style: bold; padding: 0 1; }
    """

    def __init__(self, lang: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lang = lang
        self.requests: list[dict[str, Any]] = []
        self.display = False

    def show(self, requests: list[dict[str, Any]]) -> None:
        self.requests = [r for r in requests if isinstance(r, dict)]
        self.display = bool(self.requests)
        if not self.requests:
            self.update("")
            return
        first = self.requests[0]
        at = parse_at(str(first.get("at")))
        rings = first.get("rings")
        again = (
            t("help.alert.again", self.lang, n=rings)
            if isinstance(rings, int) and rings > 1
            else ""
        )
        text = t(
            "help.alert",
            self.lang,
            name=one_line(str(first.get("name") or first.get("counsellor") or ""))[:24],
            chat=one_line(str(first.get("chat", "")))[:16],
            time="--:--" if at is None else at.astimezone(BRUSSELS).strftime("%H:%M"),
            again=again,
        )
        if len(self.requests) > 1:
            text += t("help.alert.more", self.lang, n=len(self.requests) - 1)
        self.update(Content(t("help.alert.keys", self.lang) + text))

    @property
    def oldest(self) -> str | None:
        return str(self.requests[0].get("request")) if self.requests else None
