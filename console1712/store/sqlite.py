"""SQLite, the embedded default: one file in WAL mode, numbered migrations, a writer
connection and a reader connection, each a plain `sqlite3` connection on a thread of its own.

The writer's thread runs BEGIN, a job's deferred rows and its next statement in one hop,
so a batch of messages costs one trip there and back: BEGIN, executemany, COMMIT.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import queue
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from console1712.store.crypto import DecryptError, KeyRing
from console1712.store.db import (
    KEY_CHECK,
    Database,
    IntegrityError,
    Row,
    StoreError,
    Tx,
    load_or_create_keys,
    migrations,
    quote,
)

log = logging.getLogger("console1712.store")

T = TypeVar("T")
_Call = tuple[Callable[[sqlite3.Connection], Any], asyncio.Future[Any]]


def _settle(fut: asyncio.Future[Any], result: Any, exc: BaseException | None) -> None:
    if fut.cancelled():
        return
    if exc is not None:
        fut.set_exception(exc)
    else:
        fut.set_result(result)


class SqliteThread:
    """One sqlite3 connection, used only on its own thread; `call(fn)` runs fn(conn) there."""

    def __init__(self, path: Path) -> None:
        self._loop = asyncio.get_running_loop()
        self._calls: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self._conn: sqlite3.Connection | None = None
        self._path = path
        # Not a daemon: a commit under way finishes before the interpreter exits.
        self._thread = threading.Thread(target=self._run, name="sqlite", daemon=False)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._calls.get()
            if item is None:
                break
            fn, fut = item
            try:
                if self._conn is None:
                    self._conn = sqlite3.connect(
                        self._path, isolation_level=None, check_same_thread=False
                    )
                    self._conn.row_factory = sqlite3.Row
                result = fn(self._conn)
            except BaseException as exc:
                self._loop.call_soon_threadsafe(_settle, fut, None, exc)
            else:
                self._loop.call_soon_threadsafe(_settle, fut, result, None)
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()

    def call(self, fn: Callable[[sqlite3.Connection], T]) -> asyncio.Future[T]:
        fut: asyncio.Future[T] = self._loop.create_future()
        self._calls.put((fn, fut))
        return fut

    async def close(self) -> None:
        self._calls.put(None)
        await asyncio.to_thread(self._thread.join)


class SqliteTx(Tx):
    def __init__(self, conn: SqliteThread, keys: KeyRing) -> None:
        super().__init__(keys)
        self._conn = conn

    async def _hop(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """`fn` on the writer thread, after the pending BEGIN and deferred rows."""
        begin, pending = self._take_prelude()
        in_prelude = True

        def work(c: sqlite3.Connection) -> T:
            nonlocal in_prelude
            if begin:
                c.execute("BEGIN IMMEDIATE")
            for sql, rows in pending:
                c.executemany(sql, rows)
            in_prelude = False
            return fn(c)

        try:
            return await self._conn.call(work)
        except sqlite3.IntegrityError as exc:
            error = IntegrityError(str(exc))
            if in_prelude and pending:
                # Another job's rows may have failed: the batch must fail whatever this job does.
                self.failed = error
            raise error from exc
        except BaseException as exc:
            if in_prelude and pending:
                self.failed = exc
            raise

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        def run(c: sqlite3.Connection) -> int:
            cur = c.execute(sql, params)
            count = cur.rowcount
            cur.close()
            return count

        return await self._hop(run)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        listed = list(rows)  # built here, on the event loop, not on the writer thread
        await self._hop(lambda c: c.executemany(sql, listed).close())

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        return await self._hop(lambda c: c.execute(sql, params).fetchone())

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        rows: list[Row] = await self._hop(lambda c: c.execute(sql, params).fetchall())
        return rows

    async def commit(self) -> None:
        if self._begin and not self._deferred:
            return  # nothing was written: no transaction was opened
        if self.failed is None:
            await self._hop(lambda c: c.commit())
        if self.failed is not None:
            raise self.failed


class SqliteDatabase(Database):
    """One SQLite file: a writer connection with group commit and a reader connection."""

    dialect = "sqlite"

    def __init__(
        self, path: Path, keys: KeyRing, writer: SqliteThread, reader: SqliteThread
    ) -> None:
        super().__init__(keys)
        self.path = path
        self._writer = writer
        self._reader = reader

    @classmethod
    async def open_file(cls, path: Path, key_file: Path, *, create: bool = True) -> SqliteDatabase:
        keys = _prepare(path, key_file, create)
        writer = reader = None
        try:
            writer = await _connect(path)
            await _quick_check(writer, path)
            await _migrate(writer, path)
            await _check_key(writer, keys, path, key_file)
            reader = await _connect(path)
        except BaseException:
            for conn in (writer, reader):
                if conn is not None:
                    await conn.close()
            raise
        db = cls(path, keys, writer, reader)
        db._start()
        return db

    async def _close_connections(self) -> None:
        for conn in (self._writer, self._reader):
            with contextlib.suppress(Exception):
                await conn.close()

    async def _new_tx(self) -> Tx:
        return SqliteTx(self._writer, self.keys)

    async def _rollback(self) -> None:
        await self._writer.call(lambda c: c.rollback())

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        rows: list[Row] = await self._reader.call(lambda c: c.execute(sql, params).fetchall())
        return rows

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        return await self._reader.call(lambda c: c.execute(sql, params).fetchone())

    async def schema_version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def integrity_problems(self, limit: int = 20) -> list[str]:
        """`PRAGMA integrity_check`: every page, index and constraint read; [] if sound."""
        try:
            rows = await self.fetchall(f"PRAGMA integrity_check({int(limit)})")
        except sqlite3.DatabaseError as exc:
            return [str(exc)]
        return _problems([str(r[0]) for r in rows])

    async def vacuum(self, *, rebuild: bool = True) -> None:
        """Move the WAL into the file and empty it (old WAL frames still hold erased values;
        secure_delete zeroes them in the file); with `rebuild`, VACUUM in between as well."""
        # Its own connection: VACUUM cannot run inside the writer's transactions, and it
        # waits (busy_timeout) for a running group commit instead of interleaving with it.
        # VACUUM holds the write lock while it rebuilds: run it when writes are few.
        steps = ["PRAGMA wal_checkpoint(TRUNCATE)"]
        if rebuild:
            steps += ["VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)"]
        conn = await _connect(self.path)
        try:
            for statement in steps:
                await conn.call(functools.partial(_run_all, statement))
        finally:
            await conn.close()

    async def identity_columns(self, table: str) -> list[str]:
        """rowid, or the primary key of a WITHOUT ROWID table."""
        row = await self.fetchone(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        )
        if row is None:
            raise StoreError(f"table {table} does not exist")
        if "WITHOUT ROWID" not in " ".join(str(row["sql"]).upper().split()):
            return ["rowid"]
        info = await self.fetchall(f"PRAGMA table_info({quote(table)})")
        return [quote(r["name"]) for r in sorted(info, key=lambda r: int(r["pk"])) if r["pk"]]

    async def tables(self) -> list[str]:
        rows = await self.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
        return [str(r[0]) for r in rows]


SIDE_FILES = ("-wal", "-shm", "-journal")


def _prepare(path: Path, key_file: Path, create: bool) -> KeyRing:
    """The key ring (made for a new file), the folder, and the file private before it opens."""
    exists = path.exists() and path.stat().st_size > 0
    keys = load_or_create_keys(exists, str(path), key_file, create)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    _private_files(path)
    return keys


def _private_files(path: Path) -> None:
    """The database file exists with mode 0600 before SQLite opens it, whatever the umask.

    SQLite gives the files it makes beside it (WAL, shared memory, journal) the mode of the
    database file, so they are 0600 too. Files left by an older version are tightened."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    for suffix in SIDE_FILES:
        side = path.with_name(path.name + suffix)
        with contextlib.suppress(FileNotFoundError):
            if side.stat().st_mode & 0o077:
                side.chmod(0o600)


async def _quick_check(conn: SqliteThread, path: Path) -> None:
    """A damaged page that start-up would not read is found now, not months later."""
    try:
        rows = await conn.call(lambda c: c.execute("PRAGMA quick_check(5)").fetchall())
        found = [str(r[0]) for r in rows]
    except sqlite3.DatabaseError as exc:
        found = [str(exc)]
    problems = _problems(found)
    if problems:
        raise StoreError(
            f"{path} is damaged (quick_check: {problems[0]}); restore it from a backup"
            " (console1712 audit verify runs the full check)"
        )


def _problems(found: list[str]) -> list[str]:
    """What a check pragma answered, one problem a line ([] for "ok"); SQLite puts several
    lines in one row, under a "*** in database main ***" heading."""
    if found == ["ok"]:
        return []
    lines = [line for r in found for line in r.splitlines()]
    return [line for line in lines if line.strip() and not line.startswith("***")] or found


def _run_all(statement: str, c: sqlite3.Connection) -> list[Any]:
    return c.execute(statement).fetchall()


def prepare_connection(c: sqlite3.Connection) -> None:
    """The settings of every connection: WAL, fsync on each commit, erased data zeroed."""
    c.execute("PRAGMA busy_timeout = 10000")
    c.execute("PRAGMA journal_mode = WAL").fetchone()
    c.execute("PRAGMA synchronous = FULL")
    c.execute("PRAGMA foreign_keys = ON")
    c.execute("PRAGMA secure_delete = ON")


async def _connect(path: Path) -> SqliteThread:
    conn = SqliteThread(path)
    try:
        await conn.call(prepare_connection)
    except sqlite3.DatabaseError as exc:
        await conn.close()
        raise StoreError(f"{path} is not a usable console1712 database ({exc})") from None
    except BaseException:
        await conn.close()
        raise
    return conn


async def _migrate(conn: SqliteThread, path: Path) -> None:
    """Apply every migration newer than the recorded schema version, each in a transaction."""
    try:
        row = await conn.call(lambda c: c.execute("PRAGMA user_version").fetchone())
        version = int(row[0]) if row else 0
        known = migrations("sqlite")
        latest = known[-1][0] if known else 0
        if version > latest:
            raise StoreError(
                f"database {path} has schema version {version}, newer than this console1712 "
                f"understands ({latest}); upgrade console1712"
            )
        for number, name, sql in known:
            if number <= version:
                continue

            def apply(c: sqlite3.Connection, sql: str = sql, number: int = number) -> None:
                c.execute("BEGIN IMMEDIATE")
                try:
                    for statement in _statements(sql):
                        c.execute(statement)
                    c.execute(f"PRAGMA user_version = {number}")
                    c.commit()
                except BaseException:
                    c.rollback()
                    raise

            await conn.call(apply)
            log.info("migration %04d_%s applied", number, name)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is corrupt or not a console1712 database ({exc})") from None


def _statements(sql: str) -> list[str]:
    """Split a migration script on ';' at line ends (our migrations keep to that)."""
    return [s.strip() for s in re.split(r";\s*\n", sql) if s.strip() and not _only_comments(s)]


def _only_comments(s: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in s.splitlines())


async def _check_key(conn: SqliteThread, keys: KeyRing, path: Path, key_file: Path) -> None:
    """The meta table holds a sealed check value: a wrong key file is caught at start."""
    row = await conn.call(
        lambda c: c.execute("SELECT sealed FROM meta WHERE name = 'key_check'").fetchone()
    )
    if row is None:
        sealed = keys.seal(KEY_CHECK, "meta", "sealed", "key_check")
        await conn.call(
            lambda c: c.execute(
                "INSERT INTO meta (name, sealed) VALUES ('key_check', ?)", (sealed,)
            ).close()
        )
        return
    try:
        if keys.open(row[0], "meta", "sealed", "key_check") != KEY_CHECK:
            raise DecryptError("key check")
    except DecryptError:
        raise StoreError(f"key file {key_file} does not belong to the database {path}") from None
