"""The SMTP listener for the helpline's addresses, run beside the relay on its event loop.

aiosmtpd's protocol class is served with `loop.create_server` on the relay's own loop (its
Controller would run a second loop in a thread, and aiosqlite connections belong to one
loop). A mail is answered 250 only after it is committed; nothing is ever sent back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections import Counter
from datetime import date
from typing import Any, cast

from aiosmtpd.smtp import SMTP, Envelope, Session

from console1712.clock import to_rfc3339
from console1712.relay.operations import STAFF, RelayView, ServiceFactory
from console1712.relay.services.mail_worker import MailParser, ParserClosed
from console1712.store import mail as mail_store

log = logging.getLogger("console1712.mail")

MAX_RECIPIENTS = 20


def accepted_addresses(view: RelayView) -> dict[str, str | None]:
    """Address (lower case) -> team region, None for the unassigned pool."""
    found: dict[str, str | None] = {a.strip().lower(): None for a in view.settings.mail_addresses}
    for addr, region in view.settings.team_addresses.items():
        found[addr.strip().lower()] = region
    return found


def closed_dates(view: RelayView) -> frozenset[date]:
    return frozenset(date.fromisoformat(d) for d in view.settings.mail_closed_dates)


class MailHandler:
    """aiosmtpd handler: RCPT checks the address, DATA parses, stores, pushes `mail_new`."""

    def __init__(self, view: RelayView) -> None:
        self.view = view
        self.addresses = accepted_addresses(view)
        self.closed = closed_dates(view)
        self.parser = MailParser.from_settings(view.settings)
        self.stored = 0  # counters for tests and benchmarks
        self.refused = 0

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address.strip().lower() not in self.addresses:
            self.refused += 1
            return "550 5.1.1 No such mailbox here"
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return "452 4.5.3 Too many recipients"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        if len(raw) > self.view.settings.mail_max_bytes:
            return "552 5.3.4 Message too big"
        # Parsing is CPU work that hostile mail can make quadratic: a child process with a
        # time limit keeps it off the relay's loop and out of the threads logins use.
        try:
            parsed = await self.parser.parse(raw)
        except ParserClosed:
            return "421 4.3.2 Shutting down, please try again later"
        team = self.team_for(envelope.rcpt_tos)
        try:
            stored = await mail_store.store_incoming(
                self.view.db, parsed, self.view.clock.now(), team, self.closed
            )
        except Exception:
            log.exception("mail not stored")
            return "451 4.3.0 Temporary failure, please try again later"
        self.stored += 1
        if stored.duplicate:
            log.info("mail received again (duplicate), stored once")
            return "250 2.0.0 OK"
        log.info(
            "mail stored: thread %s (%s), flags %s",
            stored.thread,
            "new" if stored.new_thread else "existing",
            ",".join(sorted(parsed.flags)) or "-",
        )
        self.view.broadcast_staff(
            {
                "type": "mail_new",
                "thread": stored.thread,
                "team": stored.team,
                "due_at": None if stored.due_at is None else to_rfc3339(stored.due_at),
                "new_thread": stored.new_thread,
            },
            STAFF,
        )
        return "250 2.0.0 OK"

    def team_for(self, recipients: list[str]) -> str | None:
        for rcpt in recipients:
            region = self.addresses.get(rcpt.strip().lower())
            if region is not None:
                return region
        return None


class _Session(SMTP):
    """An SMTP session counted against the intake's limits; beyond them: 421 and closed.

    Each session may buffer up to `mail_max_bytes`, so their number bounds the memory that
    senders can make the relay hold (20 sessions of 9.9 MB took it from 363 to 818 MB).
    """

    def __init__(self, intake: MailIntake, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._intake = intake
        self._address: str | None = None  # set while counted
        self._refused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self._address is None and not self._refused:  # not again after STARTTLS
            peer = transport.get_extra_info("peername")
            address = str(peer[0]) if isinstance(peer, tuple) and peer else ""
            if not self._intake.admit(address):
                self._refused = True
                # uvloop's transports are no asyncio.WriteTransport subclass: cast, not check.
                writer = cast(asyncio.Transport, transport)
                writer.write(b"421 4.7.0 Too many connections, try again later\r\n")
                writer.close()
                return
            self._address = address
        super().connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if not self._refused:
            super().data_received(data)

    def eof_received(self) -> bool | None:
        return False if self._refused else super().eof_received()

    def connection_lost(self, error: Exception | None) -> None:
        if self._address is not None:
            self._intake.release(self._address)
            self._address = None
        if not self._refused:
            super().connection_lost(error)


class MailIntake:
    """The SMTP listener service; `port` is the bound port once started (for port 0)."""

    def __init__(self, view: RelayView) -> None:
        self.view = view
        self.handler = MailHandler(view)
        self.port: int | None = None
        self._server: asyncio.base_events.Server | None = None
        self._sessions: weakref.WeakSet[SMTP] = weakref.WeakSet()
        self._open: Counter[str] = Counter()  # sessions open per network address
        self.turned_away = 0  # sessions refused with 421 (tests, benchmarks)

    @property
    def open_sessions(self) -> int:
        return sum(self._open.values())

    def admit(self, address: str) -> bool:
        """Count a new session from `address`, unless a limit is reached (then False)."""
        settings = self.view.settings
        if (
            self.open_sessions >= settings.smtp_max_sessions
            or self._open[address] >= settings.smtp_max_sessions_per_address
        ):
            self.turned_away += 1
            log.warning("smtp session refused: too many at once")
            return False
        self._open[address] += 1
        return True

    def release(self, address: str) -> None:
        self._open[address] -= 1
        if self._open[address] <= 0:
            del self._open[address]

    def _protocol(self) -> SMTP:
        settings = self.view.settings
        smtp = _Session(
            self,
            self.handler,
            data_size_limit=settings.mail_max_bytes,
            enable_SMTPUTF8=True,
            hostname=helo_name(settings.mail_addresses),
            ident="1712",
            timeout=60,
        )
        self._sessions.add(smtp)
        return smtp

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        settings = self.view.settings
        self._server = await loop.create_server(
            self._protocol, host=settings.smtp_host, port=settings.smtp_port
        )
        self.port = int(self._server.sockets[0].getsockname()[1])
        log.info("smtp listening on port %d", self.port)

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        await self.handler.parser.aclose()
        for smtp in list(self._sessions):
            transport = getattr(smtp, "transport", None)
            if transport is not None:
                transport.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._server.wait_closed(), 5)
        self._server = None
        log.info("smtp stopped")


def helo_name(addresses: list[str]) -> str:
    for addr in addresses:
        if "@" in addr:
            return addr.rpartition("@")[2]
    return "1712.local"


def smtp_service(view: RelayView) -> MailIntake | None:
    """The SMTP listener, unless the settings turn it off."""
    if not view.settings.smtp:
        return None
    return MailIntake(view)


SERVICES: tuple[ServiceFactory, ...] = (smtp_service,)
