"""`console1712 bench scrub`: the transcript anonymiser on hostile input of growing size.

Each shape repeats a near-match (a run of dots, "a . a . ", "Jan Jan ", ...) that a pattern
with a back-tracking or per-position scan would make quadratic. Growth is the time at the
large size over the time at the small one: linear code grows by the size ratio (8 by default),
quadratic code by its square (64).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from console1712.bench import procstat
from console1712.bench.report import Report, Target
from console1712.domain.scrub import scrub

SHAPES = {
    "letters": "a",
    "dots": "a.",
    "at": "a@",
    "at-word": "a at ",
    "spaced-dots": "a . ",
    "digits": "1 ",
    "zeros": "0",
    "names": "Jan ",
    "capitals": "JAN ",
    "lower-names": "lies maes ",
    "cues": "ik ben ",
    "streets": "Kerkstraat ",
    "plates": "1-",
    "compounds": "Sint-",
    "ip": "1.",
    "ipv6": "ab:",
    "classes": "klas ",
    "phones": "+3 ",
    "dates": "12/",
}


@dataclass
class ScrubOptions:
    small: int = 500
    large: int = 4000  # the longest chat text protocol v1 allows
    runs: int = 3


def _best(text: str, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        scrub(text)
        best = min(best, time.perf_counter() - start)
    return best


def run_scrub(opts: ScrubOptions) -> Report:
    """Time every shape at both sizes (best of `runs`); growth per shape and the worst."""
    report = Report(
        "scrub",
        {"small": opts.small, "large": opts.large, "runs": opts.runs},
        machine=procstat.machine(),
    )
    shapes: dict[str, dict[str, float]] = {}
    for name, unit in SHAPES.items():
        small = (unit * (opts.small // len(unit) + 1))[: opts.small]
        large = (unit * (opts.large // len(unit) + 1))[: opts.large]
        t_small, t_large = _best(small, opts.runs), _best(large, opts.runs)
        shapes[name] = {
            "small_ms": t_small * 1000,
            "large_ms": t_large * 1000,
            "growth": t_large / t_small if t_small > 0 else 0.0,
        }
    worst_ms = max(s["large_ms"] for s in shapes.values())
    worst_growth = max(s["growth"] for s in shapes.values())
    report.figures = {"shapes": shapes, "worst_large_ms": worst_ms, "worst_growth": worst_growth}
    ratio = opts.large / opts.small
    report.targets = [
        Target(f"worst message of {opts.large} characters", worst_ms, 50, "ms"),
        # Linear: growth near the size ratio; twice it leaves room for noise, far below ratio².
        Target("worst growth (linear)", worst_growth, 2 * ratio, "x"),
    ]
    return report
