"""Supervision screens (issue 7): the live overview, reading along with a private note,
emergency disclosure decisions, and the counsellor's phone-contact and disclosure dialogs.

The overview is fed by `monitor` frames the relay pushes (at most one a second, only when
something changed); this screen never polls. Waiting minutes are redrawn locally from the
`since` times. Chat text and names are remote text: shown as Content/Text, never markup.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Input, OptionList, Select, Sparkline, Static
from textual.widgets.option_list import Option

from console1712.clock import from_rfc3339
from console1712.domain.stats import AGE_BANDS, GENDERS, UNKNOWN
from console1712.domain.text import one_line, strip_controls
from console1712.domain.themes import label as theme_label
from console1712.domain.themes import taxonomy
from console1712.domain.vocabulary import BRUSSELS, REGIONS
from console1712.i18n import error_text, t
from console1712.i18n.supervision import TEXTS
from console1712.protocol import operations as req
from console1712.screens.base import ConsoleModal, ConsoleScreen, translate_footer
from console1712.screens.dialogs import ConfirmScreen, PickScreen
from console1712.widgets.events import ConnectionChanged
from console1712.widgets.help_alerts import HelpAlerts
from console1712.widgets.registration_events import ChatNotesChanged, HelpRequests
from console1712.widgets.supervisor_events import (
    DisclosurePending,
    MonitorUpdated,
    ReadAlongEnded,
    ReadAlongMessage,
)
from console1712.widgets.transcript import Line, Transcript, parse_at

if TYPE_CHECKING:
    from console1712.app import ConsoleApp

WAIT = 10.0
CLOCK_REDRAW = 15.0  # seconds between local redraws of the waiting minutes


def _translated(screen: Screen[Any], lang: str) -> None:
    translate_footer(
        screen,
        lambda b: (
            t(f"supkey.{b.id}", lang) if b.id and b.show and f"supkey.{b.id}" in TEXTS else None
        ),
    )


async def ask(app: Any, frame: dict[str, Any] | req.OpRequest) -> dict[str, Any] | None:
    """One request to the relay; None when there is no link or no answer in time."""
    client = cast("ConsoleApp", app).client
    return None if client is None else await client.request(frame, wait=WAIT)


def minutes_since(since: str | None, now: datetime) -> int | None:
    if not since:
        return None
    try:
        return max(0, int((now - from_rfc3339(since)).total_seconds() // 60))
    except ValueError:
        return None


def region_name(region: str, lang: str) -> str:
    return t("sup.region.unknown", lang) if region == UNKNOWN else t(f"region.{region}", lang)


def regions_content(frame: dict[str, Any], now: datetime, lang: str) -> Content:
    lines: list[str | tuple[str, str]] = [(t("sup.regions", lang) + "\n", "bold")]
    for entry in frame.get("regions") or []:
        region = str(entry.get("region") or UNKNOWN)
        waiting = int(entry.get("waiting") or 0)
        minutes = minutes_since(entry.get("since"), now)
        longest = "" if minutes is None else t("sup.minutes", lang, n=minutes)
        row = f"{region_name(region, lang)[:15]:<15}{waiting:>8}  {longest}\n"
        lines.append((row, "bold") if waiting else row)
    return Content.assemble(*lines)


def today_content(frame: dict[str, Any], lang: str) -> Content:
    today = frame.get("today") or {}
    median = today.get("median_wait")
    value = "—" if median is None else f"{int(median) // 60}:{int(median) % 60:02d}"
    mail = frame.get("mail")
    mail_line = (
        t("sup.mail.none", lang)
        if not isinstance(mail, dict)
        else t("sup.mail", lang, due=mail.get("due_today", 0), overdue=mail.get("overdue", 0))
    )
    return Content.assemble(
        (t("sup.today", lang) + "\n", "bold"),
        t("sup.started", lang, n=today.get("started", 0)) + "\n",
        t("sup.answered", lang, n=today.get("answered", 0)) + "\n",
        t("sup.abandoned", lang, n=today.get("abandoned", 0)) + "\n",
        t("sup.median", lang, value=value) + "\n",
        mail_line,
    )


def chat_row(entry: dict[str, Any], now: datetime, lang: str) -> Content:
    """A live chat: counsellor, chatter nickname, region, duration, time since the last
    answer (names are remote text: cleaned, shown as Content)."""
    region = entry.get("region")
    answered = entry.get("answered")
    ago = minutes_since(answered if isinstance(answered, str) else None, now)
    answer = t("sup.answer.never", lang) if ago is None else t("sup.answer.ago", lang, n=ago)
    minutes = minutes_since(str(entry.get("since") or ""), now)
    text = t(
        "sup.chat.row2",
        lang,
        name=one_line(strip_controls(str(entry.get("name") or entry.get("counsellor") or "")))[:16],
        nickname=one_line(strip_controls(str(entry.get("nickname") or "—")))[:16],
        region=region_name(region, lang) if isinstance(region, str) else "—",
        minutes=0 if minutes is None else minutes,
        answer=answer,
        readers=" · 👁" if entry.get("readers") else "",
    )
    return Content(text)


def staff_content(frame: dict[str, Any], lang: str) -> Content:
    lines: list[str | tuple[str, str]] = [(t("sup.staff", lang) + "\n", "bold")]
    staff = frame.get("staff") or []
    if not staff:
        lines.append(t("sup.staff.none", lang))
    for entry in staff[:8]:
        status = t(f"status.{entry.get('status', 'available')}", lang)
        name = one_line(strip_controls(str(entry.get("name") or entry.get("user") or "")))[:20]
        cap = entry.get("cap")
        n = entry.get("chats", 0)
        if isinstance(cap, int) and cap > 0:  # load against the cap, when one is set
            lines.append(t("sup.staff.row_cap", lang, name=name, status=status, n=n, cap=cap))
        else:
            lines.append(t("sup.staff.row", lang, name=name, status=status, n=n))
        lines.append("\n")
    return Content.assemble(*lines)


class SupervisorScreen(ConsoleScreen):
    """The live overview for supervisors (role supervisor)."""

    CSS_PATH = "supervisor.tcss"
    SUPERVISION = True  # the app routes supervision frames here
    BINDINGS = [
        Binding("f2", "read_along", "meekijken", id="sup.read_along"),
        Binding("f3", "disclosures", "vrijgave", id="sup.disclosures"),
        Binding("f4", "take_over", "overnemen", id="sup.take_over"),
        Binding("f5", "reassign", "toewijzen", id="sup.reassign"),
        Binding("f6", "blocks", "blokkeringen", id="sup.blocks"),
        Binding("escape,f10", "close", "terug", id="sup.close"),
        Binding("ctrl+x", "help_take", "hulpvraag", show=False, id="sup.help_take"),
    ]

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang
        self.frame: dict[str, Any] = {}
        self._counts: list[dict[str, Any]] = []  # open registrations per counsellor
        self.updates = 0  # monitor frames shown (tests)
        _translated(self, lang)

    def compose(self) -> ComposeResult:
        lang = self.lang
        yield Static(Content(t("sup.title", lang)), id="sup-title")
        with Horizontal(id="sup-main"):
            with Vertical(id="sup-left"):
                yield Static(id="sup-regions")
                yield Static(id="sup-today")
            with Vertical(id="sup-right"):
                yield Static(id="sup-staff")
                yield Static(id="sup-registrations")
                yield Static(Content(t("sup.chats", lang)), id="sup-chats-title")
                yield OptionList(id="sup-chats")
        yield Static(id="sup-chart-title")
        yield Sparkline([], id="sup-chart")
        yield HelpAlerts(lang, id="help-alerts")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        workspace = self.console.workspace
        if workspace is not None:  # calls for help already open stay in sight here
            self.query_one("#help-alerts", HelpAlerts).show(workspace.help_alerts.requests)
        self.set_interval(CLOCK_REDRAW, self._redraw_clock)
        self.set_interval(CLOCK_REDRAW, self.registration_counts)
        self.registration_counts()
        self.query_one("#sup-chats", OptionList).focus()
        self.subscribe()

    @work(exclusive=True, group="monitor", exit_on_error=False)
    async def subscribe(self) -> None:
        reply = await ask(self.app, req.MonitorSubscribe())
        if reply is None or reply.get("type") != "monitor":
            self.notify(t("sup.offline", self.lang), severity="error")
            return
        self.show(reply)

    def on_connection_changed(self, message: ConnectionChanged) -> None:
        # A new link is a new subscription: the relay forgets subscribers that went away.
        if message.state == "connected":
            self.subscribe()

    def on_monitor_updated(self, message: MonitorUpdated) -> None:
        self.show(message.frame)

    def on_disclosure_pending(self, message: DisclosurePending) -> None:
        self.notify(t("sup.pending", self.lang))

    @work(exclusive=True, group="registration-counts", exit_on_error=False)
    async def registration_counts(self) -> None:
        """Open registrations per counsellor of the team (polled: they change slowly)."""
        reply = await ask(self.app, req.RegistrationCounts())
        if reply is None or reply.get("type") != "registration_counts":
            return
        self._counts = [c for c in reply.get("counts") or [] if isinstance(c, dict)]
        self._show_counts()

    def _show_counts(self) -> None:
        names = {
            str(e.get("user")): str(e.get("name") or e.get("user"))
            for e in self.frame.get("staff") or []
            if isinstance(e, dict)
        }
        counts = self._counts
        parts = [
            f"{one_line(names.get(str(c.get('user')), str(c.get('user'))))[:20]} {c.get('open')}"
            for c in counts
        ]
        text = t("reg.sup.counts", self.lang, counts=", ".join(parts)) if parts else ""
        self.query_one("#sup-registrations", Static).update(Content(text))

    def on_help_requests(self, message: HelpRequests) -> None:
        self.query_one("#help-alerts", HelpAlerts).show(message.requests)

    async def action_help_take(self) -> None:
        """Take the oldest call for help (the workspace keeps the same list)."""
        if self.console.workspace is not None:
            await self.console.workspace.action_help_request()

    def show(self, frame: dict[str, Any]) -> None:
        self.frame = frame
        self.updates += 1
        lang = self.lang
        self._redraw_clock()
        self.query_one("#sup-today", Static).update(today_content(frame, lang))
        self.query_one("#sup-staff", Static).update(staff_content(frame, lang))
        self._show_counts()  # display names come with the monitor frame
        chats = self.query_one("#sup-chats", OptionList)
        highlighted = chats.highlighted_option.id if chats.highlighted_option else None
        chats.clear_options()
        now = self.console.clock.now()
        options = [
            Option(chat_row(entry, now, lang), id=str(entry.get("chat")))
            for entry in frame.get("chats") or []
        ]
        if options:
            chats.add_options(options)
            ids = [o.id for o in options]
            chats.highlighted = ids.index(highlighted) if highlighted in ids else 0
        else:
            chats.add_option(Option(Content(t("sup.chats.none", lang)), disabled=True))
        history = [int(v) for v in frame.get("queue_history") or [] if isinstance(v, int)]
        self.query_one("#sup-chart", Sparkline).data = history or [0]
        peak = frame.get("queue_max")
        hours = frame.get("history_hours")
        self.query_one("#sup-chart-title", Static).update(
            Content(
                t(
                    "sup.chart1",
                    lang,
                    hours=hours if isinstance(hours, int) else 1,
                    max=peak if isinstance(peak, int) else max(history or [0]),
                )
            )
        )

    def _redraw_clock(self) -> None:
        if self.frame:
            now = self.console.clock.now()
            self.query_one("#sup-regions", Static).update(
                regions_content(self.frame, now, self.lang)
            )

    def region_text(self) -> str:
        """The regions block as plain text (tests)."""
        return str(regions_content(self.frame, self.console.clock.now(), self.lang).plain)

    def action_read_along(self) -> None:
        chats = self.query_one("#sup-chats", OptionList)
        option = chats.highlighted_option
        if option is None or option.disabled or not option.id:
            self.notify(t("sup.no_chat", self.lang))
            return
        self.app.push_screen(ReadAlongScreen(option.id, self.lang))

    def action_disclosures(self) -> None:
        self.app.push_screen(DisclosureScreen(self.lang))

    def _chat(self) -> str | None:
        option = self.query_one("#sup-chats", OptionList).highlighted_option
        if option is None or option.disabled or not option.id:
            self.notify(t("sup.no_chat", self.lang))
            return None
        return option.id

    async def action_take_over(self) -> None:
        """Become the highlighted chat's counsellor: it opens as a tab in the workspace. A
        colleague's chat only after ctrl+y (one key must not take a conversation from a
        colleague, and the chatter sees the supervisor join)."""
        chat = self._chat()
        if chat is None:
            return
        from console1712.screens.alerts import take_over, takeover_question

        chats: list[dict[str, Any]] = self.frame.get("chats") or []
        entry: dict[str, Any] = next((e for e in chats if str(e.get("chat")) == chat), {})
        workspace = cast(Any, self.app).workspace
        own = workspace.session.get("user") if workspace is not None else None
        counsellor = entry.get("counsellor")
        if not counsellor or counsellor == own:
            await take_over(self.app, chat, self.lang)
            return

        async def confirmed(yes: bool | None) -> None:
            if yes:
                await take_over(self.app, chat, self.lang)

        question = takeover_question(
            entry.get("name") or counsellor, entry.get("nickname"), self.lang
        )
        self.app.push_screen(ConfirmScreen(question, self.lang), confirmed)

    async def action_reassign(self) -> None:
        """Give the highlighted chat to a logged-in colleague."""
        chat = self._chat()
        if chat is None:
            return
        colleagues = await self.console.colleagues()
        items = [(user, Content(one_line(strip_controls(alias)))) for user, alias in colleagues]

        async def chosen(user: str | None) -> None:
            if not user:
                return
            reply = await ask(self.app, req.Reassign(chat=chat, to=user))
            if reply is not None and reply.get("type") == "reassigned":
                self.notify(t("reassign.done", self.lang))
            else:
                code = "offline" if reply is None else one_line(str(reply.get("code")))[:40]
                self.notify(t("reassign.failed", self.lang, code=code), severity="error")

        self.app.push_screen(
            PickScreen(t("reassign.title", self.lang), items, self.lang, free_text="login"),
            chosen,
        )

    async def action_blocks(self) -> None:
        """Supervisors: the running blocks (remaining time, reason, by whom); lift one."""
        reply = await ask(self.app, req.Blocks())
        if reply is None or reply.get("type") != "blocks":
            code = "offline" if reply is None else reply.get("code")
            self.notify(error_text(code, self.lang), severity="error")
            return
        found = [b for b in reply.get("blocks") or [] if isinstance(b, dict)]
        if not found:
            self.notify(t("blocks.none", self.lang))
            return
        items = [(str(b.get("block")), Content(self._block_row(b))) for b in found]

        def chosen(block: str | None) -> None:
            if not block:
                return

            async def confirmed(yes: bool | None) -> None:
                if not yes:
                    return
                answer = await ask(self.app, req.BlockLift(block=block))
                if answer is not None and answer.get("type") == "block_lifted":
                    self.notify(t("blocks.lifted", self.lang))
                else:
                    code = "offline" if answer is None else answer.get("code")
                    self.notify(error_text(code, self.lang), severity="error")

            question = Content(t("blocks.confirm", self.lang))
            self.app.push_screen(ConfirmScreen(question, self.lang), confirmed)

        self.app.push_screen(PickScreen(t("blocks.title", self.lang), items, self.lang), chosen)

    def _block_row(self, block: dict[str, Any]) -> str:
        remaining = block.get("remaining_s")
        hours = max(0, remaining) // 3600 if isinstance(remaining, int) else 0
        left = t("blocks.hours", self.lang, n=hours) if hours else t("blocks.under_hour", self.lang)
        reason = one_line(str(block.get("reason") or ""))[:80] or "?"
        return t(
            "blocks.row", self.lang, left=left, reason=reason, by=one_line(str(block.get("by")))
        )

    def action_close(self) -> None:
        self.run_worker(ask(self.app, req.MonitorUnsubscribe()))
        self.dismiss(None)


class ReadAlongScreen(ConsoleScreen):
    """One chat, read-only, live; a private note goes to its counsellor only."""

    CSS_PATH = "supervisor.tcss"
    SUPERVISION = True
    BINDINGS = [Binding("escape,f10", "close", "terug", id="sup.close")]

    def __init__(self, chat: str, lang: str) -> None:
        super().__init__()
        self.chat = chat
        self.lang = lang
        self.transcript = Transcript(lang, id="readalong-transcript")
        _translated(self, lang)

    def compose(self) -> ComposeResult:
        yield Static(Content(t("readalong.title", self.lang, name="…")), id="readalong-title")
        yield self.transcript
        yield Input(placeholder=t("readalong.note", self.lang), max_length=2000, id="note-input")
        yield Static(Content(t("readalong.keys", self.lang)), id="readalong-keys")

    def on_mount(self) -> None:
        self.query_one("#note-input", Input).focus()
        self.start()

    @work(exclusive=True, group="read-along", exit_on_error=False)
    async def start(self) -> None:
        reply = await ask(self.app, req.ReadAlong(chat=self.chat))
        if reply is None or reply.get("type") != "read_along":
            code = "offline" if reply is None else str(reply.get("code"))
            self.notify(t("readalong.failed", self.lang, reason=error_text(code, self.lang)))
            return
        name = one_line(str(reply.get("counsellor") or ""))
        self.query_one("#readalong-title", Static).update(
            Content(t("readalong.title", self.lang, name=name))
        )
        for entry in reply.get("history") or []:
            self._add(entry)
        notes = await ask(self.app, req.ChatNotesGet(chat=self.chat))
        if notes is not None and notes.get("type") == "chat_notes" and notes.get("text"):
            self._notes(str(notes["text"]))

    def _notes(self, text: str) -> None:
        """The counsellor's own notes on this chat (on opening, and when they change)."""
        line = t("notes.readalong", self.lang, text=strip_controls(text))
        self.transcript.add(Line("system", line))

    def on_chat_notes_changed(self, message: ChatNotesChanged) -> None:
        if message.chat == self.chat:
            self._notes(message.text)

    def _add(self, entry: dict[str, Any]) -> None:
        seq = entry.get("seq")
        if isinstance(seq, int) and self.transcript.has_seq(seq):
            return
        sender = "chatter" if entry.get("from") == "chatter" else "counsellor"
        self.transcript.add(
            Line(
                sender,
                strip_controls(str(entry.get("text", ""))),
                parse_at(str(entry.get("at"))),
                seq if isinstance(seq, int) else None,
            )
        )

    def on_read_along_message(self, message: ReadAlongMessage) -> None:
        if message.chat == self.chat:
            self._add(message.entry)

    def on_read_along_ended(self, message: ReadAlongEnded) -> None:
        if message.chat == self.chat:
            self.transcript.add(Line("system", t("readalong.ended", self.lang)))

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = strip_controls(event.value).strip()
        if not text:
            return
        reply = await ask(self.app, req.Note(chat=self.chat, text=text))
        if reply is not None and reply.get("type") == "note_sent":
            event.input.clear()
            # The supervisor sees their own whisper in place, between the chat's messages.
            whisper = t("readalong.whisper", self.lang, text=text)
            self.transcript.add(Line("system", whisper, self.console.clock.now()))
            self.notify(t("readalong.sent", self.lang))
        else:
            code = "offline" if reply is None else str(reply.get("code"))
            self.notify(t("readalong.failed", self.lang, reason=error_text(code, self.lang)))

    def action_close(self) -> None:
        self.run_worker(ask(self.app, req.ReadAlongStop(chat=self.chat)))
        self.dismiss(None)


class DisclosureScreen(ConsoleScreen):
    """Pending and recent disclosure requests: approve, refuse, see the address once.

    The first row is selected; rows name the chat (nickname, region, start) and the
    requester's display name. Revealing asks for confirmation; the address then stays on
    screen until the screen is closed (a second F4 shows it again, never hides it)."""

    CSS_PATH = "supervisor.tcss"
    SUPERVISION = True
    BINDINGS = [
        Binding("f2", "decide(True)", "goedkeuren", id="disclosure.approve"),
        Binding("f3", "decide(False)", "weigeren", id="disclosure.refuse"),
        Binding("f4", "view", "adres", id="disclosure.view"),
        Binding("escape,f10", "close", "terug", id="sup.close"),
    ]

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang
        self.revealed: dict[str, str] = {}  # request -> the address line shown
        self.entries: dict[str, dict[str, Any]] = {}  # request -> its row as listed
        self._asking = False
        _translated(self, lang)

    def compose(self) -> ComposeResult:
        yield Static(Content(t("disclosure.title", self.lang)), id="disclosure-title")
        yield OptionList(id="disclosure-list")
        yield Static("", id="disclosure-result")
        yield Static("", id="disclosure-address")
        yield Static(Content(t("disclosure.keys", self.lang)), id="disclosure-keys")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#disclosure-list", OptionList).focus()
        self.reload()

    def on_disclosure_pending(self, message: DisclosurePending) -> None:
        self.reload()

    def row(self, entry: dict[str, Any]) -> Content:
        since = parse_at(str(entry.get("chat_since")))
        region = entry.get("region")
        return Content(
            t(
                "disclosure.row2",
                self.lang,
                status=t(f"disclosure.status.{entry.get('status')}", self.lang),
                nickname=one_line(strip_controls(str(entry.get("nickname") or "—")))[:20],
                region=region_name(region, self.lang) if isinstance(region, str) else "—",
                start=since.astimezone(BRUSSELS).strftime("%d/%m %H:%M") if since else "—",
                by=one_line(strip_controls(str(entry.get("requested_by_name") or "—")))[:20],
                reason=one_line(strip_controls(str(entry.get("reason"))))[:60],
            )
        )

    @work(exclusive=True, group="disclosures", exit_on_error=False)
    async def reload(self) -> None:
        reply = await ask(self.app, req.Disclosures())
        listing = self.query_one("#disclosure-list", OptionList)
        before = listing.highlighted_option.id if listing.highlighted_option else None
        listing.clear_options()
        requests = reply.get("requests") if reply and reply.get("type") == "disclosures" else []
        self.entries = {str(e.get("request")): e for e in requests or []}
        options = [Option(self.row(e), id=str(e.get("request"))) for e in requests or []]
        if options:
            listing.add_options(options)
            ids = [o.id for o in options]
            listing.highlighted = ids.index(before) if before in ids else 0
        else:
            listing.add_option(Option(Content(t("disclosure.none", self.lang)), disabled=True))

    def _selected(self) -> str | None:
        option = self.query_one("#disclosure-list", OptionList).highlighted_option
        return None if option is None or option.disabled else option.id

    def _result(self, text: str) -> None:
        self.query_one("#disclosure-result", Static).update(Content(text))

    def _refused(self, reply: dict[str, Any] | None) -> None:
        code = "offline" if reply is None else str(reply.get("code"))
        reason = error_text(code, self.lang, area="disclosure.err.")
        self._result(t("disclosure.error", self.lang, reason=reason))

    async def action_decide(self, approve: bool) -> None:
        request = self._selected()
        if request is None:
            return
        frame = req.DisclosureDecide(request=request, approve=approve)
        reply = await ask(self.app, frame)
        if reply is None or reply.get("type") != "disclosure_decided":
            self._refused(reply)
            return
        self._result(t(f"disclosure.status.{'approved' if approve else 'refused'}", self.lang))
        self.reload()

    def action_view(self) -> None:
        request = self._selected()
        if request is None or self._asking:
            return
        if request in self.revealed:
            self._show_address(self.revealed[request])  # shown already: stays, never hidden
            return

        async def chosen(yes: bool | None) -> None:
            self._asking = False
            if yes:
                await self._reveal(request)

        self._asking = True
        self.app.push_screen(ConfirmScreen(t("disclosure.confirm", self.lang), self.lang), chosen)

    async def _reveal(self, request: str) -> None:
        reply = await ask(self.app, req.DisclosureView(request=request))
        if reply is None or reply.get("type") != "disclosure_address":
            self._refused(reply)
            return
        text = t(
            "disclosure.address",
            self.lang,
            chat=one_line(strip_controls(self._nickname(request))),
            address=one_line(strip_controls(str(reply.get("address")))),
        )
        self.revealed[request] = text + "\n" + t("disclosure.audited", self.lang)
        self._show_address(self.revealed[request])

    def _nickname(self, request: str) -> str:
        return str(self.entries.get(request, {}).get("nickname") or "—")

    def _show_address(self, text: str) -> None:
        self.query_one("#disclosure-address", Static).update(Content(text))

    def address_text(self) -> str:
        """What the address area shows (tests)."""
        return str(self.query_one("#disclosure-address", Static).render())

    def action_close(self) -> None:
        self.dismiss(None)


# -- the counsellor's dialogs ------------------------------------------------------------------


class DisclosureAskScreen(ConsoleModal[str | None]):
    """The reason for an emergency disclosure request, confirmed with ctrl+y."""

    BINDINGS = [
        Binding("ctrl+y", "confirm", "aanvragen", id="disclosure.ask"),
        Binding("escape", "cancel", "annuleren", id="disclosure.cancel"),
    ]

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(t("disclosure.ask", self.lang)), classes="dialog-title")
            yield Input(max_length=500, id="disclosure-reason")
            yield Static(Content(t("disclosure.ask_keys", self.lang)), classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#disclosure-reason", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # Only ctrl+y submits, as the hint says: Enter in the reason does nothing.
        event.stop()

    def action_confirm(self) -> None:
        reason = strip_controls(self.query_one("#disclosure-reason", Input).value).strip()
        if reason:
            self.dismiss(reason)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PhoneScreen(ConsoleModal[req.PhoneContact | None]):
    """Register a phone contact: minutes, date, region, age band, gender, theme; no content."""

    BINDINGS = [
        Binding("ctrl+y", "confirm", "bewaren", id="phone.save"),
        Binding("escape", "cancel", "annuleren", id="phone.cancel"),
    ]

    def __init__(self, lang: str, team: str | None, themes: dict[str, str] | None = None) -> None:
        super().__init__()
        self.lang = lang
        self.team = team
        self.themes = taxonomy(themes)

    def compose(self) -> ComposeResult:
        lang = self.lang
        with Vertical(classes="dialog"):
            yield Static(Content(t("phone.title", lang)), classes="dialog-title")
            # Every field labelled, one row each (compact), so the dialog fits 80x24.
            fields: list[tuple[str, Widget]] = [
                (
                    "phone.minutes",
                    Input(restrict=r"\d{0,3}", compact=True, id="phone-minutes"),
                ),
                (
                    "phone.date_label",
                    Input(
                        placeholder=t("phone.date", lang),
                        max_length=10,
                        compact=True,
                        id="phone-date",
                    ),
                ),
                (
                    "phone.region",
                    Select(
                        [(region_name(r, lang), r) for r in (*REGIONS, UNKNOWN)],
                        value=self.team if self.team in REGIONS else UNKNOWN,
                        allow_blank=False,
                        compact=True,
                        id="phone-region",
                    ),
                ),
                (
                    "phone.age",
                    Select(
                        [(t("age.unknown", lang) if a == UNKNOWN else a, a) for a in AGE_BANDS],
                        value=UNKNOWN,
                        allow_blank=False,
                        compact=True,
                        id="phone-age",
                    ),
                ),
                (
                    "phone.gender",
                    Select(
                        [(t(f"gender.{g}", lang), g) for g in GENDERS],
                        value=UNKNOWN,
                        allow_blank=False,
                        compact=True,
                        id="phone-gender",
                    ),
                ),
                (
                    "phone.theme",
                    Select(
                        [(theme_label(k, lang, self.themes), k) for k in self.themes]
                        + [(t("theme.unknown", lang), UNKNOWN)],
                        value=UNKNOWN,
                        allow_blank=False,
                        compact=True,
                        id="phone-theme",
                    ),
                ),
            ]
            for key, widget in fields:
                with Horizontal(classes="phone-row"):
                    yield Static(Content(t(key, lang)), classes="phone-label")
                    yield widget
            yield Static("", id="phone-error")
            yield Static(Content(t("phone.keys", lang)), classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#phone-minutes", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def action_confirm(self) -> None:
        minutes = self.query_one("#phone-minutes", Input).value
        if not minutes.isdigit() or not 1 <= int(minutes) <= 600:
            self.query_one("#phone-error", Static).update(Content(t("phone.bad", self.lang)))
            return
        day = self.query_one("#phone-date", Input).value.strip()
        chosen: dict[str, str] = {}
        for field, widget in (
            ("region", "#phone-region"),
            ("age_band", "#phone-age"),
            ("gender", "#phone-gender"),
            ("theme", "#phone-theme"),
        ):
            value = self.query_one(widget, Select).value
            if isinstance(value, str) and value != UNKNOWN:
                chosen[field] = value
        self.dismiss(req.PhoneContact(minutes=int(minutes), date=day or None, **chosen))

    def action_cancel(self) -> None:
        self.dismiss(None)
