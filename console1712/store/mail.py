"""Mail threads and their messages: every header and body sealed, threads matched by hashes.

Message-IDs, sender addresses and normalised subjects are kept only as keyed hashes for
matching; the values themselves are sealed. "Do not retain" (`forget`) deletes a thread's
content but keeps its counts and dates; `purge_mail` removes mail older than 6 months.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from console1712.clock import Clock, from_rfc3339, to_rfc3339
from console1712.domain.mailparse import ParsedMail
from console1712.domain.mailthreads import SubjectCandidate, choose_thread, normalise_subject
from console1712.domain.themes import taxonomy
from console1712.domain.workdays import MAIL_WORKING_DAYS, due_at
from console1712.store import audit, stats
from console1712.store.crypto import KeyRing
from console1712.store.db import Database, Tx
from console1712.store.sealed import OUTBOX

RETENTION_DAYS = 183  # policy 3.6: mail is kept at most 6 months
STATUSES = ("open", "answered", "forgotten")
FILTERS = ("open", "answered", "overdue", "all")
LIST_LIMIT = 500


class MailStateError(Exception):
    """An operation the thread's state refuses: `code` is not_found, taken or forgotten."""

    def __init__(self, code: str, **extra: Any) -> None:
        super().__init__(code)
        self.code = code
        self.extra = extra


def new_thread_id() -> str:
    return "t_" + secrets.token_urlsafe(9)


def new_message_id() -> str:
    return "m_" + secrets.token_urlsafe(9)


@dataclass(frozen=True)
class MailThread:
    """A thread as staff see it in the list (content opened; None once forgotten)."""

    id: str
    team: str | None
    status: str
    claimed_by: str | None
    sender: str | None
    sender_name: str | None
    subject: str | None
    created_at: datetime
    last_in_at: datetime
    due_at: datetime | None
    answered_at: datetime | None
    forgotten_at: datetime | None
    count: int

    def overdue(self, now: datetime) -> bool:
        return self.status == "open" and self.due_at is not None and self.due_at < now


@dataclass(frozen=True)
class MailMessage:
    """One message of a thread, opened; `headers` holds from/to/cc/subject/date/ids."""

    id: str
    thread: str
    direction: str
    at: datetime
    size: int
    flags: list[str]
    sent_by: str | None
    delivery: str | None
    headers: dict[str, Any] = field(default_factory=dict)
    body: str | None = None
    attachments: list[dict[str, Any]] = field(default_factory=list)

    @property
    def message_id(self) -> str | None:
        value = self.headers.get("message_id")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Stored:
    """What storing an incoming mail did."""

    thread: str
    message: str
    new_thread: bool
    duplicate: bool
    team: str | None
    due_at: datetime | None


def _hash(tx_or_db: Tx | Database, purpose: str, value: str) -> str:
    return tx_or_db.keys.keyed_hash(purpose, value)


def msgid_hash(tx_or_db: Tx | Database, message_id: str) -> str:
    return _hash(tx_or_db, "mail-msgid", message_id.strip().lower())


def _dt(value: str | None) -> datetime | None:
    return None if value is None else from_rfc3339(value)


def _headers_of(parsed: ParsedMail, received: datetime) -> dict[str, Any]:
    return {
        "from": parsed.from_addr,
        "from_name": parsed.from_name,
        "reply_to": parsed.reply_to,
        "to": parsed.to,
        "cc": parsed.cc,
        "subject": parsed.subject,
        "date": to_rfc3339(parsed.date) if parsed.date else None,
        "received": to_rfc3339(received),
        "message_id": parsed.message_id,
        "in_reply_to": parsed.in_reply_to,
        "references": parsed.references,
        "html_only": parsed.html_only,
    }


# -- intake ------------------------------------------------------------------------------


async def store_incoming(
    db: Database,
    parsed: ParsedMail,
    received: datetime,
    team: str | None,
    closed: frozenset[date] = frozenset(),
) -> Stored:
    """Store one received mail in its thread (matched or new); returns after the commit."""
    message = new_message_id()
    fresh_thread = new_thread_id()
    due = due_at(received, MAIL_WORKING_DAYS, closed)
    at = to_rfc3339(received)
    norm = normalise_subject(parsed.subject)

    async def job(tx: Tx) -> Stored:
        own = msgid_hash(tx, parsed.message_id) if parsed.message_id else None
        if own is not None:
            dup = await tx.fetchone(
                "SELECT m.thread, t.team, t.due_at FROM mail_messages m"
                " JOIN mail_threads t ON t.id = m.thread"
                " WHERE m.msgid_hash = ? AND m.direction = 'in' AND m.size = ?",
                (own, parsed.size),
            )
            if dup is not None:
                # The same mail again (a retry, a second import): stored once. The size
                # must match too: a different mail reusing a Message-ID is still kept.
                return Stored(dup[0], "", False, True, dup[1], _dt(dup[2]))
        named = [*parsed.in_reply_to, *reversed(parsed.references)]
        hits: list[str] = []
        for ref in named:
            h = msgid_hash(tx, ref)
            rows = await tx.fetchall(
                "SELECT m.thread FROM mail_messages m JOIN mail_threads t ON t.id = m.thread"
                " WHERE m.msgid_hash = ? AND t.status <> 'forgotten'"
                " UNION SELECT r.thread FROM mail_refs r JOIN mail_threads t ON t.id = r.thread"
                " WHERE r.hash = ? AND t.status <> 'forgotten'",
                (h, h),
            )
            hits.extend(str(r[0]) for r in rows if str(r[0]) not in hits)
        sender_hash = _hash(tx, "mail-sender", parsed.from_addr) if parsed.from_addr else None
        subject_hash = _hash(tx, "mail-subject", norm) if norm else None
        candidates: list[SubjectCandidate] = []
        if sender_hash and subject_hash:
            rows = await tx.fetchall(
                "SELECT id, last_in_at FROM mail_threads WHERE sender_hash = ?"
                " AND subject_hash = ? AND status <> 'forgotten'",
                (sender_hash, subject_hash),
            )
            candidates = [SubjectCandidate(str(r[0]), from_rfc3339(r[1])) for r in rows]
        thread = choose_thread(hits, candidates, received)
        new = thread is None
        tid = fresh_thread if thread is None else thread

        def seal_t(value: str, column: str) -> bytes:
            return tx.keys.seal(value, "mail_threads", column, tid)

        if new:
            await tx.execute(
                "INSERT INTO mail_threads (id, team, status, sender, sender_name, subject,"
                " sender_hash, subject_hash, created_at, last_in_at, last_at, due_at, count)"
                " VALUES (?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                (
                    tid,
                    team,
                    seal_t(parsed.reply_to or parsed.from_addr, "sender"),
                    seal_t(parsed.from_name, "sender_name"),
                    seal_t(parsed.subject, "subject"),
                    sender_hash,
                    subject_hash,
                    at,
                    at,
                    at,
                    to_rfc3339(due),
                ),
            )
            thread_team, thread_due = team, due
        else:
            row = await tx.fetchone(
                "SELECT team, status, due_at FROM mail_threads WHERE id = ?", (tid,)
            )
            assert row is not None
            thread_team = row["team"]
            # An open thread keeps the due time of its oldest unanswered mail.
            keep = row["status"] == "open" and row["due_at"] is not None
            thread_due = from_rfc3339(row["due_at"]) if keep else due
            await tx.execute(
                "UPDATE mail_threads SET status = 'open', due_at = ?, sender = ?,"
                " sender_name = ?, subject = ?, sender_hash = COALESCE(?, sender_hash),"
                " subject_hash = COALESCE(?, subject_hash), last_in_at = max(last_in_at, ?),"
                " last_at = max(last_at, ?), count = count + 1 WHERE id = ?",
                (
                    to_rfc3339(thread_due),
                    seal_t(parsed.reply_to or parsed.from_addr, "sender"),
                    seal_t(parsed.from_name, "sender_name"),
                    seal_t(parsed.subject, "subject"),
                    sender_hash,
                    subject_hash,
                    at,
                    at,
                    tid,
                ),
            )
        await _insert_message(
            tx,
            message,
            tid,
            "in",
            received,
            parsed.size,
            sorted(parsed.flags),
            None,
            None,
            own,
            _headers_of(parsed, received),
            parsed.text,
            [a.as_dict() for a in parsed.attachments],
        )
        await tx.executemany(
            "INSERT OR IGNORE INTO mail_refs (hash, thread) VALUES (?, ?)",
            [(msgid_hash(tx, ref), tid) for ref in dict.fromkeys(named)],
        )
        return Stored(tid, message, new, False, thread_team, thread_due)

    return await db.write(job)


async def _insert_message(
    tx: Tx,
    message: str,
    thread: str,
    direction: str,
    at: datetime,
    size: int,
    flags: Sequence[str],
    sent_by: str | None,
    delivery: str | None,
    own_hash: str | None,
    headers: dict[str, Any],
    body: str,
    attachments: list[dict[str, Any]],
) -> None:
    def seal(value: str, column: str) -> bytes:
        return tx.keys.seal(value, "mail_messages", column, message)

    await tx.execute(
        "INSERT INTO mail_messages (id, thread, direction, at, size, flags, sent_by, delivery,"
        " msgid_hash, headers, body, attachments) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            message,
            thread,
            direction,
            to_rfc3339(at),
            size,
            ",".join(flags),
            sent_by,
            delivery,
            own_hash,
            seal(json.dumps(headers, ensure_ascii=False), "headers"),
            seal(body, "body"),
            seal(json.dumps(attachments, ensure_ascii=False), "attachments"),
        ),
    )


# -- reading -----------------------------------------------------------------------------

_THREAD_COLUMNS = (
    "id, team, status, claimed_by, sender, sender_name, subject, created_at, last_in_at,"
    " due_at, answered_at, forgotten_at, count"
)


def _thread(db: Database | Tx, r: sqlite3.Row) -> MailThread:
    tid = str(r["id"])

    def opened(column: str) -> str | None:
        return db.keys.open_opt(r[column], "mail_threads", column, tid)

    return MailThread(
        id=tid,
        team=r["team"],
        status=r["status"],
        claimed_by=r["claimed_by"],
        sender=opened("sender"),
        sender_name=opened("sender_name"),
        subject=opened("subject"),
        created_at=from_rfc3339(r["created_at"]),
        last_in_at=from_rfc3339(r["last_in_at"]),
        due_at=_dt(r["due_at"]),
        answered_at=_dt(r["answered_at"]),
        forgotten_at=_dt(r["forgotten_at"]),
        count=int(r["count"]),
    )


async def list_threads(
    db: Database,
    now: datetime,
    status: str = "open",
    teams: Sequence[str] | None = None,
    include_pool: bool = True,
) -> list[MailThread]:
    """Threads by filter (open / answered / overdue / all) within the given teams.

    `teams` None means every team; otherwise those teams plus (if `include_pool`) the
    unassigned pool. Open threads come most urgent first, others newest first.
    """
    if status not in FILTERS:
        raise ValueError(f"unknown filter {status!r}")
    where: list[str] = []
    params: list[Any] = []
    if status in ("open", "answered"):
        where.append("status = ?")
        params.append(status)
    elif status == "overdue":
        where.append("status = 'open' AND due_at < ?")
        params.append(to_rfc3339(now))
    if teams is not None:
        scope = [f"team IN ({','.join('?' * len(teams))})"] if teams else []
        if include_pool:
            scope.append("team IS NULL")
        where.append("(" + (" OR ".join(scope) or "0") + ")")
        params.extend(teams)
    order = "due_at, last_in_at" if status in ("open", "overdue") else "last_in_at DESC"
    sql = f"SELECT {_THREAD_COLUMNS} FROM mail_threads"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f" ORDER BY {order} LIMIT {LIST_LIMIT}"
    return [_thread(db, r) for r in await db.fetchall(sql, params)]


async def get_thread(db: Database, thread: str) -> MailThread | None:
    row = await db.fetchone(f"SELECT {_THREAD_COLUMNS} FROM mail_threads WHERE id = ?", (thread,))
    return None if row is None else _thread(db, row)


def _message(db: Database, r: sqlite3.Row) -> MailMessage:
    mid = str(r["id"])

    def opened(column: str) -> str | None:
        return db.keys.open_opt(r[column], "mail_messages", column, mid)

    headers = opened("headers")
    attachments = opened("attachments")
    return MailMessage(
        id=mid,
        thread=r["thread"],
        direction=r["direction"],
        at=from_rfc3339(r["at"]),
        size=int(r["size"]),
        flags=[f for f in str(r["flags"]).split(",") if f],
        sent_by=r["sent_by"],
        delivery=r["delivery"],
        headers=json.loads(headers) if headers else {},
        body=opened("body"),
        attachments=json.loads(attachments) if attachments else [],
    )


async def thread_messages(db: Database, thread: str) -> list[MailMessage]:
    """Every message of a thread, oldest first, opened."""
    rows = await db.fetchall(
        "SELECT id, thread, direction, at, size, flags, sent_by, delivery, headers, body,"
        " attachments FROM mail_messages WHERE thread = ? ORDER BY at, rowid",
        (thread,),
    )
    return [_message(db, r) for r in rows]


# -- staff actions -----------------------------------------------------------------------


async def _live(tx: Tx, thread: str) -> sqlite3.Row:
    row = await tx.fetchone(f"SELECT {_THREAD_COLUMNS} FROM mail_threads WHERE id = ?", (thread,))
    if row is None:
        raise MailStateError("not_found")
    if row["status"] == "forgotten":
        raise MailStateError("forgotten")
    return row


async def claim(db: Database, clock: Clock, thread: str, by: str, team: str | None) -> MailThread:
    """Take a thread on; an unassigned one moves to the claimer's team. Audited."""
    now = clock.now()

    async def job(tx: Tx) -> MailThread:
        row = await _live(tx, thread)
        if row["claimed_by"] not in (None, by):
            raise MailStateError("taken", claimed_by=row["claimed_by"])
        await tx.execute(
            "UPDATE mail_threads SET claimed_by = ?, team = COALESCE(team, ?) WHERE id = ?",
            (by, team, thread),
        )
        await audit.append(tx, now, by, "mail.claim", thread)
        new = await tx.fetchone(
            f"SELECT {_THREAD_COLUMNS} FROM mail_threads WHERE id = ?", (thread,)
        )
        assert new is not None
        return _thread(tx, new)

    return await db.write(job)


async def store_outgoing(
    db: Database,
    clock: Clock,
    thread: str,
    by: str,
    team: str | None,
    message_id: str,
    headers: dict[str, Any],
    body: str,
    size: int,
    delivery: str,
    answered: bool = True,
) -> str:
    """Store a sent reply in its thread (claiming it for `by`); marks it answered. Audited."""
    now = clock.now()
    message = new_message_id()

    async def job(tx: Tx) -> str:
        row = await _live(tx, thread)
        if row["claimed_by"] not in (None, by):
            raise MailStateError("taken", claimed_by=row["claimed_by"])
        await _insert_message(
            tx,
            message,
            thread,
            "out",
            now,
            size,
            (),
            by,
            delivery,
            msgid_hash(tx, message_id),
            headers,
            body,
            [],
        )
        at = to_rfc3339(now)
        if answered:
            await tx.execute(
                "UPDATE mail_threads SET status = 'answered', due_at = NULL, answered_at = ?,"
                " claimed_by = ?, team = COALESCE(team, ?), last_at = ?, count = count + 1"
                " WHERE id = ?",
                (at, by, team, at, thread),
            )
        else:
            await tx.execute(
                "UPDATE mail_threads SET claimed_by = ?, team = COALESCE(team, ?),"
                " last_at = ?, count = count + 1 WHERE id = ?",
                (by, team, at, thread),
            )
        await audit.append(tx, now, by, "mail.reply", thread, detail=delivery)
        return message

    return await db.write(job)


async def mark_answered(db: Database, clock: Clock, thread: str, by: str) -> None:
    """Mark a thread answered without a reply from here (e.g. answered by phone). Audited."""
    now = clock.now()

    async def job(tx: Tx) -> None:
        await _live(tx, thread)
        await tx.execute(
            "UPDATE mail_threads SET status = 'answered', due_at = NULL, answered_at = ?"
            " WHERE id = ?",
            (to_rfc3339(now), thread),
        )
        await audit.append(tx, now, by, "mail.answered", thread)

    await db.write(job)


async def forget(
    db: Database, clock: Clock, thread: str, by: str, outbox: Path | None = None
) -> None:
    """ "Do not retain": delete the thread's content now; counts and dates stay. Audited.

    Replies of the thread still waiting in the `outbox` folder are deleted too.
    """
    now = clock.now()
    waiting: list[str] = []

    async def job(tx: Tx) -> None:
        await _live(tx, thread)
        waiting[:] = await _outbox_hashes(tx, "thread = ?", (thread,))
        await tx.execute(
            "UPDATE mail_messages SET headers = NULL, body = NULL, attachments = NULL,"
            " msgid_hash = NULL, flags = '' WHERE thread = ?",
            (thread,),
        )
        await tx.execute("DELETE FROM mail_refs WHERE thread = ?", (thread,))
        await tx.execute(
            "UPDATE mail_threads SET status = 'forgotten', sender = NULL, sender_name = NULL,"
            " subject = NULL, sender_hash = NULL, subject_hash = NULL, due_at = NULL,"
            " forgotten_at = ? WHERE id = ?",
            (to_rfc3339(now), thread),
        )
        await audit.append(tx, now, by, "mail.forget", thread)

    await db.write(job)
    if outbox is not None:
        remove_outbox(outbox, waiting)


# Threads linked to a dossier under a legal hold are kept whole, like the held dossier's chats.
_HELD_THREADS = (
    "SELECT l.target FROM dossier_links l JOIN dossiers d ON d.id = l.dossier"
    " WHERE l.kind = 'mail' AND d.hold_by IS NOT NULL"
)


async def purge_mail(
    db: Database,
    clock: Clock,
    older_than_days: int = RETENTION_DAYS,
    *,
    dry_run: bool = False,
    outbox: Path | None = None,
) -> int:
    """Delete every mail message older than the cutoff, and threads with nothing newer.

    Threads linked to a dossier under a legal hold are skipped. Returns the number of
    messages deleted (or, in a dry run, that would be); thread rows go with their last message.
    Replies of deleted messages still in the `outbox` folder go too, and so does any file
    there older than the cutoff (a reply whose storing failed).
    """
    cutoff_at = clock.now() - timedelta(days=older_than_days)
    cutoff = to_rfc3339(cutoff_at)
    if dry_run:
        row = await db.fetchone(
            f"SELECT count(*) FROM mail_messages WHERE at < ? AND thread NOT IN ({_HELD_THREADS})",
            (cutoff,),
        )
        return int(row[0]) if row else 0

    expiring_sql = f"SELECT id FROM mail_threads WHERE last_at < ? AND id NOT IN ({_HELD_THREADS})"
    # What the yearly statistics need of the threads about to go, read before the write.
    expiring = [r["id"] for r in await db.fetchall(expiring_sql, (cutoff,))]
    archived = await stats.mail_contacts(db, expiring, list(taxonomy()))

    waiting: list[str] = []

    async def job(tx: Tx) -> int:
        waiting[:] = await _outbox_hashes(
            tx, f"at < ? AND thread NOT IN ({_HELD_THREADS})", (cutoff,)
        )
        gone = await tx.execute(
            f"DELETE FROM mail_messages WHERE at < ? AND thread NOT IN ({_HELD_THREADS})",
            (cutoff,),
        )
        # A thread that expired after the read above waits for the next run.
        for r in await tx.fetchall(expiring_sql, (cutoff,)):
            if r["id"] in archived:
                await stats.archive_in(tx, *archived[r["id"]])
                await tx.execute("DELETE FROM mail_threads WHERE id = ?", (r["id"],))
        # A purged thread's links go too (as with purged chats); the dossier stays.
        await tx.execute(
            "DELETE FROM dossier_links WHERE kind = 'mail'"
            " AND target NOT IN (SELECT id FROM mail_threads)"
        )
        return gone

    gone = await db.write(job)
    if outbox is not None:
        remove_outbox(outbox, waiting)
        for path in outbox_files(outbox):
            with contextlib.suppress(OSError):
                if datetime.fromtimestamp(path.stat().st_mtime, UTC) < cutoff_at:
                    path.unlink()
    return gone


async def counts(db: Database) -> dict[str, int]:
    """Threads per status and messages in total (statistics and tests; no content)."""
    rows = await db.fetchall("SELECT status, count(*) FROM mail_threads GROUP BY status")
    result = {str(r[0]): int(r[1]) for r in rows}
    row = await db.fetchone("SELECT count(*) FROM mail_messages")
    result["messages"] = int(row[0]) if row else 0
    return result


# -- outbox ------------------------------------------------------------------------------
# Without a smarthost, replies wait in the outbox folder for an admin to deliver them
# (`console1712 mail outbox`). They hold the writer's address and a quote of their mail, so
# they are sealed like the database's values, named by the keyed hash their mail_messages
# row keeps (forget and purge find them by it), and deleted once delivered.

OUTBOX_SUFFIX = OUTBOX.suffix


async def _outbox_hashes(tx: Tx, where: str, params: Sequence[Any]) -> list[str]:
    rows = await tx.fetchall(
        "SELECT msgid_hash FROM mail_messages WHERE direction = 'out' AND delivery = 'outbox'"
        f" AND msgid_hash IS NOT NULL AND {where}",
        params,
    )
    return [str(r[0]) for r in rows]


def outbox_name(keys: KeyRing, message_id: str) -> str:
    """The outbox file name of a reply: the keyed hash of its Message-ID (no content)."""
    return keys.keyed_hash("mail-msgid", message_id.strip().lower()) + OUTBOX_SUFFIX


def seal_outbox(keys: KeyRing, folder: Path, message_id: str, data: bytes) -> Path:
    """Write a reply sealed, atomically and 0600: a half-written file is never picked up."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return _write_sealed(keys, folder, outbox_name(keys, message_id), data)


def reseal_outbox(keys: KeyRing, folder: Path) -> int:
    """Seal every waiting reply anew under the current key (key rotation, before the old
    key is dropped); how many. Names stay: they are keyed hashes, not encrypted."""
    count = 0
    for path in outbox_files(folder):
        blob = path.read_bytes()
        if int.from_bytes(blob[1:5], "big") == keys.current:
            continue  # done already (a rotation that is resumed)
        _write_sealed(keys, folder, path.name, open_outbox(keys, path))
        count += 1
    return count


def outbox_left_under_old_keys(keys: KeyRing, folder: Path) -> int:
    """Waiting replies not yet sealed under the current key."""
    return sum(
        1
        for p in outbox_files(folder)
        if int.from_bytes(p.read_bytes()[1:5], "big") != keys.current
    )


def _write_sealed(keys: KeyRing, folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    tmp = folder / (name + ".tmp")
    sealed = keys.seal(base64.b64encode(data).decode("ascii"), OUTBOX.table, OUTBOX.column, name)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(sealed)
        out.flush()
        os.fsync(out.fileno())
    try:
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return path


def open_outbox(keys: KeyRing, path: Path) -> bytes:
    """The raw message of a sealed outbox file; DecryptError if it does not open here."""
    return base64.b64decode(keys.open(path.read_bytes(), OUTBOX.table, OUTBOX.column, path.name))


def outbox_files(folder: Path) -> list[Path]:
    """Sealed replies waiting in the outbox, oldest first."""
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.name.endswith(OUTBOX_SUFFIX) and p.is_file()]
    return sorted(found, key=lambda p: (p.stat().st_mtime, p.name))


def remove_outbox(folder: Path, hashes: Sequence[str]) -> int:
    """Delete the outbox files of these message hashes; returns how many were there."""
    removed = 0
    for h in hashes:
        with contextlib.suppress(FileNotFoundError):
            (folder / (h + OUTBOX_SUFFIX)).unlink()
            removed += 1
    return removed
