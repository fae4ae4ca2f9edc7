"""Alerts that stay until handled (supervisors): what needs a supervisor now, on every screen.

The relay computes, for each logged-in supervisor and within their team scope, a list of
alert items `{"kind", "chat", "request", "since"}` and pushes `{"type":"alerts","items":[...]}`
when that list changes (and to each console once after login). An item goes away only when
it is handled: a request decided, a returned chat accepted or taken over, a chat answered
or read along in; it never fades with time. A new kind of alert is one entry in KINDS: a
function from the relay and the time to the items of that kind (with the team they belong
to, for scoping).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import weakref
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from console1712.clock import to_rfc3339
from console1712.relay.live import LiveChat
from console1712.relay.operations import SUPERVISOR, RelayView, ServiceFactory
from console1712.relay.operations.stepping import chat_team, in_scope

if TYPE_CHECKING:
    from console1712.relay.connections import StaffConn
    from console1712.relay.server import Relay

log = logging.getLogger("console1712.supervision")

TICK = 1.0  # seconds (real time) between re-checks of what turns into an alert with time
INTERVAL = 0.25  # seconds: at most one round of pushes each INTERVAL
REPLY_FACTOR = 3  # a chatter waits reply_alert_s x 3 for an answer before supervisors hear

# (team the item belongs to, for scoping; the item)
Item = tuple[str | None, dict[str, Any]]
Kind = Callable[["Relay", datetime, "AlertBoard"], Awaitable[list[Item]]]
KINDS: dict[str, Kind] = {}


def kind(name: str) -> Callable[[Kind], Kind]:
    """Register the items of one alert kind (one entry per kind)."""

    def register(fn: Kind) -> Kind:
        KINDS[name] = fn
        return fn

    return register


def _item(kind_: str, chat: LiveChat | None, since: datetime, **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"kind": kind_, "since": to_rfc3339(since), **extra}
    if chat is not None:
        entry["chat"] = chat.id
        entry["nickname"] = chat.intake.nickname
        entry["region"] = chat.intake.region
    return entry


def awaiting_answer_since(chat: LiveChat) -> datetime | None:
    """Since when the chatter has been waiting for an answer (their first message after
    the counsellor's last one, or after the accept); None when nothing is unanswered."""
    since = None
    for m in reversed(chat.messages):
        if not m.from_chatter:
            break
        since = m.at
    return since


@kind("disclosure")
async def _disclosures(relay: Relay, now: datetime, board: AlertBoard) -> list[Item]:
    rows = await relay.db.fetchall(
        "SELECT d.id, d.chat, d.requested_at, c.team FROM disclosures d"
        " LEFT JOIN chats c ON c.id = d.chat WHERE d.status = 'pending'"
        " ORDER BY d.requested_at LIMIT 100"
    )
    items: list[Item] = []
    for r in rows:
        entry = {"kind": "disclosure", "request": r["id"], "since": r["requested_at"]}
        live = relay.chats.get(r["chat"])
        if live is not None:
            entry.update(chat=live.id, nickname=live.intake.nickname, region=live.intake.region)
        items.append((r["team"], entry))
    return items


@kind("help")
async def _help(relay: Relay, now: datetime, board: AlertBoard) -> list[Item]:
    """A counsellor asked for a supervisor (ctrl+x): until one answers (operations/help.py)."""
    from console1712.relay.operations.help import HelpDesk

    desk = relay.service(HelpDesk)
    if desk is None:
        return []
    items: list[Item] = []
    for r in sorted(desk.requests.values(), key=lambda r: (r.at, r.id)):
        name = relay.aliases.get(r.counsellor, r.counsellor)
        entry = _item("help", relay.chats.get(r.chat), r.at, request=r.id, counsellor=name)
        items.append((r.team, entry))
    return items


@kind("returned")
async def _returned(relay: Relay, now: datetime, board: AlertBoard) -> list[Item]:
    items: list[Item] = []
    for chat in relay.chats.values():
        if chat.state == "waiting" and chat.returned:
            items.append((chat_team(chat), _item("returned", chat, chat.since)))
        elif chat.state == "assigned" and chat.orphaned_at is not None:
            items.append((chat_team(chat), _item("orphaned", chat, chat.orphaned_at)))
    return items


@kind("reply")
async def _reply(relay: Relay, now: datetime, board: AlertBoard) -> list[Item]:
    limit = timedelta(seconds=relay.settings.reply_alert_s * REPLY_FACTOR)
    items: list[Item] = []
    for chat in relay.chats.values():
        if chat.state != "assigned":
            continue
        since = awaiting_answer_since(chat)
        if since is not None and now - since >= limit and not board.acked(chat.id, since):
            name = relay.aliases.get(str(chat.counsellor), chat.counsellor)
            items.append((chat_team(chat), _item("reply", chat, since, counsellor=name)))
    return items


@kind("queue")
async def _queue(relay: Relay, now: datetime, board: AlertBoard) -> list[Item]:
    limit = timedelta(seconds=relay.settings.queue_alert_s)
    longest = next(iter(relay.waiting.values()), None)
    if longest is not None and longest.returned:  # front of the queue, not the longest wait
        longest = min(relay.waiting.values(), key=lambda c: c.since)
    if longest is None or now - longest.since < limit or board.acked(longest.id, longest.since):
        return []
    # The queue is every team's: counsellors serve their region first, others help out.
    return [(None, _item("queue", longest, longest.since))]


class AlertBoard:
    """Computes and pushes each supervisor's alert list (coalesced, only on change)."""

    def __init__(self, relay: Relay) -> None:
        self.relay = relay
        self.pushes = 0  # frames pushed (tests)
        self._sent: weakref.WeakKeyDictionary[StaffConn, str] = weakref.WeakKeyDictionary()
        self._acks: set[tuple[str, str]] = set()  # (chat, since) a supervisor acted on
        self._handle: asyncio.TimerHandle | None = None
        self._pushing = False
        self._dirty = False
        self._last = -1e9
        self._ticker: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.relay.watchers.append(self.mark)
        self._ticker = asyncio.create_task(self._tick(), name="alerts-tick")

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

    def acked(self, chat: str, since: datetime) -> bool:
        return (chat, to_rfc3339(since)) in self._acks

    def acknowledge(self, chat: LiveChat) -> None:
        """A supervisor acted on this chat (read along): its wait alerts are handled."""
        for since in (awaiting_answer_since(chat), chat.since):
            if since is not None:
                self._acks.add((chat.id, to_rfc3339(since)))
        self.mark()

    def mark(self) -> None:
        """Something changed: push soon, at most one push each INTERVAL (coalesced)."""
        if self.relay.stopping:
            return
        if self._pushing:
            self._dirty = True
            return
        if self._handle is not None:
            return
        loop = asyncio.get_running_loop()
        delay = max(0.0, self._last + INTERVAL - loop.time())
        self._handle = loop.call_later(delay, self._fire)

    def _fire(self) -> None:
        self._handle = None
        if not self.relay.stopping:
            self.relay.spawn(self._run())

    async def _run(self) -> None:
        self._pushing, self._dirty = True, False
        try:
            await self.push()
        finally:
            self._pushing = False
            self._last = asyncio.get_running_loop().time()
        if self._dirty:
            self.mark()

    async def push(self) -> None:
        """Send each supervisor console its current list if it differs from the last sent."""
        consoles = [
            c
            for conns in self.relay.staff.values()
            for c in conns
            if c.account is not None and c.account.role in SUPERVISOR
        ]
        if not consoles:
            return
        try:
            found = await self.items()
        except Exception as exc:  # a failed read must not stop later pushes
            log.error("alerts failed: %r", exc)
            return
        live = {c.id for c in self.relay.chats.values()}
        self._acks = {a for a in self._acks if a[0] in live}
        for conn in consoles:
            account = conn.account
            assert account is not None
            items = [item for team, item in found if team is None or in_scope(account, team)]
            body = json.dumps(items, sort_keys=True)
            if self._sent.get(conn) != body:
                self._sent[conn] = body
                self.pushes += 1
                conn.send({"type": "alerts", "items": items})

    async def items(self) -> list[Item]:
        now = self.relay.clock.now()
        found: list[Item] = []
        for fn in KINDS.values():
            found.extend(await fn(self.relay, now, self))
        return found


def alerts_service(relay: RelayView) -> AlertBoard:
    return AlertBoard(cast("Relay", relay))


SERVICES: tuple[ServiceFactory, ...] = (alerts_service,)
