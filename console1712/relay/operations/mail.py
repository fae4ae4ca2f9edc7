"""Staff operations of the mail helpline (request/answer pairs with `ref`, docs/protocol.md).

Scope: a counsellor or supervisor with a team sees that team's threads and the
unassigned pool; a supervisor without a team sees every team; a counsellor without a
team sees the pool only. Admins are refused by the relay (roles STAFF): no content.
"""

from __future__ import annotations

import logging
from typing import Any

from console1712.clock import to_rfc3339
from console1712.protocol import operations as req
from console1712.relay.operations import STAFF, OpContext, Operation, OpError
from console1712.relay.services.mail_send import (
    Original,
    SendError,
    build_reply,
    deliver,
    message_id_of,
)
from console1712.store import audit
from console1712.store import mail as store
from console1712.store.accounts import Account
from console1712.store.mail import MailMessage, MailStateError, MailThread

log = logging.getLogger("console1712.mail")

MAX_SHOWN = 100_000  # characters of one message's text sent to a console
MAX_SHOWN_TOTAL = 300_000  # characters of a whole thread (frames stay well under 1 MiB)


def scope(caller: Account) -> list[str] | None:
    """The teams a caller sees besides the pool; None means every team."""
    if caller.team:
        return [caller.team]
    return None if caller.role == "supervisor" else []


def may_see(caller: Account, thread: MailThread) -> bool:
    teams = scope(caller)
    return teams is None or thread.team is None or thread.team in teams


def thread_entry(thread: MailThread, now: Any) -> dict[str, Any]:
    """One thread as listed: no body, and no content at all once forgotten."""
    return {
        "thread": thread.id,
        "sender": thread.sender,
        "sender_name": thread.sender_name,
        "subject": thread.subject,
        "received": to_rfc3339(thread.last_in_at),
        "created_at": to_rfc3339(thread.created_at),
        "due_at": None if thread.due_at is None else to_rfc3339(thread.due_at),
        "status": thread.status,
        "overdue": thread.overdue(now),
        "team": thread.team,
        "claimed_by": thread.claimed_by,
        "count": thread.count,
    }


def message_entry(m: MailMessage, budget: int) -> tuple[dict[str, Any], int]:
    """One message for a console, its text cut to what the frame budget allows."""
    text = m.body
    truncated = False
    if text is not None:
        allowed = max(0, min(MAX_SHOWN, budget))
        if len(text) > allowed:
            text, truncated = text[:allowed], True
        budget -= len(text)
    h = m.headers
    entry = {
        "id": m.id,
        "direction": m.direction,
        "at": to_rfc3339(m.at),
        "from": h.get("from"),
        "from_name": h.get("from_name"),
        "to": h.get("to", []),
        "cc": h.get("cc", []),
        "subject": h.get("subject"),
        "date": h.get("date"),
        "text": text,
        "truncated": truncated,
        "html_only": bool(h.get("html_only", False)),
        "attachments": m.attachments,
        "flags": m.flags,
        "size": m.size,
        "sent_by": m.sent_by,
    }
    return entry, budget


async def _visible(ctx: OpContext, tid: str) -> MailThread:
    thread = await store.get_thread(ctx.db, tid)
    if thread is None or not may_see(ctx.caller, thread):
        # Another team's thread is answered as unknown: its existence is not theirs to know.
        raise OpError("not_found")
    return thread


def _refuse(exc: MailStateError) -> OpError:
    return OpError(exc.code, **exc.extra)


def _changed(ctx: OpContext, thread: MailThread | None, tid: str, status: str) -> None:
    ctx.relay.broadcast_staff(
        {
            "type": "mail_changed",
            "thread": tid,
            "status": status,
            "team": None if thread is None else thread.team,
            "claimed_by": None if thread is None else thread.claimed_by,
        },
        STAFF,
    )


async def mail_threads(ctx: OpContext, q: req.MailThreads) -> dict[str, Any]:
    """List threads: filter open (default) / answered / overdue / all."""
    which = q.filter or "open"
    now = ctx.clock.now()
    threads = await store.list_threads(ctx.db, now, which, scope(ctx.caller))
    return {
        "type": "mail_threads",
        "filter": which,
        "threads": [thread_entry(t, now) for t in threads],
    }


async def mail_thread(ctx: OpContext, q: req.MailThread) -> dict[str, Any]:
    """Open one thread: every message with headers, text and attachment list. Audited."""
    thread = await _visible(ctx, q.thread)
    messages = await store.thread_messages(ctx.db, thread.id)
    await audit.record(ctx.db, ctx.clock, ctx.caller.name, "mail.open", thread.id)
    budget = MAX_SHOWN_TOTAL
    entries: list[dict[str, Any]] = []
    # Newest first gets the budget: that is what a counsellor answers.
    for m in reversed(messages):
        entry, budget = message_entry(m, budget)
        entries.append(entry)
    entries.reverse()
    return {
        "type": "mail_thread",
        "thread": thread_entry(thread, ctx.clock.now()),
        "messages": entries,
    }


async def mail_claim(ctx: OpContext, q: req.MailClaim) -> dict[str, Any]:
    """Take a thread on; an unassigned one moves to the caller's team."""
    thread = await _visible(ctx, q.thread)
    try:
        claimed = await store.claim(ctx.db, ctx.clock, thread.id, ctx.caller.name, ctx.caller.team)
    except MailStateError as exc:
        raise _refuse(exc) from None
    _changed(ctx, claimed, claimed.id, claimed.status)
    return {"type": "mail_claimed", "thread": thread_entry(claimed, ctx.clock.now())}


def _original(thread: MailThread, messages: list[MailMessage]) -> Original:
    incoming = [m for m in messages if m.direction == "in" and m.body is not None]
    if not incoming:
        raise OpError("not_found", "nothing to answer")
    last = incoming[-1]
    h = last.headers
    refs = h.get("references") or []
    return Original(
        sender=str(h.get("reply_to") or h.get("from") or thread.sender or ""),
        sender_name=str(h.get("from_name") or ""),
        subject=str(h.get("subject") or thread.subject or ""),
        message_id=last.message_id,
        references=[str(r) for r in refs],
        received=last.at,
        text=last.body or "",
    )


async def mail_reply(ctx: OpContext, q: req.MailReply) -> dict[str, Any]:
    """Send a reply (original quoted) and store it in the thread; marks it answered."""
    thread = await _visible(ctx, q.thread)
    text, answered = q.text, q.answered
    if thread.status == "forgotten":
        raise OpError("forgotten")
    if thread.claimed_by not in (None, ctx.caller.name):
        raise OpError("taken", claimed_by=thread.claimed_by)
    original = _original(thread, await store.thread_messages(ctx.db, thread.id))
    if "@" not in original.sender:
        raise OpError("no_address", "the writer left no address to answer")
    now = ctx.clock.now()
    msg = build_reply(ctx.settings, original, text, now)
    try:
        delivery = await deliver(ctx.settings, msg, ctx.db.keys)
    except SendError as exc:
        raise OpError("send_failed", exc.detail, reason=exc.reason) from None
    except OSError:
        log.exception("outbox not writable")
        raise OpError("send_failed", "outbox") from None
    mid = message_id_of(msg)
    headers = {
        "from": ctx.settings.mail_from,
        "from_name": "",
        "to": [original.sender],
        "cc": [],
        "subject": str(msg["Subject"]),
        "date": to_rfc3339(now),
        "message_id": mid,
        "in_reply_to": [original.message_id] if original.message_id else [],
        "references": [str(r).strip("<>") for r in str(msg.get("References", "")).split()],
    }
    body = msg.get_content()
    try:
        stored = await store.store_outgoing(
            ctx.db,
            ctx.clock,
            thread.id,
            ctx.caller.name,
            ctx.caller.team,
            mid,
            headers,
            str(body),
            len(msg.as_bytes()),
            delivery,
            answered=True if answered is None else answered,
        )
    except MailStateError as exc:
        if delivery == "outbox":
            # Taken or forgotten meanwhile: a reply that is not stored is not kept either.
            store.remove_outbox(ctx.settings.outbox_path, [store.msgid_hash(ctx.db, mid)])
        raise _refuse(exc) from None
    after = await store.get_thread(ctx.db, thread.id)
    _changed(ctx, after, thread.id, after.status if after else "answered")
    return {
        "type": "mail_sent",
        "thread": thread.id,
        "message": stored,
        "delivery": delivery,
        "status": after.status if after else "answered",
    }


async def mail_answered(ctx: OpContext, q: req.MailAnswered) -> dict[str, Any]:
    """Mark a thread answered without sending (answered another way)."""
    thread = await _visible(ctx, q.thread)
    try:
        await store.mark_answered(ctx.db, ctx.clock, thread.id, ctx.caller.name)
    except MailStateError as exc:
        raise _refuse(exc) from None
    _changed(ctx, thread, thread.id, "answered")
    return {"type": "mail_answered", "thread": thread.id, "status": "answered"}


async def mail_forget(ctx: OpContext, q: req.MailForget) -> dict[str, Any]:
    """ "Do not retain": delete the thread's content now; counts and dates stay."""
    thread = await _visible(ctx, q.thread)
    try:
        await store.forget(ctx.db, ctx.clock, thread.id, ctx.caller.name, ctx.settings.outbox_path)
    except MailStateError as exc:
        raise _refuse(exc) from None
    _changed(ctx, thread, thread.id, "forgotten")
    return {"type": "mail_forgotten", "thread": thread.id, "status": "forgotten"}


OPERATIONS: tuple[Operation[Any], ...] = (
    Operation(req.MailThreads, STAFF, mail_threads),
    Operation(req.MailThread, STAFF, mail_thread),
    Operation(req.MailClaim, STAFF, mail_claim),
    Operation(req.MailReply, STAFF, mail_reply),
    Operation(req.MailAnswered, STAFF, mail_answered),
    Operation(req.MailForget, STAFF, mail_forget),
)
