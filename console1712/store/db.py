"""The database interface: one group-committing writer and committed reads, on SQLite
(store/sqlite.py, the embedded default) or PostgreSQL (store/postgres.py).

Writes go through `Database.write(job)` (or `submit(job)`, which returns the future):
concurrent jobs are run in one transaction and committed together (one fsync for many
messages), and each caller is answered only after that commit. Rows a job adds with
`tx.defer` are written with one executemany per batch, before the job's next statement or
the commit. Reads see committed data only.

The store modules write one SQL text for both databases: `?` placeholders (the PostgreSQL
backend numbers them), `INSERT ... ON CONFLICT`, `RETURNING`, times as RFC 3339 text
compared as text, no date functions, and `CASE WHEN` where SQLite would add booleans.
Values are sealed (store/crypto.py) before they reach either database; the key file stays
on the machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, TypeAlias, TypeVar

from console1712.store.crypto import KeyFileError, KeyRing, read_key_file, write_key_file

T = TypeVar("T")
MAX_BATCH = 2000
# Seconds between the starts of two commits at most once per window: a writer that committed
# less than this ago waits for more jobs (each commit costs an fsync, ~500 us of CPU in the
# kernel and SQLite, and two thread switches whatever its size); an idle writer commits a
# lone job at once. 10 ms: at 1,000 messages a second, 10 rows a commit instead of 5 at 5 ms;
# durable storage then costs ~85 us of CPU a message instead of ~125, and acks come ~3 ms
# later (p50 ~9 ms at that load; a person typing sees no difference). docs/benchmarks.md,
# 2026-12-02 (night).
COMMIT_WINDOW = 0.010
KEY_CHECK = "console1712 key check"
# A row read back: sqlite3.Row or asyncpg.Record; both index by position and by name.
Row: TypeAlias = Any


class StoreError(Exception):
    """A database problem the user must fix; the message is one clear line."""


class StoreUnavailable(StoreError):
    """The database cannot be reached right now (PostgreSQL down or restarting): the work
    was not done and may be tried again; the store reconnects by itself."""


class LeadLost(StoreUnavailable):
    """Another relay became the active one on this database (PostgreSQL): this relay may
    write no more and stands by (relay/standby.py)."""


class IntegrityError(Exception):
    """A statement broke a constraint or an append-only rule (either database)."""


def is_url(target: Path | str) -> bool:
    """A `postgresql://` (or `postgres://`) URL rather than a SQLite file path."""
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def migrations(dialect: str = "sqlite") -> list[tuple[int, str, str]]:
    """(number, name, sql) of every migration shipped for `dialect` ("sqlite": the package
    store/migrations, "postgres": store/migrations_pg), in order. Both have the same numbers:
    a schema version means the same tables on either database."""
    package = {"sqlite": "migrations", "postgres": "migrations_pg"}[dialect]
    found = []
    for entry in resources.files(f"console1712.store.{package}").iterdir():
        m = re.fullmatch(r"(\d{4})_(\w+)\.sql", entry.name)
        if m:
            found.append((int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"migrations are not numbered 1..n without gaps: {numbers}")
    return found


class Tx(ABC):
    """What a write job gets: execute statements inside the current transaction.

    BEGIN and deferred rows travel with the next statement (or the commit), so a batch of
    deferred rows costs one trip to the database: BEGIN, executemany, COMMIT."""

    def __init__(self, keys: KeyRing) -> None:
        self.keys = keys
        self._begin = True  # BEGIN still to be sent
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

    def _take_prelude(self) -> tuple[bool, list[tuple[str, list[Sequence[Any]]]]]:
        begin, self._begin = self._begin, False
        pending, self._deferred = self._deferred, []
        return begin, pending

    @abstractmethod
    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; returns the number of rows changed."""

    @abstractmethod
    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...

    @abstractmethod
    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None: ...

    @abstractmethod
    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    @abstractmethod
    async def commit(self) -> None:
        """Write what is pending and commit (the batch runner's last step)."""


Job = Callable[[Tx], Awaitable[Any]]


class Database(ABC):
    """A writer with group commit and committed reads; `Database.open` picks the backend."""

    dialect = ""

    def __init__(self, keys: KeyRing) -> None:
        self.keys = keys
        # Jobs waiting for the writer (None: stop), and the future it waits on when idle; a
        # deque, not an asyncio.Queue: one append per job on the hot path, no getter bookkeeping.
        self._jobs: deque[tuple[Job, asyncio.Future[Any]] | None] = deque()
        self._idle: asyncio.Future[None] | None = None
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self._loop = asyncio.get_running_loop()  # (3.11: get_running_loop costs a getpid call)
        self.commits = 0  # counters for benchmarks and tests
        self.commit_window = COMMIT_WINDOW
        self.jobs = 0

    # -- opening -------------------------------------------------------------------------

    @classmethod
    async def open(cls, target: Path | str, key_file: Path, *, create: bool = True) -> Database:
        """Open (and migrate) the database at a file path (SQLite) or a `postgresql://` URL,
        creating it and its key file on first start."""
        if is_url(target):
            from console1712.store.postgres import PgDatabase

            return await PgDatabase.open_url(str(target), Path(key_file), create=create)
        from console1712.store.sqlite import SqliteDatabase

        return await SqliteDatabase.open_file(Path(target), Path(key_file), create=create)

    def _start(self) -> None:
        self._task = asyncio.create_task(self._write_loop(), name="db-writer")

    async def close(self) -> None:
        """Commit what is queued, then close the connections."""
        if self._closed:
            return
        self._closed = True
        if self._task is not None:
            self._put(None)
            with contextlib.suppress(Exception):
                await self._task
        await self._close_connections()

    @abstractmethod
    async def _close_connections(self) -> None: ...

    async def hold_relay_lock(self) -> None:
        """No relay may write while this is held (until close): key rotation and
        migrate-data. SQLite: the data directory's lock does it (store/lock.py); PostgreSQL
        takes the relay advisory lock here, or refuses when a relay holds it."""
        return None

    async def try_lead(self, node: str) -> bool:
        """Become the one relay that writes, if no other is: True if this one is now.
        SQLite: always (`console1712 relay` holds the data directory's lock). PostgreSQL:
        the relay advisory lock on the writer connection, held while it lives and taken
        again on every reconnect; when another relay has it meanwhile, writes fail with
        `LeadLost` and `lead_lost` is set."""
        return True

    async def lead_free(self) -> bool:
        """Does no relay hold the relay lock now? (Read only: a standby asks before it
        tries.) SQLite: True (one relay per data directory)."""
        return True

    @property
    def lead_lost(self) -> bool:
        """Another relay took the lead (PostgreSQL) since `try_lead` succeeded."""
        return False

    async def ping(self) -> None:
        """One round trip through the writer (StoreUnavailable or LeadLost if it fails)."""

        async def job(tx: Tx) -> None:
            await tx.fetchone("SELECT 1")

        await self.write(job)

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
        self._put((job, fut))
        return fut

    def last_queued(self, job: Job) -> bool:
        """Is `job` the last job queued, not taken by the writer yet? (Then what it writes can
        still grow without changing the order of the writes: see chats.MessageBatch.)"""
        last = self._jobs[-1] if self._jobs else None
        return last is not None and last[0] is job

    def _put(self, item: tuple[Job, asyncio.Future[Any]] | None) -> None:
        self._jobs.append(item)
        idle, self._idle = self._idle, None
        if idle is not None and not idle.done():
            idle.set_result(None)

    @abstractmethod
    async def _new_tx(self) -> Tx:
        """A transaction on the writer connection (StoreUnavailable if it cannot be had)."""

    @abstractmethod
    async def _rollback(self) -> None: ...

    async def _write_loop(self) -> None:
        stop = False
        loop = self._loop
        jobs = self._jobs
        last = -1e9  # loop time when the last commit started
        while not stop:
            while not jobs:
                self._idle = loop.create_future()
                await self._idle
            wait = last + self.commit_window - loop.time()
            if wait > 0:
                # Busy: the last commit started less than a window ago. Wait for the rest of
                # the window and commit what came in meanwhile with it (one fsync for all).
                await asyncio.sleep(wait)
            batch: list[tuple[Job, asyncio.Future[Any]]] = []
            while jobs and len(batch) < MAX_BATCH:
                item = jobs.popleft()
                if item is None:
                    stop = True
                    break
                batch.append(item)
            if not batch:
                break
            last = loop.time()
            try:
                await self._commit_batch(batch)
            except StoreUnavailable as exc:
                # Nothing of this batch was committed: every caller hears so (no ack).
                for _, fut in batch:
                    if not fut.done():
                        fut.set_exception(exc)

    async def _commit_batch(self, batch: list[tuple[Job, asyncio.Future[Any]]]) -> None:
        tx = await self._new_tx()
        try:
            results = [await job(tx) for job, _ in batch]
            await tx.commit()
        except StoreUnavailable:
            raise
        except Exception:
            with contextlib.suppress(Exception):
                await self._rollback()
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
        tx = await self._new_tx()
        try:
            result = await job(tx)
            await tx.commit()
        except StoreUnavailable:
            raise
        except Exception as exc:
            with contextlib.suppress(Exception):
                await self._rollback()
            if not fut.done():
                fut.set_exception(exc)
            return
        self.commits += 1
        self.jobs += 1
        if not fut.done():
            fut.set_result(result)

    # -- reading -------------------------------------------------------------------------

    @abstractmethod
    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    @abstractmethod
    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None: ...

    @abstractmethod
    async def schema_version(self) -> int: ...

    @abstractmethod
    async def integrity_problems(self, limit: int = 20) -> list[str]:
        """Every page, index and constraint read; [] if sound (slow: for `audit verify`)."""

    @abstractmethod
    async def vacuum(self, *, rebuild: bool = True) -> None:
        """Return the space of erased rows (and, on SQLite, zero their old copies)."""

    @abstractmethod
    async def identity_columns(self, table: str) -> list[str]:
        """The (quoted) columns that find a row of `table` fast, for keyset paging."""

    @abstractmethod
    async def tables(self) -> list[str]:
        """The names of the tables holding data (not the schema bookkeeping)."""


def quote(ident: str) -> str:
    return '"' + ident.replace('"', '""') + '"'


def load_or_create_keys(exists: bool, where: str, key_file: Path, create: bool) -> KeyRing:
    """Read the key file, or create it (0600) for a new database; refuse a missing one."""
    if not exists and not create:
        raise StoreError(f"no database at {where}")
    if exists and not key_file.exists():
        raise StoreError(f"key file {key_file} is missing for the existing database {where}")
    if key_file.exists():
        try:
            return read_key_file(key_file)
        except KeyFileError as exc:
            raise StoreError(str(exc)) from None
    key_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    keys = KeyRing.generate()
    write_key_file(key_file, keys)
    return keys
