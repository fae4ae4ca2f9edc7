"""Chat opening hours: the fake clock is simply the explicit `now` passed to each call."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from console1712.domain.hours import Schedule, local_to_utc
from console1712.domain.vocabulary import BRUSSELS

DEFAULT = Schedule.from_settings([0, 1, 2, 3], ["13:00-17:00", "18:00-22:00"], [])
EVERY_DAY = Schedule.from_settings(list(range(7)), ["13:00-17:00", "18:00-22:00"], [])
SUNDAY_NIGHT = Schedule.from_settings([6], ["01:00-04:00"], [])


def bxl(y: int, mo: int, d: int, h: int, mi: int = 0, s: int = 0, fold: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=BRUSSELS, fold=fold)


def utc(y: int, mo: int, d: int, h: int, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=UTC)


# --- the default schedule (Monday-Thursday 13-17 and 18-22) ---------------------------------


def test_default_classmethod_matches_settings() -> None:
    assert Schedule.default() == DEFAULT
    assert DEFAULT.days == frozenset({0, 1, 2, 3})
    assert DEFAULT.intervals == ((time(13), time(17)), (time(18), time(22)))


def test_open_monday_1300_winter_and_summer() -> None:
    assert DEFAULT.is_open(bxl(2026, 1, 5, 13, 0))  # Monday, CET
    assert DEFAULT.is_open(utc(2026, 1, 5, 12, 0))  # the same instant in UTC
    assert DEFAULT.is_open(bxl(2026, 6, 1, 13, 0))  # Monday, CEST
    assert DEFAULT.next_open(bxl(2026, 1, 5, 13, 0)) is None


def test_boundaries_of_the_afternoon_interval() -> None:
    assert not DEFAULT.is_open(bxl(2026, 1, 5, 12, 59, 59))
    assert DEFAULT.is_open(bxl(2026, 1, 5, 16, 59, 59))
    assert not DEFAULT.is_open(bxl(2026, 1, 5, 17, 0))
    assert DEFAULT.is_open(bxl(2026, 1, 5, 21, 59, 59))
    assert not DEFAULT.is_open(bxl(2026, 1, 5, 22, 0))


def test_closed_between_1700_and_1800_reopens_at_1800() -> None:
    now = bxl(2026, 1, 6, 17, 30)
    assert not DEFAULT.is_open(now)
    assert DEFAULT.closes_at(now) is None
    assert DEFAULT.next_open(now) == bxl(2026, 1, 6, 18, 0)
    assert DEFAULT.next_open(now) == utc(2026, 1, 6, 17, 0)


def test_morning_opens_same_day() -> None:
    assert DEFAULT.next_open(bxl(2026, 1, 7, 9, 0)) == utc(2026, 1, 7, 12, 0)


def test_friday_and_weekend_closed_next_open_monday_winter() -> None:
    for now in (bxl(2026, 1, 9, 14, 0), bxl(2026, 1, 10, 14, 0), bxl(2026, 1, 11, 20, 0)):
        assert not DEFAULT.is_open(now)
        opening = DEFAULT.next_open(now)
        assert opening == utc(2026, 1, 12, 12, 0)  # Monday 13:00 at +01:00
        assert opening is not None and opening.tzinfo is UTC
        local = opening.astimezone(BRUSSELS)
        assert (local.hour, local.utcoffset()) == (13, timedelta(hours=1))


def test_friday_closed_next_open_monday_summer() -> None:
    opening = DEFAULT.next_open(bxl(2026, 6, 5, 14, 0))
    assert opening == utc(2026, 6, 8, 11, 0)  # Monday 13:00 at +02:00
    assert opening is not None
    assert opening.astimezone(BRUSSELS).utcoffset() == timedelta(hours=2)


def test_thursday_2200_next_open_monday_1300() -> None:
    assert DEFAULT.next_open(bxl(2026, 1, 8, 22, 0)) == bxl(2026, 1, 12, 13, 0)


def test_now_in_any_timezone() -> None:
    plus5 = timezone(timedelta(hours=5))
    now = datetime(2026, 1, 5, 18, 30, tzinfo=plus5)  # 14:30 Brussels
    assert DEFAULT.is_open(now)
    assert DEFAULT.closes_at(now) == utc(2026, 1, 5, 16, 0)


def test_naive_datetime_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        DEFAULT.is_open(datetime(2026, 1, 5, 13, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        DEFAULT.next_open(datetime(2026, 1, 5, 13, 0))


def test_closes_at() -> None:
    assert DEFAULT.closes_at(bxl(2026, 1, 5, 14, 0)) == bxl(2026, 1, 5, 17, 0)
    assert DEFAULT.closes_at(bxl(2026, 6, 1, 19, 0)) == utc(2026, 6, 1, 20, 0)
    assert DEFAULT.closes_at(bxl(2026, 1, 9, 14, 0)) is None


def test_touching_intervals_close_at_the_end_of_both() -> None:
    schedule = Schedule.from_settings([0], ["17:00-18:00", "13:00-17:00"], [])
    assert schedule.intervals == ((time(13), time(17)), (time(17), time(18)))
    assert schedule.is_open(bxl(2026, 1, 5, 17, 0))
    assert schedule.closes_at(bxl(2026, 1, 5, 14, 0)) == bxl(2026, 1, 5, 18, 0)


# --- closed dates ----------------------------------------------------------------------------


def test_closed_date_is_skipped() -> None:
    schedule = Schedule.from_settings([0, 1, 2, 3], ["13:00-17:00"], ["2026-01-12"])
    assert not schedule.is_open(bxl(2026, 1, 12, 14, 0))
    assert schedule.next_open(bxl(2026, 1, 8, 22, 0)) == bxl(2026, 1, 13, 13, 0)


def test_closed_date_followed_by_weekend() -> None:
    schedule = Schedule.from_settings(
        [0, 1, 2, 3], ["13:00-17:00", "18:00-22:00"], ["2026-01-08", "2026-01-12"]
    )
    now = bxl(2026, 1, 8, 14, 0)  # a closed Thursday
    assert not schedule.is_open(now)
    assert schedule.next_open(now) == bxl(2026, 1, 13, 13, 0)


def test_no_opening_within_search_window() -> None:
    never = Schedule.from_settings([0], [], [])
    assert not never.is_open(bxl(2026, 1, 5, 14, 0))
    assert never.next_open(bxl(2026, 1, 5, 14, 0)) is None


# --- DST Sundays 2026 ------------------------------------------------------------------------


def test_spring_sunday_default_hours_use_summer_offset() -> None:
    now = bxl(2026, 3, 28, 22, 30)  # Saturday evening, still +01:00
    assert EVERY_DAY.next_open(now) == utc(2026, 3, 29, 11, 0)  # 13:00 at +02:00


def test_autumn_sunday_default_hours_use_winter_offset() -> None:
    now = bxl(2026, 10, 24, 22, 30)  # Saturday evening, still +02:00
    assert EVERY_DAY.next_open(now) == utc(2026, 10, 25, 12, 0)  # 13:00 at +01:00


def test_saturday_evening_across_spring_weekend_gives_monday_summer_time() -> None:
    opening = DEFAULT.next_open(bxl(2026, 3, 28, 20, 0))
    assert opening == utc(2026, 3, 30, 11, 0)
    assert opening == bxl(2026, 3, 30, 13, 0)


def test_saturday_evening_across_autumn_weekend_gives_monday_winter_time() -> None:
    opening = DEFAULT.next_open(bxl(2026, 10, 24, 20, 0))
    assert opening == utc(2026, 10, 26, 12, 0)
    assert opening == bxl(2026, 10, 26, 13, 0)


def test_night_interval_on_spring_sunday() -> None:
    # 01:00 CET is 00:00 UTC; 02:00-03:00 does not exist; 04:00 CEST is 02:00 UTC.
    assert SUNDAY_NIGHT.next_open(utc(2026, 3, 28, 12, 0)) == utc(2026, 3, 29, 0, 0)
    assert not SUNDAY_NIGHT.is_open(utc(2026, 3, 28, 23, 59, 59))
    assert SUNDAY_NIGHT.is_open(utc(2026, 3, 29, 0, 0))
    assert SUNDAY_NIGHT.is_open(utc(2026, 3, 29, 0, 59, 59))  # 01:59:59 CET
    assert SUNDAY_NIGHT.is_open(utc(2026, 3, 29, 1, 0))  # 03:00 CEST
    assert SUNDAY_NIGHT.is_open(utc(2026, 3, 29, 1, 59, 59))
    assert not SUNDAY_NIGHT.is_open(utc(2026, 3, 29, 2, 0))  # 04:00 CEST
    assert SUNDAY_NIGHT.closes_at(utc(2026, 3, 29, 0, 30)) == utc(2026, 3, 29, 2, 0)
    # The next Sunday is in summer time: 01:00 CEST is 23:00 UTC on Saturday.
    assert SUNDAY_NIGHT.next_open(utc(2026, 3, 29, 2, 0)) == utc(2026, 4, 4, 23, 0)


def test_night_interval_on_autumn_sunday() -> None:
    # 01:00 CEST is 23:00 UTC on Saturday; 02:00-03:00 happens twice; 04:00 CET is 03:00 UTC.
    assert SUNDAY_NIGHT.next_open(utc(2026, 10, 24, 22, 0)) == utc(2026, 10, 24, 23, 0)
    assert not SUNDAY_NIGHT.is_open(utc(2026, 10, 24, 22, 59, 59))
    assert SUNDAY_NIGHT.is_open(utc(2026, 10, 24, 23, 0))
    assert SUNDAY_NIGHT.is_open(bxl(2026, 10, 25, 2, 30, fold=0))  # 00:30 UTC
    assert SUNDAY_NIGHT.is_open(bxl(2026, 10, 25, 2, 30, fold=1))  # 01:30 UTC
    assert SUNDAY_NIGHT.is_open(utc(2026, 10, 25, 2, 59, 59))
    assert not SUNDAY_NIGHT.is_open(utc(2026, 10, 25, 3, 0))
    assert SUNDAY_NIGHT.closes_at(utc(2026, 10, 25, 1, 30)) == utc(2026, 10, 25, 3, 0)
    # The next Sunday is in winter time: 01:00 CET is 00:00 UTC.
    assert SUNDAY_NIGHT.next_open(utc(2026, 10, 25, 3, 0)) == utc(2026, 11, 1, 0, 0)


def test_start_in_spring_gap_opens_at_end_of_gap() -> None:
    schedule = Schedule.from_settings([6], ["02:30-05:00"], [])
    # 02:30 does not exist on 2026-03-29: open from 03:00 CEST (01:00 UTC).
    assert schedule.next_open(utc(2026, 3, 28, 12, 0)) == utc(2026, 3, 29, 1, 0)
    assert not schedule.is_open(utc(2026, 3, 29, 0, 59, 59))
    assert schedule.is_open(utc(2026, 3, 29, 1, 0))
    assert schedule.closes_at(utc(2026, 3, 29, 1, 0)) == utc(2026, 3, 29, 3, 0)


def test_interval_inside_spring_gap_never_opens_that_day() -> None:
    schedule = Schedule.from_settings([6], ["02:00-02:45"], [])
    assert not schedule.is_open(utc(2026, 3, 29, 1, 0))
    # Next Sunday 02:00 CEST is 00:00 UTC.
    assert schedule.next_open(utc(2026, 3, 28, 12, 0)) == utc(2026, 4, 5, 0, 0)


def test_ambiguous_start_in_autumn_uses_first_occurrence() -> None:
    schedule = Schedule.from_settings([6], ["02:30-05:00"], [])
    assert schedule.next_open(utc(2026, 10, 24, 22, 0)) == utc(2026, 10, 25, 0, 30)
    # Once open, the repeated hour does not close it again (instants, not wall readings).
    assert schedule.is_open(bxl(2026, 10, 25, 2, 15, fold=1))
    assert schedule.closes_at(utc(2026, 10, 25, 0, 30)) == utc(2026, 10, 25, 4, 0)


def test_local_to_utc() -> None:
    assert local_to_utc(date(2026, 1, 5), time(13)) == utc(2026, 1, 5, 12)
    assert local_to_utc(date(2026, 3, 29), time(2, 30)) == utc(2026, 3, 29, 1, 0)
    assert local_to_utc(date(2026, 10, 25), time(2, 30)) == utc(2026, 10, 25, 0, 30)


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "hours", "closed", "message"),
    [
        ([0], ["13-17"], [], "HH:MM-HH:MM"),
        ([0], ["13:00 17:00"], [], "HH:MM-HH:MM"),
        ([0], [""], [], "HH:MM-HH:MM"),
        ([0], ["25:00-26:00"], [], "invalid time"),
        ([0], ["13:60-14:00"], [], "invalid time"),
        ([0], ["17:00-13:00"], [], "start before"),
        ([0], ["13:00-13:00"], [], "start before"),
        ([0], ["13:00-17:00", "16:00-18:00"], [], "overlap"),
        ([0], ["16:00-18:00", "13:00-17:00"], [], "overlap"),
        ([7], ["13:00-17:00"], [], "out of range"),
        ([-1], ["13:00-17:00"], [], "out of range"),
        ([0], ["13:00-17:00"], ["2026-02-30"], "not a valid date"),
        ([0], ["13:00-17:00"], ["2026/01/01"], "YYYY-MM-DD"),
        ([0], ["13:00-17:00"], ["20260101"], "YYYY-MM-DD"),
    ],
)
def test_invalid_settings(
    days: list[int], hours: list[str], closed: list[str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Schedule.from_settings(days, hours, closed)


def test_direct_construction_is_validated() -> None:
    with pytest.raises(ValueError, match="overlaps"):
        Schedule(frozenset({0}), ((time(13), time(17)), (time(12), time(14))), frozenset())
    with pytest.raises(ValueError, match="start before"):
        Schedule(frozenset({0}), ((time(17), time(13)),), frozenset())


def test_settings_are_parsed() -> None:
    schedule = Schedule.from_settings([3, 0], [" 9:05 - 12:30 "], ["2026-12-24"])
    assert schedule.days == frozenset({0, 3})
    assert schedule.intervals == ((time(9, 5), time(12, 30)),)
    assert schedule.closed_dates == frozenset({date(2026, 12, 24)})


# --- always open -----------------------------------------------------------------------------


def test_always_open() -> None:
    schedule = Schedule.always_open()
    for now in (
        utc(2026, 1, 10, 3, 0),
        bxl(2026, 3, 29, 2, 30),
        bxl(2026, 10, 25, 2, 30, fold=1),
        utc(2026, 12, 25, 23, 59, 59),
    ):
        assert schedule.is_open(now)
        assert schedule.next_open(now) is None
        assert schedule.closes_at(now) is None
