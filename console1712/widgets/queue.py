"""The queue panel: who is waiting, with intake and minutes waiting; own region marked."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from console1712.clock import from_rfc3339
from console1712.domain.text import one_line
from console1712.i18n import t

Entry = dict[str, Any]
ROW = 21  # characters in a queue row: the panel is 24 wide, minus border and padding


def minutes_waiting(since: Any, now: datetime) -> int:
    try:
        started = from_rfc3339(str(since))
    except (ValueError, TypeError):
        return 0
    return max(0, int((now - started).total_seconds() // 60))


def cut(text: str, width: int) -> str:
    """One row of at most `width` characters, cut with an ellipsis."""
    return text if len(text) <= width else text[: max(0, width - 1)].rstrip() + "…"


def nicknames(entries: list[Entry]) -> list[str]:
    """Nicknames told apart in queue order: "Anoniem", "Anoniem (2)", ..."""
    seen: dict[str, int] = {}
    names = []
    for entry in entries:
        name = one_line(str(entry.get("nickname") or "Anoniem")).strip() or "Anoniem"
        seen[name.casefold()] = count = seen.get(name.casefold(), 0) + 1
        names.append(name if count == 1 else f"{name} ({count})")
    return names


def entry_content(
    entry: Entry, now: datetime, team: str | None, lang: str, name: str | None = None
) -> Content:
    """Rows for one waiting chatter; nickname, gender and first line are data, never markup."""
    region = entry.get("region")
    own = team is not None and region == team
    wait = t("queue.minutes", lang, n=minutes_waiting(entry.get("since"), now))
    shown = name if name is not None else one_line(str(entry.get("nickname") or "Anoniem"))
    room = ROW - 3 - len(wait)
    if len(shown) > room and shown.endswith(")") and " (" in shown:
        # Keep the "(2)" that tells two chatters apart; cut the name before it.
        base, number = shown.rsplit(" (", 1)
        shown = cut(base, room - len(number) - 2) + f" ({number}"
    nickname = cut(shown, room)
    facts = []
    returned = entry.get("returned") is True  # a counsellor left it: first in the queue
    if returned:
        facts.append(t("queue.returned", lang))
    age = entry.get("age")
    if isinstance(age, int) and not isinstance(age, bool):
        facts.append(t("queue.age", lang, n=age))
    gender = entry.get("gender")
    if isinstance(gender, str) and gender:
        facts.append(one_line(gender)[:7])
    if isinstance(region, str) and region:
        try:
            facts.append(t(f"region_short.{region}", lang))
        except KeyError:
            facts.append(one_line(region)[:6])
    gap = " " * max(1, ROW - 2 - len(nickname) - len(wait))
    parts: list[str | tuple[str, str]] = [
        ("↩ " if returned else "★ " if own else "  ", "bold"),
        (nickname, "bold"),
        gap,
        wait,
        "\n  ",
        ((", ".join(facts) or "?")[: ROW - 2], "dim"),
    ]
    first = entry.get("first")
    if isinstance(first, str) and one_line(first).strip():
        # What they wrote while waiting, one cleaned row: helps to choose who goes first.
        parts += ["\n  ", (cut("“" + " ".join(one_line(first).split()) + "”", ROW - 2), "italic")]
    return Content.assemble(*parts)


class QueueList(OptionList):
    """The waiting chats in queue order; the highlighted one is what F2 accepts."""

    DEFAULT_CSS = """
    QueueList { height: 1fr; border: none; padding: 0; }
    """

    def __init__(self, lang: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lang = lang
        self.entries: list[Entry] = []
        self.team: str | None = None
        self._rendered: list[Content] = []

    def show(self, entries: list[Entry], now: datetime) -> None:
        """Replace the list, keeping the highlight on the same chat where possible."""
        self.entries = entries
        self.refresh_ages(now, force=True)

    def refresh_ages(self, now: datetime, *, force: bool = False) -> None:
        names = nicknames(self.entries)
        rendered = [
            entry_content(e, now, self.team, self.lang, name)
            for e, name in zip(self.entries, names, strict=True)
        ]
        if not force and rendered == self._rendered:
            return  # nothing visible changed: send nothing to the terminal
        self._rendered = rendered
        selected = self.selected_chat()
        self.clear_options()
        if not self.entries:
            self.add_option(Option(Content(t("queue.empty", self.lang)), disabled=True))
            return
        self.add_options(
            Option(content, id=str(e.get("chat")))
            for e, content in zip(self.entries, rendered, strict=True)
        )
        ids = [str(e.get("chat")) for e in self.entries]
        self.highlighted = ids.index(selected) if selected in ids else 0

    def selected_chat(self) -> str | None:
        if not self.entries or self.highlighted is None:
            return None
        if 0 <= self.highlighted < len(self.entries):
            return str(self.entries[self.highlighted].get("chat"))
        return None
