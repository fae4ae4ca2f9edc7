"""The login screen: user, password (not echoed), 6-digit code; the relay URL shown."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP
from textual import work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Static

from console1712.client.staff import LoginFailed
from console1712.i18n import error_text, t
from console1712.screens.base import ConsoleScreen

if TYPE_CHECKING:
    pass


def totp_now(secret: str, timestamp: float) -> str:
    """The current 6-digit code for a base32 secret (demo accounts show it on screen)."""
    padded = secret.strip().replace(" ", "").upper()
    padded += "=" * (-len(padded) % 8)
    totp = TOTP(base64.b32decode(padded), 6, SHA1(), 30, enforce_key_length=False)
    return totp.generate(int(timestamp)).decode()


ERRORS = {"auth_failed": "login.auth_failed", "locked": "login.locked"}


class LoginScreen(ConsoleScreen):
    BINDINGS = [
        Binding("f10", "app.quit", "stoppen", id="login.quit"),
        # Priority: handled as the app takes each key from the terminal, so that in a burst
        # (a password manager's auto-type, a laggy SSH link) the keys after Tab or Enter land
        # in the next field, not in the one the focus has not left yet.
        Binding("tab", "app.focus_next", show=False, priority=True, id="login.next"),
        Binding("shift+tab", "app.focus_previous", show=False, priority=True, id="login.prev"),
        Binding("enter", "enter_next", show=False, priority=True, id="login.enter"),
    ]

    def __init__(self, url: str, lang: str, demo_logins: Sequence[tuple[str, str, str]]) -> None:
        super().__init__()
        self.url = url
        self.lang = lang
        self.demo_logins = tuple(demo_logins)
        self._codes: list[str] = []

    def compose(self) -> ComposeResult:
        lang = self.lang
        with Vertical(id="login-box"):
            yield Static(Content(t("login.title", lang)), id="login-title")
            yield Static(Content(t("login.relay", lang, url=self.url)), id="login-url")
            yield Static(Content(t("login.user", lang)), classes="login-label")
            yield Input(id="login-user", max_length=64)
            yield Static(Content(t("login.password", lang)), classes="login-label")
            yield Input(id="login-password", password=True, max_length=256)
            yield Static(Content(t("login.code", lang)), classes="login-label")
            yield Input(id="login-code", max_length=6, restrict=r"\d{0,6}")
            yield Static("", id="login-error")
            yield Static(Content(t("login.hint", lang)), id="login-hint")
            if self.demo_logins:
                yield Static("", id="login-demo")

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.cursor_blink = False  # an idle screen sends nothing to the terminal
        self.query_one("#login-user", Input).focus()
        if self.demo_logins:
            self._show_demo_codes()
            self.set_interval(1, self._show_demo_codes)

    def _show_demo_codes(self) -> None:
        now = self.console.clock.now().timestamp()
        codes = [totp_now(secret, now) for _, _, secret in self.demo_logins]
        if codes == self._codes:
            return
        self._codes = codes
        rows: list[str | tuple[str, str]] = [(t("login.demo", self.lang), "bold")]
        for (name, password, _), code in zip(self.demo_logins, codes, strict=True):
            rows.append(
                "\n" + t("login.demo_row", self.lang, name=name, password=password, code=code)
            )
        self.query_one("#login-demo", Static).update(Content.assemble(*rows))

    def action_enter_next(self) -> None:
        """Enter in the name or password field moves on at once (as Tab does); in the code
        field it goes to the field, behind the digits typed before it, and submits there."""
        focused = self.focused
        if not isinstance(focused, Input) or focused.id == "login-code":
            raise SkipAction()
        self.focus_next()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit_or_next(event.input)

    def _submit_or_next(self, field: Input) -> None:
        user = self.query_one("#login-user", Input).value.strip()
        password = self.query_one("#login-password", Input).value
        code = self.query_one("#login-code", Input).value.strip()
        if user and password and len(code) == 6:
            self.submit(user, password, code)
        elif field.id != "login-code":
            self.focus_next()
        else:
            self.show_error(t("login.missing", self.lang))

    def show_error(self, text: str) -> None:
        self.query_one("#login-error", Static).update(Content(text))

    @work(exclusive=True, group="login", exit_on_error=False)
    async def submit(self, user: str, password: str, code: str) -> None:
        self.show_error(t("login.busy", self.lang))
        try:
            await self.console.login(user, password, code)
        except LoginFailed as failed:
            key = ERRORS.get(failed.code)
            if failed.code == "unreachable":
                key = "login.unreachable"
            self.show_error(t(key, self.lang) if key else error_text(failed.code, self.lang))
            code_input = self.query_one("#login-code", Input)
            code_input.value = ""
            code_input.focus()
