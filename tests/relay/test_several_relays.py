"""Several relays on one PostgreSQL database act as one helpline (relay/standby.py): one is
active, the others forward their clients to it and take over when it is gone.

Real relays in this process on loopback ports, real websockets clients, a real PostgreSQL
schema per test; the SIGKILL of a relay process behind HAProxy is in tests/deploy."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import secrets
import urllib.request
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import pytest
from websockets.asyncio.client import connect

from console1712.clock import FakeClock
from console1712.config import Settings
from console1712.relay import standby
from console1712.relay.server import Relay
from console1712.relay.services.retention import RetentionJob
from console1712.store import accounts, chats, relays
from console1712.store.postgres import LOCK_RELAY, SCOPE
from tests.conftest import StaffLogin
from tests.databases import CutProxy
from tests.relay.helpers import closed_with, poll, recv_type, request, send, standard_relay, url

pytestmark = pytest.mark.usefixtures("fast_lead")


@pytest.fixture
def fast_lead(monkeypatch: pytest.MonkeyPatch) -> None:
    """Standbys try the lock (and the active relay checks it) more often than in production."""
    monkeypatch.setattr(standby, "LEAD_POLL", 0.05)
    monkeypatch.setattr(standby, "HEARTBEAT", 0.1)


@pytest.fixture
def pg_settings(settings: Settings, pg_url: str) -> Settings:
    # The relays forward their clients' addresses: they are trusted as HAProxy is.
    return dataclasses.replace(settings, database=pg_url, trusted_proxies=["127.0.0.1"])


@asynccontextmanager
async def relays_on(settings: Settings, clock: FakeClock, n: int) -> AsyncIterator[list[Relay]]:
    """`n` relays on one database, started one after the other (the first is active)."""
    started: list[Relay] = []
    try:
        for i in range(n):
            relay = standard_relay(
                dataclasses.replace(settings, data=settings.data / str(i)), clock
            )
            if i:  # one key file for all, as deployment does (each its own data folder)
                relay.settings.data.mkdir(parents=True, mode=0o700)
                relay.settings.key_file = settings.data / "0" / "console1712.key"
            await relay.start()
            started.append(relay)
        yield started
    finally:
        for relay in reversed(started):
            await relay.stop()


async def health(relay: Relay) -> dict[str, Any]:
    """/healthz, read on a thread (the relay answers on this test's event loop)."""

    def get() -> dict[str, Any]:
        with urllib.request.urlopen(f"http://127.0.0.1:{relay.port}/healthz", timeout=5) as r:
            body: dict[str, Any] = json.loads(r.read())
        return body

    return await asyncio.to_thread(get)


async def staff_on(
    relay: Relay, clock: FakeClock, name: str, role: str = "counsellor"
) -> StaffLogin:
    password = "correct horse battery"
    team = None if role == "supervisor" else "antwerpen"
    made = await accounts.create_account(
        relay.db, clock, name, password, role=role, team=team, display=name.title()
    )
    return StaffLogin(name, password, made.secret, clock)


async def login(relay: Relay, staff: StaffLogin) -> Any:
    ws = await connect(url(relay, "/console"))
    session = await request(ws, staff.login_frame(), "session")
    assert session["user"] == staff.name
    return ws


async def test_a_second_relay_stands_by_and_a_chat_crosses_relays(
    pg_settings: Settings, clock: FakeClock
) -> None:
    async with relays_on(pg_settings, clock, 2) as (a, b):
        assert (a.active, b.active) == (True, False)
        assert ((await health(a))["role"], (await health(b))["role"]) == ("active", "standby")
        assert a.service(RetentionJob) is not None
        assert b.service(RetentionJob) is None  # singletons run on the active relay only
        found = await relays.active(b.db)
        assert found is not None and found.node == a.node and found.url.endswith(f":{a.port}")

        anna = await staff_on(a, clock, "anna")
        # The chatter is on relay B (the standby), the counsellor on relay A.
        async with connect(url(b, "/chat")) as cw, await login(a, anna) as sw:
            await recv_type(cw, "welcome")
            queued = await request(cw, {"type": "start", "consent": True}, "queued")
            assert queued["position"] == 1
            chat = queued["chat"]
            assert chat in a.chats and not b.chats  # the active relay holds the live state
            assigned = await request(sw, {"type": "accept", "chat": chat}, "assigned")
            assert assigned["chat"] == chat
            await recv_type(cw, "joined")

            ack = await request(cw, {"type": "say", "id": "c1", "text": "hallo"}, "ack")
            assert ack["seq"] == 1
            got = await recv_type(sw, "message", chat=chat)
            assert (got["seq"], got["text"]) == (1, "hallo")
            await send(sw, {"type": "say", "chat": chat, "id": "s1", "text": "Dag, ik luister."})
            assert (await recv_type(sw, "ack", chat=chat))["seq"] == 2
            back = await recv_type(cw, "message")
            assert (back["seq"], back["text"]) == (2, "Dag, ik luister.")
        history = await chats.transcript(a.db, chat)
        assert [(m.seq, m.text) for m in history] == [(1, "hallo"), (2, "Dag, ik luister.")]


async def test_queue_positions_are_the_same_on_every_relay(
    pg_settings: Settings, clock: FakeClock
) -> None:
    async with relays_on(pg_settings, clock, 3) as (a, b, c):
        positions = []
        sockets = []
        try:
            for relay in (b, a, c, b):
                ws = await connect(url(relay, "/chat"))
                sockets.append(ws)
                await recv_type(ws, "welcome")
                queued = await request(ws, {"type": "start", "consent": True}, "queued")
                positions.append(queued["position"])
            assert positions == [1, 2, 3, 4]
            assert list(a.waiting) and len(a.waiting) == 4
        finally:
            for ws in sockets:
                await ws.close()


async def test_exactly_one_accept_wins_across_relays(
    pg_settings: Settings, clock: FakeClock
) -> None:
    async with relays_on(pg_settings, clock, 2) as (a, b):
        anna, bert = await staff_on(a, clock, "anna"), await staff_on(a, clock, "bert")
        async with connect(url(a, "/chat")) as cw, await login(a, anna) as s1:
            async with await login(b, bert) as s2:
                await recv_type(cw, "welcome")
                chat = (await request(cw, {"type": "start", "consent": True}, "queued"))["chat"]
                # Both at once, each through its own relay.
                await asyncio.gather(
                    send(s1, {"type": "accept", "chat": chat, "ref": "r"}),
                    send(s2, {"type": "accept", "chat": chat, "ref": "r"}),
                )
                answers = [await answer(s1, "r"), await answer(s2, "r")]
                kinds = sorted(x.get("code", x["type"]) for x in answers)
                assert kinds == ["assigned", "taken"]
                winner = "anna" if answers[0]["type"] == "assigned" else "bert"
                assert a.chats[chat].counsellor == winner
                await recv_type(cw, "joined", counsellor=winner.title())


async def answer(ws: Any, ref: str) -> dict[str, Any]:
    """The next frame that answers the request with this `ref`."""
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if frame.get("ref") == ref:
            return dict(frame)


async def test_a_standby_takes_over_and_clients_resume_through_it(
    pg_settings: Settings, clock: FakeClock
) -> None:
    async with relays_on(pg_settings, clock, 2) as (a, b):
        anna = await staff_on(a, clock, "anna")
        cw = await connect(url(b, "/chat"))
        await recv_type(cw, "welcome")
        queued = await request(cw, {"type": "start", "consent": True}, "queued")
        chat, token = queued["chat"], queued["resume"]
        sw = await connect(url(a, "/console"))
        session = await request(sw, anna.login_frame(), "session")
        await request(sw, {"type": "accept", "chat": chat}, "assigned")
        assert (await request(cw, {"type": "say", "id": "c1", "text": "een"}, "ack"))["seq"] == 1

        await a.stop()  # the active relay goes away: its lock goes with its session
        assert await closed_with(cw, 10) == 1001  # forwarded through B: going away
        assert await closed_with(sw, 10) == 1001
        await poll(lambda: b.active, 10)
        assert (await health(b))["role"] == "active"
        found = await relays.active(b.db)
        assert found is not None and found.node == b.node

        async with connect(url(b, "/chat")) as again, connect(url(b, "/console")) as sw2:
            # The console comes back with its session token; the chat is still Anna's.
            await recv_type(again, "welcome")
            back = await request(sw2, {"type": "login", "token": session["token"]}, "session")
            assert back["user"] == "anna"
            resumed = await request(
                again, {"type": "resume", "token": token, "after": 1}, "resumed"
            )
            assert (resumed["chat"], resumed["counsellor"]) == (chat, "Anna")
            assert (await request(again, {"type": "say", "id": "c2", "text": "twee"}, "ack"))[
                "seq"
            ] == 2
            got = await recv_type(sw2, "message", chat=chat)
            assert (got["seq"], got["text"]) == (2, "twee")
        history = await chats.transcript(b.db, chat)
        assert [(m.seq, m.text) for m in history] == [(1, "een"), (2, "twee")]


async def test_an_active_relay_that_lost_the_lock_stands_by(
    pg_settings: Settings, clock: FakeClock, pg_url: str
) -> None:
    async with relays_on(pg_settings, clock, 1) as (a,):
        assert a.active
        cw = await connect(url(a, "/chat"))
        await recv_type(cw, "welcome")
        await request(cw, {"type": "start", "consent": True}, "queued")
        # Another relay took the lead while A's session was cut (as after a network split):
        # the test holds the lock and names another relay, as that relay would.
        other = await asyncpg.connect(pg_url)
        try:
            await _take_lock_after_a(other, a)
            await other.execute("UPDATE active_relay SET node = 'other', url = 'ws://127.0.0.1:9'")
            await poll(lambda: not a.active, 10)
            assert await closed_with(cw, 10) == 1001
            assert (await health(a))["role"] == "standby"
            await poll(lambda: not a.chats, 10)  # a standby keeps no live state
        finally:
            await other.close()  # the lock is free again: A takes over
        await poll(lambda: a.active, 10)
        async with connect(url(a, "/chat")) as cw2:
            await recv_type(cw2, "welcome")
            queued = await request(cw2, {"type": "start", "consent": True}, "queued")
            assert queued["position"] == 2  # the first chat is back, from the database


def _named(settings: Settings) -> tuple[Settings, str]:
    """The relays' sessions named, so that this test can end them (and no other test's)."""
    name = "sev_" + secrets.token_hex(6)
    return dataclasses.replace(
        settings, database=f"{settings.database}&application_name={name}"
    ), name


async def _end_sessions(pg_url: str, name: str) -> None:
    """What a PostgreSQL restart does to the relays: every session of theirs ends at once."""
    other = await asyncpg.connect(pg_url)
    try:
        await other.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
            name,
        )
    finally:
        await other.close()


async def test_the_active_relay_keeps_the_lead_when_the_database_ends_every_session(
    pg_settings: Settings, clock: FakeClock, pg_url: str
) -> None:
    settings, name = _named(pg_settings)
    async with relays_on(settings, clock, 2) as (a, b):
        cw = await connect(url(a, "/chat"))
        await recv_type(cw, "welcome")
        queued = await request(cw, {"type": "start", "consent": True}, "queued")
        await _end_sessions(pg_url, name)
        # The standby finds the lock free at once, but A still answers /healthz as active:
        # B leaves A the lock, which A takes again with its next heartbeat.
        await poll(lambda: not a.db.lead_lost, 10)
        for _ in range(40):  # many of B's looks at the lock, several heartbeats of A
            await asyncio.sleep(standby.LEAD_POLL)
            assert a.active and not b.active
        assert not await b.db.lead_free()  # A holds it again
        assert (await health(b))["role"] == "standby"
        # A's chatter was not moved: the chat goes on on the same connection.
        assert (await request(cw, {"type": "say", "id": "c1", "text": "nog hier"}, "ack"))[
            "seq"
        ] == 1
        history = await chats.transcript(a.db, queued["chat"])
        assert [m.text for m in history] == ["nog hier"]
        await cw.close()


async def test_the_active_relay_keeps_the_lead_through_a_database_outage(
    pg_settings: Settings, clock: FakeClock, pg_url: str
) -> None:
    proxy = CutProxy(pg_url)
    await proxy.start()
    try:
        settings = dataclasses.replace(pg_settings, database=proxy.url)
        async with relays_on(settings, clock, 2) as (a, b):
            cw = await connect(url(a, "/chat"))
            await recv_type(cw, "welcome")
            await request(cw, {"type": "start", "consent": True}, "queued")
            await proxy.cut()  # PostgreSQL is gone for both relays, and their sessions
            await asyncio.sleep(1.0)  # many of B's looks fail, A's heartbeats too
            await proxy.restore()
            await poll(lambda: not a.db.lead_lost, 10)
            for _ in range(40):  # B sees the lock free, but A answers: A takes it again
                await asyncio.sleep(standby.LEAD_POLL)
                assert a.active and not b.active
            assert not await b.db.lead_free()
            ack = await request(cw, {"type": "say", "id": "c1", "text": "weer daar"}, "ack")
            assert ack["seq"] == 1  # the chatter stayed where it was
            await cw.close()
    finally:
        await proxy.cut()


async def test_a_live_active_relay_without_its_lock_is_replaced_after_the_grace(
    pg_settings: Settings, clock: FakeClock, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, name = _named(pg_settings)
    async with relays_on(settings, clock, 2) as (a, b):
        # A answers /healthz but does not get its session back for a while (its heartbeat
        # slowed down here, as a network between A and the database might be).
        monkeypatch.setattr(standby, "LEAD_GRACE", 0.3)
        monkeypatch.setattr(standby, "HEARTBEAT", 5.0)
        await asyncio.sleep(0.3)  # A's heartbeat is in its long sleep now
        await _end_sessions(pg_url, name)
        await poll(lambda: b.active, 10)  # after LEAD_GRACE, B takes the lock
        assert (await health(b))["role"] == "active"
        await poll(lambda: not a.active, 15)  # A finds it taken when it reconnects
        assert (await health(a))["role"] == "standby"


@pytest.mark.parametrize(
    ("answer", "alive"),
    [
        (b'HTTP/1.1 200 OK\r\nContent-Length: 17\r\n\r\n{"role":"active"}', True),
        (b'HTTP/1.1 200 OK\r\nContent-Length: 18\r\n\r\n{"role":"standby"}', False),
        (b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", False),
        (b'HTTP/1.1 200 OK\r\n\r\n{"role":"active"}', True),  # until the close
        (b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", False),
        (b"\x00garbage", False),
        (None, False),  # says nothing at all: PROBE_TIMEOUT
    ],
)
async def test_a_standby_believes_an_active_relay_only_when_its_healthz_says_so(
    pg_settings: Settings,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    answer: bytes | None,
    alive: bool,
) -> None:
    monkeypatch.setattr(standby, "PROBE_TIMEOUT", 0.3)

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        if answer is None:
            await reader.read()  # until the standby gives up and closes
        else:
            writer.write(answer)
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with relays_on(pg_settings, clock, 1) as (a,):
            await relays.announce(a.db, "other", f"ws://127.0.0.1:{port}", clock.now())
            assert await standby.active_answers(a) is alive
            await relays.announce(a.db, a.node, "ws://127.0.0.1:9", clock.now())
            assert await standby.active_answers(a) is False  # itself: never
    finally:
        server.close()


async def _take_lock_after_a(other: asyncpg.Connection, a: Relay) -> None:
    """Cut A's writer session and take the relay lock before A connects again."""
    db: Any = a.db
    writer = db._writer
    assert writer is not None
    pid = writer.get_server_pid()
    for _ in range(200):
        await other.execute("SELECT pg_terminate_backend($1)", pid)
        if await other.fetchval(f"SELECT pg_try_advisory_lock({LOCK_RELAY}, {SCOPE})"):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("could not take the relay lock")


async def test_a_standby_without_an_active_relay_asks_to_try_later(
    pg_settings: Settings, clock: FakeClock, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(standby, "FORWARD_WAIT", 0.3)
    relay = standard_relay(pg_settings, clock)
    holder = await asyncpg.connect(pg_url)
    try:
        # The lock is held (as by key rotation) and no relay has announced itself.
        await relay.start()
        await holder.execute("SELECT 1")  # (the schema exists now: the relay migrated it)
        assert relay.active
        await relay.stop()
        assert await holder.fetchval(f"SELECT pg_try_advisory_lock({LOCK_RELAY}, {SCOPE})")
        await holder.execute("DELETE FROM active_relay")
        await relay.start()
        assert not relay.active
        async with connect(url(relay, "/chat")) as cw:
            assert await closed_with(cw, 10) == 1013  # relay at capacity, try later
        # However many wait (after a failover: every client at once), the address of the
        # active relay is read at most once per FORWARD_RETRY for all of them together.
        monkeypatch.setattr(standby, "FORWARD_WAIT", 1.0)
        reads, began = relay.forwarder.reads, asyncio.get_running_loop().time()
        waiting = await asyncio.gather(*(connect(url(relay, "/chat")) for _ in range(100)))
        codes = await asyncio.gather(*(closed_with(ws, 10) for ws in waiting))
        assert set(codes) == {1013}
        took = asyncio.get_running_loop().time() - began
        assert relay.forwarder.reads - reads <= took / standby.FORWARD_RETRY + 2
        await holder.execute(f"SELECT pg_advisory_unlock({LOCK_RELAY}, {SCOPE})")
        await poll(lambda: relay.active, 10)  # and then it takes the lead itself
        async with connect(url(relay, "/chat")) as cw:
            await recv_type(cw, "welcome")
    finally:
        await holder.close()
        await relay.stop()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"host": "10.0.0.11"}, "ws://10.0.0.11:{port}"),
        ({"host": "::1"}, "ws://[::1]:{port}"),
        ({"advertise_url": "ws://relay-a.internal:1712/"}, "ws://relay-a.internal:1712"),
    ],
)
def test_the_address_a_relay_gives_the_others(
    settings: Settings, changes: dict[str, str], expected: str
) -> None:
    relay = standard_relay(dataclasses.replace(settings, **changes))
    relay.port = 4321
    assert standby.advertised_url(relay) == expected.format(port=4321)


async def test_transfer_block_and_supervision_across_relays(
    pg_settings: Settings, clock: FakeClock
) -> None:
    """A transfer from a counsellor on A to one on C, a supervisor on B who sees the whole
    helpline, and a block by a counsellor on C of a chatter on B that holds on every relay."""
    async with relays_on(pg_settings, clock, 3) as (a, b, c):
        anna, carl = await staff_on(a, clock, "anna"), await staff_on(a, clock, "carl")
        sofie = await staff_on(a, clock, "sofie", role="supervisor")
        async with (
            connect(url(b, "/chat")) as cw,
            await login(a, anna) as sa,
            await login(c, carl) as sc,
            await login(b, sofie) as sv,
        ):
            await recv_type(cw, "welcome")
            start = {"type": "start", "consent": True, "region": "limburg"}
            chat = (await request(cw, start, "queued"))["chat"]
            # The supervisor, on B, sees the chatter of B waiting, and who is online on A and C.
            seen = await request(sv, {"type": "monitor_subscribe", "ref": "m"}, "monitor")
            limburg = next(r for r in seen["regions"] if r["region"] == "limburg")
            assert limburg["waiting"] == 1
            await request(sa, {"type": "accept", "chat": chat}, "assigned")
            await request(cw, {"type": "say", "id": "1", "text": "hallo"}, "ack")
            staff = await request(sv, {"type": "staff"}, "staff")
            assert {s["user"] for s in staff["staff"]} == {"anna", "carl", "sofie"}

            await request(sa, {"type": "transfer", "chat": chat, "to": "carl"}, "released")
            assigned = await recv_type(sc, "assigned", chat=chat)
            assert [h["text"] for h in assigned["history"]] == ["hallo"]
            await recv_type(cw, "joined", counsellor="Carl")

            await send(sc, {"type": "block", "chat": chat, "hours": 24, "reason": "scheldt"})
            assert (await recv_type(sc, "ended", chat=chat))["by"] == "counsellor"
            assert await recv_type(cw, "ended") == {"type": "ended", "by": "counsellor"}
            assert await closed_with(cw) == 1000
        for relay in (a, b, c):  # the address is blocked whichever relay it comes through
            async with connect(url(relay, "/chat")) as again:
                await recv_type(again, "welcome")
                await send(again, {"type": "start", "consent": True})
                assert (await recv_type(again, "error"))["code"] == "blocked"
                assert await closed_with(again) == 1008
