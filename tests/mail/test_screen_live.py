"""The Mail screen against a real relay: the list follows the relay's pushes (nothing
polls), and an open thread is linked to an existing or a new dossier from there."""

from __future__ import annotations

from textual.widgets import Input, ListView, OptionList, Static

from console1712.screens.dialogs import ConfirmScreen
from console1712.screens.dossier import DossierScreen, PromptScreen
from console1712.store import dossiers
from tests.console.conftest import console_app, sign_in, until

from .conftest import plain, send
from .test_relay import logged_in, smtp_port
from .test_screen import open_mail, rows


async def test_pushed_mail_appears_without_a_key(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna")
    bert = await logged_in(relay, await make_staff("bert"))
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, anna)
        screen = await open_mail(pilot)
        heading = screen.query_one("#mail-heading", Static)
        await until(pilot, lambda: "Geen" in str(heading.render()))  # the first, empty list
        assert screen.entries == []
        # A mail through the relay's SMTP listener: `mail_new` makes the list fetch again.
        await send(smtp_port(relay), plain(subject="Help mij", msgid="<live1@x>"))
        await until(pilot, lambda: len(screen.entries) == 1)
        await pilot.pause()
        assert "Help mij" in rows(screen)[0].plain
        # A colleague marks it answered: `mail_changed` drops it from the open list.
        tid = screen.entries[0]["thread"]
        answered = await bert.ask({"type": "mail_answered", "thread": tid})
        assert answered["status"] == "answered"
        await until(pilot, lambda: screen.entries == [])
        assert app.screen is screen
    await bert.ws.close()


async def test_link_an_open_thread_to_an_existing_and_a_new_dossier(
    settings, relay, clock, make_staff
) -> None:
    anna = await make_staff("anna", team="antwerpen")
    existing = await dossiers.create(relay.db, clock.now(), "anna", "antwerpen", "Tulp")
    await send(smtp_port(relay), plain(subject="Mijn vader", msgid="<link1@x>"))
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, anna)
        mail = await open_mail(pilot)
        await until(pilot, lambda: len(mail.entries) == 1)
        tid = mail.entries[0]["thread"]
        mail.query_one("#mail-list", ListView).focus()
        await pilot.press("enter")
        await until(pilot, lambda: mail.current is not None)
        # A pool thread belongs to no team yet: the key says to claim it first.
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert app.screen is mail
        await pilot.press("f3")
        await until(pilot, lambda: (mail.current or {}).get("thread", {}).get("team"))

        await pilot.press("ctrl+d")
        await until(pilot, lambda: isinstance(app.screen, DossierScreen))
        screen = app.screen
        assert isinstance(screen, DossierScreen) and screen.thread == tid
        assert "mailgesprek koppelen" in str(screen.query_one("#dossier-heading", Static).render())
        results = screen.query_one("#dossier-results", OptionList)
        await until(pilot, lambda: results.option_count == 1)
        results.focus()
        await pilot.press("enter")
        await until(pilot, lambda: screen.dossier is not None)
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "mailgesprek van" in str(app.screen.question)
        await pilot.press("ctrl+y")
        await until(pilot, lambda: screen.dossier.get("links"))
        await pilot.pause()
        head = str(screen.query_one("#dossier-head", Static).render())
        assert f"mail {tid}" in head

        # A new dossier for the same thread: F3, a pseudonym, then F6.
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(app.screen, PromptScreen))
        app.screen.query_one(Input).value = "Roos"
        await pilot.press("enter")
        await until(pilot, lambda: screen.dossier.get("code") not in (None, existing.code))
        created = screen.dossier["code"]
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("ctrl+y")
        await until(pilot, lambda: screen.dossier.get("links"))
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is mail)

    # What a colleague sees in `dossier_open`, over the wire.
    bert = await logged_in(relay, await make_staff("bert", team="antwerpen"))
    for code in (existing.code, created):
        opened = await bert.ask({"type": "dossier_open", "code": code})
        links = opened["dossier"]["links"]
        assert [(x["kind"], x["target"], x["by"]) for x in links] == [("mail", tid, "anna")]
    await bert.ws.close()


async def test_list_is_fetched_again_after_a_reconnect(settings, relay, clock, make_staff) -> None:
    from console1712.domain.mailparse import parse_mail
    from console1712.store import mail as store

    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, anna)
        screen = await open_mail(pilot)
        heading = screen.query_one("#mail-heading", Static)
        await until(pilot, lambda: "Geen" in str(heading.render()))
        # Stored while this console was away: no push reaches it, the reconnect must.
        msg = plain(subject="Terwijl je weg was", msgid="<away@x>")
        await store.store_incoming(relay.db, parse_mail(msg.as_bytes()), clock.now(), None)
        await pilot.pause(0.1)
        assert screen.entries == []
        app._on_state("connected")  # what the staff client reports after reconnecting
        await until(pilot, lambda: len(screen.entries) == 1)
