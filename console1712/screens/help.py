"""The help screen: every key of a screen, as currently mapped (F1 on every screen)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from console1712.i18n import t
from console1712.screens.base import ConsoleModal


def key_rows(
    ids: Sequence[str], defaults: dict[str, str], keymap: dict[str, str]
) -> list[tuple[str, str]]:
    """(keys, binding id) for each binding id, with the user's keymap applied."""
    return [(keymap.get(i, defaults[i]), i) for i in ids]


def screen_rows(screen: Screen[Any]) -> list[tuple[str, str]]:
    """(keys, what it does) for every key active on `screen` now, as its footer names it."""
    by_action: dict[tuple[str, str], list[str]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if binding.action in ("help", "app.help") or not binding.description:
            continue
        by_action.setdefault((binding.action, binding.description), []).append(key)
    return [(",".join(keys), text) for (_, text), keys in by_action.items()]


class HelpScreen(ConsoleModal[None]):
    BINDINGS = [Binding("escape,f1", "close", "sluiten", id="help.close")]

    def __init__(
        self,
        rows: Sequence[tuple[str, str]],
        newline_keys: str | None,
        lang: str,
        *,
        demo_lines: Sequence[str] = (),
        demo_logins: Sequence[tuple[str, str, str]] = (),
    ) -> None:
        """`rows`: (keys, what they do); `newline_keys`: the composer's new-line keys, if any;
        in demo mode, the demo's addresses and logins."""
        super().__init__()
        self.rows = list(rows)
        self.newline_keys = newline_keys
        self.lang = lang
        # Demo mode: addresses, ports and logins stay at hand inside the console.
        self.demo_lines = list(demo_lines)
        self.demo_logins = list(demo_logins)

    def compose(self) -> ComposeResult:
        lang = self.lang
        width = max((len(keys) for keys, _ in self.rows), default=0) + 2
        lines: list[str | tuple[str, str]] = []
        for keys, text in self.rows:
            lines.append((keys.ljust(width), "bold"))
            lines.append(text + "\n")
        if self.newline_keys:
            lines.append((t("help.input", lang, newline=self.newline_keys), "italic"))
        with VerticalScroll(classes="dialog help"):
            yield Static(Content(t("help.title", lang)), classes="dialog-title")
            yield Static(Content.assemble(*lines), id="help-keys")
            if self.demo_lines or self.demo_logins:
                yield Static(self._demo(), id="help-demo")
            yield Static(Content(t("help.close", lang)), classes="dialog-keys")

    def _demo(self) -> Content:
        """The demo's lines and logins with their current codes, as plain text."""
        import time

        from console1712.domain.text import strip_controls
        from console1712.screens.login import totp_now

        now = time.time()
        parts: list[str | tuple[str, str]] = [("\n" + t("help.demo", self.lang), "bold")]
        for line in self.demo_lines:
            parts.append("\n" + strip_controls(line))
        for name, password, secret in self.demo_logins:
            row = t(
                "login.demo_row",
                self.lang,
                name=strip_controls(name),
                password=strip_controls(password),
                code=totp_now(secret, now),
            )
            parts.append("\n" + row)
        return Content.assemble(*parts)

    def action_close(self) -> None:
        self.dismiss(None)
