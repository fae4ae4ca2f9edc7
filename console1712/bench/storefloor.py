"""`bench relay --floor`, its second part: what durable storage alone costs on this machine.

The relay acknowledges a message only after its row is committed (fsync): that cost comes
on top of the transport floor (bench/floor.py) whatever the relay's own code does. Here
plain `sqlite3`, with nothing of the relay around it, writes what the relay writes during
`--steady`: a fresh database made by the real migrations, one open chat per chatter, and
`--rate` x `--duration` message rows (the relay's INSERT, sealed text of `--size`
characters, keyed client ids) spread over the chats as the load spreads them, committed
in a paced group commit like the relay's writer (at most one commit per
`store.db.COMMIT_WINDOW`, with every row due by then) on the relay's connection settings
(WAL, synchronous FULL, secure_delete). Rows are sealed and hashed before the clock
starts: only the database's work is timed, on the thread that does it.
"""

from __future__ import annotations

import asyncio
import resource
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from console1712.store import chats
from console1712.store.db import COMMIT_WINDOW, Database
from console1712.store.sqlite import prepare_connection

Row = tuple[object, ...]


async def _prepare(
    path: Path, key_file: Path, count: int, total: int, size: int, counsellors: int
) -> list[Row]:
    """The database with `count` open chats, through the real store, and `total` message
    rows for them as the relay makes them (round the chats, chatter and counsellor in
    turn, as in --steady), sealed and hashed now, before any timing."""
    db = await Database.open(path, key_file)
    try:
        ids = [chats.new_chat_id() for _ in range(count)]
        at = datetime.now(UTC)
        intake = chats.Intake()
        await asyncio.gather(
            *(chats.create_chat(db, i, at, intake, "127.0.0.1", "h" * 64, "r" * 64) for i in ids)
        )
        seqs = dict.fromkeys(ids, 0)
        rows: list[Row] = []
        for n in range(total):
            chat = ids[n % len(ids)]
            seqs[chat] += 1
            sender = chats.CHATTER if n % 2 == 0 else f"bench{n % max(1, counsellors):04d}"
            client_id = chats.client_id_hash(db, chat, str(n))
            message = chats.Message(seqs[chat], sender, client_id, "x" * size, at)
            rows.append(chats.message_row(db.keys, chat, message))
        return rows
    finally:
        await db.close()


def _write_paced(conn: sqlite3.Connection, rows: list[Row], rate: float) -> dict[str, Any]:
    """Commit the rows as they fall due at `rate`, at most one commit per COMMIT_WINDOW."""
    usage = resource.getrusage(resource.RUSAGE_THREAD)
    cpu = time.thread_time()
    start = time.monotonic()
    done = commits = 0
    while done < len(rows):
        due = min(len(rows), int((time.monotonic() - start) * rate) + 1)
        if due > done:
            committed = time.monotonic()
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(chats.INSERT_MESSAGE, rows[done:due])
            conn.execute("COMMIT")
            commits += 1
            done = due
            pause = committed + COMMIT_WINDOW - time.monotonic()
        else:
            pause = start + done / rate - time.monotonic()  # when the next row is due
        if pause > 0:
            time.sleep(pause)
    cpu = time.thread_time() - cpu
    after = resource.getrusage(resource.RUSAGE_THREAD)
    return {
        "messages": len(rows),
        "commits": commits,
        "rows_per_commit": round(len(rows) / max(1, commits), 2),
        "cpu_s": round(cpu, 3),
        "cpu_user_s": round(after.ru_utime - usage.ru_utime, 3),
        "cpu_system_s": round(after.ru_stime - usage.ru_stime, 3),
        "cpu_per_message_us": round(cpu / len(rows) * 1e6, 1) if rows else None,
    }


def measure_storage(
    chatters: int, counsellors: int, rate: float, duration: float, size: int
) -> dict[str, Any]:
    """The storage floor's figures (a dict for the floor report's `storage`)."""
    with tempfile.TemporaryDirectory(prefix="c1712-storefloor-") as tmp:
        path, key_file = Path(tmp) / "console1712.db", Path(tmp) / "console1712.key"
        total = max(1, int(rate * duration))
        rows = asyncio.run(_prepare(path, key_file, max(1, chatters), total, size, counsellors))
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            prepare_connection(conn)
            return _write_paced(conn, rows, rate)
        finally:
            conn.close()
