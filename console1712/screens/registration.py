"""The registration (wrap-up) of a contact: a keyboard form of codes and a short note.

Opened after a chat ends (and from the list of open registrations, ctrl+e); Esc postpones it
(the relay keeps it open), ctrl+y saves it. The relay checks every rule again
(docs/protocol.md, "Registration operations") and its refusal is shown in the form.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from console1712.domain.text import one_line, strip_controls
from console1712.i18n import t
from console1712.protocol.frames import BadRequest
from console1712.protocol.operations import RegistrationSave, decode_as
from console1712.widgets.choice_row import ChoiceRow

Frame = dict[str, Any]
MAX_NOTE = 2000
# The form's rows: (field, codes key in `registration_codes`, multi, optional).
ROWS: tuple[tuple[str, str, bool, bool], ...] = (
    ("kind", "kinds", False, False),
    ("themes", "themes", True, True),
    ("about", "about", False, True),
    ("relation", "relations", False, True),
    ("risk", "risks", False, False),
    ("action", "actions", False, True),
    ("referrals", "referrals", True, True),
    ("age_band", "age_bands", False, False),
    ("gender", "genders", False, False),
)


def _options(codes: Frame, key: str) -> list[tuple[str, str]]:
    found = []
    for entry in codes.get(key) or []:
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            found.append((entry["id"], str(entry.get("label") or entry["id"])))
    return found


def initial(registration: Frame) -> Frame:
    """What the form starts with: the saved codes, or the prefill of an open registration."""
    saved = registration.get("codes")
    if isinstance(saved, dict):
        return {**saved, "note": registration.get("note")}
    prefill = registration.get("prefill")
    start: Frame = {"risk": "none", "age_band": "unknown", "gender": "unknown"}
    if isinstance(prefill, dict):
        start.update({k: v for k, v in prefill.items() if v is not None})
    return start


class RegistrationScreen(ModalScreen[bool]):
    """The form for one contact; dismissed True once saved, False when postponed."""

    CSS_PATH = "registration.tcss"
    BINDINGS = [
        Binding("ctrl+y", "save", "opslaan", id="registration.save"),
        Binding("escape", "later", "later", id="registration.later"),
        Binding("up", "move(-1)", show=False),
        Binding("down", "move(1)", show=False),
    ]

    def __init__(self, codes: Frame, registration: Frame, title: str, lang: str) -> None:
        super().__init__()
        self.codes = codes
        self.registration = registration
        self.contact = str(registration.get("contact", ""))
        self.title_text = title
        self.lang = lang
        self.start = initial(registration)

    def compose(self) -> ComposeResult:
        lang = self.lang
        with Vertical(classes="dialog", id="registration"):
            yield Static(Content(one_line(self.title_text)), classes="dialog-title")
            for field, key, multi, optional in ROWS:
                value = self.start.get(field)
                yield ChoiceRow(
                    t(f"reg.field.{field}", lang),
                    _options(self.codes, key),
                    value=value if isinstance(value, str) else None,
                    chosen=[v for v in value if isinstance(v, str)]
                    if isinstance(value, list)
                    else (),
                    multi=multi,
                    optional=optional,
                    unset=t("reg.unset", lang),
                    id=f"reg-{field}",
                )
            note = self.start.get("note")
            yield Input(
                value=strip_controls(note) if isinstance(note, str) else "",
                placeholder=t("reg.field.note", lang),
                max_length=MAX_NOTE,
                compact=True,
                id="reg-note",
            )
            yield Static("", id="reg-error")
            yield Static(Content(t("reg.keys", lang)), classes="dialog-keys")

    def on_mount(self) -> None:
        self._sync_action()
        self.query_one("#reg-kind", ChoiceRow).focus()

    def row(self, field: str) -> ChoiceRow:
        return self.query_one(f"#reg-{field}", ChoiceRow)

    def on_choice_row_changed(self, message: ChoiceRow.Changed) -> None:
        if message.row.id == "reg-risk":
            self._sync_action()

    def _sync_action(self) -> None:
        # An action is asked only for an acute risk.
        self.row("action").set_class(self.row("risk").value != "acute", "-inactive")

    def action_move(self, step: int) -> None:
        if step > 0:
            self.focus_next()
        else:
            self.focus_previous()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()

    def frame(self) -> Frame:
        """The `registration_save` request for what the form shows."""
        frame: Frame = {"type": "registration_save", "contact": self.contact}
        for field, _, multi, _ in ROWS:
            row = self.row(field)
            if multi:
                frame[field] = list(row.chosen)
            elif row.value is not None:
                frame[field] = row.value
        if frame.get("risk") != "acute":
            frame.pop("action", None)
        note = self.query_one("#reg-note", Input).value.strip()
        if note:
            frame["note"] = note
        return frame

    def missing(self, frame: Frame) -> str | None:
        """The first field the relay would refuse (checked here too: no round trip)."""
        requests = self.codes.get("requests") or ["help", "information"]
        if "kind" not in frame:
            return "kind"
        if frame["kind"] in requests and not frame.get("themes"):
            return "themes"
        if frame.get("risk") == "acute" and "action" not in frame:
            return "action"
        return None

    def show_error(self, text: str) -> None:
        self.query_one("#reg-error", Static).update(Content(one_line(text)))

    async def action_save(self) -> None:
        from console1712.screens.supervisor import ask

        frame = self.frame()
        field = self.missing(frame)
        if field is not None:
            label = t(f"reg.field.{field}", self.lang)
            self.show_error(t("reg.invalid", self.lang, field=label))
            self.row(field).focus()
            return
        try:
            request = decode_as(RegistrationSave, frame)  # the relay's rules, checked here
        except BadRequest as exc:
            self.show_error(t("reg.invalid", self.lang, field=exc.field))
            return
        reply = await ask(self.app, request)
        if reply is not None and reply.get("type") == "registration_saved":
            self.dismiss(True)
            return
        code = "offline" if reply is None else str(reply.get("code"))
        detail = "" if reply is None else str(reply.get("detail") or "")
        self.show_error(detail or t("workspace.error", self.lang, code=one_line(code)[:40]))

    def action_later(self) -> None:
        self.dismiss(False)
