"""Mail due times: two working days, Belgian public holidays and weekends skipped."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from console1712.domain.vocabulary import BRUSSELS
from console1712.domain.workdays import add_working_days, due_at, is_working_day


def bxl(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=BRUSSELS)


def utc(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def test_is_working_day() -> None:
    assert is_working_day(date(2026, 1, 9))  # Friday
    assert not is_working_day(date(2026, 1, 10))  # Saturday
    assert not is_working_day(date(2026, 1, 11))  # Sunday
    assert not is_working_day(date(2026, 12, 25))  # Christmas, a Friday
    assert not is_working_day(date(2027, 1, 1))  # New Year, a Friday
    assert not is_working_day(date(2026, 4, 6))  # Easter Monday
    assert not is_working_day(date(2026, 11, 11))  # Armistice, a Wednesday
    assert not is_working_day(date(2026, 7, 21))  # National Day, a Tuesday
    assert not is_working_day(date(2026, 1, 12), frozenset({date(2026, 1, 12)}))


def test_add_working_days() -> None:
    assert add_working_days(date(2026, 1, 9), 2) == date(2026, 1, 13)
    assert add_working_days(date(2026, 1, 10), 1) == date(2026, 1, 12)
    assert add_working_days(date(2026, 1, 9), 0) == date(2026, 1, 9)
    assert add_working_days(date(2026, 12, 24), 3) == date(2026, 12, 30)
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 9), -1)


def test_friday_mail_due_tuesday_same_time() -> None:
    due = due_at(bxl(2026, 1, 9, 10, 15))
    assert due == bxl(2026, 1, 13, 10, 15)
    assert due == utc(2026, 1, 13, 9, 15)
    assert due.tzinfo is UTC


def test_weekday_mail_due_two_days_later() -> None:
    assert due_at(bxl(2026, 1, 5, 16, 0)) == bxl(2026, 1, 7, 16, 0)


def test_saturday_mail_counts_from_monday_midnight() -> None:
    assert due_at(bxl(2026, 1, 10, 15, 0)) == bxl(2026, 1, 14, 0, 0)
    assert due_at(bxl(2026, 1, 11, 23, 59)) == utc(2026, 1, 13, 23, 0)


def test_local_date_decides_not_utc_date() -> None:
    # 23:30 UTC on Thursday is already Friday 00:30 in Brussels.
    assert due_at(utc(2026, 1, 8, 23, 30)) == bxl(2026, 1, 13, 0, 30)
    # 22:30 UTC on a summer Friday is already Saturday 00:30 in Brussels.
    assert due_at(utc(2026, 6, 5, 22, 30)) == bxl(2026, 6, 10, 0, 0)


def test_christmas_friday_skipped() -> None:
    assert due_at(bxl(2026, 12, 24, 10, 0)) == bxl(2026, 12, 29, 10, 0)
    # Received on Christmas itself: counts from Monday 28 at 00:00.
    assert due_at(bxl(2026, 12, 25, 10, 0)) == bxl(2026, 12, 30, 0, 0)


def test_new_year_skipped() -> None:
    assert due_at(bxl(2026, 12, 31, 10, 0)) == bxl(2027, 1, 5, 10, 0)


def test_easter_monday_skipped() -> None:
    assert due_at(bxl(2026, 4, 3, 10, 0)) == bxl(2026, 4, 8, 10, 0)


def test_armistice_skipped() -> None:
    assert due_at(bxl(2026, 11, 10, 10, 0)) == bxl(2026, 11, 13, 10, 0)


def test_due_keeps_wall_clock_across_spring_dst() -> None:
    received = bxl(2026, 3, 27, 10, 0)  # Friday, +01:00
    assert received.astimezone(UTC) == utc(2026, 3, 27, 9, 0)
    assert due_at(received) == utc(2026, 3, 31, 8, 0)  # Tuesday 10:00 at +02:00


def test_due_keeps_wall_clock_across_autumn_dst() -> None:
    received = bxl(2026, 10, 23, 10, 0)  # Friday, +02:00
    assert received.astimezone(UTC) == utc(2026, 10, 23, 8, 0)
    assert due_at(received) == utc(2026, 10, 27, 9, 0)  # Tuesday 10:00 at +01:00


def test_extra_closed_dates() -> None:
    closed = frozenset({date(2026, 1, 12)})
    assert due_at(bxl(2026, 1, 9, 10, 0), extra_closed=closed) == bxl(2026, 1, 14, 10, 0)
    # Received on an extra closed day: counts from the next working day at 00:00.
    assert due_at(bxl(2026, 1, 12, 10, 0), extra_closed=closed) == bxl(2026, 1, 15, 0, 0)


def test_other_number_of_working_days() -> None:
    assert due_at(bxl(2026, 1, 9, 10, 0), working_days=1) == bxl(2026, 1, 12, 10, 0)
    assert due_at(bxl(2026, 1, 9, 10, 0), working_days=5) == bxl(2026, 1, 16, 10, 0)


def test_naive_received_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        due_at(datetime(2026, 1, 9, 10, 0))
