"""Key rotation: re-seal every encrypted value under a new data key, resumably.

1. With one key in the key file, a new key is added as current and the file is written
   (atomically, 0600) before any value changes. With several keys a rotation was
   interrupted: it resumes under the current key without adding another.
2. Every column in `sealed.COLUMNS` is re-sealed in batches, each batch one transaction;
   then the sealed files of `sealed.FILES` (the outbox's waiting replies).
3. When no value under an old key remains, the old keys are dropped from the key file.
The hash key (keyed hashes of e.g. network addresses) is kept: lookups by hash must go on
matching. The relay must not run meanwhile: `DataLock` on the data directory sees to that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from console1712.clock import Clock
from console1712.store import audit, mail
from console1712.store.crypto import DecryptError, KeyRing, write_key_file
from console1712.store.db import Database, StoreError, Tx
from console1712.store.lock import DataLock
from console1712.store.sealed import COLUMNS, SealedColumn

DB_NAME = "console1712.db"

Progress = Callable[[int, str], None]  # (values re-sealed so far, "table.column")


@dataclass(frozen=True)
class RotationResult:
    """What a rotation did: the new current key, values re-sealed, old keys dropped."""

    key_id: int
    resealed: int
    resumed: bool
    dropped: list[int] = field(default_factory=list)


def _quote(ident: str) -> str:
    return '"' + ident.replace('"', '""') + '"'


async def _identity(db: Database, table: str) -> list[str]:
    """The columns that find a row fast: rowid, or the primary key of a WITHOUT ROWID table."""
    row = await db.fetchone(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    )
    if row is None:
        raise StoreError(f"key rotation: table {table} does not exist")
    if "WITHOUT ROWID" not in " ".join(str(row["sql"]).upper().split()):
        return ["rowid"]
    info = await db.fetchall(f"PRAGMA table_info({_quote(table)})")
    return [_quote(r["name"]) for r in sorted(info, key=lambda r: int(r["pk"])) if r["pk"]]


async def _reseal_column(
    db: Database, col: SealedColumn, batch: int, done: int, progress: Progress | None
) -> int:
    table, column = _quote(col.table), _quote(col.column)
    ident = await _identity(db, col.table)
    ident_sql = ", ".join(ident)
    current = db.keys.current.to_bytes(4, "big")
    match = " AND ".join(f"{c} = ?" for c in ident)
    sql = f"UPDATE {table} SET {column} = ? WHERE {match} AND {column} = ?"
    # Walk the table once in identity order (keyset paging), not rescanning done rows.
    after: tuple[object, ...] | None = None
    while True:
        page = f"({ident_sql}) > ({', '.join('?' * len(ident))}) AND " if after else ""
        rows = await db.fetchall(
            f"SELECT {ident_sql}, {col.row_key} AS row_key, {column} AS value FROM {table}"
            f" WHERE {page}{column} IS NOT NULL AND substr({column}, 2, 4) != ?"
            f" ORDER BY {ident_sql} LIMIT ?",
            (*(after or ()), current, batch),
        )
        if not rows:
            return done
        updates = []
        for r in rows:
            try:
                plain = db.keys.open(r["value"], col.table, col.column, str(r["row_key"]))
            except DecryptError as exc:
                raise StoreError(
                    f"key rotation stopped: {exc}; no value was lost, the old keys are kept"
                ) from None
            fresh = db.keys.seal(plain, col.table, col.column, str(r["row_key"]))
            updates.append((fresh, *tuple(r)[: len(ident)], r["value"]))
        after = tuple(rows[-1])[: len(ident)]

        async def job(tx: Tx, updates: list[tuple[object, ...]] = updates) -> None:
            await tx.executemany(sql, updates)

        await db.write(job)
        done += len(updates)
        if progress is not None:
            progress(done, f"{col.table}.{col.column}")


async def _left_under_old_keys(db: Database, columns: tuple[SealedColumn, ...]) -> int:
    current = db.keys.current.to_bytes(4, "big")
    left = 0
    for col in columns:
        column = _quote(col.column)
        row = await db.fetchone(
            f"SELECT count(*) FROM {_quote(col.table)}"
            f" WHERE {column} IS NOT NULL AND substr({column}, 2, 4) != ?",
            (current,),
        )
        left += int(row[0]) if row else 0
    return left


async def rotate(
    data_path: Path,
    key_file: Path,
    batch: int = 500,
    progress: Progress | None = None,
    *,
    clock: Clock | None = None,
    outbox: Path | None = None,
) -> RotationResult:
    """Re-seal every value of the data directory under a new key (resuming an interrupted one),
    and the replies waiting in `outbox` (default: DATA/outbox)."""
    if batch < 1:
        raise ValueError("batch must be at least 1")
    clock = clock or Clock()
    with DataLock(data_path):
        db = await Database.open(Path(data_path) / DB_NAME, Path(key_file), create=False)
        try:
            resumed = len(db.keys.keys) > 1
            if not resumed:
                ring: KeyRing = db.keys.with_new_key()
                # The new key is on disk before any value is sealed with it.
                write_key_file(Path(key_file), ring)
                db.keys = ring
            resealed = 0
            for col in COLUMNS:
                resealed = await _reseal_column(db, col, batch, resealed, progress)
            folder = Path(outbox) if outbox is not None else Path(data_path) / "outbox"
            replies = mail.reseal_outbox(db.keys, folder)
            resealed += replies
            if progress is not None and replies:
                progress(resealed, "outbox")
            if await _left_under_old_keys(db, COLUMNS) or mail.outbox_left_under_old_keys(
                db.keys, folder
            ):
                raise StoreError("key rotation incomplete: values under old keys remain; run again")
            old = sorted(k for k in db.keys.keys if k != db.keys.current)
            new_id = db.keys.current

            async def note(tx: Tx) -> None:
                dropped = ",".join(map(str, old)) or "none"
                await audit.append(tx, clock.now(), "cli", "key.rotate", f"key:{new_id}")
                await tx.execute(
                    "INSERT INTO meta (name, value) VALUES ('key_rotated', ?)"
                    " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                    (f"key {new_id}, dropped {dropped}",),
                )

            await db.write(note)
            write_key_file(Path(key_file), db.keys.without(set(old)))
        finally:
            # The last connection to close checkpoints and removes the write-ahead log, so
            # old-key ciphertexts do not linger there (the lock keeps other processes out).
            await db.close()
    return RotationResult(key_id=new_id, resealed=resealed, resumed=resumed, dropped=old)
