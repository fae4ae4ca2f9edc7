"""The workspace: queue panel, one tab per chat, status line; reacts to the worker's Messages."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from textual import events, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import ContentSwitcher, Footer, OptionList, Static, TabbedContent

from console1712.client.link import Outgoing
from console1712.domain.text import MAX_TEXT, one_line, strip_controls
from console1712.domain.vocabulary import BRUSSELS, STAFF_ROLES
from console1712.i18n import error_text, plural, t
from console1712.i18n.console import CANNED
from console1712.protocol import frames as p
from console1712.protocol import operations as req
from console1712.screens.base import ConsoleScreen, translate_footer
from console1712.screens.dialogs import (
    BlockScreen,
    CannedScreen,
    ConfirmScreen,
    GotoScreen,
    NoteScreen,
    PickScreen,
)
from console1712.screens.help import HelpScreen, key_rows
from console1712.widgets.chat_tab import (
    ChatInput,
    ChatPane,
    ChatState,
    ChatTabs,
    history_lines,
    tab_label,
)
from console1712.widgets.events import (
    AvailabilityChanged,
    ChatAssigned,
    ChatEnded,
    ChatMessage,
    ChatPresence,
    ChatReleased,
    ChatTyping,
    ConnectionChanged,
    MessageAcked,
    QueueChanged,
    RelayError,
)
from console1712.widgets.help_alerts import HelpAlerts
from console1712.widgets.queue import QueueList
from console1712.widgets.registration_events import (
    HelpAnswered,
    HelpRequests,
    RegistrationsOpen,
)
from console1712.widgets.status import StatusLine
from console1712.widgets.supervisor_events import DisclosureDecided, NoteReceived, Watched
from console1712.widgets.transcript import Transcript, parse_at
from console1712.widgets.type_ahead import Held, TypeAhead

if TYPE_CHECKING:
    pass

# Every workspace action: (binding id, default keys, action, shown in the footer). The
# footer has room for six at 80 columns; F1 lists them all.
KEYS: tuple[tuple[str, str, str, bool], ...] = (
    ("help", "f1", "help", True),
    ("accept", "f2", "accept", True),
    ("accept_next", "f3", "accept_next", True),
    ("canned", "f4", "canned", True),
    ("availability", "f5", "availability", False),
    ("transfer", "f6", "transfer", False),
    ("block", "f7", "block", False),
    ("end", "f8", "end", True),
    ("activity", "f9", "activity", False),
    ("quit", "f10", "quit", True),
    ("next_tab", "ctrl+n", "next_tab", False),
    ("prev_tab", "ctrl+p", "prev_tab", False),
    ("goto_tab", "ctrl+g", "goto_tab", False),
    ("mail", "ctrl+l", "mail", False),
    ("dossier", "ctrl+d", "dossiers", False),
    ("phone", "ctrl+r", "phone", False),
    ("disclosure", "ctrl+u", "disclosure", False),
    ("supervisor", "ctrl+t", "supervisor", False),
    ("alerts", "ctrl+a", "alerts", False),
    ("registrations", "ctrl+e", "registrations", False),
    ("notes", "ctrl+b", "notes", False),
    ("recent", "ctrl+k", "recent", False),
    ("help_request", "ctrl+x", "help_request", False),
    ("scroll_up", "pageup", "scroll_up", False),
    ("scroll_down", "pagedown", "scroll_down", False),
    ("to_start", "ctrl+home", "to_start", False),
    ("to_end", "ctrl+end", "to_end", False),
    ("to_end_empty", "end", "to_end_if_empty", False),
    ("search", "ctrl+f", "search", False),
)
DEFAULT_KEYS = {binding_id: keys for binding_id, keys, _, _ in KEYS}
OLDER_PAGE = 500  # older lines fetched per step when scrolled to the top
# Actions beyond help, quit and dossiers (rights deadlines) that a role may use.
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(),
    "counsellor": frozenset(k[2] for k in KEYS) - {"supervisor", "alerts"},
    "supervisor": frozenset(k[2] for k in KEYS),
}
ANY_ROLE_ACTIONS = frozenset({"help", "quit", "dossiers"})


def action_allowed(action: str, role: str) -> bool:
    """Whether a workspace action does something for `role` (others are hidden and unbound)."""
    workspace_actions = {k[2] for k in KEYS}
    if action not in workspace_actions or action in ANY_ROLE_ACTIONS:
        return True
    return action in ROLE_ACTIONS.get(role, frozenset())


COARSE_REFRESH = 15.0  # seconds between redraws of the waiting minutes
REPLY_TICK = 1.0  # seconds between checks of how long chatters wait for an answer
TYPING_EVERY = 3.0  # at most one `typing` frame per chat in this many seconds


class WorkspaceScreen(ConsoleScreen):
    SHOW_ACTIVITY = False  # its own tabs and status line say it
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        # priority: the chat input (a TextArea) binds f6/f7 itself; workspace keys win.
        *(
            Binding(keys, action, binding_id, show=show, priority=True, id=binding_id)
            for binding_id, keys, action, show in KEYS
        ),
        # Enter on the queue accepts the highlighted chat at once, as F2 does: as a widget's
        # binding it would run only after the rest of a burst reached the queue.
        Binding("enter", "accept_highlighted", show=False, priority=True, id="queue.accept"),
    ]

    def __init__(self, session: dict[str, Any], lang: str) -> None:
        super().__init__()
        self.session = session
        self.lang = lang
        self.role = str(session.get("role", "counsellor"))
        team = session.get("team")
        self.team = team if isinstance(team, str) else None
        self.panes: dict[str, ChatPane] = {}
        self.availability = "available"
        self._ending: set[str] = set()
        self._queue_len = 0
        self._queue_total = 0
        self._was_connected = False
        self.open_registrations: list[dict[str, Any]] = []
        self._to_register: set[str] = set()  # ended chats whose form opens when looked at
        self._registration_codes: dict[str, Any] | None = None
        # Own notes per open chat, as last kept by the relay: the pane opens at once on them
        # (keys typed right after ctrl+b land in it, not in the chat input).
        self._notes: dict[str, str] = {}
        # Accepts under way (by the `ref` their answer carries), with what was typed for
        # each; keys go to the last one asked for (`_collecting`) until its answer comes.
        self._accepts: dict[str, Held] = {}
        self._collecting: str | None = None
        self._parked: list[str] = []  # refused accepts' text, shown when collecting ends
        self._accept_refs = itertools.count(1)
        self._translate_bindings()

    def _translate_bindings(self) -> None:
        lang = self.lang
        translate_footer(self, lambda b: t(f"key.short.{b.id}", lang) if b.id and b.show else None)

    def compose(self) -> ComposeResult:
        lang = self.lang
        with Horizontal(id="main"):
            with Vertical(id="queue-panel"):
                yield Static(Content(t("queue.title", lang)), id="queue-title")
                yield QueueList(lang, id="queue")
            with Vertical(id="chats-panel"):
                notice = "workspace.admin" if self.role not in STAFF_ROLES else "workspace.no_chats"
                yield Static(Content(t(notice, lang)), id="no-chats")
                yield ChatTabs(id="chats")
                yield TypeAhead(lang, id="typeahead")
        yield HelpAlerts(lang, id="help-alerts")
        yield StatusLine(lang, clock=self.console.clock, id="status")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.queue_list.team = self.team
        self.queue_list.show([], self.console.clock.now())
        name = str(self.session.get("name") or self.session.get("user") or "")
        self.status.set(who=f"{name} ({t('role.' + self.role, self.lang)})")
        self.query_one("#chats", TabbedContent).display = False
        if self.role not in STAFF_ROLES:
            self.query_one("#queue-panel").display = False
        self.set_interval(COARSE_REFRESH, self._coarse_refresh)
        self.set_interval(REPLY_TICK, self._reply_tick)
        self.queue_list.focus()

    # -- helpers ---------------------------------------------------------------------------

    @property
    def queue_list(self) -> QueueList:
        return self.query_one("#queue", QueueList)

    @property
    def status(self) -> StatusLine:
        return self.query_one("#status", StatusLine)

    @property
    def tabs(self) -> TabbedContent:
        return self.query_one("#chats", TabbedContent)

    @property
    def type_ahead(self) -> TypeAhead:
        return self.query_one("#typeahead", TypeAhead)

    def ordered_panes(self) -> list[ChatPane]:
        # Only the switcher's children: a descendant query walks every widget of every
        # pane, and this runs for each incoming message (issue 9).
        return list(self.tabs.get_child_by_type(ContentSwitcher).query_children(ChatPane))

    def active_pane(self) -> ChatPane | None:
        active = self.tabs.active
        for pane in self.panes.values():
            if pane.id == active:
                return pane
        return None

    def open_count(self) -> int:
        return sum(1 for p in self.panes.values() if p.state.open)

    def flash(self, text: str) -> None:
        """A short notice in the status line; it fades by itself (StatusLine.FADE)."""
        self.status.set(flash=text)

    def _coarse_refresh(self) -> None:
        self.queue_list.refresh_ages(self.console.clock.now())
        # "typing…" fades if no message followed within one coarse period.
        for pane in self.panes.values():
            if pane.typing:
                pane.typing = False
                pane.refresh_side()

    def _reply_tick(self) -> None:
        """Mark tabs whose chatter has waited for an answer past `reply_alert_s`."""
        now = self._now()
        alert = self.console.settings.reply_alert_s
        changed = False
        for pane in self.panes.values():
            since = pane.state.waiting_since
            waited = None
            if since is not None and pane.state.open:
                seconds = (now - since).total_seconds()
                if seconds >= alert:
                    waited = int(seconds // 60)
            if waited != pane.state.waited:
                pane.state.waited = waited
                changed = True
        if changed:
            self._relabel()
            self.console.activity_changed()

    def on_text_area_changed(self, event: ChatInput.Changed) -> None:
        """Typing in a chat's input: tell the chatter, at most one frame per 3 s per chat."""
        chat_input = event.text_area
        if chat_input is self.type_ahead:
            box = self.type_ahead
            if self._collecting is None and box.display and not box.text.strip():
                self._settle_type_ahead(focus=False)  # parked text wiped: the box goes
            return
        if not isinstance(chat_input, ChatInput) or not chat_input.text.strip():
            return
        pane = self.panes.get(chat_input.chat)
        client = self.console.client
        if pane is None or not pane.state.open or client is None:
            return
        now = self.console.clock.monotonic()
        if pane.typing_sent is not None and now - pane.typing_sent < TYPING_EVERY:
            return
        pane.typing_sent = now
        self.run_worker(client.send(p.StaffTyping(chat=chat_input.chat)), group="typing")

    def _relabel(self) -> None:
        for number, pane in enumerate(self.ordered_panes(), 1):
            self._label(pane, number)
        self.status.set(open_chats=self.open_count())
        has_chats = bool(self.panes)
        self.tabs.display = has_chats
        self.query_one("#no-chats").display = not has_chats
        self.console.activity_changed()

    def _label(self, pane: ChatPane, number: int) -> None:
        tab = self.tabs.get_tab(pane)
        label = tab_label(pane.state, number, self.lang)
        if tab.label != label:
            tab.label = label

    def _is_watched(self, pane: ChatPane) -> bool:
        return self.active_pane() is pane and self.app.screen is self

    async def _send(self, frame: Outgoing) -> bool:
        if not await self.console.send(frame):
            self.flash(t("workspace.offline", self.lang))
            return False
        return True

    def activate(self, pane: ChatPane, *, focus: bool = True) -> None:
        self.tabs.active = pane.id or ""
        self._seen(pane)
        if focus:
            # At once, not after the keys already queued: those belong to this chat.
            self.set_focus(pane.input)

    def _seen(self, pane: ChatPane) -> None:
        if pane.state.unread or pane.state.attention:
            pane.state.unread = 0
            pane.state.attention = False
            self._relabel()

    # -- messages from the network worker ------------------------------------------------------

    async def on_connection_changed(self, message: ConnectionChanged) -> None:
        if message.state != "connected":
            # No answer will come for accepts under way: their text is parked, not held on.
            for ref in list(self._accepts):
                await self._accept_refused(ref, "offline", None)
        if self.status.connection == "session_lost" and message.state != "connected":
            return  # the link closing after it keeps saying what to do: sign in again
        self.status.set(connection=message.state, flash="")
        if message.state == "connected":
            if self.role in STAFF_ROLES and self.console.client is not None:
                self.refresh_registrations()
            if self.role == "supervisor" and self.console.client is not None:
                self.refresh_help_requests()
            if self._was_connected:
                self.run_worker(self._recheck_chats(), group="recheck", exclusive=True)
            self._was_connected = True

    async def _recheck_chats(self) -> None:
        """After a reconnect: a chat that ended while we were away sends no frame; ask."""
        client = self.console.client
        for chat_id, pane in list(self.panes.items()):
            if pane.state.ended or client is None:
                continue
            reply = await client.request({"type": "history", "chat": chat_id})
            if reply and reply.get("type") == "error" and reply.get("code") == "not_assigned":
                self.post_message(ChatEnded(chat_id, "other"))

    @property
    def waiting_count(self) -> int:
        """Chatters in the queue (the frame's `total` when the list is cut at 100)."""
        return max(self._queue_len, self._queue_total)

    def on_queue_changed(self, message: QueueChanged) -> None:
        if self.role not in STAFF_ROLES:
            return
        if message.waiting and not self._queue_len:
            self.console.ring()
        self._queue_total = message.total
        self._queue_len = len(message.waiting)
        self.queue_list.show(message.waiting, self.console.clock.now())
        self.status.set(waiting=self.waiting_count)
        self.console.activity_changed()

    async def on_chat_assigned(self, message: ChatAssigned) -> None:
        own = str(self.session.get("name") or "")
        pane = self.panes.get(message.chat)
        if pane is not None:
            # Restored after a reconnect (or transferred back): full history, then what we
            # sent that the relay has not acknowledged yet.
            pane.state.intake = message.intake or pane.state.intake
            pane.state.ended = None
            pane.load_history(message.history, pane.pending_lines(), own)
            pane.state.waiting_since = waiting_since(message.history)
            pane.refresh_side()
            self._relabel()
            return
        if self.console.client is not None:
            self.run_worker(self._fetch_notes(message.chat))
        state = ChatState(message.chat, dict(message.intake))
        state.waiting_since = waiting_since(message.history)
        pane = ChatPane(state, len(self.panes) + 1, self.lang)
        self.panes[message.chat] = pane
        typing_in = self.active_pane()
        await self.tabs.add_pane(pane)
        pane.load_history(message.history, [], own)
        self._reply_tick()  # a chatter already waiting long is marked at once
        self._relabel()
        if message.transferred_by is None:
            # Accepted with F2/F3 (or restored at login): the counsellor asked for it, so it
            # comes to the front; a draft in another tab stays in that tab.
            held = self._accepts.pop(message.ref, None) if message.ref else None
            await self._opened(pane, held)
            return
        # Handed to us by a colleague: it must not take the keys from the chat being typed in.
        by = one_line(message.transferred_by)[:40]
        pane.notice(t("chat.transferred_by", self.lang, name=by), self._now())
        if message.note:
            pane.notice(t("chat.handover_note", self.lang, text=message.note), self._now())
        if typing_in is None:
            self.activate(pane, focus=False)
        else:
            pane.state.attention = True
            self._relabel()
        number = self.ordered_panes().index(pane) + 1
        self.flash(
            t("workspace.transfer_in", self.lang, name=by, nickname=state.nickname, n=number)
        )
        self.console.ring()

    async def _opened(self, pane: ChatPane, held: Held | None) -> None:
        """An asked-for chat is ours: to the front with the keys, and what was typed for it
        into it. While a later accept is under way its keys stay held (they are for the chat
        that opens last); an earlier accept answered after the last one stays behind."""
        last = held is None or held.ref == self._collecting
        if held is not None and held.ref == self._collecting:
            self._collecting = None
            self._settle_type_ahead(focus=False)
        if self._collecting is not None:
            self.activate(pane, focus=False)
        elif last:
            self.activate(pane)
        else:
            pane.state.attention = True
            self._relabel()
        if held is not None:
            await self._put_held(pane, held)

    async def _put_held(self, pane: ChatPane, held: Held) -> None:
        """Type-ahead into its chat: the draft into the input, lines ended with Enter sent
        (in order, before anything typed after the tab opened)."""
        client = self.console.client
        lines = [strip_controls(line) for line in held.lines]
        sendable = client is not None and pane.state.open
        ready = [x for x in lines if sendable and x.strip() and len(x) <= MAX_TEXT]
        draft = "\n".join(x for x in [*(x for x in lines if x not in ready), held.draft] if x)
        if draft:
            pane.input.insert(draft, location=pane.input.document.end)
            pane.input.move_cursor(pane.input.document.end)
        for text in ready:
            await self._say(pane, text)

    def hold_key(self, event: events.Key) -> bool:
        """A key typed while an accept is under way (the app asks before any widget sees it):
        text, Enter, Backspace and the new-line key are held for that chat; True if held."""
        held = self._accepts.get(self._collecting or "")
        if held is None or self.app.screen is not self:
            return False
        newline = self.console.settings.keymap.get("newline", "ctrl+o").split(",")
        if event.key == "enter":
            if held.draft.strip():
                held.lines.append(held.draft)
            held.draft = ""
        elif event.key == "backspace":
            held.draft = held.draft[:-1]
        elif event.key in [k.strip() for k in newline]:
            held.draft += "\n"
        elif event.is_printable and event.character:
            held.draft += event.character
        else:
            return False
        self.type_ahead.show_held(held)
        return True

    async def _accept(self, chat: str | None) -> None:
        """Ask for a chat (None: the next one). Until the answer, typed keys are held for it;
        text parked after a refusal goes with it."""
        carried = ""
        if self._collecting is None and self.type_ahead.display:
            carried = self.type_ahead.text
        ref = f"accept-{next(self._accept_refs)}"
        held = Held(ref, chat, draft=carried)
        self._accepts[ref] = held
        self._collecting = ref
        self.type_ahead.show_held(held)
        self.set_focus(self.type_ahead)
        if not await self._send(p.Accept(chat=chat, ref=ref)):
            await self._accept_refused(ref, "offline", None)  # _send said so

    async def _accept_refused(
        self, ref: str, code: str, chat: str | None, cap: object = None
    ) -> None:
        """The relay did not give us the chat. One that is ours already comes to the front
        with what was typed for it; otherwise the text is parked, never dropped silently."""
        held = self._accepts.pop(ref)
        own = self.panes.get(chat or "") if code == "taken" else None
        if own is not None:
            number = self.ordered_panes().index(own) + 1
            self.flash(t("workspace.own_chat", self.lang, n=number))
            await self._opened(own, held)  # as if assigned: to the front, the text into it
            return
        last = ref == self._collecting
        if last:
            self._collecting = None
        text = held.text()
        if text.strip():
            self._parked.append(text)
            if code != "offline":
                kept = t("typeahead.kept", self.lang)
                self.flash(f"{self._refusal_text(code, cap)} {kept}")
        elif code != "offline":
            self.flash(self._refusal_text(code, cap))
        if last:
            self._settle_type_ahead(focus=True)

    def _refusal_text(self, code: str, cap: object = None) -> str:
        if code == "too_many_chats":
            shown = cap if isinstance(cap, int) else "?"
            return t("workspace.too_many_chats", self.lang, max=shown)
        if code in ("not_found", "taken", "forbidden"):
            return t(f"workspace.{code}", self.lang)
        return error_text(code, self.lang)

    def _settle_type_ahead(self, *, focus: bool) -> None:
        """No accept collects keys any more: the box shows parked text, or goes away."""
        box = self.type_ahead
        parked = [box.text] if box.display and not box.read_only and box.text.strip() else []
        text = "\n".join([*parked, *self._parked])
        self._parked.clear()
        if text.strip():
            box.park(text)
            if focus:
                self.set_focus(box)
            return
        box.hide()
        if focus or self.app.focused is box:
            self._focus_back()

    def _focus_back(self) -> None:
        pane = self.active_pane()
        self.set_focus(pane.input if pane is not None else self.queue_list)

    def on_chat_message(self, message: ChatMessage) -> None:
        pane = self.panes.get(message.chat)
        if pane is None or not pane.add_remote(
            message.seq, message.sender, message.text, message.at
        ):
            return
        if message.sender == "chatter" and pane.state.waiting_since is None:
            pane.state.waiting_since = parse_at(message.at) or self._now()
        if not self._is_watched(pane):
            pane.state.unread += 1
            # Only this tab's label changes (its unread count): not every tab and the status.
            self._label(pane, self.ordered_panes().index(pane) + 1)
            self.console.ring()
            self.console.activity_changed()

    def on_message_acked(self, message: MessageAcked) -> None:
        pane = self.panes.get(message.chat)
        if pane is not None:
            pane.acknowledge(message.msg_id, message.seq)

    def on_chat_typing(self, message: ChatTyping) -> None:
        pane = self.panes.get(message.chat)
        if pane is not None and not pane.typing:
            pane.typing = True
            pane.refresh_side()

    def on_chat_presence(self, message: ChatPresence) -> None:
        pane = self.panes.get(message.chat)
        if pane is None:
            return
        pane.state.away = message.state == "away"
        pane.notice(
            t(f"chat.presence.{'away' if pane.state.away else 'back'}", self.lang), self._now()
        )
        if not self._is_watched(pane):
            pane.state.attention = True
        pane.refresh_side()
        self._relabel()

    async def on_chat_ended(self, message: ChatEnded) -> None:
        pane = self.panes.get(message.chat)
        if pane is None:
            return
        if message.chat in self._ending:
            self._ending.discard(message.chat)
            await self._close(pane)
            self._register_chat(message.chat, pane.state.nickname)
            return
        by = message.by if message.by in ("chatter", "counsellor", "timeout") else "other"
        pane.state.ended = message.by or "other"
        pane.typing = False
        pane.notice(t(f"chat.ended.{by}", self.lang), self._now())
        if not self._is_watched(pane):
            pane.state.attention = True
        pane.refresh_side()
        self._relabel()
        if by != "other":
            # The form opens now if the counsellor looks at this chat, else when they do.
            self._to_register.add(message.chat)
            if self._is_watched(pane):
                self._register_chat(message.chat, pane.state.nickname)
            elif self.console.client is not None:
                self.refresh_registrations()  # the status line counts it already

    async def on_chat_released(self, message: ChatReleased) -> None:
        pane = self.panes.get(message.chat)
        if pane is not None:
            await self._close(pane)
            if message.by:  # a supervisor took it over or gave it to a colleague
                by = one_line(strip_controls(message.by))[:30]
                self.flash(t("workspace.taken_over", self.lang, name=by))
            else:
                self.flash(t("workspace.transferred", self.lang))

    def on_availability_changed(self, message: AvailabilityChanged) -> None:
        if message.state in ("available", "away"):
            self.availability = message.state
            self.status.set(availability=message.state, flash="")

    async def on_relay_error(self, message: RelayError) -> None:
        code = message.code
        if code == "session_lost":
            self.status.set(connection="session_lost")
            return
        ref = message.frame.ref
        if ref is not None and ref in self._accepts:
            await self._accept_refused(ref, code, message.chat, message.frame.max)
            return
        if message.msg_id and message.chat in self.panes:
            pane = self.panes[message.chat]
            pane.notice(
                t("workspace.not_sent", self.lang, reason=error_text(code, self.lang)), self._now()
            )
            return
        own = self.panes.get(message.chat or "") if code == "taken" else None
        if own is not None:
            number = self.ordered_panes().index(own) + 1
            self.flash(t("workspace.own_chat", self.lang, n=number))
            self.activate(own)
            return
        self.flash(self._refusal_text(code, message.frame.max))

    def _now(self) -> Any:
        return self.console.clock.now()

    async def _close(self, pane: ChatPane) -> None:
        was_active = self.active_pane() is pane
        del self.panes[pane.state.chat]
        await self.tabs.remove_pane(pane.id or "")
        self._relabel()
        if was_active:
            rest = self.ordered_panes()
            if rest:
                self.activate(rest[0])
            else:
                self.queue_list.focus()

    # -- the tabs ----------------------------------------------------------------------------

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        pane = self.active_pane()
        if pane is not None:
            self._seen(pane)
            if pane.state.chat in self._to_register:
                self._register_chat(pane.state.chat, pane.state.nickname)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        # A click on the queue (Enter is the priority binding below).
        if event.option_list is self.queue_list and event.option.id:
            self.run_worker(self._accept(event.option.id))

    async def on_chat_input_send(self, message: ChatInput.Send) -> None:
        pane = self.panes.get(message.chat_input.chat)
        text = strip_controls(message.text)
        if pane is None or not pane.state.open or not text.strip() or len(text) > MAX_TEXT:
            message.chat_input.give_back(message.text)  # not sent: the draft stays
            return
        if self.console.client is None:
            message.chat_input.give_back(message.text)
            self.flash(t("workspace.offline", self.lang))
            return
        await self._say(pane, text)

    async def _say(self, pane: ChatPane, text: str) -> None:
        """One line of ours into the chat (checked: cleaned, not empty, not too long)."""
        client = self.console.client
        if client is None:
            return
        msg_id = client.new_id()
        pane.add_own(text, msg_id, self._now())
        pane.state.waiting_since = None  # answered
        if pane.state.waited is not None:
            pane.state.waited = None
            self._relabel()
        # Kept by the client until acknowledged; re-sent with this id after a reconnect.
        await client.say(pane.state.chat, text, msg_id)

    # -- actions -----------------------------------------------------------------------------

    def action_mail(self) -> None:
        """The Mail screen (issue 5), pushed over the workspace."""
        from console1712.screens.mail import MailScreen

        if self.role in STAFF_ROLES:
            self.app.push_screen(MailScreen(self.lang))

    def action_dossiers(self) -> None:
        """The Dossier screen (issue 6): admins get only the rights-request deadlines there."""
        from console1712.screens.dossier import DossierScreen

        pane = self.active_pane() if self.role in STAFF_ROLES else None
        chat = pane.state.chat if pane is not None else None
        label = self._chat_label(pane) if pane is not None else None
        self.app.push_screen(DossierScreen(self.lang, self.role, chat, target_label=label))

    def _chat_label(self, pane: ChatPane) -> str:
        """How a link names a chat: nickname and the time of its first message."""
        first = next((x.at for x in pane.transcript.entries if x.at is not None), None)
        if first is None:
            return pane.state.nickname
        started = first.astimezone(BRUSSELS).strftime("%d-%m %H:%M")
        return t("workspace.chat_label", self.lang, nickname=pane.state.nickname, at=started)

    def action_supervisor(self) -> None:
        """The supervisors' live overview (issue 7)."""
        from console1712.screens.supervisor import SupervisorScreen

        if self.role == "supervisor":
            self.app.push_screen(SupervisorScreen(self.lang))

    def action_phone(self) -> None:
        """Register a phone contact (codes only) for the statistics."""
        from console1712.screens.supervisor import PhoneScreen, ask

        if self.role not in STAFF_ROLES:
            return

        async def chosen(frame: req.PhoneContact | None) -> None:
            if frame:
                reply = await ask(self.app, frame)
                ok = reply is not None and reply.get("type") == "phone_contact_saved"
                code = "offline" if reply is None else str(reply.get("code"))
                error = error_text(code, self.lang)
                self.flash(t("phone.saved", self.lang) if ok else error)
                if ok and reply is not None:
                    # The same registration form as chats: kind, themes, risk, referral.
                    channel = t("reg.channel.phone", self.lang)
                    title = t("reg.title", self.lang, channel=channel, when=str(reply.get("date")))
                    self.open_registration(str(reply.get("id")), title)

        themes = self.console.settings.themes
        self.app.push_screen(PhoneScreen(self.lang, self.team, themes), chosen)

    def action_disclosure(self) -> None:
        """Ask a supervisor for the network address of the active chat (emergency)."""
        from console1712.screens.supervisor import DisclosureAskScreen, ask

        pane = self.active_pane()
        if pane is None:
            self.flash(t("workspace.no_chat", self.lang))
            return

        async def chosen(reason: str | None) -> None:
            if reason:
                frame = req.DisclosureRequest(chat=pane.state.chat, reason=reason)
                reply = await ask(self.app, frame)
                if reply is not None and reply.get("type") == "disclosure_requested":
                    self.flash(t("disclosure.asked", self.lang))
                elif reply is not None and reply.get("code") == "pending":
                    self.flash(t("disclosure.err.pending", self.lang))  # one open request
                else:
                    code = "offline" if reply is None else str(reply.get("code"))
                    self.flash(error_text(code, self.lang))

        self.app.push_screen(DisclosureAskScreen(self.lang), chosen)

    # -- registrations (wrap-up) ---------------------------------------------------------------

    @work(exclusive=True, group="registrations", exit_on_error=False)
    async def refresh_registrations(self) -> None:
        await self._load_registrations()

    async def _load_registrations(self) -> None:
        client = self.console.client
        reply = None if client is None else await client.request(req.RegistrationList())
        if reply is not None and reply.get("type") == "registrations_open":
            self.post_message(RegistrationsOpen(list(reply.get("open") or [])))
        if self._registration_codes is None and client is not None:
            # Fetched ahead: the form then opens with one request when a chat ends.
            codes = await client.request(req.RegistrationCodes())
            if codes is not None and codes.get("type") == "registration_codes":
                self._registration_codes = codes

    def on_screen_resume(self) -> None:
        # Back from mail, dossiers or another screen: a mail answered there, or a chat of
        # ours ended on another console, may have opened a registration.
        if self.role in STAFF_ROLES and self.console.client is not None:
            self.refresh_registrations()

    def on_registrations_open(self, message: RegistrationsOpen) -> None:
        self.open_registrations = message.entries
        self.status.set(registrations=len(message.entries))

    def _register_chat(self, chat: str, nickname: str) -> None:
        self._to_register.discard(chat)
        title = t("reg.title", self.lang, channel=t("reg.channel.chat", self.lang), when=nickname)
        self.open_registration(chat, title)

    def open_registration(self, contact: str, title: str, *, only_open: bool = False) -> None:
        """Fetch the form's codes and this contact's registration, then show the form
        (`only_open`: not when it is done already, e.g. a mail thread answered again)."""
        self.run_worker(self._open_registration(contact, title, only_open), group="registration")

    async def _open_registration(self, contact: str, title: str, only_open: bool = False) -> None:
        from console1712.screens.registration import RegistrationScreen

        client = self.console.client
        if client is None:
            return
        if self._registration_codes is None:
            codes = await client.request(req.RegistrationCodes())
            if codes is None or codes.get("type") != "registration_codes":
                self.flash(t("workspace.offline", self.lang))
                return
            self._registration_codes = codes
        found = await client.request(req.RegistrationGet(contact=contact))
        await self._load_registrations()
        if only_open and found is not None and found.get("status") != "open":
            return
        if found is None or found.get("type") != "registration":
            code = "offline" if found is None else str(found.get("code"))
            self.flash(t("workspace.error", self.lang, code=one_line(code)[:40]))
            return

        def done(saved: bool | None) -> None:
            self.flash(t("reg.saved" if saved else "reg.postponed", self.lang))

        screen = RegistrationScreen(self._registration_codes, found, title, self.lang)
        self.app.push_screen(screen, done)

    def action_notes(self) -> None:
        """The own-notes pane of the active chat (kept by the relay, sealed)."""
        pane = self.active_pane()
        if pane is None or not pane.state.open:
            self.flash(t("workspace.no_chat", self.lang))
            return
        chat = pane.state.chat
        if chat in self._notes:
            self._edit_notes(chat, pane.state.nickname)
        else:  # not fetched yet (just assigned): fetch first
            self.run_worker(self._fetch_notes(chat, pane.state.nickname), group="notes")

    async def _fetch_notes(self, chat: str, open_as: str | None = None) -> None:
        client = self.console.client
        request = req.ChatNotesGet(chat=chat)
        reply = None if client is None else await client.request(request)
        if reply is None or reply.get("type") != "chat_notes":
            if open_as is not None:
                code = "offline" if reply is None else str(reply.get("code"))
                self.flash(t("workspace.error", self.lang, code=one_line(code)[:40]))
            return
        self._notes[chat] = str(reply.get("text") or "")
        if open_as is not None:
            self._edit_notes(chat, open_as)

    def _edit_notes(self, chat: str, nickname: str) -> None:
        from console1712.screens.notes import NotesScreen

        async def done(text: str | None) -> None:
            client = self.console.client
            if text is None or client is None:
                return
            saved = await client.request(req.ChatNotesSet(chat=chat, text=text))
            if saved is not None and saved.get("type") == "chat_notes_saved":
                self._notes[chat] = text
                self.flash(t("notes.saved", self.lang))
            else:
                code = "offline" if saved is None else str(saved.get("code"))
                self.flash(t("workspace.error", self.lang, code=one_line(code)[:40]))

        title = t("notes.title", self.lang, name=nickname)
        self.app.push_screen(NotesScreen(title, self._notes[chat], self.lang), done)

    # -- ask a supervisor ------------------------------------------------------------------------

    @property
    def help_alerts(self) -> HelpAlerts:
        return self.query_one("#help-alerts", HelpAlerts)

    @work(exclusive=True, group="help", exit_on_error=False)
    async def refresh_help_requests(self) -> None:
        await self._load_help_requests()

    async def _load_help_requests(self) -> None:
        client = self.console.client
        reply = None if client is None else await client.request(req.HelpRequests())
        if reply is not None and reply.get("type") == "help_requests":
            self.post_message(HelpRequests(list(reply.get("requests") or []), False))

    def on_help_requests(self, message: HelpRequests) -> None:
        self.help_alerts.show(message.requests)
        if message.ring and message.requests:
            self.console.ring()

    def on_help_answered(self, message: HelpAnswered) -> None:
        text = t("help.answered", self.lang, name=one_line(message.by))
        self.flash(text)
        pane = self.panes.get(message.chat)
        if pane is not None:
            pane.notice(text, self._now())
            if not self._is_watched(pane):
                pane.state.attention = True
                self._relabel()
        self.console.ring()

    async def action_help_request(self) -> None:
        """Supervisors take the oldest call for help (and read along); counsellors call for
        help on the active chat."""
        client = self.console.client
        if client is None:
            self.flash(t("workspace.offline", self.lang))
            return
        oldest = self.help_alerts.oldest if self.role == "supervisor" else None
        if oldest is not None:
            reply = await client.request(req.HelpAnswer(request=oldest))
            if reply is not None and reply.get("type") == "help_answered":
                from console1712.screens.supervisor import ReadAlongScreen

                self.app.push_screen(ReadAlongScreen(str(reply.get("chat")), self.lang))
                return
        else:
            pane = self.active_pane()
            if pane is None or not pane.state.open:
                self.flash(t("workspace.no_chat", self.lang))
                return
            reply = await client.request(req.HelpRequest(chat=pane.state.chat))
            if reply is not None and reply.get("type") == "help_request_sent":
                self.flash(t("help.sent", self.lang, n=reply.get("supervisors", 0)))
                return
        code = "offline" if reply is None else str(reply.get("code"))
        self.flash(t("workspace.error", self.lang, code=one_line(code)[:40]))

    def action_recent(self) -> None:
        """The counsellor's recently ended chats, read-only (opens audited by the relay)."""
        from console1712.screens.recent import RecentScreen

        if self.role in STAFF_ROLES:
            self.app.push_screen(RecentScreen(self.lang))

    def action_registrations(self) -> None:
        """Pick one of the open registrations (postponed ones too) and open its form."""
        if self.role not in STAFF_ROLES:
            return
        if not self.open_registrations:
            self.flash(t("reg.none", self.lang))
            return
        titles: dict[str, str] = {}
        for entry in self.open_registrations:
            contact = str(entry.get("contact", ""))
            at = parse_at(str(entry.get("at", "")))
            when = "" if at is None else at.astimezone(BRUSSELS).strftime("%d/%m %H:%M")
            channel = t(f"reg.channel.{entry.get('channel', 'chat')}", self.lang)
            titles[contact] = t("reg.title", self.lang, channel=channel, when=when)
        items = [(contact, Content(title)) for contact, title in titles.items()]

        def chosen(contact: str | None) -> None:
            if contact in titles:
                self.open_registration(contact, titles[contact])

        self.app.push_screen(PickScreen(t("reg.list", self.lang), items, self.lang), chosen)

    def on_watched(self, message: Watched) -> None:
        pane = self.panes.get(message.chat)
        if pane is not None:
            pane.state.watchers = list(message.by)
            pane.refresh_side()
            self._relabel()

    def on_note_received(self, message: NoteReceived) -> None:
        pane = self.panes.get(message.chat)
        if pane is None:
            return
        text = t("chat.note", self.lang, name=one_line(message.sender), text=message.text)
        pane.notice(text, parse_at(message.at) or self._now())
        if not self._is_watched(pane):
            pane.state.attention = True
            self._relabel()
        self.console.ring()

    def on_disclosure_decided(self, message: DisclosureDecided) -> None:
        self.flash(t(f"disclosure.decided.{'yes' if message.approved else 'no'}", self.lang))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A key that does nothing for this role is neither bound nor listed (footer, F1)."""
        if not action_allowed(action, self.role):
            return False
        return super().check_action(action, parameters)

    def action_help(self) -> None:
        keymap = self.console.settings.keymap
        ids = [k[0] for k in KEYS if action_allowed(k[2], self.role)]
        rows = [(keys, t(f"key.{i}", self.lang)) for keys, i in key_rows(ids, DEFAULT_KEYS, keymap)]
        self.app.push_screen(
            HelpScreen(
                rows,
                keymap.get("newline", "ctrl+o"),
                self.lang,
                demo_lines=getattr(self.app, "demo_help", ()),
                demo_logins=getattr(self.app, "demo_logins", ()),
            )
        )

    async def action_accept(self) -> None:
        chat = self.queue_list.selected_chat()
        if chat is None:
            self.flash(t("workspace.not_found", self.lang))
            return
        await self._accept(chat)

    async def action_accept_next(self) -> None:
        await self._accept(None)

    async def action_accept_highlighted(self) -> None:
        """Enter on the queue: the highlighted chat. Elsewhere Enter is the widget's."""
        chat = self.queue_list.selected_chat()
        if self.app.screen is not self or self.app.focused is not self.queue_list or not chat:
            raise SkipAction()
        await self._accept(chat)

    def action_canned(self) -> None:
        pane = self.active_pane()
        if pane is None or not pane.state.open:
            self.flash(t("workspace.no_chat", self.lang))
            return
        texts = self.canned_texts()

        def chosen(key: str | None) -> None:
            if key and key in texts:
                # Into the input for editing: a canned reply is never sent unseen.
                pane.input.insert(texts[key])
            pane.input.focus()

        self.app.push_screen(CannedScreen(list(texts.items()), self.lang), chosen)

    def canned_texts(self) -> dict[str, str]:
        texts = {key: t(text_key, self.lang) for key, text_key in CANNED}
        for key, text in self.console.settings.canned.items():
            texts[key] = strip_controls(text)
        return texts

    async def action_availability(self) -> None:
        state: Literal["available", "away"] = (
            "away" if self.availability == "available" else "available"
        )
        await self._send(p.Status(state=state))

    async def action_transfer(self) -> None:
        pane = self.active_pane()
        if pane is None or not pane.state.open:
            self.flash(t("workspace.no_chat", self.lang))
            return
        staff = await self.console.colleague_rows()
        own = self.session.get("user")
        items = [(user, Content(self._staff_row(entry))) for user, entry in staff if user != own]
        names = {user: one_line(str(entry.get("name") or user)) for user, entry in staff}

        def chosen(user: str | None) -> None:
            if not user:
                return

            async def noted(note: str | None) -> None:
                if note is None:
                    return  # cancelled: nothing sent
                await self._send(p.Transfer(chat=pane.state.chat, to=user, note=note or None))

            name = names.get(user, one_line(user))
            self.app.push_screen(
                NoteScreen(
                    t("dialog.transfer_note", self.lang, name=name),
                    t("dialog.transfer_note_hint", self.lang),
                    t("dialog.transfer_note_keys", self.lang),
                ),
                noted,
            )

        self.app.push_screen(
            PickScreen(
                t("dialog.transfer", self.lang),
                items,
                self.lang,
                free_text=t("dialog.transfer_user", self.lang),
            ),
            chosen,
        )

    def _staff_row(self, entry: dict[str, Any]) -> str:
        """`Bob (bob) · beschikbaar · 2 gesprekken`: whether a colleague can take one more."""
        user = one_line(str(entry.get("user")))
        status = "away" if entry.get("status") == "away" else "available"
        chats = entry.get("chats") if isinstance(entry.get("chats"), int) else 0
        assert isinstance(chats, int)
        count = (
            t("dialog.chats_one", self.lang)
            if chats == 1
            else t("dialog.chats_many", self.lang, n=chats)
        )
        return t(
            "dialog.staff_row",
            self.lang,
            name=one_line(str(entry.get("name") or user)),
            user=user,
            status=t(f"status.{status}", self.lang),
            chats=count,
        )

    def action_block(self) -> None:
        pane = self.active_pane()
        if pane is None or not pane.state.open:
            self.flash(t("workspace.no_chat", self.lang))
            return

        async def chosen(answer: tuple[int, str] | None) -> None:
            if answer:
                hours, reason = answer
                self._ending.add(pane.state.chat)
                block = p.BlockChat(chat=pane.state.chat, hours=hours, reason=reason)
                if not await self._send(block):
                    self._ending.discard(pane.state.chat)

        self.app.push_screen(BlockScreen(pane.state.nickname, self.lang), chosen)

    async def action_end(self) -> None:
        pane = self.active_pane()
        if pane is None:
            self.flash(t("workspace.no_chat", self.lang))
            return
        if not pane.state.open:
            await self._close(pane)  # already ended: F8 just closes the tab
            return

        async def chosen(yes: bool | None) -> None:
            if yes:
                self._ending.add(pane.state.chat)
                if not await self._send(p.End(chat=pane.state.chat)):
                    self._ending.discard(pane.state.chat)

        question = Content(t("dialog.end", self.lang, nickname=pane.state.nickname))
        self.app.push_screen(ConfirmScreen(question, self.lang), chosen)

    def action_activity(self) -> None:
        panes = self.ordered_panes()
        if not panes:
            return
        current = self.active_pane()
        start = panes.index(current) + 1 if current in panes else 0
        rotated = panes[start:] + panes[:start]
        # Unread messages first, then other news (chatter away/back, chat ended).
        for unread_only in (True, False):
            for pane in rotated:
                news = pane.state.unread > 0 if unread_only else pane.state.attention
                if pane is not current and news:
                    self.activate(pane)
                    return
        self.action_next_tab()

    def action_next_tab(self) -> None:
        self._step_tab(1)

    def action_prev_tab(self) -> None:
        self._step_tab(-1)

    def _step_tab(self, step: int) -> None:
        panes = self.ordered_panes()
        if not panes:
            return
        current = self.active_pane()
        index = panes.index(current) if current in panes else -step
        self.activate(panes[(index + step) % len(panes)])

    def action_goto_tab(self) -> None:
        def chosen(number: int | None) -> None:
            panes = self.ordered_panes()
            if number is not None and 1 <= number <= len(panes):
                self.activate(panes[number - 1])
            elif number is not None:
                self.flash(plural("workspace.no_tab", len(panes), self.lang, number=number))

        self.app.push_screen(GotoScreen(self.lang), chosen)

    def action_quit(self) -> None:
        self.console.request_quit()

    # -- reading back: the transcript scrolls while the input keeps focus and draft ----------

    def _reading_pane(self) -> ChatPane:
        """The active chat, for the reading keys; otherwise the key goes to the widget."""
        pane = self.active_pane()
        if pane is None or self.app.screen is not self:
            raise SkipAction()
        return pane

    def action_scroll_up(self) -> None:
        self._reading_pane().transcript.page_up()

    def action_scroll_down(self) -> None:
        self._reading_pane().transcript.page_down()

    def action_to_start(self) -> None:
        self._reading_pane().transcript.to_start()

    def action_to_end(self) -> None:
        self._reading_pane().transcript.to_end()

    def action_to_end_if_empty(self) -> None:
        pane = self._reading_pane()
        if self.app.focused is not pane.input or pane.input.text:
            raise SkipAction()  # End moves the cursor in a draft
        pane.transcript.to_end()

    def action_search(self) -> None:
        self._reading_pane().open_search()

    def on_transcript_need_older(self, message: Transcript.NeedOlder) -> None:
        for pane in self.panes.values():
            if pane.transcript is message.transcript:
                self.run_worker(self._fetch_older(pane, message.before), group="older")

    async def _fetch_older(self, pane: ChatPane, before: int) -> None:
        """Lines older than the view holds, from the relay (which keeps the whole chat)."""
        client = self.console.client
        reply = None
        if client is not None:
            reply = await client.request({"type": "history", "chat": pane.state.chat})
        history = reply.get("history") if reply and reply.get("type") == "history" else None
        if not isinstance(history, list):
            pane.transcript.prepend([])  # allows asking again
            return
        older = [h for h in history if isinstance(h, dict) and isinstance(h.get("seq"), int)]
        older = [h for h in older if h["seq"] < before][-OLDER_PAGE:]
        pane.transcript.prepend(history_lines(older))


def waiting_since(history: list[dict[str, Any]]) -> datetime | None:
    """When the chatter started waiting for an answer: their first line after our last one."""
    since: datetime | None = None
    for item in history:
        if item.get("from") == "chatter":
            if since is None:
                since = parse_at(str(item.get("at")))
        else:
            since = None
    return since
