"""Failover behind HAProxy under load: chatters and consoles reconnect through HAProxy and
resume, and every acknowledged message is stored exactly once. In both shapes of
tests/deploy/procs.py `Deployment`: one relay on SQLite SIGKILLed and restarted, and the
active relay of three on PostgreSQL SIGKILLed for good (a standby takes over).

Real processes throughout: `console1712 relay`, Debian's HAProxy with deploy/haproxy.cfg,
PostgreSQL, and the project's own clients (client/chatter.py, client/staff.py)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from console1712.client.chatter import ChatterClient
from console1712.client.staff import CONNECTED, RECONNECTING
from tests.deploy.helpers import COUNSELLORS, Counsellor, make_counsellors, stored_chats
from tests.deploy.procs import Deployment, HAProxy
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


async def test_sigkill_under_load_behind_haproxy_loses_and_doubles_nothing(
    deployment: Deployment,
) -> None:
    secrets = await make_counsellors(deployment.data, deployment.database)
    await deployment.start()

    async def crash() -> None:
        await deployment.kill()
        await deployment.recover()

    run = await talk_through_a_crash(deployment.haproxy, secrets, crash)
    logs = [rp.log.read_text() for rp in deployment.serving]
    assert sum(log.count("connect /chat") for log in logs) >= len(run.chatters)
    assert sum(log.count("connect /console") for log in logs) >= len(run.staff)
    if deployment.kind == "three relays":
        assert len(deployment.took_over()) == 1  # exactly one standby became active
        # HAProxy spread the clients over the relays: the standbys forwarded some.
        assert all("connect /" in log for log in logs)
    await deployment.stop()
    # HAProxy carried every WebSocket: one logged upgrade (101) per connection, before and
    # after the crash.
    log = deployment.haproxy.log.read_text()
    upgrades = [line for line in log.splitlines() if " 101 " in line]
    assert len(upgrades) >= 2 * (len(run.chatters) + len(run.staff))
    await check_stored(run, deployment.data, deployment.database)
    print(f"{deployment.kind}: every client resumed {run.resumed_after:.2f} s after the SIGKILL")
