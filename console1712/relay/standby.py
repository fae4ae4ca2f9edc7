"""Several relays on one PostgreSQL database act as one helpline: one active, the others
standing by and forwarding.

The relay that holds the relay lock (a PostgreSQL advisory lock on its writer connection,
store/postgres.py) is the **active** one: it runs the switchboard, the services (mail,
retention) and every write, exactly as a single relay does, so the invariants that keep
chats safe (exactly one accept wins, `seq` without gaps, one queue order, the resume
window, the orphan clocks) have one place. It writes its address in `active_relay`.

The others are **standbys**: they serve the web page and /healthz, and forward every
/chat and /console websocket to the active relay (frames both ways, unchanged; the
client's address in X-Forwarded-For, believed by the active relay from the addresses in
`trusted_proxies`). A chatter on relay A and a counsellor on relay B chat normally.

Every LEAD_POLL seconds a standby looks whether the lock is free. When the active relay
dies its database session ends and the lock is free: one standby takes it, rebuilds the
live state from the database as a restarted relay does (every chatter counts as dropped,
the resume window starts), announces its address and serves. The dead relay's clients,
and those forwarded to it, reconnect (through the load balancer), are forwarded to the new
active relay and resume; nothing acknowledged was lost, since acks follow the commit.

An active relay that loses its database session and finds the lock taken by another relay
when it reconnects (`LeadLost`) can write nothing more (the lock is taken again on every
reconnect, so a relay without it never writes): it closes its connections (1001, the
clients reconnect) and stands by. The heartbeat finds this within HEARTBEAT seconds even
when nothing is written.

A free lock does not always mean a dead relay: when PostgreSQL restarts (or ends every
session) all relays lose their sessions at once, and the active relay takes its lock again
when it reconnects, within a heartbeat. So a standby that finds the lock free first asks
the announced active relay's /healthz (PROBE_TIMEOUT): while it answers `active`, the
standby leaves it the lock for up to LEAD_GRACE seconds, and no client is moved for
nothing. A dead relay does not answer (the take-over is as fast as before); a live one
that cannot get its session back within LEAD_GRACE is replaced, and steps down when it
reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import ssl
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from console1712.protocol import frames as p
from console1712.protocol.frames import Close
from console1712.store import relays
from console1712.store.db import StoreError

if TYPE_CHECKING:
    from console1712.relay.server import Relay

log = logging.getLogger("console1712.relay")

LEAD_POLL = 0.5  # seconds between a standby's looks at the relay lock
LEAD_GRACE = 10.0  # seconds a free lock is left to an active relay that still answers
PROBE_TIMEOUT = 1.0  # seconds for the active relay's /healthz to answer a standby
HEARTBEAT = 1.0  # seconds between the active relay's checks that it still leads
FORWARD_WAIT = 15.0  # seconds a forwarded connection waits for an active relay to answer
FORWARD_RETRY = 0.25  # seconds between attempts to reach the active relay
# Close codes a peer may send; others (1005 none, 1006 abnormal, 1015 TLS) only report.
SENDABLE = frozenset({1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014})


def advertised_url(relay: Relay) -> str:
    """Where the other relays reach this one: `advertise_url`, else from host and port."""
    if relay.settings.advertise_url:
        return relay.settings.advertise_url.rstrip("/")
    host = relay.settings.host
    if host in ("", "0.0.0.0", "::"):
        host = socket.gethostname()
    if ":" in host:
        host = f"[{host}]"
    scheme = "wss" if relay.settings.tls_cert else "ws"
    return f"{scheme}://{host}:{relay.port}"


async def stand_by(relay: Relay) -> None:
    """A standby's loop: every LEAD_POLL seconds, if the relay lock is free and the active
    relay does not answer (or has had LEAD_GRACE seconds to take its lock again), try the
    lock; take over once had."""
    loop = asyncio.get_running_loop()
    free_since: float | None = None  # when the lock was first seen free (None: held)
    while not relay.stopping:
        await asyncio.sleep(LEAD_POLL)
        try:
            if not await relay.db.lead_free():
                free_since = None
                continue
            now = loop.time()
            free_since = now if free_since is None else free_since
            if now - free_since < LEAD_GRACE and await active_answers(relay):
                continue  # its session is gone, not the relay: it takes its lock again
            if await relay.db.try_lead(relay.node):
                break
        except Exception as exc:  # a standby whose loop died would never take over
            # The lock cannot be seen: after an outage the active relay gets its grace
            # again from when the lock is seen free, as it needs a moment to reconnect.
            free_since = None
            log.warning("standby: cannot look at the relay lock (%s)", type(exc).__name__)
    else:
        return
    log.info("the active relay is gone: this relay takes over")
    await relay.take_over()


async def active_answers(relay: Relay) -> bool:
    """Does the relay announced as active (another one) answer its /healthz as active?"""
    found = await relays.active(relay.db)
    if found is None or found.node == relay.node:
        return False
    parts = urlsplit(found.url)
    if parts.hostname is None:
        return False
    tls = parts.scheme == "wss"
    port = parts.port or (443 if tls else 80)
    context: ssl.SSLContext | None = None
    if tls:  # only a role is read: any certificate will do (at worst a delay of LEAD_GRACE)
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    writer: asyncio.StreamWriter | None = None
    try:
        async with asyncio.timeout(PROBE_TIMEOUT):
            reader, writer = await asyncio.open_connection(parts.hostname, port, ssl=context)
            host = parts.netloc.rpartition("@")[2]
            writer.write(
                f"GET /healthz HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
            )
            head = await reader.readuntil(b"\r\n\r\n")  # (at most the stream's 64 KiB)
            if not head.startswith((b"HTTP/1.1 200", b"HTTP/1.0 200")):
                return False
            length = next(
                (
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ),
                None,
            )
            body = await (reader.read() if length is None else reader.readexactly(length))
    except (OSError, TimeoutError, ValueError, EOFError, asyncio.LimitOverrunError) as exc:
        # (SSLError is an OSError, IncompleteReadError an EOFError; ValueError: a bad length)
        log.info("the active relay's /healthz did not answer (%s)", type(exc).__name__)
        return False
    finally:
        if writer is not None:
            writer.close()
    try:
        health = json.loads(body)
    except ValueError:
        return False
    return isinstance(health, dict) and health.get("role") == "active"


async def keep_lead(relay: Relay) -> None:
    """The active relay's heartbeat: one round trip each HEARTBEAT seconds, so that a lost
    lead is found even when nothing is written; then it stands by."""
    while not relay.stopping:
        await asyncio.sleep(HEARTBEAT)
        if not relay.db.lead_lost:
            with contextlib.suppress(StoreError):
                await relay.db.ping()
        if relay.db.lead_lost and not relay.stopping:
            log.warning("another relay became the active one: this relay stands by")
            relay.spawn(relay.step_down())
            return


class Forwarder:
    """Where a standby sends its clients: the active relay's address, read from the
    database when needed. However many connections wait for an active relay (after a
    failover: every client at once), the address is read at most once per FORWARD_RETRY
    and an address that did not answer is tried again only after FORWARD_RETRY: the waits
    must not crowd out the take-over's own work on the database."""

    def __init__(self, relay: Relay) -> None:
        self.relay = relay
        self._url: str | None = None
        self._read_at = -1e9  # loop time of the last read
        self._reading: asyncio.Task[None] | None = None
        self._failed: tuple[str, float] | None = None  # an address that did not answer, when
        self.reads = 0  # reads of the address (the tests count them)

    async def active_url(self, fresh: bool) -> str | None:
        """The active relay's address; `fresh`: read it again (if not read just now)."""
        loop = asyncio.get_running_loop()
        stale = self._url is None or fresh
        if stale and self._reading is None and loop.time() - self._read_at >= FORWARD_RETRY:
            self._reading = asyncio.create_task(self._read())
        if self._reading is not None:
            await asyncio.shield(self._reading)
        return self._url

    async def _read(self) -> None:
        self.reads += 1
        try:
            found = await relays.active(self.relay.db)
        except StoreError:
            found = None
        finally:
            self._read_at = asyncio.get_running_loop().time()
            self._reading = None
        self._url = found.url if found is not None and found.node != self.relay.node else None

    def _answers(self, url: str) -> bool:
        """False while `url` is one that did not answer less than FORWARD_RETRY ago."""
        if self._failed is None or self._failed[0] != url:
            return True
        return asyncio.get_running_loop().time() - self._failed[1] >= FORWARD_RETRY

    async def upstream(self, path: str, address: str) -> ClientConnection | None:
        """A connection to the active relay for a client at `address`, or None when none
        answers within FORWARD_WAIT seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + FORWARD_WAIT
        fresh = False
        while not self.relay.stopping:
            url = await self.active_url(fresh)
            if url is not None and self._answers(url):
                try:
                    return await connect(
                        url + path,
                        additional_headers={"X-Forwarded-For": address},
                        user_agent_header=None,
                        compression=None,
                        max_size=p.MAX_FRAME,
                        open_timeout=5,
                        ping_interval=self.relay.settings.keepalive,
                        ping_timeout=self.relay.settings.keepalive,
                        close_timeout=3,
                        proxy=None,
                    )
                except (OSError, InvalidHandshake, InvalidURI, TimeoutError):
                    self._failed = (url, loop.time())
            if self.relay.active or loop.time() >= deadline:
                return None
            fresh = True
            await asyncio.sleep(FORWARD_RETRY)
        return None

    async def forward(self, ws: ServerConnection, path: str, address: str) -> bool:
        """Carry one client's connection to the active relay and back until either ends;
        the close code of one side is passed to the other. False, with nothing sent, when
        this relay became the active one meanwhile: then it serves the client itself."""
        up = await self.upstream(path, address)
        if up is None:
            if self.relay.active:
                return False
            await ws.close(Close.TRY_LATER, "try again later")
            return True
        async with up:
            inward = asyncio.create_task(_pump(ws, up))
            outward = asyncio.create_task(_pump(up, ws))
            done, _ = await asyncio.wait((inward, outward), return_when=asyncio.FIRST_COMPLETED)
            if outward in done:  # the active relay closed (or died): tell the client
                await ws.close(*_close_of(up))
            else:
                await up.close(*_close_of(ws))
            for task in (inward, outward):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                    await task
        return True


async def _pump(
    src: ServerConnection | ClientConnection, dst: ServerConnection | ClientConnection
) -> None:
    with contextlib.suppress(ConnectionClosed):
        async for message in src:
            await dst.send(message)


def _close_of(ws: ServerConnection | ClientConnection) -> tuple[int, str]:
    """The close code and reason `ws` ended with, as the other side should hear them: an
    abnormal end (the active relay died) is 1001, going away: the client reconnects."""
    code = ws.close_code
    if code in SENDABLE:
        return code, ws.close_reason or ""
    return Close.GOING_AWAY, "relay went away"
