"""Mail due times: 2 working days in Europe/Brussels (policy 2.5), concrete dates."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from console1712.domain.mailparse import parse_mail
from console1712.domain.workdays import due_at
from console1712.store import mail as store

from .conftest import Host


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Wed 23 Dec 10:00 local: Thu 24 counts, Fri 25 (Christmas) and the weekend do not.
        (utc(2026, 12, 23, 9, 0), utc(2026, 12, 28, 9, 0)),
        # Received on Christmas day: counts from Mon 28 00:00, due Wed 30 00:00 local.
        (utc(2026, 12, 25, 11, 0), utc(2026, 12, 29, 23, 0)),
        # Thu 31 Dec 16:00 local: New Year (Fri 1 Jan) and the weekend skipped.
        (utc(2026, 12, 31, 15, 0), utc(2027, 1, 5, 15, 0)),
        # Fri 26 Mar 2027 09:30 CET: Easter Monday 29 Mar skipped; due Wed 31 09:30 CEST.
        (utc(2027, 3, 26, 8, 30), utc(2027, 3, 31, 7, 30)),
        # Saturday: counts from Monday 00:00, due Wednesday 00:00 local.
        (utc(2026, 11, 28, 10, 0), utc(2026, 12, 1, 23, 0)),
        # Friday late evening local (already Saturday in no zone): Tuesday same time.
        (utc(2026, 11, 27, 22, 30), utc(2026, 12, 1, 22, 30)),
    ],
)
def test_due_dates(received: datetime, due: datetime) -> None:
    assert due_at(received) == due


async def test_closed_dates_move_the_due_time_of_a_stored_mail(host: Host) -> None:
    data = b"From: a@example.org\r\nSubject: x\r\nMessage-ID: <c@x>\r\n\r\nhoi\r\n"
    closed = frozenset({date(2026, 12, 24)})
    stored = await store.store_incoming(
        host.db, parse_mail(data), utc(2026, 12, 23, 9), None, closed
    )
    # 24 Dec closed, 25 Christmas, weekend: Mon 28 and Tue 29 are the two working days.
    assert stored.due_at == utc(2026, 12, 29, 9, 0)
    thread = await store.get_thread(host.db, stored.thread)
    assert thread is not None and thread.due_at == stored.due_at
