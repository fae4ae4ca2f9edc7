"""An asyncio client of the relay's `/chat` endpoint (protocol v1), with automatic resume.

Used by `console1712 chatter`, the scripted flows, the demo's simulated chatters and the
load generator. Every frame the relay sends is delivered through `events()`, plus three
local events the relay never sends: `dropped` (the connection broke; resuming), `lost`
(resuming gave up) and `closed` (the connection is gone for good).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import secrets
from collections.abc import AsyncIterator, Sequence
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from console1712.compat import net

log = logging.getLogger("console1712.chatter")

Frame = dict[str, Any]

# Delays between reconnection attempts, in seconds; the last one repeats.
DEFAULT_BACKOFF: tuple[float, ...] = (0.05, 0.2, 0.5, 1.0, 2.0, 5.0)
# Close codes after which resuming is pointless: a normal end (ended, or another connection
# took the chat over) and policy (blocked, too many bad requests).
FINAL_CLOSE_CODES = frozenset({1000, 1008})
# Events after which nothing more will arrive.
TERMINAL_EVENTS = frozenset({"ended", "lost", "closed"})


class ChatterError(Exception):
    """The relay refused a request (`code` is the protocol error code) or the chat is gone."""

    def __init__(self, code: str, detail: str = "", frame: Frame | None = None) -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
        self.frame: Frame = frame or {}


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
        self.backoff = tuple(backoff) or DEFAULT_BACKOFF
        self.resume_for = resume_for  # give up resuming after this many seconds
        self.open_timeout = open_timeout
        self.retry_rate_limited = retry_rate_limited
        self.welcome: Frame | None = None
        self.chat: str | None = None
        self.token: str | None = None
        self.counsellor: str | None = None
        self.last_seq = 0  # highest counsellor seq delivered
        self.ended_by: str | None = None
        self.resumes = 0  # successful resumes, for tests and statistics
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._reconnect: asyncio.Task[None] | None = None
        self._events: asyncio.Queue[Frame] = asyncio.Queue()
        # Set while frames may be sent: after `welcome`, or after `resumed` on a new connection.
        self._connected = asyncio.Event()
        self._gone = asyncio.Event()  # set when `closed` or `lost` is delivered
        self._pending: dict[str, tuple[str, asyncio.Future[int]]] = {}  # id -> (text, ack)
        self._sent_here: set[str] = set()  # pending ids sent on the current connection
        self._send_lock = asyncio.Lock()  # keeps says in order across a resume
        self._waiters: list[tuple[frozenset[str], asyncio.Future[Frame]]] = []
        self._seen_seqs: set[int] = set()
        self._ids = itertools.count(1)
        self._tasks: set[asyncio.Task[None]] = set()
        self._id_prefix = secrets.token_hex(4)
        self._hold = 0.0  # seconds to wait before the next reconnection (drop(hold=...))
        self._final = False  # leave sent, ended received, or closed by us
        self._done = False  # `closed` or `lost` delivered

    # -- state ---------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    @property
    def finished(self) -> bool:
        """True once nothing more will happen on this chat (ended, lost or closed)."""
        return self._done

    # -- requests ------------------------------------------------------------------------

    async def connect(self) -> Frame:
        """Open the connection and return the relay's `welcome` frame."""
        welcome = await self._open()
        self.welcome = welcome
        self._connected.set()
        self._reader = asyncio.create_task(self._read_loop(), name="chatter-reader")
        return welcome

    async def start(
        self,
        consent: bool = True,
        nickname: str | None = None,
        age: int | None = None,
        gender: str | None = None,
        region: str | None = None,
    ) -> Frame:
        """Send `start` with the intake; return `queued` or raise ChatterError (closed, ...)."""
        frame: Frame = {"type": "start", "consent": consent}
        for key, value in (
            ("nickname", nickname),
            ("age", age),
            ("gender", gender),
            ("region", region),
        ):
            if value is not None:
                frame[key] = value
        reply = await self._request(frame, frozenset({"queued"}))
        self.chat = str(reply["chat"])
        self.token = str(reply["resume"])
        return reply

    async def say(self, text: str, id: str | None = None) -> int:
        """Send a message; return its seq once the relay has stored it durably.

        Survives drops: an unacknowledged message is sent again with the same id after the
        resume, so the relay stores it exactly once.
        """
        if self._final:
            raise ChatterError("ended", "the chat is over")
        msg_id = id or f"{self._id_prefix}-{next(self._ids)}"
        ack: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._pending[msg_id] = (text, ack)
        await self._flush()
        try:
            return await ack
        finally:
            self._pending.pop(msg_id, None)

    async def typing(self) -> None:
        """Tell the counsellor the chatter is typing (never stored)."""
        if self.connected:
            await self._send_quietly({"type": "typing"})

    async def leave(self) -> Frame:
        """End the chat; return the relay's `ended` frame."""
        if self.ended_by is not None:
            return {"type": "ended", "by": self.ended_by}
        reply = await self._request({"type": "leave"}, frozenset({"ended"}))
        return reply

    async def drop(self, hold: float = 0.0) -> None:
        """Break the connection abruptly, as a lost network would (tests, simulations).

        The client resumes by itself after `hold` seconds.
        """
        self._hold = hold
        if self._ws is not None:
            net.abort(self._ws)

    async def close(self) -> None:
        """Close the connection without leaving (the chat stays resumable on the relay)."""
        self._final = True
        if self._reconnect is not None:
            self._reconnect.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reconnect
        ws = self._ws
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        self._finish("closed")

    async def events(self) -> AsyncIterator[Frame]:
        """Every incoming frame plus local `dropped`/`lost`/`closed`; ends after the last."""
        while True:
            event = await self._events.get()
            yield event
            if event["type"] in TERMINAL_EVENTS:
                return

    async def next_event(self) -> Frame:
        """The next event (as from `events()`); wrap in asyncio.wait_for for a deadline."""
        return await self._events.get()

    # -- internals -----------------------------------------------------------------------

    async def _open(self) -> Frame:
        try:
            ws = await connect(self.url, open_timeout=self.open_timeout, max_size=2**16)
        except (OSError, InvalidHandshake, InvalidURI, TimeoutError) as exc:
            raise ConnectFailed("connect_failed", _describe(exc)) from None
        try:
            raw = await asyncio.wait_for(ws.recv(), self.open_timeout)
            welcome = _parse(raw)
        except (ConnectionClosed, TimeoutError, ValueError) as exc:
            await ws.close()
            raise ConnectFailed("connect_failed", f"no welcome from the relay ({exc})") from None
        if welcome is None or welcome.get("type") != "welcome":
            await ws.close()
            raise ConnectFailed("connect_failed", "the relay did not send a welcome")
        self._ws = ws
        self._sent_here = set()
        return welcome

    async def _request(self, frame: Frame, answers: frozenset[str]) -> Frame:
        """Send a frame; return the first frame of `answers`, or raise on an `error`."""
        fut: asyncio.Future[Frame] = asyncio.get_running_loop().create_future()
        entry = (answers | {"error", "closed", "lost"}, fut)
        self._waiters.append(entry)
        try:
            await self._send(frame)
            reply = await fut
        finally:
            if entry in self._waiters:
                self._waiters.remove(entry)
        if reply["type"] == "error":
            raise ChatterError(str(reply.get("code")), str(reply.get("detail", "")), reply)
        if reply["type"] in ("closed", "lost"):
            raise ChatterError(reply["type"], "the connection is gone", reply)
        return reply

    async def _send(self, frame: Frame) -> None:
        if not self.connected and self.token is not None and not self._done:
            await self._until_connected()  # a resume is under way: send after it
        if self._ws is None or not self.connected:
            raise ChatterError("not_connected", "not connected to the relay")
        await self._ws.send(json.dumps(frame, ensure_ascii=False))

    async def _until_connected(self) -> None:
        connected = asyncio.ensure_future(self._connected.wait())
        gone = asyncio.ensure_future(self._gone.wait())
        try:
            await asyncio.wait((connected, gone), return_when=asyncio.FIRST_COMPLETED)
        finally:
            connected.cancel()
            gone.cancel()

    async def _send_quietly(self, frame: Frame) -> None:
        # A send on a dying connection is not an error: the reader notices the drop and the
        # resume re-sends every unacknowledged message.
        ws = self._ws
        if ws is None or not self.connected:
            return
        with contextlib.suppress(ConnectionClosed):
            await ws.send(json.dumps(frame, ensure_ascii=False))

    async def _flush(self) -> None:
        """Send every unacknowledged say not yet sent on this connection, oldest first."""
        async with self._send_lock:
            for msg_id, (text, fut) in list(self._pending.items()):
                if not self.connected:
                    return
                if msg_id in self._sent_here or fut.done():
                    continue
                self._sent_here.add(msg_id)
                await self._send_quietly({"type": "say", "id": msg_id, "text": text})

    async def _read_loop(self) -> None:
        ws = self._ws
        assert ws is not None
        try:
            async for raw in ws:
                frame = _parse(raw)
                if frame is not None:
                    self._handle(frame)
        except ConnectionClosed:
            pass
        self._connected.clear()
        code = ws.close_code
        if self._final or self.ended_by is not None:
            self._finish("closed")
        elif self.token is None or code in FINAL_CLOSE_CODES:
            self._final = True
            self._finish("closed", code=code)
        else:
            self._deliver({"type": "dropped", "code": code})
            self._reconnect = asyncio.create_task(self._resume_loop(), name="chatter-resume")

    def _handle(self, frame: Frame) -> None:
        kind = frame.get("type")
        if kind == "ack":
            self._acked(frame)
            return
        if kind == "error" and "id" in frame and frame["id"] in self._pending:
            self._say_failed(frame)
            return
        if kind == "message":
            seq = frame.get("seq")
            if isinstance(seq, int):
                if seq in self._seen_seqs:
                    return  # delivered before the drop; resume sends it again
                self._seen_seqs.add(seq)
                self.last_seq = max(self.last_seq, seq)
        elif kind == "joined":
            self.counsellor = frame.get("counsellor")
        elif kind == "requeued":
            self.counsellor = None  # back in the queue: a new counsellor will join
        elif kind == "queued":
            self.chat = str(frame.get("chat"))
            self.token = str(frame.get("resume"))
        elif kind == "ended":
            self.ended_by = str(frame.get("by"))
            self._final = True
            self._fail_pending(ChatterError("ended", "the chat was ended"))
        self._deliver(frame)

    def _acked(self, frame: Frame) -> None:
        entry = self._pending.get(str(frame.get("id")))
        if entry is not None and not entry[1].done():
            entry[1].set_result(int(frame["seq"]))
        self._deliver(frame)

    def _say_failed(self, frame: Frame) -> None:
        msg_id = str(frame["id"])
        fut = self._pending[msg_id][1]
        if frame.get("code") == "rate_limited" and self.retry_rate_limited:
            delay = float(frame.get("retry_after", 1))
            asyncio.get_running_loop().call_later(delay, self._resend, msg_id)
            self._deliver(frame)
            return
        if not fut.done():
            fut.set_exception(
                ChatterError(str(frame.get("code")), str(frame.get("detail", "")), frame)
            )
        self._deliver(frame)

    def _resend(self, msg_id: str) -> None:
        self._sent_here.discard(msg_id)
        task = asyncio.get_running_loop().create_task(self._flush())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _deliver(self, frame: Frame) -> None:
        kind = str(frame.get("type"))
        for types, fut in list(self._waiters):
            if kind in types and not fut.done():
                fut.set_result(frame)
                # An error answers only the request that waits for it, not every waiter.
                if kind == "error":
                    break
        self._events.put_nowait(frame)

    def _finish(self, kind: str, **extra: Any) -> None:
        if self._done:
            return
        self._done = True
        self._gone.set()
        self._fail_pending(ChatterError(kind, "the connection is gone"))
        self._deliver({"type": kind, **extra})

    def _fail_pending(self, exc: ChatterError) -> None:
        for _, fut in self._pending.values():
            if not fut.done():
                fut.set_exception(exc)

    async def _resume_loop(self) -> None:
        """Reconnect with backoff and resume the chat; give up after `resume_for` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.resume_for
        if self._hold > 0:
            await asyncio.sleep(self._hold)
            self._hold = 0.0
        for attempt in itertools.count():
            if self._final:
                return
            if attempt:
                delay = self.backoff[min(attempt - 1, len(self.backoff) - 1)]
                if loop.time() + delay > deadline:
                    break
                await asyncio.sleep(delay)
            try:
                await self._open()
            except ConnectFailed:
                continue
            outcome = await self._resume_on_open_connection()
            if outcome == "resumed":
                return
            if outcome == "final":
                return
        self._final = True
        self._finish("lost")

    async def _resume_on_open_connection(self) -> str:
        """Send `resume` on the fresh connection: "resumed", "final" or "retry"."""
        ws = self._ws
        assert ws is not None
        try:
            await ws.send(
                json.dumps({"type": "resume", "token": self.token, "after": self.last_seq})
            )
            while True:
                frame = _parse(await asyncio.wait_for(ws.recv(), self.open_timeout))
                if frame is None:
                    continue
                kind = frame.get("type")
                if kind == "resumed":
                    break
                if kind == "ended":
                    self._handle(frame)
                    self._reader = asyncio.create_task(self._read_loop())
                    return "final"
                if kind == "error":
                    if frame.get("code") in ("bad_request", "rate_limited"):
                        continue
                    # expired (window over, token spent) or blocked: the chat is gone.
                    self._final = True
                    self._deliver(frame)
                    self._finish("lost", code=frame.get("code"))
                    with contextlib.suppress(Exception):
                        await ws.close()
                    return "final"
                self._handle(frame)
        except (ConnectionClosed, TimeoutError):
            with contextlib.suppress(Exception):
                await ws.close()
            return "retry"
        self.token = str(frame.get("resume"))
        self.chat = str(frame.get("chat", self.chat))
        if frame.get("counsellor") is not None:
            self.counsellor = str(frame["counsellor"])
        self.resumes += 1
        self._connected.set()
        self._deliver(frame)
        self._reader = asyncio.create_task(self._read_loop(), name="chatter-reader")
        # Messages without an ack are sent again with their ids: stored once, never lost.
        await self._flush()
        return "resumed"


def _parse(raw: str | bytes) -> Frame | None:
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        return value
    return None


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError):
        return "timed out"
    text = str(exc).strip()
    return text or type(exc).__name__
