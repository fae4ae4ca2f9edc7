"""The real `console1712 relay` process: SIGKILL after acks loses nothing; SIGTERM is clean."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from console1712.clock import Clock
from console1712.store import accounts
from console1712.store.db import Database
from tests.databases import both_databases
from tests.relay.helpers import recv, recv_type, request, send

PASSWORD = "correct horse battery"


class RelayProcess:
    """`console1712 relay` in a child process; the port is read from its first log line."""

    def __init__(self, data: Path, log: Path, database: Path | str | None = None) -> None:
        self.data, self.log = data, log
        self.database = database if database is not None else data / "console1712.db"
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0

    def _spawn(self) -> None:
        self.log.write_bytes(b"")
        err = self.log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from console1712.cli import entry; entry()", "relay",
             "--data", str(self.data), "--port", "0", "--always-open", "--smtp-port", "0",
             "--database", str(self.database)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
            env={k: v for k, v in os.environ.items() if not k.startswith("CONSOLE1712_")},
        )  # fmt: skip
        err.close()

    async def start(self) -> None:
        self._spawn()
        assert self.proc is not None
        for _ in range(300):
            m = re.search(rb"listening on ws://[^:]+:(\d+)", self.log.read_bytes())
            if m:
                self.port = int(m.group(1))
                return
            assert self.proc.poll() is None, self.log.read_text()
            await asyncio.sleep(0.05)
        raise AssertionError("relay did not start: " + self.log.read_text())

    def url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    async def kill(self, sig: int) -> int:
        """Send a signal and wait for the exit without blocking the loop (clients must answer
        the relay's closing handshake meanwhile)."""
        assert self.proc is not None
        self.proc.send_signal(sig)
        for _ in range(400):
            if (code := self.proc.poll()) is not None:
                return code
            await asyncio.sleep(0.05)
        raise AssertionError("relay did not exit")


pytestmark = both_databases


@pytest.fixture
def relay_process(
    tmp_path: Path, database_kind: str, request: pytest.FixtureRequest
) -> Iterator[RelayProcess]:
    url = request.getfixturevalue("pg_url") if database_kind == "postgres" else None
    rp = RelayProcess(tmp_path / "data", tmp_path / "relay.log", url)
    yield rp
    if rp.proc is not None and rp.proc.poll() is None:
        rp.proc.kill()
        rp.proc.wait()


async def make_counsellor(rp: RelayProcess) -> str:
    db = await Database.open(rp.database, rp.data / "console1712.key")
    try:
        created = await accounts.create_account(
            db, Clock(), "anna", PASSWORD, role="counsellor", team="antwerpen", display="Anna"
        )
    finally:
        await db.close()
    return created.secret


async def test_sigkill_after_acks_loses_nothing(relay_process: RelayProcess) -> None:
    secret = await make_counsellor(relay_process)
    await relay_process.start()
    clock = Clock()
    login = {"type": "login", "user": "anna", "password": PASSWORD,
             "otp": accounts.totp_code(secret, clock.now())}  # fmt: skip
    acked: dict[int, str] = {}
    async with (
        connect(relay_process.url("/console")) as sw,
        connect(relay_process.url("/chat")) as cw,
    ):
        session = await request(sw, login, "session")
        await recv_type(cw, "welcome")
        queued = await request(cw, {"type": "start", "consent": True, "nickname": "Mira"}, "queued")
        chat = queued["chat"]
        await request(sw, {"type": "accept", "chat": chat}, "assigned")
        # both sides send at once, without waiting for each other (the chatter within its
        # rate limit of 5 a second)
        for i in range(20):
            if i < 5:
                await send(cw, {"type": "say", "id": f"c{i}", "text": f"chatter {i}"})
            await send(sw, {"type": "say", "chat": chat, "id": f"s{i}", "text": f"counsellor {i}"})
        texts = {f"c{i}": f"chatter {i}" for i in range(5)}
        texts.update({f"s{i}": f"counsellor {i}" for i in range(20)})

        async def collect(ws, count: int) -> None:
            got = 0
            while got < count:
                frame = await recv(ws, wait=10)
                if frame["type"] == "ack":
                    acked[frame["seq"]] = texts[frame["id"]]
                    got += 1

        await asyncio.gather(collect(cw, 5), collect(sw, 20))
        assert await relay_process.kill(signal.SIGKILL) == -signal.SIGKILL
    assert sorted(acked) == list(range(1, 26))

    await relay_process.start()
    async with connect(relay_process.url("/console")) as sw:
        await send(sw, {"type": "login", "token": session["token"]})
        await recv_type(sw, "session")
        assigned = await recv_type(sw, "assigned", chat=chat)
        history = {h["seq"]: h["text"] for h in assigned["history"]}
        assert [h["seq"] for h in assigned["history"]] == list(range(1, 26))  # each once
        assert history == acked
        async with connect(relay_process.url("/chat")) as cw:
            await recv_type(cw, "welcome")
            resumed = await request(cw, {"type": "resume", "token": queued["resume"]}, "resumed")
            assert resumed["counsellor"] == "Anna"
            replay = [await recv_type(cw, "message") for _ in range(20)]
            assert {m["seq"]: m["text"] for m in replay} == {
                s: t for s, t in acked.items() if t.startswith("counsellor")
            }
            # an id acknowledged before the crash is still known
            again = await request(cw, {"type": "say", "id": "c0", "text": "chatter 0"}, "ack")
            assert acked[again["seq"]] == "chatter 0"
            await recv_type(sw, "presence", state="back")
            # both sides continue
            assert (await request(cw, {"type": "say", "id": "c5", "text": "na"}, "ack"))[
                "seq"
            ] == 26
            assert (await recv_type(sw, "message"))["seq"] == 26
            await send(sw, {"type": "say", "chat": chat, "id": "s20", "text": "ok"})
            assert (await recv_type(cw, "message"))["seq"] == 27
    assert await relay_process.kill(signal.SIGTERM) == 0


async def test_sigterm_stops_cleanly(relay_process: RelayProcess) -> None:
    await relay_process.start()
    async with connect(relay_process.url("/chat")) as cw:
        await recv_type(cw, "welcome")
        await request(cw, {"type": "start", "consent": True}, "queued")
        assert await relay_process.kill(signal.SIGTERM) == 0
        await asyncio.wait_for(cw.wait_closed(), 5)
        assert cw.close_code == 1001
    log = relay_process.log.read_text()
    assert log.splitlines()[0].split(" ", 3)[3].startswith("listening on ws://127.0.0.1:")
    assert "start chat=c_" in log and "stopped" in log
    assert "event loop: uvloop" in log  # the default (`auto`) where uvloop is installed
    assert "127.0.0.1" not in "\n".join(log.splitlines()[1:])  # no addresses in events
    assert json.dumps  # keep the import honest for readers: frames are JSON


async def test_a_second_relay_on_the_same_postgres_database_stands_by_and_takes_over(
    tmp_path: Path, pg_url: str
) -> None:
    """Two relay processes on one database: the second forwards to the first, and when the
    first is SIGKILLed the second takes over and the chatter resumes on it."""
    first = RelayProcess(tmp_path / "a", tmp_path / "a.log", pg_url)
    second = RelayProcess(tmp_path / "b", tmp_path / "b.log", pg_url)
    await first.start()
    (tmp_path / "b").mkdir(mode=0o700)
    shutil.copy2(tmp_path / "a" / "console1712.key", tmp_path / "b" / "console1712.key")
    try:
        await second.start()
        for _ in range(200):
            if "state: standby" in second.log.read_text():
                break
            await asyncio.sleep(0.05)
        assert "state: standby" in second.log.read_text()
        async with connect(second.url("/chat")) as cw:  # forwarded to the first
            await recv_type(cw, "welcome")
            queued = await request(cw, {"type": "start", "consent": True}, "queued")
            assert (await request(cw, {"type": "say", "id": "c1", "text": "een"}, "ack"))[
                "seq"
            ] == 1
            assert await first.kill(signal.SIGKILL) == -signal.SIGKILL
            await asyncio.wait_for(cw.wait_closed(), 10)
            assert cw.close_code == 1001  # going away: reconnect
        for _ in range(200):
            if "active: 1 waiting" in second.log.read_text():
                break
            await asyncio.sleep(0.05)
        async with connect(second.url("/chat")) as cw:
            await recv_type(cw, "welcome")
            resumed = await request(
                cw, {"type": "resume", "token": queued["resume"], "after": 1}, "resumed"
            )
            assert resumed["chat"] == queued["chat"]
            assert (await request(cw, {"type": "say", "id": "c2", "text": "twee"}, "ack"))[
                "seq"
            ] == 2
    finally:
        if first.proc is not None and first.proc.poll() is None:
            first.proc.kill()
        assert await second.kill(signal.SIGTERM) == 0
    assert "127.0.0.1" not in "\n".join(second.log.read_text().splitlines()[1:])
