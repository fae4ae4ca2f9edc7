"""Staff operations for registrations (wrap-up) of contacts (docs/protocol.md,
"Registration operations").

A registration belongs to the counsellor who ended the contact; only they read or complete
it (another counsellor of the team gets `forbidden`, another team `not_found`). Admins see
no content: every operation here that shows a note is closed to them. Supervisors see how
many registrations each counsellor of their team still has open.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from console1712.clock import to_rfc3339
from console1712.domain import registration as reg
from console1712.domain.registration import Codes, RegistrationError
from console1712.domain.stats import AGE_BANDS, GENDERS, UNKNOWN
from console1712.domain.themes import taxonomy
from console1712.i18n import t
from console1712.protocol import operations as req
from console1712.protocol.frames import BadRequest
from console1712.relay.operations import (
    STAFF,
    SUPERVISOR,
    OpContext,
    Operation,
    OpError,
)
from console1712.store import audit, chats, registrations
from console1712.store.db import Tx
from console1712.store.registrations import Registration, RegistrationNotFound

if TYPE_CHECKING:
    from console1712.relay.server import Relay

log = logging.getLogger("console1712.registrations")

RECENT_HOURS = 12  # "recently ended": this shift, at most the last 12 hours


def themes_in_use(ctx: OpContext) -> dict[str, dict[str, str]]:
    try:
        return taxonomy(ctx.settings.themes)
    except ValueError:
        return taxonomy(None)


def _labelled(prefix: str, codes: tuple[str, ...] | list[str], lang: str) -> list[dict[str, str]]:
    return [{"id": code, "label": t(f"{prefix}.{code}", lang)} for code in codes]


def _code_list(
    value: list[str] | None, name: str, allowed: list[str] | tuple[str, ...]
) -> tuple[str, ...]:
    if value is None:
        return ()
    if len(value) > len(allowed) or any(v not in allowed for v in value):
        raise BadRequest("bad.field", name)
    return tuple(value)


def codes_from(ctx: OpContext, q: req.RegistrationSave) -> Codes:
    """The form's codes from a request; any broken rule answers bad_request naming the field."""
    themes = list(themes_in_use(ctx))
    codes = Codes(
        kind=q.kind,
        themes=_code_list(q.themes, "themes", themes),
        about=q.about,
        relation=q.relation,
        risk=q.risk or "none",
        action=q.action,
        referrals=_code_list(q.referrals, "referrals", reg.REFERRALS),
        age_band=q.age_band or UNKNOWN,
        gender=q.gender or UNKNOWN,
    )
    try:
        reg.check(codes, themes, AGE_BANDS, GENDERS)
    except RegistrationError as exc:
        raise BadRequest("bad.field", exc.field) from None
    return codes


def entry(r: Registration) -> dict[str, Any]:
    """A registration without its note (lists)."""
    return {
        "contact": r.contact,
        "channel": r.channel,
        "at": to_rfc3339(r.opened_at),
        "status": r.status,
    }


def codes_frame(codes: Codes) -> dict[str, Any]:
    return {
        "kind": codes.kind,
        "themes": list(codes.themes),
        "about": codes.about,
        "relation": codes.relation,
        "risk": codes.risk,
        "action": codes.action,
        "referrals": list(codes.referrals),
        "age_band": codes.age_band,
        "gender": codes.gender,
    }


async def _own(ctx: OpContext, contact: str) -> Registration:
    """The caller's registration of `contact`, or the refusal."""
    found = await registrations.get(ctx.db, contact)
    if found is None or (found.team != ctx.caller.team and found.counsellor != ctx.caller.name):
        raise OpError("not_found", t("reg.err.not_found", "nl"), contact=contact)
    if found.counsellor != ctx.caller.name:
        raise OpError("forbidden", t("reg.err.forbidden", "nl"), contact=contact)
    return found


async def open_frame(ctx: OpContext, name: str) -> dict[str, Any]:
    """`registrations_open`: a counsellor's open registrations (pushed after each change)."""
    found = await registrations.open_for(ctx.db, name)
    return {"type": "registrations_open", "open": [entry(r) for r in found]}


async def codes(ctx: OpContext, q: req.RegistrationCodes) -> dict[str, Any]:
    """The code lists of the form with labels in the relay's language."""
    lang = ctx.settings.lang
    return {
        "type": "registration_codes",
        "kinds": _labelled("reg.kind", reg.KINDS, lang),
        "requests": list(reg.REQUESTS),
        "themes": [
            {"id": key, "label": labels.get(lang) or labels["nl"]}
            for key, labels in themes_in_use(ctx).items()
        ],
        "about": _labelled("reg.about", reg.ABOUT, lang),
        "relations": _labelled("reg.relation", reg.RELATIONS, lang),
        "risks": _labelled("reg.risk", reg.RISKS, lang),
        "actions": _labelled("reg.action", reg.ACTIONS, lang),
        "referrals": _labelled("dossier.to", reg.REFERRALS, lang),
        "age_bands": [
            {"id": b, "label": t("age.unknown", lang) if b == UNKNOWN else b} for b in AGE_BANDS
        ],
        "genders": _labelled("gender", GENDERS, lang),
    }


async def listing(ctx: OpContext, q: req.RegistrationList) -> dict[str, Any]:
    """The caller's open registrations, oldest first."""
    return await open_frame(ctx, ctx.caller.name)


async def get(ctx: OpContext, q: req.RegistrationGet) -> dict[str, Any]:
    """One registration with its note; an open one comes prefilled (intake, chat notes).
    Audited: it shows what a person told."""
    contact = q.contact
    found = await _own(ctx, contact)
    answer: dict[str, Any] = {"type": "registration", **entry(found)}
    if found.codes is not None:
        answer["codes"] = codes_frame(found.codes)
        answer["note"] = found.note
    else:
        age_band, gender = UNKNOWN, UNKNOWN
        prefill: dict[str, Any] = {}
        if found.channel == "chat":
            age_band, gender = await registrations.chat_intake(ctx.db, contact)
            prefill["note"] = await registrations.chat_note(ctx.db, contact)
        elif found.channel == "phone":
            age_band, gender, theme = await registrations.phone_prefill(ctx.db, contact)
            if theme in themes_in_use(ctx):
                prefill["themes"] = [theme]
        answer["prefill"] = {"age_band": age_band, "gender": gender, "note": None, **prefill}
    at = ctx.clock.now()

    async def job(tx: Tx) -> None:
        await audit.append(tx, at, ctx.caller.name, "registration.open", contact)

    await ctx.db.write(job)
    return answer


async def save(ctx: OpContext, q: req.RegistrationSave) -> dict[str, Any]:
    """Complete (or correct) the caller's registration of a contact."""
    contact = q.contact
    codes = codes_from(ctx, q)
    note = q.note or None
    await _own(ctx, contact)
    try:
        done = await registrations.save(
            ctx.db, ctx.clock.now(), ctx.caller.name, contact, codes, note
        )
    except RegistrationNotFound:
        raise OpError("not_found", t("reg.err.not_found", "nl"), contact=contact) from None
    log.info("registration saved: %s by %s", contact, ctx.caller.name)
    frame = await open_frame(ctx, ctx.caller.name)
    ctx.relay.send_to_staff(ctx.caller.name, frame)
    assert done.codes is not None
    return {"type": "registration_saved", **entry(done), "codes": codes_frame(done.codes)}


async def counts(ctx: OpContext, q: req.RegistrationCounts) -> dict[str, Any]:
    """Open registrations per counsellor, in the supervisor's team (no team: all teams)."""
    per = await registrations.open_counts(ctx.db, ctx.caller.team)
    return {
        "type": "registration_counts",
        "counts": [{"user": name, "open": n} for name, n in per.items()],
    }


# -- the counsellor's own notes during a chat -----------------------------------------------


def _live(ctx: OpContext, chat_id: str) -> tuple[Relay, Any]:
    # Notes follow the live chat (its counsellor, its readers), which only the relay holds.
    relay = cast("Relay", ctx.relay)
    return relay, relay.chats.get(chat_id)


async def _may_read_notes(ctx: OpContext, chat_id: str) -> bool:
    """True for the chat's counsellor; False for a supervisor reading along and for the
    counsellor of an ended chat (their registration): those reads are audited. Else refused."""
    _, chat = _live(ctx, chat_id)
    name = ctx.caller.name
    if chat is not None and chat.state == "assigned":
        if chat.counsellor == name:
            return True
        if name in chat.readers:
            return False
    found = await registrations.get(ctx.db, chat_id, with_note=False)
    if found is not None and found.channel == "chat" and found.counsellor == name:
        return False
    raise OpError("not_found", t("reg.err.no_notes", "nl"), chat=chat_id)


def notes_frame(chat: str, text: str | None) -> dict[str, Any]:
    return {"type": "chat_notes", "chat": chat, "text": text or ""}


async def chat_notes_get(ctx: OpContext, q: req.ChatNotesGet) -> dict[str, Any]:
    """The notes of a chat: its counsellor, a supervisor reading along, or the counsellor
    of a recently ended chat of theirs (those two reads audited)."""
    chat_id = q.chat
    own = await _may_read_notes(ctx, chat_id)
    if not own:
        at = ctx.clock.now()

        async def job(tx: Tx) -> None:
            await audit.append(tx, at, ctx.caller.name, "chat.notes_read", chat_id)

        await ctx.db.write(job)
    return notes_frame(chat_id, await registrations.chat_note(ctx.db, chat_id))


async def chat_notes_set(ctx: OpContext, q: req.ChatNotesSet) -> dict[str, Any]:
    """Replace the notes of the caller's open chat (`text` "" removes them). Sealed; they
    stay with the chat through a transfer and reach supervisors reading along (pushed)."""
    chat_id = q.chat
    text = q.text if q.text.strip() else ""
    relay, chat = _live(ctx, chat_id)
    if chat is None or chat.state != "assigned" or chat.counsellor != ctx.caller.name:
        raise OpError("not_assigned", t("reg.err.no_notes", "nl"), chat=chat_id)
    await registrations.set_chat_note(ctx.db, ctx.clock.now(), ctx.caller.name, chat_id, text)
    frame = notes_frame(chat_id, text)
    for reader in chat.readers:
        relay.send_to_staff(reader, frame)
    return {**frame, "type": "chat_notes_saved"}


# -- recently ended chats ------------------------------------------------------------------------


async def _recent(ctx: OpContext) -> list[registrations.RecentChat]:
    after = ctx.clock.now() - timedelta(hours=RECENT_HOURS)
    return await registrations.recent_chats(ctx.db, ctx.caller.name, after)


async def recent_chats(ctx: OpContext, q: req.RecentChats) -> dict[str, Any]:
    """The caller's chats ended in the last 12 hours, newest first, with their registration
    status (`open`, `done` or null)."""
    return {
        "type": "recent_chats",
        "chats": [
            {
                "chat": r.chat,
                "nickname": r.nickname,
                "since": to_rfc3339(r.since),
                "ended_at": to_rfc3339(r.ended_at),
                "ended_by": r.ended_by,
                "registration": r.registration,
            }
            for r in await _recent(ctx)
        ],
    }


async def recent_chat_open(ctx: OpContext, q: req.RecentChatOpen) -> dict[str, Any]:
    """The read-only transcript and notes of one of the caller's recently ended chats.
    Every open is audited (`chat.transcript_open`), as mail opens are."""
    chat_id = q.chat
    found = next((r for r in await _recent(ctx) if r.chat == chat_id), None)
    if found is None:
        raise OpError("not_found", t("reg.err.not_found", "nl"), chat=chat_id)
    at = ctx.clock.now()

    async def job(tx: Tx) -> None:
        await audit.append(tx, at, ctx.caller.name, "chat.transcript_open", chat_id)

    await ctx.db.write(job)
    relay = cast("Relay", ctx.relay)
    messages = await chats.transcript(ctx.db, chat_id)
    return {
        "type": "recent_chat",
        "chat": chat_id,
        "nickname": found.nickname,
        "ended_at": to_rfc3339(found.ended_at),
        "registration": found.registration,
        "history": [
            {
                "seq": m.seq,
                "from": "chatter" if m.from_chatter else "counsellor",
                "name": None if m.from_chatter else relay.aliases.get(m.sender, m.sender),
                "text": m.text,
                "at": to_rfc3339(m.at),
            }
            for m in messages
        ],
        "notes": await registrations.chat_note(ctx.db, chat_id) or "",
    }


OPERATIONS: tuple[Operation[Any], ...] = (
    Operation(req.RegistrationCodes, STAFF, codes),
    Operation(req.RegistrationList, STAFF, listing),
    Operation(req.RegistrationGet, STAFF, get),
    Operation(req.RegistrationSave, STAFF, save),
    Operation(req.RegistrationCounts, SUPERVISOR, counts),
    Operation(req.ChatNotesGet, STAFF, chat_notes_get),
    Operation(req.ChatNotesSet, STAFF, chat_notes_set),
    Operation(req.RecentChats, STAFF, recent_chats),
    Operation(req.RecentChatOpen, STAFF, recent_chat_open),
)
