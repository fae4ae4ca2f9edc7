"""Registrations (wrap-up) of contacts and the counsellor's own chat notes.

A registration row appears open when a chat with a counsellor ends or a mail thread is
answered (triggers in migration 0009), and is erased with its chat or thread. Codes are kept
in clear text (the statistics count them); the note and the chat notes are sealed.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from console1712.clock import from_rfc3339, to_rfc3339
from console1712.domain.registration import Codes, join, split
from console1712.domain.stats import UNKNOWN, age_band, gender_code
from console1712.store import audit
from console1712.store.db import Database, Tx

_COLUMNS = (
    "contact, channel, counsellor, team, opened_at, status, done_at, kind, themes, about,"
    " relation, risk, action, referrals, age_band, gender, note"
)


@dataclass(frozen=True)
class Registration:
    """One contact's registration; `codes` None while it is open."""

    contact: str
    channel: str
    counsellor: str
    team: str | None
    opened_at: datetime
    status: str
    done_at: datetime | None
    codes: Codes | None
    note: str | None


class RegistrationNotFound(LookupError):
    pass


def _codes(r: sqlite3.Row) -> Codes | None:
    if r["kind"] is None:
        return None
    return Codes(
        kind=r["kind"],
        themes=split(r["themes"]),
        about=r["about"],
        relation=r["relation"],
        risk=r["risk"] or "none",
        action=r["action"],
        referrals=split(r["referrals"]),
        age_band=r["age_band"] or UNKNOWN,
        gender=r["gender"] or UNKNOWN,
    )


def _row(db: Database, r: sqlite3.Row, *, with_note: bool) -> Registration:
    return Registration(
        contact=r["contact"],
        channel=r["channel"],
        counsellor=r["counsellor"],
        team=r["team"],
        opened_at=from_rfc3339(r["opened_at"]),
        status=r["status"],
        done_at=None if r["done_at"] is None else from_rfc3339(r["done_at"]),
        codes=_codes(r),
        note=(
            db.keys.open_opt(r["note"], "registrations", "note", r["contact"])
            if with_note
            else None
        ),
    )


async def get(db: Database, contact: str, *, with_note: bool = True) -> Registration | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM registrations WHERE contact = ?", (contact,))
    return None if row is None else _row(db, row, with_note=with_note)


async def open_for(db: Database, counsellor: str) -> list[Registration]:
    """A counsellor's registrations still to do, oldest first (no notes)."""
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM registrations WHERE counsellor = ? AND status = 'open'"
        " ORDER BY opened_at, contact",
        (counsellor,),
    )
    return [_row(db, r, with_note=False) for r in rows]


async def open_counts(db: Database, team: str | None) -> dict[str, int]:
    """Open registrations per counsellor, of one team (None: every team)."""
    if team is None:
        rows = await db.fetchall(
            "SELECT counsellor, count(*) AS n FROM registrations WHERE status = 'open'"
            " GROUP BY counsellor ORDER BY counsellor"
        )
    else:
        rows = await db.fetchall(
            "SELECT counsellor, count(*) AS n FROM registrations WHERE status = 'open'"
            " AND team = ? GROUP BY counsellor ORDER BY counsellor",
            (team,),
        )
    return {r["counsellor"]: int(r["n"]) for r in rows}


async def save(
    db: Database, at: datetime, by: str, contact: str, codes: Codes, note: str | None
) -> Registration:
    """Complete (or correct) a registration; audited with codes only."""

    async def job(tx: Tx) -> int:
        changed = await tx.execute(
            "UPDATE registrations SET status = 'done', done_at = ?, kind = ?, themes = ?,"
            " about = ?, relation = ?, risk = ?, action = ?, referrals = ?, age_band = ?,"
            " gender = ?, note = ? WHERE contact = ?",
            (
                to_rfc3339(at),
                codes.kind,
                join(codes.themes),
                codes.about,
                codes.relation,
                codes.risk,
                codes.action,
                join(codes.referrals),
                codes.age_band,
                codes.gender,
                tx.keys.seal_opt(note, "registrations", "note", contact),
                contact,
            ),
        )
        if changed:
            await audit.append(tx, at, by, "registration.save", contact, detail=codes.kind)
        return changed

    if not await db.write(job):
        raise RegistrationNotFound(contact)
    found = await get(db, contact)
    assert found is not None
    return found


async def add_phone_in(
    tx: Tx, at: datetime, by: str, team: str | None, contact: str, codes: Codes
) -> None:
    """A phone contact's registration, done at once (inside the phone contact's write)."""
    await tx.execute(
        "INSERT INTO registrations (contact, channel, counsellor, team, opened_at, status,"
        " done_at, kind, themes, about, relation, risk, action, referrals, age_band, gender)"
        " VALUES (?, 'phone', ?, ?, ?, 'done', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            contact,
            by,
            team,
            to_rfc3339(at),
            to_rfc3339(at),
            codes.kind,
            join(codes.themes),
            codes.about,
            codes.relation,
            codes.risk,
            codes.action,
            join(codes.referrals),
            codes.age_band,
            codes.gender,
        ),
    )


async def done_codes(db: Database, channel: str) -> dict[str, Codes]:
    """The codes of every completed registration of one channel, by contact id."""
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM registrations WHERE channel = ? AND status = 'done'",
        (channel,),
    )
    found: dict[str, Codes] = {}
    for r in rows:
        codes = _codes(r)
        if codes is not None:
            found[r["contact"]] = codes
    return found


async def chat_intake(db: Database, chat: str) -> tuple[str, str]:
    """(age band, gender code) of a chat's intake: the registration's prefill."""
    row = await db.fetchone("SELECT age, gender FROM chats WHERE id = ?", (chat,))
    if row is None:
        return UNKNOWN, UNKNOWN
    age = db.keys.open_opt(row["age"], "chats", "age", chat)
    gender = db.keys.open_opt(row["gender"], "chats", "gender", chat)
    return (
        age_band(int(age) if age is not None and age.isdigit() else None),
        gender_code(gender),
    )


async def phone_prefill(db: Database, contact: str) -> tuple[str, str, str | None]:
    """(age band, gender, theme or None) a phone contact's dialog registered."""
    row = await db.fetchone(
        "SELECT age_band, gender, theme FROM phone_contacts WHERE id = ?", (contact,)
    )
    if row is None:
        return UNKNOWN, UNKNOWN, None
    theme = None if row["theme"] == UNKNOWN else str(row["theme"])
    return str(row["age_band"]), str(row["gender"]), theme


async def erase_notes_before(tx: Tx, cutoff: datetime) -> int:
    """Retention: notes of mail and phone registrations past the contact period
    (a chat's registration goes with the chat)."""
    return await tx.execute(
        "UPDATE registrations SET note = NULL WHERE channel <> 'chat' AND note IS NOT NULL"
        " AND opened_at < ?",
        (to_rfc3339(cutoff),),
    )


# -- chat notes --------------------------------------------------------------------------------


async def set_chat_note(db: Database, at: datetime, by: str, chat: str, text: str) -> None:
    """Replace the notes of a chat (an empty text removes them)."""

    async def job(tx: Tx) -> None:
        if not text:
            await tx.execute("DELETE FROM chat_notes WHERE chat = ?", (chat,))
            return
        await tx.execute(
            "INSERT INTO chat_notes (chat, text, updated_by, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (chat) DO UPDATE SET text = excluded.text,"
            " updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            (chat, tx.keys.seal(text, "chat_notes", "text", chat), by, to_rfc3339(at)),
        )

    await db.write(job)


async def chat_note(db: Database, chat: str) -> str | None:
    row = await db.fetchone("SELECT text FROM chat_notes WHERE chat = ?", (chat,))
    return None if row is None else db.keys.open(row["text"], "chat_notes", "text", chat)


# -- the counsellor's recently ended chats ------------------------------------------------------


@dataclass(frozen=True)
class RecentChat:
    """An ended chat of one counsellor, for the list of recently ended chats."""

    chat: str
    nickname: str
    since: datetime
    ended_at: datetime
    ended_by: str | None
    registration: str | None  # "open", "done", or None (no registration)


async def recent_chats(db: Database, counsellor: str, after: datetime) -> list[RecentChat]:
    """The counsellor's chats that ended after `after`, newest first."""
    rows = await db.fetchall(
        "SELECT c.id, c.nickname, c.since, c.ended_at, c.ended_by, r.status FROM chats c"
        " LEFT JOIN registrations r ON r.contact = c.id"
        " WHERE c.counsellor = ? AND c.state = 'ended' AND c.ended_at >= ?"
        " ORDER BY c.ended_at DESC, c.id",
        (counsellor, to_rfc3339(after)),
    )
    return [
        RecentChat(
            chat=r["id"],
            nickname=db.keys.open(r["nickname"], "chats", "nickname", r["id"]),
            since=from_rfc3339(r["since"]),
            ended_at=from_rfc3339(r["ended_at"]),
            ended_by=r["ended_by"],
            registration=r["status"],
        )
        for r in rows
    ]
