"""F1 in demo mode: the demo's addresses, SMTP port and logins (with codes) stay at hand."""

from __future__ import annotations

import time

from console1712.screens.login import totp_now
from tests.console.conftest import console_app, sign_in, until

SECRET = "JBSWY3DPEHPK3PXP"


async def test_help_shows_demo_lines_and_logins_as_text(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna")
    lines = [
        "Chatpagina voor bezoekers: http://127.0.0.1:4321/",
        "Mail (SMTP) naar hulp@1712.local: 127.0.0.1 poort 40123",
        "[b]x[/b] [@click=app.quit] \x1b[31mrood",
    ]
    app = console_app(
        settings, relay, clock, demo_logins=[("demo", "demo-sofie-1712", SECRET)], demo_help=lines
    )
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        await pilot.press("f1")
        await until(pilot, lambda: bool(app.screen.query("#help-demo")))
        demo = str(app.screen.query_one("#help-demo").render())
        assert "http://127.0.0.1:4321/" in demo
        assert "poort 40123" in demo
        assert "demo · wachtwoord demo-sofie-1712 · code " in demo
        assert any(totp_now(SECRET, time.time() + d) in demo for d in (-30, 0))
        # Text, never markup; no terminal escape.
        assert "[b]x[/b] [@click=app.quit] [31mrood" in demo and "\x1b" not in demo
        await pilot.press("escape")
        assert app.screen is ws


async def test_help_without_demo_has_no_demo_part(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, anna)
        await pilot.press("f1")
        await until(pilot, lambda: bool(app.screen.query("#help-keys")))
        assert not app.screen.query("#help-demo")
