"""The status line: connection, availability, open chats, waiting chats, who is signed in."""

from __future__ import annotations

from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

from console1712.clock import Clock
from console1712.domain.text import one_line
from console1712.i18n import t


class StatusLine(Static):
    """One row at the bottom; updated only when one of its values changes."""

    DEFAULT_CSS = """
    StatusLine { height: 1; background: $panel; color: $foreground; padding: 0 1; }
    StatusLine.-offline { background: $error; color: $text; }
    """

    def __init__(self, lang: str, *, clock: Clock | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lang = lang
        self.clock = clock or Clock()
        self.connection = "connected"
        self.availability = "available"
        self.open_chats = 0
        self.waiting = 0
        self.registrations = 0  # open registrations (wrap-ups) of this counsellor
        self.who = ""
        self.flash = ""
        self._shown: Content | None = None
        self._fade: Timer | None = None
        self._flash_at: float | None = None  # when the message was set (clock.monotonic)

    FADE = 8.0  # seconds a status message stays before the line shows the usual again
    CHECK = 1.0  # seconds between looks at the clock once FADE has passed in real time

    def set(self, **values: object) -> None:
        for key, value in values.items():
            setattr(self, key, value)
        if "flash" in values:
            # A newer message restarts the wait; a message never lingers for the shift.
            if self._fade is not None:
                self._fade.stop()
                self._fade = None
            self._flash_at = None
            if values["flash"]:
                self._flash_at = self.clock.monotonic()
                self._fade = self.set_timer(self.FADE, self._maybe_fade)
        self._render_status()

    def _maybe_fade(self) -> None:
        """Fade once FADE seconds have passed on the console's clock (tests: a FakeClock,
        so a busy machine never fades a message before the test has read it)."""
        self._fade = None
        if self._flash_at is None:
            return
        if self.clock.monotonic() - self._flash_at < self.FADE:
            self._fade = self.set_timer(self.CHECK, self._maybe_fade)
            return
        self._flash_at = None
        self.flash = ""
        self._render_status()

    def _render_status(self) -> None:
        lang = self.lang
        conn = t(f"status.{self.connection}", lang)
        parts: list[str | tuple[str, str]] = [
            ("● " if self.connection == "connected" else "○ ", "bold"),
            (conn, "bold"),
        ]
        if self.flash and self.connection == "connected":
            # A notice gets the whole row (80 columns): the counts come back when it fades.
            parts += [" · ", (self.flash, "italic")]
        elif self.connection == "connected":
            parts += [
                " · ",
                t(f"status.{self.availability}", lang),
                " · ",
                t("status.open", lang, n=self.open_chats),
                " · ",
                t("status.queue", lang, n=self.waiting),
            ]
            if self.registrations:
                n = self.registrations
                text = t("reg.open.one", lang) if n == 1 else t("reg.open", lang, n=n)
                parts += [" · ", (text, "bold")]
        if self.flash and self.connection == "connected":
            pass
        elif self.flash:
            parts += [" · ", (self.flash, "italic")]
        elif self.who:
            parts += [" · ", one_line(self.who)]
        content = Content.assemble(*parts)
        self.set_class(self.connection != "connected", "-offline")
        if content != self._shown:
            self._shown = content
            self.update(content)
