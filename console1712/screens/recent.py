"""Recently ended chats (this shift, at most 12 hours): the counsellor's own, read-only,
to finish a registration or link a dossier. The relay audits every open of a transcript."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from console1712.domain.text import one_line, strip_controls
from console1712.domain.vocabulary import BRUSSELS
from console1712.i18n import has_text, t
from console1712.protocol import operations as req
from console1712.screens.base import ConsoleScreen, translate_footer
from console1712.widgets.transcript import Line, Transcript, parse_at

Frame = dict[str, Any]


def _time(at: object) -> str:
    when = parse_at(str(at))
    return "--:--" if when is None else when.astimezone(BRUSSELS).strftime("%H:%M")


def _footer(screen: ConsoleScreen, lang: str) -> None:
    def text(b: Binding) -> str | None:
        key = f"recent.key.{b.id}"
        return t(key, lang) if has_text(key) else None  # (F1 and others keep their own)

    translate_footer(screen, text)


class RecentScreen(ConsoleScreen):
    """The list; Enter opens one."""

    CSS_PATH = "registration.tcss"
    BINDINGS = [Binding("escape,f10", "close", "terug", id="close")]

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang
        self.chats: list[Frame] = []
        _footer(self, lang)

    def compose(self) -> ComposeResult:
        yield Static(Content(t("recent.title", self.lang)), classes="screen-title")
        yield OptionList(id="recent-list")
        yield Static("", id="recent-empty")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#recent-list", OptionList).focus()
        self.load()

    @work(exclusive=True, group="recent", exit_on_error=False)
    async def load(self) -> None:
        from console1712.screens.supervisor import ask

        reply = await ask(self.app, req.RecentChats())
        if reply is None or reply.get("type") != "recent_chats":
            code = "offline" if reply is None else str(reply.get("code"))
            self.show_empty(t("workspace.error", self.lang, code=one_line(code)[:40]))
            return
        self.show([c for c in reply.get("chats") or [] if isinstance(c, dict)])

    def show_empty(self, text: str) -> None:
        self.query_one("#recent-empty", Static).update(Content(text))

    def show(self, chats: list[Frame]) -> None:
        self.chats = chats
        options = []
        for chat in chats:
            status = chat.get("registration")
            mark = t(f"recent.reg.{status}", self.lang) if status in ("open", "done") else ""
            label = t(
                "recent.row",
                self.lang,
                time=_time(chat.get("ended_at")),
                name=one_line(str(chat.get("nickname", "")))[:30],
                mark=mark,
            )
            options.append(Option(Content(label), id=str(chat.get("chat"))))
        listing = self.query_one("#recent-list", OptionList)
        listing.clear_options()
        listing.add_options(options)
        if options:
            listing.highlighted = 0
        self.show_empty("" if chats else t("recent.none", self.lang))

    async def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        from console1712.screens.supervisor import ask

        event.stop()
        reply = await ask(self.app, req.RecentChatOpen(chat=event.option.id or ""))
        if reply is None or reply.get("type") != "recent_chat":
            code = "offline" if reply is None else str(reply.get("code"))
            self.notify(t("workspace.error", self.lang, code=one_line(code)[:40]))
            return

        def back(_: object) -> None:
            self.load()  # its registration may be done now

        self.app.push_screen(RecentChatScreen(reply, self.lang), back)

    def action_close(self) -> None:
        self.dismiss(None)


class RecentChatScreen(ConsoleScreen):
    """One ended chat, read-only: transcript and own notes; register it or link a dossier."""

    CSS_PATH = "registration.tcss"
    BINDINGS = [
        Binding("escape,f10", "close", "terug", id="close"),
        Binding("ctrl+e", "register", "registreren", id="register"),
        Binding("ctrl+d", "dossier", "dossier", id="dossier"),
    ]

    def __init__(self, frame: Frame, lang: str) -> None:
        super().__init__()
        self.frame = frame
        self.chat = str(frame.get("chat", ""))
        self.nickname = one_line(str(frame.get("nickname", "")))
        self.lang = lang
        self.transcript = Transcript(lang, id="recent-transcript")
        _footer(self, lang)

    def compose(self) -> ComposeResult:
        ended = _time(self.frame.get("ended_at"))
        title = t("recent.chat", self.lang, name=self.nickname, time=ended)
        yield Static(Content(title), classes="screen-title")
        yield self.transcript
        notes = strip_controls(str(self.frame.get("notes") or ""))
        lang = self.lang
        text = t("recent.notes", lang, text=notes) if notes else t("recent.no_notes", lang)
        yield Static(Content(text), id="recent-notes")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        for entry in self.frame.get("history") or []:
            if not isinstance(entry, dict):
                continue
            seq = entry.get("seq")
            self.transcript.add(
                Line(
                    "chatter" if entry.get("from") == "chatter" else "counsellor",
                    strip_controls(str(entry.get("text", ""))),
                    parse_at(str(entry.get("at"))),
                    seq if isinstance(seq, int) else None,
                )
            )

    def action_register(self) -> None:
        workspace = self.console.workspace
        if workspace is None:
            return
        channel = t("reg.channel.chat", self.lang)
        title = t("reg.title", self.lang, channel=channel, when=self.nickname)
        workspace.open_registration(self.chat, title)

    def action_dossier(self) -> None:
        from console1712.screens.dossier import DossierScreen

        role = self.console.workspace.role if self.console.workspace else "counsellor"
        self.app.push_screen(DossierScreen(self.lang, role, self.chat))

    def action_close(self) -> None:
        self.dismiss(None)
