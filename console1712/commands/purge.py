"""`console1712 purge [--dry-run]`: apply the retention periods now and print the counts."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from console1712.clock import Clock
from console1712.config import Settings
from console1712.store import retention
from console1712.store.db import Database


def run(args: argparse.Namespace, settings: Settings, clock: Clock | None = None) -> int:
    """Purge (or with --dry-run only count) what is past its retention period."""
    return asyncio.run(_run(bool(args.dry_run), settings, args.out, clock or Clock()))


async def _run(dry_run: bool, settings: Settings, out: str | None, clock: Clock) -> int:
    db = await Database.open(settings.db_target, settings.key_path, create=False)
    try:
        counts = await retention.purge(db, clock, dry_run=dry_run, outbox=settings.outbox_path)
    finally:
        await db.close()
    head = "would erase (dry run)" if dry_run else "erased"
    _write(f"{head}: {counts.line()}\n", out)
    return 0


def _write(text: str, out: str | None) -> None:
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        print(text, end="")
