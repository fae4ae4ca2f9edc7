"""Load-generator processes: many raw websockets clients per process, driven over a pipe.

The parent starts one process per share of the load (`worker_main`). Each sets up its
clients, answers ("ready", info), waits for ("go", params), runs, and answers
("result", figures); idle and watching workers run until ("stop", None). Clients are
bare `websockets` connections with as little per-message work as possible, so that the
cores go to the relay. Send times travel inside the message text (CLOCK_MONOTONIC is
shared by all processes of one machine), which gives one-way latency in both directions.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import resource
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from multiprocessing.connection import Connection
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from console1712.client.link import encode
from console1712.compat import net
from console1712.protocol import events as ev
from console1712.protocol import frames as p
from console1712.relay import eventloop

LOCAL_ADDRESSES = 16  # client sockets bind 127.0.0.2 .. 127.0.0.17 to spread connections
CONNECT_AT_ONCE = 100  # handshakes in flight per process while setting up
Json = dict[str, Any]


def raise_fd_limit() -> int:
    """Soft limit on open files up to the hard limit (10,000 sockets need it); the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def local_addr(index: int) -> tuple[str, int]:
    return (f"127.0.0.{2 + index % LOCAL_ADDRESSES}", 0)


def now_ns() -> int:
    return time.monotonic_ns()


def ms_since(ns: int, at: int | None = None) -> float:
    return ((at if at is not None else now_ns()) - ns) / 1e6


def stamped_text(size: int) -> str:
    """A message text that starts with its send time; padded to `size` characters."""
    head = str(now_ns())
    return head + " " + "x" * max(0, size - len(head) - 1)


def stamp_of(text: str) -> int | None:
    head = text.split(" ", 1)[0]
    return int(head) if head.isdigit() else None


async def open_ws(url: str, index: int, bind: bool) -> ClientConnection:
    """One raw client connection: no compression, no client pings, no proxy lookup."""
    extra: dict[str, Any] = {"local_addr": local_addr(index)} if bind else {}
    return await connect(
        url,
        compression=None,
        proxy=None,
        ping_interval=None,
        open_timeout=60,
        close_timeout=2,
        max_size=2**22,
        max_queue=None,
        user_agent_header=None,
        **extra,
    )


class Stats:
    """What one process measured (latencies in ms), sent back to the parent as plain data."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        """Fresh counters for the measured run (setup traffic does not count)."""
        self.ack_ms: list[float] = []
        self.inbound_ms: list[float] = []  # one-way latency of messages this side received
        self.sent = 0
        self.acked = 0
        self.received = 0
        self.errors: dict[str, int] = {}
        self.queue_frames = 0
        self.queue_bytes = 0
        self.position_frames = 0

    def error(self, code: str) -> None:
        self.errors[code] = self.errors.get(code, 0) + 1

    def as_dict(self) -> Json:
        return dict(vars(self))


class ResumeRefused(Exception):
    """The relay answered a resume with an error (its code) or `ended`."""


class Chatter:
    """One anonymous chatter on /chat: start, say with stamped texts, resume after a drop."""

    def __init__(self, url: str, index: int, stats: Stats, bind: bool) -> None:
        self.url = url
        self.index = index
        self.stats = stats
        self.bind = bind
        self.ws: ClientConnection | None = None
        self.chat: str | None = None
        self.token: str | None = None
        self.joined = asyncio.Event()
        self.counter = itertools.count(1)
        self.sent_at: dict[str, int] = {}  # id -> send time, until acknowledged
        self.texts: dict[str, str] = {}  # id -> text (kept for re-sending and checking)
        self.acked: dict[str, int] = {}  # id -> seq
        self.tasks: set[asyncio.Future[None]] = set()  # re-sends in flight (kept referenced)
        self.gone = False  # could not resume: given up
        self.back_ns = 0  # when it last resumed (monotonic ns; 0: never)
        self.reader: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        self.ws = await open_ws(self.url, self.index, self.bind)
        welcome = ev.decode_chatter(await self.ws.recv())
        if not isinstance(welcome, ev.Welcome):
            raise RuntimeError(f"expected welcome, got {welcome}")

    async def start(self) -> None:
        assert self.ws is not None
        await self.ws.send(encode(p.Start(consent=True, nickname="Bench")), text=True)
        while True:
            event = ev.decode_chatter(await self.ws.recv())
            if isinstance(event, ev.Queued):
                self.chat, self.token = event.chat, event.resume
                return
            if isinstance(event, ev.Error):
                raise RuntimeError(f"start refused: {event.code}")

    async def resume(self) -> None:
        """Reconnect and resume the chat with the current token (takes the new token)."""
        await self.connect()
        assert self.ws is not None
        assert self.token is not None
        await self.ws.send(encode(p.Resume(token=self.token, after=0)), text=True)
        while True:
            event = ev.decode_chatter(await self.ws.recv())
            if isinstance(event, ev.Resumed):
                self.token = event.resume
                return
            if isinstance(event, ev.Error):
                raise ResumeRefused(event.code)
            if isinstance(event, ev.Ended):
                raise ResumeRefused("ended")

    @property
    def connected(self) -> bool:
        return self.reader is not None and not self.reader.done()

    def listen(self) -> None:
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.ws is not None
        stats = self.stats
        with contextlib.suppress(ConnectionClosed):
            async for raw in self.ws:
                event = ev.decode_chatter(raw)
                if isinstance(event, ev.Ack):
                    sent = self.sent_at.pop(event.id, None)
                    if sent is not None:
                        stats.ack_ms.append(ms_since(sent))
                        stats.acked += 1
                    self.acked[event.id] = event.seq
                elif isinstance(event, ev.Message):
                    stamp = stamp_of(event.text)
                    stats.received += 1
                    if stamp is not None:
                        stats.inbound_ms.append(ms_since(stamp))
                elif isinstance(event, ev.Joined):
                    self.joined.set()
                elif isinstance(event, ev.Position):
                    stats.position_frames += 1
                elif isinstance(event, ev.Error):
                    stats.error(event.code)
                    if event.code == "rate_limited" and event.id in self.sent_at:
                        self.retry_later(event.id, float(event.retry_after or 1))

    async def say(self, size: int) -> None:
        assert self.ws is not None
        msg_id = str(next(self.counter))
        text = stamped_text(size)
        self.sent_at[msg_id] = now_ns()
        self.texts[msg_id] = text
        self.stats.sent += 1
        await self.ws.send(encode(p.Say(id=msg_id, text=text)), text=True)

    def retry_later(self, msg_id: str, seconds: float) -> None:
        """Send a rate-limited message again once the relay allows it."""

        def fire() -> None:
            task = asyncio.ensure_future(self.resend(msg_id))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

        asyncio.get_running_loop().call_later(seconds, fire)

    async def resend(self, msg_id: str) -> None:
        if self.ws is None or msg_id not in self.sent_at:
            return
        with contextlib.suppress(ConnectionClosed):
            await self.ws.send(encode(p.Say(id=msg_id, text=self.texts[msg_id])), text=True)

    def abort(self) -> None:
        """Drop the connection as a network failure would (no close handshake, no leave)."""
        if self.ws is not None:
            net.abort(self.ws)


class Counsellor:
    """One staff console on /console: login, accept, say to its chats, count queue pushes."""

    def __init__(self, url: str, index: int, stats: Stats, bind: bool) -> None:
        self.url = url
        self.index = index
        self.stats = stats
        self.bind = bind
        self.ws: ClientConnection | None = None
        self.chats: list[str] = []
        self.replies: dict[str, asyncio.Future[ev.StaffEvent]] = {}
        self.refs = itertools.count(1)
        self.counter = itertools.count(1)
        self.sent_at: dict[str, int] = {}
        self.reader: asyncio.Task[None] | None = None
        self.token: str | None = None  # the session's, for logging in again after a drop
        self.id_prefix = ""  # "c": ids apart from the chatters' in one chat (failover check)
        self.texts: dict[str, str] = {}  # id -> text, kept only with an id_prefix
        self.acked: dict[str, dict[str, tuple[int, str]]] = {}  # likewise: chat -> id -> seq
        self.back_ns = 0  # when it last logged in again (monotonic ns; 0: never)
        self.pending: dict[str, p.StaffSay] = {}  # likewise: id -> the frame, for re-sending
        self.gone = False  # its session could not be taken up again: given up

    async def login(self, user: str, password: str, secret: str) -> None:
        from console1712.store.accounts import totp_code

        otp = totp_code(secret, datetime.now(UTC))
        await self._login(p.Login(user=user, password=password, otp=otp))

    async def relogin(self) -> None:
        """Log in again with the session token (after the connection was lost)."""
        await self._login(p.Login(token=self.token))

    async def _login(self, login: p.Login) -> None:
        self.ws = await open_ws(self.url, self.index, self.bind)
        await self.ws.send(encode(login), text=True)
        while True:
            reply = ev.decode_staff(await self.ws.recv())
            if isinstance(reply, ev.Session):
                self.token = reply.token
                break
            if isinstance(reply, ev.Error):
                raise ResumeRefused(f"login refused: {reply.code}")
        self.reader = asyncio.create_task(self._read())

    @property
    def connected(self) -> bool:
        return self.reader is not None and not self.reader.done()

    async def _read(self) -> None:
        assert self.ws is not None
        stats = self.stats
        with contextlib.suppress(ConnectionClosed):
            async for raw in self.ws:
                event = ev.decode_staff(raw)
                if isinstance(event, ev.Message):
                    stamp = stamp_of(event.text)
                    stats.received += 1
                    if stamp is not None:
                        stats.inbound_ms.append(ms_since(stamp))
                elif isinstance(event, ev.Ack):
                    sent = self.sent_at.pop(event.id, None)
                    if sent is not None:
                        stats.ack_ms.append(ms_since(sent))
                        stats.acked += 1
                    if event.id in self.texts and event.chat is not None:
                        chat_acks = self.acked.setdefault(event.chat, {})
                        chat_acks[event.id] = (event.seq, self.texts[event.id])
                elif isinstance(event, ev.Queue):
                    stats.queue_frames += 1
                    stats.queue_bytes += len(raw)
                elif isinstance(event, ev.Assigned):
                    if event.chat not in self.chats:  # handed back after a new login
                        self.chats.append(event.chat)
                elif isinstance(event, ev.Error) and event.ref is None:
                    stats.error(event.code)
                if event is not None and event.ref is not None and event.ref in self.replies:
                    self.replies.pop(event.ref).set_result(event)

    async def accept(self) -> bool:
        """Accept the longest waiting chat; False if nothing is waiting."""
        assert self.ws is not None
        ref = str(next(self.refs))
        fut: asyncio.Future[ev.StaffEvent] = asyncio.get_running_loop().create_future()
        self.replies[ref] = fut
        await self.ws.send(encode(p.Accept(ref=ref)), text=True)
        reply = await fut
        if isinstance(reply, ev.Assigned):
            return True
        code = reply.code if isinstance(reply, ev.Error) else reply.type
        if code not in ("not_found", "taken"):
            self.stats.error(code)
        return False

    async def say(self, size: int) -> None:
        assert self.ws is not None
        chat = self.chats[next(self.counter) % len(self.chats)]
        msg_id = self.id_prefix + str(next(self.counter))
        self.sent_at[msg_id] = now_ns()
        self.stats.sent += 1
        say = p.StaffSay(chat=chat, id=msg_id, text=stamped_text(size))
        if self.id_prefix:
            self.texts[msg_id] = say.text
            self.pending[msg_id] = say
        await self.ws.send(encode(say), text=True)

    async def resend(self) -> None:
        """Send every unacknowledged message again with its id (the relay stores it once)."""
        assert self.ws is not None
        for msg_id in list(self.sent_at):
            say = self.pending.get(msg_id)
            if say is not None:
                await self.ws.send(encode(say), text=True)


async def drive(
    senders: Sequence[Callable[[], Awaitable[None]]], rate: float, until: float
) -> None:
    """Call the senders round-robin at `rate` per second (bursting when behind) until `until`."""
    if not senders or rate <= 0:
        await asyncio.sleep(max(0.0, until - time.monotonic()))
        return
    interval = 1.0 / rate
    start = time.monotonic()
    done = 0
    cycle = itertools.cycle(senders)
    while True:
        now = time.monotonic()
        if now >= until:
            return
        due = int((now - start) / interval) + 1 - done
        for _ in range(due):
            with contextlib.suppress(ConnectionClosed):
                await next(cycle)()
        done += max(0, due)
        await asyncio.sleep(max(0.0, start + done * interval - time.monotonic()))


async def gather_limited(coros: list[Awaitable[Any]], limit: int = CONNECT_AT_ONCE) -> list[Any]:
    """Run the coroutines with at most `limit` at a time; exceptions are returned, not raised."""
    gate = asyncio.Semaphore(limit)

    async def one(c: Awaitable[Any]) -> Any:
        async with gate:
            return await c

    return await asyncio.gather(*(one(c) for c in coros), return_exceptions=True)


async def wait_drained(clients: list[Any], seconds: float) -> None:
    """Wait until every sent message is acknowledged (or `seconds` pass)."""
    deadline = time.monotonic() + seconds
    # Polling: acks arrive on many connections, and this runs once per scenario.
    while time.monotonic() < deadline and any(c.sent_at for c in clients):  # noqa: ASYNC110
        await asyncio.sleep(0.02)


class Worker:
    """One load process: its role, its share of clients, and the pipe to the parent."""

    def __init__(self, conn: Connection, params: Json) -> None:
        self.conn = conn
        self.p = params
        self.stats = Stats()
        self.url = str(params["url"]).rstrip("/")
        self.bind = bool(params.get("bind", True))

    async def recv(self) -> tuple[str, Any]:
        loop = asyncio.get_running_loop()
        msg: tuple[str, Any] = await loop.run_in_executor(None, self.conn.recv)
        return msg

    def chatters(self) -> list[Chatter]:
        first = int(self.p.get("first", 0))
        return [
            Chatter(self.url + "/chat", first + i, self.stats, self.bind)
            for i in range(int(self.p["n"]))
        ]

    async def setup_chatters(self, start: bool) -> tuple[list[Chatter], int]:
        chatters = self.chatters()

        async def one(c: Chatter) -> None:
            await c.connect()
            if start:
                await c.start()

        outcome = await gather_limited([one(c) for c in chatters])
        failed = sum(1 for r in outcome if isinstance(r, BaseException))
        for r in outcome:
            if isinstance(r, BaseException):
                self.stats.error(f"setup:{type(r).__name__}")
        return [c for c, r in zip(chatters, outcome, strict=True) if r is None], failed

    async def run(self) -> None:
        role = self.p["role"]
        handler = getattr(self, "role_" + role)
        try:
            await handler()
        except Exception as exc:  # the parent reports it; the process must not hang
            self.conn.send(("error", f"{role}: {type(exc).__name__}: {exc}"))

    async def quiet(self, period: float, limit: float) -> None:
        """Wait until no message has come in for `period` seconds (at most `limit`)."""
        deadline = time.monotonic() + limit
        seen = -1
        while self.stats.received != seen and time.monotonic() < deadline:
            seen = self.stats.received
            await asyncio.sleep(period)

    async def role_idle(self) -> None:
        chatters, failed = await self.setup_chatters(bool(self.p.get("start", False)))
        self.conn.send(("ready", {"connected": len(chatters), "failed": failed}))
        await self.recv()  # stop
        for c in chatters:
            c.abort()
        self.conn.send(("result", self.stats.as_dict()))

    async def all_joined(self, chatters: list[Chatter]) -> None:
        """Wait until a counsellor has taken every chat (`joined`)."""
        await asyncio.wait_for(
            asyncio.gather(*(c.joined.wait() for c in chatters)), self.p.get("timeout", 300)
        )

    async def until_stop(self, clients: Sequence[Chatter | Counsellor]) -> None:
        """Answer each ("back?", since_ns) once every client is back after `since_ns` (resumed
        or logged in again) or has given up, with ("back", figures); return on ("stop", _)."""
        while True:
            kind, since = await self.recv()
            if kind != "back?":
                return

            def back(c: Chatter | Counsellor, since: int = since) -> bool:
                return c.gone or (c.back_ns > since and c.connected)

            deadline = time.monotonic() + float(self.p.get("timeout", 300))
            while time.monotonic() < deadline and not all(back(c) for c in clients):  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            figures = {
                "back": sum(1 for c in clients if back(c) and not c.gone),
                "gone": sum(1 for c in clients if c.gone),
                "total": len(clients),
                "last_ns": max((c.back_ns for c in clients), default=0),
            }
            self.conn.send(("back", figures))

    async def role_chatters(self) -> None:
        chatters, failed = await self.setup_chatters(True)
        for c in chatters:
            c.listen()
        if self.p.get("wait_joined", True):
            await self.all_joined(chatters)
        self.conn.send(("ready", {"connected": len(chatters), "failed": failed}))
        _, go = await self.recv()
        await self._load(chatters, go)

    async def _load(self, clients: list[Any], go: Json) -> None:
        size = int(go["size"])
        await asyncio.sleep(max(0.0, go["t0"] - time.monotonic()))
        senders = [partial(c.say, size) for c in clients]
        self.stats.clear()
        await drive(senders, float(go["rate"]), go["t0"] + go["duration"])
        await wait_drained(clients, float(go.get("drain", 10)))
        # Messages to this side may still be on their way until every process has drained.
        self.conn.send(("drained", None))
        await self.recv()
        await self.quiet(float(go.get("quiet", 0.3)), 10.0)
        unacked = sum(len(c.sent_at) for c in clients)
        self.conn.send(("result", {**self.stats.as_dict(), "unacked": unacked}))
        await self.recv()  # stop: keep connections open until every worker is done
        for c in clients:
            with contextlib.suppress(Exception):
                await c.ws.close()

    async def role_counsellors(self) -> None:
        counsellors = await self.login_all()
        await self.take_chats(counsellors)
        self.conn.send(("ready", {"connected": len(counsellors), "failed": 0}))
        _, go = await self.recv()
        await self._load(counsellors, go)

    async def take_chats(self, counsellors: list[Counsellor]) -> None:
        """Each counsellor accepts waiting chats until it has its quota."""
        quotas = list(self.p["quotas"])
        deadline = time.monotonic() + float(self.p.get("timeout", 300))

        async def fill(c: Counsellor, quota: int) -> None:
            while len(c.chats) < quota:
                if time.monotonic() > deadline:
                    raise TimeoutError("chats to accept did not come")
                if not await c.accept():
                    await asyncio.sleep(0.05)

        await asyncio.gather(*(fill(c, q) for c, q in zip(counsellors, quotas, strict=True)))

    async def login_all(self) -> list[Counsellor]:
        first = int(self.p.get("first", 0))
        counsellors = []
        for i, (user, password, secret) in enumerate(self.p["accounts"]):
            c = Counsellor(self.url + "/console", first + i, self.stats, self.bind)
            await c.login(user, password, secret)
            counsellors.append(c)
        return counsellors

    async def role_watchers(self) -> None:
        counsellors = await self.login_all()
        self.conn.send(("ready", {"connected": len(counsellors), "failed": 0}))
        await self.recv()  # go: counting starts now
        self.stats.clear()
        await self.recv()  # stop
        self.conn.send(("result", self.stats.as_dict()))

    async def role_acceptor(self) -> None:
        (c,) = await self.login_all()
        self.conn.send(("ready", {"connected": 1, "failed": 0}))
        _, go = await self.recv()
        times: list[float] = []
        begin = now_ns()
        accepted = 0
        for _ in range(int(go["n"])):
            t = now_ns()
            if not await c.accept():
                break
            times.append(ms_since(t))
            accepted += 1
        total = ms_since(begin) / 1000
        self.conn.send(("result", {"accept_ms": times, "accepted": accepted, "total_s": total}))
        await self.recv()

    async def role_storm(self) -> None:
        chatters, failed = await self.setup_chatters(True)
        self.conn.send(("ready", {"connected": len(chatters), "failed": failed}))
        _, go = await self.recv()
        await asyncio.sleep(max(0.0, go["t0"] - time.monotonic()))
        for c in chatters:
            c.abort()
        await asyncio.sleep(float(go.get("away", 1.0)))  # the relay notices the drops
        begin = now_ns()
        times: list[float] = []

        async def back(c: Chatter) -> None:
            await c.resume()
            times.append(ms_since(begin))

        # All at once: that is the storm (connect() has its own 60 s open timeout).
        outcome = await asyncio.gather(*(back(c) for c in chatters), return_exceptions=True)
        for r in outcome:
            if isinstance(r, BaseException):
                self.stats.error(f"resume:{type(r).__name__}")
        total = ms_since(begin) / 1000
        result = {"resume_ms": times, "resumed": len(times), "total_s": total}
        self.conn.send(("result", {**result, "errors": self.stats.errors}))
        await self.recv()
        for c in chatters:
            c.abort()

    async def role_crash(self) -> None:
        """Chatters that keep talking through relay kills, resuming and re-sending unacked ids.
        With `joined` (failover) they first wait for their counsellors."""
        chatters, failed = await self.setup_chatters(True)
        for c in chatters:
            c.listen()
        if self.p.get("joined"):
            await self.all_joined(chatters)
        self.conn.send(("ready", {"connected": len(chatters), "failed": failed}))
        _, go = await self.recv()
        stop = asyncio.Event()
        size = int(go["size"])
        reconnects = abandoned = 0
        away_ms: list[float] = []  # connection lost until resumed (a relay restart included)

        async def keep(c: Chatter) -> None:
            nonlocal reconnects, abandoned
            while not stop.is_set() or c.sent_at:
                assert c.reader is not None
                await c.reader  # ends when the connection is gone
                if stop.is_set() and not c.sent_at:
                    return
                lost_at = now_ns()
                while True:
                    try:
                        await c.resume()
                        break
                    except ResumeRefused as exc:
                        # e.g. killed after storing the new token, before sending it to us:
                        # the chat cannot be resumed; its unacknowledged messages are given up.
                        self.stats.error("resume_" + str(exc))
                        abandoned += len(c.sent_at)
                        c.sent_at.clear()
                        c.gone = True
                        return
                    except Exception:  # refused, reset, or a handshake cut off by the kill
                        await asyncio.sleep(0.05)
                reconnects += 1
                c.back_ns = now_ns()
                away_ms.append(ms_since(lost_at, c.back_ns))
                c.listen()
                for msg_id in list(c.sent_at):
                    await c.resend(msg_id)

        keepers = [asyncio.create_task(keep(c)) for c in chatters]

        async def say(c: Chatter) -> None:
            if c.connected:
                with contextlib.suppress(ConnectionClosed):
                    await c.say(size)

        senders = [partial(say, c) for c in chatters]
        driver = asyncio.create_task(drive(senders, float(go["rate"]), time.monotonic() + 1e9))
        await self.until_stop(chatters)
        driver.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await driver
        # Everyone back after the last restart before the end: the last kill is recovered too.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not all(c.gone or c.connected for c in chatters):  # noqa: ASYNC110
            await asyncio.sleep(0.02)
        stop.set()
        await wait_drained(chatters, 30)
        for c in chatters:
            with contextlib.suppress(Exception):
                await c.ws.close()  # type: ignore[union-attr]
        for k in keepers:
            k.cancel()
        acked = {c.chat: {i: (s, c.texts[i]) for i, s in c.acked.items()} for c in chatters}
        unacked = sum(len(c.sent_at) for c in chatters)
        self.conn.send(
            (
                "result",
                {
                    "acked": acked,
                    "unacked": unacked,
                    "reconnects": reconnects,
                    "abandoned": abandoned,
                    "away_ms": away_ms,
                    "errors": self.stats.errors,
                    "sent": self.stats.sent,
                },
            )
        )

    async def role_failover_counsellors(self) -> None:
        """Counsellors in assigned chats that talk slowly through a relay's death: after a drop
        they log in again with their session token and re-send what was not acknowledged."""
        counsellors = await self.login_all()
        for c in counsellors:
            c.id_prefix = "c"
        await self.take_chats(counsellors)
        self.conn.send(("ready", {"connected": len(counsellors), "failed": 0}))
        _, go = await self.recv()
        stop = asyncio.Event()
        size = int(go["size"])
        relogins = 0

        async def keep(c: Counsellor) -> None:
            nonlocal relogins
            while True:
                assert c.reader is not None
                await c.reader  # ends when the connection is gone
                if stop.is_set():
                    return
                while True:
                    try:
                        await c.relogin()
                        break
                    except ResumeRefused as exc:
                        self.stats.error(str(exc))
                        c.gone = True
                        return
                    except Exception:  # refused, reset, or a handshake cut off by the kill
                        await asyncio.sleep(0.05)
                relogins += 1
                c.back_ns = now_ns()
                with contextlib.suppress(ConnectionClosed):
                    await c.resend()

        keepers = [asyncio.create_task(keep(c)) for c in counsellors]

        async def say(c: Counsellor) -> None:
            if c.connected and c.chats:
                with contextlib.suppress(ConnectionClosed):
                    await c.say(size)

        senders = [partial(say, c) for c in counsellors]
        driver = asyncio.create_task(drive(senders, float(go["rate"]), time.monotonic() + 1e9))
        await self.until_stop(counsellors)
        driver.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await driver
        await wait_drained(counsellors, 30)
        stop.set()
        for c in counsellors:
            with contextlib.suppress(Exception):
                await c.ws.close()  # type: ignore[union-attr]
        for k in keepers:
            k.cancel()
        acked: dict[str, dict[str, tuple[int, str]]] = {}
        for c in counsellors:
            for chat, ids in c.acked.items():
                acked.setdefault(chat, {}).update(ids)
        result = {
            "acked": acked,
            "unacked": sum(len(c.sent_at) for c in counsellors),
            "relogins": relogins,
            "errors": self.stats.errors,
            "sent": self.stats.sent,
        }
        self.conn.send(("result", result))


def worker_main(conn: Connection, params: Json) -> None:
    """Entry point of one load process."""
    raise_fd_limit()
    # uvloop where installed: the load takes less of the two cores the relay needs.
    eventloop.run(Worker(conn, params).run())
