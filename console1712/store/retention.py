"""The retention purge: erase what is past its period (domain/retention.py), audit the counts.

Chats (with messages, intake and sealed address) 6 months after they ended (or started, if
never ended); blocks (keyed address hashes) 6 months after they ran out; mail through
console1712.store.mail.purge_mail when the mail part is installed; closed dossiers 10 years
(5 if closed before 2019) after closing. A legal hold keeps a dossier and the chats and mail
threads linked to it. A purge that erased something ends with a WAL checkpoint and VACUUM,
so the values leave the files too.
"""

from __future__ import annotations

import importlib
import inspect
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from console1712.clock import Clock, from_rfc3339, to_rfc3339
from console1712.domain.retention import (
    RIGHTS_PROOF_YEARS,
    add_years,
    block_cutoff,
    chat_cutoff,
    dossier_expired,
)
from console1712.domain.themes import taxonomy
from console1712.store import audit, registrations, stats
from console1712.store.db import Database, Tx
from console1712.store.dossiers import erase_in

log = logging.getLogger("console1712.retention")
ACTOR = "retention"
LAST_RUN = "retention_last"  # meta row: when the last (real) purge ran

# Chats past the period, except those linked to a dossier under a legal hold.
_EXPIRED_CHATS = (
    "SELECT id FROM chats WHERE COALESCE(ended_at, since) < ? AND id NOT IN ("
    " SELECT l.target FROM dossier_links l JOIN dossiers d ON d.id = l.dossier"
    " WHERE l.kind = 'chat' AND d.hold_by IS NOT NULL)"
)


@dataclass
class PurgeCounts:
    """What a purge erased (or, in a dry run, would erase); mail None: no mail part."""

    chats: int = 0
    messages: int = 0
    blocks: int = 0
    mail: int | None = None
    dossiers: int = 0
    annotations: int = 0
    rights_requests: int = 0
    dry_run: bool = False

    @property
    def total(self) -> int:
        return (
            self.chats
            + self.messages
            + self.blocks
            + (self.mail or 0)
            + self.dossiers
            + self.annotations
            + self.rights_requests
        )

    def line(self) -> str:
        """One line for the terminal, the log and the audit detail (counts only)."""
        mail = "-" if self.mail is None else str(self.mail)
        return (
            f"chats={self.chats} messages={self.messages} blocks={self.blocks} mail={mail}"
            f" dossiers={self.dossiers} annotations={self.annotations}"
            f" rights_requests={self.rights_requests}"
        )


async def _expired_dossiers(src: Tx | Database, now: datetime) -> list[str]:
    # The 5-year cut is the widest; the exact rule per dossier is domain.dossier_expired.
    rows = await src.fetchall(
        "SELECT id, closed_at FROM dossiers WHERE status = 'closed' AND hold_by IS NULL"
        " AND closed_at <= ?",
        (to_rfc3339(add_years(now, -5)),),
    )
    return [r["id"] for r in rows if dossier_expired(from_rfc3339(r["closed_at"]), now)]


async def _count(src: Tx | Database, sql: str, params: list[Any]) -> int:
    row = await src.fetchone(sql, params)
    return int(row[0]) if row else 0


async def _mail(
    db: Database, clock: Clock, dry_run: bool, outbox: Path | None = None
) -> int | None:
    """Mail is purged by the mail part (issue 5); None when it is not installed."""
    try:
        module = importlib.import_module("console1712.store.mail")
    except ModuleNotFoundError:
        return None
    purge = getattr(module, "purge_mail", None)
    if purge is None:
        return None
    if dry_run:
        if "dry_run" in inspect.signature(purge).parameters:
            result = await purge(db, clock, dry_run=True)
        else:
            # Count what purge_mail would delete: the messages older than its period.
            days = getattr(module, "RETENTION_DAYS", None)
            if not isinstance(days, int):
                return None
            cutoff = to_rfc3339(clock.now() - timedelta(days=days))
            return await _count(db, "SELECT count(*) FROM mail_messages WHERE at < ?", [cutoff])
    elif outbox is not None and "outbox" in inspect.signature(purge).parameters:
        result = await purge(db, clock, outbox=outbox)  # replies waiting there go too
    else:
        result = await purge(db, clock)
    if isinstance(result, int):
        return result
    if isinstance(result, dict):
        return sum(int(v) for v in result.values() if isinstance(v, int))
    return None


async def purge(
    db: Database,
    clock: Clock,
    *,
    dry_run: bool = False,
    vacuum: bool = True,
    outbox: Path | None = None,
) -> PurgeCounts:
    """Erase everything past its retention period; returns (and audits) the counts.

    `outbox`: the folder of unsent replies (settings.outbox_path), purged with their mail.
    """
    now = clock.now()
    chats_cut = to_rfc3339(chat_cutoff(now))
    blocks_cut = to_rfc3339(block_cutoff(now))
    proof_cut = to_rfc3339(add_years(now, -RIGHTS_PROOF_YEARS))
    counts = PurgeCounts(dry_run=dry_run)

    if dry_run:
        counts.chats = await _count(
            db, f"SELECT count(*) FROM ({_EXPIRED_CHATS}) AS expired", [chats_cut]
        )
        counts.messages = await _count(
            db, f"SELECT count(*) FROM chat_messages WHERE chat IN ({_EXPIRED_CHATS})", [chats_cut]
        )
        counts.blocks = await _count(
            db, "SELECT count(*) FROM blocks WHERE until < ?", [blocks_cut]
        )
        expired = await _expired_dossiers(db, now)
        counts.dossiers = len(expired)
        for dossier_id in expired:
            counts.annotations += await _count(
                db, "SELECT count(*) FROM annotations WHERE dossier = ?", [dossier_id]
            )
            counts.rights_requests += await _count(
                db, "SELECT count(*) FROM rights_requests WHERE dossier = ?", [dossier_id]
            )
        counts.rights_requests += await _count(
            db,
            "SELECT count(*) FROM rights_requests WHERE dossier IS NULL AND done_at <= ?",
            [proof_cut],
        )
        counts.mail = await _mail(db, clock, dry_run=True)
        log.info("retention dry run: %s", counts.line())
        return counts

    # What the yearly statistics need of the chats about to go, read before the write.
    expiring = [r["id"] for r in await db.fetchall(_EXPIRED_CHATS, (chats_cut,))]
    archived = await stats.chat_contacts(db, expiring, list(taxonomy()))

    async def job(tx: Tx) -> None:
        ids = [r["id"] for r in await tx.fetchall(_EXPIRED_CHATS, (chats_cut,))]
        # A chat that expired after the read above waits for the next run.
        for chat_id in (i for i in ids if i in archived):
            await stats.archive_in(tx, *archived[chat_id])
            counts.messages += await tx.execute(
                "DELETE FROM chat_messages WHERE chat = ?", (chat_id,)
            )
            counts.chats += await tx.execute("DELETE FROM chats WHERE id = ?", (chat_id,))
            await tx.execute(
                "DELETE FROM dossier_links WHERE kind = 'chat' AND target = ?", (chat_id,)
            )
        counts.blocks = await tx.execute("DELETE FROM blocks WHERE until < ?", (blocks_cut,))
        # A chat's registration (codes now in the archive, note and all) went with the chat
        # (trigger); the notes of mail and phone registrations go after the same period.
        await registrations.erase_notes_before(tx, chat_cutoff(now))
        for dossier_id in await _expired_dossiers(tx, now):
            counts.rights_requests += await tx.execute(
                "DELETE FROM rights_requests WHERE dossier = ?", (dossier_id,)
            )
            erased = await erase_in(tx, dossier_id, with_links=False)
            counts.dossiers += erased.dossiers
            counts.annotations += erased.annotations
        counts.rights_requests += await tx.execute(
            "DELETE FROM rights_requests WHERE dossier IS NULL AND done_at <= ?", (proof_cut,)
        )

    # The job counts into `counts`; a failed group batch re-runs jobs alone, so reset first.
    async def counted(tx: Tx) -> None:
        counts.chats = counts.messages = counts.blocks = 0
        counts.dossiers = counts.annotations = counts.rights_requests = 0
        await job(tx)

    await db.write(counted)
    counts.mail = await _mail(db, clock, dry_run=False, outbox=outbox)

    async def audited(tx: Tx) -> None:
        await audit.append(tx, now, ACTOR, "retention.purge", "-", "ok", counts.line())
        await tx.execute(
            "INSERT INTO meta (name, value) VALUES (?, ?)"
            " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (LAST_RUN, to_rfc3339(now)),
        )

    await db.write(audited)
    if vacuum and counts.total:
        await db.vacuum()
    log.info("retention purge: %s", counts.line())
    return counts


async def last_run(db: Database) -> datetime | None:
    """When the last purge (not a dry run) ran; None if never."""
    row = await db.fetchone("SELECT value FROM meta WHERE name = ?", (LAST_RUN,))
    return None if row is None or row["value"] is None else from_rfc3339(row["value"])
