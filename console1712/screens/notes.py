"""The counsellor's own notes on one chat: a pane over the lower part of the workspace, so
the conversation stays in sight while writing. Kept (sealed) by the relay with the chat."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from console1712.domain.text import one_line, strip_controls
from console1712.i18n import t

MAX_NOTES = 4000


class NotesScreen(ModalScreen[str | None]):
    """Edit the notes of one chat; dismissed with the new text, or None when unchanged.

    Esc keeps what was written too: closing the pane never throws notes away."""

    CSS_PATH = "registration.tcss"
    BINDINGS = [
        Binding("ctrl+y", "close", "bewaren", id="notes.save", priority=True),
        Binding("escape", "close", "sluiten", id="notes.close"),
    ]

    def __init__(self, title: str, text: str, lang: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = strip_controls(text)
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical(id="notes"):
            yield Static(Content(one_line(self.title_text)), classes="dialog-title")
            yield TextArea(self.text, soft_wrap=True, id="notes-text")
            yield Static(Content(t("notes.keys", self.lang)), classes="dialog-keys")

    def on_mount(self) -> None:
        area = self.query_one("#notes-text", TextArea)
        area.cursor_blink = False  # an idle pane sends nothing to the terminal
        area.focus()
        area.move_cursor(area.document.end)

    def action_close(self) -> None:
        text = strip_controls(self.query_one("#notes-text", TextArea).text)[:MAX_NOTES]
        self.dismiss(None if text == self.text else text)
