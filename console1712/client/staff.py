"""The console's client of the relay's /console path: login, frames in and out, reconnect.

No Textual here: the console wraps it in a worker and turns events into Messages. Chat-core
frames arrive typed (protocol/events.py `StaffEvent`); the staff operations' answers and
pushes stay JSON objects.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from msgspec.structs import replace
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from console1712.client.link import Backoff, Link, LinkDown, Outgoing, Sleep
from console1712.clock import Clock
from console1712.protocol import events as ev
from console1712.protocol import frames as p
from console1712.protocol.operations import OpRequest, to_frame

log = logging.getLogger(__name__)

Frame = dict[str, Any]  # an operation's request or answer
Incoming = ev.StaffEvent | Frame  # what `on_frame` is given
FrameHandler = Callable[[Incoming], Awaitable[None] | None]
StateHandler = Callable[[str], Awaitable[None] | None]

# Connection states reported to the console.
CONNECTED = "connected"
RECONNECTING = "reconnecting"
CLOSED = "closed"


class LoginFailed(Exception):
    """The relay refused the login (code from the protocol) or could not be reached."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


class StaffClient:
    """One staff session: log in once with a password, then stay connected with the token.

    Messages sent with `say` are kept until acknowledged and re-sent with their original
    ids after a reconnect (client/link.py); the relay stores a repeated id once, so nothing
    is lost or doubled.
    """

    def __init__(
        self,
        url: str,
        on_frame: FrameHandler,
        on_state: StateHandler | None = None,
        *,
        min_backoff: float = 0.5,
        max_backoff: float = 10.0,
        open_timeout: float = 5.0,
        held_after: float = 10.0,
        clock: Clock | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.url = url
        self._on_frame = on_frame
        self._on_state = on_state
        # Every reconnect waits first, however the link ended (a close 1009 right after login
        # included): a relay that closes every console at once must not be hit again at
        # once by all of them (it was: ~460 reconnects a second).
        self.link: Link[tuple[str, str]] = Link(
            url,
            backoff=Backoff.doubling(min_backoff, max_backoff, jitter=True),
            open_timeout=open_timeout,
            sleep=sleep,
        )
        # A connection open this long "held": the next drop starts the backoff over.
        self.held_after = held_after
        self.clock = clock or Clock()
        self.token: str | None = None
        self.session: ev.Session | None = None
        self.state = CLOSED
        self._closing = False
        self._refs = itertools.count(1)
        self._replies: dict[str, asyncio.Future[Frame]] = {}

    @property
    def pending(self) -> dict[tuple[str, str], Outgoing]:
        """Messages without an ack, by (chat, id), in sending order."""
        return self.link.unacked

    # -- login ---------------------------------------------------------------------------

    async def login(self, user: str, password: str, otp: str) -> ev.Session:
        """Connect and log in with password and code; return the `session` event."""
        try:
            ws = await self.link.connect()
        except LinkDown as exc:
            raise LoginFailed("unreachable", exc.reason) from None
        try:
            session = await self._handshake(ws, p.Login(user=user, password=password, otp=otp))
        except BaseException:
            await ws.close()
            raise
        self.link.ready()
        return session

    async def _handshake(self, ws: ClientConnection, login: p.Login) -> ev.Session:
        try:
            if not await self.link.send(login, ws):
                raise LoginFailed("unreachable", "closed")
            while True:
                try:
                    event = ev.staff_event(ev.decode_object(await ws.recv()))
                except ev.BadEvent:
                    continue
                if isinstance(event, ev.Session):
                    self.session = event
                    self.token = event.token
                    return event
                if isinstance(event, ev.Error):
                    raise LoginFailed(event.code, event.detail)
        except ConnectionClosed:
            raise LoginFailed("unreachable", "closed") from None

    # -- the session loop ------------------------------------------------------------------

    async def run(self) -> None:
        """Read frames until `close()`; reconnect with the session token when the link drops."""
        if self.token is None:
            raise RuntimeError("log in before running the client")
        link = self.link
        first = True
        while not self._closing:
            ws = link.ws if first else await self._reconnect()
            if ws is None:
                if self._closing:
                    break
                await self._set_state(RECONNECTING)
                await link.wait()
                continue
            await self._set_state(CONNECTED)
            opened = self.clock.monotonic()
            first = False
            await link.flush()  # after a reconnect: what was not acknowledged, in order
            try:
                async for raw in ws:
                    await self._dispatch(raw)
            except ConnectionClosed:
                pass
            link.down()
            if self._closing:
                break
            if self.clock.monotonic() - opened >= self.held_after:
                link.backoff.reset()  # it held: the next wait is the shortest again
            log.info("console link dropped (close %s), reconnecting", ws.close_code)
            await self._set_state(RECONNECTING)
            await link.wait()
        await self._set_state(CLOSED)

    async def _reconnect(self) -> ClientConnection | None:
        try:
            ws = await self.link.connect()
        except LinkDown:
            return None
        assert self.token is not None
        try:
            await self._handshake(ws, p.Login(token=self.token))
        except LoginFailed as exc:
            await ws.close()
            if exc.code in ("auth_failed", "locked"):
                # The session is gone (relay lost it, account disabled): stop retrying.
                log.info("session token refused: %s", exc.code)
                self._closing = True
                await self._on(self._on_frame, ev.Error(code="session_lost"))
            return None
        self.link.ready()
        return ws

    async def _dispatch(self, raw: str | bytes) -> None:
        try:
            frame = ev.decode_object(raw)
        except ev.BadEvent as exc:
            log.warning("frame from the relay ignored: %s", exc)
            return
        ref = frame.get("ref")
        if isinstance(ref, str) and ref in self._replies:
            future = self._replies.pop(ref)
            if not future.done():
                future.set_result(frame)
        try:
            event = ev.staff_event(frame)
        except ev.BadEvent as exc:
            log.warning("frame from the relay ignored: %s", exc)
            return
        if isinstance(event, ev.Ack) and event.chat is not None:
            self.link.acked((event.chat, event.id))
        await self._on(self._on_frame, frame if event is None else event)

    # -- sending ---------------------------------------------------------------------------

    def new_id(self) -> str:
        """A client message id, unique for this console run."""
        return self.link.new_id()

    async def say(self, chat: str, text: str, msg_id: str | None = None) -> str:
        """Send a chat message; it stays pending (and is re-sent) until the relay acks it."""
        msg_id = msg_id or self.new_id()
        self.link.hold((chat, msg_id), p.StaffSay(chat=chat, id=msg_id, text=text))
        await self.link.flush()
        return msg_id

    async def send(self, frame: Outgoing) -> bool:
        """Send one frame now; False when the link is down (the caller may retry)."""
        return await self.link.send(frame)

    async def request(self, frame: Outgoing | OpRequest, wait: float = 5.0) -> Frame | None:
        """Send a request (a chat-core Struct, a typed staff operation or a dict) with a fresh
        `ref` and wait for the reply carrying it (as a dict: operations answer with objects
        of their own)."""
        if isinstance(frame, OpRequest):
            frame = to_frame(frame)
        ref = f"r{next(self._refs)}"
        future: asyncio.Future[Frame] = asyncio.get_running_loop().create_future()
        self._replies[ref] = future
        sent = {**frame, "ref": ref} if isinstance(frame, dict) else replace(frame, ref=ref)
        if not await self.link.send(sent):
            self._replies.pop(ref, None)
            return None
        try:
            return await asyncio.wait_for(future, wait)
        except TimeoutError:
            return None
        finally:
            self._replies.pop(ref, None)

    async def logout(self, wait: float = 3.0) -> bool:
        """End the session on the relay (its token stops working), then close; False when
        the relay could not be told (offline: the token then lapses after 12 hours)."""
        self._closing = True  # the relay closes the link after `logged_out`: no reconnect
        reply = await self.request({"type": "logout"}, wait=wait)
        await self.close()
        return reply is not None and reply.get("type") == "logged_out"

    async def close(self) -> None:
        """End the session loop and the connection."""
        self._closing = True
        await self.link.close()

    async def drop(self) -> None:
        """Close the link without ending the session (tests, a network change)."""
        ws = self.link.ws
        if ws is not None:
            await ws.close()

    async def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            if self._on_state is not None:
                await self._on(self._on_state, state)

    @staticmethod
    async def _on(handler: Callable[[Any], Awaitable[None] | None], value: Any) -> None:
        result = handler(value)
        if result is not None:
            await result
