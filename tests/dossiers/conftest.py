"""Fixtures for dossier tests: the real database of a settings' data directory, and chats."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import datetime

import pytest

from console1712.config import Settings
from console1712.store import chats
from console1712.store.db import Database


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = await Database.open(settings.db_target, settings.key_path)
    try:
        yield database
    finally:
        await database.close()


async def make_chat(
    db: Database,
    at: datetime,
    *,
    team: str = "antwerpen",
    texts: tuple[str, ...] = ("hallo",),
    nickname: str = "Anoniem",
    address: str = "192.0.2.7",
    ended: datetime | None = None,
) -> str:
    """An accepted chat of `team` with messages from the chatter, ended at `ended`."""
    chat_id = chats.new_chat_id()
    await chats.create_chat(
        db,
        chat_id,
        at,
        chats.Intake(nickname=nickname, age=15, region="antwerpen"),
        address,
        db.keys.keyed_hash("address", address),
        chats.token_hash(secrets.token_hex(8)),
    )
    await chats.assign(db, chat_id, "anna", team, at)
    for seq, text in enumerate(texts, start=1):
        await chats.add_message(db, chat_id, seq, chats.CHATTER, f"k{seq}", text, at)
    if ended is not None:
        await chats.end_chat(db, chat_id, "chatter", ended)
    return chat_id
