"""The supervisor's alert list (ctrl+a from any screen): each item says what needs them;
acting on it (approve a request, take over a chat, open the read-along) handles it. The
relay removes handled items; nothing here fades by itself. Nicknames are remote text."""

from __future__ import annotations

from typing import Any, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from console1712.domain.text import one_line, strip_controls
from console1712.i18n import t
from console1712.protocol import operations as req
from console1712.screens.dialogs import ConfirmScreen
from console1712.screens.supervisor import (
    DisclosureScreen,
    ReadAlongScreen,
    ask,
    minutes_since,
    region_name,
)
from console1712.widgets.supervisor_events import AlertsChanged


def alert_row(item: dict[str, Any], now: Any, lang: str) -> Content:
    kind = str(item.get("kind"))
    try:
        name = t(f"alerts.name.{kind}", lang)
    except KeyError:
        name = one_line(kind)[:20]
    region = item.get("region")
    minutes = minutes_since(item.get("since") if isinstance(item.get("since"), str) else None, now)
    text = t(
        "alerts.row",
        lang,
        kind=name,
        who=one_line(strip_controls(str(item.get("nickname") or "—")))[:24],
        region=region_name(region, lang) if isinstance(region, str) else "—",
        minutes=0 if minutes is None else minutes,
    )
    return Content(text)


async def take_over(app: Any, chat: str, lang: str) -> bool:
    """Ask the relay to make this supervisor the chat's counsellor; notify either way."""
    reply = await ask(app, req.TakeOver(chat=chat))
    if reply is not None and reply.get("type") == "taken_over":
        app.notify(t("takeover.done", lang))
        return True
    code = "offline" if reply is None else one_line(str(reply.get("code")))[:40]
    app.notify(t("takeover.failed", lang, code=code), severity="error")
    return False


def takeover_question(counsellor: object, nickname: object, lang: str) -> Content:
    """Take over {counsellor}'s chat with {nickname}? Both names shown as plain text."""
    text = t(
        "takeover.confirm",
        lang,
        name=one_line(strip_controls(str(counsellor)))[:30],
        nickname=one_line(strip_controls(str(nickname or "—")))[:30],
    )
    return Content(text)


class AlertsScreen(ModalScreen[None]):
    """The open alerts; Enter acts on the highlighted one (a request: the disclosure list;
    an unanswered chatter: the read-along; a chat without counsellor or waiting: take it
    over), F2 takes its chat over."""

    ALERTS = True  # the app posts AlertsChanged here too
    BINDINGS = [
        Binding("f2", "take_over", "overnemen", id="sup.take_over"),
        Binding("escape,f10", "close", "terug", id="sup.close"),
    ]

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang
        self.items: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(t("alerts.title", self.lang)), classes="dialog-title")
            yield OptionList(id="alerts-list")
            yield Static(Content(t("alerts.keys", self.lang)), classes="dialog-keys")

    def on_mount(self) -> None:
        self.show(list(cast(Any, self.app).alert_items))
        self.query_one("#alerts-list", OptionList).focus()

    def on_alerts_changed(self, message: AlertsChanged) -> None:
        self.show(message.items)

    def show(self, items: list[dict[str, Any]]) -> None:
        self.items = items
        listing = self.query_one("#alerts-list", OptionList)
        listing.clear_options()
        now = cast(Any, self.app).clock.now()
        if not items:
            listing.add_option(Option(Content(t("alerts.none", self.lang)), disabled=True))
            return
        listing.add_options(
            [Option(alert_row(item, now, self.lang), id=str(i)) for i, item in enumerate(items)]
        )
        listing.highlighted = 0

    def _selected(self) -> dict[str, Any] | None:
        option = self.query_one("#alerts-list", OptionList).highlighted_option
        if option is None or option.disabled or option.id is None:
            return None
        return self.items[int(option.id)]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        item = self._selected()
        if item is None:
            return
        kind, chat = item.get("kind"), item.get("chat")
        if kind == "disclosure":
            self.dismiss(None)
            self.app.push_screen(DisclosureScreen(self.lang))
        elif kind == "help" and isinstance(item.get("request"), str):
            self.run_worker(self._answer_help(str(item["request"])), group="help-answer")
        elif kind == "reply" and isinstance(chat, str):
            self.dismiss(None)
            self.app.push_screen(ReadAlongScreen(chat, self.lang))
        else:
            self.action_take_over()

    async def _answer_help(self, request: str) -> None:
        """Take a counsellor's call for help: they are told who comes; read along opens."""
        reply = await ask(self.app, req.HelpAnswer(request=request))
        if reply is not None and reply.get("type") == "help_answered":
            self.dismiss(None)
            self.app.push_screen(ReadAlongScreen(str(reply.get("chat")), self.lang))

    def action_take_over(self) -> None:
        """Take the highlighted alert's chat over. A chat a colleague still has (an
        unanswered chatter, a call for help: the item names the counsellor) only after
        ctrl+y, as on the overview: the colleague loses it and the chatter sees you join."""
        item = self._selected()
        chat = item.get("chat") if item else None
        if item is None or not isinstance(chat, str):
            return

        async def run() -> None:
            if await take_over(self.app, chat, self.lang):
                self.dismiss(None)

        counsellor = item.get("counsellor")
        if not counsellor:
            self.run_worker(run(), exclusive=True, group="take-over")
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.run_worker(run(), exclusive=True, group="take-over")

        question = takeover_question(counsellor, item.get("nickname"), self.lang)
        self.app.push_screen(ConfirmScreen(question, self.lang), confirmed)

    def action_close(self) -> None:
        self.dismiss(None)
