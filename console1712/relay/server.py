"""The relay: protocol v1 over websockets' asyncio server, state in memory, every change stored.

The live state (chats, queue, resume tokens, blocks, seq, staff presence, caps) is the
`Switchboard`'s (relay/switchboard.py), rebuilt from the database at start. The server
accepts connections, decodes frames, calls the switchboard and carries out the effects it
returns (frames to send, rows to store). Everything runs on one event loop and the
switchboard never awaits, so its check-and-sets are atomic (the accept race, seq
allocation). Messages are stored through the group-committing writer and acknowledged only
once committed; the jobs are queued in seq order, so the stored numbering has no gaps.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import gc
import ipaddress
import itertools
import json
import logging
import secrets
import signal
import ssl
from collections.abc import Callable, Coroutine, Iterable
from datetime import datetime
from http import HTTPStatus
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from console1712 import web
from console1712.clock import Clock, to_rfc3339
from console1712.compat import net
from console1712.config import Settings
from console1712.domain.hours import Schedule
from console1712.domain.logsafe import logged
from console1712.domain.vocabulary import STAFF_ROLES
from console1712.i18n import t
from console1712.protocol import frames as p
from console1712.protocol.frames import Close
from console1712.relay import operations as ops
from console1712.relay import standby
from console1712.relay.connections import QUEUE_INTERVAL, ChatterConn, Peer, StaffConn
from console1712.relay.ratelimit import HourlyBudget, RateLimiter
from console1712.relay.switchboard import (
    Ack,
    ChatState,
    Effect,
    Fault,
    Handover,
    Hangup,
    LiveChat,
    QueueChanged,
    Send,
    Store,
    Switchboard,
)
from console1712.store import accounts, audit, blocks, chats, relays
from console1712.store.chats import Message
from console1712.store.db import Database, StoreError, StoreUnavailable, Tx

log = logging.getLogger("console1712.relay")
S = TypeVar("S")

SWEEP_INTERVAL = 0.25  # how often expired resume windows are looked for (real time)
SESSION_CHECK_INTERVAL = 1.0  # how often open consoles' sessions are checked (real time)
LOGIN_CLEAN_INTERVAL = 600.0  # how often old failed-login records are deleted (real time)


CLOSE_TIMEOUT = 3  # seconds for a closing handshake; counts towards noticing a dead peer
GC_THRESHOLDS = (700, 10, 100)  # CPython's defaults are (700, 10, 10)
QUEUE_LIMIT = 100  # waiting chats listed in a staff `queue` frame (protocol Additions)
REFUSED_LOG_EVERY = 10.0  # seconds between log lines about refused sockets (no log flood)
BUDGET_PRUNE_EVERY = 60.0  # seconds between sweeps of the per-address byte budget


class CountedConnection(net.TextNow):
    """A connection counted against its address from the TCP accept, before any HTTP.

    websockets' `create_connection` hook: a socket that never finishes the handshake holds
    memory too, so the cap (`max_sockets_per_address`) applies from `connection_made`; a
    socket over it is aborted at once (no HTTP answer, no handler work). Its text frames
    go to the connection's `Peer.take_now` as they arrive (compat.net.TextNow)."""

    relay: Relay  # set on the subclass each relay makes (see Relay.start)
    counted: str | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        peer = transport.get_extra_info("peername")
        address = str(peer[0]) if peer else "?"
        if self.relay.socket_opened(address):
            self.counted = address
        else:
            cast(asyncio.Transport, transport).abort()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.counted is not None:
            self.relay.socket_closed(self.counted)
            self.counted = None
        super().connection_lost(exc)


@dataclasses.dataclass(slots=True)
class PendingBatch:
    """A message batch queued for the writer, the live chat of each of its messages (in
    the same order) and the future that tells when it is durable."""

    batch: chats.MessageBatch
    chats: list[LiveChat] = dataclasses.field(default_factory=list)
    written: asyncio.Future[None] = dataclasses.field(init=False)


class Relay:
    """The relay server: `await start()`, `port`, `db`, `await stop()`, `serve_forever()`.

    `operations`: the staff operations it answers; `services`: factories of what runs beside
    it (relay/assembly.py has the standard sets)."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock | None = None,
        *,
        operations: Iterable[ops.Operation[Any]],
        services: Iterable[ops.ServiceFactory],
    ) -> None:
        self.settings = settings
        self.operations: dict[str, ops.Operation[Any]] = {}
        for op in operations:
            if op.type in self.operations:
                raise ValueError(f"operation {op.type!r} given twice")
            self.operations[op.type] = op
        self._service_factories = tuple(services)
        self.clock = clock or Clock()
        self.schedule = (
            Schedule.always_open()
            if settings.always_open
            else Schedule.from_settings(
                settings.chat_days, settings.chat_hours, settings.closed_dates
            )
        )
        self.lang = settings.lang
        self.port = 0
        self.loop: asyncio.AbstractEventLoop | None = None  # set by start (hot paths use it)
        self._db: Database | None = None
        self._server: Server | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.stopping = False
        self.sb = Switchboard(settings)  # the live state; its caps read from the settings
        self.chatters: set[ChatterConn] = set()
        # message writes not finished yet, per chat (an end waits for them)
        self._writes: dict[str, set[asyncio.Future[None]]] = {}
        self._batch: PendingBatch | None = None  # the message batch queued last
        self.per_address: dict[str, int] = {}
        self.sockets: dict[str, int] = {}  # address -> open sockets, counted from the accept
        self._refused = 0
        self._refused_logged = -1e9
        self._untrusted_forward_logged = False
        # chatter text stored per keyed address hash in the last hour (max_bytes_per_address_hour)
        self.stored_bytes = HourlyBudget(settings.max_bytes_per_address_hour)
        self._budget_pruned = 0.0
        self._queue_text: str | None = None  # the encoded `queue` frame of the current queue
        self._positions_handle: asyncio.TimerHandle | None = None
        self._positions_last = -1e9
        self._services: list[ops.Service] = []
        # Several relays on one PostgreSQL database (relay/standby.py): this process's name,
        # whether it is the active relay, and the task that waits for (or keeps) the lead.
        self.node = secrets.token_hex(6)
        self.active = False
        self._lead_task: asyncio.Task[None] | None = None
        self.forwarder = standby.Forwarder(self)
        # Called when the live picture (queue, chats, staff) changes: the supervision monitor.
        self.watchers: list[Callable[[], None]] = []
        # Set only by `console1712 demo` (never from settings): /healthz then tells a local
        # console that this is a demo, whose logins it may show (devtools/demoinfo.py).
        self.demo_token: str | None = None

    # -- the switchboard's state, read by operations and services --------------------------

    @property
    def chats(self) -> dict[str, LiveChat]:
        return self.sb.chats

    @property
    def waiting(self) -> dict[str, LiveChat]:
        """Waiting chats in queue order."""
        return self.sb.waiting

    @property
    def by_resume(self) -> dict[str, LiveChat]:
        return self.sb.by_resume

    @property
    def blocks(self) -> dict[str, datetime]:
        return self.sb.blocks

    @property
    def staff(self) -> dict[str, set[StaffConn]]:
        """Account name -> its open consoles."""
        return self.sb.staff

    @property
    def aliases(self) -> dict[str, str]:
        return self.sb.aliases

    def carry_out(self, effects: list[Effect], chat: LiveChat | None = None) -> None:
        """Do what the switchboard said. A message row (`Store("message")`, for `chat`) is
        queued for the writer here; other rows are awaited by `apply`, which hands the rest
        back here. `Schedule` needs nothing: the sweep finds what is due."""
        for e in effects:
            if isinstance(e, Send):
                e.conn.send(e.frame)
            elif isinstance(e, Ack):
                e.conn.acked(e.frame)
            elif isinstance(e, Fault):
                e.conn.fault(e.ref, e.client_id, e.chat, e.unavailable)
            elif isinstance(e, QueueChanged):
                self.queue_changed()
            elif isinstance(e, Hangup):
                e.conn.close(e.code, e.reason)
            elif isinstance(e, Store) and e.kind == "message":
                assert chat is not None and chat.id == e.chat
                self._store_message(chat, e.data)

    def _store_message(self, chat: LiveChat, d: dict[str, Any]) -> None:
        # Queued right here, so rows reach the writer in seq order: into the batch queued
        # last while the writer has not taken it (one job and one future per group commit),
        # else into a new one. A done-callback instead of a task (the hot path).
        message = Message(d["seq"], d["sender"], d["client_id"], d["text"], d["at"])
        pending = self._batch
        if pending is None or not pending.batch.open or not self.db.last_queued(pending.batch):
            pending = self._batch = PendingBatch(chats.MessageBatch())
            pending.written = self.db.submit(pending.batch)
            pending.written.add_done_callback(functools.partial(self._batch_written, pending))
        self._writes.setdefault(chat.id, set()).add(pending.written)
        pending.batch.add(chat.id, message)
        pending.chats.append(chat)

    def _batch_written(self, pending: PendingBatch, w: asyncio.Future[None]) -> None:
        exc = StoreError("write cancelled") if w.cancelled() else w.exception()
        for chat in pending.chats:
            self._forget_write(chat, w)
        done = list(zip(pending.chats, (m for _, m in pending.batch.messages), strict=True))
        if exc is not None and len(done) > 1 and not isinstance(exc, StoreUnavailable):
            # One row may have sunk them all (a full disk fails them all again): each message
            # once more in a job of its own, so that only the failing one is refused.
            for chat, m in done:
                self._store_alone(chat, m)
            return
        for chat, m in done:
            self._message_done(chat, m, exc)

    def _forget_write(self, chat: LiveChat, w: asyncio.Future[None]) -> None:
        writes = self._writes.get(chat.id)
        if writes is not None:
            writes.discard(w)
            if not writes:
                del self._writes[chat.id]

    def _store_alone(self, chat: LiveChat, m: Message) -> None:
        job = chats.message_job(chat.id, m.seq, m.sender, m.client_id, m.text, m.at)
        written = self.db.submit(job)
        self._writes.setdefault(chat.id, set()).add(written)

        def done(w: asyncio.Future[None]) -> None:
            self._forget_write(chat, w)
            self._message_done(
                chat, m, StoreError("write cancelled") if w.cancelled() else w.exception()
            )

        written.add_done_callback(done)

    def _message_done(self, chat: LiveChat, m: Message, exc: BaseException | None) -> None:
        if exc is None:
            self.carry_out(self.sb.message_stored(chat, m))
            return
        log.error("message write failed chat=%s seq=%d: %s", chat.id, m.seq, type(exc))
        away = isinstance(exc, StoreUnavailable)
        self.carry_out(
            self.sb.message_failed(chat, m.seq, (m.sender, m.client_id), unavailable=away)
        )

    # -- life cycle ---------------------------------------------------------------------

    @property
    def db(self) -> Database:
        if self._db is None:
            raise RuntimeError("relay not started")
        return self._db

    async def start(self) -> None:
        """Open the database, rebuild the live state, and listen; on a PostgreSQL database
        where another relay is active, listen as its standby (relay/standby.py)."""
        self.stopping = False
        # Cached: in Python 3.11 every asyncio.get_running_loop() costs a getpid() system call.
        self.loop = asyncio.get_running_loop()
        self._db = await Database.open(self.settings.db_target, self.settings.key_path)
        try:
            self.active = await self._db.try_lead(self.node)
            if self.active:
                await self._rebuild()
                await self.sweep()  # windows that ran out while the relay was down

            class Connection(CountedConnection):
                relay = self  # this relay's sockets (a class body reads enclosing names)

            self._server = await serve(
                self._handler,
                self.settings.host,
                self.settings.port,
                process_request=self._process_request,
                compression=None,
                max_size=p.MAX_FRAME,
                max_queue=16,
                open_timeout=10,
                ping_interval=self.settings.keepalive,
                ping_timeout=self.settings.keepalive,
                close_timeout=CLOSE_TIMEOUT,
                server_header=None,
                ssl=self._ssl_context(),
                create_connection=Connection,
            )
        except BaseException:
            await self._db.close()
            self._db = None
            raise
        self.port = next(iter(self._server.sockets)).getsockname()[1]
        if self.active:
            await self._serve_active()
        else:
            log.info("standby: another relay is active on this database; forwarding to it")
            self._lead_task = asyncio.create_task(standby.stand_by(self), name="relay-standby")

    async def _serve_active(self) -> None:
        """The active relay's part: announced to the standbys, sweeps, services."""
        if self.db.dialect == "postgres":
            await relays.announce(
                self.db, self.node, standby.advertised_url(self), self.clock.now()
            )
            self._lead_task = asyncio.create_task(standby.keep_lead(self), name="relay-lead")
        self.active = True
        self._sweeper = asyncio.create_task(self._sweep_loop(), name="relay-sweep")
        # Parts beside the chat core (mail listener, jobs) start once the relay serves.
        for factory in self._service_factories:
            svc = factory(self)
            if svc is not None:
                await svc.start()
                self._services.append(svc)

    async def take_over(self) -> None:
        """A standby that got the relay lock: the live state from the database (every
        chatter counts as dropped now), then it serves as the active relay."""
        try:
            await self._rebuild()
            await self.sweep()
            await self._serve_active()
        except Exception as exc:
            log.error("taking over failed (%s): standing by again", type(exc).__name__)
            await self.step_down()
            return
        log.info(
            "active: %d waiting, %d assigned",
            len(self.waiting),
            len(self.chats) - len(self.waiting),
        )

    async def step_down(self) -> None:
        """Another relay leads now (or taking over failed): stop the active part, close the
        connections (1001: the clients reconnect and are forwarded), forget the live state,
        and stand by."""
        self.active = False
        await self._stop_sweeps()
        await self._stop_services()
        if self._server is not None:
            for ws in list(self._server.connections):
                self.spawn(ws.close(Close.GOING_AWAY, "relay changed"))
        for _ in range(100):  # their handlers finish with the old state (at most 5 s)
            if not self.chatters and not self.staff:
                break
            await asyncio.sleep(0.05)
        self.sb = Switchboard(self.settings)
        self._queue_text = None
        if not self.stopping:
            self._lead_task = asyncio.create_task(standby.stand_by(self), name="relay-standby")

    def _ssl_context(self) -> ssl.SSLContext | None:
        if self.settings.tls_cert is None or self.settings.tls_key is None:
            return None
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(self.settings.tls_cert, self.settings.tls_key)
        return ctx

    async def _rebuild(self) -> None:
        """Live state from the database; every chatter counts as dropped now."""
        now = self.clock.now()
        await chats.mark_all_dropped(self.db, now)
        self.sb.blocks.update(await blocks.active_blocks(self.db, now))
        for stored in await chats.load_open_chats(self.db):
            chat = LiveChat(
                id=stored.id,
                state=ChatState(stored.state),
                since=stored.since,
                intake=stored.intake,
                address_hash=stored.address_hash,
                resume_hash=stored.resume_hash,
                counsellor=stored.counsellor,
                team=stored.team,
                dropped_at=stored.dropped_at or now,
                messages=stored.messages,
                rate=self.rate_limiter(),
                returned=stored.returned,
            )
            self.sb.restore(chat, now)
            if chat.counsellor is not None and chat.counsellor not in self.aliases:
                account = await accounts.get_account(self.db, chat.counsellor)
                self.aliases[chat.counsellor] = account.display if account else "Hulpverlener"

    async def stop(self) -> None:
        """Stop accepting, close connections (1001), finish acknowledged writes, close the db."""
        if self._db is None:
            return
        self.stopping = True
        if self._lead_task is not None and self._lead_task is not asyncio.current_task():
            self._lead_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._lead_task
        await self._stop_sweeps()
        if self._server is not None:
            self._server.close(close_connections=True)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 10)
        await self._stop_services()
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self._db.close()
        self._db = None

    async def _stop_sweeps(self) -> None:
        """The position pushes' timer and the sweep loop (the active relay's clocks)."""
        if self._positions_handle is not None:
            self._positions_handle.cancel()
            self._positions_handle = None
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None

    async def _stop_services(self) -> None:
        while self._services:
            svc = self._services.pop()
            try:
                await svc.stop()
            except Exception as exc:
                log.error("service failed to stop: %r", exc)

    async def serve_forever(self) -> None:
        """Start, run until SIGINT or SIGTERM, then stop cleanly."""
        await self.start()
        await self.run_until_signal()

    async def run_until_signal(self) -> None:
        """Serve (after `start`) until SIGINT or SIGTERM, then stop cleanly."""
        # The relay process holds ~100 objects per connection; each full collection walks
        # them all and stalls the loop (~150 ms at 2,000 connections, measured). What exists
        # now (modules, mostly) stays: leave it out of collections, and walk the old
        # generation less often (young cycles are still collected soon). Only in the relay
        # process: tests run many relays in one interpreter.
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await stop.wait()
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
            log.info("stopping")
            await self.stop()
            log.info("stopped")

    def send_to_staff(self, name: str, frame: dict[str, Any]) -> None:
        """Send a frame to every open console of one staff member (operations, services)."""
        for conn in self.staff.get(name, ()):
            conn.send(dict(frame))

    def broadcast_staff(self, frame: dict[str, Any], roles: frozenset[str] = ops.ANYONE) -> None:
        """Send a frame to every logged-in console whose role is in `roles`."""
        for conns in self.staff.values():
            for conn in conns:
                if conn.account is not None and conn.account.role in roles:
                    conn.send(dict(frame))

    def service(self, kind: type[S]) -> S | None:
        """The running service of class `kind` (None when this relay runs none)."""
        for svc in self._services:
            if isinstance(svc, kind):
                return svc
        return None

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """A background task the relay waits for at stop (writes must finish)."""
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task failed: %r", task.exception())

    # -- HTTP side: paths, health, origins ------------------------------------------------

    def client_address(self, ws: ServerConnection) -> str:
        """The client's network address: the socket's peer, or, when that peer is a trusted
        load balancer (`trusted_proxies`), the last X-Forwarded-For entry (the one it added;
        anything the client put before it is not believed)."""
        peer = str(ws.remote_address[0]) if ws.remote_address else "?"
        if ws.request is None:
            return peer
        forwarded = ws.request.headers.get_all("X-Forwarded-For")
        if peer not in self.settings.trusted_proxies:
            if forwarded and not self._untrusted_forward_logged:
                # Once per run: a load balancer or a standby relay missing from
                # trusted_proxies makes all its clients count as one (or a client sent it).
                self._untrusted_forward_logged = True
                log.warning(
                    "X-Forwarded-For from an address not in trusted_proxies: ignored (list"
                    " the load balancers and, with several relays, the relays there)"
                )
            return peer
        last = forwarded[-1].rsplit(",", 1)[-1].strip() if forwarded else ""
        try:
            return str(ipaddress.ip_address(last))
        except ValueError:
            return peer

    def socket_opened(self, address: str) -> bool:
        """A TCP connection was accepted: count it, or say False when the address is full.
        A trusted load balancer's sockets are not capped here: after the handshake the
        per-address limits count the client it names."""
        if address in self.settings.trusted_proxies:
            return True
        count = self.sockets.get(address, 0)
        if count >= self.settings.max_sockets_per_address:
            self._refused += 1
            assert self.loop is not None
            now = self.loop.time()
            if now - self._refused_logged >= REFUSED_LOG_EVERY:
                log.warning(
                    "sockets refused: too many from one address (%d since the last line)",
                    self._refused,
                )
                self._refused, self._refused_logged = 0, now
            return False
        self.sockets[address] = count + 1
        return True

    def socket_closed(self, address: str) -> None:
        if address in self.settings.trusted_proxies:
            return
        left = self.sockets.get(address, 1) - 1
        if left > 0:
            self.sockets[address] = left
        else:
            self.sockets.pop(address, None)

    def _process_request(self, conn: ServerConnection, request: Request) -> Response | None:
        response = None
        if request.method in ("GET", "HEAD"):
            response = self._respond(conn, request)
            if request.method == "GET":
                return response
            if response is not None:
                # Same status and headers as GET (Content-Length included), no body.
                return dataclasses.replace(response, body=b"")
        # Other methods, and HEAD on /chat or /console (an upgrade is a GET): 405, with a
        # body that says what is served (a health check or proxy set to POST shows it).
        response = conn.respond(
            HTTPStatus.METHOD_NOT_ALLOWED,
            "Method Not Allowed: this server answers GET and HEAD only\n",
        )
        response.headers["Allow"] = "GET, HEAD"
        return response

    def _respond(self, conn: ServerConnection, request: Request) -> Response | None:
        path = urlsplit(request.path).path
        if path == "/healthz":
            health: dict[str, Any] = {
                "status": "ok",
                "protocol": p.PROTOCOL,
                "role": "active" if self.active else "standby",
            }
            if self.demo_token:
                health["demo"] = self.demo_token
            body = json.dumps(health)
            response = conn.respond(HTTPStatus.OK, body + "\n")
            del response.headers["Content-Type"]
            response.headers["Content-Type"] = "application/json"
            return response
        if path not in ("/chat", "/console"):
            page = web.respond(  # the chatters' web page
                path,
                self.settings.exit_url,
                headers=request.headers,
                settings=self.settings,
                schedule=self.schedule,
            )
            return page or conn.respond(HTTPStatus.NOT_FOUND, "Not Found\n")
        if path == "/chat" and not self._origin_ok(request.headers):
            return conn.respond(HTTPStatus.FORBIDDEN, "Origin not allowed\n")
        if path == "/console" and "Origin" in request.headers:
            # The console is a terminal program, never a browser: any Origin (a page's, or
            # "null" from a sandbox) is a web page trying to drive a staff session.
            log.info("console upgrade refused: Origin %s", logged(request.headers["Origin"]))
            return conn.respond(HTTPStatus.FORBIDDEN, "Origin not allowed\n")
        return None

    def _origin_ok(self, headers: Headers) -> bool:
        origin = headers.get("Origin")
        if origin is None:
            return True  # not a browser: browsers always send Origin on WebSocket
        if self.settings.origins:
            return origin in self.settings.origins or "*" in self.settings.origins
        host = headers.get("Host", "")
        return urlsplit(origin).netloc.lower() == host.lower()

    async def _handler(self, ws: ServerConnection) -> None:
        path = urlsplit(ws.request.path if ws.request else "/").path
        address = self.client_address(ws)
        # Chatters and consoles are counted apart: the consoles of a whole team may come
        # through one SSH host, and must not crowd out (or be crowded out by) chatters.
        if path == "/chat":
            key, cap = "chat " + address, self.settings.max_connections_per_address
        else:
            key, cap = "console " + address, self.settings.max_consoles_per_address
        count = self.per_address.get(key, 0)
        if count >= cap:
            log.warning("connection refused: too many from one address (path %s)", path)
            await ws.close(Close.TRY_LATER, "too many connections")
            return
        self.per_address[key] = count + 1
        # asyncio reads up to 256 KiB a time by default, which glibc serves with mmap, mremap
        # and munmap on every read; a frame is at most MAX_FRAME, so read that much at most.
        net.limit_reads(net.transport(ws), 16 * 1024)
        log.info("connect %s", path)
        try:
            # A standby: the active relay serves it (relay/standby.py).
            if not self.active and await self.forwarder.forward(ws, path, address):
                return
            conn: Peer = ChatterConn(self, ws, address) if path == "/chat" else StaffConn(self, ws)
            await conn.run()
        finally:
            left = self.per_address[key] - 1
            if left:
                self.per_address[key] = left
            else:
                del self.per_address[key]

    # -- queue --------------------------------------------------------------------------

    def changed(self) -> None:
        """The queue, the open chats or the staff changed: tell the watchers (no I/O here)."""
        for watcher in self.watchers:
            watcher()

    def queue_changed(self) -> None:
        """Something moved in the queue: schedule (coalesced) pushes to staff and waiters."""
        self._queue_text = None
        self.changed()
        for conns in self.staff.values():
            for staff in conns:
                if staff.account is not None and staff.account.role in STAFF_ROLES:
                    staff.mark_queue()
        self._mark_positions()

    def _mark_positions(self) -> None:
        """One timer for all waiting chatters: at most one position push each QUEUE_INTERVAL."""
        if self._positions_handle is not None or self.stopping or not self.waiting:
            return
        loop = asyncio.get_running_loop()
        delay = max(0.0, self._positions_last + QUEUE_INTERVAL - loop.time())
        self._positions_handle = loop.call_later(delay, self._push_positions)

    def _push_positions(self) -> None:
        self._positions_handle = None
        self._positions_last = asyncio.get_running_loop().time()
        self.carry_out(self.sb.positions())

    def queue_text(self) -> str:
        """The consoles' `queue` frame, encoded once per queue change and sent to every one."""
        if self._queue_text is None:
            # Capped, so that one address's flood can never grow the frame past a console's
            # frame limit (it did: 2,600 entries, 1.9 MB); `total` still tells the length.
            self._queue_text = p.encode(
                {
                    "type": "queue",
                    "waiting": self.queue_entries(QUEUE_LIMIT),
                    "total": len(self.waiting),
                }
            )
        return self._queue_text

    def position(self, chat: LiveChat) -> int | None:
        return self.sb.position(chat)

    def queue_entries(self, limit: int | None = None) -> list[dict[str, Any]]:
        return [
            {
                "chat": c.id,
                **c.intake.as_dict(),
                "since": to_rfc3339(c.since),
                **({"returned": True} if c.returned else {}),
                **({"first": c.first} if c.first is not None else {}),
            }
            for c in itertools.islice(self.waiting.values(), limit)
        ]

    # -- delivery -----------------------------------------------------------------------

    def to_counsellor(self, chat: LiveChat, frame: dict[str, Any]) -> None:
        self.carry_out(self.sb.to_counsellor(chat, frame))

    def rate_limiter(self) -> RateLimiter:
        """A new chat's flood limiter with the configured limits (per second, per 10 s)."""
        s = self.settings
        return RateLimiter(((1.0, s.chat_rate_per_second), (10.0, s.chat_rate_per_10s)))

    def say(
        self,
        chat: LiveChat,
        sender: str,
        client_id: str,
        text: str,
        conn: Peer,
        ref: str | None,
        id_hash: str | None = None,
    ) -> None:
        """A message into the chat: stored, then acknowledged to `conn` and delivered (a
        repeated id is only acknowledged, with its seq). `id_hash`: `chats.client_id_hash`
        of `client_id` if the caller computed it already."""
        id_hash = id_hash or chats.client_id_hash(self.db, chat.id, client_id)
        now = self.clock.now()
        effects = self.sb.say(chat, sender, id_hash, client_id, text, now, conn, ref)
        self.carry_out(effects, chat)

    async def settle(self, chat: LiveChat) -> None:
        """Wait for the chat's in-flight messages before it ends (they are acknowledged);
        a message written again on its own after its batch failed is waited for too."""
        while writes := self._writes.get(chat.id):
            await asyncio.gather(*list(writes), return_exceptions=True)

    # -- chat transitions -----------------------------------------------------------------

    async def apply(self, effects: list[Effect], chat: LiveChat) -> None:
        """Carry out effects of a transition of `chat` in order: a row to store (not a
        message) is awaited before what follows it. If an assignment cannot be stored the
        chat is as it was (`assign_failed`) and the error goes on."""
        done = 0
        for i, e in enumerate(effects):
            if isinstance(e, Store) and e.kind != "message":
                self.carry_out(effects[done:i], chat)
                done = i + 1
                try:
                    if e.kind in ("end", "block"):
                        await self.settle(chat)  # its messages in flight stored, acknowledged
                    await self.store(e)
                except BaseException:
                    if e.kind == "assign":
                        self.carry_out(self.sb.assign_failed(chat))
                    raise
        self.carry_out(effects[done:], chat)

    async def store(self, e: Store) -> None:
        """Store a row the switchboard asked for (any kind but a message; see `Store`)."""
        d = e.data
        if e.kind == "dropped":
            await chats.set_dropped(self.db, e.chat, d["at"])
            return
        if e.kind == "resumed":
            await chats.resumed(self.db, e.chat, d["resume_hash"])
            return
        record: dict[str, Any] | None = d.get("audit")

        async def job(tx: Tx) -> None:
            if e.kind == "assign":
                await chats.assign_in(tx, e.chat, d["counsellor"], d["team"], d["at"])
            elif e.kind == "requeue":
                await chats.requeue_in(tx, e.chat)
            elif e.kind in ("end", "block"):
                await chats.end_in(tx, e.chat, d["by"], d["at"])
            else:
                raise ValueError(f"no row of kind {e.kind!r}")
            if e.kind == "block":
                await blocks.add_in(
                    tx,
                    d["block"],
                    d["address_hash"],
                    d["at"],
                    d["until"],
                    e.chat,
                    d["blocked_by"],
                    d["reason"],
                )
            if record is not None:
                at, actor, action = d["at"], record["actor"], record["action"]
                await audit.append(tx, at, actor, action, e.chat, detail=record["detail"])

        await self.db.write(job)

    # -- orphaned chats: back to the queue when their counsellor is gone ------------------

    async def requeue_orphans(self) -> int:
        """Chats whose counsellor has been gone `orphan_after` seconds go back; how many."""
        if self.stopping:
            return 0
        due = self.sb.orphans_due(self.clock.now())
        for chat in due:
            await self.requeue(chat, "orphaned")
        return len(due)

    async def requeue(self, chat: LiveChat, why: str, actor: str = "relay") -> None:
        """Back to the front of the queue with its history (after other returned chats);
        the chatter is told that another counsellor will take over. A chat given back
        (`returned`) is `released` to its former counsellor's consoles."""
        former, effects = self.sb.requeue(chat, why, actor, self.clock.now())
        if former is None:
            return  # not assigned (any more), or being handed over
        await self.apply(effects, chat)
        log.info("requeue chat=%s why=%s", chat.id, why)
        detail = t("relay.requeued", self.lang)
        released = why == "returned"
        self.carry_out(self.sb.requeue_stored(chat, former, detail, released=released))

    async def hand_over(
        self, chat: LiveChat, target: accounts.Account, actor: str, action: str
    ) -> bool:
        """A supervisor's take-over or reassign: the chat (assigned or waiting) becomes
        `target`'s, audited as `action`; False if it ended meanwhile."""
        display = self.aliases.get(target.name, target.display)
        handover = Handover(action, actor, display, by=self.aliases.get(actor, actor))
        at = self.clock.now()
        await self.apply(self.sb.hold(chat, target.name, target.team, at, handover), chat)
        stored, effects = self.sb.assign_stored(chat, at)
        log.info("%s chat=%s by=%s to=%s", action, chat.id, actor, target.name)
        if stored:
            self.changed()
        self.carry_out(effects)
        return stored

    async def end(self, chat: LiveChat, by: str, conn: Any = None, ref: str | None = None) -> None:
        """End a chat (memory first so nothing else happens to it, then stored, then told).
        `conn`/`ref`: the counsellor's console that ended it (answered `ended`)."""
        if chat.state is ChatState.ENDED:
            return
        was, effects = self.sb.end(chat, by, self.clock.now())
        await self.finish(chat, was, by, effects, conn, ref)

    async def finish(
        self,
        chat: LiveChat,
        was: ChatState,
        by: str,
        effects: list[Effect],
        conn: Any = None,
        ref: str | None = None,
    ) -> None:
        """Carry out an end (or block) the switchboard made, and the frames once stored."""
        if was is not ChatState.WAITING:
            self.changed()  # (a waiting chat's end changes the queue, which tells the watchers)
        await self.apply(effects, chat)
        self.changed()  # stored: the monitor's figures from the database now include it
        log.info("end chat=%s by=%s", chat.id, by)
        self.carry_out(self.sb.ended(chat, was, by, conn, ref))

    async def sweep(self) -> int:
        """End chats whose chatter has been away longer than the resume window; how many."""
        expired = self.sb.expired_chats(self.clock.now())
        for chat in expired:
            if chat.state is not ChatState.ENDED:
                log.info("timeout chat=%s", chat.id)
                await self.end(chat, "timeout")
        await self.requeue_orphans()
        return len(expired)

    async def check_sessions(self) -> int:
        """Close consoles whose session no longer holds; how many.

        `user disable|passwd|reset-otp` run in another process on the same database: they
        delete the account's sessions, and this notices (one indexed query for all consoles;
        each staff request is checked as well). Expired sessions end the same way."""
        conns = [
            c
            for group in self.staff.values()
            for c in group
            if c.session_hash is not None and not c.closing
        ]
        if not conns:
            return 0
        hashes = [c.session_hash for c in conns if c.session_hash is not None]
        live = await accounts.live_sessions(self.db, self.clock, hashes)
        gone = [c for c in conns if c.session_hash not in live]
        for conn in gone:
            conn.revoked()
        return len(gone)

    async def _session_sweep(self, last: list[float]) -> None:
        """From the sweep loop: sessions each second, login records every ten minutes."""
        now = asyncio.get_running_loop().time()
        if now - last[0] >= SESSION_CHECK_INTERVAL:
            last[0] = now
            await self.check_sessions()
        if now - last[1] >= LOGIN_CLEAN_INTERVAL:
            last[1] = now
            await accounts.clean_login_records(self.db, self.clock)

    async def _sweep_loop(self) -> None:
        last = [-1e9, -1e9]  # loop time of the last session check and login clean-up
        while True:
            await asyncio.sleep(SWEEP_INTERVAL)
            try:
                await self.sweep()
                mono = self.clock.monotonic()
                if mono - self._budget_pruned >= BUDGET_PRUNE_EVERY:
                    self._budget_pruned = mono
                    self.stored_bytes.prune(mono)
                self.sb.expire_blocks(self.clock.now())
                await self._session_sweep(last)
            except Exception as exc:  # the sweep must survive a failed write
                log.error("sweep failed: %r", exc)

    def staff_list(self) -> list[dict[str, Any]]:
        seen = []
        for name, conns in sorted(self.staff.items()):
            live = [c for c in conns if c.account is not None]
            if not live:
                continue
            account = live[0].account
            assert account is not None
            seen.append(
                {
                    "user": name,
                    "name": account.display,
                    "role": account.role,
                    "team": account.team,
                    "status": live[-1].status,
                    "chats": sum(1 for c in self.chats.values() if c.counsellor == name),
                }
            )
        return seen
