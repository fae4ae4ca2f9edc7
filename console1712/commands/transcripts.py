"""`console1712 export transcripts --anonymise [--since YYYY-MM-DD]`: JSONL of ended chats
with names and identifiers replaced by typed tags (records/transcripts.py, domain/scrub.py).
Audited with actor "cli" and the number of transcripts (no content)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import date
from pathlib import Path

from console1712.clock import Clock
from console1712.commands import UserError
from console1712.config import Settings
from console1712.records.transcripts import anonymised_transcripts
from console1712.store import audit
from console1712.store.db import Database, Tx


def run(args: argparse.Namespace, settings: Settings, clock: Clock | None = None) -> int:
    """Write the anonymised transcripts to standard output or --out."""
    if not getattr(args, "anonymise", False):
        raise UserError("transcripts are only exported anonymised: add --anonymise")
    since = None
    if getattr(args, "since", None):
        try:
            since = date.fromisoformat(args.since)
        except ValueError:
            raise UserError(f"--since must be a date YYYY-MM-DD, not {args.since!r}") from None
    text = asyncio.run(_export(settings, since, clock or Clock()))
    out = getattr(args, "out", None)
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


async def _export(settings: Settings, since: date | None, clock: Clock) -> str:
    db = await Database.open(settings.db_path, settings.key_path, create=False)
    try:
        lines = [
            json.dumps(record, ensure_ascii=False) + "\n"
            async for record in anonymised_transcripts(db, since)
        ]
        at = clock.now()
        detail = f"count={len(lines)} since={since.isoformat() if since else '-'}"

        async def job(tx: Tx) -> None:
            await audit.append(tx, at, "cli", "export.transcripts", "transcripts", detail=detail)

        await db.write(job)
    finally:
        await db.close()
    return "".join(lines)
