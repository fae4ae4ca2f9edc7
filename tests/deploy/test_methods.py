"""The relay answers only GET and HEAD; any other method gets 405 with a body that says so,
from the relay itself and, for requests with a body too, from HAProxy in front of it."""

from __future__ import annotations

import asyncio
import http.client
from pathlib import Path

import pytest

from console1712.relay.server import Relay
from tests.deploy.procs import HAProxy

METHODS = ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"]  # CONNECT last


def raw(
    port: int, method: str, path: str, body: bytes | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request(method, path, body=body)
        response = conn.getresponse()
        headers = {name.title(): value for name, value in response.getheaders()}
        return response.status, headers, response.read()
    finally:
        conn.close()


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("path", ["/healthz", "/", "/chat", "/console"])
async def test_other_methods_get_405_with_a_clear_body(
    relay: Relay, method: str, path: str
) -> None:
    status, headers, body = await asyncio.to_thread(raw, relay.port, method, path)
    assert status == 405
    assert headers["Allow"] == "GET, HEAD"
    assert body == b"Method Not Allowed: this server answers GET and HEAD only\n"


async def test_get_and_head_are_still_served(relay: Relay) -> None:
    assert (await asyncio.to_thread(raw, relay.port, "GET", "/healthz"))[0] == 200
    status, _, body = await asyncio.to_thread(raw, relay.port, "HEAD", "/healthz")
    assert status == 200 and body == b""


async def test_haproxy_answers_405_also_for_requests_with_a_body(
    relay: Relay, tmp_path: Path
) -> None:
    """websockets reads no request bodies: the relay closes such a request unanswered, so
    deploy/haproxy.cfg answers every method but GET and HEAD itself, with the same words."""
    proxy = HAProxy(tmp_path, [relay.port])
    await proxy.start()
    try:
        for method in METHODS[:-1]:  # HAProxy itself answers 400 to CONNECT with a path
            for body in (None, b"x=1"):
                status, headers, text = await asyncio.to_thread(
                    raw, proxy.port, method, "/chat", body
                )
                assert status == 405 and headers["Allow"] == "GET, HEAD", (method, body)
                assert text == b"Method Not Allowed: this server answers GET and HEAD only\n"
        assert (await asyncio.to_thread(raw, proxy.port, "GET", "/healthz"))[0] == 200
    finally:
        proxy.stop()
