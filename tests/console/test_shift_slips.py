"""Doing things without slips: canned replies, block, transfer note, mail drafts, burst keys."""

from __future__ import annotations

import pytest

from console1712.screens.dialogs import CannedScreen
from console1712.screens.login import LoginScreen
from console1712.screens.workspace import WorkspaceScreen
from tests.console.conftest import (
    accept_new_chatter,
    burst,
    console_app,
    screen_text,
    sign_in,
    transcript,
    until,
)


@pytest.mark.parametrize("step", ["tab", "enter"])
async def test_login_typed_in_one_burst(settings, relay, clock, make_staff, step) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LoginScreen))
        # A password manager's auto-type: every key at once, no pause.
        burst(app, [*anna.name, step, *anna.password, step, *anna.code(), "enter"])
        await until(pilot, lambda: isinstance(app.screen, WorkspaceScreen))
        ws = app.screen
        await until(pilot, lambda: ws.status.connection == "connected")


async def test_two_lines_typed_in_one_burst(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        chatter = await accept_new_chatter(pilot, ws, relay, nickname="Mila")
        await chatter.recv("joined")
        pane = ws.panes[chatter.chat]
        await until(pilot, lambda: app.focused is pane.input)
        burst(app, ["x", "1", "ctrl+o", "x", "2", "enter"])
        message = await chatter.recv("message")
        assert message["text"] == "x1\nx2"
        await until(pilot, lambda: pane.input.text == "")


async def test_canned_replies_numbered_in_full_filtered_and_picked_by_digit(
    settings, relay, clock, make_staff
) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        chatter = await accept_new_chatter(pilot, ws, relay, nickname="Jo")
        pane = ws.panes[chatter.chat]
        await pilot.press(*"Dag Jo. ", "f4")
        assert isinstance(app.screen, CannedScreen)
        await until(pilot, lambda: "1 Als je nu in gevaar bent" in screen_text(app))
        text = screen_text(app)
        # Shown in full, wrapped at words: the end of the long emergency text is there.
        assert "praten." in text and "5 Dank je" in text
        assert not any(row.rstrip().endswith(("gev", "bel")) for row in text.splitlines())
        await pilot.press(*"maandag")  # letters filter
        await until(pilot, lambda: "1 Als je" not in screen_text(app))
        assert "3 De chat is open" in screen_text(app)
        await pilot.press("4")  # a digit picks by its number, filtered or not
        await until(pilot, lambda: app.screen is ws)
        assert pane.input.text.startswith("Dag Jo. Hallo, je spreekt met")
        assert app.focused is pane.input
        assert transcript(ws, chatter.chat) == ""  # never sent straight away
        await pilot.press("enter")
        message = await chatter.recv("message")
        assert message["text"].startswith("Dag Jo. Hallo")
