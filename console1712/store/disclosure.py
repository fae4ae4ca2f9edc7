"""Emergency disclosure of a chat's network address (policy 2.6), with four-eyes approval.

A counsellor asks for the address of one of their own chats with a reason; a different
supervisor approves or refuses; the approving supervisor may see the address once. Each
step, refusals included, is in the audit log in the same transaction as the change. A chat
past its retention period (6 months after it ended) is refused, also when not yet purged.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from console1712.clock import from_rfc3339, to_rfc3339
from console1712.domain.retention import chat_cutoff
from console1712.store import audit
from console1712.store.db import Database, Tx


class DisclosureError(Exception):
    """A refused step; `code` is the protocol error code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Disclosure:
    """One request as a supervisor sees it (reason opened)."""

    id: str
    chat: str
    requested_by: str
    requested_at: datetime
    reason: str
    status: str
    decided_by: str | None
    viewed: bool
    # the chat, so that a supervisor recognises it without ids (None once purged)
    nickname: str | None = None
    region: str | None = None
    chat_since: datetime | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "nickname": self.nickname,
            "region": self.region,
            "chat_since": None if self.chat_since is None else to_rfc3339(self.chat_since),
            "request": self.id,
            "chat": self.chat,
            "requested_by": self.requested_by,
            "at": to_rfc3339(self.requested_at),
            "reason": self.reason,
            "status": self.status,
            "decided_by": self.decided_by,
            "viewed": self.viewed,
        }


def new_id() -> str:
    return "x_" + secrets.token_urlsafe(9)


async def _chat_row(tx: Tx, chat: str) -> tuple[str | None, str, bytes | None, str] | None:
    row = await tx.fetchone(
        "SELECT counsellor, state, address, COALESCE(ended_at, since) AS last FROM chats"
        " WHERE id = ?",
        (chat,),
    )
    if row is None:
        return None
    return row["counsellor"], row["state"], row["address"], row["last"]


def _past_retention(last: str, now: datetime) -> bool:
    return from_rfc3339(last) < chat_cutoff(now)


async def _out_of_scope(tx: Tx, chat: str, team: str | None) -> bool:
    """Whether a supervisor of `team` (None: every team) may not handle this chat's request."""
    if team is None:
        return False
    row = await tx.fetchone("SELECT team FROM chats WHERE id = ?", (chat,))
    return row is None or row["team"] != team


async def _refused(tx: Tx, at: datetime, actor: str, action: str, obj: str, code: str) -> None:
    await audit.append(tx, at, actor, action, obj, outcome="refused", detail=code)


async def request(db: Database, at: datetime, by: str, chat: str, reason: str) -> str:
    """A counsellor asks for the address of their own chat; returns the request id."""
    request_id = new_id()

    async def job(tx: Tx) -> str | None:
        info = await _chat_row(tx, chat)
        if info is None or info[0] != by:
            await _refused(tx, at, by, "disclosure.request", chat, "not_found")
            return "not_found"
        if info[2] is None or _past_retention(info[3], at):
            await _refused(tx, at, by, "disclosure.request", chat, "expired")
            return "expired"
        pending = await tx.fetchone(
            "SELECT id FROM disclosures WHERE chat = ? AND status = 'pending'", (chat,)
        )
        if pending is not None:
            # One open request per chat: a second one would ask two supervisors at once.
            await _refused(tx, at, by, "disclosure.request", chat, "pending")
            return "pending"
        await tx.execute(
            "INSERT INTO disclosures (id, chat, requested_by, requested_at, reason, status)"
            " VALUES (?, ?, ?, ?, ?, 'pending')",
            (
                request_id,
                chat,
                by,
                to_rfc3339(at),
                tx.keys.seal(reason, "disclosures", "reason", request_id),
            ),
        )
        detail = json.dumps({"chat": chat, "reason": reason}, ensure_ascii=False)
        await audit.append(tx, at, by, "disclosure.request", request_id, detail=detail)
        return None

    code = await db.write(job)
    if code is not None:
        raise DisclosureError(code)
    return request_id


async def decide(
    db: Database,
    at: datetime,
    by: str,
    request_id: str,
    approve: bool,
    team: str | None = None,
) -> str:
    """A supervisor (of `team`; None: every team) approves or refuses a pending request
    (never their own); returns the requester."""
    action = "disclosure.approve" if approve else "disclosure.refuse"

    async def job(tx: Tx) -> tuple[str | None, str]:
        row = await tx.fetchone(
            "SELECT chat, requested_by, status FROM disclosures WHERE id = ?", (request_id,)
        )
        if row is None:
            return "not_found", ""
        if await _out_of_scope(tx, row["chat"], team):
            await _refused(tx, at, by, action, request_id, "not_found")
            return "not_found", ""
        if row["requested_by"] == by:
            await _refused(tx, at, by, action, request_id, "own_request")
            return "own_request", ""
        if row["status"] != "pending":
            await _refused(tx, at, by, action, request_id, "decided")
            return "decided", ""
        if approve:
            info = await _chat_row(tx, row["chat"])
            if info is None or info[2] is None or _past_retention(info[3], at):
                await _refused(tx, at, by, action, request_id, "expired")
                return "expired", ""
        changed = await tx.execute(
            "UPDATE disclosures SET status = ?, decided_by = ?, decided_at = ?"
            " WHERE id = ? AND status = 'pending'",
            ("approved" if approve else "refused", by, to_rfc3339(at), request_id),
        )
        if changed != 1:
            return "decided", ""
        await audit.append(tx, at, by, action, request_id, detail=row["chat"])
        return None, str(row["requested_by"])

    code, requester = await db.write(job)
    if code is not None:
        raise DisclosureError(code)
    return requester


async def view(
    db: Database, at: datetime, by: str, request_id: str, team: str | None = None
) -> tuple[str, str]:
    """The approving supervisor (of `team`) sees the address, once: (chat id, address)."""

    async def job(tx: Tx) -> tuple[str | None, str, str]:
        row = await tx.fetchone(
            "SELECT chat, status, decided_by, viewed_at FROM disclosures WHERE id = ?",
            (request_id,),
        )
        if row is None:
            return "not_found", "", ""
        if await _out_of_scope(tx, row["chat"], team):
            await _refused(tx, at, by, "disclosure.view", request_id, "not_found")
            return "not_found", "", ""
        if row["status"] != "approved" or row["decided_by"] != by:
            await _refused(tx, at, by, "disclosure.view", request_id, "forbidden")
            return "forbidden", "", ""
        if row["viewed_at"] is not None:
            await _refused(tx, at, by, "disclosure.view", request_id, "already_viewed")
            return "already_viewed", "", ""
        info = await _chat_row(tx, row["chat"])
        if info is None or info[2] is None or _past_retention(info[3], at):
            await _refused(tx, at, by, "disclosure.view", request_id, "expired")
            return "expired", "", ""
        changed = await tx.execute(
            "UPDATE disclosures SET viewed_at = ? WHERE id = ? AND viewed_at IS NULL",
            (to_rfc3339(at), request_id),
        )
        if changed != 1:
            return "already_viewed", "", ""
        await audit.append(tx, at, by, "disclosure.view", request_id, detail=row["chat"])
        address = tx.keys.open(info[2], "chats", "address", row["chat"])
        return None, str(row["chat"]), address

    code, chat, address = await db.write(job)
    if code is not None:
        raise DisclosureError(code)
    return chat, address


async def open_requests(
    db: Database, now: datetime, days: int = 14, team: str | None = None
) -> list[Disclosure]:
    """Pending requests and those decided in the last `days` days, newest first; only the
    chats of `team` when given (a supervisor's scope)."""
    since = to_rfc3339(now.fromtimestamp(now.timestamp() - days * 86400, now.tzinfo))
    rows = await db.fetchall(
        "SELECT d.id, d.chat, d.requested_by, d.requested_at, d.reason, d.status,"
        " d.decided_by, d.viewed_at, c.nickname, c.region, c.since AS chat_since"
        " FROM disclosures d LEFT JOIN chats c ON c.id = d.chat"
        " WHERE (d.status = 'pending' OR d.requested_at >= ?)"
        " AND (? IS NULL OR c.team = ?)"
        " ORDER BY d.requested_at DESC LIMIT 200",
        (since, team, team),
    )
    keys = db.keys
    return [
        Disclosure(
            r["id"],
            r["chat"],
            r["requested_by"],
            from_rfc3339(r["requested_at"]),
            keys.open(r["reason"], "disclosures", "reason", r["id"]),
            r["status"],
            r["decided_by"],
            r["viewed_at"] is not None,
            keys.open_opt(r["nickname"], "chats", "nickname", r["chat"]),
            keys.open_opt(r["region"], "chats", "region", r["chat"]),
            None if r["chat_since"] is None else from_rfc3339(r["chat_since"]),
        )
        for r in rows
    ]
