"""Working days for mail due times: weekends and Belgian public holidays do not count."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import holidays

from console1712.domain.hours import local_to_utc
from console1712.domain.vocabulary import BRUSSELS

MAIL_WORKING_DAYS = 2
_NO_DATES: frozenset[date] = frozenset()


@lru_cache(maxsize=64)
def _belgian_holidays(year: int) -> frozenset[date]:
    # Built once per year: constructing the holidays table is far slower than a lookup.
    return frozenset(holidays.country_holidays("BE", years=year).keys())


def is_working_day(d: date, extra_closed: frozenset[date] = _NO_DATES) -> bool:
    """True for Monday-Friday dates that are neither a Belgian public holiday nor extra closed."""
    return d.weekday() < 5 and d not in _belgian_holidays(d.year) and d not in extra_closed


def add_working_days(d: date, n: int, extra_closed: frozenset[date] = _NO_DATES) -> date:
    """The n-th working day after `d` (`d` itself never counts); n=0 returns `d` unchanged."""
    if n < 0:
        raise ValueError("n must be zero or positive")
    current = d
    remaining = n
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current, extra_closed):
            remaining -= 1
    return current


def due_at(
    received: datetime,
    working_days: int = MAIL_WORKING_DAYS,
    extra_closed: frozenset[date] = _NO_DATES,
) -> datetime:
    """When a mail must be answered (UTC): same Brussels wall time, `working_days` working days on.

    Rule: received on a working day at local time T -> due at T on the n-th working day after
    it (Friday 10:00 -> Tuesday 10:00). Received on a non-working day -> it counts as received
    at 00:00 local on the next working day (Saturday -> Monday 00:00 -> due Wednesday 00:00).
    """
    if received.tzinfo is None or received.utcoffset() is None:
        raise ValueError("received must be a timezone-aware datetime")
    local = received.astimezone(BRUSSELS)
    start_day = local.date()
    wall = local.time()
    if not is_working_day(start_day, extra_closed):
        start_day = add_working_days(start_day, 1, extra_closed)
        wall = time(0, 0)
    due_day = add_working_days(start_day, working_days, extra_closed)
    # Keep the local wall-clock time across DST; local_to_utc settles gaps and overlaps.
    return local_to_utc(due_day, wall).astimezone(UTC)
