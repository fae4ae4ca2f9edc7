"""Hostile mail against a real SMTP listener: quadratic HTML, and too many sessions at once.

The HTML below ("<a" * n) makes the standard library's HTML parser quadratic: 300 KB runs
for minutes. It must neither hold up password logins nor stop the mail from being stored.
"""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import AsyncIterator, Awaitable, Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiosmtplib
import pytest

from console1712.clock import FakeClock
from console1712.config import Settings, load_settings
from console1712.relay.services.smtp import MailIntake
from console1712.store import mail as store
from console1712.store.db import Database

from .conftest import HELP, Host, plain, smtp_send
from .test_relay import logged_in, smtp_port

HOSTILE_HTML = "<a" * 150_000  # 300 KB: minutes in html.parser


def hostile(n: int) -> EmailMessage:
    msg = plain(subject=f"hostile {n}", msgid=f"<hostile{n}@example.org>")
    msg.set_content(HOSTILE_HTML, subtype="html")
    return msg


async def until(condition: Callable[[], object], limit: float = 30.0) -> None:
    """Poll until `condition()` holds (an event to wait for, not a timing assertion)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        assert loop.time() < deadline, "the awaited state never came"
        await asyncio.sleep(0.02)


def intake_of(relay: Any) -> MailIntake:
    (service,) = [s for s in relay._services if isinstance(s, MailIntake)]
    return service


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # Parses that stay stuck for the whole test (60 s), two at a time, HTML never capped.
    return load_settings(
        environ={},
        overrides={
            "data": tmp_path / "data",
            "port": 0,
            "smtp_port": 0,
            "mail_parse_timeout": 60,
            "mail_parse_workers": 2,
            "mail_html_max_chars": 10_000_000,
            "smtp_max_sessions_per_address": 10,
        },
    )


async def test_login_completes_while_hostile_mails_are_being_parsed(
    relay: Any, make_staff: Callable[..., Awaitable[Any]]
) -> None:
    anna = await make_staff("anna")
    intake = intake_of(relay)
    parser = intake.handler.parser
    # Six at once: as many as the default thread pool (2 cores + 4) that logins use.
    sends = [
        asyncio.create_task(
            aiosmtplib.send(
                hostile(n),
                sender="writer@example.org",
                recipients=[HELP],
                hostname="127.0.0.1",
                port=smtp_port(relay),
                timeout=300,
            )
        )
        for n in range(6)
    ]
    try:
        await until(lambda: parser.running == 2)
        staff = await logged_in(relay, anna)  # a real password + TOTP login over /console
        # The login went through while the parses were still stuck and nothing was stored.
        assert parser.running == 2 and intake.handler.stored == 0 and parser.cut == 0
        await staff.ws.close()
    finally:
        # Stopping the relay closes the sessions and kills the stuck workers; the clients
        # then see their connections closed.
        await relay.stop()
        await asyncio.gather(*sends, return_exceptions=True)
    # Killed, not left to their 60 s: none started after the stop either.
    await until(lambda: parser.running == 0, limit=20)
    assert parser.closed and intake.handler.stored == 0


@pytest.fixture
def cut_settings(tmp_path: Path) -> Settings:
    return load_settings(
        environ={},
        overrides={
            "data": tmp_path / "data",
            "port": 0,
            "smtp_port": 0,
            "mail_parse_timeout": 5,  # ample for the second, linear read on a busy host
            "mail_html_max_chars": 10_000_000,
        },
    )


@pytest.fixture
async def cut_host(cut_settings: Settings, clock: FakeClock) -> AsyncIterator[Host]:
    db = await Database.open(cut_settings.db_path, cut_settings.key_path)
    try:
        yield Host(cut_settings, clock, db)
    finally:
        await db.close()


async def test_a_parse_that_runs_out_of_time_is_cut_and_the_mail_kept(cut_host: Host) -> None:
    intake = MailIntake(cut_host)
    await intake.start()
    try:
        assert intake.port
        await asyncio.to_thread(smtp_send, intake.port, hostile(1))  # answered 250
    finally:
        await intake.stop()
    assert intake.handler.parser.cut == 1
    (thread,) = await store.list_threads(cut_host.db, cut_host.clock.now(), "all")
    assert thread.subject == "hostile 1" and thread.sender == "writer@example.org"
    (msg,) = await store.thread_messages(cut_host.db, thread.id)
    # Read again without the HTML parser: tags stripped linearly, the HTML listed.
    assert {"parse_timeout", "html_not_parsed"} <= set(msg.flags)
    assert (msg.body or "").startswith("<a<a<a")
    assert msg.attachments == [{"name": "bericht.html", "type": "text/html", "size": 300_001}]


async def test_html_over_the_cap_is_not_parsed_but_listed(host: Host, intake: MailIntake) -> None:
    assert intake.port
    big = plain(subject="groot", msgid="<big@x>")
    big.set_content("<p>Hallo &amp; dag</p>" + "<i>x</i>" * 30_000, subtype="html")
    await asyncio.to_thread(smtp_send, intake.port, big)
    (thread,) = await store.list_threads(host.db, host.clock.now(), "all")
    (msg,) = await store.thread_messages(host.db, thread.id)
    assert "html_not_parsed" in msg.flags and "parse_timeout" not in msg.flags
    assert (msg.body or "").startswith("Hallo & dag") and "<i>" not in (msg.body or "")
    assert msg.attachments[0]["type"] == "text/html"
    assert intake.handler.parser.cut == 0


# -- sessions at once (item 8) -------------------------------------------------------------


@pytest.fixture
def mail_settings(tmp_path: Path) -> Settings:
    return load_settings(
        environ={},
        overrides={
            "data": tmp_path / "data",
            "port": 0,
            "smtp_port": 0,
            "mail_max_bytes": 1_000_000,
            "smtp_max_sessions": 3,
            "smtp_max_sessions_per_address": 2,
        },
    )


def connect(port: int, source: str) -> smtplib.SMTP:
    """A session from `source` (any 127/8 address is loopback); SMTPConnectError unless 220."""
    return smtplib.SMTP("127.0.0.1", port, timeout=10, source_address=(source, 0))


async def test_sessions_beyond_the_limits_get_421(host: Host, intake: MailIntake) -> None:
    port = intake.port
    assert port
    first = await asyncio.to_thread(connect, port, "127.0.0.1")
    second = await asyncio.to_thread(connect, port, "127.0.0.1")
    # A third from the same address: refused at the greeting.
    with pytest.raises(smtplib.SMTPConnectError) as refused:
        await asyncio.to_thread(connect, port, "127.0.0.1")
    assert refused.value.smtp_code == 421
    other = await asyncio.to_thread(connect, port, "127.0.0.2")
    # Three open in all: a fourth from yet another address is refused too.
    with pytest.raises(smtplib.SMTPConnectError) as full:
        await asyncio.to_thread(connect, port, "127.0.0.3")
    assert full.value.smtp_code == 421
    assert intake.turned_away == 2 and intake.open_sessions == 3
    # The admitted sessions work; once one ends, a new one is admitted.
    await asyncio.to_thread(first.sendmail, "writer@example.org", [HELP], plain().as_bytes())
    await asyncio.to_thread(first.quit)
    await until(lambda: intake.open_sessions == 2)
    third = await asyncio.to_thread(connect, port, "127.0.0.3")
    assert intake.handler.stored == 1
    for client in (second, other, third):
        await asyncio.to_thread(client.quit)
    await until(lambda: intake.open_sessions == 0)
