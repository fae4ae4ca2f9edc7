"""The page and its assets as HTTP responses: headers, types, the exit URL, other paths."""

from __future__ import annotations

import asyncio
import json
import re
import urllib.error
import urllib.request
from http.client import HTTPMessage
from pathlib import Path
from typing import Any

import pytest
from websockets.datastructures import Headers

from console1712 import web
from console1712.config import Settings
from console1712.domain.hours import Schedule
from console1712.domain.text import MAX_TEXT
from console1712.domain.vocabulary import REGIONS
from console1712.i18n.common import ALTERNATIVES
from console1712.i18n.common import TEXTS as COMMON_TEXTS
from console1712.i18n.web import TEXTS as WEB_TEXTS
from console1712.protocol import frames as protocol
from console1712.relay.server import Relay
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


WEB = Path(web.__file__).parent


async def test_limits_and_regions_come_from_the_protocol() -> None:
    data = web.page_data(Settings(), Schedule.default())
    assert data["limits"] == {
        "age_min": protocol.MIN_AGE,
        "age_max": protocol.MAX_AGE,
        "nickname_max": protocol.MAX_NICKNAME,
        "gender_max": protocol.MAX_GENDER,
        "text_max": MAX_TEXT,
    }
    assert data["regions"] == list(REGIONS)
    assert data["resume_window"] == 300
    nl, en = data["texts"]["nl"], data["texts"]["en"]
    assert nl.keys() == en.keys()
    assert nl["web.expired"].count("5 minuten") == 1
    assert "tussen 5 en 120" in nl["web.age_invalid"]
    assert "6 maanden" in nl["web.consent_how_long"]
    assert en["region.brussel"] == "Brussels"
    # What only the page knows stays a field for it to fill in.
    assert "{name}" in nl["web.talking"] and "{position}" in en["web.queued_at"]


async def test_every_page_text_has_dutch_and_english() -> None:
    for key, texts in WEB_TEXTS.items():
        assert texts.keys() == {"nl", "en"}, key
        assert all(texts.values()), key


async def test_settings_reach_the_page() -> None:
    settings = Settings(
        resume_window=600,
        exit_url="https://example.org/weer",
        chat_days=[4, 5, 6],
        chat_hours=["09:00-12:00"],
    )
    schedule = Schedule.from_settings(settings.chat_days, settings.chat_hours, [])
    page = web.respond(
        "/",
        settings.exit_url,
        headers=Headers([("Accept-Language", "en-US,en;q=0.9")]),
        settings=settings,
        schedule=schedule,
    )
    assert page is not None
    data = embedded(page.body)
    assert data["lang"] == "en"
    assert data["exit_url"] == "https://example.org/weer"
    assert "10 minuten" in data["texts"]["nl"]["web.expired"]
    assert "10 minutes" in data["texts"]["en"]["web.expired"]
    hours = "Chat hours: Friday to Sunday, 09:00-12:00 (Belgian time)."
    assert data["texts"]["en"]["web.hours"] == hours
    assert f'<p id="hours" class="hint" data-t="web.hours">{hours}</p>'.encode() in page.body
    assert b'<html lang="en">' in page.body


@pytest.mark.parametrize(
    ("days", "hours", "lang", "text"),
    [
        (
            [0, 1, 2, 3],
            ["13:00-17:00", "18:00-22:00"],
            "nl",
            "Chaturen: maandag tot donderdag, 13:00-17:00 en 18:00-22:00 (Belgische tijd).",
        ),
        (
            [0, 2, 4],
            ["09:00-10:00", "11:00-12:00", "13:00-14:00"],
            "nl",
            "Chaturen: maandag, woensdag, vrijdag, 09:00-10:00, 11:00-12:00 en 13:00-14:00"
            " (Belgische tijd).",
        ),
        (
            [5, 6],
            ["10:00-16:00"],
            "en",
            "Chat hours: Saturday and Sunday, 10:00-16:00 (Belgian time).",
        ),
    ],
)
async def test_opening_hours_in_words(
    days: list[int], hours: list[str], lang: str, text: str
) -> None:
    assert web.hours_text(Schedule.from_settings(days, hours, []), lang) == text


async def test_always_open_in_words() -> None:
    assert web.hours_text(Schedule.always_open(), "nl") == "De chat is altijd open."


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        (None, "nl"),
        ("", "nl"),
        ("nl-BE,nl;q=0.9,en;q=0.8", "nl"),
        ("en-GB,en;q=0.9", "en"),
        ("fr-BE, en;q=0.5, nl;q=0.8", "nl"),
        ("de, en;q=0.3", "en"),
        ("en;q=0, fr", "nl"),
        ("en;q=abc, nl", "nl"),
    ],
)
async def test_language_follows_accept_language(header: str | None, lang: str) -> None:
    assert web.choose_lang(header) == lang


async def test_page_sources_repeat_no_words_and_no_limits() -> None:
    """Words live in i18n/web.py and limits in the protocol: the page files only name them."""
    words = [
        text
        for texts in WEB_TEXTS.values()
        for text in texts.values()
        if len(text) >= 12 and "{" not in text
    ]
    words += [
        text for key, texts in COMMON_TEXTS.items() for text in texts.values() if "alt." in key
    ]
    assert words
    for path in [*WEB.glob("*.js"), WEB / "index.html"]:
        source = path.read_text()
        for text in words:
            assert text not in source, (path.name, text)
        for number in ("4000", "120", "300", "minuten", "maanden", '="5"', '="40"'):
            assert not re.search(rf"{number}\b", source), (path.name, number)
        for region in REGIONS:
            assert f'"{region}"' not in source, (path.name, region)
            for label in COMMON_TEXTS[f"region.{region}"].values():
                assert f">{label}<" not in source and f'"{label}"' not in source, label
        assert "Europe/" not in source, path.name


async def test_every_key_the_page_names_is_in_the_catalogue() -> None:
    data = web.page_data(Settings(), Schedule.default())
    known = data["texts"]["nl"].keys()
    named: set[str] = set()
    for path in [*WEB.glob("*.js"), WEB / "index.html"]:
        source = path.read_text()
        named |= set(re.findall(r'"((?:web|alt|region)\.[a-z0-9_.-]+)"', source))
        named |= set(re.findall(r"\{\{(web\.[a-z0-9_.]+)\}\}", source))
        # Keys built from a frame's field: every value the page can build is there.
        for prefix in re.findall(r"`((?:web|alt)\.[a-z_.]*)\$\{", source):
            assert any(key.startswith(prefix) for key in known), prefix
    assert len(named) > 60
    assert named <= known, named - known
    for by in ("chatter", "counsellor", "timeout", "other"):
        assert f"web.ended.{by}" in known
    for kind, _, _ in ALTERNATIVES:
        assert f"alt.{kind}" in known
