"""Temporary blocks of abusive chatters, by keyed hash of their network address."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from console1712.clock import from_rfc3339, to_rfc3339
from console1712.store.db import Database, Tx, register_encrypted

register_encrypted("blocks", "reason", "id")


@dataclass(frozen=True)
class Block:
    id: str
    address_hash: str
    until: datetime


def new_block_id() -> str:
    return "b_" + secrets.token_urlsafe(9)


async def add_in(
    tx: Tx,
    block_id: str,
    address_hash: str,
    at: datetime,
    until: datetime,
    chat: str | None,
    blocked_by: str,
    reason: str | None,
) -> None:
    """Insert a block inside a larger job (the relay ends the chat in the same transaction)."""
    await tx.execute(
        "INSERT INTO blocks (id, address_hash, created_at, until, chat, blocked_by, reason)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            block_id,
            address_hash,
            to_rfc3339(at),
            to_rfc3339(until),
            chat,
            blocked_by,
            tx.keys.seal_opt(reason, "blocks", "reason", block_id),
        ),
    )


async def active_blocks(db: Database, now: datetime) -> dict[str, datetime]:
    """Address hash -> the latest `until` of the blocks still running at `now`."""
    rows = await db.fetchall(
        "SELECT address_hash, MAX(until) AS until FROM blocks WHERE until > ?"
        " GROUP BY address_hash",
        (to_rfc3339(now),),
    )
    return {r["address_hash"]: from_rfc3339(r["until"]) for r in rows}
