"""The `console1712` command as a separate process: user, audit and key commands, bad input."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from websockets.asyncio.client import connect

from console1712.clock import Clock, FakeClock
from console1712.config import Settings
from console1712.store import accounts
from console1712.store.db import Database
from console1712.store.lock import DataLock

SCRIPT = Path(sys.executable).with_name("console1712")
PASSWORD = "correct horse battery"


@dataclass
class Result:
    code: int
    out: str
    err: str


def cli(data: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None) -> Result:
    """Run console1712 with --data DATA appended, in a clean environment."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("CONSOLE1712_")}
    base["XDG_DATA_HOME"] = str(data.parent / "xdg")  # never the real user's data
    proc = subprocess.run(
        [str(SCRIPT), *args, "--data", str(data)],
        input=stdin,
        capture_output=True,
        text=True,
        env={**base, **(env or {})},
        timeout=60,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def one_error_line(result: Result) -> str:
    """A user error: exit 1, exactly one line on stderr, no traceback."""
    assert result.code == 1, result
    lines = result.err.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.err, result.err
    assert lines[0].startswith("console1712: ")
    return lines[0]


def add(data: Path, name: str = "anna", password: str = PASSWORD) -> Result:
    return cli(
        data,
        "user",
        "add",
        name,
        "--role",
        "counsellor",
        "--team",
        "limburg",
        stdin=password + "\n",
    )


async def login(data: Path, name: str, secret: str, password: str = PASSWORD) -> accounts.Account:
    db = await Database.open(data / "console1712.db", data / "console1712.key", create=False)
    try:
        code = accounts.totp_code(secret, Clock().now())
        return await accounts.authenticate(db, Clock(), name, password, code)
    finally:
        await db.close()


def secret_of(uri_line: str) -> str:
    uri = urlparse(uri_line.strip())
    assert uri.scheme == "otpauth" and uri.netloc == "totp"
    return parse_qs(uri.query)["secret"][0]


async def test_user_add_prints_working_uri_and_duplicate_fails(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = add(data)
    assert result.code == 0, result.err
    assert len(result.out.splitlines()) == 1  # the URI line and nothing to parse around it
    secret = secret_of(result.out)
    account = await login(data, "anna", secret)
    assert (account.role, account.team, account.display) == (
        "counsellor",
        "limburg",
        "Hulpverlener",
    )
    again = add(data)
    assert one_error_line(again) == "console1712: account anna already exists"
    assert again.out == ""


def test_bad_passwords_and_names(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert "at least 8" in one_error_line(add(data, password="short"))
    assert "no password" in one_error_line(add(data, password=""))
    assert "invalid account name" in one_error_line(add(data, name="Anna Smith"))
    usage = cli(data, "user", "add", "anna", "--role", "boss", stdin=PASSWORD)
    assert usage.code == 2 and "Traceback" not in usage.err


async def test_user_add_while_database_is_open_elsewhere(tmp_path: Path) -> None:
    """What the relay does: keep the database open; a new account can log in at once."""
    data = tmp_path / "data"
    db = await Database.open(data / "console1712.db", data / "console1712.key")
    try:
        result = await asyncio.to_thread(add, data, "bert")
        assert result.code == 0, result.err
        code = accounts.totp_code(secret_of(result.out), Clock().now())
        account = await accounts.authenticate(db, Clock(), "bert", PASSWORD, code)
        assert account.name == "bert"
    finally:
        await db.close()


async def test_list_disable_enable_reset_passwd(tmp_path: Path) -> None:
    data = tmp_path / "data"
    secret = secret_of(add(data).out)
    listing = cli(data, "user", "list")
    assert listing.code == 0
    assert listing.out.splitlines()[1].split("\t") == [
        "anna",
        "counsellor",
        "limburg",
        "Hulpverlener",
        "active",
    ]
    assert secret not in listing.out + listing.err
    assert cli(data, "user", "disable", "anna").code == 0
    assert "disabled" in cli(data, "user", "list").out
    with pytest.raises(accounts.AuthFailed):
        await login(data, "anna", secret)
    assert cli(data, "user", "enable", "anna").code == 0
    reset = cli(data, "user", "reset-otp", "anna")
    assert reset.code == 0
    new_secret = secret_of(reset.out)
    assert cli(data, "user", "passwd", "anna", stdin="another password\n").code == 0
    assert (await login(data, "anna", new_secret, "another password")).name == "anna"
    assert "no account named bob" in one_error_line(cli(data, "user", "disable", "bob"))
    audit_list = cli(data, "audit", "list", "--limit", "50")
    actions = [line.split("\t")[3] for line in audit_list.out.splitlines()]
    assert actions[:6] == [
        "account.create",
        "account.disable",
        "login",
        "account.enable",
        "account.reset-otp",
        "account.password",
    ]
    assert PASSWORD not in audit_list.out and "another password" not in audit_list.out


def test_audit_verify_intact_and_tampered(tmp_path: Path) -> None:
    data = tmp_path / "data"
    add(data, "anna")
    add(data, "bert")
    ok = cli(data, "audit", "verify")
    assert (ok.code, ok.out.strip()) == (0, "audit log intact: 2 entries")
    conn = sqlite3.connect(data / "console1712.db")
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("UPDATE audit SET actor = 'mallory' WHERE seq = 1")
    conn.commit()
    conn.close()
    bad = cli(data, "audit", "verify")
    assert bad.code == 1
    assert "entry 1 was changed" in bad.err and "Traceback" not in bad.err
    conn = sqlite3.connect(data / "console1712.db")
    conn.execute(
        "UPDATE accounts SET display = (SELECT display FROM accounts WHERE name = 'anna')"
        " WHERE name = 'bert'"
    )
    conn.commit()
    conn.close()
    assert "display of bert: does not decrypt" in one_error_line(cli(data, "user", "list"))


def test_key_rotate_and_refused_while_locked(tmp_path: Path) -> None:
    data = tmp_path / "data"
    secret = secret_of(add(data).out)
    with DataLock(data):
        assert "a relay is already running on" in one_error_line(cli(data, "key", "rotate"))
    done = cli(data, "key", "rotate")
    assert done.code == 0 and "under key 2" in done.out
    assert asyncio.run(login(data, "anna", secret)).name == "anna"


def test_store_problems_are_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert add(data).code == 0
    key = data / "console1712.key"
    os.chmod(key, 0o644)
    assert "chmod 600" in one_error_line(cli(data, "user", "list"))
    os.chmod(key, 0o600)
    moved = key.rename(tmp_path / "elsewhere.key")
    assert "is missing" in one_error_line(cli(data, "user", "list"))
    other = str(make_other_key(tmp_path))
    assert "does not belong" in one_error_line(cli(data, "user", "list", "--key-file", other))
    assert "does not belong" in one_error_line(
        cli(data, "user", "list", env={"CONSOLE1712_KEY_FILE": other})
    )
    moved.rename(key)
    conn = sqlite3.connect(data / "console1712.db")
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    assert "newer than" in one_error_line(cli(data, "audit", "verify"))


def make_other_key(tmp_path: Path) -> Path:
    from console1712.store.crypto import KeyRing, write_key_file

    path = tmp_path / "other.key"
    write_key_file(path, KeyRing.generate())
    return path


def test_corrupt_database_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    junk = os.urandom(16384)
    (data / "console1712.db").write_bytes(junk)
    make_other_key(tmp_path).rename(data / "console1712.key")
    line = one_error_line(cli(data, "audit", "verify"))
    assert "console1712.db" in line
    assert (data / "console1712.db").read_bytes() == junk
    assert one_error_line(cli(tmp_path / "empty", "audit", "verify")).startswith(
        "console1712: no database at"
    )


async def test_user_add_next_to_a_running_relay_logs_in_at_once(
    relay: Any, settings: Settings, clock: FakeClock
) -> None:
    """The relay reads accounts on each login: one made by the CLI meanwhile works at once."""
    result = await asyncio.to_thread(add, settings.data, "carla")
    assert result.code == 0, result.err
    code = accounts.totp_code(secret_of(result.out), clock.now())
    async with connect(f"ws://127.0.0.1:{relay.port}/console") as ws:
        login = {"type": "login", "user": "carla", "password": PASSWORD, "otp": code}
        await ws.send(json.dumps(login))
        while True:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
            if frame["type"] in ("session", "error"):
                break
    assert frame["type"] == "session" and frame["user"] == "carla", frame
    assert frame["role"] == "counsellor" and frame["team"] == "limburg"
