"""Supervisors list running blocks (remaining time, reason, by whom) and lift one; audited."""

from __future__ import annotations

from tests.databases import both_databases
from tests.relay.helpers import chatter, console, expect_error, recv_type, request, url

pytestmark = both_databases


async def test_supervisor_lists_and_lifts_a_block(relay, make_staff) -> None:
    anna = await make_staff("anna")
    sue = await make_staff("sue", role="supervisor", team=None)
    async with console(relay, anna) as ws:
        async with chatter(relay) as (_, queued):
            chat = queued["chat"]
            await request(ws, {"type": "accept", "chat": chat}, "assigned")
            frame = {"type": "block", "chat": chat, "hours": 24, "reason": "scheldt [b]x[/b]"}
            await request(ws, frame, "ended")
        await expect_error(ws, {"type": "blocks"}, "forbidden")  # supervisors only
        async with console(relay, sue) as sup:
            listed = await request(sup, {"type": "blocks"}, "blocks")
            [block] = listed["blocks"]
            assert block["by"] == "anna" and block["reason"] == "scheldt [b]x[/b]"
            assert block["remaining_s"] == 24 * 3600
            assert "address" not in block and "address_hash" not in block
            await expect_error(sup, {"type": "block_lift", "block": "b_nope"}, "not_found")
            lifted = await request(
                sup, {"type": "block_lift", "block": block["block"]}, "block_lifted"
            )
            assert lifted["block"] == block["block"]
            assert (await request(sup, {"type": "blocks"}, "blocks"))["blocks"] == []
    # The address may chat again at once.
    from websockets.asyncio.client import connect

    async with connect(url(relay, "/chat")) as again:
        await recv_type(again, "welcome")
        started = await request(again, {"type": "start", "consent": True}, "queued")
        assert started["chat"]
    rows = await relay.db.fetchall("SELECT actor, action FROM audit ORDER BY seq")
    actions = [(r["actor"], r["action"]) for r in rows]
    assert ("sue", "block.list") in actions and ("sue", "block.lift") in actions
