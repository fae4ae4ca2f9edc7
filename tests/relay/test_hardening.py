"""Bad input, limits, close codes, HTTP paths, origins, and nothing readable at rest."""

from __future__ import annotations

import asyncio
import json
import socket
import urllib.request
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidMessage, InvalidStatus

from tests.databases import both_databases, pg_stored_values
from tests.relay.helpers import (
    chatter,
    closed_with,
    console,
    expect_error,
    recv_type,
    request,
    send,
    until_dropped,
    url,
)

pytestmark = both_databases

BAD_FRAMES = [
    "not json",
    "[1, 2]",
    '"a string"',
    "{}",
    '{"type": "fly"}',
    '{"type": 3}',
    '{"type": "say", "id": 5, "text": "x"}',
    '{"type": "say", "id": "a", "text": ""}',
    '{"type": "say", "id": "a", "text": "\\ud800"}',
    '{"type": "start", "consent": true, "region": "mars"}',
]


async def still_serving(relay) -> None:
    async with chatter(relay) as (ws, _):
        assert (await request(ws, {"type": "say", "id": "ok", "text": "ok"}, "ack"))["seq"] == 1


@pytest.mark.parametrize("raw", BAD_FRAMES)
async def test_every_bad_frame_is_bad_request(relay, raw: str) -> None:
    async with connect(url(relay, "/chat")) as ws:
        await recv_type(ws, "welcome")
        err = await expect_error(ws, raw, "bad_request")
        assert err["detail"]
        # the connection stays open and usable
        await request(ws, {"type": "start", "consent": True}, "queued")
    await still_serving(relay)


async def test_bad_request_keeps_ref_and_say_id(relay) -> None:
    async with chatter(relay) as (ws, _):
        err = await expect_error(
            ws, {"type": "say", "id": "m9", "text": "", "ref": "r1"}, "bad_request"
        )
    assert err["id"] == "m9" and err["ref"] == "r1"


async def test_ten_bad_requests_in_a_row_close_1008(relay) -> None:
    async with connect(url(relay, "/chat")) as ws:
        await recv_type(ws, "welcome")
        for raw in BAD_FRAMES[:9]:
            await expect_error(ws, raw, "bad_request")
        await ws.send('{"type": "start", "consent": true}')  # a good frame resets the count
        await recv_type(ws, "queued")
        for raw in BAD_FRAMES:
            await expect_error(ws, raw, "bad_request")
        assert await closed_with(ws) == 1008
    await still_serving(relay)


async def test_ten_bad_requests_on_the_console_close_1008(relay) -> None:
    async with connect(url(relay, "/console")) as ws:
        for _ in range(10):
            await expect_error(ws, '{"type": "accept", "chat": 5}', "bad_request")
        assert await closed_with(ws) == 1008


async def test_binary_frame_closes_1003(relay) -> None:
    async with connect(url(relay, "/chat")) as ws:
        await recv_type(ws, "welcome")
        await ws.send(b'{"type": "start", "consent": true}')
        assert await closed_with(ws) == 1003
    await still_serving(relay)


async def test_oversized_frame_closes_1009(relay) -> None:
    async with chatter(relay) as (ws, _):
        await ws.send(json.dumps({"type": "say", "id": "big", "text": "x" * 70_000}))
        assert await closed_with(ws) == 1009
    await still_serving(relay)


async def test_a_frame_just_under_the_limit_is_a_normal_bad_request(relay) -> None:
    async with chatter(relay) as (ws, _):
        await expect_error(ws, {"type": "say", "id": "a", "text": "x" * 60_000}, "bad_request")


async def get(relay, path: str) -> tuple[int, str, str]:
    def fetch() -> tuple[int, str, str]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{relay.port}{path}", timeout=3) as r:
                return r.status, r.headers["Content-Type"], r.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers["Content-Type"], ""

    return await asyncio.to_thread(fetch)


async def test_healthz_and_404(relay) -> None:
    status, kind, body = await get(relay, "/healthz")
    assert status == 200 and kind == "application/json"
    assert json.loads(body)["status"] == "ok"
    assert (await get(relay, "/nope"))[0] == 404
    assert (await get(relay, "/admin"))[0] == 404
    with pytest.raises(InvalidStatus) as info:
        async with connect(url(relay, "/other")):
            pass
    assert info.value.response.status_code == 404


async def test_origins_on_chat(relay, relay_with) -> None:
    with pytest.raises(InvalidStatus) as info:
        async with connect(url(relay, "/chat"), origin="https://evil.example"):
            pass
    assert info.value.response.status_code == 403
    same = f"http://127.0.0.1:{relay.port}"
    async with connect(url(relay, "/chat"), origin=same) as ws:  # same host: allowed
        assert (await recv_type(ws, "welcome"))["protocol"] == 1
    async with relay_with(origins=["https://www.1712.be"]) as other:
        async with connect(url(other, "/chat"), origin="https://www.1712.be") as ws:
            await recv_type(ws, "welcome")
        with pytest.raises(InvalidStatus):
            async with connect(url(other, "/chat"), origin=f"http://127.0.0.1:{other.port}"):
                pass


async def test_connections_per_address_are_capped(relay_with) -> None:
    async with relay_with(max_connections_per_address=2, max_consoles_per_address=2) as relay:
        async with connect(url(relay, "/chat")) as a, connect(url(relay, "/chat")) as b:
            await recv_type(a, "welcome")
            await recv_type(b, "welcome")
            async with connect(url(relay, "/chat")) as c:
                assert await closed_with(c) == 1013
            # Consoles are counted apart (a team may work through one SSH host).
            async with connect(url(relay, "/console")) as s1, connect(url(relay, "/console")):
                await send(s1, {"type": "staff"})
                assert (await recv_type(s1, "error"))["code"] == "unauthenticated"
                async with connect(url(relay, "/console")) as s3:
                    assert await closed_with(s3) == 1013
        async with connect(url(relay, "/chat")) as d:  # room again
            await recv_type(d, "welcome")


def readable(blobs: dict[str, bytes], words: list[str]) -> list[tuple[str, str]]:
    """(word, where) for every planted word found in any of the blobs."""
    found = []
    for where, data in blobs.items():
        for word in words:
            if word.encode() in data or word.encode("utf-16-le") in data:
                found.append((word, where))
    return found


def at_rest(directory: Path, target: Path | str) -> dict[str, bytes]:
    """What lies at rest: every file under the data directory (the SQLite file, its WAL,
    the key file) and, on PostgreSQL, every value of every table."""
    blobs = {f.name: f.read_bytes() for f in directory.rglob("*") if f.is_file()}
    if isinstance(target, str):
        for i, (where, value) in enumerate(pg_stored_values(target)):
            # The active relay's own address (for the standby relays), not a chatter's.
            if where != "active_relay.url":
                blobs[f"{where} #{i}"] = value
    else:
        assert any(name.endswith(".db") for name in blobs)
    return blobs


async def test_no_plaintext_at_rest(relay, make_staff, settings) -> None:
    anna = await make_staff("anna")
    secret_text = "Mijn stiefvader slaat mij elke avond"
    nickname = "Zwaluwstaart"
    async with (
        chatter(relay, nickname=nickname, gender="jongen", age=14) as (cw, q),
        console(relay, anna) as sw,
    ):
        await request(sw, {"type": "accept"}, "assigned")
        await request(cw, {"type": "say", "id": "geheim-id-42", "text": secret_text}, "ack")
        answer = "Dank je om dit te vertellen, Zwaluwstaart"
        await request(sw, {"type": "say", "chat": q["chat"], "id": "s1", "text": answer}, "ack")
        await request(
            sw, {"type": "block", "chat": q["chat"], "hours": 2, "reason": "Plantreden"}, "ended"
        )
    await relay.stop()  # flush everything to the database
    planted = [
        secret_text,
        nickname,
        "Zwaluwstaart",
        "jongen",
        "127.0.0.1",
        "geheim-id-42",
        "Plantreden",
    ]
    assert readable(at_rest(Path(settings.data), settings.db_target), planted) == []
    await relay.start()  # the fixture stops it again


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (cert file, key file)."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


async def test_tls_serves_wss(relay_with, tmp_path: Path) -> None:
    import ssl

    cert, key = make_certificate(tmp_path)
    context = ssl.create_default_context(cafile=str(cert))
    async with relay_with(tls_cert=cert, tls_key=key) as relay:
        async with connect(f"wss://127.0.0.1:{relay.port}/chat", ssl=context) as ws:
            assert (await recv_type(ws, "welcome"))["protocol"] == 1
        # plain ws on a TLS port does not get through
        with pytest.raises((InvalidMessage, InvalidStatus, OSError, EOFError, TimeoutError)):
            async with connect(url(relay, "/chat"), open_timeout=2):
                pass


async def test_a_chatter_that_does_not_read_is_let_go(relay, make_staff, monkeypatch, caplog):
    """Frames for a peer wait in its transport up to OUT_BUFFER bytes; a peer that stops
    reading is closed then, instead of making the relay hold ever more memory for it."""
    from console1712.relay import connections as peers

    monkeypatch.setattr(peers, "OUT_BUFFER", 64 * 1024)
    anna = await make_staff("anna")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # the kernel holds little
    sock.connect(("127.0.0.1", relay.port))
    # max_queue=1: this client stops reading the socket once one frame waits unread (and so
    # does not notice the relay cutting it off: close_timeout keeps its own exit short).
    async with connect(url(relay, "/chat"), sock=sock, max_queue=1, close_timeout=0.1) as slow:
        await recv_type(slow, "welcome")
        queued = await request(slow, {"type": "start", "consent": True}, "queued")
        chat_id = queued["chat"]
        async with console(relay, anna) as sw:
            await request(sw, {"type": "accept"}, "assigned")
            sent = 0
            while relay.chats[chat_id].conn is not None:
                assert sent < 5000, "the relay kept buffering for a peer that does not read"
                text = f"{sent:04d} " + "\N{GRINNING FACE}" * 3990  # 16 KB a frame
                await request(
                    sw, {"type": "say", "chat": chat_id, "id": f"m{sent}", "text": text}, "ack"
                )
                sent += 1
            # The counsellor hears the chatter is away, and the relay goes on serving.
            await recv_type(sw, "presence", chat=chat_id, state="away")
    assert "dropping a peer that does not read" in caplog.text
    await still_serving(relay)


async def test_a_frame_for_a_connection_closing_in_the_same_moment_is_dropped(relay) -> None:
    """On uvloop a write to a closed transport raises; the relay drops that frame instead
    (the connection is gone), and the chat counts as dropped as usual."""
    async with chatter(relay) as (_ws, queued):
        conn = relay.chats[queued["chat"]].conn
        conn.ws.transport.abort()  # as a reset from the network would, before connection_lost
        conn.send({"type": "queue", "position": 1})  # no exception, nothing written
        assert conn.closing or conn.ws.transport.is_closing()
        await until_dropped(relay, queued["chat"])
    await still_serving(relay)
