"""The page and its assets as HTTP responses: headers, types, the exit URL, other paths."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from http.client import HTTPMessage
from typing import Any

import pytest

from console1712 import web
from console1712.net.relay import Relay
from tests.web.conftest import base_url

pytestmark = pytest.mark.asyncio(loop_scope="module")


def fetch(url: str) -> tuple[int, HTTPMessage, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


async def get(relay: Relay, path: str) -> tuple[int, HTTPMessage, bytes]:
    return await asyncio.to_thread(fetch, base_url(relay) + path.lstrip("/"))


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/static/main.js", "text/javascript; charset=utf-8"),
        ("/static/connection.js", "text/javascript; charset=utf-8"),
        ("/static/state.js", "text/javascript; charset=utf-8"),
        ("/static/view.js", "text/javascript; charset=utf-8"),
        ("/static/i18n.js", "text/javascript; charset=utf-8"),
        ("/static/exit.js", "text/javascript; charset=utf-8"),
        ("/page.json", "application/json; charset=utf-8"),
        ("/static/style.css", "text/css; charset=utf-8"),
        ("/static/icon.svg", "image/svg+xml"),
    ],
)
async def test_page_and_assets_carry_strict_headers(relay: Relay, path: str, kind: str) -> None:
    status, headers, body = await get(relay, path)
    assert status == 200
    assert headers["Content-Type"] == kind
    assert int(headers["Content-Length"]) == len(body) > 0
    csp = headers["Content-Security-Policy"]
    for directive in (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    assert "unsafe" not in csp
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-store"
    assert headers["Set-Cookie"] is None


async def test_page_uses_nothing_from_other_hosts(relay: Relay) -> None:
    _, _, body = await get(relay, "/")
    page = body.decode()
    assert 'lang="nl"' in page
    # The only absolute links are the policy and the fallback contact, never assets.
    for tag in ("<script src=", '<link rel="stylesheet" href=', '<link rel="icon" href='):
        for part in page.split(tag)[1:]:
            assert part.startswith('"/static/')


async def test_other_paths_keep_their_answers(relay: Relay) -> None:
    status, headers, body = await get(relay, "/healthz")
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert b'"ok"' in body
    for path in ("/static/", "/static/../config.py", "/index.html", "/nope"):
        status, _, _ = await get(relay, path)
        assert status == 404, path


def embedded(body: bytes) -> dict[str, Any]:
    """The page data embedded in index.html, as the page's script reads it."""
    start = body.index(b'<script id="page-data" type="application/json">')
    text = body[start:].split(b">", 1)[1].split(b"</script>", 1)[0]
    data = json.loads(text)
    assert isinstance(data, dict)
    return data


async def test_exit_url_is_escaped_and_limited_to_http() -> None:
    hostile = 'https://example.org/?a="></script><script>x</script>'
    page = web.respond("/", hostile)
    assert page is not None
    assert b"<script>x" not in page.body
    assert b"</script><script>" not in page.body
    assert embedded(page.body)["exit_url"] == hostile
    fallback = web.respond("/", "javascript:alert(1)")
    assert fallback is not None
    assert b"javascript:" not in fallback.body
    assert embedded(fallback.body)["exit_url"] == web.SAFE_EXIT_URL
    assert web.respond("/chat") is None
