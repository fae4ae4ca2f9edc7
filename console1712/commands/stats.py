"""`console1712 stats --year Y [--format csv|json]`: yearly anonymised statistics.

Counts per channel, month, region, age band, gender and theme, and from the registrations
kind of contact, about whom, relation, risk, every theme named and referrals (codes only,
never a note); small counts are suppressed
so that they cannot be recovered from the totals either (method: domain/stats.py).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import sys
from pathlib import Path

from console1712.clock import Clock
from console1712.commands import UserError
from console1712.config import Settings
from console1712.domain import registration
from console1712.domain.stats import (
    AGE_BANDS,
    GENDERS,
    NONE,
    UNKNOWN,
    build_tables,
    csv_rows,
    report,
)
from console1712.domain.themes import taxonomy
from console1712.domain.vocabulary import REGIONS
from console1712.store import audit
from console1712.store.db import Database, Tx
from console1712.store.stats import year_contacts

ACTOR = "cli"


def run(args: argparse.Namespace, settings: Settings, clock: Clock | None = None) -> int:
    """Write the statistics of one year to standard output or --out."""
    if not 2000 <= args.year <= 2999:
        raise UserError("--year must be a year such as 2026")
    text = asyncio.run(statistics_text(settings, args.year, args.format, clock or Clock()))
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


async def statistics_text(settings: Settings, year: int, fmt: str, clock: Clock) -> str:
    """The statistics as CSV or JSON text (the export is audited, counts only)."""
    db = await Database.open(settings.db_path, settings.key_path, create=False)
    try:
        themes = list(taxonomy(settings.themes))
        contacts = await year_contacts(db, year, themes)
        categories = {
            "month": [f"{m:02d}" for m in range(1, 13)],
            "region": [*REGIONS, UNKNOWN],
            "age_band": list(AGE_BANDS),
            "gender": list(GENDERS),
            "theme": [*themes, UNKNOWN] if UNKNOWN not in themes else themes,
            # From the registrations; only "help" and "information" are requests for help.
            "kind": [*registration.KINDS, UNKNOWN],
            "about": [*registration.ABOUT, UNKNOWN],
            "relation": list(registration.RELATIONS),
            "risk": [*registration.RISKS, UNKNOWN],
            "themes": [*themes, NONE],
            "referral": [*registration.REFERRALS, NONE],
        }
        tables = build_tables(contacts, categories)
        at = clock.now()

        async def job(tx: Tx) -> None:
            await audit.append(tx, at, ACTOR, "stats.export", str(year), detail=fmt)

        await db.write(job)
    finally:
        await db.close()
    if fmt == "json":
        return json.dumps(report(year, tables), ensure_ascii=False, indent=2) + "\n"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(csv_rows(tables))
    return out.getvalue()
