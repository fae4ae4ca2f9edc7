"""Moving a helpline from its SQLite file to PostgreSQL (`console1712 migrate-data`).

Every table is copied as it is: sealed values stay sealed under the same key (the key file
is not touched and never goes into the database), keyed hashes stay valid, and SQLite's
rowid goes into the `rowid` column where PostgreSQL keeps one (the order of chats, mail
messages, annotations). Tables are copied parents first (foreign keys), in batches; each
batch commits together with a progress row in the destination's meta table, so an
interrupted run continues where it stopped when run again, and nothing is copied twice.
At the end the rows of every table are counted on both sides; the progress rows go once
the counts agree.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from console1712.store.db import Database, Row, StoreError, Tx, quote

PROGRESS = "migrate_data:"  # meta rows of the destination while a copy is under way
# Copied before: a trigger on phone_contacts opens a registration unless one is there.
AFTER = {"phone_contacts": {"registrations"}}

Progress = Callable[[str, int], None]  # (table, rows copied so far)


@dataclass(frozen=True)
class TableCount:
    table: str
    source: int
    copied: int


async def _columns(src: Database, table: str) -> list[str]:
    return [str(r["name"]) for r in await src.fetchall(f"PRAGMA table_info({quote(table)})")]


async def _order(src: Database, tables: list[str]) -> list[str]:
    """Parents before children (foreign keys), then alphabetical."""
    needs: dict[str, set[str]] = {}
    for table in tables:
        refs = await src.fetchall(f"PRAGMA foreign_key_list({quote(table)})")
        needs[table] = {str(r["table"]) for r in refs} | AFTER.get(table, set())
        needs[table] = (needs[table] & set(tables)) - {table}
    ordered: list[str] = []
    while needs:
        ready = sorted(t for t, deps in needs.items() if not deps - set(ordered))
        if not ready:
            raise StoreError(f"foreign keys form a cycle among {sorted(needs)}")
        ordered.extend(ready)
        for t in ready:
            del needs[t]
    return ordered


async def _dest_has_rowid(dst: Database, table: str) -> bool:
    row = await dst.fetchone(
        "SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND table_name = ? AND column_name = 'rowid'",
        (table,),
    )
    return bool(row and row[0])


async def _count(db: Database, table: str) -> int:
    extra = f" WHERE name NOT LIKE '{PROGRESS}%'" if table == "meta" else ""
    row = await db.fetchone(f"SELECT count(*) FROM {quote(table)}{extra}")
    return int(row[0]) if row else 0


async def _started(dst: Database) -> bool:
    row = await dst.fetchone("SELECT count(*) FROM meta WHERE name LIKE ?", (PROGRESS + "%",))
    return bool(row and row[0])


async def _refuse_live_destination(dst: Database, tables: list[str]) -> None:
    """A destination that holds a helpline already (not a copy under way) is not written."""
    if await _started(dst):
        return
    for table in tables:
        if table != "meta" and await _count(dst, table):
            raise StoreError(
                f"the destination already holds data (table {table}); migrate into an empty"
                " database"
            )


async def copy(
    src: Database, dst: Database, *, batch: int = 1000, progress: Progress | None = None
) -> list[TableCount]:
    """Copy every table of `src` (SQLite) into `dst` (PostgreSQL, migrated to the same
    schema version), resuming a copy under way; returns the counts, verified."""
    if batch < 1:
        raise ValueError("batch must be at least 1")
    if await src.schema_version() != await dst.schema_version():
        raise StoreError("source and destination have different schema versions")
    tables = await _order(src, await src.tables())
    missing = set(tables) - set(await dst.tables())
    if missing:
        raise StoreError(f"the destination lacks the tables {sorted(missing)}")
    await _refuse_live_destination(dst, tables)
    for table in tables:
        await _copy_table(src, dst, table, batch, progress)
    counts = [TableCount(t, await _count(src, t), await _count(dst, t)) for t in tables]
    wrong = [c for c in counts if c.source != c.copied]
    if wrong:
        listed = ", ".join(f"{c.table} {c.copied} of {c.source}" for c in wrong)
        raise StoreError(f"counts differ after the copy ({listed}); run again to continue")

    async def finish(tx: Tx) -> None:
        await tx.execute("DELETE FROM meta WHERE name LIKE ?", (PROGRESS + "%",))

    await dst.write(finish)
    return counts


async def _copy_table(
    src: Database, dst: Database, table: str, batch: int, progress: Progress | None
) -> None:
    ident = await src.identity_columns(table)
    columns = await _columns(src, table)
    rowid = ident == ["rowid"]
    keep_rowid = rowid and await _dest_has_rowid(dst, table)
    names = [quote(c) for c in columns] + (["rowid"] if keep_rowid else [])
    select = ", ".join(([] if not rowid else ["rowid AS __rowid"]) + [quote(c) for c in columns])
    order = "rowid" if rowid else ", ".join(ident)
    key_names = ["__rowid"] if rowid else [i.strip('"').replace('""', '"') for i in ident]
    insert = (
        f"INSERT INTO {quote(table)} ({', '.join(names)})"
        f" VALUES ({', '.join('?' * len(names))}) ON CONFLICT DO NOTHING"
    )
    mark = PROGRESS + table
    row = await dst.fetchone("SELECT value FROM meta WHERE name = ?", (mark,))
    after: list[object] | None = json.loads(row[0]) if row else None
    copied = await _count(dst, table) if after is not None else 0
    if after == ["done"]:
        return
    while True:
        where = f" WHERE ({order}) > ({', '.join('?' * len(ident))})" if after else ""
        rows: list[Row] = await src.fetchall(
            f"SELECT {select} FROM {quote(table)}{where} ORDER BY {order} LIMIT ?",
            (*(after or ()), batch),
        )
        values = [
            tuple(r[c] for c in columns) + ((r["__rowid"],) if keep_rowid else ()) for r in rows
        ]
        last = [rows[-1][k] for k in key_names] if rows else None

        async def job(
            tx: Tx, values: list[tuple[object, ...]] = values, last: object = last
        ) -> None:
            if values:
                await tx.executemany(insert, values)
            await tx.execute(
                "INSERT INTO meta (name, value) VALUES (?, ?)"
                " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (mark, json.dumps(last if last is not None else ["done"])),
            )
            if last is None and keep_rowid:
                # New rows get numbers after the copied ones.
                await tx.execute(
                    f"SELECT setval(pg_get_serial_sequence('{quote(table)}', 'rowid'),"
                    f" (SELECT COALESCE(max(rowid), 0) + 1 FROM {quote(table)}), false)"
                )

        await dst.write(job)
        if last is None:
            return
        after = last
        copied += len(values)
        if progress is not None:
            progress(table, copied)
