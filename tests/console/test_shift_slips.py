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
    open_chatter,
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
        # mounted (compose and on_mount done), as sign_in waits: the test must not end
        # while the workspace is still being built (its on_mount would find no widgets)
        await until(pilot, lambda: isinstance(app.screen, WorkspaceScreen))
        ws = app.screen
        await until(pilot, lambda: ws.is_mounted and ws.status.connection == "connected")


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


async def test_supervisor_lists_and_lifts_a_block(settings, relay, clock, make_staff) -> None:
    from console1712.screens.dialogs import ConfirmScreen, PickScreen
    from tests.relay.helpers import console, request

    anna = await make_staff("anna")
    sue = await make_staff("sue", role="supervisor", team=None)
    troll = await open_chatter(relay, nickname="Troll")
    async with console(relay, anna) as ws_anna:
        await request(ws_anna, {"type": "accept", "chat": troll.chat}, "assigned")
        frame = {"type": "block", "chat": troll.chat, "hours": 5, "reason": "[b]scheldt[/b]"}
        await request(ws_anna, frame, "ended")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, sue)
        await pilot.press("ctrl+t")  # the supervisor screen: F6 lists the running blocks
        await until(pilot, lambda: type(app.screen).__name__ == "SupervisorScreen")
        overview = app.screen
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, PickScreen))
        await until(pilot, lambda: "nog 5 uur · [b]scheldt[/b] · door anna" in screen_text(app))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("ctrl+y")
        told = lambda text: any(text in n.message for n in app._notifications)  # noqa: E731
        await until(pilot, lambda: told("Blokkering opgeheven."))
        await until(pilot, lambda: app.screen is overview)
        await pilot.press("f6")
        await until(pilot, lambda: told("Geen lopende blokkeringen."))
        assert app.screen is overview
    again = await open_chatter(relay)  # the address may chat again
    assert again.chat
