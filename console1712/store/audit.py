"""The audit log: append-only entries, each holding the SHA-256 of the previous one.

An entry's hash covers (at, actor, action, object, outcome, detail MAC, prev_hash). The
sequence number is not hashed: the order is what the chain of prev_hash values says, so a
reordered entry still proves itself and `verify` can name the pair that was swapped.
`detail` is free text and sealed; the hash covers an HMAC of its plaintext (the key file's
hash key, which rotation keeps), so rotation re-seals details without breaking the chain,
the hash reveals nothing guessable, and `verify` needs the key file (it opens each detail).
The detail is sealed with the entry's own hash as its row: copied elsewhere it fails.
No conversation content ever goes in here: actions, object ids and outcomes only.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from console1712.clock import Clock, from_rfc3339, to_rfc3339
from console1712.store.crypto import DecryptError, KeyRing
from console1712.store.db import Database, Tx

GENESIS = "0" * 64
HEAD = "audit_head"  # meta row "SEQ HASH" of the last entry: a removed tail is noticed too


@dataclass(frozen=True)
class AuditEntry:
    """One entry as read back (detail opened)."""

    seq: int
    at: datetime
    actor: str
    action: str
    object: str
    outcome: str
    detail: str | None


def _detail_mac(keys: KeyRing, detail: str | None) -> str | None:
    return None if detail is None else keys.keyed_hash("audit-detail", detail)


def entry_hash(
    at: str, actor: str, action: str, obj: str, outcome: str, detail_mac: str | None, prev: str
) -> str:
    """SHA-256 (hex) over a canonical JSON encoding of the entry's fields and prev_hash."""
    canonical = json.dumps(
        [at, actor, action, obj, outcome, detail_mac, prev],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


async def append(
    tx: Tx,
    at: datetime,
    actor: str,
    action: str,
    obj: str,
    outcome: str = "ok",
    detail: str | None = None,
) -> None:
    """Add an entry inside the caller's write job (it commits or rolls back with it)."""
    last = await tx.fetchone("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
    seq, prev = (int(last["seq"]) + 1, str(last["hash"])) if last else (1, GENESIS)
    when = to_rfc3339(at)
    digest = entry_hash(when, actor, action, obj, outcome, _detail_mac(tx.keys, detail), prev)
    sealed = tx.keys.seal_opt(detail, "audit", "detail", digest)
    await tx.execute(
        "INSERT INTO audit (seq, at, actor, action, object, outcome, detail, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (seq, when, actor, action, obj, outcome, sealed, prev, digest),
    )
    await tx.execute(
        "INSERT INTO meta (name, value) VALUES (?, ?)"
        " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        (HEAD, f"{seq} {digest}"),
    )


async def record(
    db: Database,
    clock: Clock,
    actor: str,
    action: str,
    obj: str,
    outcome: str = "ok",
    detail: str | None = None,
) -> None:
    """Add an entry in a write of its own; returns once it is committed."""
    at = clock.now()

    async def job(tx: Tx) -> None:
        await append(tx, at, actor, action, obj, outcome, detail)

    await db.write(job)


async def entries(db: Database, limit: int = 50) -> list[AuditEntry]:
    """The last `limit` entries, oldest first, details opened."""
    rows = await db.fetchall(
        "SELECT seq, at, actor, action, object, outcome, detail, hash FROM audit"
        " ORDER BY seq DESC LIMIT ?",
        (max(0, limit),),
    )
    found = []
    for r in reversed(rows):
        try:
            detail = db.keys.open_opt(r["detail"], "audit", "detail", r["hash"])
        except DecryptError:
            detail = "(does not open: changed or moved)"
        found.append(
            AuditEntry(
                int(r["seq"]),
                from_rfc3339(r["at"]),
                r["actor"],
                r["action"],
                r["object"],
                r["outcome"],
                detail,
            )
        )
    return found


async def count(db: Database) -> int:
    row = await db.fetchone("SELECT count(*) FROM audit")
    return int(row[0]) if row else 0


def _span(first: int, last: int) -> str:
    return f"entry {first} is" if first == last else f"entries {first} to {last} are"


def _intact(keys: KeyRing, r: sqlite3.Row) -> bool:
    """Does the entry still hash to its stored hash (and its detail open where it is)?"""
    mac: str | None = None
    if r["detail"] is not None:
        try:
            mac = _detail_mac(keys, keys.open(r["detail"], "audit", "detail", r["hash"]))
        except DecryptError:
            return False
    computed = entry_hash(
        r["at"], r["actor"], r["action"], r["object"], r["outcome"], mac, r["prev_hash"]
    )
    return bool(computed == r["hash"])


async def verify(db: Database) -> list[str]:
    """Check the chain; human-readable problems (changed, missing, out of order), [] if intact."""
    rows = await db.fetchall(
        "SELECT seq, at, actor, action, object, outcome, detail, prev_hash, hash FROM audit"
        " ORDER BY seq"
    )
    problems: list[str] = []
    seqs = [int(r["seq"]) for r in rows]
    changed = {int(r["seq"]) for r in rows if not _intact(db.keys, r)}
    # The true order is the one the prev_hash links give; walk it from the start, and where
    # a link is missing, carry on from the lowest entry not yet reached.
    after: dict[str, sqlite3.Row] = {}
    for r in rows:
        after.setdefault(str(r["prev_hash"]), r)
    order: list[int] = []
    breaks: list[int] = []
    reached: set[int] = set()
    nxt = after.get(GENESIS)
    while len(reached) < len(rows):
        if nxt is None or int(nxt["seq"]) in reached:
            nxt = next(r for r in rows if int(r["seq"]) not in reached)
            breaks.append(int(nxt["seq"]))
        seq = int(nxt["seq"])
        reached.add(seq)
        order.append(seq)
        nxt = after.get(str(nxt["hash"]))
    # Report in log order: gaps, changed entries, broken links.
    prev_seq = 0
    for seq in seqs:
        if seq > prev_seq + 1:
            problems.append(f"{_span(prev_seq + 1, seq - 1)} missing (seq gap)")
        elif seq in breaks and seq not in changed:
            if prev_seq == 0:
                problems.append(f"entry {seq} does not start the chain (earlier entries removed)")
            else:
                problems.append(f"entry {seq} does not follow entry {prev_seq} (chain broken)")
        if seq in changed:
            problems.append(f"entry {seq} was changed")
        prev_seq = seq
    # Entries whose place in the chain is not their place in the log were moved.
    belongs = {seq: seqs[i] for i, seq in enumerate(order)}  # entry -> the place it belongs
    done: set[int] = set()
    for seq in seqs:
        place = belongs[seq]
        if place == seq or seq in done:
            continue
        if belongs.get(place) == seq:
            problems.append(f"entries {min(seq, place)} and {max(seq, place)} are out of order")
            done.update((seq, place))
        else:
            problems.append(f"entry {seq} is out of order (it belongs at {place})")
            done.add(seq)
    head = await db.fetchone("SELECT value FROM meta WHERE name = ?", (HEAD,))
    if head is not None and head["value"]:
        head_seq = int(str(head["value"]).split()[0])
        last = seqs[-1] if seqs else 0
        if head_seq > last:
            problems.append(f"{_span(last + 1, head_seq)} missing (log ends early)")
    return problems
