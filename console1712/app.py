"""The counsellor console: screens, bindings, and one network worker (the staff client)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.content import Content
from textual.css.query import NoMatches

from console1712.client.link import Outgoing
from console1712.client.staff import Incoming, StaffClient
from console1712.clock import Clock
from console1712.config import Settings
from console1712.domain.text import one_line, strip_controls
from console1712.domain.vocabulary import STAFF_ROLES
from console1712.i18n import t
from console1712.protocol import events as ev
from console1712.protocol import operations as req
from console1712.screens.base import ConsoleScreen
from console1712.screens.dialogs import PickScreen, QuitScreen
from console1712.screens.login import LoginScreen
from console1712.screens.workspace import WorkspaceScreen
from console1712.widgets.events import MAIL_FRAMES, ConnectionChanged, message_for
from console1712.widgets.registration_events import registration_message
from console1712.widgets.supervisor_events import (
    AlertsChanged,
    alert_items,
    alert_key,
    supervision_message,
)


def pick_theme(environ: Mapping[str, str]) -> str:
    """ANSI colours unless the terminal says it does true colour: right on thin clients."""
    if environ.get("COLORTERM", "").lower() in ("truecolor", "24bit"):
        return "textual-dark"
    return "ansi-dark"


class ConsoleApp(App[None]):
    """The console for counsellors and supervisors; a pure client of the relay."""

    CSS_PATH = "console.tcss"
    ENABLE_COMMAND_PALETTE = False  # ctrl+p is "previous tab" here
    TITLE = "1712"
    BINDINGS = [Binding("ctrl+q", "quit", "stoppen", show=False, priority=True, id="app.quit")]

    def __init__(
        self,
        settings: Settings,
        *,
        url: str | None = None,
        demo_logins: Sequence[tuple[str, str, str]] = (),
        clock: Clock | None = None,
        demo_help: Sequence[str] = (),
    ) -> None:
        super().__init__()
        self.settings = settings
        self.url = url or settings.url
        self.lang = settings.lang
        self.demo_logins = tuple(demo_logins)
        self.demo_help = tuple(demo_help)  # demo mode: lines the help screen (F1) shows
        self.clock = clock or Clock()
        self.client: StaffClient | None = None
        self.workspace: WorkspaceScreen | None = None
        self.alert_items: list[dict[str, Any]] = []  # a supervisor's open alerts
        # Mail reply drafts by thread id: kept in memory for the session (never stored).
        self.mail_drafts: dict[str, str] = {}
        self.animation_level = "none"
        self.theme = pick_theme(os.environ)
        if settings.keymap:
            self.set_keymap(dict(settings.keymap))

    def on_mount(self) -> None:
        self.push_screen(LoginScreen(self.url, self.lang, self.demo_logins))

    async def on_event(self, event: events.Event) -> None:
        # Keys typed while a chat is being accepted are held for it, in the order they come
        # from the terminal: the workspace sees each before any binding or widget does.
        if isinstance(event, events.Key) and not event.is_forwarded:
            ws = self.workspace
            if ws is not None and self.screen is ws and ws.hold_key(event):
                return
        await super().on_event(event)

    # -- session -------------------------------------------------------------------------------

    async def login(self, user: str, password: str, otp: str) -> None:
        """Log in (raises LoginFailed) and open the workspace on the new session."""
        client = StaffClient(self.url, self._on_frame, self._on_state)
        session = await client.login(user, password, otp)
        self.client = client
        self.open_workspace(ev.to_dict(session))
        self.run_client()

    def open_workspace(self, session: dict[str, Any]) -> WorkspaceScreen:
        """Show the workspace for a session (tests drive it with Messages, no client)."""
        self.workspace = WorkspaceScreen(session, self.lang)
        self.switch_screen(self.workspace)
        return self.workspace

    @work(exclusive=True, group="relay", exit_on_error=False)
    async def run_client(self) -> None:
        if self.client is not None:
            await self.client.run()

    def _on_frame(self, frame: Incoming) -> None:
        if not isinstance(frame, dict):
            # A chat-core event: for the workspace.
            message = message_for(frame)
            if message is not None and self.workspace is not None:
                self.workspace.post_message(message)
            return
        if frame.get("type") == "alerts":
            self._on_alerts(alert_items(frame))
            return
        if frame.get("type") in MAIL_FRAMES:
            # Mail pushes (no content) go to open Mail screens: they refresh their list.
            for screen in self._mail_screens():
                message = message_for(frame)
                if message is not None:
                    screen.post_message(message)
            return
        self._route_supervision(frame)
        # Registration and notes pushes: the workspace and open supervision screens.
        for target in [self.workspace, *self._supervision_screens()]:
            registration = registration_message(frame)
            if registration is not None and target is not None:
                target.post_message(registration)

    def is_supervisor(self) -> bool:
        return self.workspace is not None and self.workspace.role == "supervisor"

    def _on_alerts(self, items: list[dict[str, Any]]) -> None:
        """A supervisor's alert list: to every screen's alert line; a new alert rings once."""
        known = {alert_key(i) for i in self.alert_items}
        self.alert_items = items
        if any(alert_key(i) not in known for i in items):
            self.ring()
        for screen in self.screen_stack:
            if isinstance(screen, ConsoleScreen) or getattr(screen, "ALERTS", False):
                screen.post_message(AlertsChanged(items))

    def _on_state(self, state: str) -> None:
        if self.workspace is not None:
            self.workspace.post_message(ConnectionChanged(state))
        for screen in [*self._supervision_screens(), *self._mail_screens()]:
            screen.post_message(ConnectionChanged(state))

    def _mail_screens(self) -> list[Any]:
        return [s for s in self.screen_stack if getattr(s, "MAIL_EVENTS", False)]

    def _supervision_screens(self) -> list[Any]:
        return [s for s in self.screen_stack if getattr(s, "SUPERVISION", False)]

    def _route_supervision(self, frame: dict[str, Any]) -> None:
        """Supervision frames (issue 7): to the workspace and to open supervision screens."""
        targets = [self.workspace] if self.workspace is not None else []
        for target in [*targets, *self._supervision_screens()]:
            message = supervision_message(frame)
            if message is None:
                return
            target.post_message(message)

    async def send(self, frame: Outgoing) -> bool:
        """Send one frame to the relay; False when there is no link right now."""
        return self.client is not None and await self.client.send(frame)

    async def colleagues(self) -> list[tuple[str, str]]:
        """(user, alias) of logged-in counsellors and supervisors, when the relay tells us."""
        if self.client is None:
            return []
        reply = await self.client.request({"type": "staff"}, wait=3.0)
        if not reply or reply.get("type") != "staff":
            return []
        found: list[tuple[str, str]] = []
        for entry in reply.get("staff") or []:
            if isinstance(entry, dict) and isinstance(entry.get("user"), str):
                if entry.get("role", "counsellor") in STAFF_ROLES:
                    found.append((entry["user"], str(entry.get("name") or entry["user"])))
        return found

    # -- activity on every screen ------------------------------------------------------------

    def activity_content(self) -> Content | None:
        """The activity line's text, or None when there is no chat work (admin, signed out)."""
        from console1712.widgets.activity import activity_content

        ws = self.workspace
        if ws is None or not ws.is_mounted or ws.role not in STAFF_ROLES:
            return None
        try:
            panes = ws.ordered_panes()
        except NoMatches:
            return None  # the tabs are being rebuilt; the next change draws the line
        tabs = [
            (number, pane.state.nickname, pane.state.unread, pane.state.waited is not None)
            for number, pane in enumerate(panes, 1)
        ]
        return activity_content(tabs, ws.waiting_count, self.lang)

    def activity_changed(self) -> None:
        """Unread counts, reply waits or the queue changed: update the lines on other screens."""
        from console1712.widgets.activity import ActivityLine

        lines = [line for screen in self.screen_stack[1:] for line in screen.query(ActivityLine)]
        if not lines:
            return  # only the workspace is open: nothing to update
        content = self.activity_content()
        if content is None:
            return
        for line in lines:
            line.show(content)

    def jump_to_chat(self) -> None:
        """F9 from any screen or dialog: back to the workspace, at the tab with news."""
        ws = self.workspace
        if ws is None or ws not in self.screen_stack:
            return
        while self.screen is not ws and len(self.screen_stack) > 1:
            self.pop_screen()
        ws.action_activity()

    async def colleague_rows(self) -> list[tuple[str, dict[str, Any]]]:
        """(user, staff entry with status and chats) of logged-in counsellors and supervisors."""
        if self.client is None:
            return []
        reply = await self.client.request({"type": "staff"}, wait=3.0)
        if not reply or reply.get("type") != "staff":
            return []
        return [
            (entry["user"], entry)
            for entry in reply.get("staff") or []
            if isinstance(entry, dict)
            and isinstance(entry.get("user"), str)
            and entry.get("role", "counsellor") in STAFF_ROLES
        ]

    def ring(self) -> None:
        """The terminal bell, if the counsellor wants it."""
        if self.settings.bell:
            self.bell()

    # -- quitting --------------------------------------------------------------------------------

    def request_quit(self) -> None:
        """Quit; with open chats only after each is given back to the queue or transferred
        (a chatter is never left writing to nobody)."""
        open_chats = self.workspace.open_count() if self.workspace else 0
        if not open_chats:
            self.run_worker(self._end_session())
            return

        def chosen(choice: str | None) -> None:
            if choice == "return":
                self.run_worker(self._return_all_and_quit(), exclusive=True, group="quit")
            elif choice == "transfer":
                self.run_worker(self._transfer_each_and_quit(), exclusive=True, group="quit")

        self.push_screen(QuitScreen(open_chats, self.lang), chosen)

    def _open_panes(self) -> list[Any]:
        ws = self.workspace
        return [] if ws is None else [p for p in ws.ordered_panes() if p.state.open]

    async def _hand_off(self, frame: dict[str, Any] | req.OpRequest, answer: str) -> bool:
        """One chat handed off (returned or transferred); False (and said so) if not."""
        reply = None if self.client is None else await self.client.request(frame, wait=10)
        if reply is not None and reply.get("type") == answer:
            return True
        code = "offline" if reply is None else one_line(str(reply.get("code")))[:40]
        if self.workspace is not None:
            self.workspace.flash(t("quit.failed", self.lang, code=code))
        return False

    async def _return_all_and_quit(self) -> None:
        for pane in self._open_panes():
            frame = req.ChatReturn(chat=pane.state.chat)
            if not await self._hand_off(frame, "chat_returned"):
                return
        await self._end_session()

    async def _transfer_each_and_quit(self) -> None:
        own = self.workspace.session.get("user") if self.workspace else None
        colleagues = [(u, n) for u, n in await self.colleagues() if u != own]
        if not colleagues:
            if self.workspace is not None:
                self.workspace.flash(t("quit.nobody", self.lang))
            return
        items = [(u, Content(f"{one_line(n)} ({one_line(u)})")) for u, n in colleagues]
        for pane in self._open_panes():
            nickname = strip_controls(pane.state.nickname)[:30]
            user = await self.push_screen_wait(
                PickScreen(t("quit.transfer_to", self.lang, nickname=nickname), items, self.lang)
            )
            if not user:
                return  # cancelled: stay signed in with what is left
            frame = {"type": "transfer", "chat": pane.state.chat, "to": user}
            if not await self._hand_off(frame, "released"):
                return
        await self._end_session()

    async def action_quit(self) -> None:
        self.request_quit()

    async def _end_session(self) -> None:
        # Quitting ends the session on the relay too: a token left behind would log in for
        # 12 hours more on this shared thin client.
        if self.client is not None:
            await self.client.logout()
        self.exit()
