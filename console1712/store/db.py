"""The database: aiosqlite in WAL mode, numbered migrations, and one group-committing writer.

Writes go through `Database.write(job)` (or `submit(job)`, which returns the future):
concurrent jobs are run in one transaction and committed together (one fsync for many
messages), and each caller is answered only after that commit. Rows a job adds with
`tx.defer` are written with one executemany per batch, in the same trip to the writer thread
as BEGIN and COMMIT. Reads use a second connection and see committed data only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar, cast

import aiosqlite

from console1712.store.crypto import (
    DecryptError,
    KeyFileError,
    KeyRing,
    read_key_file,
    write_key_file,
)

log = logging.getLogger("console1712.store")

T = TypeVar("T")
MAX_BATCH = 2000
COMMIT_WINDOW = 0.001  # seconds a busy writer waits for more jobs before it commits
KEY_CHECK = "console1712 key check"


class StoreError(Exception):
    """A database problem the user must fix; the message is one clear line."""


def migrations() -> list[tuple[int, str, str]]:
    """(number, name, sql) of every migration shipped in store/migrations, in order."""
    found = []
    for entry in resources.files("console1712.store.migrations").iterdir():
        m = re.fullmatch(r"(\d{4})_(\w+)\.sql", entry.name)
        if m:
            found.append((int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"migrations are not numbered 1..n without gaps: {numbers}")
    return found


def _on_thread(conn: aiosqlite.Connection, fn: Callable[[sqlite3.Connection], T]) -> Awaitable[T]:
    """Run `fn` with the raw connection on aiosqlite's own thread: many statements, one hop.

    aiosqlite has no public call for this; `_execute` and `_conn` are its own helpers."""
    result: Awaitable[T] = cast(Any, conn)._execute(fn, cast(Any, conn)._conn)
    return result


class Tx:
    """What a write job gets: execute statements inside the current transaction.

    BEGIN and deferred rows travel with the next statement (or the commit), so a batch of
    deferred rows costs one trip to the writer thread: BEGIN, executemany, COMMIT."""

    def __init__(self, conn: aiosqlite.Connection, keys: KeyRing) -> None:
        self._conn = conn
        self.keys = keys
        self._begin = True  # BEGIN IMMEDIATE still to be sent
        # Rows from `defer`, in order, one list per run of the same statement text.
        self._deferred: list[tuple[str, list[Sequence[Any]]]] = []
        self.failed: BaseException | None = None  # deferred rows failed (maybe caught by a job)

    def defer(self, sql: str, params: Sequence[Any]) -> None:
        """Buffer a statement whose row count is not needed (e.g. an INSERT); it is written,
        in order, before the next immediate statement or the commit, batched by executemany."""
        if self._deferred and self._deferred[-1][0] == sql:
            self._deferred[-1][1].append(params)
        else:
            self._deferred.append((sql, [params]))

    async def _hop(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """`fn` on the writer thread, after the pending BEGIN and deferred rows."""
        begin, self._begin = self._begin, False
        pending, self._deferred = self._deferred, []
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
            return await _on_thread(self._conn, work)
        except BaseException as exc:
            if in_prelude and pending:
                # Another job's rows may have failed: the batch must fail whatever this job does.
                self.failed = exc
            raise

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; returns the number of rows changed."""

        def run(c: sqlite3.Connection) -> int:
            cur = c.execute(sql, params)
            count = cur.rowcount
            cur.close()
            return count

        return await self._hop(run)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        listed = list(rows)  # built here, on the event loop, not on the writer thread
        await self._hop(lambda c: c.executemany(sql, listed).close())

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        row: sqlite3.Row | None = await self._hop(lambda c: c.execute(sql, params).fetchone())
        return row

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        rows: list[sqlite3.Row] = await self._hop(lambda c: c.execute(sql, params).fetchall())
        return rows

    async def commit(self) -> None:
        """Write what is pending and commit (the batch runner's last step)."""
        if self._begin and not self._deferred:
            return  # nothing was written: no transaction was opened
        if self.failed is None:
            await self._hop(lambda c: c.commit())
        if self.failed is not None:
            raise self.failed


Job = Callable[[Tx], Awaitable[Any]]


class Database:
    """One SQLite file: a writer connection with group commit and a reader connection."""

    def __init__(
        self, path: Path, keys: KeyRing, writer: aiosqlite.Connection, reader: aiosqlite.Connection
    ) -> None:
        self.path = path
        self.keys = keys
        self._writer = writer
        self._reader = reader
        self._queue: asyncio.Queue[tuple[Job, asyncio.Future[Any]] | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self._loop = asyncio.get_running_loop()  # (3.11: get_running_loop costs a getpid call)
        self.commits = 0  # counters for benchmarks and tests
        self.commit_window = COMMIT_WINDOW
        self.jobs = 0

    # -- opening -------------------------------------------------------------------------

    @classmethod
    async def open(cls, path: Path, key_file: Path, *, create: bool = True) -> Database:
        """Open (and migrate) the database, creating it and its key file on first start."""
        path = Path(path)
        keys = _prepare_keys(path, Path(key_file), create)
        _private_files(path)
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
        db._task = asyncio.create_task(db._write_loop(), name="db-writer")
        return db

    async def close(self) -> None:
        """Commit what is queued, then close both connections (their threads are not daemons)."""
        if self._closed:
            return
        self._closed = True
        if self._task is not None:
            await self._queue.put(None)
            with contextlib.suppress(Exception):
                await self._task
        for conn in (self._writer, self._reader):
            with contextlib.suppress(Exception):
                await conn.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- writing -------------------------------------------------------------------------

    async def write(self, job: Callable[[Tx], Awaitable[T]]) -> T:
        """Run a job in the next group commit; returns its result once it is durable."""
        return await self.submit(job)

    def submit(self, job: Callable[[Tx], Awaitable[T]]) -> asyncio.Future[T]:
        """Queue a job for the next group commit; the future resolves once it is durable.

        For hot paths that finish with a done-callback instead of a task per write."""
        if self._closed:
            raise StoreError("database is closed")
        fut: asyncio.Future[T] = self._loop.create_future()
        self._queue.put_nowait((job, fut))
        return fut

    async def _write_loop(self) -> None:
        stop = False
        concurrent = False
        while not stop:
            item = await self._queue.get()
            if item is None:
                break
            if concurrent and self.commit_window > 0:
                # Writers are many (the last batch had several jobs): wait a moment for more,
                # since each commit costs an fsync and thread switches whatever its size.
                await asyncio.sleep(self.commit_window)
            batch = [item]
            while len(batch) < MAX_BATCH and not self._queue.empty():
                nxt = self._queue.get_nowait()
                if nxt is None:
                    stop = True
                    break
                batch.append(nxt)
            concurrent = len(batch) > 1
            await self._commit_batch(batch)

    async def _commit_batch(self, batch: list[tuple[Job, asyncio.Future[Any]]]) -> None:
        tx = Tx(self._writer, self.keys)
        try:
            results = [await job(tx) for job, _ in batch]
            await tx.commit()
        except Exception:
            with contextlib.suppress(Exception):
                await self._writer.rollback()
            if len(batch) == 1:
                await self._run_alone(batch[0])
                return
            # One job failed: run each in its own transaction (and Tx, so its deferred rows
            # go with it) so that the others still land.
            for item in batch:
                await self._run_alone(item)
            return
        self.commits += 1
        self.jobs += len(batch)
        for (_, fut), result in zip(batch, results, strict=True):
            if not fut.done():
                fut.set_result(result)

    async def _run_alone(self, item: tuple[Job, asyncio.Future[Any]]) -> None:
        job, fut = item
        tx = Tx(self._writer, self.keys)
        try:
            result = await job(tx)
            await tx.commit()
        except Exception as exc:
            with contextlib.suppress(Exception):
                await self._writer.rollback()
            if not fut.done():
                fut.set_exception(exc)
            return
        self.commits += 1
        self.jobs += 1
        if not fut.done():
            fut.set_result(result)

    # -- reading -------------------------------------------------------------------------

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        async with self._reader.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        async with self._reader.execute(sql, params) as cur:
            return await cur.fetchone()

    async def schema_version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def integrity_problems(self, limit: int = 20) -> list[str]:
        """`PRAGMA integrity_check`: every page, index and constraint read; [] if sound.

        Slow on a big file (it reads all of it): for `audit verify`, not for start-up."""
        rows = await self.fetchall(f"PRAGMA integrity_check({int(limit)})")
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
                async with conn.execute(statement) as cur:
                    await cur.fetchall()
        finally:
            await conn.close()


def _prepare_keys(path: Path, key_file: Path, create: bool) -> KeyRing:
    """Read the key file, or create it (0600) for a new database; refuse a missing one."""
    exists = path.exists() and path.stat().st_size > 0
    if not exists and not create:
        raise StoreError(f"no database at {path}")
    if exists and not key_file.exists():
        raise StoreError(f"key file {key_file} is missing for the existing database {path}")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if key_file.exists():
        return _load_keys(key_file)
    keys = KeyRing.generate()
    write_key_file(key_file, keys)
    return keys


SIDE_FILES = ("-wal", "-shm", "-journal")


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


async def _quick_check(conn: aiosqlite.Connection, path: Path) -> None:
    """A damaged page that start-up would not read is found now, not months later."""
    try:
        async with conn.execute("PRAGMA quick_check(5)") as cur:
            found = [str(r[0]) for r in await cur.fetchall()]
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


def _load_keys(key_file: Path) -> KeyRing:
    try:
        return read_key_file(key_file)
    except KeyFileError as exc:
        raise StoreError(str(exc)) from None


async def _connect(path: Path) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        await conn.execute("PRAGMA busy_timeout = 10000")
        mode = await conn.execute("PRAGMA journal_mode = WAL")
        await mode.fetchone()
        await mode.close()
        await conn.execute("PRAGMA synchronous = FULL")
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA secure_delete = ON")
    except sqlite3.DatabaseError as exc:
        await conn.close()
        raise StoreError(f"{path} is not a usable console1712 database ({exc})") from None
    return conn


async def _migrate(conn: aiosqlite.Connection, path: Path) -> None:
    """Apply every migration newer than the recorded schema version, each in a transaction."""
    try:
        async with conn.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        version = int(row[0]) if row else 0
        known = migrations()
        latest = known[-1][0] if known else 0
        if version > latest:
            raise StoreError(
                f"database {path} has schema version {version}, newer than this console1712 "
                f"understands ({latest}); upgrade console1712"
            )
        for number, name, sql in known:
            if number <= version:
                continue
            await conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _statements(sql):
                    await conn.execute(statement)
                await conn.execute(f"PRAGMA user_version = {number}")
                await conn.commit()
            except BaseException:
                await conn.rollback()
                raise
            log.info("migration %04d_%s applied", number, name)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is corrupt or not a console1712 database ({exc})") from None


def _statements(sql: str) -> list[str]:
    """Split a migration script on ';' at line ends (our migrations keep to that)."""
    return [s.strip() for s in re.split(r";\s*\n", sql) if s.strip() and not _only_comments(s)]


def _only_comments(s: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in s.splitlines())


async def _check_key(conn: aiosqlite.Connection, keys: KeyRing, path: Path, key_file: Path) -> None:
    """The meta table holds a sealed check value: a wrong key file is caught at start."""
    async with conn.execute("SELECT sealed FROM meta WHERE name = 'key_check'") as cur:
        row = await cur.fetchone()
    if row is None:
        sealed = keys.seal(KEY_CHECK, "meta", "sealed", "key_check")
        await conn.execute("INSERT INTO meta (name, sealed) VALUES ('key_check', ?)", (sealed,))
        return
    try:
        if keys.open(row[0], "meta", "sealed", "key_check") != KEY_CHECK:
            raise DecryptError("key check")
    except DecryptError:
        raise StoreError(f"key file {key_file} does not belong to the database {path}") from None
