"""Pilot tests of the supervision screens against a real relay with live chats."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input, OptionList

from console1712.screens.supervisor import (
    DisclosureAskScreen,
    PhoneScreen,
    ReadAlongScreen,
    SupervisorScreen,
)
from console1712.store import phone
from tests.console.conftest import (
    accept_new_chatter,
    console_app,
    open_chatter,
    sign_in,
    transcript,
    until,
)
from tests.relay.helpers import console, recv_type, request


@pytest.fixture(autouse=True)
def _plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLORTERM", raising=False)


def _waiting(screen: SupervisorScreen, region: str) -> int:
    for entry in screen.frame.get("regions") or []:
        if entry["region"] == region:
            return int(entry["waiting"])
    return -1


async def test_supervisor_screen_live_and_read_along(settings, relay, clock, make_staff) -> None:
    sofie = await make_staff("sofie", role="supervisor", team=None, display="Sofie")
    anna = await make_staff("anna", display="Anna")
    first = await open_chatter(relay, nickname="Een", region="limburg")
    await open_chatter(relay, nickname="Twee", region="limburg")
    await open_chatter(relay, nickname="Drie", region="antwerpen")
    clock.advance(5 * 60)
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot, console(relay, anna) as aw:
        await sign_in(pilot, sofie)
        await pilot.press("ctrl+t")
        await until(pilot, lambda: isinstance(app.screen, SupervisorScreen))
        screen = app.screen
        assert isinstance(screen, SupervisorScreen)
        await until(pilot, lambda: _waiting(screen, "limburg") == 2)
        rows = screen.region_text().splitlines()
        limburg = next(r for r in rows if r.startswith("Limburg"))
        assert limburg.split() == ["Limburg", "2", "5", "min"]
        assert next(r for r in rows if r.startswith("Antwerpen")).split()[1] == "1"
        today = str(screen.query_one("#sup-today").render())
        assert "gestart: 3" in today and "beantwoord: 0" in today
        assert "e-mail: 0 vandaag te beantwoorden, 0 over tijd" in today

        # Pushed, not polled: a counsellor accepts and the screen follows.
        updates = screen.updates
        await request(aw, {"type": "accept", "chat": first.chat}, "assigned")
        await until(pilot, lambda: _waiting(screen, "limburg") == 1 and screen.frame["chats"])
        # The figures from the database follow once the accept is stored (next push).
        await until(pilot, lambda: screen.frame["today"]["answered"] == 1)
        assert screen.updates > updates
        today = str(screen.query_one("#sup-today").render())
        assert "beantwoord: 1" in today and "mediaan wachttijd: 5:00" in today
        assert "Anna: beschikbaar, 1/3 open" in str(screen.query_one("#sup-staff").render())
        chats = screen.query_one("#sup-chats", OptionList)
        assert "Anna" in str(chats.get_option_at_index(0).prompt)

        await first.say("Ik durf het niet te zeggen.", "c1")
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, ReadAlongScreen))
        reading = app.screen
        assert isinstance(reading, ReadAlongScreen)
        await until(pilot, lambda: "Ik durf het niet" in reading.transcript.plain())
        watched = await recv_type(aw, "watched", chat=first.chat)
        assert watched["by"] == ["Sofie"]
        await first.say("Mijn stiefvader [b]slaat[/b] me.", "c2")
        await until(pilot, lambda: "[b]slaat[/b]" in reading.transcript.plain())

        note = reading.query_one("#note-input", Input)
        note.value = "Vraag of ze nu veilig is."
        note.focus()
        await pilot.press("enter")
        got = await recv_type(aw, "note", chat=first.chat)
        assert got["text"] == "Vraag of ze nu veilig is." and got["from"] == "Sofie"
        await until(pilot, lambda: note.value == "")
        mine = "Jouw notitie aan de hulpverlener (chatter ziet dit niet): Vraag of ze nu veilig is."
        assert mine in reading.transcript.plain()  # the supervisor sees their own whisper

        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, SupervisorScreen))
        assert (await recv_type(aw, "watched", chat=first.chat))["by"] == []


async def test_counsellor_sees_reader_and_note_and_registers(
    settings, relay, clock, make_staff
) -> None:
    anna = await make_staff("anna", display="Anna", team="limburg")
    sofie = await make_staff("sofie", role="supervisor", display="Sofie", team="limburg")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot, console(relay, sofie) as sw:
        ws = await sign_in(pilot, anna)
        chatter = await accept_new_chatter(pilot, ws, relay, nickname="Mila", region="limburg")
        pane = ws.panes[chatter.chat]

        await request(sw, {"type": "read_along", "chat": chatter.chat}, "read_along")
        await until(pilot, lambda: pane.state.watchers == ["Sofie"])
        label = str(ws.tabs.get_tab(pane).label)
        assert "meekijken: Sofie" in label
        assert "meekijken: Sofie" in str(pane.side.render())

        await request(
            sw, {"type": "note", "chat": chatter.chat, "text": "[red]Let op[/red]"}, "note_sent"
        )
        await until(pilot, lambda: "Let op" in transcript(ws, chatter.chat))
        assert "Notitie van Sofie (alleen voor jou): [red]Let op[/red]" in transcript(
            ws, chatter.chat
        )

        # Emergency disclosure request for the active chat, with a reason.
        await pilot.press("ctrl+u")
        await until(pilot, lambda: isinstance(app.screen, DisclosureAskScreen))
        app.screen.query_one("#disclosure-reason", Input).value = "Acuut gevaar"
        await pilot.press("ctrl+y")
        pending = await recv_type(sw, "disclosure_pending")
        assert pending["chat"] == chatter.chat and pending["requested_by"] == "anna"

        # A phone contact: codes only.
        await until(pilot, lambda: app.screen is ws)
        await pilot.press("ctrl+r")
        await until(pilot, lambda: isinstance(app.screen, PhoneScreen))
        app.screen.query_one("#phone-minutes", Input).value = "12"
        await pilot.press("ctrl+y")
        # The registration form follows the phone dialog (tests/registration); later.
        from console1712.screens.registration import RegistrationScreen

        await until(pilot, lambda: isinstance(app.screen, RegistrationScreen))
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is ws)
        calls: list[Any] = []

        async def stored() -> None:
            calls[:] = await phone.for_year(relay.db, 2026)

        for _ in range(100):
            await stored()
            if calls:
                break
            await pilot.pause(0.02)
        assert [(c.minutes, c.region, c.theme) for c in calls] == [(12, "limburg", "unknown")]

        await request(sw, {"type": "read_along_stop", "chat": chatter.chat}, "read_along_stopped")
        await until(pilot, lambda: pane.state.watchers == [])
        assert "meekijken" not in str(ws.tabs.get_tab(pane).label)


async def test_counsellor_cannot_open_the_supervisor_screen(
    settings, relay, clock, make_staff
) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        await pilot.press("ctrl+t")
        await pilot.pause(0.05)
        assert app.screen is ws


async def test_phone_dialog_labels_every_field_at_80x24(settings, relay, clock, make_staff) -> None:
    from console1712.screens.supervisor import PhoneScreen
    from tests.console.conftest import screen_text

    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, anna)
        await pilot.press("ctrl+r")
        await until(pilot, lambda: isinstance(app.screen, PhoneScreen))
        await pilot.pause()
        shown = screen_text(app)
        for label in ("Duur in minuten", "Datum", "Regio", "Leeftijd", "Gender", "Hoofdthema"):
            assert label in shown, label
        assert "ctrl+y bewaren · Esc annuleren" in shown  # the hint is whole, not cut
        await pilot.press("1", "2")  # typed into the labelled field, and seen there
        await until(pilot, lambda: "Duur in minuten       12" in screen_text(app))
