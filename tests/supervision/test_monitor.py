"""The live monitor over real websockets: snapshot on subscribe, pushes on change only,
at most one a second, and today's figures from real chats."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from console1712.clock import to_rfc3339
from console1712.relay.operations import supervision
from tests.relay.helpers import chatter, console, expect_error, recv_type, request


async def _settled(monitor: supervision.Monitor) -> None:
    for _ in range(500):
        await asyncio.sleep(0.01)
        if monitor.idle:
            return
    raise AssertionError("monitor never settled")


def _region(frame: dict[str, Any], region: str) -> dict[str, Any]:
    return next(r for r in frame["regions"] if r["region"] == region)


async def test_subscribe_gets_snapshot_and_pushes_follow_changes(relay, make_staff, clock) -> None:
    sofie = await make_staff("sofie", role="supervisor", team=None)
    anna = await make_staff("anna")
    monitor = supervision.monitor_of(relay)
    async with console(relay, sofie) as sw:
        first = await request(sw, {"type": "monitor_subscribe", "ref": "m"}, "monitor")
        assert first["ref"] == "m"
        assert _region(first, "limburg") == {"region": "limburg", "waiting": 0, "since": None}
        assert first["today"]["started"] == 0
        assert first["mail"] == {"due_today": 0, "overdue": 0}
        assert len(first["queue_history"]) == 60 + 1  # each minute over the last hour

        async with chatter(relay, region="limburg") as (_c1, q1):
            pushed = await recv_type(sw, "monitor")
            while _region(pushed, "limburg")["waiting"] != 1:
                pushed = await recv_type(sw, "monitor")
            assert _region(pushed, "limburg")["since"] == to_rfc3339(clock.now())
            assert pushed["today"]["started"] == 1
            assert pushed["queue_history"][-1] == 1

            clock.advance(90)
            async with console(relay, anna) as aw:
                await request(aw, {"type": "accept", "chat": q1["chat"]}, "assigned")
                pushed = await recv_type(sw, "monitor")
                while not pushed["chats"] or pushed["today"]["answered"] != 1:
                    pushed = await recv_type(sw, "monitor")
                assert _region(pushed, "limburg")["waiting"] == 0
                assert pushed["today"]["median_wait"] == 90
                assert [c["chat"] for c in pushed["chats"]] == [q1["chat"]]
                online = {s["user"]: s for s in pushed["staff"]}
                assert online["anna"]["chats"] == 1 and online["anna"]["status"] == "available"

            # Anna's logout is a change too: wait until it has been pushed.
            while any(s["user"] == "anna" for s in pushed["staff"]):
                pushed = await recv_type(sw, "monitor")
            # Nothing changed: a mark alone sends nothing.
            await _settled(monitor)
            before = monitor.pushes
            monitor.mark()
            await _settled(monitor)
            assert monitor.pushes == before


async def test_at_most_one_push_a_second(relay, make_staff) -> None:
    sofie = await make_staff("sofie", role="supervisor")
    monitor = supervision.monitor_of(relay)
    async with console(relay, sofie) as sw:
        await request(sw, {"type": "monitor_subscribe"}, "monitor")
        for _ in range(4):
            async with chatter(relay, region="antwerpen"):
                pass
        # Coalescing loses no change: a push shows all four starts.
        pushed = await recv_type(sw, "monitor")
        while pushed["today"]["started"] != 4:
            pushed = await recv_type(sw, "monitor")
        await _settled(monitor)
        times = monitor.push_times
        # Eight changes (four starts, four drops) in quick succession; how many pushes they
        # become depends on the machine's speed, but never two within INTERVAL.
        assert 1 <= len(times) <= 8
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert all(gap >= supervision.INTERVAL for gap in gaps), gaps


async def test_abandoned_while_waiting_counts(relay, make_staff, clock) -> None:
    sofie = await make_staff("sofie", role="supervisor")
    async with chatter(relay) as (cw, _queued):
        await request(cw, {"type": "leave"}, "ended")
    async with console(relay, sofie) as sw:
        snap = await request(sw, {"type": "monitor_subscribe"}, "monitor")
        assert snap["today"] == {"started": 1, "answered": 0, "abandoned": 1, "median_wait": None}


async def test_counsellors_cannot_subscribe(relay, make_staff) -> None:
    anna = await make_staff("anna")
    async with console(relay, anna) as aw:
        await expect_error(aw, {"type": "monitor_subscribe"}, "forbidden")


async def test_mail_due_and_overdue_are_counted(relay, make_staff, clock) -> None:
    sofie = await make_staff("sofie", role="supervisor")
    now = clock.now()
    rows = [
        ("t_1", "open", now.replace(hour=20)),  # later today (Brussels 21:00)
        ("t_2", "open", now.replace(hour=10)),  # earlier today: overdue
        ("t_3", "open", now.replace(day=now.day + 2)),  # later
        ("t_4", "answered", None),
    ]

    async def job(tx: Any) -> None:
        for tid, status, due in rows:
            at = to_rfc3339(now)
            await tx.execute(
                "INSERT INTO mail_threads (id, status, created_at, last_in_at, last_at, due_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (tid, status, at, at, at, None if due is None else to_rfc3339(due)),
            )

    await relay.db.write(job)
    async with console(relay, sofie) as sw:
        snap = await request(sw, {"type": "monitor_subscribe"}, "monitor")
        assert snap["mail"] == {"due_today": 1, "overdue": 1}
