"""The audit log's hash chain: verify names a changed, removed or reordered entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from console1712.clock import FakeClock
from console1712.store import audit
from console1712.store.db import Database
from tests.databases import both_databases, drop_triggers, raw_execute

pytestmark = both_databases
Paths = tuple[Path | str, Path]


@pytest.fixture
def paths(db_target: Path | str, tmp_path: Path) -> Paths:
    return (db_target, tmp_path / "k.key")


async def fill(paths: Paths, clock: FakeClock, n: int = 6) -> Paths:
    db = await Database.open(*paths)
    try:
        for i in range(1, n + 1):
            clock.advance(1)
            detail = f"reason {i}" if i % 2 else None
            await audit.record(db, clock, "anna", "chat.block", f"chat:c_{i}", detail=detail)
        assert await audit.verify(db) == []
    finally:
        await db.close()
    return paths


async def verify(paths: Paths) -> list[str]:
    db = await Database.open(*paths)
    try:
        return await audit.verify(db)
    finally:
        await db.close()


def tamper(target: Path | str, *statements: str) -> None:
    """What someone with the database (not the app) can do: drop the guards, edit."""
    guards = drop_triggers(target, "audit", "audit_no_delete", "audit_no_update")
    raw_execute(target, *guards, *statements)


async def test_intact_log_and_entries_read_back(paths: Paths, clock: FakeClock) -> None:
    paths = await fill(paths, clock)
    db = await Database.open(*paths)
    try:
        got = await audit.entries(db, limit=2)
        assert [(e.seq, e.object, e.detail) for e in got] == [
            (5, "chat:c_5", "reason 5"),
            (6, "chat:c_6", None),
        ]
        assert await audit.count(db) == 6
    finally:
        await db.close()


async def test_app_cannot_update_or_delete(paths: Paths) -> None:
    await fill(paths, FakeClock())
    for sql in ("DELETE FROM audit WHERE seq = 2", "UPDATE audit SET actor = 'x' WHERE seq = 2"):
        with pytest.raises(Exception, match="append-only") as caught:
            raw_execute(paths[0], sql)
        assert "integrity" in type(caught.value).__name__.lower()  # a constraint, both ways


async def test_changed_entry_reported(paths: Paths, clock: FakeClock) -> None:
    paths = await fill(paths, clock)
    tamper(paths[0], "UPDATE audit SET actor = 'mallory' WHERE seq = 3")
    assert await verify(paths) == ["entry 3 was changed"]


async def test_changed_detail_reported(paths: Paths, clock: FakeClock) -> None:
    paths = await fill(paths, clock)
    # a sealed detail copied from another entry does not open here
    tamper(
        paths[0], "UPDATE audit SET detail = (SELECT detail FROM audit WHERE seq = 1) WHERE seq = 3"
    )
    assert await verify(paths) == ["entry 3 was changed"]


async def test_removed_entry_reported(paths: Paths, clock: FakeClock) -> None:
    paths = await fill(paths, clock)
    tamper(paths[0], "DELETE FROM audit WHERE seq = 4")
    assert await verify(paths) == ["entry 4 is missing (seq gap)"]


async def test_removed_tail_reported(paths: Paths, clock: FakeClock) -> None:
    paths = await fill(paths, clock)
    tamper(paths[0], "DELETE FROM audit WHERE seq >= 5")
    assert await verify(paths) == ["entries 5 to 6 are missing (log ends early)"]


async def test_removed_and_renumbered_reported(paths: Paths, clock: FakeClock) -> None:
    paths = await fill(paths, clock)
    tamper(
        paths[0],
        "DELETE FROM audit WHERE seq = 2",
        "UPDATE audit SET seq = seq - 1 WHERE seq > 2",
        "UPDATE meta SET value = '5 ' || (SELECT hash FROM audit WHERE seq = 5)"
        " WHERE name = 'audit_head'",
    )
    assert await verify(paths) == ["entry 2 does not follow entry 1 (chain broken)"]


async def test_reordered_entries_reported(paths: Paths, clock: FakeClock) -> None:
    paths = await fill(paths, clock)
    tamper(
        paths[0],
        "UPDATE audit SET seq = 100 WHERE seq = 3",
        "UPDATE audit SET seq = 3 WHERE seq = 4",
        "UPDATE audit SET seq = 4 WHERE seq = 100",
    )
    assert await verify(paths) == ["entries 3 and 4 are out of order"]


async def test_removed_first_entry_and_renumbered_reported(paths: Paths, clock: FakeClock) -> None:
    paths = await fill(paths, clock)
    tamper(
        paths[0],
        "DELETE FROM audit WHERE seq = 1",
        "UPDATE audit SET seq = seq - 1",
        "UPDATE meta SET value = '5 ' || (SELECT hash FROM audit WHERE seq = 5)"
        " WHERE name = 'audit_head'",
    )
    assert await verify(paths) == ["entry 1 does not start the chain (earlier entries removed)"]


async def test_entry_moved_far_reported(paths: Paths, clock: FakeClock) -> None:
    paths = await fill(paths, clock)
    tamper(
        paths[0],
        "UPDATE audit SET seq = 100 WHERE seq = 2",
        "UPDATE audit SET seq = 2 WHERE seq = 5",
        "UPDATE audit SET seq = 5 WHERE seq = 100",
    )
    problems = await verify(paths)
    assert problems == ["entries 2 and 5 are out of order"]
