"""The daily purge inside a real relay: once a day from 03:00 Brussels, by the relay's clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from console1712.clock import FakeClock
from console1712.relay.assembly import standard_services
from console1712.relay.services.retention import RetentionJob, retention_service
from console1712.store import audit, retention
from tests.dossiers.conftest import make_chat


async def _until(condition: Any, tries: int = 1000) -> None:
    for _ in range(tries):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached")


async def test_the_job_purges_once_a_day(relay: Any, clock: FakeClock) -> None:
    assert retention_service in standard_services()
    db = relay.db
    chat = await make_chat(db, clock.now(), ended=clock.now())
    job = RetentionJob(relay, check_every=0.01)
    await job.start()
    try:
        await _until(lambda: job.runs == 1)  # never ran before: due at once
        assert await retention.last_run(db) == clock.now()
        clock.advance(3600)
        assert not await job.due()  # once a day
        clock.set(datetime(2027, 6, 10, 1, 30, tzinfo=UTC))  # 03:30 in Brussels (summer)
        await _until(lambda: job.runs == 2)
        clock.set(datetime(2027, 6, 11, 0, 30, tzinfo=UTC))  # 02:30: not yet
        assert not await job.due()
        clock.set(datetime(2027, 6, 11, 1, 5, tzinfo=UTC))
        assert await job.due()
    finally:
        await job.stop()
    assert await db.fetchone("SELECT 1 FROM chats WHERE id = ?", (chat,)) is None
    purges = [e for e in await audit.entries(db, 20) if e.action == "retention.purge"]
    assert len(purges) == 2 and "chats=1" in (purges[-1].detail or "")
