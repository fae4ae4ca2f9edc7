"""Snapshot of the Dossier screen at 80x24 (16-colour theme), opened from a mail thread to
link it: results, a dossier under a legal hold with annotations (one corrected), a link and
a rights request. Fed through the screen's reply handlers, without a live relay."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from textual.pilot import Pilot

from console1712.app import ConsoleApp
from console1712.clock import FakeClock
from console1712.config import Settings
from console1712.screens.dossier import DossierReply, DossierScreen
from console1712.widgets.events import ConnectionChanged

NOW = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
SESSION = {
    "type": "session",
    "user": "sofie",
    "name": "Sofie",
    "role": "supervisor",
    "team": "antwerpen",
    "token": "t",
}


def summary(code: str, pseudonym: str, **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "team": "antwerpen",
        "status": "open",
        "opened_at": "2026-10-02T09:30:00Z",
        "closed_at": None,
        "pseudonym": pseudonym,
        "themes": ["partner-violence"],
        "restricted": False,
        "hold": None,
        "erase_at": None,
        **extra,
    }


def annotation(n: int, kind: str, text: str, version: int = 1, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"a_{n}",
        "kind": kind,
        "to": None,
        "text": text,
        "author": "anna",
        "at": f"2026-11-{10 + n:02d}T10:00:00Z",
        "version": version,
        "corrects": None,
        "origin": None,
        "current": True,
        **extra,
    }


RESULTS = [
    summary("D-2026-0007", "Roos"),
    summary("D-2026-0003", "Lelie [b]", status="closed"),
    summary("D-2025-0112", "Tulp", restricted=True),
]
OPENED = {
    **RESULTS[0],
    "hold": {"reason": "vordering parket", "by": "sofie", "at": "2026-11-20T08:00:00Z"},
    "annotations": [
        annotation(1, "note", "Belde over ruzies thuis; wil eerst nadenken.", current=False),
        annotation(2, "note", "Mailde over ruzies thuis; wil eerst nadenken.", 2, corrects="a_1"),
        annotation(3, "referral", "Adres CAW Antwerpen doorgegeven.", to="caw"),
    ],
    "links": [{"kind": "mail", "target": "t_2", "at": "2026-11-24T17:00:00Z", "by": "anna"}],
    "requests": [
        {"id": "r_1", "code": "D-2026-0007", "kind": "copy", "received": "2026-11-20",
         "due": "2026-12-04", "status": "open", "overdue": False},
    ],
}  # fmt: skip


async def fill_dossier(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, ConsoleApp)
    app.open_workspace(SESSION).post_message(ConnectionChanged("connected"))
    await pilot.pause()
    screen = DossierScreen("nl", "supervisor", thread="t_2")
    await app.push_screen(screen)
    await pilot.pause()
    screen.post_message(DossierReply("search", {"type": "dossiers", "dossiers": RESULTS}))
    screen.post_message(DossierReply("open", {"type": "dossier", "dossier": OPENED}))
    await pilot.pause()
    screen.flash("")  # "no connection": there is no relay behind this picture
    await pilot.pause()


def test_snapshot_dossier_screen(snap_compare, settings: Settings) -> None:
    settings.url = "ws://127.0.0.1:1712/console"
    app = ConsoleApp(settings, clock=FakeClock(NOW))
    assert snap_compare(app, terminal_size=(80, 24), run_before=fill_dossier)
