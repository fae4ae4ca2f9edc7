"""Sliding-window flood limits for chatter messages (protocol v1: 5 per 1 s, 30 per 10 s)."""

from __future__ import annotations

import math
from collections import deque

LIMITS: tuple[tuple[float, int], ...] = ((1.0, 5), (10.0, 30))


class RateLimiter:
    """Counts accepted events over sliding windows; `check` says how long to wait, if at all."""

    def __init__(self, limits: tuple[tuple[float, int], ...] = LIMITS) -> None:
        self.limits = limits
        self._span = max(window for window, _ in limits)
        self._times: deque[float] = deque()

    def check(self, now: float) -> int | None:
        """None if one more event is allowed at `now`, else whole seconds to wait (>= 1)."""
        while self._times and self._times[0] <= now - self._span:
            self._times.popleft()
        wait = 0.0
        for window, limit in self.limits:
            # Times are ascending: the window is full iff the limit-th newest event is in it,
            # and it has room again once that event leaves it.
            if len(self._times) >= limit and (oldest := self._times[-limit]) > now - window:
                wait = max(wait, oldest + window - now)
        return None if wait <= 0 else max(1, math.ceil(wait))

    def add(self, now: float) -> None:
        self._times.append(now)


class HourlyBudget:
    """Bytes per key (a keyed address hash) over a sliding hour, kept in one-minute buckets.

    Buckets, not one entry per event: memory per key stays at most 60 pairs however many
    messages an address sends."""

    WINDOW = 3600.0
    BUCKET = 60.0

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._buckets: dict[str, deque[list[float]]] = {}  # key -> [[bucket start, bytes]]
        self._totals: dict[str, float] = {}

    def _expire(self, key: str, now: float) -> deque[list[float]] | None:
        buckets = self._buckets.get(key)
        if buckets is None:
            return None
        while buckets and buckets[0][0] <= now - self.WINDOW:
            self._totals[key] -= buckets.popleft()[1]
        if not buckets:
            del self._buckets[key], self._totals[key]
            return None
        return buckets

    def check(self, key: str, now: float, size: int) -> int | None:
        """None if `size` more bytes fit in the hour before `now`, else whole seconds to wait."""
        buckets = self._expire(key, now)
        if buckets is None:
            return None if size <= self.limit else math.ceil(self.WINDOW)
        total = self._totals[key]
        if total + size <= self.limit:
            return None
        # Room comes back as the oldest buckets leave the hour.
        for start, used in buckets:
            total -= used
            if total + size <= self.limit:
                return max(1, math.ceil(start + self.WINDOW - now))
        return math.ceil(self.WINDOW)

    def add(self, key: str, now: float, size: int) -> None:
        buckets = self._buckets.setdefault(key, deque())
        if buckets and now < buckets[-1][0] + self.BUCKET:
            buckets[-1][1] += size
        else:
            buckets.append([now, float(size)])
        self._totals[key] = self._totals.get(key, 0.0) + size

    def prune(self, now: float) -> None:
        """Forget keys with nothing left in the hour (called now and then, not per event)."""
        for key in list(self._buckets):
            self._expire(key, now)

    def __len__(self) -> int:
        return len(self._buckets)
