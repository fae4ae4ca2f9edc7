"""The Dossier screen: search, a dossier with every annotation version, annotate and correct,
link the active chat or the open mail thread, close/reopen, a legal hold (supervisors),
and the rights requests with their deadlines.

Everything comes from the relay (docs/protocol.md, "Dossier operations") through the app's
StaffClient; a worker posts each answer as a DossierReply and the screen shows it. Typed
texts (pseudonyms, annotations) are rendered as plain Text (widgets/dossier_view.py).
Admins see no content: for them the screen shows only the deadlines of rights requests.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from console1712.domain.text import one_line
from console1712.domain.themes import taxonomy
from console1712.domain.vocabulary import BRUSSELS, RIGHTS_KINDS, STAFF_ROLES
from console1712.i18n import error_text, t
from console1712.protocol import operations as req
from console1712.protocol.operations import DossierStatus
from console1712.screens.base import ConsoleModal, ConsoleScreen, translate_footer
from console1712.screens.dialogs import ConfirmScreen, PickScreen, ThemesScreen
from console1712.widgets.dossier_view import (
    local_day,
    render_annotations,
    render_head,
    request_row,
    result_row,
)

if TYPE_CHECKING:
    pass

# (binding id, keys, action, shown in the footer). F7 and F8 block and end a chat in the
# workspace and F9 jumps to chat activity everywhere, so they mean nothing else here; what
# is done less often sits in one menu (F5) rather than on keys that mean something else in
# the workspace.
KEYS: tuple[tuple[str, str, str, bool], ...] = (
    ("dossier.search", "f2", "search", True),
    ("dossier.new", "f3", "new", True),
    ("dossier.annotate", "f4", "annotate", True),
    ("dossier.more", "f5", "more", True),
    ("dossier.link", "f6", "link", True),
    ("dossier.rights", "ctrl+w", "rights", True),
    ("dossier.save", "ctrl+s", "save", False),
    ("dossier.back", "escape,f10", "back", True),
)
WAIT = 10.0


def parse_day(text: str) -> date | None:
    """A day typed as DD-MM-YYYY (or D/M/YYYY, or YYYY-MM-DD); None when it is not one."""
    found = re.fullmatch(r"\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\s*", text)
    try:
        if found:
            day, month, year = (int(x) for x in found.groups())
            return date(year, month, day)
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


class DossierReply(Message):
    """The relay's answer to one request of this screen (`what` says which)."""

    def __init__(self, what: str, frame: dict[str, Any] | None, extra: Any = None) -> None:
        super().__init__()
        self.what = what
        self.frame = frame
        self.extra = extra


class PromptScreen(ConsoleModal[str | None]):
    """One line of text (a pseudonym, a reason, a date); Enter takes, Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "annuleren", id="prompt.cancel")]

    def __init__(
        self,
        title: str,
        placeholder: str,
        *,
        value: str = "",
        max_length: int = 80,
        allow_empty: bool = False,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.placeholder = placeholder
        self.value = value
        self.max_length = max_length
        self.allow_empty = allow_empty  # Enter on an empty field answers "" (not a cancel)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(self.title_text), classes="dialog-title")
            yield Input(
                value=self.value,
                placeholder=self.placeholder,
                max_length=self.max_length,
                id="prompt-input",
            )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        if value or self.allow_empty:
            self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class DossierScreen(ConsoleScreen):
    """Dossiers of the counsellor's team and their rights requests."""

    CSS_PATH = "dossier.tcss"
    BINDINGS = [
        # priority: the search field and the editor bind some of these keys themselves.
        Binding(keys, action, binding_id, show=show, priority=True, id=binding_id)
        for binding_id, keys, action, show in KEYS
    ]

    def __init__(
        self,
        lang: str,
        role: str = "counsellor",
        chat: str | None = None,
        thread: str | None = None,
        target_label: str | None = None,
    ) -> None:
        """`target_label` names the chat or mail to link as the counsellor knows it
        ("Mila, 14:03"); it is remote text, shown as data."""
        super().__init__()
        self.lang = lang
        self.role = role
        self.chat = chat  # the chat of the workspace's active tab, to link
        self.thread = thread  # or the mail thread open on the Mail screen
        self.target_label = one_line(target_label) if target_label else None
        self.dossier: dict[str, Any] | None = None
        self.results: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.editing: dict[str, Any] | None = None  # kind, to, corrects of the annotation
        self.showing_rights = role not in STAFF_ROLES
        self._translate_bindings()

    def _translate_bindings(self) -> None:
        translate_footer(
            self,
            lambda b: (
                t(f"dossier.key.{b.id.split('.')[-1]}", self.lang) if b.id and b.show else None
            ),
        )

    @property
    def staff(self) -> bool:
        return self.role in STAFF_ROLES

    def compose(self) -> ComposeResult:
        lang = self.lang
        yield Static(Content(t("dossier.title", lang)), id="dossier-heading")
        with Horizontal(id="dossier-main"):
            with Vertical(id="dossier-left"):
                yield Input(placeholder=t("dossier.search.placeholder", lang), id="dossier-search")
                yield OptionList(id="dossier-results")
                yield OptionList(id="rights-list")
            with VerticalScroll(id="dossier-right"):
                yield Static("", id="dossier-head")
                yield Static("", id="dossier-annotations")
        yield TextArea(id="dossier-editor", soft_wrap=True)
        yield Static("", id="dossier-status")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        if self.staff and (self.chat or self.thread):
            # Say what F6 will link, so a counsellor coming from a chat or mail knows.
            key = "dossier.title.link_chat" if self.chat else "dossier.title.link_mail"
            self.query_one("#dossier-heading", Static).update(Content(t(key, self.lang)))
        self.query_one("#dossier-editor", TextArea).display = False
        self.query_one("#dossier-search", Input).cursor_blink = False
        if not self.staff:
            self.query_one("#dossier-search").display = False
            self.query_one("#dossier-results").display = False
            self.show_text(t("dossier.admin", self.lang))
        else:
            self.query_one("#dossier-head", Static).update(
                Content(t("dossier.none_open", self.lang))
            )
            self.request("search", req.DossierSearch())
        self._show_mode()
        if self.staff:
            self.query_one("#dossier-search", Input).focus()

    @property
    def code(self) -> str:
        """The open dossier's code ("" when none is open)."""
        return "" if self.dossier is None else str(self.dossier.get("code") or "")

    # -- talking to the relay ------------------------------------------------------------------

    @work(group="dossier", exit_on_error=False)
    async def request(self, what: str, frame: req.OpRequest, extra: Any = None) -> None:
        """Send one request; its answer (or None: no link) comes back as a DossierReply."""
        client = self.console.client
        reply = None if client is None else await client.request(frame, wait=WAIT)
        self.post_message(DossierReply(what, reply, extra))

    def on_dossier_reply(self, message: DossierReply) -> None:
        frame = message.frame
        if frame is None:
            self.flash(t("dossier.offline", self.lang))
            return
        if frame.get("type") == "error":
            code = str(frame.get("code", ""))
            detail = error_text(code, self.lang, area="dossier.err.")
            self.flash(t("dossier.error", self.lang, detail=detail))
            return
        handler = getattr(self, f"_got_{message.what}", None)
        if handler is not None:
            handler(frame, message.extra)

    def _got_search(self, frame: dict[str, Any], _: Any) -> None:
        found = frame.get("dossiers")
        self.results = [d for d in found if isinstance(d, dict)] if isinstance(found, list) else []
        results = self.query_one("#dossier-results", OptionList)
        results.clear_options()
        results.add_options(
            Option(result_row(d, self.lang), id=str(d.get("code"))) for d in self.results
        )
        if self.results:
            results.highlighted = 0
        else:
            self.flash(t("dossier.search.none", self.lang))

    def _got_open(self, frame: dict[str, Any], _: Any) -> None:
        dossier = frame.get("dossier")
        if isinstance(dossier, dict):
            self.dossier = dossier
            self.render_dossier()

    def _got_annotate(self, frame: dict[str, Any], _: Any) -> None:
        self.flash(t("dossier.saved", self.lang))
        self.reopen()

    def _got_changed(self, frame: dict[str, Any], done: Any) -> None:
        changed = frame.get("dossier")
        if isinstance(changed, dict) and self.dossier is not None:
            self.dossier.update(changed)
            self.render_dossier()
        if isinstance(done, str):
            self.flash(t(done, self.lang))
        self.refresh_results()

    def _got_requested(self, frame: dict[str, Any], _: Any) -> None:
        made = frame.get("request")
        if isinstance(made, dict):
            kind = t(f"rights.kind.{made.get('kind')}", self.lang)
            self.flash(t("rights.created", self.lang, kind=kind, due=local_day(made.get("due"))))
        self.reopen()
        if self.showing_rights:
            self.request("rights", req.RightsList())

    def _got_link(self, frame: dict[str, Any], _: Any) -> None:
        link = frame.get("link")
        if isinstance(link, dict) and self.dossier is not None:
            links = self.dossier.setdefault("links", [])
            if link not in links:
                links.append(link)
            self.render_dossier()
            what = f"{one_line(str(link.get('kind')))} {one_line(str(link.get('target')))}"
            self.flash(t("dossier.linked", self.lang, what=what))

    def _got_rights(self, frame: dict[str, Any], _: Any) -> None:
        found = frame.get("requests")
        self.requests = [r for r in found if isinstance(r, dict)] if isinstance(found, list) else []
        rights = self.query_one("#rights-list", OptionList)
        rights.clear_options()
        rights.add_options(
            Option(request_row(r, self.lang), id=str(r.get("id"))) for r in self.requests
        )
        if self.requests:
            rights.highlighted = 0
        else:
            self.flash(t("rights.none", self.lang))

    def _got_fulfil(self, frame: dict[str, Any], _: Any) -> None:
        self.flash(t("rights.fulfilled", self.lang))
        export = frame.get("export")
        if isinstance(export, str):
            self.show_text(export)
        elif isinstance(export, dict):
            import json

            self.show_text(json.dumps(export, ensure_ascii=False, indent=1))
        self.request("rights", req.RightsList())

    def _got_created(self, frame: dict[str, Any], _: Any) -> None:
        self._got_open(frame, None)
        self.refresh_results()

    # -- showing -----------------------------------------------------------------------------

    def flash(self, text: str) -> None:
        self.query_one("#dossier-status", Static).update(Content(one_line(text)))

    def show_text(self, text: str) -> None:
        from rich.text import Text

        from console1712.domain.text import strip_controls

        self.query_one("#dossier-head", Static).update("")
        self.query_one("#dossier-annotations", Static).update(Text(strip_controls(text)))

    def render_dossier(self) -> None:
        if self.dossier is None:
            return
        self.query_one("#dossier-head", Static).update(render_head(self.dossier, self.lang))
        self.query_one("#dossier-annotations", Static).update(
            render_annotations(self.dossier, self.lang)
        )

    def _show_mode(self) -> None:
        self.query_one("#rights-list").display = self.showing_rights
        if self.staff:
            self.query_one("#dossier-results").display = not self.showing_rights
        if self.showing_rights:
            self.request("rights", req.RightsList())
            self.query_one("#rights-list", OptionList).focus()

    def refresh_results(self) -> None:
        query = self.query_one("#dossier-search", Input).value
        self.run_search(query)

    def reopen(self) -> None:
        if self.dossier is not None:
            self.request("open", req.DossierOpen(code=self.code))

    def run_search(self, query: str) -> None:
        text = query.strip()
        theme = self._theme_for(text)
        if theme is not None:
            self.request("search", req.DossierSearch(theme=theme))
        else:
            self.request("search", req.DossierSearch(query=text or None))

    def _theme_for(self, text: str) -> str | None:
        """A query that names a theme (its id or the start of its label) searches by theme."""
        needle = text.casefold()
        if len(needle) < 3:
            return None
        for key, labels in taxonomy(self.console.settings.themes or None).items():
            if needle == key or any(
                label.casefold().startswith(needle) for label in labels.values()
            ):
                return key
        return None

    # -- events ---------------------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "dossier-search":
            event.stop()
            self.run_search(event.value)
            self.query_one("#dossier-results", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_list.id == "dossier-results" and event.option.id:
            self.request("open", req.DossierOpen(code=event.option.id))
        elif event.option_list.id == "rights-list" and event.option.id:
            self.request_action(event.option.id)

    def request_action(self, request_id: str) -> None:
        """The action per request: fulfil (by its kind), refuse, or open its dossier."""
        entry = next((r for r in self.requests if r.get("id") == request_id), None)
        if entry is None or not self.staff:
            return
        choices = []
        if entry.get("status") == "open":
            kind = t(f"rights.kind.{entry.get('kind')}", self.lang)
            choices += [
                ("fulfil", Content(f"{t('dossier.key.fulfil', self.lang)}: {kind}")),
                ("refuse", Content(t("rights.status.refused", self.lang))),
            ]
        choices.append(("open", Content(one_line(str(entry.get("code", ""))))))

        def chosen(action: str | None) -> None:
            if action == "fulfil":
                self.request("fulfil", req.RightsFulfil(id=request_id))
            elif action == "refuse":
                self.request("fulfil", req.RightsRefuse(id=request_id))
            elif action == "open":
                self.request("open", req.DossierOpen(code=str(entry.get("code") or "")))

        self.app.push_screen(PickScreen(t("rights.title", self.lang), choices, self.lang), chosen)

    # -- actions ---------------------------------------------------------------------------------

    def action_search(self) -> None:
        if self.staff:
            self.showing_rights = False
            self._show_mode()
            self.query_one("#dossier-search", Input).focus()

    def action_rights(self) -> None:
        if not self.staff:
            self.request("rights", req.RightsList())
            return
        self.showing_rights = not self.showing_rights
        self._show_mode()
        if not self.showing_rights:
            self.query_one("#dossier-results", OptionList).focus()

    def action_new(self) -> None:
        if not self.staff:
            return

        def chosen(pseudonym: str | None) -> None:
            if pseudonym:
                self.request("created", req.DossierCreate(pseudonym=pseudonym))

        self.app.push_screen(
            PromptScreen(t("dossier.key.new", self.lang), t("dossier.new.placeholder", self.lang)),
            chosen,
        )

    def action_annotate(self) -> None:
        if not self.staff or self.dossier is None:
            return
        kinds = [
            (k, Content(t(f"dossier.kind.{k}", self.lang)))
            for k in ("note", "assessment", "referral", "safety_concern", "client_disagrees")
        ]

        def chosen_kind(kind: str | None) -> None:
            if kind == "referral":
                targets = [
                    (x, Content(t(f"dossier.to.{x}", self.lang)))
                    for x in ("caw", "police", "vk", "jac", "gp", "other")
                ]
                self.app.push_screen(
                    PickScreen(t("dossier.annotate.to", self.lang), targets, self.lang),
                    lambda to: self.start_editor({"kind": kind, "to": to}) if to else None,
                )
            elif kind:
                self.start_editor({"kind": kind})

        self.app.push_screen(
            PickScreen(t("dossier.annotate.kind", self.lang), kinds, self.lang), chosen_kind
        )

    def action_correct(self) -> None:
        if not self.staff or self.dossier is None:
            return
        current = [
            a
            for a in self.dossier.get("annotations") or []
            if isinstance(a, dict) and a.get("current")
        ]
        items = [
            (
                str(a.get("id")),
                Content(
                    one_line(
                        f"{t('dossier.kind.' + str(a.get('kind')), self.lang)}: {a.get('text', '')}"
                    )[:70]
                ),
            )
            for a in current
        ]
        if not items:
            return

        def chosen(annotation_id: str | None) -> None:
            old = next((a for a in current if a.get("id") == annotation_id), None)
            if old is not None:
                self.start_editor(
                    {"kind": old.get("kind"), "to": old.get("to"), "corrects": old.get("id")},
                    str(old.get("text") or ""),
                )

        self.app.push_screen(
            PickScreen(t("dossier.annotate.correct", self.lang), items, self.lang), chosen
        )

    def start_editor(self, editing: dict[str, Any], text: str = "") -> None:
        self.editing = editing
        editor = self.query_one("#dossier-editor", TextArea)
        editor.text = text
        editor.display = True
        editor.focus()
        self.flash(t("dossier.annotate.placeholder", self.lang))

    def stop_editor(self) -> None:
        self.editing = None
        editor = self.query_one("#dossier-editor", TextArea)
        editor.text = ""
        editor.display = False

    def action_save(self) -> None:
        if self.editing is None or self.dossier is None:
            return
        text = self.query_one("#dossier-editor", TextArea).text.strip()
        if not text:
            return
        frame = req.DossierAnnotate(
            code=self.code,
            kind=self.editing["kind"],
            text=text,
            to=self.editing.get("to") or None,
            corrects=self.editing.get("corrects") or None,
        )
        self.stop_editor()
        self.request("annotate", frame)

    def action_link(self) -> None:
        """Link the chat or mail the counsellor came from, after a confirmation that names
        it; if it is linked already, offer to undo the link (a slip put right)."""
        if not self.staff or self.dossier is None:
            return
        if self.chat:
            kind, target = "chat", self.chat
        elif self.thread:
            kind, target = "mail", self.thread
        else:
            self.flash(t("dossier.link.none", self.lang))
            return
        code = one_line(str(self.dossier.get("code") or ""))
        what = self.target_label or t(f"dossier.this_{kind}", self.lang)
        links = self.dossier.get("links") or []
        linked = any(
            isinstance(x, dict) and x.get("kind") == kind and x.get("target") == target
            for x in links
        )
        kind_of = req.DossierUnlink if linked else req.DossierLink
        target_of = {"chat": target} if kind == "chat" else {"mail": target}
        frame = kind_of(code=self.code, **target_of)
        question = "dossier.unlink.confirm" if linked else "dossier.link.confirm"

        def chosen(yes: bool | None) -> None:
            if yes:
                self.request("unlinked" if linked else "link", frame, what)

        self.app.push_screen(
            ConfirmScreen(Content(t(question, self.lang, what=what, code=code)), self.lang),
            chosen,
        )

    def _got_unlinked(self, frame: dict[str, Any], what: Any) -> None:
        link = frame.get("link")
        if isinstance(link, dict) and self.dossier is not None:
            self.dossier["links"] = [
                x
                for x in self.dossier.get("links") or []
                if not (
                    isinstance(x, dict)
                    and x.get("kind") == link.get("kind")
                    and x.get("target") == link.get("target")
                )
            ]
            self.render_dossier()
        self.flash(t("dossier.unlinked", self.lang, what=str(what or "")))

    def action_themes(self) -> None:
        """Set or change the dossier's themes (one or more; the first is the main theme)."""
        if not self.staff or self.dossier is None:
            return
        themes = taxonomy(self.console.settings.themes or None)
        listed = [(key, labels.get(self.lang) or labels["nl"]) for key, labels in themes.items()]
        chosen_now = [str(x) for x in self.dossier.get("themes") or []]
        code = self.code

        def chosen(picked: list[str] | None) -> None:
            if picked is not None:
                frame = req.DossierSetThemes(code=code, themes=picked)
                self.request("changed", frame, "dossier.themes.saved")

        title = t("dossier.themes.title", self.lang, code=one_line(str(code or "")))
        self.app.push_screen(ThemesScreen(title, listed, chosen_now, self.lang), chosen)

    def action_hold(self) -> None:
        """Set a legal hold (a reason is required) or lift it (after a confirmation)."""
        if not self.staff or self.dossier is None:
            return
        if self.role != "supervisor":
            self.flash(t("dossier.hold.supervisors", self.lang))
            return
        code = self.code
        if isinstance(self.dossier.get("hold"), dict):

            def lift(yes: bool | None) -> None:
                if yes:
                    frame = req.DossierHold(code=code)
                    self.request("changed", frame, "dossier.hold.lifted")

            question = Content(t("dossier.hold.confirm_lift", self.lang, code=one_line(str(code))))
            self.app.push_screen(ConfirmScreen(question, self.lang), lift)
            return

        def chosen(reason: str | None) -> None:
            if reason:
                frame = req.DossierHold(code=code, reason=reason)
                self.request("changed", frame, "dossier.hold.set")

        self.app.push_screen(
            PromptScreen(
                t("dossier.hold.reason", self.lang),
                t("dossier.hold.placeholder", self.lang),
                max_length=2000,
            ),
            chosen,
        )

    def action_new_request(self) -> None:
        """Register a rights request on the open dossier: kind, day received, optional note."""
        if not self.staff or self.dossier is None:
            return
        code = self.code
        kinds = [(k, Content(t(f"rights.kind.{k}", self.lang))) for k in RIGHTS_KINDS]
        shown_today = self.console.clock.now().astimezone(BRUSSELS).strftime("%d-%m-%Y")

        def chosen_kind(kind: str | None) -> None:
            if kind:
                self.app.push_screen(
                    PromptScreen(
                        t("rights.received", self.lang),
                        "DD-MM-JJJJ",
                        value=shown_today,
                        max_length=10,
                    ),
                    lambda text: chosen_day(kind, text),
                )

        def chosen_day(kind: str, text: str | None) -> None:
            if text is None:
                return
            day = parse_day(text)
            if day is None:
                self.flash(t("rights.bad_day", self.lang, text=one_line(text)))
                return
            self.app.push_screen(
                PromptScreen(
                    t("rights.note", self.lang),
                    t("rights.note.placeholder", self.lang),
                    max_length=2000,
                    allow_empty=True,
                ),
                lambda note: chosen_note(kind, day, note),
            )

        def chosen_note(kind: str, day: date, note: str | None) -> None:
            if note is None:
                return
            frame = req.RightsCreate(
                code=code, kind=kind, received=day.isoformat(), note=note or None
            )
            self.request("requested", frame)

        self.app.push_screen(
            PickScreen(t("rights.new", self.lang, code=one_line(str(code))), kinds, self.lang),
            chosen_kind,
        )

    def action_more(self) -> None:
        """What is done less often, in one menu: correct an annotation, themes, close or
        reopen, a new rights request, and for supervisors the legal hold."""
        if not self.staff or self.dossier is None:
            return
        closed = self.dossier.get("status") == "closed"
        choices = ["correct", "themes", "reopen" if closed else "close", "request"]
        if self.role == "supervisor":
            choices.append("lift" if isinstance(self.dossier.get("hold"), dict) else "hold")
        items = [(c, Content(t(f"dossier.menu.{c}", self.lang))) for c in choices]
        actions = {
            "correct": self.action_correct,
            "themes": self.action_themes,
            "close": self.action_toggle_status,
            "reopen": self.action_toggle_status,
            "request": self.action_new_request,
            "hold": self.action_hold,
            "lift": self.action_hold,
        }

        def chosen(what: str | None) -> None:
            if what in actions:
                actions[what]()

        title = t("dossier.menu.title", self.lang, code=one_line(str(self.dossier.get("code"))))
        self.app.push_screen(PickScreen(title, items, self.lang), chosen)

    def action_toggle_status(self) -> None:
        if not self.staff or self.dossier is None:
            return
        status: DossierStatus = "open" if self.dossier.get("status") == "closed" else "closed"
        self.request(
            "changed",
            req.DossierStatusChange(code=self.code, status=status),
        )

    def action_back(self) -> None:
        if self.editing is not None:
            self.stop_editor()
            return
        self.app.pop_screen()
