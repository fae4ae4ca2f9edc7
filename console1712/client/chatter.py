"""An asyncio client of the relay's `/chat` endpoint (protocol v1), with automatic resume.

Used by `console1712 chatter`, the scripted flows, the demo's simulated chatters and the
load generator. Every frame the relay sends is delivered through `events()` as its typed
event (protocol/events.py `ChatterEvent`), plus three local events the relay never sends:
`Dropped` (the connection broke; resuming), `Lost` (resuming gave up) and `Closed` (the
connection is gone for good). The connection, its backoff and the messages without an ack
are the shared `Link` (client/link.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import AsyncIterator, Sequence

import msgspec
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from console1712.client.link import Backoff, Link, LinkDown
from console1712.protocol import events as ev
from console1712.protocol import frames as p

log = logging.getLogger("console1712.chatter")

# Delays between reconnection attempts, in seconds; the last one repeats.
DEFAULT_BACKOFF: tuple[float, ...] = (0.05, 0.2, 0.5, 1.0, 2.0, 5.0)
# Close codes after which resuming is pointless: a normal end (ended, or another connection
# took the chat over) and policy (blocked, too many bad requests).
FINAL_CLOSE_CODES = frozenset({1000, 1008})


class Dropped(msgspec.Struct, frozen=True):
    """Local event: the connection broke (close `code`, if any); the client resumes."""

    code: int | None = None

    @property
    def type(self) -> str:
        return "dropped"


class Lost(msgspec.Struct, frozen=True):
    """Local event: resuming gave up (`code`: the relay's error code, e.g. expired)."""

    code: str | None = None

    @property
    def type(self) -> str:
        return "lost"


class Closed(msgspec.Struct, frozen=True):
    """Local event: the connection is gone for good (close `code`, if any)."""

    code: int | None = None

    @property
    def type(self) -> str:
        return "closed"


ClientEvent = ev.ChatterEvent | Dropped | Lost | Closed
# Events after which nothing more will arrive.
TERMINAL_EVENTS = frozenset({"ended", "lost", "closed"})


class ChatterError(Exception):
    """The relay refused a request (`code` is the protocol error code) or the chat is gone."""

    def __init__(self, code: str, detail: str = "", frame: ev.Error | None = None) -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
        self.frame = frame


class ConnectFailed(ChatterError):
    """The relay could not be reached (refused, bad URL, handshake failed, timeout)."""


class ChatterClient:
    """One anonymous chatter: connect, start, say, leave; resumes by itself after a drop."""

    def __init__(
        self,
        url: str,
        *,
        backoff: Sequence[float] = DEFAULT_BACKOFF,
        resume_for: float = 300.0,
        open_timeout: float = 10.0,
        retry_rate_limited: bool = True,
    ) -> None:
        self.url = url
        self.link: Link[str] = Link(
            url,
            backoff=Backoff(tuple(backoff) or DEFAULT_BACKOFF),
            open_timeout=open_timeout,
            max_size=2**16,
        )
        self.resume_for = resume_for  # give up resuming after this many seconds
        self.open_timeout = open_timeout
        self.retry_rate_limited = retry_rate_limited
        self.welcome: ev.Welcome | None = None
        self.chat: str | None = None
        self.token: str | None = None
        self.counsellor: str | None = None
        self.last_seq = 0  # highest counsellor seq delivered
        self.ended_by: str | None = None
        self.resumes = 0  # successful resumes, for tests and statistics
        self._reader: asyncio.Task[None] | None = None
        self._reconnect: asyncio.Task[None] | None = None
        self._events: asyncio.Queue[ClientEvent] = asyncio.Queue()
        self._gone = asyncio.Event()  # set when `closed` or `lost` is delivered
        self._acks: dict[str, asyncio.Future[int]] = {}  # id -> its seq, once acknowledged
        self._waiters: list[tuple[frozenset[str], asyncio.Future[ClientEvent]]] = []
        self._seen_seqs: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._hold = 0.0  # seconds to wait before the next reconnection (drop(hold=...))
        self._final = False  # leave sent, ended received, or closed by us
        self._done = False  # `closed` or `lost` delivered

    # -- state ---------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        """Frames may be sent: after `welcome`, or after `resumed` on a new connection."""
        return self.link.is_ready

    @property
    def finished(self) -> bool:
        """True once nothing more will happen on this chat (ended, lost or closed)."""
        return self._done

    # -- requests ------------------------------------------------------------------------

    async def connect(self) -> ev.Welcome:
        """Open the connection and return the relay's `welcome`."""
        ws, welcome = await self._open()
        self.welcome = welcome
        self.link.ready()
        self._reader = asyncio.create_task(self._read_loop(ws), name="chatter-reader")
        return welcome

    async def start(
        self,
        consent: bool = True,
        nickname: str | None = None,
        age: int | None = None,
        gender: str | None = None,
        region: str | None = None,
    ) -> ev.Queued:
        """Send `start` with the intake; return `queued` or raise ChatterError (closed, ...)."""
        request = p.Start(consent=consent, age=age, gender=gender, region=region)
        if nickname is not None:
            request.nickname = nickname
        reply = await self._request(request, frozenset({"queued"}))
        assert isinstance(reply, ev.Queued)
        self.chat = reply.chat
        self.token = reply.resume
        return reply

    async def say(self, text: str, id: str | None = None) -> int:
        """Send a message; return its seq once the relay has stored it durably.

        Survives drops: an unacknowledged message is sent again with the same id after the
        resume, so the relay stores it exactly once.
        """
        if self._final:
            raise ChatterError("ended", "the chat is over")
        msg_id = id or self.link.new_id()
        ack: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._acks[msg_id] = ack
        self.link.hold(msg_id, p.Say(id=msg_id, text=text))
        await self.link.flush()
        try:
            return await ack
        finally:
            self._acks.pop(msg_id, None)
            self.link.forget(msg_id)

    async def typing(self) -> None:
        """Tell the counsellor the chatter is typing (never stored)."""
        await self.link.send(p.Typing())

    async def leave(self) -> ev.Ended:
        """End the chat; return the relay's `ended`."""
        if self.ended_by is not None:
            return ev.Ended(by=self.ended_by)
        reply = await self._request(p.Leave(), frozenset({"ended"}))
        assert isinstance(reply, ev.Ended)
        return reply

    async def drop(self, hold: float = 0.0) -> None:
        """Break the connection abruptly, as a lost network would (tests, simulations).

        The client resumes by itself after `hold` seconds.
        """
        self._hold = hold
        self.link.abort()

    async def close(self) -> None:
        """Close the connection without leaving (the chat stays resumable on the relay)."""
        self._final = True
        if self._reconnect is not None:
            self._reconnect.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reconnect
        await self.link.close()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        self._finish(Closed())

    async def events(self) -> AsyncIterator[ClientEvent]:
        """Every incoming event plus local Dropped/Lost/Closed; ends after the last."""
        while True:
            event = await self._events.get()
            yield event
            if event.type in TERMINAL_EVENTS:
                return

    async def next_event(self) -> ClientEvent:
        """The next event (as from `events()`); wrap in asyncio.wait_for for a deadline."""
        return await self._events.get()

    # -- internals -----------------------------------------------------------------------

    async def _open(self) -> tuple[ClientConnection, ev.Welcome]:
        try:
            ws = await self.link.connect()
        except LinkDown as exc:
            raise ConnectFailed("connect_failed", exc.reason) from None
        try:
            welcome = ev.decode_chatter(await asyncio.wait_for(ws.recv(), self.open_timeout))
        except (ConnectionClosed, TimeoutError, ev.BadEvent) as exc:
            await ws.close()
            raise ConnectFailed("connect_failed", f"no welcome from the relay ({exc})") from None
        if not isinstance(welcome, ev.Welcome):
            await ws.close()
            raise ConnectFailed("connect_failed", "the relay did not send a welcome")
        return ws, welcome

    async def _request(self, frame: p.Request, answers: frozenset[str]) -> ClientEvent:
        """Send a request; return the first event of `answers`, or raise on an `error`."""
        fut: asyncio.Future[ClientEvent] = asyncio.get_running_loop().create_future()
        entry = (answers | {"error", "closed", "lost"}, fut)
        self._waiters.append(entry)
        try:
            await self._send(frame)
            reply = await fut
        finally:
            if entry in self._waiters:
                self._waiters.remove(entry)
        if isinstance(reply, ev.Error):
            raise ChatterError(reply.code, reply.detail, reply)
        if isinstance(reply, Closed | Lost):
            raise ChatterError(reply.type, "the connection is gone")
        return reply

    async def _send(self, frame: p.Request) -> None:
        if not self.connected and self.token is not None and not self._done:
            await self._until_connected()  # a resume is under way: send after it
        if not await self.link.send(frame):
            raise ChatterError("not_connected", "not connected to the relay")

    async def _until_connected(self) -> None:
        connected = asyncio.ensure_future(self.link.until_ready())
        gone = asyncio.ensure_future(self._gone.wait())
        try:
            await asyncio.wait((connected, gone), return_when=asyncio.FIRST_COMPLETED)
        finally:
            connected.cancel()
            gone.cancel()

    async def _read_loop(self, ws: ClientConnection) -> None:
        try:
            async for raw in ws:
                try:
                    event = ev.decode_chatter(raw)
                except ev.BadEvent as exc:
                    log.warning("frame from the relay ignored: %s", exc)
                    continue
                if event is not None:
                    self._handle(event)
        except ConnectionClosed:
            pass
        self.link.down()
        code = ws.close_code
        if self._final or self.ended_by is not None:
            self._finish(Closed())
        elif self.token is None or code in FINAL_CLOSE_CODES:
            self._final = True
            self._finish(Closed(code))
        else:
            self._deliver(Dropped(code))
            self._reconnect = asyncio.create_task(self._resume_loop(), name="chatter-resume")

    def _handle(self, event: ev.ChatterEvent) -> None:
        match event:
            case ev.Ack():
                self._acked(event)
                return
            case ev.Error(id=str(msg_id)) if msg_id in self._acks:
                self._say_failed(event, msg_id)
                return
            case ev.Message(seq=seq):
                if seq in self._seen_seqs:
                    return  # delivered before the drop; resume sends it again
                self._seen_seqs.add(seq)
                self.last_seq = max(self.last_seq, seq)
            case ev.Joined():
                self.counsellor = event.counsellor
            case ev.Requeued():
                self.counsellor = None  # back in the queue: a new counsellor will join
            case ev.Queued():
                self.chat = event.chat
                self.token = event.resume
            case ev.Ended():
                self.ended_by = event.by
                self._final = True
                self._fail_pending(ChatterError("ended", "the chat was ended"))
        self._deliver(event)

    def _acked(self, event: ev.Ack) -> None:
        self.link.acked(event.id)
        fut = self._acks.get(event.id)
        if fut is not None and not fut.done():
            fut.set_result(event.seq)
        self._deliver(event)

    def _say_failed(self, event: ev.Error, msg_id: str) -> None:
        fut = self._acks[msg_id]
        if event.code == "rate_limited" and self.retry_rate_limited:
            delay = float(event.retry_after or 1)
            asyncio.get_running_loop().call_later(delay, self._resend, msg_id)
            self._deliver(event)
            return
        if not fut.done():
            fut.set_exception(ChatterError(event.code, event.detail, event))
        self._deliver(event)

    def _resend(self, msg_id: str) -> None:
        self.link.again(msg_id)
        task = asyncio.get_running_loop().create_task(self.link.flush())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _deliver(self, event: ClientEvent) -> None:
        kind = event.type
        for types, fut in list(self._waiters):
            if kind in types and not fut.done():
                fut.set_result(event)
                # An error answers only the request that waits for it, not every waiter.
                if kind == "error":
                    break
        self._events.put_nowait(event)

    def _finish(self, event: Lost | Closed) -> None:
        if self._done:
            return
        self._done = True
        self._gone.set()
        self._fail_pending(ChatterError(event.type, "the connection is gone"))
        self._deliver(event)

    def _fail_pending(self, exc: ChatterError) -> None:
        for fut in self._acks.values():
            if not fut.done():
                fut.set_exception(exc)

    async def _resume_loop(self) -> None:
        """Reconnect with backoff and resume the chat; give up after `resume_for` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.resume_for
        backoff = self.link.backoff
        backoff.reset()
        if self._hold > 0:
            await asyncio.sleep(self._hold)
            self._hold = 0.0
        for attempt in itertools.count():
            if self._final:
                return
            if attempt:
                delay = backoff.next()
                if loop.time() + delay > deadline:
                    break
                await asyncio.sleep(delay)
            try:
                ws, _ = await self._open()
            except ConnectFailed:
                continue
            if await self._resume_on(ws) in ("resumed", "final"):
                return
        self._final = True
        self._finish(Lost())

    async def _resume_on(self, ws: ClientConnection) -> str:
        """Send `resume` on a fresh connection: "resumed", "final" or "retry"."""
        assert self.token is not None
        try:
            if not await self.link.send(p.Resume(token=self.token, after=self.last_seq), ws):
                raise ConnectionClosed(None, None)
            while True:
                try:
                    raw = await asyncio.wait_for(ws.recv(), self.open_timeout)
                    event = ev.decode_chatter(raw)
                except ev.BadEvent:
                    continue
                if event is None:
                    continue
                if isinstance(event, ev.Resumed):
                    break
                if isinstance(event, ev.Ended):
                    self._handle(event)
                    self._reader = asyncio.create_task(self._read_loop(ws))
                    return "final"
                if isinstance(event, ev.Error):
                    if event.code in ("bad_request", "rate_limited"):
                        continue
                    # expired (window over, token spent) or blocked: the chat is gone.
                    self._final = True
                    self._deliver(event)
                    self._finish(Lost(event.code))
                    with contextlib.suppress(Exception):
                        await ws.close()
                    return "final"
                self._handle(event)
        except (ConnectionClosed, TimeoutError):
            with contextlib.suppress(Exception):
                await ws.close()
            return "retry"
        self.token = event.resume
        self.chat = event.chat
        if event.counsellor is not None:
            self.counsellor = event.counsellor
        self.resumes += 1
        self.link.ready()
        self._deliver(event)
        self._reader = asyncio.create_task(self._read_loop(ws), name="chatter-reader")
        # Messages without an ack are sent again with their ids: stored once, never lost.
        await self.link.flush()
        return "resumed"
