"""One line of a keyboard form: a label and a choice among codes, changed with ←/→.

A multi-choice row also keeps an ordered selection (space adds or removes the option shown;
the first chosen stays first: the main theme) and shows it on a second line. Labels may come
from the relay's settings: they are shown as literal text, never as markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widget import Widget

from console1712.domain.text import one_line

LABEL_WIDTH = 21


class ChoiceRow(Widget, can_focus=True):
    """A focusable row: `value` (single) or `chosen` (multi) among `options` (id, label)."""

    DEFAULT_CSS = """
    ChoiceRow { height: 1; width: 1fr; }
    ChoiceRow.-multi { height: 2; }
    ChoiceRow:focus { background: $accent 40%; }
    ChoiceRow.-inactive { color: $text-muted; }
    """
    BINDINGS = [
        Binding("left", "step(-1)", show=False),
        Binding("right", "step(1)", show=False),
        Binding("space", "pick", show=False),
    ]

    class Changed(Message):
        def __init__(self, row: ChoiceRow) -> None:
            super().__init__()
            self.row = row

    def __init__(
        self,
        label: str,
        options: Sequence[tuple[str, str]],
        *,
        value: str | None = None,
        chosen: Sequence[str] = (),
        multi: bool = False,
        optional: bool = True,
        unset: str = "—",
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.label = one_line(label)
        self.options = [(code, one_line(text)) for code, text in options]
        self.multi = multi
        self.unset = unset
        codes: list[str | None] = [code for code, _ in self.options]
        # Single rows may be blank (None) when optional or not chosen yet.
        self.choices: list[str | None] = list(codes)
        if not multi and (optional or value not in codes):
            self.choices = [None, *codes]
        self.value: str | None = value if value in codes else None
        self.chosen: list[str] = [c for c in chosen if c in codes]
        start = self.chosen[0] if multi and self.chosen else self.value
        self.cursor = self.choices.index(start) if start in self.choices else 0
        self.set_class(multi, "-multi")

    def label_of(self, code: str | None) -> str:
        for option, text in self.options:
            if option == code:
                return text
        return self.unset

    def action_step(self, step: int) -> None:
        if not self.choices:
            return
        self.cursor = (self.cursor + step) % len(self.choices)
        if not self.multi:
            self.value = self.choices[self.cursor]
            self.post_message(self.Changed(self))
        self.refresh()

    def action_pick(self) -> None:
        if not self.multi or not self.choices:
            return
        code = self.choices[self.cursor]
        assert code is not None
        if code in self.chosen:
            self.chosen.remove(code)
        else:
            self.chosen.append(code)
        self.post_message(self.Changed(self))
        self.refresh()

    def set_value(self, value: str | None) -> None:
        self.value = value
        if value in self.choices:
            self.cursor = self.choices.index(value)
        self.refresh()

    def render(self) -> Content:
        label = self.label[: LABEL_WIDTH - 1].ljust(LABEL_WIDTH)
        shown = self.choices[self.cursor] if self.choices else None
        parts: list[str | tuple[str, str]] = [(label, "bold"), "‹ ", self.label_of(shown), " ›"]
        if self.multi and shown is not None:
            parts.append(" [x]" if shown in self.chosen else " [ ]")
        line = Content.assemble(*parts)
        if not self.multi:
            return line
        picked = ", ".join(f"{n}. {self.label_of(code)}" for n, code in enumerate(self.chosen, 1))
        # One line for the selection: cut with an ellipsis rather than wrap out of sight.
        room = max(1, self.size.width - LABEL_WIDTH)
        if len(picked) > room:
            picked = picked[: room - 1] + "…"
        return Content("\n").join([line, Content(" " * LABEL_WIDTH + (picked or self.unset))])
