"""PostgreSQL (asyncpg): the same store on a server, for a helpline whose IT runs one.

One writer connection runs the group commits (BEGIN, a transaction-scoped advisory lock
that serialises writers as SQLite's BEGIN IMMEDIATE does, the batch, COMMIT: with the
server's default synchronous_commit the batch is durable when COMMIT returns, before any
ack); reads use a small pool. The store modules' `?` placeholders are numbered here.

When the server cannot be reached, work fails with `StoreUnavailable` (nothing of it was
committed) and the next write or read connects again: the relay recovers by itself.
The URL may hold a password: it never appears in a message (see `describe`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import asyncpg

from console1712.store.crypto import DecryptError, KeyRing
from console1712.store.db import (
    KEY_CHECK,
    Database,
    IntegrityError,
    Job,
    LeadLost,
    Row,
    StoreError,
    StoreUnavailable,
    Tx,
    load_or_create_keys,
    migrations,
    quote,
)

log = logging.getLogger("console1712.store")

T = TypeVar("T")
# Advisory lock keys (first int), the second being a hash of the schema (current_schema()),
# so that several helplines, or tests, may share one database in schemas of their own.
LOCK_RELAY = 1712  # session lock held by the active relay (or key rotation, migrate-data)
LOCK_WRITE = 1713  # transaction lock: one writing transaction at a time (as SQLite)
LOCK_MIGRATE = 1714  # transaction lock while migrations run
SCOPE = "hashtext(current_schema())"
BEGIN = f"BEGIN; SELECT pg_advisory_xact_lock({LOCK_WRITE}, {SCOPE})"
CONNECT_TIMEOUT = 10.0
# Errors that mean "the server or the connection is gone", not "the statement is wrong".
LOST: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    # A statement under way when the server ended the session may leave asyncpg's protocol
    # state confused ("cannot switch to state ..."): that connection is gone as well.
    asyncpg.InternalClientError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
)
# The server answered but will not let us in: a setting to fix, not a moment to wait.
REFUSED: tuple[type[BaseException], ...] = (
    asyncpg.InvalidCatalogNameError,
    asyncpg.InvalidAuthorizationSpecificationError,
    asyncpg.InvalidPasswordError,
)


def describe(url: str) -> str:
    """The URL as it may be shown: host, port and database, never user or password."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"postgresql://{host}{port}{parts.path}"


@functools.lru_cache(maxsize=4096)
def numbered(sql: str) -> str:
    """`?` placeholders as PostgreSQL's $1, $2, ... (not inside quoted strings or names)."""
    out: list[str] = []
    n = 0
    for part in re.split(r"('(?:[^']|'')*'|\"(?:[^\"]|\"\")*\")", sql):
        if part.startswith(("'", '"')):
            out.append(part)
            continue
        pieces = part.split("?")
        for i, piece in enumerate(pieces):
            if i:
                n += 1
                out.append(f"${n}")
            out.append(piece)
    return "".join(out)


def _count(status: str) -> int:
    """Rows changed, from a command status such as "UPDATE 3" or "INSERT 0 1"."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class StaleConnection(StoreUnavailable):
    """The connection was found broken at BEGIN: nothing of the transaction reached the
    server, so the batch may run again on a new connection."""


def _translate(exc: BaseException, where: str) -> BaseException:
    if isinstance(exc, asyncpg.IntegrityConstraintViolationError):
        return IntegrityError(str(exc))
    if isinstance(exc, LOST):
        return StoreUnavailable(f"the database {where} cannot be reached ({type(exc).__name__})")
    return exc


class PgTx(Tx):
    def __init__(self, db: PgDatabase, conn: asyncpg.Connection, keys: KeyRing) -> None:
        super().__init__(keys)
        self._db = db
        self._conn = conn

    async def _run(self, call: Callable[[], Awaitable[T]]) -> T:
        begin, pending = self._take_prelude()
        in_prelude = True
        at_begin = begin
        try:
            if begin:
                await self._conn.execute(BEGIN)
                at_begin = False
            for sql, rows in pending:
                await self._conn.executemany(numbered(sql), rows)
            in_prelude = False
            return await call()
        except Exception as exc:
            error = _translate(exc, self._db.where)
            if isinstance(error, StoreUnavailable):
                self._db._lost()
                if at_begin:
                    error = StaleConnection(str(error))
            if in_prelude and pending:
                # Another job's rows may have failed: the batch must fail whatever this job does.
                self.failed = error
            if error is exc:
                raise
            raise error from exc

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        status: str = await self._run(lambda: self._conn.execute(numbered(sql), *params))
        return _count(status)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        listed = list(rows)
        if listed:
            await self._run(lambda: self._conn.executemany(numbered(sql), listed))
        else:
            await self._run(_nothing)

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        return await self._run(lambda: self._conn.fetchrow(numbered(sql), *params))

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        rows: list[Row] = await self._run(lambda: self._conn.fetch(numbered(sql), *params))
        return rows

    async def commit(self) -> None:
        if self._begin and not self._deferred:
            return  # nothing was written: no transaction was opened
        if self.failed is None:
            await self._run(lambda: self._conn.execute("COMMIT"))
        if self.failed is not None:
            raise self.failed


async def _nothing() -> None:
    return None


class PgDatabase(Database):
    """A PostgreSQL database (or one schema of it, named by the URL's search_path)."""

    dialect = "postgres"

    def __init__(self, url: str, keys: KeyRing, writer: asyncpg.Connection) -> None:
        super().__init__(keys)
        self.url = url
        self.where = describe(url)
        self._writer: asyncpg.Connection | None = writer
        self._pool: asyncpg.Pool | None = None
        self._relay_lock = False  # hold LOCK_RELAY on every writer connection
        self._lead_lost = False  # another relay took LOCK_RELAY while we reconnected
        self.node: str | None = None  # the relay (process) that leads through this store

    @classmethod
    async def open_url(cls, url: str, key_file: Path, *, create: bool = True) -> PgDatabase:
        where = describe(url)
        conn = await _connect(url, where)
        try:
            exists = await conn.fetchval(
                "SELECT to_regclass('meta') IS NOT NULL"
                " AND EXISTS (SELECT 1 FROM pg_tables WHERE tablename = 'meta'"
                " AND schemaname = current_schema())"
            )
            if exists:
                exists = bool(await conn.fetchval("SELECT count(*) FROM meta"))
            keys = load_or_create_keys(bool(exists), where, key_file, create)
            await _migrate(conn, where)
            await _check_key(conn, keys, where, key_file)
            db = cls(url, keys, conn)
            db._pool = await asyncpg.create_pool(
                url, min_size=0, max_size=4, timeout=CONNECT_TIMEOUT
            )
        except BaseException:
            with contextlib.suppress(Exception):
                await conn.close()
            raise
        db._start()
        return db

    async def hold_relay_lock(self) -> None:
        """Nobody else may write (key rotation, migrate-data): the relay lock on the writer
        connection, held until close; refused when a relay holds it."""
        self._relay_lock = True
        conn = await self._connection()
        await self._take_relay_lock(conn)

    async def _take_relay_lock(self, conn: asyncpg.Connection) -> None:
        got = await conn.fetchval(f"SELECT pg_try_advisory_lock({LOCK_RELAY}, {SCOPE})")
        if not got:
            raise StoreError(f"another relay is already running on the database {self.where}")

    async def try_lead(self, node: str) -> bool:
        """The relay lock on the writer connection, if no other relay holds it (its session
        ends with its process: a killed relay frees it at once). Through the write queue, so
        that it never runs beside a batch on the same connection."""

        async def job(tx: Tx) -> bool:
            row = await tx.fetchone(f"SELECT pg_try_advisory_lock({LOCK_RELAY}, {SCOPE})")
            return bool(row is not None and row[0])

        got: bool = await self.write(job)
        if got:
            self._relay_lock, self._lead_lost, self.node = True, False, node
        return got

    async def lead_free(self) -> bool:
        row = await self.fetchone(
            "SELECT NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            f" AND classid = {LOCK_RELAY} AND objid = ({SCOPE})::oid AND objsubid = 2)"
        )
        return bool(row is not None and row[0])

    @property
    def lead_lost(self) -> bool:
        return self._lead_lost

    async def _lock_taken_by_another(self, node: str | None) -> bool:
        """Is the relay lock another relay's (not our own broken session's, which the
        server may not have ended yet)? The active relay names itself in active_relay."""
        if node is None:
            return False
        try:
            row = await self.fetchone("SELECT node FROM active_relay WHERE id = 1")
        except StoreError:
            return False
        return row is not None and str(row[0]) != node

    def _lost(self) -> None:
        """The writer connection broke: drop it, the next transaction connects again."""
        conn, self._writer = self._writer, None
        if conn is not None:
            conn.terminate()

    async def _connection(self) -> asyncpg.Connection:
        if self._writer is not None and not self._writer.is_closed():
            return self._writer
        self._writer = None
        conn = await _connect(self.url, self.where, unavailable=True)
        if self._relay_lock:
            try:
                await self._take_relay_lock(conn)
            except StoreError:
                conn.terminate()
                if await self._lock_taken_by_another(self.node):
                    self._relay_lock, self._lead_lost = False, True
                    raise LeadLost(
                        f"another relay is the active one on the database {self.where}"
                    ) from None
                # The server may not have ended our broken session yet (its lock with it):
                # not now, the next transaction tries again.
                raise StoreUnavailable(f"the database {self.where} is not ready yet") from None
            except BaseException:
                conn.terminate()
                raise
        log.info("database connection restored")
        self._writer = conn
        return conn

    async def _close_connections(self) -> None:
        if self._pool is not None:
            with contextlib.suppress(Exception):
                await self._pool.close()
        if self._writer is not None:
            with contextlib.suppress(Exception):
                await self._writer.close()
            self._writer = None

    async def _new_tx(self) -> Tx:
        return PgTx(self, await self._connection(), self.keys)

    async def _commit_batch(self, batch: list[tuple[Job, asyncio.Future[Any]]]) -> None:
        """A connection that broke while idle (the server restarted, a failover) is found
        at the batch's BEGIN: then the batch runs once more on a new connection, so work
        is refused only while the server is really away."""
        commits = self.commits
        try:
            await super()._commit_batch(batch)
        except StaleConnection:
            if self.commits != commits:
                raise  # part of the batch landed alone: not run twice
            log.info("database connection lost while idle; connecting again")
            await super()._commit_batch(batch)

    async def _rollback(self) -> None:
        conn = self._writer
        if conn is not None and not conn.is_closed() and conn.is_in_transaction():
            await conn.execute("ROLLBACK")

    async def _read(self, fn: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
        if self._pool is None:
            raise StoreError("database is closed")
        try:
            async with self._pool.acquire() as conn:
                return await fn(conn)
        except Exception as exc:
            error = _translate(exc, self.where)
            if error is exc:
                raise
            raise error from exc

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        rows: list[Row] = await self._read(lambda c: c.fetch(numbered(sql), *params))
        return rows

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        return await self._read(lambda c: c.fetchrow(numbered(sql), *params))

    async def schema_version(self) -> int:
        row = await self.fetchone("SELECT max(version) FROM schema_version")
        return int(row[0]) if row and row[0] is not None else 0

    async def integrity_problems(self, limit: int = 20) -> list[str]:
        """PostgreSQL checks its pages itself (checksums, WAL); here: can every table be
        read through, and do the foreign keys hold."""
        problems: list[str] = []
        for table in await self.tables():
            try:
                await self.fetchone(f"SELECT count(*) FROM {quote(table)}")
            except (asyncpg.PostgresError, StoreError) as exc:
                problems.append(f"{table}: {exc}")
        return problems[:limit]

    async def vacuum(self, *, rebuild: bool = True) -> None:
        """VACUUM (FULL with `rebuild`) the tables, so erased rows' space is reused
        (FULL rewrites the files, so old row versions leave the disk too)."""
        sql = "VACUUM (FULL)" if rebuild else "VACUUM"
        for table in await self.tables():
            statement = f"{sql} {quote(table)}"
            await self._read(lambda c, s=statement: c.execute(s))  # type: ignore[misc]

    async def identity_columns(self, table: str) -> list[str]:
        rows = await self.fetchall(
            "SELECT a.attname FROM pg_index i"
            " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
            " WHERE i.indrelid = to_regclass(?) AND i.indisprimary"
            " ORDER BY array_position(i.indkey, a.attnum)",
            (quote(table),),
        )
        if not rows:
            raise StoreError(f"table {table} does not exist or has no primary key")
        return [quote(str(r[0])) for r in rows]

    async def tables(self) -> list[str]:
        rows = await self.fetchall(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            " AND tablename <> 'schema_version' ORDER BY tablename"
        )
        return [str(r[0]) for r in rows]


async def _connect(url: str, where: str, *, unavailable: bool = False) -> asyncpg.Connection:
    try:
        conn: asyncpg.Connection = await asyncpg.connect(url, timeout=CONNECT_TIMEOUT)
    except (
        *LOST,
        asyncpg.InvalidCatalogNameError,
        asyncpg.InvalidAuthorizationSpecificationError,
    ) as exc:
        if unavailable:
            raise StoreUnavailable(
                f"the database {where} cannot be reached ({type(exc).__name__})"
            ) from None
        raise StoreError(
            f"cannot connect to the database {where} ({type(exc).__name__}: {exc})"
        ) from None
    return conn


async def _migrate(conn: asyncpg.Connection, where: str) -> None:
    """Apply every migration newer than the recorded schema version, each in a transaction,
    under an advisory lock (two relays starting at once migrate once)."""
    known = migrations("postgres")
    latest = known[-1][0] if known else 0
    async with conn.transaction():
        await conn.execute(f"SELECT pg_advisory_xact_lock({LOCK_MIGRATE}, {SCOPE})")
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version"
            " (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
        )
        version = int(await conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_version"))
        if version > latest:
            raise StoreError(
                f"database {where} has schema version {version}, newer than this console1712 "
                f"understands ({latest}); upgrade console1712"
            )
        for number, name, sql in known:
            if number <= version:
                continue
            async with conn.transaction():  # a savepoint: one migration lands whole or not
                await conn.execute(sql)
                await conn.execute(
                    "INSERT INTO schema_version (version, name, applied_at) VALUES ($1, $2, now())",
                    number,
                    name,
                )
            log.info("migration %04d_%s applied", number, name)


async def _check_key(conn: asyncpg.Connection, keys: KeyRing, where: str, key_file: Path) -> None:
    """The meta table holds a sealed check value: a wrong key file is caught at start."""
    sealed = await conn.fetchval("SELECT sealed FROM meta WHERE name = 'key_check'")
    if sealed is None:
        await conn.execute(
            "INSERT INTO meta (name, sealed) VALUES ('key_check', $1) ON CONFLICT DO NOTHING",
            keys.seal(KEY_CHECK, "meta", "sealed", "key_check"),
        )
        return
    try:
        if keys.open(sealed, "meta", "sealed", "key_check") != KEY_CHECK:
            raise DecryptError("key check")
    except DecryptError:
        raise StoreError(f"key file {key_file} does not belong to the database {where}") from None
