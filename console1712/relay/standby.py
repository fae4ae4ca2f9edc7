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

Every LEAD_POLL seconds a standby tries the lock. When the active relay dies its database
session ends and the lock is free: one standby takes it, rebuilds the live state from the
database as a restarted relay does (every chatter counts as dropped, the resume window
starts), announces its address and serves. The dead relay's clients, and those forwarded
to it, reconnect (through the load balancer), are forwarded to the new active relay and
resume; nothing acknowledged was lost, since acks follow the commit.

An active relay that loses its database session and finds the lock taken by another relay
when it reconnects (`LeadLost`) can write nothing more (the lock is taken again on every
reconnect, so a relay without it never writes): it closes its connections (1001, the
clients reconnect) and stands by. The heartbeat finds this within HEARTBEAT seconds even
when nothing is written.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from typing import TYPE_CHECKING

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

LEAD_POLL = 0.5  # seconds between a standby's tries of the relay lock
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
    """A standby's loop: try the relay lock every LEAD_POLL seconds; take over once had."""
    while not relay.stopping:
        await asyncio.sleep(LEAD_POLL)
        try:
            if await relay.db.try_lead(relay.node):
                break
        except StoreError as exc:
            log.warning("standby: cannot reach the database (%s)", type(exc).__name__)
    else:
        return
    log.info("the active relay is gone: this relay takes over")
    await relay.take_over()


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
    database when needed (an address that does not answer is read again)."""

    def __init__(self, relay: Relay) -> None:
        self.relay = relay
        self._url: str | None = None

    async def active_url(self, fresh: bool) -> str | None:
        if fresh or self._url is None:
            try:
                found = await relays.active(self.relay.db)
            except StoreError:
                found = None
            self._url = found.url if found is not None and found.node != self.relay.node else None
        return self._url

    async def upstream(self, path: str, address: str) -> ClientConnection | None:
        """A connection to the active relay for a client at `address`, or None when none
        answers within FORWARD_WAIT seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + FORWARD_WAIT
        fresh = False
        while not self.relay.stopping:
            url = await self.active_url(fresh)
            if url is not None:
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
                    pass
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
