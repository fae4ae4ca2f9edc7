"""Notes in the console against a real relay: the counsellor's pane (ctrl+b), keys typed
without pause; the note prefills the registration; a supervisor reading along sees them."""

from __future__ import annotations

from textual.widgets import OptionList

from console1712.screens.notes import NotesScreen
from console1712.screens.registration import RegistrationScreen
from console1712.screens.supervisor import ReadAlongScreen, SupervisorScreen
from console1712.store import registrations
from tests.console.conftest import accept_new_chatter, console_app, open_chatter, sign_in, until
from tests.relay.helpers import console, request


async def test_notes_pane_saves_and_prefills_registration(
    settings, relay, clock, make_staff
) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        chatter = await accept_new_chatter(pilot, ws, relay, nickname="[b]Mila[/b]")
        await pilot.press("ctrl+b")
        await until(pilot, lambda: isinstance(app.screen, NotesScreen))
        assert "[b]Mila[/b]" in str(app.screen.query_one(".dialog-title").render())
        await pilot.press(*"wil geen politie", "ctrl+y")
        await until(pilot, lambda: app.screen is ws)
        await until(pilot, lambda: "Notities bewaard" in str(ws.status.render()))
        assert await registrations.chat_note(relay.db, chatter.chat) == "wil geen politie"
        # Reopened: the pane shows what was kept; Esc keeps an edit too.
        await pilot.press("ctrl+b")
        await until(pilot, lambda: isinstance(app.screen, NotesScreen))
        await pilot.press(*" [@click=app.quit]", "escape")
        await until(pilot, lambda: app.screen is ws)
        expected = "wil geen politie [@click=app.quit]"
        for _ in range(200):
            if await registrations.chat_note(relay.db, chatter.chat) == expected:
                break
            await pilot.pause(0.02)
        assert await registrations.chat_note(relay.db, chatter.chat) == expected

        await chatter.send({"type": "leave"})
        await until(pilot, lambda: isinstance(app.screen, RegistrationScreen))
        note = app.screen.query_one("#reg-note")
        assert note.value == expected  # type: ignore[attr-defined]
        assert app.is_running


async def test_supervisor_reading_along_sees_notes(settings, relay, clock, make_staff) -> None:
    sofie = await make_staff("sofie", role="supervisor", team=None, display="Sofie")
    anna = await make_staff("anna", display="Anna")
    first = await open_chatter(relay, nickname="Een")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot, console(relay, anna) as aw:
        await request(aw, {"type": "accept", "chat": first.chat}, "assigned")
        frame = {"type": "chat_notes_set", "chat": first.chat, "text": "eerste notitie"}
        await request(aw, frame, "chat_notes_saved")
        await sign_in(pilot, sofie)
        await pilot.press("ctrl+t")
        await until(pilot, lambda: isinstance(app.screen, SupervisorScreen))
        await until(pilot, lambda: app.screen.query_one("#sup-chats", OptionList).option_count)
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, ReadAlongScreen))
        reading = app.screen
        await until(pilot, lambda: "eerste notitie" in reading.transcript.plain())
        frame["text"] = "tweede [b]notitie[/b]"
        await request(aw, frame, "chat_notes_saved")
        await until(pilot, lambda: "tweede [b]notitie[/b]" in reading.transcript.plain())
