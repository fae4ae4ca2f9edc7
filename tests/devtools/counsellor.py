"""A raw staff-side websockets client for driving the counsellor side in tests."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

Frame = dict[str, Any]


class Counsellor:
    """Logged-in staff connection that keeps every frame it receives in `frames`."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.frames: list[Frame] = []
        self._seen = 0
        self._ids = itertools.count(1)

    @classmethod
    async def login(cls, port: int, login_frame: dict[str, str]) -> Counsellor:
        ws = await connect(f"ws://127.0.0.1:{port}/console")
        me = cls(ws)
        await me.send(login_frame)
        session = await me.expect(lambda f: f["type"] in ("session", "error"))
        assert session["type"] == "session", session
        return me

    async def send(self, frame: Frame) -> None:
        await self.ws.send(json.dumps(frame))

    async def expect(self, pred: Callable[[Frame], bool], within: float = 10) -> Frame:
        """The next not yet consumed frame matching `pred` (earlier ones stay in `frames`)."""
        async with asyncio.timeout(within):
            while True:
                while self._seen < len(self.frames):
                    frame = self.frames[self._seen]
                    self._seen += 1
                    if pred(frame):
                        return frame
                self.frames.append(json.loads(await self.ws.recv()))

    async def wait_queue(self, within: float = 10) -> list[Frame]:
        """The first non-empty waiting list."""
        frame = await self.expect(lambda f: f["type"] == "queue" and bool(f["waiting"]), within)
        waiting: list[Frame] = frame["waiting"]
        return waiting

    async def accept(self, chat: str | None = None) -> Frame:
        await self.send({"type": "accept", "chat": chat} if chat else {"type": "accept"})
        return await self.expect(lambda f: f["type"] in ("assigned", "error"))

    async def say(self, chat: str, text: str) -> int:
        msg_id = f"c-{next(self._ids)}"
        await self.send({"type": "say", "chat": chat, "id": msg_id, "text": text})
        ack = await self.expect(lambda f: f["type"] in ("ack", "error") and f.get("id") == msg_id)
        assert ack["type"] == "ack", ack
        return int(ack["seq"])

    async def message(self, text: str, within: float = 10) -> Frame:
        return await self.expect(lambda f: f["type"] == "message" and f.get("text") == text, within)

    def texts_from_chatter(self) -> list[str]:
        return [f["text"] for f in self.frames if f["type"] == "message"]

    async def close(self) -> None:
        await self.ws.close()
