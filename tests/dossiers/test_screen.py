"""The Dossier screen against a real relay (Pilot at 80x24): search, open, annotate,
correct, link the active chat, close, the rights list with overdue requests, and text that
tries markup or terminal escapes shown literally."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.widgets import OptionList, Static, TextArea

from console1712.screens.dialogs import ConfirmScreen, PickScreen
from console1712.screens.dossier import DossierScreen
from console1712.store import dossiers, rights
from tests.console.conftest import accept_new_chatter, console_app, sign_in, until

NASTY = "[@click=app.quit]x[/] [/b] [link=http://x]y[/link] [TODO] \x1b]0;title\x07 \x1b[2J"
SHOWN = "[@click=app.quit]x[/] [/b] [link=http://x]y[/link] [TODO] ]0;title [2J"


def text_of(screen: DossierScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def _open_screen(pilot: Any) -> DossierScreen:
    await pilot.press("ctrl+d")
    await until(pilot, lambda: isinstance(pilot.app.screen, DossierScreen))
    screen = pilot.app.screen
    assert isinstance(screen, DossierScreen)
    return screen


async def test_search_open_annotate_correct_close(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna", team="antwerpen")
    d = await dossiers.create(
        relay.db, clock.now(), "anna", "antwerpen", f"Roos {NASTY}", ["elder-abuse"]
    )
    await dossiers.annotate(relay.db, clock.now(), "anna", d.code, "antwerpen", "note", NASTY)
    await dossiers.create(relay.db, clock.now(), "bert", "limburg", "Roosmarijn")  # other team
    await dossiers.create(relay.db, clock.now(), "anna", "antwerpen", "Lelie")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, anna)
        screen = await _open_screen(pilot)
        results = screen.query_one("#dossier-results", OptionList)
        await until(pilot, lambda: results.option_count == 2)  # only the own team's
        screen.run_search("ouderenmis")  # a theme's label searches by theme
        await until(pilot, lambda: results.option_count == 1)
        await pilot.press(*"roos", "enter")
        await until(pilot, lambda: results.option_count == 1 and app.focused is results)
        row = str(results.get_option_at_index(0).prompt)
        assert row.startswith(d.code) and "[@click=app.quit]" in row and "\x1b" not in row
        await pilot.press("enter")
        await until(pilot, lambda: screen.dossier is not None)
        await pilot.pause()
        head = text_of(screen, "#dossier-head")
        body = text_of(screen, "#dossier-annotations")
        assert d.code in head and "ouderenmis(be)handeling" in head
        assert SHOWN in body and "\x1b" not in body + head and app.is_running

        # A new note: F4, the kind (Notitie is first), the text, ctrl+s.
        await pilot.press("f4")
        await until(pilot, lambda: isinstance(app.screen, PickScreen))
        await pilot.press("enter")
        editor = screen.query_one("#dossier-editor", TextArea)
        await until(pilot, lambda: app.focused is editor)
        await pilot.press(*"Belde om 15u.", "ctrl+s")
        await until(pilot, lambda: len(screen.dossier["annotations"]) == 2)
        await pilot.pause()
        assert "Belde om 15u." in text_of(screen, "#dossier-annotations")

        # Correct it: F5, pick the newest note, change the text; both versions stay.
        await pilot.press("f5", "enter")  # more: correct an annotation
        await until(pilot, lambda: isinstance(app.screen, PickScreen))
        await pilot.press("down", "enter")
        await until(pilot, lambda: editor.text == "Belde om 15u.")
        editor.text = "Belde om 16u."
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(screen.dossier["annotations"]) == 3)
        await pilot.pause()
        body = text_of(screen, "#dossier-annotations")
        assert "Belde om 15u." in body and "Belde om 16u." in body
        assert "verbetert versie 1" in body and "verbeterd" in body

        await pilot.press("f5", "down", "down", "enter")  # more: close
        await until(pilot, lambda: screen.dossier.get("status") == "closed")
        await pilot.pause()
        assert "afgesloten" in text_of(screen, "#dossier-head")
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, DossierScreen))


async def test_link_the_active_chat(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna", team="antwerpen")
    d = await dossiers.create(relay.db, clock.now(), "anna", "antwerpen", "Tulp")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        chatter = await accept_new_chatter(pilot, ws, relay, nickname="Mila", region="antwerpen")
        screen = await _open_screen(pilot)
        assert screen.chat == chatter.chat
        results = screen.query_one("#dossier-results", OptionList)
        await until(pilot, lambda: results.option_count == 1)
        results.focus()
        await pilot.press("enter")
        await until(pilot, lambda: screen.dossier is not None)
        await pilot.press("f6")
        # The confirmation names the chat as the counsellor knows it, not by its id.
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = str(app.screen.question)
        assert "Mila" in question and d.code in question and chatter.chat not in question
        await pilot.press("ctrl+y")
        await until(pilot, lambda: screen.dossier.get("links"))
        await pilot.pause()
        assert chatter.chat in text_of(screen, "#dossier-head")
        opened = await dossiers.open_dossier(relay.db, clock.now(), "test", d.code, None)
        assert [x.target for x in opened.links] == [chatter.chat]

        # A slip put right: F6 again offers to undo the link; audited.
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Ontkoppelen" in str(app.screen.question)
        await pilot.press("ctrl+y")
        await until(pilot, lambda: not screen.dossier.get("links"))
    opened = await dossiers.open_dossier(relay.db, clock.now(), "test", d.code, None)
    assert opened.links == []
    rows = await relay.db.fetchall(
        "SELECT action FROM audit WHERE action IN (?, ?) ORDER BY seq",
        ("dossier.link", "dossier.unlink"),
    )
    assert [r["action"] for r in rows] == ["dossier.link", "dossier.unlink"]


async def test_rights_list_overdue_and_fulfil(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna", team="antwerpen")
    d = await dossiers.create(relay.db, clock.now(), "anna", "antwerpen", "Roos")
    late = await rights.create(
        relay.db, clock.now(), "anna", d.code, "antwerpen", "copy", date(2026, 11, 1)
    )
    await rights.create(relay.db, clock.now(), "anna", d.code, "antwerpen", "restriction")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, anna)
        screen = await _open_screen(pilot)
        await pilot.press("ctrl+w")
        listing = screen.query_one("#rights-list", OptionList)
        await until(pilot, lambda: listing.option_count == 2)
        first = listing.get_option_at_index(0).prompt
        second = listing.get_option_at_index(1).prompt
        assert str(first).startswith("OVER TIJD") and "kopie" in str(first)
        assert "reverse" in str(first.spans[0].style)  # it stands out without colour
        assert "tegen 15-11-2026" in str(first)  # 14 days after 1 November
        assert "OVER TIJD" not in str(second) and "beperking" in str(second)
        listing.focus()
        listing.highlighted = 0
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, PickScreen))
        await pilot.press("enter")  # the first action: fulfil
        await until(
            pilot, lambda: f"Kopie van dossier {d.code}" in text_of(screen, "#dossier-annotations")
        )
    assert (await rights.get(relay.db, late.id, None)).status == "done"


async def test_restricted_dossier_is_flagged_and_refuses_notes(
    settings, relay, clock, make_staff
) -> None:
    anna = await make_staff("anna", team="antwerpen")
    d = await dossiers.create(relay.db, clock.now(), "anna", "antwerpen", "Roos")
    await dossiers.restrict(relay.db, clock.now(), "sofie", d.code, "antwerpen")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, anna)
        screen = await _open_screen(pilot)
        results = screen.query_one("#dossier-results", OptionList)
        await until(pilot, lambda: results.option_count == 1)
        assert "[B]" in str(results.get_option_at_index(0).prompt)
        results.focus()
        await pilot.press("enter")
        await until(pilot, lambda: screen.dossier is not None)
        await pilot.pause()
        assert "BEPERKT" in text_of(screen, "#dossier-head")
        await pilot.press("f4")
        await until(pilot, lambda: isinstance(app.screen, PickScreen))
        await pilot.press("enter", *"x", "ctrl+s")
        await until(pilot, lambda: "beperkt" in text_of(screen, "#dossier-status"))


async def test_admin_sees_only_deadlines(settings, relay, clock, make_staff) -> None:
    root = await make_staff("root", role="admin", team=None)
    d = await dossiers.create(relay.db, clock.now(), "anna", "antwerpen", "Geheimnaam")
    await rights.create(relay.db, clock.now(), "anna", d.code, "antwerpen", "erasure", note="n")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, root)
        screen = await _open_screen(pilot)
        listing = screen.query_one("#rights-list", OptionList)
        await until(pilot, lambda: listing.option_count == 1)
        assert "wissing" in str(listing.get_option_at_index(0).prompt)
        assert not screen.query_one("#dossier-results").display
        assert "Beheerders zien geen dossierinhoud" in text_of(screen, "#dossier-annotations")
        assert screen.results == [] and screen.dossier is None
        assert "Geheimnaam" not in str(listing.get_option_at_index(0).prompt)
