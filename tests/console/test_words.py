"""The console's words: every error code a sentence (never the code), plurals, fading status
messages, keys listed only where they do something, F1 on every screen."""

from __future__ import annotations

import ast
from pathlib import Path

from textual.widgets import SelectionList

import console1712
from console1712.domain.text import shorten_middle
from console1712.i18n import LANGS, error_text, has_text, plural, t
from console1712.protocol import events as ev
from console1712.protocol.frames import Code
from console1712.screens.dialogs import ThemesScreen
from console1712.screens.help import HelpScreen
from console1712.store import dossiers
from console1712.widgets.events import RelayError
from console1712.widgets.status import StatusLine
from tests.console.conftest import accept_new_chatter, console_app, sign_in, until

PACKAGE = Path(console1712.__file__).parent
# Exceptions whose first argument is a code that ends up in an `error` frame.
CODE_CARRIERS = {"OpError", "DossierError", "MailStateError", "DisclosureError"}


def _codes_in_source() -> set[str]:
    """Every error code the relay can answer with, read from the source: protocol v1's
    `Code`, the relay's own `error(ref, "code")` calls, refusals raised by operations and
    stores, and the codes the disclosure workflow returns."""
    codes = {v for k, v in vars(Code).items() if k.isupper()}
    for path in [
        *PACKAGE.glob("relay/**/*.py"),
        *PACKAGE.glob("protocol/*.py"),
        *PACKAGE.glob("store/*.py"),
    ]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                args = node.args
                if name in CODE_CARRIERS and args:
                    first = args[0]
                elif name == "error" and len(args) >= 2:
                    first = args[1]
                else:
                    continue
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    codes.add(first.value)
            elif (
                path.name == "disclosure.py"
                and isinstance(node, ast.Return)
                and isinstance(node.value, ast.Tuple)
                and isinstance(node.value.elts[0], ast.Constant)
                and isinstance(node.value.elts[0].value, str)
            ):
                codes.add(node.value.elts[0].value)
    return codes


def test_every_error_code_has_a_sentence_in_both_languages() -> None:
    codes = _codes_in_source()
    assert {"not_assigned", "forgotten", "own_request", "legal_hold"} <= codes  # the walk works
    missing = sorted(c for c in codes if not has_text(f"error.{c}"))
    assert missing == []
    for code in codes:
        for lang in LANGS:
            sentence = error_text(code, lang)
            # (an English sentence may use the word "fault"; never the identifier "not_found")
            assert sentence and (code not in sentence or (lang == "en" and "_" not in code))
    # A code this console does not know yet still gets a sentence, not the code.
    assert error_text("some_future_code", "nl") == t("error.other", "nl")
    assert "some_future_code" not in error_text("some_future_code", "en")


def test_plurals_and_addresses() -> None:
    kw = {"filter": "open"}
    assert plural("mail.heading", 1, "nl", **kw).endswith("1 mailgesprek")
    assert plural("mail.heading", 2, "nl", **kw).endswith("2 mailgesprekken")
    assert plural("mail.heading", 0, "nl", **kw).endswith("0 mailgesprekken")
    assert plural("mail.heading", 1, "en", **kw).endswith("1 conversation")
    short = shorten_middle("a.very.long.name.indeed@example-school.be", 22)
    assert len(short) == 22 and short.startswith("a.very.lon") and short.endswith("school.be")
    assert shorten_middle("kort@x.be", 22) == "kort@x.be"


async def test_no_raw_code_reaches_the_status_line(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        for code in [*sorted(_codes_in_source()), "some_future_code"]:
            ws.post_message(RelayError(code, None, None, ev.Error(code=code)))
            await until(pilot, lambda: ws.status.flash)
            shown = str(ws.status.render())
            assert code not in shown, (code, shown)
            ws.status.set(flash="")


async def test_a_status_message_fades(settings, relay, clock, make_staff, monkeypatch) -> None:
    monkeypatch.setattr(StatusLine, "FADE", 0.1)  # in real time: then the console's clock
    monkeypatch.setattr(StatusLine, "CHECK", 0.05)
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        await pilot.press("ctrl+g", "7")  # no tab 7: says so ...
        await until(pilot, lambda: "geen tabblad 7" in str(ws.status.render()))
        assert "er zijn 0 gesprekken open" in str(ws.status.render())
        # The real-time timer has run out (and looked again) but the clock has not moved.
        timer_ran = ws.status._fade
        await until(pilot, lambda: ws.status._fade is not timer_ran)
        assert "geen tabblad 7" in str(ws.status.render())
        clock.advance(0.1)
        await until(pilot, lambda: "tabblad" not in str(ws.status.render()))  # ... then fades
        assert "verbonden" in str(ws.status.render())


async def test_keys_a_role_cannot_use_are_not_listed(settings, relay, clock, make_staff) -> None:
    await make_staff("root", role="admin", team=None)
    anna = await make_staff("anna")
    sofie = await make_staff("sofie", role="supervisor")
    for who, absent, present in (
        (anna, ["ctrl+t", "ctrl+a"], ["f2", "f8", "ctrl+l"]),
        (sofie, [], ["f2", "ctrl+t", "ctrl+a"]),
    ):
        app = console_app(settings, relay, clock)
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot, who)
            await pilot.press("f1")
            await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
            keys = [k for k, _ in app.screen.rows]
            assert all(k in keys for k in present), (who.name, keys)
            assert not any(k in keys for k in absent), (who.name, keys)


async def test_an_admin_sees_no_chat_keys(settings, relay, clock, make_staff) -> None:
    root = await make_staff("root", role="admin", team=None)
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, root)
        footer = " ".join(str(b.binding.key) for b in ws.active_bindings.values())
        assert "f2" not in footer and "f8" not in footer and "ctrl+l" not in footer
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert [k for k, _ in app.screen.rows] == ["f1", "f10", "ctrl+d"]


async def test_f1_on_the_mail_screen_lists_its_keys(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, anna)
        await pilot.press("ctrl+l")
        await until(pilot, lambda: type(app.screen).__name__ == "MailScreen")
        mail = app.screen
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        rows = dict(app.screen.rows)
        assert rows.get("ctrl+d") == t("mail.key.dossier", "nl")
        # F7 and F8 block and end a chat in the workspace: nothing here
        assert "f7" not in rows and "f8" not in rows
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is mail)


async def test_themes_set_from_the_console(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna", team="antwerpen")
    d = await dossiers.create(relay.db, clock.now(), "anna", "antwerpen", "Tulp")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        await accept_new_chatter(pilot, ws, relay, nickname="Mila", region="antwerpen")
        await pilot.press("ctrl+d")
        await until(pilot, lambda: type(app.screen).__name__ == "DossierScreen")
        screen = app.screen
        results = screen.query_one("#dossier-results")
        await until(pilot, lambda: results.option_count == 1)
        results.focus()
        await pilot.press("enter")
        await until(pilot, lambda: screen.dossier is not None)
        await pilot.press("f5", "down", "enter")  # more: themes
        await until(pilot, lambda: isinstance(app.screen, ThemesScreen))
        listing = app.screen.query_one(SelectionList)
        themes = [str(listing.get_option_at_index(i).value) for i in range(3)]
        # The third theme first (the main theme), then the first: order kept.
        await pilot.press("down", "down", "space", "up", "up", "space", "enter")
        await until(pilot, lambda: app.screen is screen)
        await until(pilot, lambda: screen.dossier.get("themes") == [themes[2], themes[0]])
    opened = await dossiers.open_dossier(relay.db, clock.now(), "test", d.code, None)
    assert list(opened.themes) == [themes[2], themes[0]]
