"""Behind a load balancer every socket comes from its address: with `trusted_proxies` the
per-address limits count the client that its X-Forwarded-For names, and nobody else's header
is believed."""

from __future__ import annotations

from websockets.asyncio.client import connect

from tests.databases import both_databases
from tests.relay.helpers import closed_with, recv_type, url

pytestmark = both_databases


def via(address: str) -> dict[str, str]:
    # What HAProxy's `option forwardfor` adds: the client's address, last.
    return {"X-Forwarded-For": address}


async def test_a_trusted_balancer_names_the_client(relay_with) -> None:
    async with relay_with(
        max_connections_per_address=1, max_sockets_per_address=1, trusted_proxies=["127.0.0.1"]
    ) as relay:
        chat = url(relay, "/chat")
        async with connect(chat, additional_headers=via("203.0.113.5")) as a:
            await recv_type(a, "welcome")
            # Another client through the same balancer: its own address, its own count, and
            # the balancer's sockets are not capped per address.
            async with connect(chat, additional_headers=via("203.0.113.6")) as b:
                await recv_type(b, "welcome")
                # The same client once more: over its cap.
                async with connect(chat, additional_headers=via("203.0.113.5")) as c:
                    assert await closed_with(c) == 1013
                # A client cannot slip past by sending its own header first: the last
                # entry (the balancer's) counts.
                spoofed = {"X-Forwarded-For": "198.51.100.9, 203.0.113.5"}
                async with connect(chat, additional_headers=spoofed) as d:
                    assert await closed_with(d) == 1013


async def test_the_header_is_not_believed_from_anyone_else(relay_with, caplog) -> None:
    async with relay_with(max_connections_per_address=1) as relay:
        chat = url(relay, "/chat")
        async with connect(chat, additional_headers=via("203.0.113.5")) as a:
            await recv_type(a, "welcome")
            async with connect(chat, additional_headers=via("203.0.113.6")) as b:
                assert await closed_with(b) == 1013  # both are 127.0.0.1
    # The administrator hears of it once (a balancer or standby relay not listed), with
    # no address in the line.
    lines = [r.getMessage() for r in caplog.records if "X-Forwarded-For" in r.getMessage()]
    assert len(lines) == 1 and "not in trusted_proxies" in lines[0]
    assert "203.0.113" not in lines[0] and "127.0.0.1" not in lines[0]


async def test_a_garbled_header_counts_as_the_balancer(relay_with) -> None:
    async with relay_with(max_connections_per_address=1, trusted_proxies=["127.0.0.1"]) as relay:
        chat = url(relay, "/chat")
        async with connect(chat, additional_headers=via("not-an-address")) as a:
            await recv_type(a, "welcome")
            async with connect(chat) as b:  # no header: the balancer's own address
                assert await closed_with(b) == 1013
