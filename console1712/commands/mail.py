"""`console1712 mail import PATH`: import a Maildir or an mbox into the mail threads.

`console1712 mail outbox [list|show NAME|send|delete NAME]`: the sealed replies waiting in
the outbox folder (no smarthost): read one to deliver it by hand, or send them all through
the smarthost; each is deleted once delivered.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import mailbox
import os
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

from console1712.clock import Clock
from console1712.commands import UserError
from console1712.config import Settings
from console1712.domain.mailparse import ParsedMail
from console1712.relay.services.mail_send import SendError, send_smarthost
from console1712.relay.services.mail_worker import MailParser
from console1712.store import audit
from console1712.store import mail as mail_store
from console1712.store.crypto import DecryptError
from console1712.store.db import Database

ACTOR = "cli"


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Dispatch one `mail` action."""
    if args.action == "outbox":
        return asyncio.run(outbox(args, settings, Clock()))
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
    db = await Database.open(settings.db_target, settings.key_path)
    stored = again = flagged = 0
    # The same bounded parse as the SMTP listener: one hostile mail cannot stall an import.
    parser = MailParser.from_settings(settings)
    try:
        async for parsed in _parsed_in_order(parser, raw_messages(path), settings):
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


async def _parsed_in_order(
    parser: MailParser, raws: Iterator[bytes], settings: Settings
) -> AsyncIterator[ParsedMail]:
    """Parse a few mails at a time (as many as the parse workers), yielded in mailbox order:
    a reply must be stored after the mail it answers to join its thread."""
    batch = max(1, settings.mail_parse_workers)
    while chunk := list(itertools.islice(raws, batch)):
        for parsed in await asyncio.gather(*(parser.parse(raw) for raw in chunk)):
            yield parsed


def _pick(files: list[Path], name: str | None) -> Path:
    if not name:
        raise UserError("give the NAME of an outbox file (see: console1712 mail outbox list)")
    found = [p for p in files if p.name.startswith(name)]
    if len(found) != 1:
        raise UserError(
            f"no outbox file starts with {name!r}" if not found else f"{name!r} is not unique"
        )
    return found[0]


async def outbox(args: argparse.Namespace, settings: Settings, clock: Clock) -> int:
    """List, show, send or delete the sealed replies in the outbox folder."""
    folder = settings.outbox_path
    files = mail_store.outbox_files(folder)
    if args.what == "list":
        for path in files:
            st = path.stat()
            when = datetime.fromtimestamp(st.st_mtime, UTC).strftime("%Y-%m-%d %H:%M:%S")
            print(f"{path.name}  {when}Z  {st.st_size} bytes")
        print(f"{len(files)} replies waiting in {folder}")
        return 0
    if args.what == "send" and not settings.smarthost:
        raise UserError("no smarthost set (setting smarthost = HOST:PORT)")
    chosen = files if args.what == "send" else [_pick(files, args.name)]
    db = await Database.open(settings.db_target, settings.key_path, create=False)
    try:
        if args.what == "delete":
            chosen[0].unlink(missing_ok=True)
            await audit.record(db, clock, ACTOR, "mail.outbox.delete", chosen[0].name)
            print(f"deleted {chosen[0].name}")
            return 0
        sent = failed = 0
        for path in chosen:
            try:
                data = mail_store.open_outbox(db.keys, path)
            except (DecryptError, ValueError):
                raise UserError(f"{path.name} does not open with this key file") from None
            if args.what == "show":
                # Reading a reply is reading a writer's data: audited like opening a thread.
                await audit.record(db, clock, ACTOR, "mail.outbox.show", path.name)
                _show(data, args.out)
                return 0
            try:
                await send_smarthost(settings, data)
            except SendError as exc:
                failed += 1
                await audit.record(
                    db, clock, ACTOR, "mail.outbox.send", path.name, "failed", exc.reason
                )
                continue
            path.unlink(missing_ok=True)
            sent += 1
            await audit.record(db, clock, ACTOR, "mail.outbox.send", path.name)
    finally:
        await db.close()
    print(f"sent {sent} replies, {failed} not accepted by the smarthost (kept)")
    return 1 if failed else 0


def _show(data: bytes, out: str | None) -> None:
    if out:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
