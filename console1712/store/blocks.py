"""Temporary blocks of abusive chatters, by keyed hash of their network address."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from console1712.clock import from_rfc3339, to_rfc3339
from console1712.store.db import Database, Tx


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


@dataclass(frozen=True)
class ActiveBlock:
    """A block still running, as a supervisor sees it (no address, not even its hash)."""

    id: str
    created_at: datetime
    until: datetime
    blocked_by: str
    reason: str | None
    chat: str | None


async def list_active(db: Database, now: datetime) -> list[ActiveBlock]:
    """The blocks still running at `now`, the longest running first; reasons opened."""
    rows = await db.fetchall(
        "SELECT id, created_at, until, chat, blocked_by, reason FROM blocks WHERE until > ?"
        " ORDER BY until DESC",
        (to_rfc3339(now),),
    )
    return [
        ActiveBlock(
            id=r["id"],
            created_at=from_rfc3339(r["created_at"]),
            until=from_rfc3339(r["until"]),
            blocked_by=r["blocked_by"],
            reason=db.keys.open_opt(r["reason"], "blocks", "reason", r["id"]),
            chat=r["chat"],
        )
        for r in rows
    ]


async def lift_in(tx: Tx, block_id: str, now: datetime) -> bool:
    """End a running block now (inside a job that also audits it); False when none runs."""
    row = await tx.fetchone(
        "SELECT id FROM blocks WHERE id = ? AND until > ?", (block_id, to_rfc3339(now))
    )
    if row is None:
        return False
    await tx.execute("UPDATE blocks SET until = ? WHERE id = ?", (to_rfc3339(now), block_id))
    return True
