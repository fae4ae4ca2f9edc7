"""`console1712 audit verify|list`: check the database file and the hash chain, print entries."""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys

from console1712.clock import to_rfc3339
from console1712.commands import UserError
from console1712.config import Settings
from console1712.store import audit
from console1712.store.db import Database


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Dispatch one `audit` action."""
    if args.action not in ("verify", "list"):
        raise UserError(f"unknown action: audit {args.action}")
    if args.action == "list" and args.limit < 1:
        raise UserError("--limit must be at least 1")
    return asyncio.run(_run(args, settings))


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    db = await Database.open(settings.db_target, settings.key_path, create=False)
    try:
        if args.action == "verify":
            # The whole file first: a damaged page anywhere (not only in the audit log)
            # is what a restore from backup is for.
            try:
                damaged = await db.integrity_problems()
                problems = [] if damaged else await audit.verify(db)
            except sqlite3.DatabaseError as exc:
                damaged, problems = [str(exc)], []
            for problem in damaged:
                print(f"console1712: database: {problem}", file=sys.stderr)
            for problem in problems:
                print(f"console1712: audit log: {problem}", file=sys.stderr)
            if damaged or problems:
                return 1
            print(f"audit log intact: {await audit.count(db)} entries")
            return 0
        for e in await audit.entries(db, args.limit):
            detail = "" if e.detail is None else f"\t{e.detail}"
            print(
                f"{e.seq}\t{to_rfc3339(e.at)}\t{e.actor}\t{e.action}\t{e.object}\t{e.outcome}{detail}"
            )
        return 0
    finally:
        await db.close()
