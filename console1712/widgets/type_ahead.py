"""Type-ahead while a chat is being accepted: what is typed before its tab opens.

F2/F3 (or Enter on the queue) asks the relay for a chat; its tab opens only when `assigned`
comes back. Keys typed in between are held here (the app hands them over before any widget
sees them) and put into the chat's input when it opens; a line ended with Enter is sent
then, as a terminal's type-ahead would. If the relay refuses the chat, the text stays in
this box, editable, and goes into the next chat accepted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.widgets import TextArea

from console1712.i18n import plural, t


@dataclass
class Held:
    """What was typed for one accept still under way (`ref` is on the relay's answer)."""

    ref: str
    chat: str | None  # the chat asked for; None: the next waiting one (F3)
    lines: list[str] = field(default_factory=list)  # ended with Enter: sent when it opens
    draft: str = ""  # typed after the last Enter: left in the input

    def text(self) -> str:
        """Everything held, as one text for the counsellor to look at again (nothing sent)."""
        return "\n".join([*self.lines, self.draft] if self.draft else self.lines)


class TypeAhead(TextArea):
    """Shows the held text under the chats while an accept is under way (read-only: the
    workspace edits it key by key); after a refusal, the text parked for the next chat."""

    DEFAULT_CSS = """
    TypeAhead { height: 4; border: tall $border; padding: 0 1; display: none; }
    """

    def __init__(self, lang: str, *, id: str | None = None) -> None:
        super().__init__(
            id=id, soft_wrap=True, show_line_numbers=False, tab_behavior="focus", read_only=True
        )
        self.lang = lang
        self.cursor_blink = False  # as the chat input: nothing sent to the terminal when idle

    def show_held(self, held: Held) -> None:
        """Collecting for an accept: the lines to send and the draft, as typed."""
        self.read_only = True
        self.border_title = t("typeahead.waiting", self.lang)
        self.border_subtitle = (
            plural("typeahead.lines", len(held.lines), self.lang) if held.lines else ""
        )
        self._show("\n".join([*held.lines, held.draft]))

    def park(self, text: str) -> None:
        """A refused accept's text: kept here, editable, for the next chat accepted."""
        self.read_only = False
        self.border_title = t("typeahead.parked", self.lang)
        self.border_subtitle = t("typeahead.parked_keys", self.lang)
        self._show(text)

    def _show(self, text: str) -> None:
        if self.text != text:
            self.load_text(text)
            self.move_cursor(self.document.end)
        self.display = True

    def hide(self) -> None:
        self.load_text("")
        self.display = False
