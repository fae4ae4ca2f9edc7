"""Failover behind HAProxy under load: chatters and consoles reconnect through HAProxy and
resume, and every acknowledged message is stored exactly once.

- One relay on SQLite: it is SIGKILLed and restarted (as systemd's Restart=always would).
- Three relays on one PostgreSQL database (one active, two standing by and forwarding,
  relay/standby.py): the active one is SIGKILLed and not restarted; a standby takes over.

Real processes throughout: `console1712 relay`, Debian's HAProxy with deploy/haproxy.cfg,
PostgreSQL, and the project's own clients (client/chatter.py, client/staff.py)."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from console1712.client.chatter import ChatterClient
from console1712.client.staff import CONNECTED, RECONNECTING
from tests.deploy.helpers import COUNSELLORS, Counsellor, make_counsellors, stored_chats
from tests.deploy.procs import HAProxy, RelayProcess
from tests.relay.helpers import poll

CHATS_EACH = 3  # the relay's default cap of open chats per counsellor
MESSAGES = 12  # per chatter and per counsellor chat
KILL_AFTER = 20  # acknowledged messages in all before the SIGKILL


@dataclass
class Run:
    """Who talked through the crash, and every acknowledged message."""

    staff: dict[str, Counsellor]
    chatters: dict[str, ChatterClient] = field(default_factory=dict)
    owner: dict[str, str] = field(default_factory=dict)  # chat -> counsellor
    acked: dict[tuple[str, int], str] = field(default_factory=dict)  # (chat, seq) -> text
    killed_at: int = 0
    resumed_after: float = 0.0  # seconds from the kill until every client was back


async def talk_through_a_crash(
    haproxy: HAProxy, secrets: dict[str, str], crash: Callable[[], Awaitable[None]]
) -> Run:
    """Counsellors and chatters through HAProxy, talking; `crash` once enough is acked."""
    run = Run({name: Counsellor(haproxy.url("/console"), name) for name in COUNSELLORS})
    for name, counsellor in run.staff.items():
        await counsellor.login(secrets[name])

    # Chatters start through HAProxy; each counsellor accepts three of them.
    for i in range(len(COUNSELLORS) * CHATS_EACH):
        chatter = ChatterClient(haproxy.url("/chat"), backoff=(0.05, 0.1, 0.2, 0.5))
        await chatter.connect()
        queued = await chatter.start(nickname=f"Chatter{i}")
        name = COUNSELLORS[i // CHATS_EACH]
        reply = await run.staff[name].client.request({"type": "accept", "chat": queued.chat})
        assert reply is not None and reply["type"] == "assigned", reply
        run.chatters[queued.chat] = chatter
        run.owner[queued.chat] = name

    enough = asyncio.Event()

    def record(chat: str, seq: int, text: str) -> None:
        # An id acknowledged twice (before and after the crash) must keep its seq.
        assert run.acked.setdefault((chat, seq), text) == text, (chat, seq)
        if len(run.acked) >= KILL_AFTER:
            enough.set()

    async def chatter_talks(chat: str) -> None:
        for k in range(MESSAGES):
            text = f"{chat} chatter {k}"
            record(chat, await run.chatters[chat].say(text), text)

    async def counsellor_talks(chat: str) -> None:
        for k in range(MESSAGES):
            text = f"{chat} counsellor {k}"
            record(chat, await run.staff[run.owner[chat]].say(chat, text), text)

    load = [asyncio.create_task(chatter_talks(c)) for c in run.chatters]
    load += [asyncio.create_task(counsellor_talks(c)) for c in run.chatters]

    await enough.wait()
    run.killed_at = len(run.acked)
    started = time.monotonic()
    await crash()
    await poll(
        lambda: (
            all(c.resumes >= 1 for c in run.chatters.values())
            and all(
                s.states[-1] == CONNECTED and RECONNECTING in s.states for s in run.staff.values()
            )
        ),
        120,
    )
    run.resumed_after = time.monotonic() - started
    await asyncio.wait_for(asyncio.gather(*load), 120)
    assert len(run.acked) > run.killed_at  # the load went on after the crash

    # Every client came back through HAProxy (the only address they know) and resumed.
    for chat, chatter in run.chatters.items():
        assert chatter.resumes >= 1, chat
        assert chatter.counsellor == run.owner[chat].title()  # no chat orphaned
        assert chatter.url == haproxy.url("/chat")
    for counsellor in run.staff.values():
        assert RECONNECTING in counsellor.states and counsellor.states[-1] == CONNECTED
        mine = {c for c, n in run.owner.items() if n == counsellor.name}
        # After the reconnect the relay handed each chat back to its counsellor.
        assert mine <= set(counsellor.assigned[CHATS_EACH:]), counsellor.assigned
        assert not counsellor.client.pending

    for counsellor in run.staff.values():
        await counsellor.client.close()
        assert counsellor.task is not None
        await counsellor.task
    for chatter in run.chatters.values():
        await chatter.close()
    return run


async def check_stored(run: Run, data: Path, database: str | None = None) -> None:
    """Each chat has every acknowledged message once, seq without gaps, and is still with
    its counsellor."""
    stored = await stored_chats(data, database)
    assert set(stored) == set(run.chatters)
    for chat, sc in stored.items():
        assert sc.state == "assigned" and sc.counsellor == run.owner[chat]
        seqs = [m.seq for m in sc.messages]
        assert seqs == list(range(1, len(seqs) + 1)), chat
        texts = [m.text for m in sc.messages]
        assert len(texts) == len(set(texts)) == 2 * MESSAGES, chat  # nothing doubled
        for m in sc.messages:
            assert run.acked[(chat, m.seq)] == m.text
    assert len(run.acked) == sum(len(sc.messages) for sc in stored.values())


def upgrades(haproxy: HAProxy) -> int:
    """WebSocket upgrades HAProxy carried (one logged 101 per connection)."""
    return sum(1 for line in haproxy.log.read_text().splitlines() if " 101 " in line)


async def test_sigkill_under_load_behind_haproxy_loses_and_doubles_nothing(
    relay_process: RelayProcess, haproxy: HAProxy
) -> None:
    secrets = await make_counsellors(relay_process.data)
    await relay_process.start()
    await haproxy.start()

    async def crash() -> None:  # SIGKILL, then start again on the same port, same data
        assert await relay_process.kill(signal.SIGKILL) == -signal.SIGKILL
        await relay_process.start()

    run = await talk_through_a_crash(haproxy, secrets, crash)
    after = relay_process.log.read_text()
    assert after.count("connect /chat") >= len(run.chatters)
    assert after.count("connect /console") >= len(run.staff)
    assert await relay_process.kill(signal.SIGTERM) == 0
    haproxy.stop()
    assert upgrades(haproxy) >= 2 * (len(run.chatters) + len(run.staff))
    await check_stored(run, relay_process.data)


@pytest.fixture
def three_relays(tmp_path: Path, pg_url: str) -> Iterator[list[RelayProcess]]:
    """Three relay processes on one PostgreSQL schema, one key file, each its own data."""
    env = {
        "CONSOLE1712_DATABASE": pg_url,
        "CONSOLE1712_KEY_FILE": str(tmp_path / "data" / "console1712.key"),
        # HAProxy and the relays themselves forward client addresses (all 127.0.0.1 here).
        "CONSOLE1712_TRUSTED_PROXIES": "127.0.0.1",
        "CONSOLE1712_MAX_WAITING_PER_ADDRESS": "1000",
        "CONSOLE1712_CHAT_RATE_PER_SECOND": "1000",
        "CONSOLE1712_CHAT_RATE_PER_10S": "10000",
    }
    relays = [RelayProcess(tmp_path / f"r{i}", tmp_path / f"r{i}.log", env) for i in (1, 2, 3)]
    try:
        yield relays
    finally:
        for rp in relays:
            rp.stop()


async def test_sigkill_of_the_active_relay_of_three_a_standby_takes_over(
    tmp_path: Path, pg_url: str, three_relays: list[RelayProcess]
) -> None:
    secrets = await make_counsellors(tmp_path / "data", pg_url)
    for rp in three_relays:  # the first to start is the active one
        await rp.start()
    active, standbys = three_relays[0], three_relays[1:]
    for rp in standbys:
        await until_logged(rp, "state: standby")
    haproxy = HAProxy(tmp_path, [rp.fixed_port for rp in three_relays])
    await haproxy.start()
    try:

        async def crash() -> None:  # the active relay dies; nobody restarts it
            assert await active.kill(signal.SIGKILL) == -signal.SIGKILL

        run = await talk_through_a_crash(haproxy, secrets, crash)
        took_over = [rp for rp in standbys if "takes over" in rp.log.read_text()]
        assert len(took_over) == 1  # exactly one standby became the active relay
        # HAProxy spread the clients over the relays: the standbys forwarded some.
        assert all("connect /" in rp.log.read_text() for rp in standbys)
        for rp in standbys:
            assert await rp.kill(signal.SIGTERM) == 0
        haproxy.stop()
        assert upgrades(haproxy) >= 2 * (len(run.chatters) + len(run.staff))
        await check_stored(run, tmp_path / "data", pg_url)
        print(f"failover: every client resumed {run.resumed_after:.2f} s after the SIGKILL")
    finally:
        haproxy.stop()


async def until_logged(rp: RelayProcess, text: str) -> None:
    for _ in range(400):
        if text in rp.log.read_text():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{rp.log} never logged {text!r}: " + rp.log.read_text())
