"""The deployment tests' people: counsellor accounts made before the relay starts, and a
console's link (client/staff.py) that records what the test checks."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from console1712.client.staff import StaffClient
from console1712.clock import Clock
from console1712.protocol import events as ev
from console1712.store import accounts, chats
from console1712.store.db import Database

PASSWORD = "correct horse battery"
COUNSELLORS = ("anna", "bert")


async def make_counsellors(data: Path, database: str | None = None) -> dict[str, str]:
    """The counsellors' accounts, made before the relay starts: name -> TOTP secret.
    `database`: a PostgreSQL URL (the key file stays in `data`)."""
    db = await Database.open(database or data / "console1712.db", data / "console1712.key")
    try:
        return {
            name: (
                await accounts.create_account(
                    db, Clock(), name, PASSWORD, role="counsellor", team="antwerpen",
                    display=name.title(),
                )
            ).secret
            for name in COUNSELLORS
        }  # fmt: skip
    finally:
        await db.close()


async def stored_chats(data: Path, database: str | None = None) -> dict[str, chats.StoredChat]:
    db = await Database.open(database or data / "console1712.db", data / "console1712.key")
    try:
        return {c.id: c for c in await chats.load_open_chats(db)}
    finally:
        await db.close()


class Counsellor:
    """A console's link (StaffClient) with what the test needs to see of it."""

    def __init__(self, url: str, name: str) -> None:
        self.name = name
        self.client = StaffClient(url, self.on_frame, self.on_state, min_backoff=0.05)
        self.states: list[str] = []
        self.assigned: list[str] = []  # chat ids of every `assigned` frame, in order
        self.messages: list[dict[str, Any]] = []  # every `message` frame (from chatters)
        self.history: dict[str, list[str]] = {}  # chat -> texts of its latest `assigned`
        self.acks: dict[tuple[str, str], asyncio.Future[int]] = {}
        self.task: asyncio.Task[None] | None = None

    def on_frame(self, frame: Any) -> None:
        if isinstance(frame, ev.Assigned):
            self.assigned.append(frame.chat)
            self.history[frame.chat] = [h.text for h in frame.history]
        elif isinstance(frame, ev.Message):
            self.messages.append({"chat": frame.chat, "seq": frame.seq, "text": frame.text})
        elif isinstance(frame, ev.Ack) and frame.chat is not None:
            fut = self.acks.get((frame.chat, frame.id))
            if fut is not None and not fut.done():
                fut.set_result(frame.seq)

    def on_state(self, state: str) -> None:
        self.states.append(state)

    async def login(self, secret: str) -> None:
        await self.client.login(self.name, PASSWORD, accounts.totp_code(secret, Clock().now()))
        self.task = asyncio.create_task(self.client.run())

    async def say(self, chat: str, text: str) -> int:
        """Send and wait for the ack; a message caught by the crash is re-sent by the client
        with its id after the reconnect."""
        msg_id = self.client.new_id()
        fut: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.acks[(chat, msg_id)] = fut
        await self.client.say(chat, text, msg_id)
        return await fut
