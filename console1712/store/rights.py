"""Rights requests (policy 3.11): kind, received day, deadline, status, fulfilment.

A request belongs to a dossier and its team. Fulfilment depends on the kind: the workflow is
console1712.records.rights `fulfil` (exports in records/exports.py); this module keeps the
requests. After an erasure a request keeps its code, kind, days and status (no note) as proof
it was answered.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from console1712.clock import from_rfc3339, to_rfc3339
from console1712.domain.retention import brussels_today, is_overdue, rights_due
from console1712.domain.vocabulary import RIGHTS_KINDS
from console1712.store import audit, dossiers
from console1712.store.db import Database, Tx
from console1712.store.dossiers import DossierError


@dataclass(frozen=True)
class RightsRequest:
    id: str
    code: str
    team: str
    kind: str
    received: date
    due: date
    status: str
    note: str | None
    created_by: str
    done_at: datetime | None
    done_by: str | None
    erased: bool  # the dossier is gone (erasure, or purged)

    def overdue(self, today: date) -> bool:
        return is_overdue(self.due, today, self.status)

    def summary(self, today: date) -> dict[str, Any]:
        """Without content (no note): what the deadlines overview and admins get."""
        return {
            "id": self.id,
            "code": self.code,
            "team": self.team,
            "kind": self.kind,
            "received": self.received.isoformat(),
            "due": self.due.isoformat(),
            "status": self.status,
            "overdue": self.overdue(today),
            "done_at": None if self.done_at is None else to_rfc3339(self.done_at),
        }


def _request(db: Database | Tx, r: sqlite3.Row) -> RightsRequest:
    return RightsRequest(
        id=r["id"],
        code=r["code"],
        team=r["team"],
        kind=r["kind"],
        received=date.fromisoformat(r["received"]),
        due=date.fromisoformat(r["due"]),
        status=r["status"],
        note=db.keys.open_opt(r["note"], "rights_requests", "note", r["id"]),
        created_by=r["created_by"],
        done_at=None if r["done_at"] is None else from_rfc3339(r["done_at"]),
        done_by=r["done_by"],
        erased=r["dossier"] is None,
    )


async def create(
    db: Database,
    at: datetime,
    actor: str,
    code: str,
    team: str | None,
    kind: str,
    received: date | None = None,
    note: str | None = None,
) -> RightsRequest:
    """Record a request for a dossier; the deadline follows from the kind and received day."""
    if kind not in RIGHTS_KINDS:
        raise DossierError("bad_kind")
    day = received or brussels_today(at)
    if day > brussels_today(at):
        raise DossierError("bad_date")
    request_id = dossiers.new_id("r_")

    async def job(tx: Tx) -> None:
        row = await tx.fetchone("SELECT id, team FROM dossiers WHERE code = ?", (code,))
        if row is None or (team is not None and row["team"] != team):
            raise DossierError("not_found")
        await tx.execute(
            "INSERT INTO rights_requests (id, dossier, code, team, kind, received, due, status,"
            " note, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)",
            (
                request_id,
                row["id"],
                code,
                row["team"],
                kind,
                day.isoformat(),
                rights_due(kind, day).isoformat(),
                tx.keys.seal_opt(note, "rights_requests", "note", request_id),
                actor,
                to_rfc3339(at),
            ),
        )
        await audit.append(tx, at, actor, "rights.create", code, "ok", f"{request_id} {kind}")

    await db.write(job)
    return await get(db, request_id, team)


async def get(db: Database, request_id: str, team: str | None) -> RightsRequest:
    row = await db.fetchone("SELECT * FROM rights_requests WHERE id = ?", (request_id,))
    if row is None or (team is not None and row["team"] != team):
        raise DossierError("not_found")
    return _request(db, row)


async def listing(
    db: Database, team: str | None, *, code: str | None = None, open_only: bool = False
) -> list[RightsRequest]:
    """Requests of a team (None: every team), open ones first by deadline."""
    sql = "SELECT * FROM rights_requests WHERE 1 = 1"
    params: list[object] = []
    if team is not None:
        sql += " AND team = ?"
        params.append(team)
    if code is not None:
        sql += " AND code = ?"
        params.append(code)
    if open_only:
        sql += " AND status = 'open'"
    sql += " ORDER BY status <> 'open', due, received, id"
    return [_request(db, r) for r in await db.fetchall(sql, params)]


async def complete(
    db: Database,
    at: datetime,
    actor: str,
    request: RightsRequest,
    team: str | None,
    *,
    restrict: bool = False,
) -> RightsRequest:
    """Mark an open request done (in one transaction with making the dossier read-only when
    `restrict`); records/rights.py `fulfil` carries out the request first."""

    async def job(tx: Tx) -> None:
        if restrict:
            await dossiers.restrict_in(tx, at, actor, request.code, team)
        changed = await tx.execute(
            "UPDATE rights_requests SET status = 'done', done_at = ?, done_by = ?"
            " WHERE id = ? AND status = 'open'",
            (to_rfc3339(at), actor, request.id),
        )
        if not changed:
            raise DossierError("not_open")
        await audit.append(tx, at, actor, "rights.fulfil", request.code, "ok", request.id)

    await db.write(job)
    return await get(db, request.id, team)


async def refuse(
    db: Database, at: datetime, actor: str, request_id: str, team: str | None
) -> RightsRequest:
    """Close a request without carrying it out (e.g. an erasure under a legal hold)."""

    async def job(tx: Tx) -> None:
        row = await tx.fetchone(
            "SELECT team, code, status FROM rights_requests WHERE id = ?", (request_id,)
        )
        if row is None or (team is not None and row["team"] != team):
            raise DossierError("not_found")
        if row["status"] != "open":
            raise DossierError("not_open")
        await tx.execute(
            "UPDATE rights_requests SET status = 'refused', done_at = ?, done_by = ? WHERE id = ?",
            (to_rfc3339(at), actor, request_id),
        )
        await audit.append(tx, at, actor, "rights.refuse", row["code"], "ok", request_id)

    await db.write(job)
    return await get(db, request_id, team)
