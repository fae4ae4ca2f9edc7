"""Phone contacts (issue 7): date, duration and codes only, so statistics cover the phone line.

No content, no number, no name: a phone contact is a row of codes a counsellor registers
after a call. Nothing here needs sealing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from console1712.clock import to_rfc3339
from console1712.store import audit
from console1712.store.db import Database, Tx

MAX_MINUTES = 600


@dataclass(frozen=True)
class PhoneContact:
    """One registered call."""

    id: str
    day: date
    minutes: int
    region: str
    age_band: str
    gender: str
    theme: str


def new_id() -> str:
    return "p_" + secrets.token_urlsafe(9)


async def register(db: Database, at: datetime, by: str, contact: PhoneContact) -> None:
    """Store a phone contact, audited (codes only) in the same transaction."""

    async def job(tx: Tx) -> None:
        await tx.execute(
            "INSERT INTO phone_contacts (id, day, minutes, region, age_band, gender, theme,"
            " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                contact.id,
                contact.day.isoformat(),
                contact.minutes,
                contact.region,
                contact.age_band,
                contact.gender,
                contact.theme,
                by,
                to_rfc3339(at),
            ),
        )
        await audit.append(tx, at, by, "phone.register", contact.id)

    await db.write(job)


async def for_year(db: Database, year: int) -> list[PhoneContact]:
    """Every phone contact of a calendar year (Brussels dates)."""
    rows = await db.fetchall(
        "SELECT id, day, minutes, region, age_band, gender, theme FROM phone_contacts"
        " WHERE day >= ? AND day < ? ORDER BY day, id",
        (f"{year:04d}-01-01", f"{year + 1:04d}-01-01"),
    )
    return [
        PhoneContact(
            r["id"],
            date.fromisoformat(r["day"]),
            int(r["minutes"]),
            r["region"],
            r["age_band"],
            r["gender"],
            r["theme"],
        )
        for r in rows
    ]
