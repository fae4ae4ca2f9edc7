"""The Dossier screen's legal hold (supervisors; a reason; lifting confirmed) and new rights
requests (kind, day received, note), against a real relay at 80x24."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, OptionList, Static

from console1712.screens.dialogs import ConfirmScreen, PickScreen
from console1712.screens.dossier import DossierScreen, PromptScreen, parse_day
from console1712.store import dossiers, rights
from tests.console.conftest import console_app, sign_in, until


def text_of(screen: DossierScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def open_first(pilot: Any) -> DossierScreen:
    """ctrl+d, then Enter on the first search result; returns the screen with it open."""
    await pilot.press("ctrl+d")
    await until(pilot, lambda: isinstance(pilot.app.screen, DossierScreen))
    screen = pilot.app.screen
    assert isinstance(screen, DossierScreen)
    results = screen.query_one("#dossier-results", OptionList)
    await until(pilot, lambda: results.option_count == 1)
    results.focus()
    await pilot.press("enter")
    await until(pilot, lambda: screen.dossier is not None)
    return screen


async def answer_prompt(pilot: Any, value: str) -> None:
    await until(pilot, lambda: isinstance(pilot.app.screen, PromptScreen))
    pilot.app.screen.query_one(Input).value = value
    await pilot.press("enter")


async def test_supervisor_sets_and_lifts_a_legal_hold(settings, relay, clock, make_staff) -> None:
    sofie = await make_staff("sofie", role="supervisor", team="antwerpen")
    d = await dossiers.create(relay.db, clock.now(), "anna", "antwerpen", "Roos")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, sofie)
        screen = await open_first(pilot)
        await pilot.press("f5", *["down"] * 4, "enter")  # more: the legal hold
        await answer_prompt(pilot, "")  # no reason: the prompt stays
        assert isinstance(app.screen, PromptScreen)
        await answer_prompt(pilot, "vordering parket")
        await until(pilot, lambda: isinstance(screen.dossier.get("hold"), dict))
        await pilot.pause()
        assert "Wettelijke bewaarplicht (sofie): vordering parket" in text_of(
            screen, "#dossier-head"
        )
        assert "gezet" in text_of(screen, "#dossier-status")
        held = await dossiers.get(relay.db, d.code, "antwerpen")
        assert held.hold is not None and held.hold.reason == "vordering parket"

        # Lifting asks first; "no" keeps the hold.
        await pilot.press("f5", *["down"] * 4, "enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        assert (await dossiers.get(relay.db, d.code, "antwerpen")).hold is not None
        await pilot.press("f5", *["down"] * 4, "enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("ctrl+y")
        await until(pilot, lambda: screen.dossier.get("hold") is None)
        await pilot.pause()
        assert "bewaarplicht" not in text_of(screen, "#dossier-head").lower()
    assert (await dossiers.get(relay.db, d.code, "antwerpen")).hold is None


async def test_a_counsellor_cannot_set_a_hold(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna", team="antwerpen")
    d = await dossiers.create(relay.db, clock.now(), "anna", "antwerpen", "Roos")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, anna)
        screen = await open_first(pilot)
        await pilot.press("f5")  # a counsellor's menu has no legal hold in it
        await until(pilot, lambda: isinstance(app.screen, PickScreen))
        ids = [o.id for o in app.screen.query_one(OptionList).options]
        assert ids == ["correct", "themes", "close", "request"]
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
    assert (await dossiers.get(relay.db, d.code, "antwerpen")).hold is None


async def test_new_rights_request_with_day_and_note(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna", team="antwerpen")
    d = await dossiers.create(relay.db, clock.now(), "anna", "antwerpen", "Roos")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, anna)
        screen = await open_first(pilot)

        # A day that is not one: told, nothing recorded.
        await pilot.press("f5", *["down"] * 3, "enter")  # more: a new request
        await until(pilot, lambda: isinstance(app.screen, PickScreen))
        await pilot.press("enter")  # inzage
        await until(pilot, lambda: isinstance(app.screen, PromptScreen))
        assert app.screen.query_one(Input).value == "26-11-2026"  # today, Brussels
        await answer_prompt(pilot, "31-02-2026")
        await until(pilot, lambda: "Geen geldige datum" in text_of(screen, "#dossier-status"))

        # A day in the future: the relay refuses it.
        await pilot.press("f5", *["down"] * 3, "enter")  # more: a new request
        await until(pilot, lambda: isinstance(app.screen, PickScreen))
        await pilot.press("enter")
        await answer_prompt(pilot, "01-12-2026")
        await answer_prompt(pilot, "")
        await until(pilot, lambda: "toekomst" in text_of(screen, "#dossier-status"))
        assert await rights.listing(relay.db, "antwerpen") == []

        # A copy request received on 20 November, with a note: due 14 days later.
        await pilot.press("f5", *["down"] * 3, "enter")  # more: a new request
        await until(pilot, lambda: isinstance(app.screen, PickScreen))
        await pilot.press("down", "enter")  # kopie
        await answer_prompt(pilot, "20-11-2026")
        await answer_prompt(pilot, "schriftelijk ontvangen")
        await until(pilot, lambda: "geregistreerd" in text_of(screen, "#dossier-status"))
        assert "tegen 04-12-2026" in text_of(screen, "#dossier-status")
        await until(pilot, lambda: "Verzoeken" in text_of(screen, "#dossier-head"))
        assert "kopie (tegen 04-12-2026)" in text_of(screen, "#dossier-head")
    (made,) = await rights.listing(relay.db, "antwerpen")
    assert (made.code, made.kind, made.received.isoformat()) == (d.code, "copy", "2026-11-20")
    assert made.note == "schriftelijk ontvangen"


def test_days_as_counsellors_type_them() -> None:
    assert parse_day("4-12-2026").isoformat() == "2026-12-04"  # type: ignore[union-attr]
    assert parse_day("04/12/2026").isoformat() == "2026-12-04"  # type: ignore[union-attr]
    assert parse_day("2026-12-04").isoformat() == "2026-12-04"  # type: ignore[union-attr]
    assert parse_day("31-02-2026") is None and parse_day("morgen") is None
