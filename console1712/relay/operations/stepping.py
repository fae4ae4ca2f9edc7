"""Supervisors in control: take over or reassign a live chat, and a counsellor giving a chat
back to the queue (the quit dialog). Frames: docs/protocol.md, "Stepping in".

Supervision is scoped to the supervisor's team like mail and dossiers: a chat belongs to
the team that accepted it (while waiting, to the region the chatter gave); a supervisor
without a team covers all teams.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, cast

from console1712.domain.vocabulary import STAFF_ROLES
from console1712.protocol import operations as req
from console1712.protocol.frames import BadRequest
from console1712.relay.live import LiveChat
from console1712.relay.operations import STAFF, SUPERVISOR, OpContext, Operation, OpError
from console1712.relay.switchboard import REASSIGN, TAKE_OVER
from console1712.store.accounts import Account

if TYPE_CHECKING:
    from console1712.relay.server import Relay

log = logging.getLogger("console1712.supervision")


def _relay(ctx: OpContext) -> Relay:
    # Stepping in works on the live chats, which only the relay itself holds.
    return cast("Relay", ctx.relay)


def chat_team(chat: LiveChat) -> str | None:
    """The team a live chat belongs to: the accepting team, else the chatter's region."""
    return chat.team if chat.team is not None else chat.intake.region


def in_scope(caller: Account, team: str | None) -> bool:
    """Whether `caller` may supervise what belongs to `team` (no team: every team)."""
    return caller.team is None or team == caller.team


def live_chat(ctx: OpContext, chat_id: str) -> LiveChat:
    """A chat that is waiting or assigned and in the caller's scope (else not_found)."""
    chat = _relay(ctx).chats.get(chat_id)
    if chat is None or chat.state not in ("waiting", "assigned") or chat.hold:
        raise OpError("not_found", chat=chat_id)
    if not in_scope(ctx.caller, chat_team(chat)):
        # Out of scope looks like absent: no hint that the chat exists elsewhere.
        raise OpError("not_found", chat=chat_id)
    return chat


async def take_over(ctx: OpContext, q: req.TakeOver) -> dict[str, Any]:
    """The supervisor becomes the chat's counsellor: `assigned` to them, `released` (with
    `by`) to the counsellor, `joined` with the supervisor's alias to the chatter."""
    chat = live_chat(ctx, q.chat)
    if chat.counsellor == ctx.caller.name:
        raise BadRequest("bad.self", "chat")
    relay = _relay(ctx)
    if not await relay.hand_over(chat, ctx.caller, ctx.caller.name, TAKE_OVER):
        raise OpError("not_found", chat=chat.id)
    return {"type": "taken_over", "chat": chat.id}


async def reassign(ctx: OpContext, q: req.Reassign) -> dict[str, Any]:
    """Give a live chat to a logged-in counsellor (or supervisor) `to`."""
    to = q.to
    chat = live_chat(ctx, q.chat)
    relay = _relay(ctx)
    conns = [c for c in relay.staff.get(to, ()) if c.account is not None]
    target = conns[0].account if conns else None
    if target is None or target.role not in STAFF_ROLES:
        raise OpError("not_found", chat=chat.id, to=to)
    if chat.counsellor == target.name:
        raise BadRequest("bad.self", "to")
    if not await relay.hand_over(chat, target, ctx.caller.name, REASSIGN):
        raise OpError("not_found", chat=chat.id)
    return {"type": "reassigned", "chat": chat.id, "to": target.name}


async def chat_return(ctx: OpContext, q: req.ChatReturn) -> dict[str, Any]:
    """A counsellor gives one of their chats back to the front of the queue (quitting)."""
    chat_id = q.chat
    relay = _relay(ctx)
    chat = relay.chats.get(chat_id)
    if chat is None or chat.state != "assigned" or chat.counsellor != ctx.caller.name:
        raise OpError("not_assigned", chat=chat_id)
    # Their consoles get `released` (the switchboard's requeue of a chat given back).
    await relay.requeue(chat, "returned", actor=ctx.caller.name)
    return {"type": "chat_returned", "chat": chat_id}


OPERATIONS: tuple[Operation[Any], ...] = (
    Operation(req.TakeOver, SUPERVISOR, take_over),
    Operation(req.Reassign, SUPERVISOR, reassign),
    Operation(req.ChatReturn, STAFF, chat_return),
)
