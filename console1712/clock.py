"""Time source for everything that depends on the wall clock; tests inject a FakeClock."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class Clock:
    """The real clock: timezone-aware UTC datetimes."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


class FakeClock(Clock):
    """A clock that only moves when told to (tests, simulations)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
        self._mono = 1000.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
        self._mono += seconds

    def set(self, when: datetime) -> None:
        delta = (when - self._now).total_seconds()
        self.advance(delta)


# The last whole second written and its text (one tuple: replaced in one step). Messages
# come many a second, and strftime is the costly part of writing one.
_last: tuple[datetime | None, str] = (None, "")


def to_rfc3339(when: datetime) -> str:
    """UTC RFC 3339 with a Z suffix and whole seconds, as the protocol writes times."""
    global _last
    second = when.replace(microsecond=0)
    cached = _last
    if cached[0] is not None and cached[0] == second:
        return cached[1]
    text = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    _last = (second, text)
    return text


def from_rfc3339(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
