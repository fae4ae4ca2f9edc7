"""`console1712 export dossier CODE [--format text|json]` (copy, portability) and
`console1712 export inspection CODE` (anonymised). Each export is audited with actor "cli".

More kinds (anonymised transcripts) are added as further `export` subcommands.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from console1712.clock import Clock
from console1712.commands import UserError
from console1712.config import Settings
from console1712.records import exports
from console1712.store.db import Database
from console1712.store.dossiers import DossierError

ACTOR = "cli"


def run(args: argparse.Namespace, settings: Settings, clock: Clock | None = None) -> int:
    """Write one export to standard output or --out."""
    kind = getattr(args, "kind", None)
    if kind == "transcripts":  # anonymised transcripts (issue 7): commands/transcripts.py
        from console1712.commands import transcripts

        return transcripts.run(args, settings, clock)
    if kind not in ("dossier", "inspection"):
        raise UserError("choose what to export: dossier CODE or inspection CODE")
    text = asyncio.run(_export(args, settings, clock or Clock()))
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


async def _export(args: argparse.Namespace, settings: Settings, clock: Clock) -> str:
    db = await Database.open(settings.db_path, settings.key_path, create=False)
    try:
        at = clock.now()
        try:
            if args.kind == "inspection":
                return _json(await exports.inspection_export(db, at, ACTOR, args.code, None))
            if args.format == "json":
                return _json(
                    await exports.json_export(db, at, ACTOR, args.code, None, settings.lang)
                )
            return await exports.text_export(db, at, ACTOR, args.code, None, settings.lang)
        except DossierError as exc:
            if exc.code == "not_found":
                raise UserError(f"no dossier with code {args.code}") from None
            raise UserError(f"export refused: {exc.code}") from None
    finally:
        await db.close()


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
