"""`console1712 key rotate`: re-seal every value under a new key (refused while a relay runs)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from console1712.commands import UserError
from console1712.config import Settings
from console1712.store import keys


def _progress(done: int, where: str) -> None:
    print(f"re-sealed {done} values ({where})", file=sys.stderr, flush=True)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Dispatch one `key` action."""
    if args.action != "rotate":
        raise UserError(f"unknown action: key {args.action}")
    result = asyncio.run(
        keys.rotate(
            settings.data,
            settings.key_path,
            progress=_progress,
            outbox=settings.outbox_path,
            database=settings.db_target,
        )
    )
    how = "resumed and finished" if result.resumed else "done"
    dropped = ", ".join(map(str, result.dropped)) or "none"
    print(
        f"key rotation {how}: {result.resealed} values re-sealed under key {result.key_id};"
        f" old keys dropped: {dropped}"
    )
    return 0
