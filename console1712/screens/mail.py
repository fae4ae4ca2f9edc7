"""The Mail screen: thread list, thread view, reply editor; every mail text shown as data.

Subjects, names and bodies come from strangers: they are cleaned of control characters and
shown as `Content(...)` (never parsed as markup), so "[b]" or "[@click=...]" stay text.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Label, ListItem, ListView, Static, TextArea

from console1712.clock import from_rfc3339
from console1712.domain.text import one_line, shorten_middle, strip_controls
from console1712.domain.vocabulary import BRUSSELS
from console1712.i18n import error_text, plural, t
from console1712.protocol import operations as req
from console1712.protocol.operations import MailFilter
from console1712.screens.base import ConsoleScreen, translate_footer
from console1712.screens.dialogs import ConfirmScreen, PickScreen
from console1712.widgets.events import ConnectionChanged, MailChanged, MailNew

if TYPE_CHECKING:
    pass

FILTERS: tuple[MailFilter, ...] = ("open", "overdue", "answered", "all")
# The relay pushes `mail_new`/`mail_changed`, so the list is fetched only when something
# changed; this timer only redraws the rows locally, as "due today" turns "overdue".
REDRAW = 60.0
REQUEST_WAIT = 40.0  # a reply may wait on the smarthost

# (binding id, keys, action, shown in the footer)
KEYS: tuple[tuple[str, str, str, bool], ...] = (
    ("mail.filter", "f2", "cycle_filter", True),
    ("mail.claim", "f3", "claim", True),
    ("mail.reply", "f4", "reply", True),
    ("mail.send", "ctrl+s", "send", True),
    # F5: refresh and "do not retain" in one menu (F7 blocks a chat in the workspace)
    ("mail.more", "f5", "more", False),
    ("mail.answered", "f6", "answered", False),
    # ctrl+d as in the workspace; F8 ends a chat there, so it means nothing here
    ("mail.dossier", "ctrl+d", "dossier", True),
    ("mail.close", "escape,f10", "close", True),
)


def local(value: str | None, fmt: str = "%d-%m %H:%M") -> str:
    if not value:
        return ""
    try:
        return from_rfc3339(value).astimezone(BRUSSELS).strftime(fmt)
    except ValueError:
        return ""


def urgency(entry: dict[str, Any], now: datetime) -> str:
    """'overdue', 'due-today' or '' for a listed thread (drives the tcss classes)."""
    if entry.get("status") != "open" or not entry.get("due_at"):
        return ""
    try:
        due = from_rfc3339(str(entry["due_at"]))
    except ValueError:
        return ""
    if due < now:
        return "overdue"
    if due.astimezone(BRUSSELS).date() == now.astimezone(BRUSSELS).date():
        return "due-today"
    return ""


def row_text(entry: dict[str, Any], now: datetime, lang: str) -> Content:
    """One list row: due, received, sender address, subject (all as plain text)."""
    state = urgency(entry, now)
    if entry.get("status") == "open":
        due = t("mail.overdue", lang) if state == "overdue" else local(entry.get("due_at"))
    else:
        due = t(f"mail.status.{entry.get('status', 'open')}", lang)
    sender = one_line(str(entry.get("sender") or ""))
    subject = one_line(str(entry.get("subject") or ""))
    if entry.get("status") == "forgotten":
        subject = t("mail.forgotten_row", lang)
    elif not subject:
        subject = t("mail.no_subject", lang)
    received = local(entry.get("received"))
    sender = shorten_middle(sender, 22)
    return Content(f"{due[:11]:<11} {received:<11} {sender:<22} {subject}")


def column_headings(lang: str) -> str:
    """The list's column headings, aligned with `row_text`."""
    due, received = t("mail.col.due", lang)[:11], t("mail.col.received", lang)[:11]
    sender = t("mail.col.sender", lang)[:22]
    return f"{due:<11} {received:<11} {sender:<22} {t('mail.col.subject', lang)}"


def flag_name(flag: str, lang: str) -> str:
    try:
        return t(f"mail.flag.{flag}", lang)
    except KeyError:
        return one_line(flag)


def thread_content(answer: dict[str, Any], lang: str) -> Content:
    """The whole thread as one Content: headers, flags, text and attachments per message."""
    thread = answer.get("thread") or {}
    parts: list[str | tuple[str, str]] = []
    if thread.get("status") == "forgotten":
        parts.append((t("mail.forgotten_view", lang) + "\n\n", "italic"))
    subject = one_line(str(thread.get("subject") or "")) or t("mail.no_subject", lang)
    parts.append((subject + "\n", "bold"))
    if thread.get("status") == "open" and thread.get("due_at"):
        parts.append(f"{t('mail.due', lang)}: {local(thread.get('due_at'), '%d-%m-%Y %H:%M')}\n")
    for m in answer.get("messages") or []:
        parts.append(("─" * 40 + "\n", "dim"))
        sender = one_line(str(m.get("from") or ""))
        name = one_line(str(m.get("from_name") or ""))
        who = f"{name} <{sender}>" if name else sender
        parts.append((f"{t('mail.from', lang)}: ", "bold"))
        parts.append(who + "\n")
        to = ", ".join(one_line(str(a)) for a in m.get("to") or [])
        if to:
            parts.append((f"{t('mail.to', lang)}: ", "bold"))
            parts.append(to + "\n")
        parts.append((f"{t('mail.date', lang)}: ", "bold"))
        parts.append(local(m.get("at"), "%d-%m-%Y %H:%M") + "\n")
        if m.get("subject"):
            parts.append((f"{t('mail.subject', lang)}: ", "bold"))
            parts.append(one_line(str(m["subject"])) + "\n")
        if m.get("sent_by"):
            parts.append((t("mail.sent_by", lang, who=one_line(str(m["sent_by"]))) + "\n", "dim"))
        flags = [f for f in m.get("flags") or [] if f != "no_message_id"]
        if flags:
            names = ", ".join(flag_name(str(f), lang) for f in flags)
            parts.append((t("mail.flags", lang, flags=names) + "\n", "italic"))
        if m.get("html_only"):
            parts.append((t("mail.html_only", lang) + "\n", "dim"))
        parts.append("\n")
        text = m.get("text")
        if isinstance(text, str):
            parts.append(strip_controls(text).rstrip() + "\n")
        if m.get("truncated"):
            parts.append((t("mail.truncated", lang) + "\n", "italic"))
        attachments = m.get("attachments") or []
        if attachments:
            parts.append(("\n" + t("mail.attachments", lang) + "\n", "bold"))
            for a in attachments:
                name = one_line(str(a.get("name") or ""))
                kind = one_line(str(a.get("type") or ""))
                parts.append(f"  {name} ({kind}, {int(a.get('size') or 0)} B)\n")
    return Content.assemble(*parts)


class MailScreen(ConsoleScreen):
    """Mail threads of the counsellor's team and the unassigned pool."""

    CSS_PATH = "mail.tcss"
    MAIL_EVENTS = True  # the app routes mail pushes (MailNew, MailChanged) here
    BINDINGS = [
        Binding(keys, action, binding_id, show=show, priority=True, id=binding_id)
        for binding_id, keys, action, show in KEYS
    ]

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang
        self.list_filter: MailFilter = "open"
        self.entries: list[dict[str, Any]] = []
        self.current: dict[str, Any] | None = None  # the open thread's answer frame
        self._loading_draft = False  # a draft is being put into the editor (not typed)
        translate_footer(
            self,
            lambda b: (
                t(f"mail.key.{b.id[5:]}", lang) if b.id and b.id.startswith("mail.") else None
            ),
        )

    def compose(self) -> ComposeResult:
        yield Static(Content(t("mail.title", self.lang)), id="mail-heading")
        yield Static(Content(column_headings(self.lang)), id="mail-columns")
        yield ListView(id="mail-list")
        with VerticalScroll(id="mail-view"):
            yield Static(Content(t("mail.pick", self.lang)), id="mail-body")
        yield TextArea(id="mail-reply", soft_wrap=True, show_line_numbers=False)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        reply = self.query_one("#mail-reply", TextArea)
        reply.placeholder = t("mail.reply_placeholder", self.lang)
        reply.display = False
        self.query_one("#mail-list", ListView).focus()
        self.set_interval(REDRAW, self.redraw)
        self.refresh_list()

    # -- pushes from the relay ---------------------------------------------------------------

    def on_mail_new(self, message: MailNew) -> None:
        message.stop()
        self.refresh_list()
        if message.thread == self._shown_id():
            self.notify(t("mail.new_in_thread", self.lang))

    def on_mail_changed(self, message: MailChanged) -> None:
        message.stop()
        self.refresh_list()

    def on_connection_changed(self, message: ConnectionChanged) -> None:
        # Pushes sent while the link was down are lost: fetch the list again.
        message.stop()
        if message.state == "connected":
            self.refresh_list()

    # -- talking to the relay ------------------------------------------------------------

    async def ask(self, frame: req.OpRequest) -> dict[str, Any] | None:
        """One request; errors are told to the counsellor and answered None."""
        client = self.console.client
        reply = None if client is None else await client.request(frame, wait=REQUEST_WAIT)
        if reply is None:
            self.notify(t("mail.offline", self.lang), severity="error")
            return None
        if reply.get("type") == "error":
            code = str(reply.get("code") or "")
            key = f"mail.error.{code}"
            if code == "send_failed" and reply.get("reason") == "tls":
                key = "mail.error.send_failed_tls"
            claimed_by = one_line(str(reply.get("claimed_by") or ""))
            if key == "mail.error.send_failed_tls":
                text = t(key, self.lang)
            else:
                text = error_text(code, self.lang, area="mail.error.", claimed_by=claimed_by)
            self.notify(text, severity="error")
            return None
        return reply

    @work(exclusive=True, group="mail-list", exit_on_error=False)
    async def refresh_list(self) -> None:
        answer = await self.ask(req.MailThreads(filter=self.list_filter))
        if answer is not None:
            self.show_list(answer.get("threads") or [])

    def redraw(self) -> None:
        """Draw the rows again from what we have (urgency follows the clock)."""
        self.show_list(self.entries)

    def show_list(self, entries: list[dict[str, Any]]) -> None:
        """Show listed threads (THREAD entries of a `mail_threads` answer)."""
        now = self.console.clock.now()
        view = self.query_one("#mail-list", ListView)
        keep = view.index
        self.entries = [e for e in entries if isinstance(e, dict)]
        view.clear()
        for entry in self.entries:
            state = urgency(entry, now)
            item = ListItem(Label(row_text(entry, now, self.lang)), classes=state or None)
            view.append(item)
        if self.entries:
            view.index = min(keep or 0, len(self.entries) - 1)
        heading = plural(
            "mail.heading",
            len(self.entries),
            self.lang,
            filter=t(f"mail.filter.{self.list_filter}", self.lang),
        )
        if not self.entries:
            heading += "  " + t("mail.none", self.lang)
        self.query_one("#mail-heading", Static).update(Content(heading))

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        event.stop()
        index = event.list_view.index
        if index is not None and 0 <= index < len(self.entries):
            self.open_thread(str(self.entries[index]["thread"]))

    @work(exclusive=True, group="mail-thread", exit_on_error=False)
    async def open_thread(self, thread: str) -> None:
        answer = await self.ask(req.MailThread(thread=thread))
        if answer is not None:
            self.show_thread(answer)

    def show_thread(self, answer: dict[str, Any]) -> None:
        """Show one thread (a `mail_thread` answer) under the list."""
        before = self._shown_id()
        self.current = answer
        shown = self._shown_id()
        if before and before != shown and before in self.console.mail_drafts:
            self.notify(t("mail.draft_kept", self.lang))
        if before != shown:
            self._load_draft(shown)
        self.query_one("#mail-body", Static).update(thread_content(answer, self.lang))
        self.query_one("#mail-view", VerticalScroll).scroll_home(animate=False)

    # -- drafts: kept per thread in the app for the whole session, until sent or emptied ------

    def _load_draft(self, thread: str | None) -> None:
        editor = self.query_one("#mail-reply", TextArea)
        draft = self.console.mail_drafts.get(thread or "", "")
        self._loading_draft = True
        editor.load_text(draft)
        self._loading_draft = False
        editor.display = bool(draft)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if event.text_area.id != "mail-reply" or self._loading_draft:
            return
        thread = self._shown_id()
        if thread is None:
            return
        text = event.text_area.text
        if strip_controls(text).strip():
            self.console.mail_drafts[thread] = text
        else:
            self.console.mail_drafts.pop(thread, None)  # emptied: discarded

    def _shown_id(self) -> str | None:
        if self.current is None:
            return None
        return str((self.current.get("thread") or {}).get("thread") or "") or None

    def _opened_id(self) -> str | None:
        if self.current is None:
            self.notify(t("mail.no_thread", self.lang), severity="warning")
            return None
        return self._shown_id()

    # -- actions ---------------------------------------------------------------------------

    def action_cycle_filter(self) -> None:
        self.list_filter = FILTERS[(FILTERS.index(self.list_filter) + 1) % len(FILTERS)]
        self.refresh_list()

    def action_refresh(self) -> None:
        self.refresh_list()

    def action_more(self) -> None:
        """Less frequent actions in one menu: fetch the list again, do not retain the mail."""
        choices = {"refresh": self.action_refresh, "forget": self.action_forget}
        items = [(c, Content(t(f"mail.menu.{c}", self.lang))) for c in choices]

        def chosen(what: str | None) -> None:
            if what in choices:
                choices[what]()

        self.app.push_screen(PickScreen(t("mail.menu.title", self.lang), items, self.lang), chosen)

    async def action_claim(self) -> None:
        thread = self._opened_id()
        if thread and await self.ask(req.MailClaim(thread=thread)):
            self.notify(t("mail.claimed", self.lang))
            self.open_thread(thread)
            self.refresh_list()

    def action_reply(self) -> None:
        if self._opened_id() is None:
            return
        editor = self.query_one("#mail-reply", TextArea)
        editor.display = True
        self.add_class("-replying")
        editor.focus()

    def action_send(self) -> None:
        thread = self._opened_id()
        if thread is None or self.current is None:
            return
        editor = self.query_one("#mail-reply", TextArea)
        if not editor.display:
            self.action_reply()
            return
        text = editor.text
        if not strip_controls(text).strip():
            self.notify(t("mail.empty_reply", self.lang), severity="warning")
            return
        to = one_line(str((self.current.get("thread") or {}).get("sender") or ""))

        def chosen(yes: bool | None) -> None:
            if yes:
                self.send_reply(thread, text)

        question = Content(t("mail.confirm_send", self.lang, to=to))
        self.app.push_screen(ConfirmScreen(question, self.lang), chosen)

    @work(exclusive=True, group="mail-send", exit_on_error=False)
    async def send_reply(self, thread: str, text: str) -> None:
        answer = await self.ask(req.MailReply(thread=thread, text=text))
        if answer is None:
            return  # the text stays in the editor
        self.console.mail_drafts.pop(thread, None)
        editor = self.query_one("#mail-reply", TextArea)
        if self._shown_id() == thread:
            self._loading_draft = True
            editor.clear()
            self._loading_draft = False
            editor.display = False
            self.remove_class("-replying")
        self.notify(t(f"mail.sent.{answer.get('delivery', 'smarthost')}", self.lang))
        self.query_one("#mail-list", ListView).focus()
        self.open_thread(thread)
        self.refresh_list()
        self._register(thread)

    def _register(self, thread: str) -> None:
        """An answered thread gets its registration: the same form as chats and calls."""
        workspace = self.console.workspace
        if workspace is None or self.current is None:
            return
        subject = one_line(str((self.current.get("thread") or {}).get("subject") or ""))
        channel = t("reg.channel.mail", self.lang)
        title = t("reg.title", self.lang, channel=channel, when=subject[:40])
        workspace.open_registration(thread, title, only_open=True)

    def _confirmed(
        self, key: str, kind: type[req.MailAnswered | req.MailForget], done: str
    ) -> None:
        thread = self._opened_id()
        if thread is None:
            return

        async def act() -> None:
            if await self.ask(kind(thread=thread)):
                self.notify(t(done, self.lang))
                self.open_thread(thread)
                self.refresh_list()
                if kind is req.MailAnswered:
                    self._register(thread)

        def chosen(yes: bool | None) -> None:
            if yes:
                self.run_worker(act(), group="mail-act", exit_on_error=False)

        self.app.push_screen(ConfirmScreen(Content(t(key, self.lang)), self.lang), chosen)

    def action_answered(self) -> None:
        self._confirmed("mail.confirm_answered", req.MailAnswered, "mail.answered")

    def action_forget(self) -> None:
        self._confirmed("mail.confirm_forget", req.MailForget, "mail.forgotten")

    def action_dossier(self) -> None:
        """The Dossier screen, to link the open thread to an existing or a new dossier."""
        from console1712.screens.dossier import DossierScreen

        thread = self._opened_id()
        if thread is None or self.current is None:
            return
        if (self.current.get("thread") or {}).get("team") is None:
            # Links need the thread in the dossier's team: a pool thread is claimed first.
            self.notify(t("mail.dossier_pool", self.lang), severity="warning")
            return
        workspace = self.console.workspace
        role = workspace.role if workspace is not None else "counsellor"
        info = self.current.get("thread") or {}
        subject = one_line(str(info.get("subject") or "")) or t("mail.no_subject", self.lang)
        sender = shorten_middle(one_line(str(info.get("sender") or "")), 40)
        label = t("mail.link_label", self.lang, sender=sender, subject=subject[:60])
        self.app.push_screen(DossierScreen(self.lang, role, thread=thread, target_label=label))

    def action_close(self) -> None:
        editor = self.query_one("#mail-reply", TextArea)
        if editor.has_focus:
            # Back to the list; the draft stays in the editor for F4 to go on with.
            self.remove_class("-replying")
            self.query_one("#mail-list", ListView).focus()
            return
        if self.console.mail_drafts:
            self.notify(t("mail.drafts_kept", self.lang, n=len(self.console.mail_drafts)))
        self.dismiss(None)
