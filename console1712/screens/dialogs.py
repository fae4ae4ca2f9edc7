"""Modal dialogs: confirm, transfer, block, canned replies, go to tab 1-9."""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from console1712.domain.text import one_line
from console1712.i18n import t
from console1712.screens.base import ConsoleModal


class ConfirmScreen(ConsoleModal[bool]):
    """Yes/no with ctrl+y to confirm: a destructive action never hangs on one plain key."""

    BINDINGS = [
        Binding("ctrl+y", "answer(True)", "ja", id="confirm.yes"),
        Binding("escape,ctrl+n", "answer(False)", "nee", id="confirm.no"),
    ]

    def __init__(self, question: Content | str, lang: str) -> None:
        super().__init__()
        self.question = question if isinstance(question, Content) else Content(question)
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-title")
            yield Static(Content(t("dialog.confirm_keys", self.lang)), classes="dialog-keys")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class PickScreen(ConsoleModal[str | None]):
    """Choose one of a list (canned replies, colleagues); Enter takes, Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "annuleren", id="pick.cancel")]

    def __init__(
        self, title: str, items: Sequence[tuple[str, Content]], lang: str, *, free_text: str = ""
    ) -> None:
        super().__init__()
        self.title_text = title
        self.items = list(items)
        self.lang = lang
        self.free_text = free_text  # placeholder of a text field offered when the list is empty

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(self.title_text), classes="dialog-title")
            if self.items:
                yield OptionList(
                    *(Option(label, id=key) for key, label in self.items), id="pick-list"
                )
            else:
                yield Static(Content(t("dialog.transfer_none", self.lang)))
                yield Input(placeholder=self.free_text, id="pick-input")
            yield Static(Content(t("dialog.pick_keys", self.lang)), classes="dialog-keys")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        if value:
            self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class DigitPicks(Input):
    """A filter field where letters filter and a digit picks (digits never go in)."""

    class Picked(Message):
        def __init__(self, digit: str) -> None:
            super().__init__()
            self.digit = digit

    async def on_key(self, event: events.Key) -> None:
        # Runs before Input's own key handler, which prevent_default() skips.
        character = event.character or ""
        if len(character) == 1 and character.isdigit():
            event.stop()
            event.prevent_default()
            self.post_message(self.Picked(character))


class CannedScreen(ConsoleModal[str | None]):
    """Canned replies: numbered, each shown in full (wrapped at words); letters filter, a
    digit picks, Enter takes the highlighted one. The choice goes into the input, unsent."""

    BINDINGS = [
        Binding("escape", "cancel", "annuleren", id="canned.cancel"),
        Binding("down", "move(1)", show=False, id="canned.down"),
        Binding("up", "move(-1)", show=False, id="canned.up"),
    ]

    def __init__(self, texts: Sequence[tuple[str, str]], lang: str) -> None:
        super().__init__()
        # Fixed numbers: a reply keeps its digit whatever the filter shows.
        self.texts = [(str(n), key, text) for n, (key, text) in enumerate(texts, 1)]
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-canned"):
            yield Static(Content(t("dialog.canned", self.lang)), classes="dialog-title")
            yield DigitPicks(
                placeholder=t("dialog.canned_filter", self.lang), compact=True, id="canned-filter"
            )
            yield OptionList(id="canned-list")
            yield Static(Content(t("dialog.canned_keys", self.lang)), classes="dialog-keys")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#canned-filter", Input).focus()

    def _fill(self, needle: str) -> None:
        options = self.query_one("#canned-list", OptionList)
        options.clear_options()
        needle = needle.casefold().strip()
        for number, key, text in self.texts:
            if needle and needle not in text.casefold() and needle not in key.casefold():
                continue
            # OptionList wraps a prompt at spaces: the full text, never cut mid-word.
            label = Content.assemble((f"{number} ", "bold"), one_line(text))
            options.add_option(Option(label, id=key))
        if options.option_count:
            options.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._fill(event.value)

    def on_digit_picks_picked(self, message: DigitPicks.Picked) -> None:
        message.stop()
        for number, key, _ in self.texts:
            if number == message.digit:
                self.dismiss(key)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one("#canned-list", OptionList)
        if options.highlighted is not None and options.option_count:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_move(self, step: int) -> None:
        options = self.query_one("#canned-list", OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + step))

    def action_cancel(self) -> None:
        self.dismiss(None)


class NoteScreen(ConsoleModal[str | None]):
    """A one-line optional text (the handover note of a transfer); Enter takes it."""

    BINDINGS = [Binding("escape", "cancel", "annuleren", id="note.cancel")]

    def __init__(self, title: str, placeholder: str, keys: str) -> None:
        super().__init__()
        self.title_text = title
        self.placeholder = placeholder
        self.keys = keys

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(self.title_text), classes="dialog-title")
            yield Input(placeholder=self.placeholder, max_length=1000, id="note-input")
            yield Static(Content(self.keys), classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#note-input", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class BlockScreen(ConsoleModal[tuple[int, str] | None]):
    """Hours and reason for a block, confirmed with ctrl+y."""

    BINDINGS = [
        Binding("ctrl+y", "confirm", "blokkeren", id="block.confirm"),
        Binding("escape", "cancel", "annuleren", id="block.cancel"),
    ]

    def __init__(self, nickname: str, lang: str) -> None:
        super().__init__()
        self.nickname = nickname
        self.lang = lang

    def compose(self) -> ComposeResult:
        lang = self.lang
        with Vertical(classes="dialog"):
            yield Static(
                Content(t("dialog.block", lang, nickname=one_line(self.nickname))),
                classes="dialog-title",
            )
            yield Static(Content(t("dialog.block_scope", lang)), classes="dialog-note")
            yield Static(Content(t("dialog.block_hours_label", lang)), classes="dialog-label")
            yield Input(
                "24",
                placeholder=t("dialog.block_hours", lang),
                restrict=r"\d{0,3}",
                id="block-hours",
            )
            yield Static(Content(t("dialog.block_reason_label", lang)), classes="dialog-label")
            yield Input(
                placeholder=t("dialog.block_reason", lang), max_length=500, id="block-reason"
            )
            yield Static("", id="block-error")
            yield Static(Content(t("dialog.block_keys", lang)), classes="dialog-keys")

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.cursor_blink = False
        # The first field first: Tab then follows the order on screen.
        self.query_one("#block-hours", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def action_confirm(self) -> None:
        hours_text = self.query_one("#block-hours", Input).value
        reason = self.query_one("#block-reason", Input).value.strip()
        hours = int(hours_text) if hours_text.isdigit() else 0
        if not 1 <= hours <= 720 or not reason:
            self.query_one("#block-error", Static).update(Content(t("dialog.block_bad", self.lang)))
            return
        self.dismiss((hours, reason))

    def action_cancel(self) -> None:
        self.dismiss(None)


class GotoScreen(ModalScreen[int | None]):
    """The second half of the ctrl+g chord: a digit picks tab 1-9, anything else cancels."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-small"):
            yield Static(Content(t("dialog.goto", self.lang)), classes="dialog-title")

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        character = event.character or ""
        if len(character) == 1 and character in "123456789":
            self.dismiss(int(character))
        else:
            self.dismiss(None)


class ThemesScreen(ModalScreen[list[str] | None]):
    """Choose one or more themes (dossier, phone contact): space marks, Enter keeps the
    choice in the order marked (the first is the main theme), Esc cancels."""

    BINDINGS = [
        Binding("escape", "cancel", "annuleren", id="themes.cancel"),
        Binding("enter", "keep", "bewaren", priority=True, id="themes.keep"),
    ]

    def __init__(
        self, title: str, themes: Sequence[tuple[str, str]], chosen: Sequence[str], lang: str
    ) -> None:
        """`themes`: (id, label) in the taxonomy's order; `chosen`: ids marked already."""
        super().__init__()
        self.title_text = title
        self.themes = list(themes)
        self.chosen = list(chosen)
        self.lang = lang

    def compose(self) -> ComposeResult:
        from textual.widgets import SelectionList

        with Vertical(classes="dialog"):
            yield Static(Content(self.title_text), classes="dialog-title")
            yield SelectionList[str](
                *((Content(label), key, key in self.chosen) for key, label in self.themes),
                id="themes-list",
            )
            yield Static(Content(t("dialog.themes_keys", self.lang)), classes="dialog-keys")

    def on_mount(self) -> None:
        from textual.widgets import SelectionList

        listing = self.query_one("#themes-list", SelectionList)
        # Already chosen first, in their order; new marks come after them.
        listing.deselect_all()
        for key in self.chosen:
            listing.select(key)

    def action_keep(self) -> None:
        from textual.widgets import SelectionList

        self.dismiss(list(self.query_one("#themes-list", SelectionList).selected))

    def action_cancel(self) -> None:
        self.dismiss(None)


class QuitScreen(ModalScreen[str | None]):
    """Quitting with open chats: give them back to the queue (the default) or transfer each
    one; there is no "just quit" while a chatter would be left with nobody."""

    BINDINGS = [Binding("escape", "cancel", "blijven", id="quit.cancel")]

    def __init__(self, open_chats: int, lang: str) -> None:
        super().__init__()
        self.open_chats = open_chats
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                Content(t("quit.title", self.lang, n=self.open_chats)), classes="dialog-title"
            )
            yield OptionList(
                Option(Content(t("quit.return", self.lang)), id="return"),
                Option(Content(t("quit.transfer", self.lang)), id="transfer"),
                id="quit-choice",
            )
            yield Static(Content(t("quit.keys", self.lang)), classes="dialog-keys")

    def on_mount(self) -> None:
        choice = self.query_one("#quit-choice", OptionList)
        choice.highlighted = 0  # returning them is the default
        choice.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
