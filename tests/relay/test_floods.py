"""Floods one anonymous address can send, each reproduced against a real relay (issue
"Hardening: what an anonymous public service meets", items 1, 6, 8, 10, 11, 12, 14)."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import logging
import socket
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from console1712.client.staff import CONNECTED, StaffClient
from console1712.config import SettingsError, load_settings
from console1712.domain.logsafe import logged
from console1712.protocol.frames import Close
from tests.databases import both_databases
from tests.relay.helpers import (
    chatter,
    closed_with,
    console,
    expect_error,
    poll,
    recv,
    recv_type,
    request,
    send,
    until_dropped,
    url,
)

pytestmark = both_databases


async def start_and_drop(relay: Any, **connect_kw: Any) -> dict[str, Any]:
    """The attack's step: start a chat, drop the connection without `leave`."""
    async with connect(url(relay, "/chat"), **connect_kw) as ws:
        await recv_type(ws, "welcome")
        await send(ws, {"type": "start", "consent": True})
        frame = await recv(ws)
        while frame["type"] == "queue":
            frame = await recv(ws)
    if frame["type"] == "queued":
        await until_dropped(relay, frame["chat"])
    return frame


# -- item 1: waiting chats per address, the capped queue frame, the console's backoff ----


def test_max_waiting_per_address_defaults_to_3_and_reads_the_environment() -> None:
    assert load_settings(environ={}).max_waiting_per_address == 3
    env = {"CONSOLE1712_MAX_WAITING_PER_ADDRESS": "5"}
    assert load_settings(environ=env).max_waiting_per_address == 5


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MAX_WAITING_PER_ADDRESS", "0"),
        ("MAX_SOCKETS_PER_ADDRESS", "0"),
        ("MAX_BYTES_PER_ADDRESS_HOUR", "15999"),  # less than one longest message
        ("MAX_BYTES_PER_ADDRESS_HOUR", "lots"),
    ],
)
def test_bad_limits_are_refused_with_one_line(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(environ={"CONSOLE1712_" + name: value})
    assert name.lower() in str(info.value) and "\n" not in str(info.value)


async def test_one_address_cannot_fill_the_queue(relay_with, clock) -> None:
    async with relay_with(max_waiting_per_address=3) as relay:
        for _ in range(3):
            assert (await start_and_drop(relay))["type"] == "queued"
        refused = await start_and_drop(relay)
        assert refused["type"] == "error" and refused["code"] == "rate_limited", refused
        # all three wait for a resume that may come for 300 s: that is the wait
        assert refused["retry_after"] == 300
        assert "300" in refused["detail"]
        assert len(relay.waiting) == 3
        # Another address is not affected.
        other = await start_and_drop(relay, local_addr=("127.0.0.2", 0))
        assert other["type"] == "queued"
        # Once a waiting chat of the address has timed out, it may start one again.
        clock.advance(301)
        await poll(lambda: not relay.waiting)
        assert (await start_and_drop(relay))["type"] == "queued"


async def test_connected_waiters_count_too_and_an_accept_makes_room(relay_with) -> None:
    async with relay_with(max_waiting_per_address=2) as relay:
        anna = await make_staff_on(relay)
        async with chatter(relay) as (_a, qa), chatter(relay) as (_b, _qb):
            async with connect(url(relay, "/chat")) as ws:
                await recv_type(ws, "welcome")
                err = await expect_error(ws, {"type": "start", "consent": True}, "rate_limited")
                assert err["retry_after"] >= 1
                # a counsellor takes the first chat: it no longer waits
                async with console(relay, anna) as sw:
                    await request(sw, {"type": "accept", "chat": qa["chat"]}, "assigned")
                await request(ws, {"type": "start", "consent": True}, "queued")


async def test_the_queue_frame_lists_100_and_the_total(relay_with) -> None:
    async with relay_with(max_waiting_per_address=1000) as relay:
        anna = await make_staff_on(relay)
        started = []
        for i in range(105):
            async with connect(url(relay, "/chat")) as ws:
                await recv_type(ws, "welcome")
                nick = "\N{GRINNING FACE}" * 39 + str(i % 10)  # the longest a nickname gets
                frame = {"type": "start", "consent": True, "nickname": nick, "gender": nick}
                started.append((await request(ws, frame, "queued"))["chat"])
        async with connect(url(relay, "/console")) as sw:
            await request(sw, anna.login_frame(), "session")
            raw = await asyncio.wait_for(sw.recv(), 5)
            while json.loads(raw)["type"] != "queue":
                raw = await asyncio.wait_for(sw.recv(), 5)
    queue = json.loads(raw)
    assert queue["total"] == 105
    assert [e["chat"] for e in queue["waiting"]] == started[:100]  # longest waiting first
    # 100 of the largest entries stay far below the console's 1 MiB frame limit
    assert len(raw.encode()) < 256 * 1024


async def make_staff_on(relay: Any) -> Any:
    """make_staff writes to the `relay` fixture's database; a relay_with relay needs its own."""
    from console1712.store import accounts
    from tests.conftest import StaffLogin

    clock = relay.clock
    created = await accounts.create_account(
        relay.db, clock, "anna", "correct horse battery", role="counsellor", team="antwerpen"
    )
    return StaffLogin("anna", "correct horse battery", created.secret, clock)


async def test_the_console_backs_off_when_the_relay_keeps_closing_it(
    relay, make_staff, clock
) -> None:
    """A relay that closes every console right after login (as 1009 did) gets reconnects
    after exponentially growing, jittered, capped waits, not at once; a connection that
    held starts the backoff over."""
    anna = await make_staff("anna")
    closes = 0
    hostile = True

    def close_every_console() -> None:
        nonlocal closes
        if not hostile:
            return
        for conns in relay.staff.values():
            for conn in conns:
                if not conn.closing:
                    closes += 1
                    conn.close(Close.TOO_BIG, "message too big")

    relay.watchers.append(close_every_console)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock.advance(seconds)
        await asyncio.sleep(0)

    states: list[str] = []
    client = StaffClient(
        url(relay, "/console"),
        lambda frame: None,
        states.append,
        min_backoff=0.5,
        max_backoff=4.0,
        held_after=10.0,
        clock=clock,
        sleep=sleep,
    )
    await client.login(anna.name, anna.password, anna.code())
    runner = asyncio.create_task(client.run())
    try:
        await poll(lambda: len(waits) >= 7)
        hostile = False
        ceilings = [0.5, 1.0, 2.0, 4.0, 4.0, 4.0, 4.0]
        for wait, ceiling in zip(waits[:7], ceilings, strict=True):
            assert ceiling / 2 <= wait <= ceiling, waits
        assert len(set(waits[3:7])) > 1, "no jitter"  # the capped waits still differ
        # every reconnect came after a wait
        assert closes <= len(waits) + 1
        # Now the relay lets it stay; once it has held, a drop starts over at the minimum.
        await poll(lambda: client.state == CONNECTED)
        await poll(lambda: any(c.account for c in relay.staff.get("anna", ())))
        before = len(waits)
        clock.advance(11)
        for conn in relay.staff["anna"]:
            conn.close(Close.TOO_BIG, "message too big")
        await poll(lambda: len(waits) > before)
        assert 0.25 <= waits[before] <= 0.5, waits
    finally:
        await client.close()
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)


# -- item 6: typing ----------------------------------------------------------------------


async def frames_until(ws: Any, kind: str) -> list[dict[str, Any]]:
    """Every frame up to and including the first of `kind`."""
    seen = []
    while True:
        frame = await recv(ws)
        seen.append(frame)
        if frame["type"] == kind:
            return seen


async def test_typing_is_passed_on_once_a_second_each_way(relay, make_staff, clock) -> None:
    anna = await make_staff("anna")
    async with chatter(relay) as (cw, queued), console(relay, anna) as sw:
        chat = queued["chat"]
        await request(sw, {"type": "accept", "chat": chat}, "assigned")
        await recv_type(cw, "joined")
        for round_ in range(2):
            # chatter -> counsellor: 20 typing, then a message that proves all were handled
            for _ in range(20):
                await send(cw, {"type": "typing"})
            await send(cw, {"type": "say", "id": f"c{round_}", "text": "hoi"})
            seen = await frames_until(sw, "message")
            assert [f["type"] for f in seen].count("typing") == 1, seen
            # counsellor -> chatter
            for _ in range(20):
                await send(sw, {"type": "typing", "chat": chat})
            await send(sw, {"type": "say", "chat": chat, "id": f"s{round_}", "text": "dag"})
            seen = await frames_until(cw, "message")
            assert [f["type"] for f in seen].count("typing") == 1, seen
            clock.advance(1)  # a second later one more is passed on, each way


async def test_a_typing_flood_is_rate_limited_then_closed(relay) -> None:
    async with chatter(relay) as (ws, _):
        for _ in range(30):
            await send(ws, {"type": "typing"})
        await send(ws, {"type": "typing", "ref": "t31"})
        err = await recv_type(ws, "error")
        assert err["code"] == "rate_limited" and err["ref"] == "t31" and err["retry_after"] >= 1
        for _ in range(200):  # 300,000 in the attack; the relay ends it long before
            try:
                await send(ws, {"type": "typing"})
            except Exception:
                break
        assert await closed_with(ws) == Close.POLICY
    async with chatter(relay) as (ws, _):  # and it goes on serving
        await request(ws, {"type": "say", "id": "a", "text": "ok"}, "ack")


async def test_typing_within_the_limit_again_is_fine(relay, clock) -> None:
    async with chatter(relay) as (ws, _):
        for _ in range(31):
            await send(ws, {"type": "typing"})
        assert (await recv_type(ws, "error"))["code"] == "rate_limited"
        clock.advance(10)
        for _ in range(30):
            await send(ws, {"type": "typing"})
        await send(ws, {"type": "say", "id": "after", "text": "ok"})
        seen = await frames_until(ws, "ack")
        assert [f["type"] for f in seen if f["type"] != "queue"] == ["ack"], seen


# -- item 8: stored volume per address per hour ------------------------------------------


async def test_stored_volume_per_address_is_capped(relay_with, clock) -> None:
    async with relay_with(max_bytes_per_address_hour=16_000) as relay:
        async with chatter(relay) as (ws, q1):
            for i in range(4):  # 4 x 4000 bytes: exactly the budget
                await request(ws, {"type": "say", "id": f"m{i}", "text": "x" * 4000}, "ack")
            err = await expect_error(ws, {"type": "say", "id": "m4", "text": "x"}, "rate_limited")
            assert err["id"] == "m4" and err["retry_after"] == 3600
        # the same address in another chat: the budget is per address, not per chat
        async with chatter(relay) as (ws, q2):
            err = await expect_error(
                ws, {"type": "say", "id": "n1", "text": "\N{GRINNING FACE}"}, "rate_limited"
            )
            rows = await relay.db.fetchall("SELECT chat FROM chat_messages")
            assert len(rows) == 4 and {r[0] for r in rows} == {q1["chat"]}  # nothing stored
            clock.advance(3601)  # the hour has passed
            assert (await request(ws, {"type": "say", "id": "n1", "text": "weer"}, "ack"))[
                "seq"
            ] == 1
        assert q2["chat"] != q1["chat"]


async def test_the_budget_counts_bytes_not_characters(relay_with) -> None:
    async with relay_with(max_bytes_per_address_hour=16_000) as relay:
        async with chatter(relay) as (ws, _):
            emoji = "\N{GRINNING FACE}" * 4000  # 4000 characters, 16,000 bytes
            await request(ws, {"type": "say", "id": "a", "text": emoji}, "ack")
            await expect_error(ws, {"type": "say", "id": "b", "text": "x"}, "rate_limited")


async def test_a_repeated_id_is_acknowledged_without_counting(relay_with) -> None:
    async with relay_with(max_bytes_per_address_hour=16_000) as relay:
        async with chatter(relay) as (ws, _):
            for _ in range(3):
                frame = {"type": "say", "id": "same", "text": "x" * 4000}
                assert (await request(ws, frame, "ack"))["seq"] == 1
            for i in range(3):
                await request(ws, {"type": "say", "id": f"n{i}", "text": "x" * 4000}, "ack")


# -- item 10: user-supplied values in log lines ------------------------------------------


def test_logged_quotes_escapes_and_caps() -> None:
    assert logged("anna") == '"anna"'
    assert logged('a"b\\c') == '"a\\"b\\\\c"'
    assert logged("x\nINFO login ok user=adm role=admin") == (
        '"x\\x0aINFO login ok user=adm role=admin"'
    )
    assert logged("\x1b[31mred\u202e") == '"\\x1b[31mred\\u202e"'
    long = logged("a" * 500)
    assert len(long) == 64 + 3 and long.endswith('…"')


async def test_a_forged_login_name_stays_on_one_line(relay, caplog) -> None:
    caplog.set_level(logging.INFO, logger="console1712.relay")
    forged = "x\nINFO console1712.relay: login ok user=adm role=admin\x1b[2K"  # 56 chars
    async with connect(url(relay, "/console")) as ws:
        frame = {"type": "login", "user": forged, "password": "p" * 8, "otp": "123456"}
        await expect_error(ws, frame, "auth_failed")
    lines = [r.getMessage() for r in caplog.records if "login failed" in r.getMessage()]
    assert len(lines) == 1 and "\n" not in lines[0], lines
    assert lines[0] == (
        'login failed user="x\\x0aINFO console1712.relay: login ok user=adm role=admin\\x1b[2K"'
    )
    assert not [r for r in caplog.records if r.getMessage().startswith("login ok")]


# -- item 11: sockets counted from the TCP accept ----------------------------------------


def http_on(sock: socket.socket, path: str = "/healthz") -> bytes:
    """Send a plain GET on an open socket; what comes back before the relay closes it."""
    sock.settimeout(5)
    try:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        return sock.recv(4096)
    except (ConnectionResetError, BrokenPipeError):
        return b""


async def test_sockets_are_counted_from_the_accept(relay_with) -> None:
    async with relay_with(max_sockets_per_address=3) as relay:
        held = [socket.create_connection(("127.0.0.1", relay.port)) for _ in range(3)]
        try:
            await poll(lambda: relay.sockets.get("127.0.0.1") == 3)
            # A fourth socket that never starts a handshake: closed at once, no HTTP read.
            extra = socket.create_connection(("127.0.0.1", relay.port))
            with extra:
                assert await asyncio.to_thread(http_on, extra) == b""
            assert relay.sockets.get("127.0.0.1") == 3
            # The held ones, counted, were served all along.
            assert (await asyncio.to_thread(http_on, held[0])).startswith(b"HTTP/1.1 200")
        finally:
            for s in held:
                s.close()
        await poll(lambda: "127.0.0.1" not in relay.sockets)
        async with chatter(relay) as (ws, _):  # room again
            await request(ws, {"type": "say", "id": "a", "text": "ok"}, "ack")


# -- item 12 and issue 14: /console origins, HTTP methods --------------------------------


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://127.0.0.1"])
async def test_console_refuses_any_browser_origin(relay, make_staff, origin: str) -> None:
    with pytest.raises(InvalidStatus) as info:
        async with connect(url(relay, "/console"), origin=origin):  # type: ignore[arg-type]
            pass
    assert info.value.response.status_code == 403
    anna = await make_staff("anna")
    async with console(relay, anna):  # no Origin: a console
        pass


def raw_http(port: int, method: str, path: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request(method, path)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS", "PATCH"])
async def test_other_methods_than_get_and_head_get_405(relay, method: str) -> None:
    status, headers, _ = await asyncio.to_thread(raw_http, relay.port, method, "/healthz")
    assert status == 405 and headers["Allow"] == "GET, HEAD"


async def test_head_answers_like_get_without_a_body(relay) -> None:
    status, headers, body = await asyncio.to_thread(raw_http, relay.port, "GET", "/healthz")
    assert status == 200 and body
    status, head_headers, head_body = await asyncio.to_thread(
        raw_http, relay.port, "HEAD", "/healthz"
    )
    assert status == 200 and head_body == b""
    assert head_headers["Content-Length"] == headers["Content-Length"]
    status, _, _ = await asyncio.to_thread(raw_http, relay.port, "HEAD", "/chat")
    assert status == 405  # an upgrade is a GET


async def test_simultaneous_starts_from_one_address_are_capped_too(relay_with) -> None:
    """Starts are stored with an await in between: a burst must not all pass the check."""
    async with relay_with(max_waiting_per_address=3) as relay, contextlib.AsyncExitStack() as st:
        conns = [await st.enter_async_context(connect(url(relay, "/chat"))) for _ in range(10)]
        for ws in conns:
            await recv_type(ws, "welcome")
        for ws in conns:  # all sent before any answer is read
            await send(ws, {"type": "start", "consent": True})
        answers = [await recv_type_any(ws, ("queued", "error")) for ws in conns]
        kinds = sorted(a.get("code", a["type"]) for a in answers)
        assert kinds == ["queued"] * 3 + ["rate_limited"] * 7, kinds
        assert len(relay.waiting) == 3


async def recv_type_any(ws: Any, kinds: tuple[str, ...]) -> dict[str, Any]:
    while True:
        frame = await recv(ws)
        if frame["type"] in kinds:
            return frame
