"""Key rotation: every value re-sealed under a new key, resumable, refused while a relay runs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from console1712.clock import FakeClock
from console1712.store import accounts, audit, chats, keys
from console1712.store.db import Database, StoreError
from console1712.store.lock import DataLock
from console1712.store.sealed import COLUMNS

TEXTS = [f"bericht nummer {i}" for i in range(1, 13)]


async def plant(data: Path, key_file: Path, clock: FakeClock) -> dict[str, str]:
    db = await Database.open(data / keys.DB_NAME, key_file)
    try:
        secrets = {}
        for name in ("anna", "bert"):
            created = await accounts.create_account(
                db, clock, name, "long enough", role="counsellor", display=name.title()
            )
            secrets[name] = created.secret
        for i in range(5):
            await audit.record(db, clock, "anna", "chat.block", f"chat:c_{i}", detail=f"why {i}")
        intake = chats.Intake(nickname="Zonnetje", age=15, region="limburg")
        await chats.create_chat(db, "c_test", clock.now(), intake, "192.0.2.7", "h", "r")
        for seq, text in enumerate(TEXTS, start=1):
            await chats.add_message(db, "c_test", seq, "", f"m{seq}", text, clock.now())
        return secrets
    finally:
        await db.close()


async def check_all_readable(
    data: Path, key_file: Path, clock: FakeClock, secrets: dict[str, str]
) -> int:
    """Every sealed value opens under the key file's current key; returns how many there are."""
    db = await Database.open(data / keys.DB_NAME, key_file, create=False)
    try:
        current = db.keys.current.to_bytes(4, "big")
        total = 0
        for col in COLUMNS:
            rows = await db.fetchall(
                f"SELECT {col.row_key} AS rk, {col.column} AS v FROM {col.table}"
                f" WHERE {col.column} IS NOT NULL"
            )
            for r in rows:
                assert r["v"][1:5] == current, f"{col.table}.{col.column} under an old key"
                db.keys.open(r["v"], col.table, col.column, str(r["rk"]))
                total += 1
        assert [m.text for m in await chats.transcript(db, "c_test")] == TEXTS
        assert await audit.verify(db) == []
        for name, secret in secrets.items():
            clock.advance(30)
            code = accounts.totp_code(secret, clock.now())
            assert (await accounts.authenticate(db, clock, name, "long enough", code)).name == name
        return total
    finally:
        await db.close()


def key_ids(key_file: Path) -> list[int]:
    return sorted(int(k) for k in json.loads(key_file.read_text())["keys"])


async def test_rotation_reseals_everything(tmp_path: Path, clock: FakeClock) -> None:
    data, key_file = tmp_path / "data", tmp_path / "data" / "console1712.key"
    secrets = await plant(data, key_file, clock)
    seen: list[tuple[int, str]] = []
    result = await keys.rotate(data, key_file, batch=4, progress=lambda n, w: seen.append((n, w)))
    assert (result.key_id, result.resumed, result.dropped) == (2, False, [1])
    assert key_ids(key_file) == [2]
    assert os.stat(key_file).st_mode & 0o777 == 0o600
    total = await check_all_readable(data, key_file, clock, secrets)
    assert result.resealed == total  # the rotation's own audit entry has no detail
    assert {"chat_messages.text", "accounts.totp_secret", "audit.detail"} <= {w for _, w in seen}
    assert {f"{c.table}.{c.column}" for c in COLUMNS} >= {w for _, w in seen}


async def test_interrupted_rotation_resumes(tmp_path: Path, clock: FakeClock) -> None:
    data, key_file = tmp_path / "data", tmp_path / "data" / "console1712.key"
    secrets = await plant(data, key_file, clock)

    def crash(done: int, where: str) -> None:
        raise KeyboardInterrupt  # the admin pressed ctrl+c after the first batch

    with pytest.raises(KeyboardInterrupt):
        await keys.rotate(data, key_file, batch=3, progress=crash)
    assert key_ids(key_file) == [1, 2]  # the new key was saved before anything was re-sealed
    # Halfway, the data is a mix of both keys and still all readable with the key file.
    db = await Database.open(data / keys.DB_NAME, key_file, create=False)
    try:
        ids = {
            int.from_bytes(r[0][1:5], "big")
            for r in await db.fetchall("SELECT text FROM chat_messages")
        } | {
            int.from_bytes(r[0][1:5], "big")
            for r in await db.fetchall("SELECT sealed FROM meta WHERE sealed IS NOT NULL")
        }
        assert ids == {1, 2}
        assert [m.text for m in await chats.transcript(db, "c_test")] == TEXTS
    finally:
        await db.close()
    result = await keys.rotate(data, key_file, batch=3)
    assert (result.key_id, result.resumed, result.dropped) == (2, True, [1])
    assert key_ids(key_file) == [2]
    await check_all_readable(data, key_file, clock, secrets)


async def test_rotation_refused_while_relay_holds_the_data(
    tmp_path: Path, clock: FakeClock
) -> None:
    data, key_file = tmp_path / "data", tmp_path / "data" / "console1712.key"
    await plant(data, key_file, clock)
    before = key_file.read_bytes()
    with DataLock(data), pytest.raises(StoreError, match="a relay is already running on"):
        await keys.rotate(data, key_file)
    assert key_file.read_bytes() == before
    await keys.rotate(data, key_file)  # the lock is free again
    assert key_ids(key_file) == [2]


def test_data_lock_is_exclusive(tmp_path: Path) -> None:
    first = DataLock(tmp_path)
    with first:
        assert first.held
        with pytest.raises(StoreError, match=str(tmp_path)):
            DataLock(tmp_path).acquire()
    assert not first.held
    with DataLock(tmp_path) as again:
        assert again.held


async def test_rotation_without_database_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no database"):
        await keys.rotate(tmp_path / "nothing", tmp_path / "nothing" / "k.key")


def test_keyed_hash_is_standard_hmac_sha256() -> None:
    """The precomputed-pad fast path gives exactly RFC 2104 HMAC-SHA256, every time."""
    import hashlib
    import hmac

    from console1712.store.crypto import KeyRing

    ring = KeyRing.generate()
    for value in ["", "127.0.0.1", "chat:client-id-1", "é" * 300]:
        expected = hmac.new(ring.hmac_key, f"ip:{value}".encode(), hashlib.sha256).hexdigest()
        assert ring.keyed_hash("ip", value) == expected
        assert ring.keyed_hash("ip", value) == expected  # the cached pads are not consumed
    long_key = KeyRing(keys=ring.keys, current=ring.current, hmac_key=os.urandom(100))
    expected = hmac.new(long_key.hmac_key, b"ip:x", hashlib.sha256).hexdigest()
    assert long_key.keyed_hash("ip", "x") == expected
