"""One link to the relay, shared by the staff client and the chatter client.

A `Link` owns what both clients need around one WebSocket: connecting, the backoff
between attempts, client message ids, and the messages the relay has not acknowledged
yet. Those are kept in sending order and sent again, with their original ids, on every
new connection (after a resume or a re-login): the relay stores a repeated id once and
acknowledges it with its first `seq`, so nothing is lost or doubled. What a connection
needs before it may carry messages (a `welcome`, a `resume`, a `login`) is the client's
own handshake; the client then calls `ready()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import secrets
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, Generic, TypeVar

import msgspec
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from console1712.compat import net
from console1712.protocol.frames import Request

Sleep = Callable[[float], Awaitable[None]]
Outgoing = Request | dict[str, Any]
K = TypeVar("K", bound=Hashable)

_ENCODER = msgspec.json.Encoder()


class LinkDown(Exception):
    """The relay could not be reached (refused, bad URL, handshake failed, timeout)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Backoff:
    """Waits between connection attempts: `steps` in turn, the last one repeating; with
    `jitter`, each wait is drawn between half and all of its step, so that the clients a
    relay closed together do not all come back together."""

    def __init__(
        self,
        steps: Sequence[float],
        *,
        jitter: bool = False,
        rng: Callable[[], float] = random.random,
    ) -> None:
        if not steps:
            raise ValueError("a backoff needs at least one step")
        self.steps = tuple(steps)
        self.jitter = jitter
        self._rng = rng
        self.attempt = 0

    @classmethod
    def doubling(cls, first: float, most: float, *, jitter: bool = True) -> Backoff:
        """`first`, twice that, and so on up to `most`."""
        steps = [first]
        while steps[-1] * 2 < most:
            steps.append(steps[-1] * 2)
        if most > first:
            steps.append(most)
        return cls(steps, jitter=jitter)

    def next(self) -> float:
        """The next wait (seconds); the one after it is the following step."""
        step = self.steps[min(self.attempt, len(self.steps) - 1)]
        self.attempt += 1
        return step * (0.5 + 0.5 * self._rng()) if self.jitter else step

    def reset(self) -> None:
        """Start over at the first step (a connection held, or a resume succeeded)."""
        self.attempt = 0


def encode(frame: Outgoing) -> bytes:
    """A request (Struct) or an operation (dict) as JSON text."""
    return _ENCODER.encode(frame)


class Link(Generic[K]):
    """The connection to the relay, its backoff, message ids and unacknowledged messages.

    `K` keys a message: its id (a chatter) or (chat, id) (staff)."""

    def __init__(
        self,
        url: str,
        *,
        backoff: Backoff,
        open_timeout: float = 10.0,
        max_size: int | None = 2**20,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.url = url
        self.backoff = backoff
        self.open_timeout = open_timeout
        self.max_size = max_size
        self._sleep = sleep
        self.ws: ClientConnection | None = None
        self._ready = asyncio.Event()
        self._id_prefix = secrets.token_hex(4)
        self._ids = itertools.count(1)
        self._unacked: dict[K, Outgoing] = {}
        self._sent_here: set[K] = set()  # unacknowledged ones sent on this connection
        self._flushing = asyncio.Lock()  # keeps messages in order across a reconnect

    # -- connection ------------------------------------------------------------------------

    async def connect(self) -> ClientConnection:
        """Open a new connection (not ready until the client's handshake); LinkDown if not."""
        try:
            ws = await connect(self.url, open_timeout=self.open_timeout, max_size=self.max_size)
        except (OSError, InvalidHandshake, InvalidURI, TimeoutError) as exc:
            raise LinkDown(_describe(exc)) from None
        self._ready.clear()
        self.ws = ws
        self._sent_here = set()
        return ws

    def ready(self) -> None:
        """The handshake is done: the connection carries messages from now on."""
        self._ready.set()

    def down(self) -> None:
        """The connection is gone (or going): nothing is sent until the next `ready`."""
        self._ready.clear()

    @property
    def is_ready(self) -> bool:
        return self._ready.is_set() and self.ws is not None

    async def until_ready(self) -> None:
        await self._ready.wait()

    async def wait(self) -> None:
        """Sleep the next backoff step before another attempt."""
        await self._sleep(self.backoff.next())

    def abort(self) -> None:
        """Break the connection at once, as a lost network would."""
        if self.ws is not None:
            net.abort(self.ws)

    async def close(self) -> None:
        self.down()
        ws = self.ws
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()

    # -- sending ---------------------------------------------------------------------------

    def new_id(self) -> str:
        """A client message id, unique for this client run."""
        return f"{self._id_prefix}-{next(self._ids)}"

    async def send(self, frame: Outgoing, ws: ClientConnection | None = None) -> bool:
        """Send one frame on `ws` (a handshake) or on the ready connection; False when there
        is none or it closed meanwhile."""
        if ws is None:
            if not self.is_ready:
                return False
            ws = self.ws
            assert ws is not None
        try:
            await ws.send(encode(frame), text=True)
        except ConnectionClosed:
            return False
        return True

    # -- messages until acknowledged -----------------------------------------------------

    def hold(self, key: K, frame: Outgoing) -> None:
        """Keep a message until its ack; `flush` sends it."""
        self._unacked[key] = frame

    def acked(self, key: K) -> Outgoing | None:
        """The relay stored it: forget it (returns it, None if it was not held)."""
        self._sent_here.discard(key)
        return self._unacked.pop(key, None)

    def forget(self, key: K) -> None:
        """Give up on a message (refused, or the chat is over): it is not sent again."""
        self.acked(key)

    def again(self, key: K) -> None:
        """Send this one once more on this connection at the next `flush` (rate limited)."""
        self._sent_here.discard(key)

    @property
    def unacked(self) -> dict[K, Outgoing]:
        """The messages without an ack, in sending order (read only)."""
        return dict(self._unacked)

    async def flush(self) -> None:
        """Send every held message not yet sent on this connection, oldest first."""
        async with self._flushing:
            for key, frame in list(self._unacked.items()):
                if not self.is_ready:
                    return
                if key in self._sent_here or key not in self._unacked:
                    continue
                self._sent_here.add(key)
                await self.send(frame)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError):
        return "timed out"
    text = str(exc).strip()
    return text or type(exc).__name__
