"""`console1712 mail import PATH`: import a Maildir or an mbox into the mail threads."""

from __future__ import annotations

import argparse
import asyncio
import mailbox
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from console1712.clock import Clock
from console1712.commands import UserError
from console1712.config import Settings
from console1712.net.mail_worker import MailParser
from console1712.store import audit
from console1712.store import mail as mail_store
from console1712.store.db import Database

ACTOR = "cli"


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Dispatch one `mail` action."""
    if args.action != "import":
        raise UserError(f"unknown action: mail {args.action}")
    path = Path(args.path).expanduser()
    if not path.exists():
        raise UserError(f"no such Maildir or mbox: {path}")
    imported, again, flagged = asyncio.run(import_path(path, settings, Clock()))
    print(f"imported {imported} mails ({again} already present, {flagged} with unreadable parts)")
    return 0


def raw_messages(path: Path) -> Iterator[bytes]:
    """The raw bytes of each mail in a Maildir (folder with cur/new) or an mbox file."""
    if path.is_dir():
        if not ((path / "cur").is_dir() or (path / "new").is_dir()):
            raise UserError(f"{path} is a folder but not a Maildir (no cur/ or new/)")
        box: mailbox.Mailbox = mailbox.Maildir(path, factory=None, create=False)
    else:
        with path.open("rb") as f:
            start = f.read(5)
        if start and start != b"From ":
            raise UserError(f"{path} is not an mbox file (it must start with 'From ')")
        box = mailbox.mbox(path, factory=None, create=False)
    try:
        for key in box.iterkeys():
            try:
                yield box.get_bytes(key)
            except (OSError, KeyError):
                continue
    finally:
        box.close()


def _team(settings: Settings, recipients: list[str]) -> str | None:
    teams = {a.strip().lower(): r for a, r in settings.team_addresses.items()}
    for addr in recipients:
        if addr in teams:
            return teams[addr]
    return None


async def import_path(path: Path, settings: Settings, clock: Clock) -> tuple[int, int, int]:
    """Store every mail found; returns (stored, duplicates skipped, flagged)."""
    closed = frozenset(date.fromisoformat(d) for d in settings.mail_closed_dates)
    db = await Database.open(settings.db_path, settings.key_path)
    stored = again = flagged = 0
    # The same bounded parse as the SMTP listener: one hostile mail cannot stall an import.
    parser = MailParser.from_settings(settings)
    try:
        for raw in raw_messages(path):
            parsed = await parser.parse(raw)
            now = clock.now()
            # Imported mail keeps the date it was written (not in the future), so due times
            # and the 6-month retention count from then.
            received = parsed.date if parsed.date is not None and parsed.date <= now else now
            team = _team(settings, parsed.to + parsed.cc)
            result = await mail_store.store_incoming(db, parsed, received, team, closed)
            if result.duplicate:
                again += 1
                continue
            stored += 1
            flagged += bool(parsed.flags - {"no_message_id"})
        await audit.record(db, clock, ACTOR, "mail.import", path.name, detail=f"{stored} mails")
    finally:
        await db.close()
    return stored, again, flagged
