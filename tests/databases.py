"""PostgreSQL for the tests: the server's URL, statements and queries straight on either
database (past the store), and the marker that runs a test on both databases (fixtures in
tests/conftest.py)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import pytest

PG_ENV = "TEST_PG_URL"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
DATABASES = ("sqlite", "postgres")
# `pytestmark = both_databases` (or on one test): a test that uses a database (through the
# fixtures `settings`, `db_target` or `database_kind`) runs on SQLite and on PostgreSQL
# (tests/conftest.py: pytest_generate_tests); other tests of the module run once.
both_databases = pytest.mark.both_databases
# In a module marked so, a test that is about SQLite alone (its files) or about no database
# at all runs once, on SQLite.
one_database = pytest.mark.one_database

T = TypeVar("T")


def database_args(target: object) -> list[str]:
    """The command-line option naming a PostgreSQL database (none for the default file)."""
    return ["--database", target] if isinstance(target, str) else []


def _on_server(url: str, work: Callable[[Any], Awaitable[T]]) -> T:
    """`work(connection)` with a connection of its own to the server (in a thread: the
    calling test may be inside an event loop)."""
    import asyncpg

    async def go() -> T:
        conn = await asyncpg.connect(url, timeout=10)
        try:
            return await work(conn)
        finally:
            await conn.close()

    outcome: list[T] = []
    failure: list[BaseException] = []

    def thread() -> None:
        try:
            outcome.append(asyncio.run(go()))
        except BaseException as exc:
            failure.append(exc)

    worker = threading.Thread(target=thread)
    worker.start()
    worker.join()
    if failure:
        raise failure[0]
    return outcome[0]


def pg_run(url: str, *statements: str) -> None:
    """Run statements on the server with a connection of their own."""

    async def work(conn: Any) -> None:
        for statement in statements:
            await conn.execute(statement)

    _on_server(url, work)


def pg_stored_values(url: str) -> list[tuple[str, bytes]]:
    """(table.column, value) for every value of every table in the URL's schema, as bytes
    (text as UTF-8): what someone with a database login, a dump or the server's disk could
    read."""

    async def work(conn: Any) -> list[tuple[str, bytes]]:
        tables = await conn.fetch(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
        assert tables, "no tables in the schema"
        values: list[tuple[str, bytes]] = []
        for table in tables:
            for row in await conn.fetch(f'SELECT * FROM "{table[0]}"'):
                for column, value in row.items():
                    where = f"{table[0]}.{column}"
                    if isinstance(value, bytes):
                        values.append((where, value))
                    elif value is not None:
                        values.append((where, str(value).encode()))
        return values

    return _on_server(url, work)


def with_search_path(url: str, schema: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}search_path={schema}"


def raw_execute(target: Path | str, *statements: str) -> None:
    """Statements straight on the database, past the store (what someone with the file or
    a database login could do), in one transaction."""
    if isinstance(target, str):
        pg_run(target, "BEGIN", *statements, "COMMIT")
        return
    conn = sqlite3.connect(target)
    try:
        for sql in statements:
            conn.execute(sql)
        conn.commit()
    finally:
        conn.close()


def raw_query(target: Path | str, sql: str) -> list[tuple[Any, ...]]:
    """The rows of a query straight on the database, past the store."""
    if isinstance(target, str):

        async def work(conn: Any) -> list[tuple[Any, ...]]:
            return [tuple(row.values()) for row in await conn.fetch(sql)]

        return _on_server(target, work)
    conn = sqlite3.connect(target)
    try:
        return list(conn.execute(sql))
    finally:
        conn.close()


def drop_triggers(target: Path | str, table: str, *names: str) -> list[str]:
    """The statements that drop a table's guarding triggers on either database."""
    if isinstance(target, str):
        return [f"DROP TRIGGER {name} ON {table}" for name in names]
    return [f"DROP TRIGGER {name}" for name in names]


def failing_insert(target: Path | str, table: str, column: str, value: str) -> None:
    """A trigger `poison` that makes the database refuse inserting this value in this column
    (a real failure of one row, as a full disk would give), on either database."""
    if isinstance(target, str):
        raw_execute(
            target,
            "CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql"
            " AS $$ BEGIN RAISE EXCEPTION 'disk'; END $$",
            f"CREATE TRIGGER poison BEFORE INSERT ON {table} FOR EACH ROW"
            f" WHEN (NEW.{column} = '{value}') EXECUTE FUNCTION poison()",
        )
        return
    raw_execute(
        target,
        f"CREATE TRIGGER poison BEFORE INSERT ON {table}"
        f" WHEN NEW.{column} = '{value}' BEGIN SELECT RAISE(ABORT, 'disk'); END",
    )


class CutProxy:
    """A TCP proxy to the PostgreSQL server, in the test's event loop: `cut()` drops every
    connection and refuses new ones (the server is gone, as far as the relay can tell);
    `restore()` listens again on the same port (it is back)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self._target = (parts.hostname or "127.0.0.1", parts.port or 5432)
        self._url = parts
        self._server: asyncio.Server | None = None
        self._streams: set[asyncio.StreamWriter] = set()
        self.port = 0

    @property
    def url(self) -> str:
        """The URL through the proxy (same database, user and options)."""
        netloc = self._url.netloc.rsplit("@", 1)
        host = f"127.0.0.1:{self.port}"
        return self._url._replace(
            netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host
        ).geturl()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._target)
        except OSError:
            writer.close()
            return
        self._streams |= {writer, up_writer}

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (OSError, asyncio.CancelledError):
                pass
            finally:
                dst.close()

        await asyncio.gather(pump(reader, up_writer), pump(up_reader, writer))
        self._streams -= {writer, up_writer}

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for stream in list(self._streams):
            stream.transport.abort()
        self._streams.clear()

    async def restore(self) -> None:
        await self.start()
