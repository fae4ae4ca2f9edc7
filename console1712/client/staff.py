"""The console's client of the relay's /console path: login, frames in and out, reconnect.

No Textual here: the console wraps it in a worker and turns frames into Messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import random
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from console1712.clock import Clock
from console1712.protocol.operations import OpRequest, to_frame

log = logging.getLogger(__name__)

Frame = dict[str, Any]
FrameHandler = Callable[[Frame], Awaitable[None] | None]
StateHandler = Callable[[str], Awaitable[None] | None]
Sleep = Callable[[float], Awaitable[None]]

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
    ids after a reconnect; the relay stores a repeated id once, so nothing is lost or doubled.
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
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self.open_timeout = open_timeout
        # A connection open this long "held": the next drop starts the backoff over.
        self.held_after = held_after
        self.clock = clock or Clock()
        self._sleep = sleep
        self.token: str | None = None
        self.session: Frame | None = None
        self.state = CLOSED
        self._ws: ClientConnection | None = None
        self._closing = False
        # (chat, id) -> say frame, in sending order, until its ack arrives.
        self.pending: dict[tuple[str, str], Frame] = {}
        self._id_prefix = secrets.token_hex(4)
        self._ids = itertools.count(1)
        self._refs = itertools.count(1)
        self._replies: dict[str, asyncio.Future[Frame]] = {}

    # -- login ---------------------------------------------------------------------------

    async def login(self, user: str, password: str, otp: str) -> Frame:
        """Connect and log in with password and code; return the `session` frame."""
        frame = {"type": "login", "user": user, "password": password, "otp": otp}
        try:
            ws = await connect(self.url, open_timeout=self.open_timeout)
        except (OSError, InvalidHandshake, InvalidURI, TimeoutError) as exc:
            raise LoginFailed("unreachable", type(exc).__name__) from None
        try:
            session = await self._handshake(ws, frame)
        except BaseException:
            await ws.close()
            raise
        self._ws = ws
        return session

    async def _handshake(self, ws: ClientConnection, frame: Frame) -> Frame:
        try:
            await ws.send(json.dumps(frame))
            while True:
                reply = _decode(await ws.recv())
                if reply is None:
                    continue
                if reply.get("type") == "session":
                    self.session = reply
                    self.token = str(reply.get("token", ""))
                    return reply
                if reply.get("type") == "error":
                    raise LoginFailed(str(reply.get("code", "")), str(reply.get("detail", "")))
        except ConnectionClosed:
            raise LoginFailed("unreachable", "closed") from None

    # -- the session loop ------------------------------------------------------------------

    async def run(self) -> None:
        """Read frames until `close()`; reconnect with the session token when the link drops."""
        if self.token is None:
            raise RuntimeError("log in before running the client")
        # Every reconnect waits first, however the link ended (a close 1009 right after login
        # included): a relay that closes every console at once must not be hit again at
        # once by all of them (it was: ~460 reconnects a second). Only a connection that
        # held for `held_after` seconds starts the backoff over.
        backoff = self.min_backoff
        first = True
        while not self._closing:
            ws = self._ws
            if ws is None:
                ws = await self._reconnect()
                if ws is None:
                    if self._closing:
                        break
                    await self._set_state(RECONNECTING)
                    backoff = await self._back_off(backoff)
                    continue
                self._ws = ws
            await self._set_state(CONNECTED)
            opened = self.clock.monotonic()
            if not first:
                await self._resend_pending()
            first = False
            try:
                async for raw in ws:
                    frame = _decode(raw)
                    if frame is not None:
                        await self._dispatch(frame)
            except ConnectionClosed:
                pass
            self._ws = None
            if self._closing:
                break
            if self.clock.monotonic() - opened >= self.held_after:
                backoff = self.min_backoff
            log.info("console link dropped (close %s), reconnecting", ws.close_code)
            await self._set_state(RECONNECTING)
            backoff = await self._back_off(backoff)
        await self._set_state(CLOSED)

    async def _back_off(self, backoff: float) -> float:
        """Wait `backoff` with jitter (half to all of it); the next, doubled and capped."""
        # Jitter: the consoles a relay closed together do not all come back together.
        await self._sleep(backoff * (0.5 + 0.5 * random.random()))
        return min(backoff * 2, self.max_backoff)

    async def _reconnect(self) -> ClientConnection | None:
        try:
            ws = await connect(self.url, open_timeout=self.open_timeout)
        except (OSError, InvalidHandshake, InvalidURI, TimeoutError):
            return None
        try:
            await self._handshake(ws, {"type": "login", "token": self.token})
        except LoginFailed as exc:
            await ws.close()
            if exc.code in ("auth_failed", "locked"):
                # The session is gone (relay lost it, account disabled): stop retrying.
                log.info("session token refused: %s", exc.code)
                self._closing = True
                await self._on(self._on_frame, {"type": "error", "code": "session_lost"})
            return None
        return ws

    async def _resend_pending(self) -> None:
        for frame in list(self.pending.values()):
            await self._send_now(frame)

    async def _dispatch(self, frame: Frame) -> None:
        kind = frame.get("type")
        if kind == "ack":
            self.pending.pop((str(frame.get("chat")), str(frame.get("id"))), None)
        ref = frame.get("ref")
        if isinstance(ref, str) and ref in self._replies:
            future = self._replies.pop(ref)
            if not future.done():
                future.set_result(frame)
        await self._on(self._on_frame, frame)

    # -- sending ---------------------------------------------------------------------------

    def new_id(self) -> str:
        """A client message id, unique for this console run."""
        return f"{self._id_prefix}-{next(self._ids)}"

    async def say(self, chat: str, text: str, msg_id: str | None = None) -> str:
        """Send a chat message; it stays pending (and is re-sent) until the relay acks it."""
        msg_id = msg_id or self.new_id()
        frame: Frame = {"type": "say", "chat": chat, "id": msg_id, "text": text}
        self.pending[(chat, msg_id)] = frame
        await self._send_now(frame)
        return msg_id

    async def send(self, frame: Frame) -> bool:
        """Send one frame now; False when the link is down (the caller may retry)."""
        return await self._send_now(frame)

    async def request(self, frame: Frame | OpRequest, wait: float = 5.0) -> Frame | None:
        """Send a frame (or a typed staff operation request) with a fresh `ref` and wait
        for the reply carrying it."""
        if isinstance(frame, OpRequest):
            frame = to_frame(frame)
        ref = f"r{next(self._refs)}"
        future: asyncio.Future[Frame] = asyncio.get_running_loop().create_future()
        self._replies[ref] = future
        if not await self._send_now({**frame, "ref": ref}):
            self._replies.pop(ref, None)
            return None
        try:
            return await asyncio.wait_for(future, wait)
        except TimeoutError:
            return None
        finally:
            self._replies.pop(ref, None)

    async def _send_now(self, frame: Frame) -> bool:
        ws = self._ws
        if ws is None:
            return False
        try:
            await ws.send(json.dumps(frame))
        except ConnectionClosed:
            return False
        return True

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
        ws = self._ws
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()

    async def drop(self) -> None:
        """Close the link without ending the session (tests, a network change)."""
        ws = self._ws
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


def _decode(raw: str | bytes) -> Frame | None:
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None
