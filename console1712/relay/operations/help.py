"""Ask a supervisor (docs/protocol.md, "Ask a supervisor"): a counsellor calls for help on
one of their chats; every logged-in supervisor of the chat's team (and those without a
team) gets a persistent alert naming the counsellor and chat; one answers (and reads
along); unanswered after RING_AFTER seconds of the relay's clock it rings again.

Open requests live in the relay's memory with the chat they are about: they end with an
answer, with the chat, or with a relay restart (the counsellor can ask again).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from console1712.clock import to_rfc3339
from console1712.i18n import t
from console1712.protocol import operations as req
from console1712.relay.operations import (
    STAFF,
    SUPERVISOR,
    OpContext,
    Operation,
    OpError,
    RelayView,
    ServiceFactory,
)
from console1712.store import audit
from console1712.store.db import Tx

if TYPE_CHECKING:
    from console1712.relay.server import Relay

log = logging.getLogger("console1712.help")

RING_AFTER = 120  # seconds (relay clock) before an unanswered request rings again
CHECK_EVERY = 0.25  # seconds of real time between looks at the clock


@dataclass
class HelpRequest:
    """One open call for help on a chat."""

    id: str
    chat: str
    counsellor: str
    team: str | None
    at: datetime
    rung_at: datetime
    rings: int = 1


class HelpDesk:
    """The relay's open help requests, and the re-ring loop (a relay service)."""

    def __init__(self, relay: Relay, *, check_every: float = CHECK_EVERY) -> None:
        self.relay = relay
        self.check_every = check_every
        self.requests: dict[str, HelpRequest] = {}
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="help-rings")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def entry(self, r: HelpRequest) -> dict[str, Any]:
        return {
            "request": r.id,
            "chat": r.chat,
            "counsellor": r.counsellor,
            "name": self.relay.aliases.get(r.counsellor, r.counsellor),
            "team": r.team,
            "at": to_rfc3339(r.at),
            "rings": r.rings,
        }

    def visible(self, team: str | None) -> list[dict[str, Any]]:
        """Open requests a supervisor of `team` covers (no team: every team), oldest first."""
        return [
            self.entry(r)
            for r in sorted(self.requests.values(), key=lambda r: (r.at, r.id))
            if team is None or r.team == team
        ]

    def push(self, *, ring: bool) -> None:
        """Send every logged-in supervisor the open requests they cover; the alert line
        (relay/operations/alerts.py) counts them too, until one is answered."""
        self.relay.changed()
        for conns in list(self.relay.staff.values()):
            for conn in conns:
                account = conn.account
                if account is None or account.role != "supervisor":
                    continue
                conn.send(
                    {"type": "help_requests", "requests": self.visible(account.team), "ring": ring}
                )

    def prune(self) -> bool:
        """Drop requests whose chat ended or left the counsellor; True if any went."""
        gone = [
            r.id
            for r in self.requests.values()
            if (chat := self.relay.chats.get(r.chat)) is None
            or chat.state != "assigned"
            or chat.counsellor != r.counsellor
        ]
        for request_id in gone:
            del self.requests[request_id]
        return bool(gone)

    def tick(self) -> None:
        """Re-ring what waited RING_AFTER seconds unanswered; drop what no longer applies."""
        changed = self.prune()
        now = self.relay.clock.now()
        wait = timedelta(seconds=RING_AFTER)
        due = [r for r in self.requests.values() if now - r.rung_at >= wait]
        for r in due:
            r.rung_at = now
            r.rings += 1
            log.info("help request %s rings again (%d)", r.id, r.rings)
        if due or changed:
            self.push(ring=bool(due))

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.check_every)
            try:
                self.tick()
            except Exception:  # the loop must outlive a bad moment
                log.exception("help request check failed")


def help_service(relay: RelayView) -> HelpDesk:
    return HelpDesk(cast("Relay", relay))


def desk_of(ctx: OpContext) -> HelpDesk:
    desk = ctx.relay.service(HelpDesk)
    if desk is None:
        raise OpError("unavailable", "help desk not running")
    return desk


async def _audit(ctx: OpContext, action: str, obj: str, detail: str | None = None) -> None:
    at = ctx.clock.now()

    async def job(tx: Tx) -> None:
        await audit.append(tx, at, ctx.caller.name, action, obj, detail=detail)

    await ctx.db.write(job)


async def help_request(ctx: OpContext, q: req.HelpRequest) -> dict[str, Any]:
    """Ask the supervisors for help on one of the caller's open chats."""
    chat_id = q.chat
    desk = desk_of(ctx)
    chat = desk.relay.chats.get(chat_id)
    if chat is None or chat.state != "assigned" or chat.counsellor != ctx.caller.name:
        raise OpError("not_assigned", t("help.err.not_assigned", "nl"), chat=chat_id)
    desk.prune()
    existing = next((r for r in desk.requests.values() if r.chat == chat_id), None)
    if existing is None:
        now = ctx.clock.now()
        existing = HelpRequest(
            "h_" + secrets.token_urlsafe(6), chat_id, ctx.caller.name, chat.team, now, now
        )
        desk.requests[existing.id] = existing
        await _audit(ctx, "chat.help_request", chat_id)
        log.info("help request %s chat=%s by=%s", existing.id, chat_id, ctx.caller.name)
    desk.push(ring=True)
    supervisors = sum(
        1
        for conns in desk.relay.staff.values()
        for conn in conns
        if conn.account is not None
        and conn.account.role == "supervisor"
        and conn.account.team in (None, chat.team)
    )
    return {
        "type": "help_request_sent",
        "request": existing.id,
        "chat": chat_id,
        "supervisors": supervisors,
    }


async def help_requests(ctx: OpContext, q: req.HelpRequests) -> dict[str, Any]:
    """The open requests the caller covers (a console asks after it connects)."""
    desk = desk_of(ctx)
    desk.prune()
    return {"type": "help_requests", "requests": desk.visible(ctx.caller.team), "ring": False}


async def help_answer(ctx: OpContext, q: req.HelpAnswer) -> dict[str, Any]:
    """Take a request: the counsellor is told who comes; the console then reads along."""
    request_id = q.request
    desk = desk_of(ctx)
    desk.prune()
    found = desk.requests.get(request_id)
    if found is None or (ctx.caller.team is not None and found.team != ctx.caller.team):
        # Gone: answered by a colleague, or the chat ended.
        raise OpError("not_found", t("help.err.gone", "nl"), request=request_id)
    del desk.requests[request_id]
    await _audit(ctx, "chat.help_answer", found.chat, detail=found.counsellor)
    alias = desk.relay.aliases.get(ctx.caller.name, ctx.caller.name)
    ctx.relay.send_to_staff(
        found.counsellor,
        {"type": "help_answered", "request": found.id, "chat": found.chat, "by": alias},
    )
    desk.push(ring=False)
    log.info("help request %s answered by %s", found.id, ctx.caller.name)
    return {"type": "help_answered", "request": found.id, "chat": found.chat, "by": alias}


OPERATIONS: tuple[Operation[Any], ...] = (
    Operation(req.HelpRequest, STAFF, help_request),
    Operation(req.HelpRequests, SUPERVISOR, help_requests),
    Operation(req.HelpAnswer, SUPERVISOR, help_answer),
)
SERVICES: tuple[ServiceFactory, ...] = (help_service,)
