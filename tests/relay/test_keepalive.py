"""Keepalive: a peer that stops answering pings is noticed (within 2 x keepalive)."""

from __future__ import annotations

from typing import Any

from console1712.store import accounts
from tests.conftest import StaffLogin
from tests.databases import both_databases
from tests.relay.helpers import chatter, console, recv_type, request, until_dropped

pytestmark = both_databases


async def test_a_dead_chatter_is_noticed_and_the_counsellor_told(
    relay_with: Any, clock: Any
) -> None:
    async with relay_with(keepalive=1) as relay:
        created = await accounts.create_account(
            relay.db, clock, "anna", "correct horse battery", role="counsellor", team="antwerpen"
        )
        anna = StaffLogin("anna", "correct horse battery", created.secret, clock)
        async with console(relay, anna) as cw, chatter(relay) as (ws, queued):
            await request(cw, {"type": "accept", "chat": queued["chat"]}, "assigned")
            # The chatter's machine stalls: it reads nothing, so it answers no ping.
            ws.transport.pause_reading()
            await until_dropped(relay, queued["chat"], wait=10)
            away = await recv_type(cw, "presence", chat=queued["chat"])
            assert away["state"] == "away"
            # The counsellor's console, which does answer pings, is still served.
            status = await request(cw, {"type": "status", "state": "away"}, "status")
            assert status["state"] == "away"
            ws.transport.resume_reading()  # let the client see its closed connection
