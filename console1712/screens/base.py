"""What every console screen shares: the typed app, and footer texts in the console's language."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer

from console1712.compat import tui
from console1712.widgets.activity import ActivityLine

if TYPE_CHECKING:
    from console1712.app import ConsoleApp
    from console1712.widgets.alert_line import AlertLine
    from console1712.widgets.supervisor_events import AlertsChanged


ResultType = TypeVar("ResultType")
# F9 means "to the chat with news" on every screen and dialog, as in the workspace.
ACTIVITY_BINDING = Binding("f9", "activity", "chat", show=False, priority=True, id="activity")


def mount_activity(screen: Screen[Any]) -> None:
    """Add the activity line to a screen, when a workspace with chats is behind it."""
    content = cast("ConsoleApp", screen.app).activity_content()
    if content is not None and not screen.query(ActivityLine):
        screen.mount(ActivityLine(content))


class ConsoleScreen(Screen[Any]):
    """A screen of the console app. F1 lists its keys (the workspace lists its own). For
    supervisors it shows the alert line (what needs them, until handled) at the bottom, and
    ctrl+a opens the list, on every screen."""

    BINDINGS = [
        Binding("f1", "help", show=False, id="screen.help"),
        Binding("ctrl+a", "alerts", "meldingen", show=False, priority=True, id="alerts.open"),
        ACTIVITY_BINDING,
    ]

    SHOW_ACTIVITY = True  # the activity line (the workspace has its own tabs and status)

    @property
    def console(self) -> ConsoleApp:
        return cast("ConsoleApp", self.app)

    def action_help(self) -> None:
        from console1712.screens.help import HelpScreen, screen_rows

        lang = getattr(self, "lang", None) or self.console.settings.lang
        self.app.push_screen(HelpScreen(screen_rows(self), None, lang))

    def on_screen_resume(self) -> None:
        # Each time the screen comes to the front: the line is mounted the first time, and
        # shows the app's current items (they may have changed while a dialog was on top).
        if not self.console.is_supervisor():
            return
        from console1712.widgets.alert_line import AlertLine

        lines = list(self.query(AlertLine))
        line = lines[0] if lines else AlertLine(self.console.lang, id="alert-line")
        if not lines:
            # Last in the flow, just above the (docked) footer, so the keys stay visible.
            footers = list(self.query(Footer))
            self.mount(line, before=footers[0]) if footers else self.mount(line)
        line.show(self.console.alert_items)

    def on_alerts_changed(self, message: AlertsChanged) -> None:
        for line in self.query("#alert-line"):
            cast("AlertLine", line).show(message.items)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "alerts":
            return self.console.is_supervisor()  # otherwise ctrl+a stays the field's key
        return True

    def action_alerts(self) -> None:
        from console1712.screens.alerts import AlertsScreen

        self.app.push_screen(AlertsScreen(self.console.lang))

    def on_mount(self) -> None:
        if self.SHOW_ACTIVITY:
            mount_activity(self)

    def action_activity(self) -> None:
        self.console.jump_to_chat()


class ConsoleModal(ModalScreen[ResultType]):
    """A dialog of the console app: it shows the activity line and F9 too."""

    BINDINGS = [ACTIVITY_BINDING]

    def on_mount(self) -> None:
        mount_activity(self)

    def action_activity(self) -> None:
        cast("ConsoleApp", self.app).jump_to_chat()


def translate_footer(screen: Screen[Any], text_for: Callable[[Binding], str | None]) -> None:
    """Replace binding descriptions (shown in the footer) by `text_for(binding)` where given;
    binding ids stay, so keymaps keep working."""
    by_key = tui.key_bindings(screen)
    for key, bindings in by_key.items():
        by_key[key] = [
            dataclasses.replace(b, description=text) if (text := text_for(b)) is not None else b
            for b in bindings
        ]
