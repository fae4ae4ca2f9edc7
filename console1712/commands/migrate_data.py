"""`console1712 migrate-data --from PATH --to postgresql://...`: move a helpline's SQLite
file into PostgreSQL (store/migrate.py): resumable, counts verified and printed.

No relay may run on either meanwhile: the data directory of the file is locked, and the
PostgreSQL database's relay lock is taken. The key file (--key-file, or the one in --data)
is the one both use afterwards: values stay sealed under it."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from console1712.commands import UserError
from console1712.config import Settings
from console1712.store import migrate
from console1712.store.db import Database, is_url
from console1712.store.lock import DataLock


def _progress(table: str, copied: int) -> None:
    print(f"copied {copied} rows of {table}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace, settings: Settings) -> int:
    source, target = Path(args.source).expanduser(), str(args.target)
    if not is_url(target):
        raise UserError("--to must be a postgresql:// URL")
    if args.batch < 1:
        raise UserError("--batch must be at least 1")
    with DataLock(source.parent):
        counts = asyncio.run(_copy(source, target, settings.key_path, args.batch))
    width = max(len(c.table) for c in counts)
    for c in counts:
        print(f"{c.table:<{width}}  {c.source:>8} rows, {c.copied:>8} in PostgreSQL")
    total = sum(c.source for c in counts)
    print(f"verified: {total} rows in {len(counts)} tables, the same on both sides")
    return 0


async def _copy(source: Path, target: str, key_file: Path, batch: int) -> list[migrate.TableCount]:
    src = await Database.open(source, key_file, create=False)
    try:
        dst = await Database.open(target, key_file, create=True)
        try:
            await dst.hold_relay_lock()
            return await migrate.copy(src, dst, batch=batch, progress=_progress)
        finally:
            await dst.close()
    finally:
        await src.close()
