"""The registration form in the console against a real relay: it opens when a chat ends,
is filled with keys typed without pause, postponed, and still open after a console restart."""

from __future__ import annotations

from typing import Any

from textual.widgets import OptionList

from console1712.screens.dialogs import PickScreen
from console1712.screens.registration import RegistrationScreen
from console1712.store import registrations
from tests.console.conftest import accept_new_chatter, console_app, sign_in, until


def on_form(app: Any) -> bool:
    return isinstance(app.screen, RegistrationScreen)


def form_ready(app: Any) -> bool:
    """The registration form is the screen with its rows mounted (not only pushed)."""
    return on_form(app) and bool(app.screen.query("#reg-kind"))


async def test_chat_end_opens_form_saved_with_keys(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        chatter = await accept_new_chatter(pilot, ws, relay, nickname="Mila", age=15)
        await chatter.send({"type": "leave"})
        await until(pilot, lambda: form_ready(app))
        form = app.screen
        assert isinstance(form, RegistrationScreen)
        await until(pilot, lambda: form.row("kind").has_focus)
        # Prefilled from the intake: 15 years.
        assert form.row("age_band").value == "12-17"
        # kind: → hulpvraag; themes: space (1st), → space (2nd); about: → → (kind in het
        # gezin); relation: → (ouder); risk (geen); action; referrals: space (CAW); note.
        keys = ["right", "down", "space", "right", "space", "down", "right", "right"]
        keys += ["down", "right", "down", "down", "down", "space", "down", "down", "down"]
        await pilot.press(*keys)
        await pilot.press(*"belt terug")
        await pilot.press("ctrl+y")
        await until(pilot, lambda: not on_form(app))
        await until(pilot, lambda: ws.status.registrations == 0)
    saved = await registrations.get(relay.db, chatter.chat)
    assert saved is not None and saved.codes is not None
    assert saved.codes.kind == "help"
    assert saved.codes.themes == ("partner-violence", "child-abuse-physical")
    assert (saved.codes.about, saved.codes.relation) == ("child", "parent")
    assert saved.codes.referrals == ("caw",)
    assert (saved.codes.age_band, saved.note) == ("12-17", "belt terug")


async def test_incomplete_form_says_what_is_missing(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        chatter = await accept_new_chatter(pilot, ws, relay, nickname="Mila")
        await chatter.send({"type": "leave"})
        await until(pilot, lambda: form_ready(app))
        form = app.screen
        await pilot.press("right", "ctrl+y")  # a request for help without a theme
        await until(pilot, lambda: "Thema" in str(form.query_one("#reg-error").render()))
        assert on_form(app) and form.row("themes").has_focus


async def test_postponed_registration_survives_console_restart(
    settings, relay, clock, make_staff
) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        chatter = await accept_new_chatter(pilot, ws, relay, nickname="Mila")
        await pilot.press("f8", "ctrl+y")  # end the chat (confirmed)
        await until(pilot, lambda: form_ready(app))
        await pilot.press("escape")  # later
        await until(pilot, lambda: ws.status.registrations == 1)
        ws.status.set(flash="")  # (a notice has the row until it fades)
        assert "1 registratie open" in str(ws.status.render())

    clock.advance(30)  # a fresh login code
    again = console_app(settings, relay, clock)
    async with again.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        await until(pilot, lambda: ws.status.registrations == 1)
        ws.status.set(flash="")  # (a notice has the row until it fades)
        assert "1 registratie open" in str(ws.status.render())
        await pilot.press("ctrl+e")
        await until(pilot, lambda: isinstance(again.screen, PickScreen))
        assert again.screen.query_one(OptionList).option_count == 1
        await pilot.press("enter")
        await until(pilot, lambda: form_ready(again))
        assert again.screen.contact == chatter.chat


async def test_phone_dialog_leads_to_the_same_form(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, anna)
        await pilot.press("ctrl+r", "1", "2", "ctrl+y")
        await until(pilot, lambda: form_ready(app))
        form = app.screen
        assert "telefoon" in str(form.query_one(".dialog-title").render())
        await pilot.press("right", "down", "space", "ctrl+y")
        await until(pilot, lambda: not on_form(app))
    (phone_reg,) = await relay.db.fetchall("SELECT status, kind FROM registrations")
    assert (phone_reg["status"], phone_reg["kind"]) == ("done", "help")


async def test_count_follows_after_another_screen(settings, relay, clock, make_staff) -> None:
    from tests.relay.helpers import console, request

    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        await pilot.press("ctrl+k")  # away from the workspace ...
        await until(pilot, lambda: app.screen is not ws)
        clock.advance(30)
        async with console(relay, anna) as other:  # ... a chat ends on another console
            mila = await open_chatter_here(relay)
            await request(other, {"type": "accept", "chat": mila}, "assigned")
            await request(other, {"type": "end", "chat": mila}, "ended")
        await pilot.press("escape")  # back: the list is asked again
        await until(pilot, lambda: ws.status.registrations == 1)


async def open_chatter_here(relay) -> str:
    from tests.console.conftest import open_chatter

    return (await open_chatter(relay, nickname="Mila")).chat


async def test_form_waits_while_typing_in_another_chat(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        first = await accept_new_chatter(pilot, ws, relay, nickname="Een")
        second = await accept_new_chatter(pilot, ws, relay, nickname="Twee")
        # the chat accepted last is in front: typing there
        await until(pilot, lambda: ws.active_pane() is ws.panes[second.chat])
        await pilot.press(*"Ik lees")
        await first.send({"type": "leave"})
        await until(pilot, lambda: ws.panes[first.chat].state.ended)
        await pilot.press(*" mee.", "enter")  # no form in the way: the message goes out
        said = await second.recv("message")
        assert said["text"] == "Ik lees mee."
        await until(pilot, lambda: ws.status.registrations == 1)  # counted, not yet shown
        assert app.screen is ws
        # Looking at the ended chat opens its form.
        await pilot.press("ctrl+p")
        await until(pilot, lambda: form_ready(app))
        assert app.screen.contact == first.chat
