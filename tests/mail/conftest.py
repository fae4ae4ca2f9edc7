"""Mail fixtures: a real database, and a small host standing in for the relay's RelayView
(the mail parts only need its settings, clock, database and staff broadcasts)."""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from console1712.clock import FakeClock
from console1712.config import Settings, load_settings
from console1712.relay.operations import ANYONE, OpContext
from console1712.relay.services.smtp import MailIntake
from console1712.store.accounts import Account
from console1712.store.db import Database

HELP = "hulp@1712.local"
TEAM = "limburg@1712.local"


@dataclass
class Host:
    """What operations and services see of a relay: settings, clock, db, broadcasts."""

    settings: Settings
    clock: FakeClock
    database: Database
    pushed: list[tuple[dict[str, Any], frozenset[str]]] = field(default_factory=list)

    @property
    def db(self) -> Database:
        return self.database

    def send_to_staff(self, name: str, frame: dict[str, Any]) -> None:
        self.pushed.append((frame, frozenset({name})))

    def broadcast_staff(self, frame: dict[str, Any], roles: frozenset[str] = ANYONE) -> None:
        self.pushed.append((frame, roles))

    def service(self, kind: type[Any]) -> None:
        return None  # no services run beside this host

    def as_(self, name: str, role: str = "counsellor", team: str | None = "antwerpen") -> OpContext:
        return OpContext(self, Account(name, role, team, name.title(), False))


@pytest.fixture
def mail_settings(tmp_path: Path) -> Settings:
    return load_settings(
        environ={},
        overrides={
            "data": tmp_path / "data",
            "port": 0,
            "smtp_port": 0,
            "mail_max_bytes": 200_000,
            "team_addresses": f"{TEAM}=limburg",
        },
    )


@pytest.fixture
async def host(mail_settings: Settings, clock: FakeClock) -> AsyncIterator[Host]:
    db = await Database.open(mail_settings.db_path, mail_settings.key_path)
    try:
        yield Host(mail_settings, clock, db)
    finally:
        await db.close()


@pytest.fixture
async def intake(host: Host) -> AsyncIterator[MailIntake]:
    service = MailIntake(host)
    await service.start()
    try:
        yield service
    finally:
        await service.stop()


Sender = Callable[..., Any]


def smtp_send(
    port: int,
    msg: EmailMessage | bytes,
    to: list[str] | None = None,
    sender: str = "writer@example.org",
) -> None:
    """Send with the standard library client (blocking: call through asyncio.to_thread)."""
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        if isinstance(msg, EmailMessage):
            client.send_message(msg, from_addr=sender, to_addrs=to or [HELP])
        else:
            client.sendmail(sender, to or [HELP], msg)


async def send(port: int, msg: EmailMessage | bytes, **kw: Any) -> None:
    await asyncio.to_thread(smtp_send, port, msg, **kw)


def plain(
    subject: str = "Hulp gevraagd",
    body: str = "Ik weet niet wat ik moet doen.",
    sender: str = "Sam <writer@example.org>",
    msgid: str | None = "<a1@example.org>",
    **headers: str,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = HELP
    msg["Subject"] = subject
    msg["Date"] = "Thu, 26 Nov 2026 14:00:00 +0000"
    if msgid:
        msg["Message-ID"] = msgid
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg
