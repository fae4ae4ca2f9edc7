"""One chat: a tab pane with transcript, input and a side panel with intake and state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static, TabbedContent, TabPane, Tabs, TextArea

from console1712.compat import tui
from console1712.domain.text import one_line, strip_controls
from console1712.i18n import t
from console1712.widgets.transcript import Line, Transcript, parse_at

MAX_LABEL = 14


@dataclass
class ChatState:
    """What the console knows about one of its chats."""

    chat: str
    intake: dict[str, Any] = field(default_factory=dict)
    unread: int = 0
    away: bool = False
    ended: str | None = None  # who ended it: chatter, counsellor, timeout
    attention: bool = False  # something happened while the tab was in the background
    watchers: list[str] = field(default_factory=list)  # supervisors reading along (aliases)
    waiting_since: datetime | None = None  # the chatter's first unanswered line
    waited: int | None = None  # whole minutes waited, once past reply_alert_s; else None

    @property
    def nickname(self) -> str:
        return one_line(str(self.intake.get("nickname") or "Anoniem"))

    @property
    def open(self) -> bool:
        return self.ended is None


def tab_label(state: ChatState, number: int, lang: str) -> Content:
    """`1 Nick (3) weg`: the number for the goto chord, unread count and away/ended mark."""
    parts: list[str | tuple[str, str]] = [(f"{number} ", "dim"), state.nickname[:MAX_LABEL]]
    if state.unread:
        parts.append((f" ({state.unread})", "bold"))
    if state.waited is not None and state.open:
        # The chatter waits for an answer: marked so that it stands out in the tab row.
        parts.append((" " + t("chat.mark.waiting", lang, n=state.waited), "bold reverse"))
    if state.ended:
        parts.append((" " + t("chat.mark.ended", lang), "italic"))
    elif state.away:
        parts.append((" " + t("chat.mark.away", lang), "italic"))
    if state.watchers:
        names = one_line(", ".join(state.watchers))[:MAX_LABEL]
        parts.append((" " + t("chat.mark.watched", lang, names=names), "italic"))
    return Content.assemble(*parts)


class ChatInput(TextArea):
    """The message input: Enter sends, the `newline` binding (ctrl+o) inserts a line break."""

    BINDINGS = [Binding("ctrl+o", "newline", "new line", show=False, id="newline")]

    class Send(Message):
        def __init__(self, chat_input: ChatInput, text: str) -> None:
            super().__init__()
            self.chat_input = chat_input
            self.text = text

    DEFAULT_CSS = """
    ChatInput { height: 4; border: tall $border-blurred; padding: 0 1; }
    ChatInput:focus { border: tall $border; }
    """

    def __init__(self, chat: str, *, id: str | None = None) -> None:
        super().__init__(
            id=id, soft_wrap=True, show_line_numbers=False, tab_behavior="focus", compact=False
        )
        self.chat = chat
        # A steady cursor: a blinking one redraws twice a second over SSH for the whole
        # shift (and made snapshots depend on the moment they were taken).
        self.cursor_blink = False

    async def on_key(self, event: events.Key) -> None:
        # Runs before TextArea's own key handler, which prevent_default() skips.
        if event.key == "enter":
            event.prevent_default()
            event.stop()
            text = self.text.strip("\n")
            if text.strip():
                # Emptied at once: keys typed after Enter (a burst) start the next message;
                # the workspace gives the text back if it cannot be sent.
                self.clear()
                self.post_message(self.Send(self, text))
            return
        if any(b.action == "newline" for b in tui.key_bindings(self).get(event.key, ())):
            # At once, in order with the typed characters: as a binding it would run only
            # after the key bubbled up, behind the rest of a burst ("x1 ctrl+o x2 Enter").
            event.prevent_default()
            event.stop()
            self.action_newline()

    def action_newline(self) -> None:
        self.insert("\n")

    def give_back(self, text: str) -> None:
        """A message that was not sent returns to the input, before anything typed since."""
        self.insert(text + "\n" if self.text else text, location=(0, 0))


class SidePanel(Static):
    """Intake and chat state, as data (Content), never markup."""

    DEFAULT_CSS = """
    SidePanel { width: 19; height: 1fr; padding: 0 1; border-left: solid $border-blurred; }
    """


def side_content(state: ChatState, lang: str, typing: bool = False) -> Content:
    intake = state.intake
    rows: list[str | tuple[str, str]] = [(t("chat.intake", lang) + "\n", "bold")]

    def row(label_key: str, value: str) -> None:
        rows.append((t(label_key, lang) + "\n", "dim"))
        rows.append(value + "\n")

    row("chat.nickname", state.nickname[:40])
    age = intake.get("age")
    row("chat.age", str(age) if isinstance(age, int) else "?")
    gender = intake.get("gender")
    row("chat.gender", one_line(gender)[:40] if isinstance(gender, str) and gender else "?")
    region = intake.get("region")
    region_text = "?"
    if isinstance(region, str) and region:
        try:
            region_text = t(f"region.{region}", lang)
        except KeyError:
            region_text = one_line(region)
    row("chat.region", region_text)
    if state.ended:
        status = t("chat.state.ended", lang)
    elif state.away:
        status = t("chat.state.away", lang)
    else:
        status = t("chat.state.open", lang)
    rows.append((t("chat.state", lang) + "\n", "dim"))
    rows.append((status, "bold"))
    if state.watchers:
        names = one_line(", ".join(state.watchers))[:40]
        rows.append(("\n" + t("chat.mark.watched", lang, names=names), "italic"))
    if typing and state.open:
        rows.append(("\n" + t("chat.typing", lang), "italic"))
    return Content.assemble(*rows)


class SearchBar(Input):
    """ctrl+f in a chat: type to find; Enter next hit, shift+Enter previous, Esc back."""

    class Step(Message):
        def __init__(self, bar: SearchBar, step: int) -> None:
            super().__init__()
            self.bar = bar
            self.step = step

    class Close(Message):
        def __init__(self, bar: SearchBar) -> None:
            super().__init__()
            self.bar = bar

    async def on_key(self, event: events.Key) -> None:
        # Runs before Input's own key handler, which prevent_default() skips.
        if event.key in ("enter", "shift+enter", "escape"):
            event.prevent_default()
            event.stop()
            if event.key == "escape":
                self.post_message(self.Close(self))
            else:
                self.post_message(self.Step(self, -1 if event.key == "shift+enter" else 1))


class ChatTabs(TabbedContent):
    """The chat tabs. TabbedContent switches tabs on two messages that can arrive late: the
    first tab added announces itself once mounted (`Tabs.TabActivated`), and a pane whose
    widget got focus says so (`TabPane.Focused`). When two chats open in one burst, the
    other chat has been brought to the front by then; switching back would hide the input
    that has the keys (its focus is dropped, and the keys typed next with it)."""

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        if event.tab.id != event.tabs.active:
            event.prevent_default()  # stale: TabbedContent's own handler does not run
            event.stop()

    def on_tab_pane_focused(self, event: TabPane.Focused) -> None:
        focused = self.screen.focused
        if focused is None or event.tab_pane not in focused.ancestors_with_self:
            event.prevent_default()  # the focus has moved on since: stale
            event.stop()


class ChatPane(TabPane):
    """The pane of one chat; it owns its transcript, input and side panel."""

    DEFAULT_CSS = """
    ChatPane { padding: 0; }
    ChatPane > Horizontal { height: 1fr; }
    ChatPane .chat-main { width: 1fr; }
    ChatPane .new-marker { height: 1; display: none; text-align: right; padding: 0 1;
        background: $panel; text-style: bold; }
    ChatPane .search-row { height: 1; display: none; }
    ChatPane .search-row SearchBar { width: 1fr; }
    ChatPane .search-info { width: auto; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, state: ChatState, number: int, lang: str) -> None:
        super().__init__(tab_label(state, number, lang), id=pane_id(state.chat))
        self.state = state
        self.lang = lang
        self.typing = False
        self.typing_sent: float | None = None  # when we last sent `typing` (monotonic)
        self.transcript = Transcript(lang)
        self.input = ChatInput(state.chat)
        self.side = SidePanel(side_content(state, lang))
        self.marker = Static("", classes="new-marker")
        self.search_bar = SearchBar(
            placeholder=t("chat.search", lang), compact=True, classes="search-bar"
        )
        self.search_info = Static("", classes="search-info")

    def compose(self) -> ComposeResult:
        with Horizontal():
            with Vertical(classes="chat-main"):
                yield self.transcript
                yield self.marker
                with Horizontal(classes="search-row"):
                    yield self.search_bar
                    yield self.search_info
                yield self.input
            yield self.side

    # -- reading back --------------------------------------------------------------------

    def on_transcript_unseen(self, message: Transcript.Unseen) -> None:
        count = message.count
        self.marker.display = count > 0
        if count:
            key = "chat.new_below_one" if count == 1 else "chat.new_below"
            self.marker.update(Content(t(key, self.lang, n=count)))

    def open_search(self) -> None:
        self.query_one(".search-row").display = True
        self.search_bar.focus()
        if self.search_bar.value:
            self._search(0)

    def close_search(self) -> None:
        self.query_one(".search-row").display = False
        self.transcript.end_search()
        self.input.focus()

    def _search(self, step: int) -> None:
        found = self.transcript.search(self.search_bar.value, step)
        text = self.search_bar.value.strip()
        if not text:
            info = ""
        elif not found:
            info = t("chat.search_none", self.lang)
        else:
            needle = self.transcript.search_text.casefold()
            hits = [i for i, e in enumerate(self.transcript.entries) if needle in e.text.casefold()]
            hit = self.transcript.hit
            info = t(
                "chat.search_hit",
                self.lang,
                n=hits.index(hit) + 1 if hit in hits else 0,
                total=len(hits),
            )
        self.search_info.update(Content(info))

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input is self.search_bar:
            event.stop()
            self._search(0)

    def on_search_bar_step(self, message: SearchBar.Step) -> None:
        message.stop()
        self._search(message.step)

    def on_search_bar_close(self, message: SearchBar.Close) -> None:
        message.stop()
        self.close_search()

    # -- model updates -------------------------------------------------------------------

    def load_history(
        self, history: list[dict[str, Any]], pending: list[Line], own: str | None = None
    ) -> None:
        """Show the full history from the relay, then our messages still waiting for an ack;
        lines of a colleague (before a transfer) name them, ours (alias `own`) do not."""
        self.transcript.replace([*history_lines(history, own), *pending])

    def add_remote(self, seq: int, sender: str, text: str, at: str) -> bool:
        """A new message from the relay; False when this seq is already shown."""
        if seq and self.transcript.has_seq(seq):
            return False
        role = "chatter" if sender == "chatter" else "counsellor"
        self.transcript.add(Line(role, strip_controls(text), parse_at(at), seq or None))
        if self.typing:  # the message ends the typing hint; otherwise the panel is unchanged
            self.typing = False
            self.refresh_side()
        return True

    def add_own(self, text: str, msg_id: str, at_now: Any) -> None:
        self.transcript.add(Line("me", text, at_now, None, msg_id))

    def acknowledge(self, msg_id: str, seq: int) -> None:
        """Our message is stored: mark it (one line re-rendered), or drop it if shown twice."""
        self.transcript.acknowledge(msg_id, seq)

    def pending_lines(self) -> list[Line]:
        return self.transcript.pending_lines()

    def notice(self, text: str, at: Any) -> None:
        self.transcript.add(Line("system", text, at))

    def refresh_side(self) -> None:
        self.side.update(side_content(self.state, self.lang, self.typing))


def history_lines(history: list[dict[str, Any]], own: str | None = None) -> list[Line]:
    """Transcript lines for history items from the relay (each seq once, text cleaned)."""
    lines: list[Line] = []
    seen: set[int] = set()
    for item in history:
        seq = item.get("seq")
        if not isinstance(seq, int) or seq in seen:
            continue
        seen.add(seq)
        sender = "chatter" if item.get("from") == "chatter" else "counsellor"
        text = strip_controls(str(item.get("text", "")))
        name = item.get("name")
        line = Line(sender, text, parse_at(str(item.get("at"))), seq)
        if isinstance(name, str) and name and sender == "counsellor" and name != own:
            line.name = one_line(name)[:40]
        lines.append(line)
    return lines


def pane_id(chat: str) -> str:
    """A widget id for a chat id (ids may hold only letters, digits, - and _)."""
    return "chat-" + "".join(c if c.isalnum() or c in "-_" else "_" for c in chat)
