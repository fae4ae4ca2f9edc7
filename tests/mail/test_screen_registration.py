"""The Mail screen against a real relay: a thread marked answered opens its registration,
the same form as chats (the subject in its title is text, never markup)."""

from __future__ import annotations

from textual.widgets import ListView

from console1712.screens.dialogs import ConfirmScreen
from console1712.screens.registration import RegistrationScreen
from tests.console.conftest import console_app, sign_in, until

from .conftest import plain, send
from .test_relay import smtp_port
from .test_screen import open_mail


async def test_answered_thread_opens_its_registration(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna")
    await send(smtp_port(relay), plain(subject="[b]Mijn[/b] vader", msgid="<reg1@x>"))
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        mail = await open_mail(pilot)
        await until(pilot, lambda: len(mail.entries) == 1)
        mail.query_one("#mail-list", ListView).focus()
        await pilot.press("enter")
        await until(pilot, lambda: mail.current is not None)
        await pilot.press("f3")  # claim
        await until(
            pilot, lambda: (mail.current or {}).get("thread", {}).get("claimed_by") == "anna"
        )
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("ctrl+y")
        await until(pilot, lambda: isinstance(app.screen, RegistrationScreen))
        form = app.screen
        title = str(form.query_one(".dialog-title").render())
        assert "e-mail" in title and "[b]Mijn[/b] vader" in title
        await pilot.press("right", "right", "down", "space", "ctrl+y")
        await until(pilot, lambda: app.screen is mail)
        await until(pilot, lambda: ws.status.registrations == 0)
    (row,) = await relay.db.fetchall("SELECT channel, status, kind FROM registrations")
    assert tuple(row) == ("mail", "done", "information")
