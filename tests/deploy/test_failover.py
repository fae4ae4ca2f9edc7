"""Failover behind HAProxy: the relay is SIGKILLed under load and restarted (as systemd's
Restart=always would); chatters and consoles reconnect through HAProxy and resume, and
every acknowledged message is stored exactly once.

Real processes throughout: `console1712 relay` (SQLite store), Debian's HAProxy with
deploy/haproxy.cfg, and the project's own clients (client/chatter.py, client/staff.py).
Several relays at once need the shared PostgreSQL store (issue 16); with SQLite there is
one relay, and failover is its restart."""

from __future__ import annotations

import asyncio
import signal

from console1712.client.chatter import ChatterClient
from console1712.client.staff import CONNECTED, RECONNECTING
from tests.deploy.helpers import COUNSELLORS, Counsellor, make_counsellors, stored_chats
from tests.deploy.procs import HAProxy, RelayProcess

CHATS_EACH = 3  # the relay's default cap of open chats per counsellor
MESSAGES = 12  # per chatter and per counsellor chat
KILL_AFTER = 20  # acknowledged messages in all before the SIGKILL


async def test_sigkill_under_load_behind_haproxy_loses_and_doubles_nothing(
    relay_process: RelayProcess, haproxy: HAProxy
) -> None:
    secrets = await make_counsellors(relay_process.data)
    await relay_process.start()
    await haproxy.start()

    staff = {name: Counsellor(haproxy.url("/console"), name) for name in COUNSELLORS}
    for name, counsellor in staff.items():
        await counsellor.login(secrets[name])

    # Chatters start through HAProxy; each counsellor accepts three of them.
    chatters: dict[str, ChatterClient] = {}
    owner: dict[str, str] = {}
    for i in range(len(COUNSELLORS) * CHATS_EACH):
        chatter = ChatterClient(haproxy.url("/chat"), backoff=(0.05, 0.1, 0.2, 0.5))
        await chatter.connect()
        queued = await chatter.start(nickname=f"Chatter{i}")
        name = COUNSELLORS[i // CHATS_EACH]
        reply = await staff[name].client.request({"type": "accept", "chat": queued.chat})
        assert reply is not None and reply["type"] == "assigned", reply
        chatters[queued.chat] = chatter
        owner[queued.chat] = name

    acked: dict[tuple[str, int], str] = {}  # (chat, seq) -> text, from the acks
    enough = asyncio.Event()

    def record(chat: str, seq: int, text: str) -> None:
        # An id acknowledged twice (before and after the crash) must keep its seq.
        assert acked.setdefault((chat, seq), text) == text, (chat, seq)
        if len(acked) >= KILL_AFTER:
            enough.set()

    async def chatter_talks(chat: str) -> None:
        for k in range(MESSAGES):
            text = f"{chat} chatter {k}"
            record(chat, await chatters[chat].say(text), text)

    async def counsellor_talks(chat: str) -> None:
        for k in range(MESSAGES):
            text = f"{chat} counsellor {k}"
            record(chat, await staff[owner[chat]].say(chat, text), text)

    load = [asyncio.create_task(chatter_talks(c)) for c in chatters]
    load += [asyncio.create_task(counsellor_talks(c)) for c in chatters]

    # Under load: SIGKILL, then start again on the same port with the same data.
    await enough.wait()
    assert await relay_process.kill(signal.SIGKILL) == -signal.SIGKILL
    killed_at = len(acked)
    await relay_process.start()
    await asyncio.wait_for(asyncio.gather(*load), 120)
    assert len(acked) > killed_at  # the load went on after the restart

    # Every client came back through HAProxy (the only address they know) and resumed.
    for chat, chatter in chatters.items():
        assert chatter.resumes >= 1, chat
        assert chatter.counsellor == owner[chat].title()  # no chat orphaned
        assert chatter.url == haproxy.url("/chat")
    for counsellor in staff.values():
        assert RECONNECTING in counsellor.states and counsellor.states[-1] == CONNECTED
        mine = {c for c, n in owner.items() if n == counsellor.name}
        # After the reconnect the relay handed each chat back to its counsellor.
        assert mine <= set(counsellor.assigned[CHATS_EACH:]), counsellor.assigned
        assert not counsellor.client.pending
    after = relay_process.log.read_text()
    assert after.count("connect /chat") >= len(chatters)
    assert after.count("connect /console") >= len(staff)

    for counsellor in staff.values():
        await counsellor.client.close()
        assert counsellor.task is not None
        await counsellor.task
    for chatter in chatters.values():
        await chatter.close()
    assert await relay_process.kill(signal.SIGTERM) == 0
    haproxy.stop()
    # HAProxy carried every WebSocket: one logged upgrade (101) per connection, before and
    # after the crash.
    upgrades = [line for line in haproxy.log.read_text().splitlines() if " 101 " in line]
    assert len(upgrades) >= 2 * (len(chatters) + len(staff))

    # The store: each chat has every acknowledged message once, seq without gaps, and is
    # still with its counsellor.
    stored = await stored_chats(relay_process.data)
    assert set(stored) == set(chatters)
    for chat, sc in stored.items():
        assert sc.state == "assigned" and sc.counsellor == owner[chat]
        seqs = [m.seq for m in sc.messages]
        assert seqs == list(range(1, len(seqs) + 1)), chat
        texts = [m.text for m in sc.messages]
        assert len(texts) == len(set(texts)) == 2 * MESSAGES, chat  # nothing doubled
        for m in sc.messages:
            assert acked[(chat, m.seq)] == m.text
    assert len(acked) == sum(len(sc.messages) for sc in stored.values())
