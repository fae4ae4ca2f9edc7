"""Benchmark results: percentiles, a plain table for stdout, JSON for machines."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

MIB = 1024 * 1024


def percentiles(values: Sequence[float]) -> dict[str, float | int | None]:
    """count, p50, p95, p99 and max (nearest rank); None for the figures of an empty list."""
    if not values:
        return {"count": 0, "p50": None, "p95": None, "p99": None, "max": None}
    ordered = sorted(values)

    def rank(q: float) -> float:
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)]

    return {
        "count": len(ordered),
        "p50": rank(0.50),
        "p95": rank(0.95),
        "p99": rank(0.99),
        "max": ordered[-1],
    }


@dataclass
class Target:
    """One target of issue 9: `value <= limit` (or >= when `at_least`)."""

    name: str
    value: float | None
    limit: float
    unit: str
    at_least: bool = False

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        return self.value >= self.limit if self.at_least else self.value <= self.limit

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "limit": self.limit,
            "unit": self.unit,
            "at_least": self.at_least,
            "met": self.met,
        }


@dataclass
class Report:
    """What one scenario measured: parameters, figures (nested dicts allowed) and targets."""

    scenario: str
    params: dict[str, Any]
    figures: dict[str, Any] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    machine: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "params": self.params,
            "figures": self.figures,
            "targets": [t.as_dict() for t in self.targets],
            "machine": self.machine,
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, sort_keys=False)


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value == 0 or abs(value) >= 100:
            return f"{value:.0f}"
        if abs(value) >= 1:
            return f"{value:.2f}"
        return f"{value:.3f}"
    return str(value)


def _rows(prefix: str, value: Any) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        if set(value) >= {"p50", "p99", "max"}:
            parts = " ".join(f"{k}={_fmt(value[k])}" for k in ("p50", "p95", "p99", "max"))
            return [(prefix, f"{parts} (n={value.get('count', '-')})")]
        rows: list[tuple[str, str]] = []
        for key, sub in value.items():
            rows += _rows(f"{prefix}.{key}" if prefix else key, sub)
        return rows
    return [(prefix, _fmt(value))]


def table(report: Report) -> str:
    """The report as aligned `name  value` lines, then the targets with met / NOT met."""
    lines = [f"bench {report.scenario}: " + " ".join(f"{k}={v}" for k, v in report.params.items())]
    rows = _rows("", report.figures)
    width = max((len(name) for name, _ in rows), default=0)
    lines += [f"  {name:<{width}}  {value}" for name, value in rows]
    if report.targets:
        lines.append("  targets:")
        for t in report.targets:
            op = ">=" if t.at_least else "<="
            verdict = {True: "met", False: "NOT met", None: "not measured"}[t.met]
            lines.append(f"    {t.name}: {_fmt(t.value)} {t.unit} ({op} {_fmt(t.limit)}) {verdict}")
    return "\n".join(lines)
