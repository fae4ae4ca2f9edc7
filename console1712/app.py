"""The counsellor console: screens, bindings, and one network worker (the staff client)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.content import Content

from console1712.clock import Clock
from console1712.config import Settings
from console1712.domain.text import one_line
from console1712.i18n import t
from console1712.net.staff_client import StaffClient
from console1712.screens.dialogs import ConfirmScreen
from console1712.screens.login import LoginScreen
from console1712.screens.workspace import WorkspaceScreen
from console1712.widgets.events import MAIL_FRAMES, ConnectionChanged, message_for
from console1712.widgets.registration_events import registration_message
from console1712.widgets.supervisor_events import supervision_message


def pick_theme(environ: dict[str, str] | os._Environ[str]) -> str:
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
    ) -> None:
        super().__init__()
        self.settings = settings
        self.url = url or settings.url
        self.lang = settings.lang
        self.demo_logins = tuple(demo_logins)
        self.clock = clock or Clock()
        self.client: StaffClient | None = None
        self.workspace: WorkspaceScreen | None = None
        self.animation_level = "none"
        self.theme = pick_theme(os.environ)
        if settings.keymap:
            self.set_keymap(dict(settings.keymap))

    def on_mount(self) -> None:
        self.push_screen(LoginScreen(self.url, self.lang, self.demo_logins))

    # -- session -------------------------------------------------------------------------------

    async def login(self, user: str, password: str, otp: str) -> None:
        """Log in (raises LoginFailed) and open the workspace on the new session."""
        client = StaffClient(self.url, self._on_frame, self._on_state)
        session = await client.login(user, password, otp)
        self.client = client
        self.open_workspace(session)
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

    def _on_frame(self, frame: dict[str, Any]) -> None:
        if frame.get("type") in MAIL_FRAMES:
            # Mail pushes (no content) go to open Mail screens: they refresh their list.
            for screen in self._mail_screens():
                message = message_for(frame)
                if message is not None:
                    screen.post_message(message)
            return
        message = message_for(frame)
        if message is not None and self.workspace is not None:
            self.workspace.post_message(message)
        self._route_supervision(frame)
        # Registration and notes pushes: the workspace and open supervision screens.
        for target in [self.workspace, *self._supervision_screens()]:
            registration = registration_message(frame)
            if registration is not None and target is not None:
                target.post_message(registration)

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

    async def send(self, frame: dict[str, Any]) -> bool:
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
                if entry.get("role", "counsellor") in ("counsellor", "supervisor"):
                    found.append((entry["user"], str(entry.get("name") or entry["user"])))
        return found

    def ring(self) -> None:
        """The terminal bell, if the counsellor wants it."""
        if self.settings.bell:
            self.bell()

    # -- quitting --------------------------------------------------------------------------------

    def request_quit(self) -> None:
        """Quit; with open chats only after a confirmation."""
        open_chats = self.workspace.open_count() if self.workspace else 0
        if not open_chats:
            self.run_worker(self._end_session())
            return

        def chosen(yes: bool | None) -> None:
            if yes:
                self.run_worker(self._end_session())

        question = Content(one_line(t("dialog.quit_open", self.lang, n=open_chats)))
        self.push_screen(ConfirmScreen(question, self.lang), chosen)

    async def action_quit(self) -> None:
        self.request_quit()

    async def _end_session(self) -> None:
        if self.client is not None:
            await self.client.close()
        self.exit()
