"""What every console screen shares: the typed app, and footer texts in the console's language."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from textual.binding import Binding
from textual.screen import Screen

if TYPE_CHECKING:
    from console1712.app import ConsoleApp


class ConsoleScreen(Screen[Any]):
    """A screen of the console app; F1 lists its keys (the workspace lists its own)."""

    BINDINGS = [Binding("f1", "help", show=False, id="screen.help")]

    @property
    def console(self) -> ConsoleApp:
        return cast("ConsoleApp", self.app)

    def action_help(self) -> None:
        from console1712.screens.help import HelpScreen, screen_rows

        lang = getattr(self, "lang", None) or self.console.settings.lang
        self.app.push_screen(HelpScreen(screen_rows(self), None, lang))


def translate_footer(screen: Screen[Any], text_for: Callable[[Binding], str | None]) -> None:
    """Replace binding descriptions (shown in the footer) by `text_for(binding)` where given;
    binding ids stay, so keymaps keep working."""
    for key, bindings in screen._bindings.key_to_bindings.items():
        screen._bindings.key_to_bindings[key] = [
            dataclasses.replace(b, description=text) if (text := text_for(b)) is not None else b
            for b in bindings
        ]
