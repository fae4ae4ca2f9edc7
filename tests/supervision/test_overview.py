"""The overview's figures: scoped to the team, live chat rows, and the queue chart's real
maximum (not only at the sample points)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from console1712.clock import FakeClock, to_rfc3339
from console1712.domain.stats import queue_lengths, queue_peak
from console1712.relay.server import Relay
from tests.relay.helpers import chatter, console, recv_type, request, send


def test_queue_peak_is_the_real_maximum_between_samples() -> None:
    t0 = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
    at = [t0 + timedelta(seconds=s) for s in (0, 60, 120)]
    # Three chats wait together for 20 seconds between two samples a minute apart.
    spans = [(t0 + timedelta(seconds=10 + i), t0 + timedelta(seconds=30 + i)) for i in range(3)]
    assert max(queue_lengths(spans, at)) == 0
    assert queue_peak(spans, at[0], at[-1]) == 3
    # One leaving as another arrives at the same instant is not two at once.
    handover = [(t0, t0 + timedelta(seconds=5)), (t0 + timedelta(seconds=5), None)]
    assert queue_peak(handover, t0, at[-1]) == 1


async def test_overview_rows_scope_and_peak(
    relay: Relay, make_staff: Any, clock: FakeClock
) -> None:
    anna = await make_staff("anna", team="antwerpen", display="Anna")
    lies = await make_staff("lies", role="supervisor", team="limburg", display="Lies")
    sofie = await make_staff("sofie", role="supervisor", team="antwerpen", display="Sofie")
    async with (
        console(relay, anna) as aw,
        console(relay, lies) as lw,
        console(relay, sofie) as sw,
    ):
        async with chatter(relay, region="limburg"), chatter(relay, region="limburg"):
            clock.advance(20)
        async with chatter(relay, nickname="Mus", region="antwerpen") as (cw, queued):
            chat = queued["chat"]
            await request(aw, {"type": "accept", "chat": chat}, "assigned")
            await send(cw, {"type": "say", "id": "c1", "text": "hallo"})
            await recv_type(aw, "message", chat=chat)
            asked_at = to_rfc3339(clock.now())
            clock.advance(30)
            mine = await request(sw, {"type": "monitor_subscribe"}, "monitor")
            [row] = mine["chats"]
            assert (row["name"], row["nickname"], row["region"]) == ("Anna", "Mus", "antwerpen")
            assert (row["awaiting"], row["answered"]) == (asked_at, None)
            assert [s["user"] for s in mine["staff"]] == ["anna", "sofie"]  # not lies
            assert len(mine["queue_history"]) == 61
            assert mine["queue_max"] == 2  # the two limburg chatters, for 20 s
            theirs = await request(lw, {"type": "monitor_subscribe"}, "monitor")
            assert theirs["chats"] == []
            assert [s["user"] for s in theirs["staff"]] == ["lies"]


def test_a_returned_chat_is_marked_in_the_queue_panel() -> None:
    from console1712.widgets.queue import entry_content

    now = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
    entry = {"chat": "c1", "nickname": "Mus", "region": "limburg", "since": to_rfc3339(now)}
    plain = entry_content({**entry, "returned": True}, now, "antwerpen", "nl").plain
    assert plain.startswith("↩ Mus") and "terug" in plain
    assert "terug" not in entry_content(entry, now, "antwerpen", "nl").plain
