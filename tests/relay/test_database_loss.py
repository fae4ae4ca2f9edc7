"""Losing PostgreSQL: the relay refuses new work with `unavailable` (nothing stored, nothing
acknowledged), stays up, and carries on by itself when the server is back."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest
from websockets.asyncio.client import connect

from console1712.clock import FakeClock
from console1712.config import Settings
from console1712.store import chats
from tests.databases import CutProxy
from tests.relay.helpers import recv_type, request, send, standard_relay, url


@pytest.fixture
async def proxy(pg_url: str) -> AsyncIterator[CutProxy]:
    through = CutProxy(pg_url)
    await through.start()
    yield through
    await through.cut()


async def test_relay_refuses_work_while_postgres_is_gone_and_recovers(
    settings: Settings, clock: FakeClock, proxy: CutProxy
) -> None:
    relay = standard_relay(dataclasses.replace(settings, database=proxy.url), clock)
    await relay.start()
    try:
        async with connect(url(relay, "/chat")) as cw:
            await recv_type(cw, "welcome")
            queued = await request(cw, {"type": "start", "consent": True}, "queued")
            assert (await request(cw, {"type": "say", "id": "a", "text": "een"}, "ack"))["seq"] == 1

            await proxy.cut()  # PostgreSQL is gone
            await send(cw, {"type": "say", "id": "b", "text": "twee"})
            refused = await recv_type(cw, "error")
            assert (refused["code"], refused["id"]) == ("unavailable", "b")
            assert "niets bewaard" in refused["detail"]
            async with connect(url(relay, "/chat")) as other:
                await recv_type(other, "welcome")
                await send(other, {"type": "start", "consent": True, "ref": "s"})
                answer = await recv_type(other, "error")
                assert (answer["code"], answer["ref"]) == ("unavailable", "s")

                await proxy.restore()  # it is back: the same frames now go through
                assert (await request(cw, {"type": "say", "id": "b", "text": "twee"}, "ack"))[
                    "seq"
                ] == 2
                await request(other, {"type": "start", "consent": True}, "queued")
            history = await chats.transcript(relay.db, queued["chat"])
            assert [(m.seq, m.text) for m in history] == [(1, "een"), (2, "twee")]
    finally:
        await relay.stop()
