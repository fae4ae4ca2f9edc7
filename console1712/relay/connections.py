"""The relay's connections: ordered sending, bad-request counting, chatter and staff frames."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State

from console1712.clock import to_rfc3339
from console1712.compat import net
from console1712.domain.logsafe import logged
from console1712.domain.text import one_line
from console1712.domain.vocabulary import STAFF_ROLES
from console1712.i18n import t
from console1712.i18n.common import alternatives
from console1712.protocol import frames as p
from console1712.protocol.frames import BadRequest, Close, Code
from console1712.relay import operations as ops
from console1712.relay.ratelimit import RateLimiter
from console1712.relay.switchboard import ACCEPT, TRANSFER, ChatState, Handover, LiveChat
from console1712.store import accounts, blocks, chats
from console1712.store.chats import CHATTER, Intake
from console1712.store.db import StoreUnavailable

if TYPE_CHECKING:
    from console1712.relay.server import Relay

log = logging.getLogger("console1712.relay")

QUEUE_INTERVAL = 0.25  # at most one queue push per connection each 250 ms
OUT_BUFFER = 8 * 1024 * 1024  # bytes waiting to be sent to one slow peer before it is dropped
FIRST_LINE = 200  # characters of a waiting chatter's first line in the staff queue
MAX_PENDING_WRITES = 512  # per connection; beyond it the connection waits (backpressure)
# A chatter's `typing` frames beyond 30 in 10 s are flooding (the web page sends one each
# 3 s): answered with rate_limited at most once a second, and TYPING_FLOOD_CLOSE of them
# without the window ever having room again close the connection (1008), as bad requests do.
TYPING_LIMITS = ((10.0, 30),)
TYPING_FLOOD_CLOSE = 100


class WriteRoom:
    """Room for a connection's messages not acknowledged yet (MAX_PENDING_WRITES); beyond
    it the connection waits (backpressure). Unlike an asyncio.Semaphore, room is taken
    without awaiting where there is some: the message path runs as the frame arrives
    (`Peer.take_now`). One waiter at a time: a connection handles its frames in turn."""

    def __init__(self, size: int) -> None:
        self.free = size
        self._waiter: asyncio.Future[None] | None = None

    def take_now(self) -> bool:
        if self.free <= 0:
            return False
        self.free -= 1
        return True

    async def wait(self) -> None:
        """Until there is room (then `take_now` succeeds)."""
        while self.free <= 0:
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter

    def release(self) -> None:
        self.free += 1
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


class Peer:
    """One WebSocket connection: ordered outgoing frames, bad-request counting, queue pushes.

    Frames are written to the socket as they are sent (no task and no queue per connection:
    one relayed message costs one `send` system call, and an idle connection holds little);
    what the kernel cannot take yet waits in the transport's buffer, up to OUT_BUFFER."""

    staff_side = False

    def __init__(self, relay: Relay, ws: ServerConnection) -> None:
        self.relay = relay
        self.ws = ws
        self.lang = relay.lang
        self.closing = False
        self.bad = 0
        self.writes = WriteRoom(MAX_PENDING_WRITES)
        self.busy = False  # `run` is handling a frame: later frames wait their turn
        self._left: tuple[str, p.Frame] | None = None  # parsed by take_now, left to `run`
        self._queue_handle: asyncio.TimerHandle | None = None
        self._queue_last = -1e9

    # sending

    def send(self, frame: dict[str, Any]) -> None:
        if not self.closing:
            self.send_raw(p.encode_utf8(frame))

    def send_raw(self, text: str | bytes) -> None:
        """Send a frame encoded already (one encoding shared by many connections)."""
        if self.closing:
            return  # the read loop ends soon
        try:
            sent = net.write_text(
                self.ws, text if isinstance(text, bytes) else text.encode(), OUT_BUFFER
            )
        except (OSError, RuntimeError) as exc:
            # The connection went away in this same loop iteration (uvloop refuses writes to
            # a closed transport): what was meant for it is dropped, as for any closed peer.
            log.info("send to a closing connection dropped: %s", type(exc).__name__)
            self.closing = True
            return
        if sent is net.Written.BACKED_UP:
            # A peer that does not read must not make the relay hold unbounded memory.
            # A close frame would wait behind what it does not read: cut the connection.
            log.warning("dropping a peer that does not read")
            self.closing = True
            net.abort(self.ws)

    def reply(self, ref: str | None, frame: dict[str, Any]) -> None:
        if ref is not None:
            frame["ref"] = ref
        self.send(frame)

    def acked(self, frame: dict[str, Any]) -> None:
        """A `say` of this connection is stored: its ack, and room for one more write."""
        self.writes.release()
        self.send(frame)

    def fault(self, ref: str | None, client_id: str, chat: str | None, unavailable: bool) -> None:
        """A `say` of this connection could not be stored: error `fault`, close 1011; with
        the database away, error `unavailable` and the connection stays (the client resends)."""
        self.writes.release()
        named = {"id": client_id} if chat is None else {"chat": chat, "id": client_id}
        if unavailable:
            self.error(ref, Code.UNAVAILABLE, **named)
            return
        self.error(ref, "fault", **named)
        self.close(Close.FAULT, "relay fault")

    def error(
        self,
        ref: str | None,
        code: str,
        key: str | None = None,
        *,
        detail: str | None = None,
        **extra: Any,
    ) -> None:
        if detail is None:
            detail_kw = {k: v for k, v in extra.items() if k in ("field", "seconds", "until")}
            try:
                detail = t("relay." + (key or code), self.lang, **detail_kw)
            except KeyError:
                detail = code
        frame: dict[str, Any] = {"type": "error", "code": code, "detail": detail}
        frame.update(
            {k: v for k, v in extra.items() if k not in ("field", "seconds") and v is not None}
        )
        if code == Code.BAD_REQUEST:
            self.bad += 1
        self.reply(ref, frame)
        if code == Code.BAD_REQUEST and self.bad >= p.BAD_IN_A_ROW:
            log.info("closing after %d bad requests in a row", self.bad)
            self.close(Close.POLICY, "too many bad requests")

    def close(self, code: int, reason: str = "") -> None:
        """Close after the frames sent already (they are in the transport before the close)."""
        if self.closing:
            return
        self.closing = True
        self.relay.spawn(self.ws.close(code, reason))

    def cut(self, code: int, reason: str = "") -> None:
        """Close without the closing handshake: the close frame goes out after what was sent,
        then the socket is closed. For a flooder, whose close frame would only arrive after
        every frame it already sent (the relay would read them all first)."""
        if self.closing:
            return
        self.closing = True
        ws = self.ws
        if ws.state is State.OPEN and not net.transport(ws).is_closing():
            try:
                net.send_close_now(ws, code, reason)
            except (OSError, RuntimeError):
                pass
        net.transport(ws).close()  # flushes what is buffered (error, close frame), then closes

    # queue pushes

    def mark_queue(self) -> None:
        """Coalesce: at most one push each QUEUE_INTERVAL, the first one at once."""
        if self._queue_handle is not None or self.closing:
            return
        loop = asyncio.get_running_loop()
        delay = max(0.0, self._queue_last + QUEUE_INTERVAL - loop.time())
        self._queue_handle = loop.call_later(delay, self._push_queue)

    def _push_queue(self) -> None:
        self._queue_handle = None
        if self.queue_frame():
            self._queue_last = asyncio.get_running_loop().time()

    def queue_frame(self) -> bool:
        raise NotImplementedError

    # reading

    async def run(self) -> None:
        self.opened()
        hooked = self.ws if isinstance(self.ws, net.TextNow) else None
        if hooked is not None:
            hooked.text_now = self.take_now
        try:
            async for raw in self.ws:
                if isinstance(raw, bytes):
                    self.closing = True
                    await self.ws.close(Close.BINARY, "text frames only")
                    break
                if self.closing:
                    continue
                self.busy = True
                try:
                    await self.on_text(raw)
                finally:
                    self.busy = False
        except ConnectionClosed:
            pass
        finally:
            if hooked is not None:
                hooked.text_now = None
            if self._queue_handle is not None:
                self._queue_handle.cancel()
            self.closing = True
            await self.gone()

    def take_now(self, raw: str) -> bool:
        """A text frame as it arrives (compat.net.TextNow), while `run` handles none and
        none waits for it: the message path (`now`: say, typing) is handled here, without a
        task switch; any other frame is left to `run` (False), which handles it in turn."""
        if self.busy:
            return False
        if self.closing:
            return True  # as in `run`: nothing after the close is read
        frame = self.parsed(raw)
        if frame is None:
            return True
        before = self.bad
        try:
            if not self.now(frame):
                self._left = (raw, frame)  # `run` takes it next: not parsed again
                return False
        except Exception as exc:  # as a failed handler task: logged, closed with 1011
            log.error("frame handling failed: %s", type(exc).__name__)
            self.close(Close.FAULT, "relay fault")
            return True
        if self.bad == before:
            self.bad = 0
        return True

    def now(self, frame: p.Frame) -> bool:
        """Handle `frame` now if it needs no waiting (True), else leave it to `run`."""
        return False

    def parsed(self, raw: str) -> p.Frame | None:
        """The frame, or None: answered bad_request."""
        try:
            return p.parse(raw, staff=self.staff_side, operations=self.relay.operations)
        except BadRequest as exc:
            extra: dict[str, Any] = {"field": exc.field}
            if exc.say_id is not None:
                extra["id"] = exc.say_id
            self.error(exc.ref, Code.BAD_REQUEST, exc.key, **extra)
            return None

    async def on_text(self, raw: str) -> None:
        left, self._left = self._left, None
        frame = left[1] if left is not None and left[0] == raw else self.parsed(raw)
        if frame is None:
            return
        before = self.bad
        try:
            await self.dispatch(frame)
        except StoreUnavailable:
            # The database is away (PostgreSQL down or restarting): refuse this piece of
            # work clearly; the store reconnects by itself and later frames go through.
            log.warning("database unavailable: %s refused", type(frame.request).__name__)
            extra = {"id": frame.request.id} if isinstance(frame.request, p.Say) else {}
            self.error(frame.ref, Code.UNAVAILABLE, **extra)
            return
        if self.bad == before:
            self.bad = 0  # any frame not answered with bad_request resets the count

    def opened(self) -> None:
        pass

    async def dispatch(self, frame: p.Frame) -> None:
        raise NotImplementedError

    async def gone(self) -> None:
        pass


class ChatterConn(Peer):
    """An anonymous chatter on /chat."""

    def __init__(self, relay: Relay, ws: ServerConnection, address: str) -> None:
        super().__init__(relay, ws)
        self.address = address
        self.chat: LiveChat | None = None
        self.typing_rate = RateLimiter(TYPING_LIMITS)
        self.typing_excess = 0  # typing frames over the limit since the window last had room
        self._typing_warned = -1e9

    def opened(self) -> None:
        r = self.relay
        now = r.clock.now()
        is_open = r.schedule.is_open(now)
        nxt = None if is_open else r.schedule.next_open(now)
        self.send(
            {
                "type": "welcome",
                "protocol": p.PROTOCOL,
                "open": is_open,
                "next_open": None if nxt is None else to_rfc3339(nxt),
                "alternatives": alternatives(self.lang),
            }
        )
        r.chatters.add(self)

    async def dispatch(self, frame: p.Frame) -> None:
        req, ref = frame.request, frame.ref
        if isinstance(req, p.Start):
            await self.start(req, ref)
        elif isinstance(req, p.Resume):
            await self.resume(req, ref)
        elif self.chat is None or self.chat.state == "ended":
            # (ended: the counsellor ended it and the close is on its way)
            self.error(ref, Code.BAD_REQUEST, "bad.not_started", id=getattr(req, "id", None))
        elif isinstance(req, p.Say):
            await self.say(req, ref)
        elif isinstance(req, p.Typing):
            self.typing(self.chat, ref)
        elif isinstance(req, p.Leave):
            chat, self.chat = self.chat, None  # a leave, not a drop
            r = self.relay
            was, effects = r.sb.leave(chat, self, ref, r.clock.now())
            await r.finish(chat, was, "chatter", effects)

    def now(self, frame: p.Frame) -> bool:
        req, chat = frame.request, self.chat
        if chat is None or chat.state is ChatState.ENDED:
            return False
        if isinstance(req, p.Typing):
            self.typing(chat, frame.ref)
            return True
        if isinstance(req, p.Say) and self.writes.free:
            id_hash = self.admit(chat, req, frame.ref)
            if id_hash is not None:
                self.writes.take_now()
                self.said(chat, req, frame.ref, id_hash)
            return True
        return False

    def typing(self, chat: LiveChat, ref: str | None) -> None:
        """Pass `typing` on at most once a second; count it towards the flood limits."""
        r = self.relay
        now = r.clock.monotonic()
        wait = self.typing_rate.check(now)
        if wait is not None:
            self.typing_excess += 1
            if self.typing_excess >= TYPING_FLOOD_CLOSE:
                log.info("closing a chatter that floods typing")
                self.error(
                    ref, Code.RATE_LIMITED, "rate_limited_typing", retry_after=wait, seconds=wait
                )
                self.cut(Close.POLICY, "flooding")
            elif now - self._typing_warned >= 1.0:
                self._typing_warned = now
                self.error(
                    ref, Code.RATE_LIMITED, "rate_limited_typing", retry_after=wait, seconds=wait
                )
            return
        self.typing_excess = 0
        self.typing_rate.add(now)
        r.carry_out(r.sb.typing(chat, CHATTER, now))

    async def start(self, req: p.Start, ref: str | None) -> None:
        r = self.relay
        if self.chat is not None:
            self.error(ref, Code.ALREADY_STARTED)
            return
        if not req.consent:
            self.error(ref, Code.CONSENT_REQUIRED)
            return
        now = r.clock.now()
        address_hash = r.db.keys.keyed_hash("ip", self.address)
        until = r.sb.blocked_until(address_hash, now)
        if until is not None:
            log.info("start refused: blocked")
            self.error(
                ref, Code.BLOCKED, until=to_rfc3339(until), alternatives=alternatives(self.lang)
            )
            self.close(Close.POLICY, "blocked")
            return
        if not r.schedule.is_open(now):
            nxt = r.schedule.next_open(now)
            self.error(
                ref,
                Code.CLOSED,
                next_open=None if nxt is None else to_rfc3339(nxt),
                alternatives=alternatives(self.lang),
            )
            return
        refusal = r.sb.admit(address_hash, now)  # a place is reserved while it is stored
        if refusal is not None:
            wait = refusal.extra.get("retry_after", 60)
            log.info("start refused: too many waiting chats from one address")
            self.error(
                ref, Code.RATE_LIMITED, "rate_limited_waiting", retry_after=wait, seconds=wait
            )
            return
        chat_id, token = chats.new_chat_id(), chats.new_token()
        intake = Intake(req.nickname, req.age, req.gender, req.region)
        resume_hash = chats.token_hash(token)
        try:
            await chats.create_chat(
                r.db, chat_id, now, intake, self.address, address_hash, resume_hash
            )
        except BaseException:
            r.sb.unreserve(address_hash)
            raise
        chat = LiveChat(
            chat_id,
            ChatState.WAITING,
            now,
            intake,
            address_hash,
            resume_hash,
            conn=self,
            rate=r.rate_limiter(),
        )
        self.chat = chat
        log.info("start chat=%s", chat_id)
        r.carry_out(r.sb.start(chat, token, ref))

    async def resume(self, req: p.Resume, ref: str | None) -> None:
        r = self.relay
        if self.chat is not None:
            self.error(ref, Code.ALREADY_STARTED)
            return
        old_hash = chats.token_hash(req.token)
        chat = r.sb.claim(old_hash)
        if chat is None:
            info = await chats.find_by_resume(r.db, old_hash)
            if info is not None and info.state == "ended" and info.ended_by != "timeout":
                self.reply(ref, {"type": "ended", "by": info.ended_by})
                self.close(Close.NORMAL)
            else:
                self.error(ref, Code.EXPIRED)
            return
        if r.sb.expired(chat, r.clock.now()):
            log.info("timeout chat=%s", chat.id)
            await r.end(chat, "timeout")
            self.error(ref, Code.EXPIRED)
            return
        token = chats.new_token()
        await r.apply(r.sb.rekey(chat, chats.token_hash(token)), chat)
        if chat.state is ChatState.ENDED:  # timed out while the new token was being stored
            self.error(ref, Code.EXPIRED)
            return
        old, effects = r.sb.attach(chat, self, token, req.after, ref)
        self.chat = chat
        if old is not None:
            old.chat = None  # a takeover, not a drop (its close is among the effects)
        log.info("resume chat=%s", chat.id)
        r.carry_out(effects)

    async def say(self, req: p.Say, ref: str | None) -> None:
        chat = self.chat
        assert chat is not None
        id_hash = self.admit(chat, req, ref)
        if id_hash is None:
            return
        while not self.writes.take_now():  # given back by its ack (or fault)
            await self.writes.wait()
        self.said(chat, req, ref, id_hash)

    def admit(self, chat: LiveChat, req: p.Say, ref: str | None) -> str | None:
        """The keyed hash of the message's id, or None: refused (rate or volume limits)."""
        r = self.relay
        id_hash = chats.client_id_hash(r.db, chat.id, req.id)
        if (CHATTER, id_hash) not in chat.ids:
            wait = chat.rate.check(r.clock.monotonic())
            if wait is not None:
                self.error(ref, Code.RATE_LIMITED, id=req.id, retry_after=wait, seconds=wait)
                return None
            size = len(req.text.encode("utf-8", "surrogatepass"))
            now = r.clock.monotonic()
            wait = r.stored_bytes.check(chat.address_hash, now, size)
            if wait is not None:
                # Storage per address is bounded (6 months kept): not stored, not relayed.
                log.info("say refused: stored volume per address per hour reached")
                self.error(
                    ref,
                    Code.RATE_LIMITED,
                    "rate_limited_volume",
                    id=req.id,
                    retry_after=wait,
                    seconds=wait,
                )
                return None
            chat.rate.add(now)
            r.stored_bytes.add(chat.address_hash, now, size)
        return id_hash

    def said(self, chat: LiveChat, req: p.Say, ref: str | None, id_hash: str) -> None:
        """An admitted message, room taken: into the chat, acknowledged once stored."""
        r = self.relay
        if chat.state is ChatState.ENDED:  # ended while this connection waited for room
            self.writes.release()
            self.error(ref, Code.BAD_REQUEST, "bad.not_started", id=req.id)
            return
        # Acknowledged once stored, from the write's done-callback (no task per message).
        r.say(chat, CHATTER, req.id, req.text, self, ref, id_hash)
        if chat.state is ChatState.WAITING and chat.first is None:
            # Queue triage: the first line written while waiting, one line, kept short.
            chat.first = one_line(req.text).strip()[:FIRST_LINE]
            r.queue_changed()

    async def gone(self) -> None:
        r = self.relay
        r.chatters.discard(self)
        chat, self.chat = self.chat, None
        if chat is None:
            return
        # A shutdown is not a drop: the window starts when the relay is back.
        effects = r.sb.drop(chat, self, r.clock.now(), shutdown=r.stopping)
        if not effects:
            return
        log.info("away chat=%s", chat.id)
        await r.apply(effects, chat)


class StaffConn(Peer):
    """A counsellor, supervisor or admin on /console."""

    staff_side = True

    def __init__(self, relay: Relay, ws: ServerConnection) -> None:
        super().__init__(relay, ws)
        self.account: accounts.Account | None = None
        self.status = "available"
        self._deadline: asyncio.TimerHandle | None = None
        # The session this console works in: checked on each request and by the relay's
        # sweep, so that a disable, password or OTP change (any process) closes it at once.
        self.session_token: str | None = None
        self.session_hash: str | None = None

    def opened(self) -> None:
        loop = asyncio.get_running_loop()
        self._deadline = loop.call_later(self.relay.settings.login_timeout, self._too_late)

    def _too_late(self) -> None:
        if self.account is None:
            log.info("closing console: no login in time")
            self.close(Close.POLICY, "login timeout")

    def queue_frame(self) -> bool:
        self.send_raw(self.relay.queue_text())
        return True

    @property
    def name(self) -> str:
        assert self.account is not None
        return self.account.name

    def now(self, frame: p.Frame) -> bool:
        """A say or typing in a chat of this counsellor's, with room for it: as `dispatch`
        handles it (no session read on the message path), without waiting."""
        req, account = frame.request, self.account
        if account is None or account.role not in STAFF_ROLES:
            return False
        if not isinstance(req, (p.StaffSay, p.StaffTyping)):
            return False
        chat = self.relay.chats.get(req.chat)
        if chat is None or not self.mine(chat):
            return False  # `dispatch` answers not_assigned
        return self.message_now(chat, req, frame.ref)

    def mine(self, chat: LiveChat) -> bool:
        """The chat is assigned to this counsellor now."""
        return chat.state is ChatState.ASSIGNED and chat.counsellor == self.name

    def message_now(self, chat: LiveChat, req: p.Say | p.Typing, ref: str | None) -> bool:
        """Typing passed on, or a say into the chat if there is room for it (else False)."""
        r = self.relay
        if isinstance(req, p.Say):
            if not self.writes.take_now():
                return False
            r.say(chat, self.name, req.id, req.text, self, ref)
        else:
            r.carry_out(r.sb.typing(chat, self.name, r.clock.monotonic()))
        return True

    async def dispatch(self, frame: p.Frame) -> None:
        req, ref = frame.request, frame.ref
        if isinstance(req, p.Login):
            await self.login(req, ref)
            return
        if self.account is None:
            self.error(ref, Code.UNAUTHENTICATED, id=getattr(req, "id", None))
            return
        # Every request that reads or takes something checks the session first. The message
        # path (say, typing) is left to the once-a-second sweep: a read before each message
        # would serialise a counsellor's messages and undo the group commit; a revoked
        # console can at most send into its own open chat until the sweep closes it.
        if not isinstance(req, (p.Typing, p.Say)) and not await self.session_holds():
            return
        if isinstance(req, p.Logout):
            await self.logout(ref)
            return
        if isinstance(req, p.Status):
            self.status = req.state
            self.reply(ref, {"type": "status", "state": req.state})
            self.relay.changed()
            return
        if isinstance(req, p.StaffList):
            self.reply(ref, {"type": "staff", "staff": self.relay.staff_list()})
            return
        if isinstance(req, p.Op):
            await self.operation(req, ref)
            return
        if self.account.role not in STAFF_ROLES:
            self.error(ref, Code.FORBIDDEN, id=getattr(req, "id", None))
            return
        if isinstance(req, p.Accept):
            await self.accept(req, ref)
            return
        chat_id = getattr(req, "chat", None)
        chat = self.relay.chats.get(chat_id) if isinstance(chat_id, str) else None
        if chat is None or not self.mine(chat):
            self.error(ref, Code.NOT_ASSIGNED, chat=chat_id, id=getattr(req, "id", None))
            return
        if isinstance(req, (p.Say, p.Typing)):
            while not self.message_now(chat, req, ref):
                await self.writes.wait()  # room comes back with an ack (or fault)
                if not self.mine(chat):
                    self.error(ref, Code.NOT_ASSIGNED, chat=chat_id, id=getattr(req, "id", None))
                    return
        elif isinstance(req, p.End):
            await self.relay.end(chat, "counsellor", self, ref)
        elif isinstance(req, p.Transfer):
            await self.transfer(chat, req, ref)
        elif isinstance(req, p.BlockChat):
            await self.block(chat, req, ref)
        elif isinstance(req, p.History):
            history = self.relay.sb.named_history(chat)
            self.reply(ref, {"type": "history", "chat": chat.id, "history": history})

    async def operation(self, req: p.Op, ref: str | None) -> None:
        """A registered staff operation (mail, dossiers, ...): role check, handler, answer."""
        assert self.account is not None
        op = self.relay.operations[req.type]
        if self.account.role not in op.roles:
            self.error(ref, Code.FORBIDDEN)
            return
        try:
            answer = await op.run(ops.OpContext(self.relay, self.account), req.fields)
        except ops.OpError as exc:
            self.error(ref, exc.code, detail=exc.detail or None, **exc.extra)
            return
        except BadRequest as exc:
            self.error(ref, Code.BAD_REQUEST, exc.key, field=exc.field)
            return
        self.reply(ref, dict(answer))

    async def login(self, req: p.Login, ref: str | None) -> None:
        r = self.relay
        try:
            if req.token is not None:
                account = await accounts.account_for_session(r.db, r.clock, req.token)
                token = req.token
            else:
                assert req.user is not None and req.password is not None and req.otp is not None
                source = r.client_address(self.ws)
                account = await accounts.authenticate(
                    r.db, r.clock, req.user, req.password, req.otp, source
                )
                token = await accounts.create_session(r.db, r.clock, account)
        except accounts.Locked as exc:
            log.info("login failed (locked) user=%s", logged(req.user or ""))
            self.error(ref, Code.LOCKED, until=to_rfc3339(exc.until))
            return
        except accounts.AuthFailed:
            log.info("login failed user=%s", logged(req.user) if req.user else "(token)")
            self.error(ref, Code.AUTH_FAILED)
            return
        if self.account is not None:
            r.staff.get(self.account.name, set()).discard(self)
        self.account = account
        self.session_token, self.session_hash = token, accounts.token_hash(token)
        if self._deadline is not None:
            self._deadline.cancel()
        r.sb.staff_in(account.name, account.display, self)
        log.info("login ok user=%s role=%s", logged(account.name), account.role)
        self.reply(
            ref,
            {
                "type": "session",
                "user": account.name,
                "name": account.display,
                "role": account.role,
                "team": account.team,
                "token": token,
            },
        )
        r.changed()
        if account.role in STAFF_ROLES:
            self._queue_last = -1e9
            self.mark_queue()
            r.carry_out(r.sb.catch_up(account.name, self))

    async def session_holds(self) -> bool:
        """Is this console's session still valid? If not it is closed (1008) at once."""
        r = self.relay
        if self.session_hash is None:
            return True
        if await accounts.live_sessions(r.db, r.clock, (self.session_hash,)):
            return True
        self.revoked()
        return False

    def revoked(self) -> None:
        """The session ended elsewhere (disable, password or OTP change, expiry): close 1008;
        from now on nothing is sent to or served for this connection."""
        if not self.closing and self.account is not None:
            log.info("console closed: session ended user=%s", logged(self.account.name))
        self.close(Close.POLICY, "session ended")

    async def logout(self, ref: str | None) -> None:
        """The console quits: its token stops working, then the connection ends (1000)."""
        r = self.relay
        if self.session_token is not None:
            await accounts.end_session(r.db, self.session_token, r.clock)
        self.session_token = self.session_hash = None
        log.info("logout user=%s", logged(self.name))
        self.reply(ref, {"type": "logged_out"})
        self.close(Close.NORMAL, "logged out")

    async def accept(self, req: p.Accept, ref: str | None) -> None:
        r = self.relay
        assert self.account is not None
        # Check and set in the switchboard (no await): exactly one accept wins; the chat is
        # held until the assignment is stored.
        now = r.clock.now()
        handover = Handover(ACCEPT, self.name, self.account.display, self, ref)
        chat, refusal, effects = r.sb.accept(self.name, self.account.team, req.chat, now, handover)
        if refusal is not None or chat is None:
            code = refusal.code if refusal is not None else Code.NOT_FOUND
            if code == Code.TOO_MANY_CHATS:
                cap = r.settings.max_chats_per_counsellor
                detail = t("relay.too_many_chats", self.lang, max=cap)
                self.error(ref, code, detail=detail, chat=req.chat, max=cap)
            else:
                self.error(ref, code, chat=req.chat)
            return
        await r.apply(effects, chat)
        stored, effects = r.sb.assign_stored(chat, now)
        r.changed()  # stored: the monitor's figures from the database now include it
        if not stored:  # the chatter left while it was being stored
            self.error(ref, Code.NOT_FOUND, chat=chat.id)
            return
        log.info("accept chat=%s by=%s", chat.id, logged(self.name))
        r.carry_out(effects)

    async def transfer(self, chat: LiveChat, req: p.Transfer, ref: str | None) -> None:
        r = self.relay
        if req.to == self.name:
            self.error(ref, Code.BAD_REQUEST, "bad.self", chat=chat.id)
            return
        targets = [c for c in r.staff.get(req.to, ()) if c.account is not None]
        target = targets[0].account if targets else None
        if target is None or target.role not in STAFF_ROLES:
            self.error(ref, Code.NOT_FOUND, chat=chat.id)
            return
        by = self.account.display if self.account else self.name
        handover = Handover(TRANSFER, self.name, target.display, self, ref, by, req.note)
        at = r.clock.now()
        await r.apply(r.sb.hold(chat, target.name, target.team, at, handover), chat)
        stored, effects = r.sb.assign_stored(chat, at)
        log.info("transfer chat=%s from=%s to=%s", chat.id, logged(self.name), logged(target.name))
        if stored:
            r.changed()
        r.carry_out(effects)

    async def block(self, chat: LiveChat, req: p.BlockChat, ref: str | None) -> None:
        r = self.relay
        now = r.clock.now()
        until = now + timedelta(hours=req.hours)
        block_id = blocks.new_block_id()
        was, effects = r.sb.block(chat, now, until, block_id, self.name, req.hours, req.reason)
        if was is not ChatState.WAITING:
            r.changed()
        await r.apply(effects, chat)
        log.info("block chat=%s by=%s hours=%d", chat.id, logged(self.name), req.hours)
        r.carry_out(r.sb.ended(chat, was, "counsellor", self, ref))

    async def gone(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        if self.account is not None:
            r = self.relay
            last, effects = r.sb.staff_out(self.account.name, self, r.clock.now())
            if last:  # they stop reading along: those counsellors are told
                r.carry_out(effects)
                r.changed()
            log.info("console closed user=%s", logged(self.account.name))
