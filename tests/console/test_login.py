"""Login screen against a real relay: ok, wrong (Dutch), locked."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, Static

from console1712.screens.login import LoginScreen, totp_now
from console1712.screens.workspace import WorkspaceScreen
from tests.console.conftest import console_app, login, until


def error_text(app: Any) -> str:
    return str(app.screen.query_one("#login-error", Static).render())


async def test_login_ok_opens_workspace(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, LoginScreen)
        url = str(app.screen.query_one("#login-url", Static).render())
        assert f"127.0.0.1:{relay.port}/console" in url
        assert app.screen.query_one("#login-password", Input).password  # not echoed
        await login(pilot, anna.name, anna.password, anna.code())
        await until(
            pilot, lambda: isinstance(app.screen, WorkspaceScreen) and app.screen.is_mounted
        )
        await until(pilot, lambda: "verbonden" in str(app.screen.query_one("#status").render()))
        status = str(app.screen.query_one("#status").render())
        assert "Anna" in status or "anna" in status


async def test_login_wrong_shows_dutch_auth_failed(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, anna.name, "wrong password!", anna.code())
        await until(pilot, lambda: "klopt niet" in error_text(app))
        assert isinstance(app.screen, LoginScreen)
        assert app.screen.query_one("#login-code", Input).value == ""


async def test_login_locked_after_five_failures(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(5):
            await login(pilot, anna.name, "wrong password!", anna.code())
            await until(pilot, lambda: "klopt niet" in error_text(app))
            app.screen.query_one("#login-error", Static).update("")
        # Now even the right password is refused with the Dutch lock message.
        await login(pilot, anna.name, anna.password, anna.code())
        await until(pilot, lambda: "vergrendeld" in error_text(app))
        assert isinstance(app.screen, LoginScreen)


async def test_demo_logins_show_current_code(settings, relay, clock) -> None:
    secret = "JBSWY3DPEHPK3PXP"
    app = console_app(settings, relay, clock, demo_logins=[("demo", "demo-wachtwoord", secret)])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = str(app.screen.query_one("#login-demo", Static).render())
        assert totp_now(secret, clock.now().timestamp()) in text
        assert "demo-wachtwoord" in text


async def test_english_with_lang_setting(settings, relay, clock) -> None:
    settings.lang = "en"
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        labels = [str(s.render()) for s in app.screen.query(".login-label")]
        assert labels == ["User name", "Password", "Code (6 digits)"]
