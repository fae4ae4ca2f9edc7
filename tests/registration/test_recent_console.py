"""Recently ended chats in the console against a real relay: list (ctrl+k), read-only
transcript and notes, finish the registration from there; remote text shown literally."""

from __future__ import annotations

from textual.widgets import OptionList

from console1712.screens.recent import RecentChatScreen, RecentScreen
from console1712.screens.registration import RegistrationScreen
from console1712.store import audit
from tests.console.conftest import accept_new_chatter, console_app, sign_in, until


async def test_finish_registration_from_recent_chats(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        chatter = await accept_new_chatter(pilot, ws, relay, nickname="[@click=app.quit]Mila")
        await chatter.say("Mijn stiefvader [b]slaat[/b] me.\x1b[31m", "c1")
        pane = ws.panes[chatter.chat]
        await until(pilot, lambda: "stiefvader" in pane.transcript.plain())
        await pilot.press("ctrl+b", *"geen politie", "ctrl+y")
        await until(pilot, lambda: "Notities bewaard" in str(ws.status.render()))
        await pilot.press("f8", "ctrl+y")
        await until(pilot, lambda: isinstance(app.screen, RegistrationScreen))
        await pilot.press("escape")  # later
        await until(pilot, lambda: ws.status.registrations == 1)

        await pilot.press("ctrl+k")
        await until(pilot, lambda: isinstance(app.screen, RecentScreen))
        listing = app.screen
        await until(pilot, lambda: listing.query_one(OptionList).option_count == 1)
        row = str(listing.query_one(OptionList).get_option_at_index(0).prompt)
        assert "[@click=app.quit]Mila" in row and "registratie open" in row
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RecentChatScreen))
        reading = app.screen
        text = reading.transcript.plain()
        assert "Mijn stiefvader [b]slaat[/b] me." in text and "\x1b" not in text
        assert "geen politie" in str(reading.query_one("#recent-notes").render())

        await pilot.press("ctrl+e")
        await until(pilot, lambda: isinstance(app.screen, RegistrationScreen))
        await pilot.press("right", "right", "ctrl+y")  # an information question ...
        await until(
            pilot,
            lambda: (
                isinstance(app.screen, RegistrationScreen)
                and "Thema" in str(app.screen.query_one("#reg-error").render())
            ),
        )
        await pilot.press("space", "ctrl+y")  # ... about the first theme
        await until(pilot, lambda: app.screen is reading)
        await until(pilot, lambda: ws.status.registrations == 0)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is listing)
        await until(
            pilot,
            lambda: (
                "geregistreerd" in str(listing.query_one(OptionList).get_option_at_index(0).prompt)
            ),
        )
        assert app.is_running
    opens = [e for e in await audit.entries(relay.db) if e.action == "chat.transcript_open"]
    assert [(e.actor, e.object) for e in opens] == [("anna", chatter.chat)]
