"""Small helpers for talking to a real relay with real websockets clients."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from console1712.clock import Clock
from console1712.config import Settings
from console1712.relay.assembly import standard_operations, standard_services
from console1712.relay.server import Relay


def standard_relay(settings: Settings, clock: Clock | None = None) -> Relay:
    """A relay (not started) with the standard operations and services, as `console1712
    relay` runs it."""
    return Relay(settings, clock, operations=standard_operations(), services=standard_services())


def url(relay: Any, path: str) -> str:
    return f"ws://127.0.0.1:{relay.port}{path}"


async def send(ws: ClientConnection, frame: dict[str, Any]) -> None:
    await ws.send(json.dumps(frame))


async def recv(ws: ClientConnection, wait: float = 10) -> dict[str, Any]:
    frame = json.loads(await asyncio.wait_for(ws.recv(), wait))
    assert isinstance(frame, dict)
    return frame


async def recv_type(
    ws: ClientConnection, kind: str, wait: float = 10, **match: Any
) -> dict[str, Any]:
    """The next frame of this type (and these field values), skipping any other frames."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        frame = await recv(ws, max(0.01, deadline - loop.time()))
        if frame.get("type") == kind and all(frame.get(k) == v for k, v in match.items()):
            return frame


async def request(ws: ClientConnection, frame: dict[str, Any], kind: str) -> dict[str, Any]:
    await send(ws, frame)
    return await recv_type(ws, kind)


async def expect_error(
    ws: ClientConnection, frame: dict[str, Any] | str, code: str
) -> dict[str, Any]:
    """Send a frame and return the next `error`, checking its code."""
    await ws.send(frame if isinstance(frame, str) else json.dumps(frame))
    err = await recv_type(ws, "error")
    assert err["code"] == code, err
    return err


async def closed_with(ws: ClientConnection, wait: float = 3) -> int | None:
    """Wait until the relay closes the connection; its close code."""

    async def drain() -> None:
        async for _ in ws:
            pass

    try:
        await asyncio.wait_for(drain(), wait)
    except Exception:
        pass
    await asyncio.wait_for(ws.wait_closed(), wait)
    return ws.close_code


@asynccontextmanager
async def chatter(relay: Any, **start: Any) -> AsyncIterator[tuple[ClientConnection, dict]]:
    """A connected chatter that has started a chat: (ws, queued frame)."""
    async with connect(url(relay, "/chat")) as ws:
        await recv_type(ws, "welcome")
        queued = await request(ws, {"type": "start", "consent": True, **start}, "queued")
        yield ws, queued


@asynccontextmanager
async def console(relay: Any, staff: Any) -> AsyncIterator[ClientConnection]:
    """A console logged in as `staff` (a StaffLogin from make_staff)."""
    async with connect(url(relay, "/console")) as ws:
        session = await request(ws, staff.login_frame(), "session")
        assert session["user"] == staff.name
        yield ws


async def poll(check: Any, wait: float = 5) -> None:
    """Wait until `check()` is true (fails the test after `wait` seconds): the one
    poll-until helper outside Pilot tests (those use tests.console.conftest.until)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while not check():
        assert loop.time() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


async def until_dropped(relay: Any, chat_id: str, wait: float = 3) -> None:
    """Wait until the relay has noticed that this chat's chatter went away."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while (chat := relay.chats.get(chat_id)) is not None and chat.dropped_at is None:
        assert loop.time() < deadline, "the relay did not notice the drop"
        await asyncio.sleep(0.01)
