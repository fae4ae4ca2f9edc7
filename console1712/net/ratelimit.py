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
