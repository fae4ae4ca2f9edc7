"""Doing things without slips: canned replies, block, transfer note, mail drafts, burst keys."""

from __future__ import annotations

import pytest

from console1712.screens.login import LoginScreen
from console1712.screens.workspace import WorkspaceScreen
from tests.console.conftest import (
    accept_new_chatter,
    burst,
    console_app,
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
    from tests.console.conftest import sign_in

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
