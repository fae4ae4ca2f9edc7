"""Staff operations on dossiers and rights requests (docs/protocol.md, "Dossier operations").

Content operations are for counsellors and supervisors of the dossier's team; another
team's dossier answers `not_found`. Admins see no content: they get `forbidden` on every
content operation and may only list rights requests without content (deadlines overview).
Legal holds, lifting a restriction and erasure are for supervisors.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from console1712.clock import to_rfc3339
from console1712.domain.retention import brussels_today, dossier_erase_at
from console1712.domain.themes import taxonomy
from console1712.i18n import t
from console1712.protocol import operations as req
from console1712.protocol.frames import BadRequest
from console1712.records.rights import fulfil
from console1712.relay.operations import (
    ANYONE,
    STAFF,
    SUPERVISOR,
    OpContext,
    Operation,
    OpError,
)
from console1712.store import dossiers, rights
from console1712.store.dossiers import Annotation, Dossier, DossierError
from console1712.store.rights import RightsRequest

log = logging.getLogger("console1712.dossiers")


def _error(exc: DossierError) -> OpError:
    return OpError(exc.code, t(f"dossier.err.{exc.code}", "nl"))


def _team(ctx: OpContext) -> str:
    """The caller's team: the scope of every content operation."""
    team = ctx.caller.team
    if not team:
        raise OpError("forbidden", t("dossier.err.no_team", "nl"))
    return team


def _themes(ctx: OpContext) -> dict[str, dict[str, str]]:
    try:
        return taxonomy(ctx.settings.themes)
    except ValueError:
        log.warning("the themes setting is invalid; using the default themes")
        return taxonomy(None)


def _link_target(q: req.DossierLink | req.DossierUnlink) -> tuple[str, str]:
    """("chat", id) or ("mail", id): exactly one of the two is given."""
    if bool(q.chat) == bool(q.mail):
        raise BadRequest("bad.field", "chat")
    return ("chat", q.chat) if q.chat else ("mail", q.mail or "")


def summary(d: Dossier) -> dict[str, Any]:
    """A dossier without annotations (search results, answers to changes)."""
    erase_at = dossier_erase_at(d.closed_at)
    return {
        "code": d.code,
        "team": d.team,
        "status": d.status,
        "opened_at": to_rfc3339(d.opened_at),
        "closed_at": None if d.closed_at is None else to_rfc3339(d.closed_at),
        "pseudonym": d.pseudonym,
        "themes": list(d.themes),
        "restricted": d.restricted,
        "hold": None
        if d.hold is None
        else {"reason": d.hold.reason, "by": d.hold.by, "at": to_rfc3339(d.hold.at)},
        "erase_at": None if erase_at is None else to_rfc3339(erase_at),
    }


def annotation(a: Annotation) -> dict[str, Any]:
    return {
        "id": a.id,
        "kind": a.kind,
        "to": a.referral_to,
        "text": a.text,
        "author": a.author,
        "at": to_rfc3339(a.at),
        "version": a.version,
        "corrects": a.corrects,
        "origin": a.origin,
        "current": a.latest,
    }


def request_frame(r: RightsRequest, today: date, *, content: bool) -> dict[str, Any]:
    entry = r.summary(today)
    if content:
        entry["note"] = r.note
    return entry


# -- dossiers ------------------------------------------------------------------------------


async def list_themes(ctx: OpContext, q: req.DossierThemes) -> dict[str, Any]:
    """The theme taxonomy in use (ids and labels)."""
    lang = ctx.settings.lang
    themes = [
        {"id": key, "label": labels.get(lang) or labels["nl"]}
        for key, labels in _themes(ctx).items()
    ]
    return {"type": "dossier_themes", "themes": themes}


async def create(ctx: OpContext, q: req.DossierCreate) -> dict[str, Any]:
    try:
        d = await dossiers.create(
            ctx.db,
            ctx.clock.now(),
            ctx.caller.name,
            _team(ctx),
            q.pseudonym,
            q.themes or [],
            allowed_themes=list(_themes(ctx)),
        )
    except DossierError as exc:
        raise _error(exc) from None
    log.info("dossier created: %s by %s", d.code, ctx.caller.name)
    return {"type": "dossier", "dossier": {**summary(d), "annotations": [], "links": []}}


async def search(ctx: OpContext, q: req.DossierSearch) -> dict[str, Any]:
    """Search the team's dossiers by code, pseudonym (substring) or theme id."""
    found = await dossiers.search(ctx.db, _team(ctx), q.query, q.theme or None)
    return {"type": "dossiers", "dossiers": [summary(d) for d in found]}


async def open_(ctx: OpContext, q: req.DossierOpen) -> dict[str, Any]:
    """The whole dossier: every annotation version, links, its rights requests. Audited."""
    code = q.code
    team = _team(ctx)
    try:
        d = await dossiers.open_dossier(ctx.db, ctx.clock.now(), ctx.caller.name, code, team)
    except DossierError as exc:
        raise _error(exc) from None
    today = brussels_today(ctx.clock.now())
    requests = await rights.listing(ctx.db, team, code=code)
    return {
        "type": "dossier",
        "dossier": {
            **summary(d),
            "annotations": [annotation(a) for a in d.annotations],
            "links": [
                {
                    "kind": link.kind,
                    "target": link.target,
                    "at": to_rfc3339(link.linked_at),
                    "by": link.linked_by,
                }
                for link in d.links
            ],
            "requests": [request_frame(r, today, content=True) for r in requests],
        },
    }


async def annotate(ctx: OpContext, q: req.DossierAnnotate) -> dict[str, Any]:
    """A new annotation, or with `corrects` a new version of the newest version of one."""
    code, kind, to = q.code, q.kind, q.to
    if kind == "referral" and to is None:
        raise BadRequest("bad.field", "to")
    try:
        a = await dossiers.annotate(
            ctx.db,
            ctx.clock.now(),
            ctx.caller.name,
            code,
            _team(ctx),
            kind,
            q.text,
            referral_to=to,
            corrects=q.corrects or None,
        )
    except DossierError as exc:
        raise _error(exc) from None
    return {"type": "dossier_annotation", "code": code, "annotation": annotation(a)}


async def link(ctx: OpContext, q: req.DossierLink) -> dict[str, Any]:
    """Link a chat (`chat`) or a mail thread (`mail`) of the team to the dossier."""
    code = q.code
    kind, target = _link_target(q)
    try:
        made = await dossiers.link(
            ctx.db, ctx.clock.now(), ctx.caller.name, code, _team(ctx), kind, target
        )
    except DossierError as exc:
        raise _error(exc) from None
    return {
        "type": "dossier_linked",
        "code": code,
        "link": {
            "kind": made.kind,
            "target": made.target,
            "at": to_rfc3339(made.linked_at),
            "by": made.linked_by,
        },
    }


async def unlink(ctx: OpContext, q: req.DossierUnlink) -> dict[str, Any]:
    """Undo a link of a chat (`chat`) or mail thread (`mail`): a slip put right, audited."""
    code = q.code
    kind, target = _link_target(q)
    try:
        await dossiers.unlink(
            ctx.db, ctx.clock.now(), ctx.caller.name, code, _team(ctx), kind, target
        )
    except DossierError as exc:
        raise _error(exc) from None
    return {"type": "dossier_unlinked", "code": code, "link": {"kind": kind, "target": target}}


async def status(ctx: OpContext, q: req.DossierStatusChange) -> dict[str, Any]:
    """Close (retention starts) or reopen."""
    code, new = q.code, q.status
    try:
        d = await dossiers.set_status(
            ctx.db, ctx.clock.now(), ctx.caller.name, code, _team(ctx), new
        )
    except DossierError as exc:
        raise _error(exc) from None
    return {"type": "dossier_changed", "dossier": summary(d)}


async def set_themes(ctx: OpContext, q: req.DossierSetThemes) -> dict[str, Any]:
    code = q.code
    try:
        d = await dossiers.set_themes(
            ctx.db,
            ctx.clock.now(),
            ctx.caller.name,
            code,
            _team(ctx),
            q.themes or [],
            allowed_themes=list(_themes(ctx)),
        )
    except DossierError as exc:
        raise _error(exc) from None
    return {"type": "dossier_changed", "dossier": summary(d)}


async def hold(ctx: OpContext, q: req.DossierHold) -> dict[str, Any]:
    """Set a legal hold (`reason`), or release it (no reason)."""
    code, reason = q.code, q.reason
    try:
        d = await dossiers.set_hold(
            ctx.db, ctx.clock.now(), ctx.caller.name, code, _team(ctx), reason or None
        )
    except DossierError as exc:
        raise _error(exc) from None
    return {"type": "dossier_changed", "dossier": summary(d)}


async def restrict(ctx: OpContext, q: req.DossierRestrict) -> dict[str, Any]:
    """Make a dossier read-only (`restricted` true) or lift that (false)."""
    code, on = q.code, q.restricted
    now, name, team = ctx.clock.now(), ctx.caller.name, _team(ctx)
    try:
        if on:
            d = await dossiers.restrict(ctx.db, now, name, code, team)
        else:
            d = await dossiers.lift_restriction(ctx.db, now, name, code, team)
    except DossierError as exc:
        raise _error(exc) from None
    return {"type": "dossier_changed", "dossier": summary(d)}


# -- rights requests --------------------------------------------------------------------------


async def rights_create(ctx: OpContext, q: req.RightsCreate) -> dict[str, Any]:
    """Record a request: `code`, `kind`, `received` (YYYY-MM-DD, default today), `note`."""
    code, kind, received_text = q.code, q.kind, q.received
    try:
        received = date.fromisoformat(received_text) if received_text else None
    except ValueError:
        raise BadRequest("bad.field", "received") from None
    note = q.note
    try:
        r = await rights.create(
            ctx.db, ctx.clock.now(), ctx.caller.name, code, _team(ctx), kind, received, note or None
        )
    except DossierError as exc:
        raise _error(exc) from None
    today = brussels_today(ctx.clock.now())
    return {"type": "rights_request", "request": request_frame(r, today, content=True)}


async def rights_list(ctx: OpContext, q: req.RightsList) -> dict[str, Any]:
    """Requests with deadlines, open first; admins get every team's, without content."""
    open_only = bool(q.open_only)
    today = brussels_today(ctx.clock.now())
    admin = ctx.caller.role == "admin"
    team = None if admin else _team(ctx)
    found = await rights.listing(ctx.db, team, open_only=open_only)
    return {
        "type": "rights_requests",
        "today": today.isoformat(),
        "requests": [request_frame(r, today, content=not admin) for r in found],
    }


async def rights_fulfil(ctx: OpContext, q: req.RightsFulfil) -> dict[str, Any]:
    """Carry out a request (records.rights.fulfil); the copy/portability export comes along."""
    request_id = q.id
    team = _team(ctx)
    try:
        request = await rights.get(ctx.db, request_id, team)
        if request.kind == "erasure" and ctx.caller.role != "supervisor":
            raise OpError("forbidden", t("dossier.err.forbidden", "nl"))
        done = await fulfil(
            ctx.db, ctx.clock.now(), ctx.caller.name, request_id, team, ctx.settings.lang
        )
    except DossierError as exc:
        raise _error(exc) from None
    today = brussels_today(ctx.clock.now())
    answer: dict[str, Any] = {
        "type": "rights_fulfilled",
        "request": request_frame(done.request, today, content=True),
    }
    if done.export is not None:
        answer["export"] = done.export
    if done.erased is not None:
        answer["erased"] = {
            "dossiers": done.erased.dossiers,
            "annotations": done.erased.annotations,
            "chats": done.erased.chats,
            "mail_threads": done.erased.mail_threads,
        }
    return answer


async def rights_refuse(ctx: OpContext, q: req.RightsRefuse) -> dict[str, Any]:
    request_id = q.id
    try:
        r = await rights.refuse(ctx.db, ctx.clock.now(), ctx.caller.name, request_id, _team(ctx))
    except DossierError as exc:
        raise _error(exc) from None
    today = brussels_today(ctx.clock.now())
    return {"type": "rights_request", "request": request_frame(r, today, content=True)}


OPERATIONS: tuple[Operation[Any], ...] = (
    Operation(req.DossierThemes, ANYONE, list_themes),
    Operation(req.DossierCreate, STAFF, create),
    Operation(req.DossierSearch, STAFF, search),
    Operation(req.DossierOpen, STAFF, open_),
    Operation(req.DossierAnnotate, STAFF, annotate),
    Operation(req.DossierLink, STAFF, link),
    Operation(req.DossierUnlink, STAFF, unlink),
    Operation(req.DossierStatusChange, STAFF, status),
    Operation(req.DossierSetThemes, STAFF, set_themes),
    Operation(req.DossierHold, SUPERVISOR, hold),
    Operation(req.DossierRestrict, SUPERVISOR, restrict),
    Operation(req.RightsCreate, STAFF, rights_create),
    Operation(req.RightsList, ANYONE, rights_list),
    Operation(req.RightsFulfil, STAFF, rights_fulfil),
    Operation(req.RightsRefuse, STAFF, rights_refuse),
)
