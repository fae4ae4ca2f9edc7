"""Which relay is the active one when several share a PostgreSQL database.

The active relay (the one holding the relay lock, store/postgres.py) writes its address
here once it serves; the standby relays read it to forward their clients' connections to
it (relay/standby.py). Written from the locked writer connection only, so a relay that
lost the lock cannot overwrite its successor's row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from console1712.clock import from_rfc3339, to_rfc3339
from console1712.store.db import Database, Tx


@dataclass(frozen=True)
class ActiveRelay:
    node: str  # the name the relay process gave itself at start
    url: str  # ws://host:port where the other relays reach it
    since: datetime


async def announce(db: Database, node: str, url: str, at: datetime) -> None:
    """This relay (`node`) is the active one now, reachable at `url`."""

    async def job(tx: Tx) -> None:
        await tx.execute(
            "INSERT INTO active_relay (id, node, url, since) VALUES (1, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET node = excluded.node, url = excluded.url,"
            " since = excluded.since",
            (node, url, to_rfc3339(at)),
        )

    await db.write(job)


async def active(db: Database) -> ActiveRelay | None:
    """The active relay as it last announced itself (it may have died since)."""
    row = await db.fetchone("SELECT node, url, since FROM active_relay WHERE id = 1")
    if row is None:
        return None
    return ActiveRelay(str(row[0]), str(row[1]), from_rfc3339(str(row[2])))
