"""Chat opening hours in Europe/Brussels: is the chat open, when does it open or close.

Opening intervals are local wall-clock times, but every answer is computed on UTC instants:
each local interval of a day is turned into a UTC interval, so that `is_open`, `next_open`
and `closes_at` always agree with each other, also on the two DST Sundays.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

from console1712.domain.vocabulary import BRUSSELS

# How far ahead next_open looks before it gives up (a schedule closed for over a year).
SEARCH_DAYS = 400

DEFAULT_DAYS: tuple[int, ...] = (0, 1, 2, 3)
DEFAULT_HOURS: tuple[str, ...] = ("13:00-17:00", "18:00-22:00")

_INTERVAL = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def local_to_utc(day: date, wall: time) -> datetime:
    """The UTC instant of a Brussels wall-clock time on `day`.

    Ambiguous times (autumn) take the first occurrence; times in the spring gap take the
    first valid instant after the gap (the transition itself, e.g. 03:00 local).
    """
    local = datetime.combine(day, wall.replace(tzinfo=None, fold=0), tzinfo=BRUSSELS)
    first = local.astimezone(UTC)
    if first.astimezone(BRUSSELS).replace(tzinfo=None) == local.replace(tzinfo=None):
        return first
    # In the gap, fold=0 reads the wall time with the old offset (an instant after the
    # transition) and fold=1 with the new one (an instant before it): bisect between them.
    low = local.replace(fold=1).astimezone(UTC).timestamp()
    high = first.timestamp()
    after = first.astimezone(BRUSSELS).utcoffset()
    # Transitions fall on whole seconds: bisect on integer POSIX seconds.
    lo, hi = math.floor(low), math.ceil(high)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, BRUSSELS).utcoffset() == after:
            hi = mid
        else:
            lo = mid
    return datetime.fromtimestamp(hi, UTC)


def _parse_time(hour: str, minute: str, text: str) -> time:
    h, m = int(hour), int(minute)
    if not (0 <= h <= 23 and 0 <= m <= 59):
        raise ValueError(f"invalid time in opening hours {text!r}")
    return time(h, m)


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")


@dataclass(frozen=True)
class Schedule:
    """Weekly opening hours in Brussels local time, minus closed dates."""

    days: frozenset[int]
    intervals: tuple[tuple[time, time], ...]
    closed_dates: frozenset[date] = frozenset()
    # Set only by always_open(): open at every instant, whatever the other fields say.
    always: bool = False

    def __post_init__(self) -> None:
        for day in self.days:
            if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
                raise ValueError(f"weekday {day!r} is out of range 0..6 (Monday=0)")
        previous_end: time | None = None
        for start, end in self.intervals:
            if start >= end:
                raise ValueError(
                    f"opening interval {start:%H:%M}-{end:%H:%M} must start before it ends"
                )
            if previous_end is not None and start < previous_end:
                raise ValueError(
                    f"opening interval {start:%H:%M}-{end:%H:%M} overlaps the previous one"
                    " (intervals must be sorted and must not overlap)"
                )
            previous_end = end

    @classmethod
    def from_settings(cls, days: list[int], hours: list[str], closed_dates: list[str]) -> Schedule:
        """Build a schedule from settings: weekdays (Monday=0), "HH:MM-HH:MM", "YYYY-MM-DD".

        Raises ValueError with a short message on any invalid entry.
        """
        intervals: list[tuple[time, time]] = []
        for text in hours:
            match = _INTERVAL.match(text) if isinstance(text, str) else None
            if match is None:
                raise ValueError(f"opening hours {text!r} are not of the form HH:MM-HH:MM")
            start = _parse_time(match[1], match[2], text)
            end = _parse_time(match[3], match[4], text)
            if start >= end:
                raise ValueError(f"opening hours {text!r} must start before they end")
            intervals.append((start, end))
        intervals.sort()
        for (_, prev_end), (start, _) in pairwise(intervals):
            if start < prev_end:
                raise ValueError(
                    f"opening hours overlap: {start:%H:%M} is before the end {prev_end:%H:%M}"
                )
        parsed_dates: set[date] = set()
        for text in closed_dates:
            if not isinstance(text, str) or not _DATE.match(text):
                raise ValueError(f"closed date {text!r} is not of the form YYYY-MM-DD")
            try:
                parsed_dates.add(date.fromisoformat(text))
            except ValueError:
                raise ValueError(f"closed date {text!r} is not a valid date") from None
        return cls(frozenset(days), tuple(intervals), frozenset(parsed_dates))

    @classmethod
    def default(cls) -> Schedule:
        """The helpline's published chat hours: Monday-Thursday 13:00-17:00 and 18:00-22:00."""
        return cls.from_settings(list(DEFAULT_DAYS), list(DEFAULT_HOURS), [])

    @classmethod
    def always_open(cls) -> Schedule:
        """A schedule that is open at every instant (developers, load tests)."""
        return cls(frozenset(range(7)), (), frozenset(), always=True)

    def is_open_on(self, day: date) -> bool:
        """True when `day` (a Brussels local date) has opening hours at all."""
        return self.always or (
            day.weekday() in self.days and day not in self.closed_dates and bool(self.intervals)
        )

    def utc_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The opening intervals of a local date as [start, end) UTC instants, merged."""
        if self.always or not self.is_open_on(day):
            return []
        merged: list[tuple[datetime, datetime]] = []
        for start, end in self.intervals:
            begin, finish = local_to_utc(day, start), local_to_utc(day, end)
            if begin >= finish:
                continue  # the whole interval fell inside the spring DST gap
            # Touching intervals (17:00-18:00, 18:00-22:00) are one opening: merge them so
            # closes_at reports the real closing time.
            if merged and begin <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], finish))
            else:
                merged.append((begin, finish))
        return merged

    def _current(self, now: datetime) -> tuple[datetime, datetime] | None:
        _require_aware(now)
        instant = now.astimezone(UTC)
        for begin, finish in self.utc_intervals(instant.astimezone(BRUSSELS).date()):
            if begin <= instant < finish:
                return begin, finish
        return None

    def is_open(self, now: datetime) -> bool:
        """True when the chat is open at the aware instant `now`."""
        if self.always:
            _require_aware(now)
            return True
        return self._current(now) is not None

    def next_open(self, now: datetime) -> datetime | None:
        """The next UTC instant the chat opens; None when open now or nothing within 400 days."""
        if self.is_open(now):
            return None
        instant = now.astimezone(UTC)
        day = instant.astimezone(BRUSSELS).date()
        for offset in range(SEARCH_DAYS + 1):
            for begin, _ in self.utc_intervals(day + timedelta(days=offset)):
                if begin > instant:
                    return begin
        return None

    def closes_at(self, now: datetime) -> datetime | None:
        """When the current opening ends (UTC); None when closed now or always open."""
        if self.always:
            _require_aware(now)
            return None
        current = self._current(now)
        return None if current is None else current[1]
