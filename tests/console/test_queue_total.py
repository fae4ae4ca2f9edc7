"""A queue longer than the relay lists (100) shows its whole length in the status line."""

from __future__ import annotations

from websockets.asyncio.client import connect

from tests.console.conftest import console_app, sign_in, until
from tests.relay.helpers import recv_type, request, url


async def test_the_status_line_counts_the_whole_queue(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna")
    for _ in range(103):  # one address's flood, as in the attack (the cap is lifted here)
        async with connect(url(relay, "/chat")) as ws:
            await recv_type(ws, "welcome")
            await request(ws, {"type": "start", "consent": True}, "queued")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        await until(pilot, lambda: ws.queue_list.entries)
        assert len(ws.queue_list.entries) == 100  # what the relay lists
        await until(pilot, lambda: "103 wachtend" in str(ws.status.render()))
