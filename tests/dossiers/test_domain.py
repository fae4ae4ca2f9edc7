"""Retention periods and rights deadlines as pure dates."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from console1712.domain.retention import (
    add_months,
    chat_cutoff,
    dossier_erase_at,
    dossier_expired,
    is_overdue,
    rights_due,
)
from console1712.domain.themes import DEFAULT_THEMES, label, taxonomy


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_dossier_periods_follow_the_2019_rule() -> None:
    assert dossier_erase_at(utc(2018, 6, 1)) == utc(2023, 6, 1)
    assert dossier_erase_at(utc(2018, 12, 31, 23, 59)) == utc(2023, 12, 31, 23, 59)
    assert dossier_erase_at(utc(2019, 1, 1)) == utc(2029, 1, 1)
    assert dossier_erase_at(utc(2020, 3, 15)) == utc(2030, 3, 15)
    assert dossier_erase_at(None) is None  # open: never


def test_dossier_expiry_across_years() -> None:
    closed_2018 = utc(2018, 6, 1)
    assert not dossier_expired(closed_2018, utc(2023, 5, 31))
    assert dossier_expired(closed_2018, utc(2023, 6, 1))
    closed_2020 = utc(2020, 6, 1)
    assert not dossier_expired(closed_2020, utc(2029, 12, 31))
    assert not dossier_expired(closed_2020, utc(2030, 5, 31))
    assert dossier_expired(closed_2020, utc(2030, 6, 1))
    assert not dossier_expired(None, utc(2099, 1, 1))


def test_calendar_months_clamp_to_month_end() -> None:
    assert add_months(utc(2026, 8, 31), 6) == utc(2027, 2, 28)
    assert add_months(utc(2026, 3, 31), -1) == utc(2026, 2, 28)
    assert chat_cutoff(utc(2026, 11, 26, 14)) == utc(2026, 5, 26, 14)


def test_rights_deadlines() -> None:
    assert rights_due("access", date(2026, 11, 2)) == date(2026, 11, 16)
    assert rights_due("copy", date(2026, 12, 25)) == date(2027, 1, 8)
    for kind in ("portability", "rectification", "objection", "restriction", "erasure"):
        assert rights_due(kind, date(2026, 1, 31)) == date(2026, 2, 28)
    assert rights_due("withdrawal", date(2026, 11, 2)) == date(2026, 12, 2)
    with pytest.raises(ValueError):
        rights_due("anything", date(2026, 1, 1))


def test_overdue_only_when_open_and_past_the_due_day() -> None:
    due = date(2026, 11, 16)
    assert not is_overdue(due, date(2026, 11, 16), "open")
    assert is_overdue(due, date(2026, 11, 17), "open")
    assert not is_overdue(due, date(2026, 12, 1), "done")


def test_theme_taxonomy_default_and_setting() -> None:
    assert "partner-violence" in taxonomy(None)
    assert label("elder-abuse", "nl") == DEFAULT_THEMES["elder-abuse"]["nl"]
    custom = taxonomy({"stalking": "stalking", "other": "ander"})
    assert list(custom) == ["stalking", "other"]
    assert label("stalking", "en", custom) == "stalking"
    with pytest.raises(ValueError):
        taxonomy({"Bad Id": "x"})
