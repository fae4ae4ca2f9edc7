"""The daily retention purge as a service beside the relay (store/retention.py does the work).

The purge runs once a day from 03:00 Brussels time, when chat is closed: its VACUUM holds
the write lock while it rebuilds the file. Every `check_every` seconds the job compares the
relay's clock with the last purge recorded in the database, so a restart neither skips nor
repeats a day, a relay that was down at 03:00 catches up when it starts, and
`console1712 purge` run by hand counts as that day's purge. A relay that never purged
purges at its first look.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from console1712.domain.vocabulary import BRUSSELS
from console1712.relay.operations import RelayView, ServiceFactory
from console1712.store import retention

log = logging.getLogger("console1712.retention")

NIGHT_HOUR = 3  # local hour from which the day's purge runs
CHECK_EVERY = 60.0  # seconds of real time between looks at the clock


class RetentionJob:
    """Runs `retention.purge` once a day inside the relay; a failure is logged and retried."""

    def __init__(self, relay: RelayView, *, check_every: float = CHECK_EVERY) -> None:
        self.relay = relay
        self.check_every = check_every
        self.runs = 0
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="retention-job")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def due(self) -> bool:
        """Never purged, or not yet today (Brussels) and it is past 03:00."""
        last = await retention.last_run(self.relay.db)
        if last is None:
            return True
        now = self.relay.clock.now().astimezone(BRUSSELS)
        return now.date() > last.astimezone(BRUSSELS).date() and now.hour >= NIGHT_HOUR

    async def run_once(self) -> retention.PurgeCounts:
        counts = await retention.purge(
            self.relay.db, self.relay.clock, outbox=self.relay.settings.outbox_path
        )
        self.runs += 1
        return counts

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.check_every)
            try:
                if await self.due():
                    await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                # Never take the relay down; the next look tries again.
                log.exception("retention purge failed")


def retention_service(relay: RelayView) -> RetentionJob:
    """The relay's daily purge."""
    return RetentionJob(relay)


SERVICES: tuple[ServiceFactory, ...] = (retention_service,)
