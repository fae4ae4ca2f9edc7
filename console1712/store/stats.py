"""Statistics queries: the yearly contacts (chat, mail, phone) and today's figures for the
live monitor. Counts and codes only leave this module; sealed intake is opened here and
reduced to bands and codes at once.

Mail threads and dossier themes are read when their tables exist (issues 5 and 6). A
contact's registration (store/registrations.py) gives its codes; a dossier's theme counts
only for a contact without a completed registration.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from console1712.clock import from_rfc3339, to_rfc3339
from console1712.domain.registration import Codes, join, split
from console1712.domain.stats import (
    UNKNOWN,
    Contact,
    age_band,
    gender_code,
    median_seconds,
    queue_lengths,
    queue_peak,
)
from console1712.domain.vocabulary import BRUSSELS, REGIONS
from console1712.store import phone, registrations
from console1712.store.crypto import KeyRing
from console1712.store.db import Database, Tx


async def has_table(db: Database, name: str) -> bool:
    row = await db.fetchone(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    )
    return row is not None


def _day_start(now: datetime) -> datetime:
    """Midnight (Brussels) of the day `now` is in, as an aware datetime."""
    local = now.astimezone(BRUSSELS)
    return datetime.combine(local.date(), time(0), tzinfo=BRUSSELS)


def _year_bounds(year: int) -> tuple[str, str]:
    start = datetime(year, 1, 1, tzinfo=BRUSSELS)
    end = datetime(year + 1, 1, 1, tzinfo=BRUSSELS)
    return to_rfc3339(start), to_rfc3339(end)


def _month(at: str) -> int:
    return from_rfc3339(at).astimezone(BRUSSELS).month


async def _themes_by_target(db: Database, kind: str, order: Sequence[str]) -> dict[str, str]:
    """One theme per linked chat or mail thread: the first of its dossiers' themes in
    taxonomy order (a contact counts once in the theme table)."""
    if not await has_table(db, "dossier_links") or not await has_table(db, "dossier_themes"):
        return {}
    rows = await db.fetchall(
        "SELECT l.target, t.theme FROM dossier_links l JOIN dossier_themes t"
        " ON t.dossier = l.dossier WHERE l.kind = ?",
        (kind,),
    )
    rank = {theme: i for i, theme in enumerate(order)}
    best: dict[str, str] = {}
    for r in rows:
        target, theme = r["target"], r["theme"]
        if theme not in rank:
            continue
        if target not in best or rank[theme] < rank[best[target]]:
            best[target] = theme
    return best


def with_codes(contact: Contact, codes: Codes | None, themes: Sequence[str]) -> Contact:
    """A contact with its registration's codes; the registration's theme, age band and
    gender replace what the dossier and the intake said (the counsellor corrected them)."""
    if codes is None:
        return contact
    known = [theme for theme in codes.themes if theme in themes]
    return dataclasses.replace(
        contact,
        theme=known[0] if known else UNKNOWN,
        age_band=codes.age_band if codes.age_band != UNKNOWN else contact.age_band,
        gender=codes.gender if codes.gender != UNKNOWN else contact.gender,
        kind=codes.kind,
        about=codes.about or UNKNOWN,
        relation=codes.relation or UNKNOWN,
        risk=codes.risk,
        themes=tuple(known),
        referrals=codes.referrals,
    )


async def _registered(db: Database, channel: str) -> dict[str, Codes]:
    if not await has_table(db, "registrations"):
        return {}
    return await registrations.done_codes(db, channel)


def _chat_contact(
    keys: KeyRing,
    r: sqlite3.Row,
    chat_themes: dict[str, str],
    codes: dict[str, Codes],
    themes: Sequence[str],
) -> Contact:
    """A chat row (id, at, age, gender, region) reduced to the codes statistics count."""
    cid = r["id"]
    age = keys.open_opt(r["age"], "chats", "age", cid)
    region = keys.open_opt(r["region"], "chats", "region", cid)
    theme = chat_themes.get(cid, UNKNOWN)
    contact = Contact(
        "chat",
        _month(r["at"]),
        region if region in REGIONS else UNKNOWN,
        age_band(int(age) if age is not None and age.isdigit() else None),
        gender_code(keys.open_opt(r["gender"], "chats", "gender", cid)),
        theme,
        themes=() if theme == UNKNOWN else (theme,),
    )
    return with_codes(contact, codes.get(cid), themes)


async def chat_contacts(
    db: Database, chat_ids: Sequence[str], themes: Sequence[str]
) -> dict[str, tuple[int, Contact]]:
    """(year, contact) of each chat, read before the retention purge erases it."""
    chat_themes = await _themes_by_target(db, "chat", themes)
    codes = await _registered(db, "chat")
    sql = "SELECT id, since AS at, age, gender, region FROM chats WHERE id IN ({})"
    return await _contacts_of(
        db, chat_ids, sql, lambda r: _chat_contact(db.keys, r, chat_themes, codes, themes)
    )


async def mail_contacts(
    db: Database, thread_ids: Sequence[str], themes: Sequence[str]
) -> dict[str, tuple[int, Contact]]:
    """(year, contact) of each mail thread, read before the retention purge erases it."""
    mail_themes = await _themes_by_target(db, "mail", themes)
    codes = await _registered(db, "mail")
    sql = "SELECT id, team, created_at AS at FROM mail_threads WHERE id IN ({})"
    return await _contacts_of(
        db, thread_ids, sql, lambda r: _mail_contact(r, mail_themes, codes, themes)
    )


async def _contacts_of(
    db: Database, ids: Sequence[str], sql: str, contact: Callable[[sqlite3.Row], Contact]
) -> dict[str, tuple[int, Contact]]:
    """Rows by id (in chunks below SQLite's variable limit) as (Brussels year of `at`, contact)."""
    found: dict[str, tuple[int, Contact]] = {}
    for i in range(0, len(ids), 500):
        chunk = list(ids[i : i + 500])
        for r in await db.fetchall(sql.format(",".join("?" * len(chunk))), chunk):
            found[r["id"]] = (from_rfc3339(r["at"]).astimezone(BRUSSELS).year, contact(r))
    return found


def _mail_contact(
    r: sqlite3.Row, mail_themes: dict[str, str], codes: dict[str, Codes], themes: Sequence[str]
) -> Contact:
    """A mail thread row (id, team, at) reduced to the codes statistics count."""
    theme = mail_themes.get(r["id"], UNKNOWN)
    contact = Contact(
        "mail",
        _month(r["at"]),
        r["team"] if r["team"] in REGIONS else UNKNOWN,
        UNKNOWN,
        UNKNOWN,
        theme,
        themes=() if theme == UNKNOWN else (theme,),
    )
    return with_codes(contact, codes.get(r["id"]), themes)


_ARCHIVE_KEY = (
    "year, channel, month, region, age_band, gender, theme, kind, about, relation, risk,"
    " themes, referrals"
)


async def archive_in(tx: Tx, year: int, c: Contact) -> None:
    """Count one erased contact in the archive (inside the purge's transaction): its codes,
    never its registration's note."""
    await tx.execute(
        f"INSERT INTO stats_archive_codes ({_ARCHIVE_KEY}, count)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)"
        f" ON CONFLICT ({_ARCHIVE_KEY}) DO UPDATE SET count = count + 1",
        (
            year,
            c.channel,
            c.month,
            c.region,
            c.age_band,
            c.gender,
            c.theme,
            c.kind,
            c.about,
            c.relation,
            c.risk,
            join(c.themes),
            join(c.referrals),
        ),
    )


async def year_contacts(db: Database, year: int, themes: Sequence[str]) -> list[Contact]:
    """Every chat started, mail thread opened and phone contact registered in `year`."""
    start, end = _year_bounds(year)
    keys = db.keys
    contacts: list[Contact] = []
    chat_themes = await _themes_by_target(db, "chat", themes)
    chat_codes = await _registered(db, "chat")
    rows = await db.fetchall(
        "SELECT id, since AS at, age, gender, region FROM chats WHERE since >= ? AND since < ?",
        (start, end),
    )
    for r in rows:
        contacts.append(_chat_contact(keys, r, chat_themes, chat_codes, themes))
    if await has_table(db, "mail_threads"):
        mail_themes = await _themes_by_target(db, "mail", themes)
        mail_codes = await _registered(db, "mail")
        rows = await db.fetchall(
            "SELECT id, team, created_at AS at FROM mail_threads"
            " WHERE created_at >= ? AND created_at < ?",
            (start, end),
        )
        for r in rows:
            contacts.append(_mail_contact(r, mail_themes, mail_codes, themes))
    # Contacts whose records the retention purge erased, kept as counts.
    for r in await db.fetchall(
        f"SELECT {_ARCHIVE_KEY}, count FROM stats_archive_codes WHERE year = ?", (year,)
    ):
        archived = Contact(
            r["channel"],
            r["month"],
            r["region"],
            r["age_band"],
            r["gender"],
            r["theme"],
            kind=r["kind"],
            about=r["about"],
            relation=r["relation"],
            risk=r["risk"],
            themes=split(r["themes"]),
            referrals=split(r["referrals"]),
        )
        contacts.extend([archived] * int(r["count"]))
    phone_codes = await _registered(db, "phone")
    for call in await phone.for_year(db, year):
        theme = call.theme if call.theme in themes else UNKNOWN
        contact = Contact(
            "phone",
            call.day.month,
            call.region,
            call.age_band,
            call.gender,
            theme,
            themes=() if theme == UNKNOWN else (theme,),
        )
        contacts.append(with_codes(contact, phone_codes.get(call.id), themes))
    return contacts


@dataclass(frozen=True)
class Today:
    """Today's chat figures (Brussels day) for the supervisor screen."""

    started: int
    answered: int
    abandoned: int
    median_wait: float | None  # seconds, over answered chats

    def as_dict(self) -> dict[str, object]:
        return {
            "started": self.started,
            "answered": self.answered,
            "abandoned": self.abandoned,
            "median_wait": None if self.median_wait is None else round(self.median_wait),
        }


async def today(db: Database, now: datetime) -> Today:
    """Chats started today, answered, abandoned while waiting, and the median wait."""
    rows = await db.fetchall(
        "SELECT since, accepted_at, state FROM chats WHERE since >= ?",
        (to_rfc3339(_day_start(now)),),
    )
    waits = [
        (from_rfc3339(r["accepted_at"]) - from_rfc3339(r["since"])).total_seconds()
        for r in rows
        if r["accepted_at"] is not None
    ]
    abandoned = sum(1 for r in rows if r["accepted_at"] is None and r["state"] == "ended")
    return Today(len(rows), len(waits), abandoned, median_seconds(waits))


async def queue_history(
    db: Database, now: datetime, hours: int = 4, step_minutes: int = 10
) -> list[int]:
    """The queue length at each step over the last `hours`, oldest first, ending now."""
    first = now - timedelta(hours=hours)
    rows = await db.fetchall(
        "SELECT since, accepted_at, ended_at FROM chats WHERE since <= ?"
        " AND (COALESCE(accepted_at, ended_at) IS NULL OR COALESCE(accepted_at, ended_at) > ?)",
        (to_rfc3339(now), to_rfc3339(first)),
    )
    spans = []
    for r in rows:
        left = r["accepted_at"] or r["ended_at"]
        spans.append((from_rfc3339(r["since"]), None if left is None else from_rfc3339(left)))
    steps = hours * 60 // step_minutes
    points = [now - timedelta(minutes=step_minutes * i) for i in range(steps, -1, -1)]
    return queue_lengths(spans, points)


async def queue_peak_since(db: Database, now: datetime, hours: int = 1) -> int:
    """The real maximum queue length over the last `hours` (between samples too)."""
    first = now - timedelta(hours=hours)
    rows = await db.fetchall(
        "SELECT since, accepted_at, ended_at FROM chats WHERE since <= ?"
        " AND (COALESCE(accepted_at, ended_at) IS NULL OR COALESCE(accepted_at, ended_at) > ?)",
        (to_rfc3339(now), to_rfc3339(first)),
    )
    spans = []
    for r in rows:
        left = r["accepted_at"] or r["ended_at"]
        spans.append((from_rfc3339(r["since"]), None if left is None else from_rfc3339(left)))
    return queue_peak(spans, first, now)


async def mail_due(db: Database, now: datetime) -> tuple[int, int] | None:
    """(open threads due later today, overdue threads); None without the mail part."""
    if not await has_table(db, "mail_threads"):
        return None
    end = _day_start(now) + timedelta(days=1)
    row = await db.fetchone(
        "SELECT SUM(due_at >= ? AND due_at < ?), SUM(due_at < ?) FROM mail_threads"
        " WHERE status = 'open' AND due_at IS NOT NULL",
        (to_rfc3339(now), to_rfc3339(end), to_rfc3339(now)),
    )
    if row is None:
        return 0, 0
    return int(row[0] or 0), int(row[1] or 0)
