"""Helpers for console tests: a raw chatter, waiting on the app, logging in through the screen."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from textual.css.query import NoMatches
from textual.pilot import Pilot
from textual.widgets import Input
from websockets.asyncio.client import ClientConnection, connect

from console1712.app import ConsoleApp
from console1712.clock import FakeClock
from console1712.config import Settings


async def until(pilot: Pilot[Any], condition: Callable[[], object], limit: float = 20.0) -> None:
    """Let the app run until condition() is true (fails the test after `limit` seconds).
    A widget the condition asks for that is not mounted yet (a screen still composing on a
    loaded machine) counts as "not yet"."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not _holds(condition):
        if loop.time() > deadline:
            raise AssertionError("condition not reached")
        await pilot.pause(0.02)


def _holds(condition: Callable[[], object]) -> bool:
    try:
        return bool(condition())
    except NoMatches:
        return False


class Chatter:
    """A raw websockets chatter on the relay's /chat path."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.chat = ""
        self.resume = ""
        self.frames: list[dict[str, Any]] = []

    async def send(self, frame: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(frame))

    async def recv(self, kind: str, limit: float = 10.0) -> dict[str, Any]:
        """The next frame of this type (others are kept in .frames)."""
        async with asyncio.timeout(limit):
            while True:
                frame = json.loads(await self.ws.recv())
                self.frames.append(frame)
                if frame.get("type") == kind:
                    return frame

    async def say(self, text: str, msg_id: str) -> dict[str, Any]:
        await self.send({"type": "say", "id": msg_id, "text": text})
        return await self.recv("ack")


async def open_chatter(relay: Any, **intake: Any) -> Chatter:
    ws = await connect(f"ws://127.0.0.1:{relay.port}/chat")
    chatter = Chatter(ws)
    await chatter.recv("welcome")
    await chatter.send({"type": "start", "consent": True, **intake})
    queued = await chatter.recv("queued")
    chatter.chat = queued["chat"]
    chatter.resume = queued["resume"]
    return chatter


async def accept_new_chatter(
    pilot: Pilot[Any], workspace: Any, relay: Any, **intake: Any
) -> Chatter:
    """A chatter starts a chat; the counsellor accepts the next one with F3 (its tab opens)."""
    chatter = await open_chatter(relay, **intake)
    await until(pilot, lambda: workspace.queue_list.entries)
    await pilot.press("f3")
    await until(pilot, lambda: chatter.chat in workspace.panes)
    return chatter


def console_app(settings: Settings, relay: Any, clock: FakeClock, **kw: Any) -> ConsoleApp:
    settings.url = f"ws://127.0.0.1:{relay.port}/console"
    return ConsoleApp(settings, clock=clock, **kw)


async def login(pilot: Pilot[Any], user: str, password: str, code: str) -> None:
    """Fill the login screen and press Enter in the code field."""
    screen = pilot.app.screen
    screen.query_one("#login-user", Input).value = user
    screen.query_one("#login-password", Input).value = password
    code_input = screen.query_one("#login-code", Input)
    code_input.value = code
    code_input.focus()
    await pilot.press("enter")


@pytest.fixture(autouse=True)
def _plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    # Thin-client conditions: a 16-colour terminal, and deterministic themes in snapshots.
    monkeypatch.delenv("COLORTERM", raising=False)


async def sign_in(pilot: Pilot[Any], staff: Any) -> Any:
    """Log in through the screen and wait for a connected workspace; returns the workspace."""
    from console1712.screens.workspace import WorkspaceScreen

    app = pilot.app
    await login(pilot, staff.name, staff.password, staff.code())
    # The screen is on the stack before it is composed: wait until its widgets are there
    # (querying the status line earlier raises NoMatches under load).
    await until(
        pilot,
        lambda: (
            isinstance(app.screen, WorkspaceScreen)
            and app.screen.is_mounted
            and bool(app.screen.query("#status"))
        ),
    )
    workspace = app.screen
    # The status line starts as "connected" before it is drawn: wait for what it shows.
    await until(pilot, lambda: "verbonden" in str(workspace.status.render()))
    return workspace


def transcript(workspace: Any, chat: str) -> str:
    return str(workspace.panes[chat].transcript.plain())


def screen_text(app: Any) -> str:
    """What the terminal shows now, as plain text rows (the active screen's compositor)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def chatter_says(chatter: Chatter, texts: list[str], prefix: str = "m") -> None:
    """The chatter sends each text and waits for its ack (in order)."""
    for number, text in enumerate(texts):
        await chatter.say(text, f"{prefix}{number}")


def burst(app: Any, keys: list[str]) -> None:
    """Keys as a terminal delivers a burst (auto-type, a laggy SSH link): all queued at once,
    no pause for the app between them, the way the driver posts them."""
    from textual import events
    from textual.keys import _character_to_key

    for key in keys:
        if len(key) == 1:
            app.post_message(events.Key(_character_to_key(key), key))
        else:
            app.post_message(
                events.Key(key, "\r" if key == "enter" else "\t" if key == "tab" else None)
            )
