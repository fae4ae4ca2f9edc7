"""Supervisors list the running blocks and lift one; both are audited."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from console1712.clock import to_rfc3339
from console1712.protocol import operations as req
from console1712.relay.operations import SUPERVISOR, OpContext, Operation, OpError
from console1712.store import audit, blocks
from console1712.store.db import Tx


async def list_blocks(ctx: OpContext, q: req.Blocks) -> dict[str, Any]:
    """The running blocks: remaining time, reason, by whom (never an address)."""
    now = ctx.clock.now()
    found = await blocks.list_active(ctx.db, now)

    async def job(tx: Tx) -> None:
        # A reason can name the chatter's words: reading the list is a read of personal data.
        await audit.append(tx, now, ctx.caller.name, "block.list", "blocks", detail=str(len(found)))

    await ctx.db.write(job)
    return {
        "type": "blocks",
        "blocks": [
            {
                "block": b.id,
                "since": to_rfc3339(b.created_at),
                "until": to_rfc3339(b.until),
                "remaining_s": int((b.until - now).total_seconds()),
                "by": b.blocked_by,
                "reason": b.reason or "",
            }
            for b in found
        ],
    }


async def lift(ctx: OpContext, q: req.BlockLift) -> dict[str, Any]:
    """End one running block now; the address can start chats again at once."""
    block_id = q.block
    now = ctx.clock.now()
    lifted: list[bool] = []

    async def job(tx: Tx) -> None:
        lifted[:] = [await blocks.lift_in(tx, block_id, now)]
        if lifted[0]:
            detail = json.dumps({"block": block_id})
            await audit.append(tx, now, ctx.caller.name, "block.lift", block_id, detail=detail)

    await ctx.db.write(job)
    if not lifted or not lifted[0]:
        raise OpError("not_found")
    # The relay checks `start` against its in-memory copy: bring it in line with the table.
    live: dict[str, datetime] | None = getattr(ctx.relay, "blocks", None)
    if live is not None:
        live.clear()
        live.update(await blocks.active_blocks(ctx.db, now))
    return {"type": "block_lifted", "block": block_id}


OPERATIONS: tuple[Operation[Any], ...] = (
    Operation(req.Blocks, SUPERVISOR, list_blocks),
    Operation(req.BlockLift, SUPERVISOR, lift),
)
