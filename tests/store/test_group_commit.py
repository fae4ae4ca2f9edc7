"""Group commit with deferred rows: order kept, one commit a batch, failures kept per job."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from console1712.clock import FakeClock
from console1712.store import chats
from console1712.store.db import Database, IntegrityError, Job, StoreUnavailable, Tx
from tests.databases import both_databases, pg_run

INSERT = "INSERT INTO meta (name, sealed) VALUES (?, ?)"


pytestmark = both_databases


@pytest.fixture
async def db(tmp_path: Path, db_target: Path | str) -> Database:
    database = await Database.open(db_target, tmp_path / "k.key")
    yield database  # type: ignore[misc]
    await database.close()


async def names(db: Database) -> list[str]:
    return [r[0] for r in await db.fetchall("SELECT name FROM meta ORDER BY rowid")]


async def test_deferred_rows_are_written_before_later_statements(db: Database) -> None:
    async def first(tx: Tx) -> None:
        tx.defer(INSERT, ("a", b"1"))
        tx.defer(INSERT, ("b", b"2"))

    async def second(tx: Tx) -> tuple[int, int]:
        # The rows deferred by the job before are visible, in order, to an immediate statement.
        row = await tx.fetchone("SELECT count(*) FROM meta WHERE name IN ('a', 'b')")
        assert row is not None
        changed = await tx.execute("UPDATE meta SET sealed = ? WHERE name = 'b'", (b"3",))
        tx.defer(INSERT, ("c", b"4"))
        return row[0], changed

    commits = db.commits
    futures = [db.submit(first), db.submit(second)]  # queued together: one group commit
    assert await asyncio.gather(*futures) == [None, (2, 1)]
    assert db.commits == commits + 1
    assert (await names(db))[-3:] == ["a", "b", "c"]
    assert (await db.fetchone("SELECT sealed FROM meta WHERE name = 'b'"))[0] == b"3"  # type: ignore[index]


async def test_a_batch_of_messages_is_one_commit(db: Database, clock: FakeClock) -> None:
    await chats.create_chat(db, "c_1", clock.now(), chats.Intake(), "10.0.0.1", "h", "r")
    commits = db.commits
    jobs = [chats.message_job("c_1", s, "", f"id{s}", f"tekst {s}", clock.now()) for s in (1, 2, 3)]
    await asyncio.gather(*[db.submit(job) for job in jobs])
    assert db.commits == commits + 1
    stored = await chats.transcript(db, "c_1")
    assert [(m.seq, m.text) for m in stored] == [(1, "tekst 1"), (2, "tekst 2"), (3, "tekst 3")]


async def test_a_message_batch_grows_until_the_writer_takes_it(
    db: Database, clock: FakeClock
) -> None:
    for chat_id in ("c_1", "c_2"):
        await chats.create_chat(db, chat_id, clock.now(), chats.Intake(), "10.0.0.1", "h", "r")
    db.commit_window = 0.2
    await db.write(lambda tx: tx.execute(INSERT, ("busy", b"x")))  # the writer waits a window

    def message(seq: int) -> chats.Message:
        return chats.Message(seq, "", f"id{seq}", f"tekst {seq}", clock.now())

    batch = chats.MessageBatch()
    commits = db.commits
    written = db.submit(batch)
    batch.add("c_1", message(1))
    assert db.last_queued(batch)
    batch.add("c_2", message(1))
    batch.add("c_1", message(2))
    other = db.submit(lambda tx: tx.execute(INSERT, ("later", b"x")))
    assert not db.last_queued(batch)  # a job behind it: more messages go to a new batch
    await asyncio.gather(written, other)
    assert not batch.open and db.commits == commits + 1
    assert [(m.seq, m.text) for m in await chats.transcript(db, "c_1")] == [
        (1, "tekst 1"),
        (2, "tekst 2"),
    ]
    assert [m.text for m in await chats.transcript(db, "c_2")] == ["tekst 1"]


async def test_commits_are_paced_by_the_window_under_load(db: Database) -> None:
    """An idle writer commits a lone job at once; jobs that come within the window after a
    commit started wait for the window and share one commit (one fsync for all of them)."""
    db.commit_window = 0.2

    def insert(name: str) -> Job:
        async def job(tx: Tx) -> None:
            tx.defer(INSERT, (name, b"x"))

        return job

    commits = db.commits
    first = db.submit(insert("p0"))
    await first  # alone: committed without waiting for the window
    assert db.commits == commits + 1
    later = []
    for i in range(1, 4):  # one job per loop iteration, all within the window
        later.append(db.submit(insert(f"p{i}")))
        await asyncio.sleep(0)
    await asyncio.gather(*later)
    assert db.commits == commits + 2
    assert (await names(db))[-4:] == ["p0", "p1", "p2", "p3"]


async def test_failed_batch_is_retried_job_by_job_with_its_own_deferred_rows(
    db: Database,
) -> None:
    def good(name: str) -> Job:
        async def job(tx: Tx) -> None:
            tx.defer(INSERT, (name, b"x"))

        return job

    async def bad(tx: Tx) -> None:
        tx.defer(INSERT, ("key_check", b"duplicate"))  # the primary key exists: fails at flush

    async def swallowing(tx: Tx) -> None:
        # Its statement flushes the bad job's row; catching the error must not save the batch.
        try:
            await tx.execute("UPDATE meta SET sealed = sealed WHERE name = 'a'")
        except IntegrityError:
            pass
        tx.defer(INSERT, ("d", b"x"))

    commits = db.commits
    jobs = [good("a"), bad, swallowing, good("c")]
    results = await asyncio.gather(*[db.submit(job) for job in jobs], return_exceptions=True)
    assert results[0] is None and results[2] is None and results[3] is None
    assert isinstance(results[1], IntegrityError)
    assert (await names(db))[-3:] == ["a", "d", "c"]  # the bad job's row is not there
    assert db.commits == commits + 3  # the failed batch was rolled back, then one commit each
    check = await db.fetchone("SELECT sealed FROM meta WHERE name = 'key_check'")
    assert check is not None and db.keys.open(check[0], "meta", "sealed", "key_check")


async def test_a_job_that_writes_nothing_opens_no_transaction(db: Database) -> None:
    async def nothing(tx: Tx) -> int:
        return 7

    assert await db.write(nothing) == 7

    async def insert(tx: Tx) -> None:
        tx.defer(INSERT, ("after", b"x"))

    await db.write(insert)  # the writer is in a clean state afterwards
    assert "after" in await names(db)


async def test_a_postgres_connection_lost_while_idle_is_replaced_unseen(
    tmp_path: Path, pg_url: str
) -> None:
    name = f"lose_{tmp_path.name[-12:]}"
    db = await Database.open(f"{pg_url}&application_name={name}", tmp_path / "k.key")
    try:
        await db.write(lambda tx: tx.execute(INSERT, ("a", b"1")))
        pg_run(
            pg_url,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            f" WHERE application_name = '{name}'",
        )
        # the server ended the sessions (a restart, a failover): the next write and read
        # connect again; nothing is refused, nothing is written twice
        await db.write(lambda tx: tx.execute(INSERT, ("b", b"2")))
        assert await names(db) == ["key_check", "a", "b"]
    finally:
        await db.close()


async def test_postgres_reads_under_way_when_the_server_ends_sessions_are_unavailable(
    tmp_path: Path, pg_url: str
) -> None:
    name = f"busy_{tmp_path.name[-12:]}"
    db = await Database.open(f"{pg_url}&application_name={name}", tmp_path / "k.key")
    outcomes: set[str] = set()
    stop = False

    async def reader() -> None:
        while not stop:
            try:
                await db.fetchone("SELECT pg_sleep(0.001)")
                outcomes.add("ok")
            except StoreUnavailable:
                outcomes.add("unavailable")  # the caller hears: try again (protocol v1)
            except Exception as exc:  # anything else would close a client's connection
                outcomes.add(type(exc).__name__)

    try:
        readers = [asyncio.create_task(reader()) for _ in range(4)]
        for _ in range(30):  # a server that ends every session, again and again
            await asyncio.sleep(0.03)
            await asyncio.to_thread(
                pg_run,
                pg_url,
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                f" WHERE application_name = '{name}'",
            )
        stop = True
        await asyncio.gather(*readers)
        assert outcomes <= {"ok", "unavailable"}
        for _ in range(10):  # and once it stops, every read goes through
            assert (await db.fetchone("SELECT 1"))[0] == 1
    finally:
        await db.close()
