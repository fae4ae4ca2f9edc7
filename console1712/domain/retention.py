"""Retention periods and rights-request deadlines (privacy policy 3.6, 3.7, 3.11): pure dates.

Months and years are calendar months and years; a day that does not exist in the target
month (31 August + 6 months) becomes the last day of that month.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta

from console1712.domain.vocabulary import BRUSSELS, RIGHTS_KINDS

CHAT_MONTHS = 6  # chats, their intake and network address (3.7)
MAIL_MONTHS = 6  # mails (3.6)
DOSSIER_YEARS = 10  # after closing (3.11)
DOSSIER_YEARS_OLD = 5  # for dossiers closed before OLD_RULE_UNTIL
OLD_RULE_UNTIL = datetime(2019, 1, 1, tzinfo=UTC)
BLOCK_MONTHS = 6  # a block holds a keyed hash of an address: kept like the address
# An erased dossier's rights requests stay (code, kind, dates, status: no content) as proof
# that the request was answered; this long after they were answered.
RIGHTS_PROOF_YEARS = 5

RIGHTS_DAYS = {"access": 14, "copy": 14}  # the policy promises 14 days; the others: 1 month


def add_months(when: datetime, months: int) -> datetime:
    """`when` moved by a number of calendar months (negative: back), day clamped."""
    index = when.year * 12 + (when.month - 1) + months
    year, month = divmod(index, 12)
    day = min(when.day, calendar.monthrange(year, month + 1)[1])
    return when.replace(year=year, month=month + 1, day=day)


def add_years(when: datetime, years: int) -> datetime:
    return add_months(when, 12 * years)


def chat_cutoff(now: datetime) -> datetime:
    """Chats that ended (or started, if never ended) before this are purged."""
    return add_months(now, -CHAT_MONTHS)


def mail_cutoff(now: datetime) -> datetime:
    return add_months(now, -MAIL_MONTHS)


def block_cutoff(now: datetime) -> datetime:
    return add_months(now, -BLOCK_MONTHS)


def dossier_erase_at(closed_at: datetime | None) -> datetime | None:
    """When a dossier closed at `closed_at` is erased; None for an open dossier (never)."""
    if closed_at is None:
        return None
    years = DOSSIER_YEARS_OLD if closed_at < OLD_RULE_UNTIL else DOSSIER_YEARS
    return add_years(closed_at, years)


def dossier_expired(closed_at: datetime | None, now: datetime) -> bool:
    erase_at = dossier_erase_at(closed_at)
    return erase_at is not None and erase_at <= now


def rights_due(kind: str, received: date) -> date:
    """The last day to answer a rights request received on `received` (inclusive)."""
    if kind not in RIGHTS_KINDS:
        raise ValueError(f"unknown rights request kind: {kind}")
    days = RIGHTS_DAYS.get(kind)
    if days is not None:
        return received + timedelta(days=days)
    start = datetime(received.year, received.month, received.day, tzinfo=UTC)
    return add_months(start, 1).date()


def is_overdue(due: date, today: date, status: str) -> bool:
    """An open request is overdue the day after its due date."""
    return status == "open" and today > due


def brussels_today(now: datetime) -> date:
    """The calendar day in Brussels (requests are received and due on local days)."""
    return now.astimezone(BRUSSELS).date()
