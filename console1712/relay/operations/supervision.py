"""Supervision (issue 7): the live monitor, reading along, private notes, emergency
disclosure with four-eyes approval, and phone contacts. Frames: docs/protocol.md.

The monitor is pushed, never polled: the relay calls `Monitor.mark` whenever the queue, the
open chats or the staff change (Relay.watchers); the monitor coalesces those marks into at
most one `monitor` frame a second per subscribed supervisor, and sends it only when the
picture differs from the last one sent. A slow tick (once a minute) covers what changes
without an event: the chart's time axis, mail becoming due, a new day.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from msgspec import UnsetType

from console1712.clock import to_rfc3339
from console1712.domain.stats import UNKNOWN
from console1712.domain.themes import taxonomy
from console1712.domain.vocabulary import BRUSSELS, REGIONS
from console1712.protocol import operations as req
from console1712.protocol.frames import BadRequest
from console1712.relay.live import LiveChat
from console1712.relay.operations import (
    STAFF,
    SUPERVISOR,
    OpContext,
    Operation,
    OpError,
    RelayView,
    ServiceFactory,
    alerts,
)
from console1712.relay.operations.stepping import chat_team, in_scope
from console1712.store import accounts, audit, disclosure, phone, stats
from console1712.store.db import Tx

if TYPE_CHECKING:
    from console1712.relay.server import Relay

log = logging.getLogger("console1712.supervision")

INTERVAL = 1.0  # seconds: at most one monitor frame per subscriber per second
TICK = 60.0  # seconds: re-check what changes without an event (clock, mail due)
HISTORY_HOURS = 1
HISTORY_STEP = 1  # minutes between points of the queue chart (its maximum: queue_max)


def _relay(ctx: OpContext) -> Relay:
    # Supervision works on the live chats, which only the relay itself holds.
    return cast("Relay", ctx.relay)


class Monitor:
    """The live monitor of one relay: subscribers, coalesced pushes, the snapshot."""

    def __init__(self, relay: Relay) -> None:
        self.relay = relay
        self.subscribers: set[str] = set()
        self.pushes = 0  # frames pushed (tests, benchmarks)
        self.push_times: list[float] = []  # loop times of the last pushes (tests)
        self._handle: asyncio.TimerHandle | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._pushing = False
        self._dirty = False
        self._last_push = -1e9
        self._last_body: dict[str, str] = {}  # per subscriber: what each one sees differs

    async def start(self) -> None:
        self.relay.watchers.append(self.mark)
        self._ticker = asyncio.create_task(self._tick(), name="monitor-tick")

    async def stop(self) -> None:
        with contextlib.suppress(ValueError):
            self.relay.watchers.remove(self.mark)
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(TICK)
            self.mark()

    def mark(self) -> None:
        """Something changed: push within INTERVAL of the last push (coalesced)."""
        if not self.subscribers or self.relay.stopping:
            return
        if self._pushing:
            self._dirty = True
            return
        if self._handle is not None:
            return
        loop = asyncio.get_running_loop()
        delay = max(0.0, self._last_push + INTERVAL - loop.time())
        self._handle = loop.call_later(delay, self._fire)

    def _fire(self) -> None:
        self._handle = None
        if not self.relay.stopping:
            self.relay.spawn(self._push())

    async def _push(self) -> None:
        self._pushing = True
        self._dirty = False
        try:
            full = await self.snapshot()
            self.subscribers = {n for n in self.subscribers if self.relay.staff.get(n)}
            self._last_body = {n: b for n, b in self._last_body.items() if n in self.subscribers}
            sent = False
            for name in self.subscribers:
                frame = self.scoped(full, self._team_of(name))
                body = json.dumps({k: v for k, v in frame.items() if k != "at"}, sort_keys=True)
                if body != self._last_body.get(name):
                    self._last_body[name] = body
                    self.relay.send_to_staff(name, frame)
                    sent = True
            if sent:
                self._last_push = asyncio.get_running_loop().time()
                self.pushes += 1
                self.push_times = [*self.push_times[-9:], self._last_push]
        except Exception as exc:  # a failed read must not stop later pushes
            log.error("monitor push failed: %r", exc)
        finally:
            self._pushing = False
        if self._dirty:
            self.mark()

    def subscribe(self, name: str) -> None:
        self.subscribers.add(name)
        self._last_body.pop(name, None)

    def _team_of(self, name: str) -> str | None:
        for conn in self.relay.staff.get(name, ()):
            if conn.account is not None:
                return conn.account.team
        return None

    @staticmethod
    def scoped(frame: dict[str, Any], team: str | None) -> dict[str, Any]:
        """The snapshot as a supervisor of `team` may see it (None: every team): their
        team's chats and staff; the queue by region and the day's counts stay whole."""
        if team is None:
            return frame
        return {
            **frame,
            "chats": [c for c in frame["chats"] if c.get("team") == team],
            "staff": [s for s in frame["staff"] if s.get("team") == team],
        }

    @property
    def idle(self) -> bool:
        """No push scheduled or running (tests wait for this)."""
        return self._handle is None and not self._pushing

    async def snapshot(self) -> dict[str, Any]:
        """Everything the supervisor screen shows, as one `monitor` frame."""
        r = self.relay
        now = r.clock.now()
        regions: dict[str, list[LiveChat]] = {region: [] for region in (*REGIONS, UNKNOWN)}
        for chat in r.waiting.values():
            region = chat.intake.region if chat.intake.region in REGIONS else UNKNOWN
            regions[region].append(chat)
        mail = await stats.mail_due(r.db, now)
        return {
            "type": "monitor",
            "at": to_rfc3339(now),
            "regions": [
                {
                    "region": region,
                    "waiting": len(chats),
                    "since": to_rfc3339(min(c.since for c in chats)) if chats else None,
                }
                for region, chats in regions.items()
            ],
            "staff": [
                {**s, "cap": getattr(r.settings, "max_chats_per_counsellor", None)}
                for s in r.staff_list()
                if s["role"] in STAFF
            ],
            "chats": [
                {
                    "chat": c.id,
                    "counsellor": c.counsellor,
                    "name": r.aliases.get(c.counsellor or "", c.counsellor),
                    "team": chat_team(c),
                    "since": to_rfc3339(c.since),
                    "readers": sorted(c.readers),
                    "nickname": c.intake.nickname,
                    "region": c.intake.region,
                    "answered": _last_answer(c),
                    "awaiting": _at(alerts.awaiting_answer_since(c)),
                }
                for c in r.chats.values()
                if c.state == "assigned"
            ],
            "today": (await stats.today(r.db, now)).as_dict(),
            "mail": None if mail is None else {"due_today": mail[0], "overdue": mail[1]},
            "queue_history": await stats.queue_history(r.db, now, HISTORY_HOURS, HISTORY_STEP),
            "history_step": HISTORY_STEP,
            "history_hours": HISTORY_HOURS,
            "queue_max": await stats.queue_peak_since(r.db, now, HISTORY_HOURS),
        }


def _at(when: datetime | None) -> str | None:
    return None if when is None else to_rfc3339(when)


def _last_answer(chat: LiveChat) -> str | None:
    """When the chatter last got an answer (the newest counsellor message), if ever."""
    for m in reversed(chat.messages):
        if not m.from_chatter:
            return to_rfc3339(m.at)
    return None


def monitor_service(relay: RelayView) -> Monitor:
    return Monitor(cast("Relay", relay))


def monitor_of(relay: RelayView) -> Monitor:
    monitor = relay.service(Monitor)
    if monitor is None:
        raise OpError("unavailable", "monitor not running")
    return monitor


# -- the live monitor ----------------------------------------------------------------------


async def monitor_subscribe(ctx: OpContext, q: req.MonitorSubscribe) -> dict[str, Any]:
    """Start receiving `monitor` frames; the answer is the current snapshot."""
    monitor = monitor_of(ctx.relay)
    monitor.subscribe(ctx.caller.name)
    return monitor.scoped(await monitor.snapshot(), ctx.caller.team)


async def monitor_unsubscribe(ctx: OpContext, q: req.MonitorUnsubscribe) -> dict[str, Any]:
    monitor_of(ctx.relay).subscribers.discard(ctx.caller.name)
    return {"type": "monitor_unsubscribed"}


# -- stepping in: read along, private note -------------------------------------------------


def _live_assigned(ctx: OpContext, chat_id: str) -> LiveChat:
    chat = _relay(ctx).chats.get(chat_id)
    if chat is None or chat.state != "assigned" or chat.counsellor is None:
        raise OpError("not_found", chat=chat_id)
    if not in_scope(ctx.caller, chat_team(chat)):
        raise OpError("not_found", chat=chat_id)  # another team's chat: as if absent
    return chat


async def _audit(ctx: OpContext, action: str, obj: str, detail: str | None = None) -> None:
    at = ctx.clock.now()
    actor = ctx.caller.name

    async def job(tx: Tx) -> None:
        await audit.append(tx, at, actor, action, obj, detail=detail)

    await ctx.db.write(job)


async def read_along(ctx: OpContext, q: req.ReadAlong) -> dict[str, Any]:
    """Follow a chat read-only: history now, then `read_along_message` frames (audited)."""
    chat = _live_assigned(ctx, q.chat)
    await _audit(ctx, "chat.read_along", chat.id, detail=chat.counsellor)
    relay = _relay(ctx)
    if chat.state != "assigned":
        raise OpError("not_found", chat=chat.id)
    effects = relay.sb.read_along(chat, ctx.caller.name)
    board = ctx.relay.service(alerts.AlertBoard)
    if board is not None:
        board.acknowledge(chat)  # opening the read-along handles this chat's wait alert
    relay.carry_out(effects)
    relay.changed()
    log.info("read along chat=%s by=%s", chat.id, ctx.caller.name)
    return {
        "type": "read_along",
        "chat": chat.id,
        "counsellor": relay.aliases.get(chat.counsellor or "", chat.counsellor),
        "intake": chat.intake.as_dict(),
        "history": chat.history(),
    }


async def read_along_stop(ctx: OpContext, q: req.ReadAlongStop) -> dict[str, Any]:
    chat_id = q.chat
    relay = _relay(ctx)
    chat = relay.chats.get(chat_id)
    if chat is not None and ctx.caller.name in chat.readers:
        relay.carry_out(relay.sb.read_along_stop(chat, ctx.caller.name))
        relay.changed()
    return {"type": "read_along_stopped", "chat": chat_id}


async def note(ctx: OpContext, q: req.Note) -> dict[str, Any]:
    """A private note to the chat's counsellor; never stored, never sent to the chatter."""
    chat = _live_assigned(ctx, q.chat)
    text = q.text
    relay = _relay(ctx)
    if not relay.staff.get(chat.counsellor or ""):
        raise OpError("not_found", "counsellor offline", chat=chat.id)
    # Audited without its content: the note is a word between colleagues, not case data.
    await _audit(ctx, "chat.note", chat.id, detail=chat.counsellor)
    relay.to_counsellor(
        chat,
        {
            "type": "note",
            "chat": chat.id,
            "from": ctx.caller.display,
            "text": text,
            "at": to_rfc3339(ctx.clock.now()),
        },
    )
    return {"type": "note_sent", "chat": chat.id}


# -- emergency disclosure ------------------------------------------------------------------


def _refuse(exc: disclosure.DisclosureError, **extra: Any) -> OpError:
    return OpError(exc.code, **extra)


async def disclosure_request(ctx: OpContext, q: req.DisclosureRequest) -> dict[str, Any]:
    """A counsellor asks for the network address of their own chat, with a reason."""
    chat, reason = q.chat, q.reason
    try:
        request_id = await disclosure.request(
            ctx.db, ctx.clock.now(), ctx.caller.name, chat, reason
        )
    except disclosure.DisclosureError as exc:
        raise _refuse(exc, chat=chat) from None
    log.info("disclosure requested request=%s by=%s", request_id, ctx.caller.name)
    live = _relay(ctx).chats.get(chat)
    team = chat_team(live) if live is not None else ctx.caller.team
    frame = {
        "type": "disclosure_pending",
        "request": request_id,
        "chat": chat,
        "requested_by": ctx.caller.name,
        "requested_by_name": ctx.caller.display,
    }
    for conns in _relay(ctx).staff.values():
        for conn in conns:
            account = conn.account
            if account is not None and account.role in SUPERVISOR and in_scope(account, team):
                conn.send(dict(frame))
    _relay(ctx).changed()  # the supervisors' alert line counts open requests
    return {"type": "disclosure_requested", "request": request_id, "chat": chat}


async def disclosures(ctx: OpContext, q: req.Disclosures) -> dict[str, Any]:
    """Pending requests and those of the last two weeks."""
    found = await disclosure.open_requests(ctx.db, ctx.clock.now(), team=ctx.caller.team)
    names: dict[str, str] = {}
    requests = []
    for d in found:
        if d.requested_by not in names:
            account = await accounts.get_account(ctx.db, d.requested_by)
            names[d.requested_by] = account.display if account else d.requested_by
        requests.append({**d.as_dict(), "requested_by_name": names[d.requested_by]})
    return {"type": "disclosures", "requests": requests}


async def disclosure_decide(ctx: OpContext, q: req.DisclosureDecide) -> dict[str, Any]:
    """Approve or refuse a request of someone else."""
    request_id, approve = q.request, q.approve
    try:
        requester = await disclosure.decide(
            ctx.db, ctx.clock.now(), ctx.caller.name, request_id, approve, ctx.caller.team
        )
    except disclosure.DisclosureError as exc:
        raise _refuse(exc, request=request_id) from None
    log.info("disclosure %s request=%s", "approved" if approve else "refused", request_id)
    frame = {"type": "disclosure_decided", "request": request_id, "approved": approve}
    ctx.relay.send_to_staff(requester, frame)
    _relay(ctx).changed()  # one open request fewer for the alert line
    return frame


async def disclosure_view(ctx: OpContext, q: req.DisclosureView) -> dict[str, Any]:
    """The approving supervisor sees the address, once."""
    request_id = q.request
    try:
        chat, address = await disclosure.view(
            ctx.db, ctx.clock.now(), ctx.caller.name, request_id, ctx.caller.team
        )
    except disclosure.DisclosureError as exc:
        raise _refuse(exc, request=request_id) from None
    log.info("disclosure viewed request=%s", request_id)
    return {"type": "disclosure_address", "request": request_id, "chat": chat, "address": address}


# -- phone contacts ------------------------------------------------------------------------


def _day(ctx: OpContext, text: str | None) -> date:
    today = ctx.clock.now().astimezone(BRUSSELS).date()
    if text is None:
        return today
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise BadRequest("bad.field", "date") from None
    if day > today or day < today - timedelta(days=366):
        raise BadRequest("bad.field", "date")
    return day


def _theme(value: str | UnsetType, themes: tuple[str, ...]) -> str:
    if isinstance(value, UnsetType):
        return UNKNOWN
    if value not in themes:
        raise BadRequest("bad.field", "theme")
    return value


async def phone_contact(ctx: OpContext, q: req.PhoneContact) -> dict[str, Any]:
    """Register a phone call: date, minutes, region, age band, gender, theme; no content."""
    themes = (*taxonomy(ctx.settings.themes), UNKNOWN)
    contact = phone.PhoneContact(
        id=phone.new_id(),
        day=_day(ctx, q.date),
        minutes=q.minutes,
        region=q.region or UNKNOWN,
        age_band=q.age_band or UNKNOWN,
        gender=q.gender or UNKNOWN,
        theme=_theme(q.theme, themes),
    )
    await phone.register(ctx.db, ctx.clock.now(), ctx.caller.name, contact)
    return {"type": "phone_contact_saved", "id": contact.id, "date": contact.day.isoformat()}


OPERATIONS: tuple[Operation[Any], ...] = (
    Operation(req.MonitorSubscribe, SUPERVISOR, monitor_subscribe),
    Operation(req.MonitorUnsubscribe, SUPERVISOR, monitor_unsubscribe),
    Operation(req.ReadAlong, SUPERVISOR, read_along),
    Operation(req.ReadAlongStop, SUPERVISOR, read_along_stop),
    Operation(req.Note, SUPERVISOR, note),
    Operation(req.DisclosureRequest, STAFF, disclosure_request),
    Operation(req.Disclosures, SUPERVISOR, disclosures),
    Operation(req.DisclosureDecide, SUPERVISOR, disclosure_decide),
    Operation(req.DisclosureView, SUPERVISOR, disclosure_view),
    Operation(req.PhoneContact, STAFF, phone_contact),
)
SERVICES: tuple[ServiceFactory, ...] = (monitor_service,)
