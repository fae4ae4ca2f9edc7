"""Snapshots at 80x24 of the new dialogs: the quit choice with open chats, and a
supervisor's alert line with the alert list (remote nicknames shown literally)."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from console1712.app import ConsoleApp
from console1712.config import Settings
from console1712.widgets.events import ConnectionChanged
from tests.console.test_snapshots import SESSION, fill_workspace, make_app

ALERTS = [
    {"kind": "disclosure", "request": "x_1", "chat": "c1", "nickname": "Mila",
     "region": "antwerpen", "since": "2026-11-26T13:40:00Z"},
    {"kind": "returned", "chat": "c7", "nickname": "[b]niet vet[/b]", "region": "limburg",
     "since": "2026-11-26T13:51:00Z"},
    {"kind": "reply", "chat": "c2", "nickname": "Jonas", "region": None,
     "since": "2026-11-26T13:55:00Z"},
]  # fmt: skip


def test_snapshot_quit_with_open_chats(snap_compare, settings: Settings) -> None:
    async def press_quit(pilot: Pilot[Any]) -> None:
        await fill_workspace(pilot)
        await pilot.press("f10")
        await pilot.pause()

    assert snap_compare(make_app(settings), terminal_size=(80, 24), run_before=press_quit)


async def supervisor_with_alerts(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, ConsoleApp)
    ws = app.open_workspace({**SESSION, "user": "sofie", "name": "Sofie", "role": "supervisor"})
    await pilot.pause()
    ws.post_message(ConnectionChanged("connected"))
    app._on_alerts(ALERTS)
    await pilot.pause()


def test_snapshot_supervisor_alert_line(snap_compare, settings: Settings) -> None:
    app = make_app(settings)
    assert snap_compare(app, terminal_size=(80, 24), run_before=supervisor_with_alerts)


def test_snapshot_supervisor_alert_list(snap_compare, settings: Settings) -> None:
    async def open_list(pilot: Pilot[Any]) -> None:
        await supervisor_with_alerts(pilot)
        await pilot.press("ctrl+a")
        await pilot.pause()

    assert snap_compare(make_app(settings), terminal_size=(80, 24), run_before=open_list)


MONITOR = {
    "type": "monitor",
    "at": "2026-11-26T14:00:00Z",
    "regions": [
        {"region": "antwerpen", "waiting": 2, "since": "2026-11-26T13:48:00Z"},
        {"region": "limburg", "waiting": 0, "since": None},
        {"region": "unknown", "waiting": 1, "since": "2026-11-26T13:57:00Z"},
    ],
    "staff": [
        {"user": "anna", "name": "Anna", "role": "counsellor", "team": "antwerpen",
         "status": "available", "chats": 2, "cap": 3},
        {"user": "bert", "name": "Bert", "role": "counsellor", "team": "antwerpen",
         "status": "away", "chats": 1, "cap": None},
    ],
    "chats": [
        {"chat": "c1", "counsellor": "anna", "name": "Anna", "team": "antwerpen",
         "since": "2026-11-26T13:31:00Z", "readers": [], "nickname": "Mila",
         "region": "antwerpen", "answered": "2026-11-26T13:52:00Z",
         "awaiting": "2026-11-26T13:54:00Z"},
        {"chat": "c2", "counsellor": "bert", "name": "Bert", "team": "antwerpen",
         "since": "2026-11-26T13:40:00Z", "readers": ["sofie"], "nickname": "[b]niet vet[/b]",
         "region": None, "answered": None, "awaiting": "2026-11-26T13:40:00Z"},
    ],
    "today": {"started": 12, "answered": 9, "abandoned": 1, "median_wait": 95},
    "mail": {"due_today": 3, "overdue": 1},
    "queue_history": [0] * 30 + [1, 2, 3, 2, 1] + [1] * 26,
    "history_step": 1,
    "history_hours": 1,
    "queue_max": 4,
}  # fmt: skip


async def supervisor_overview(pilot: Pilot[Any]) -> None:
    from console1712.screens.supervisor import SupervisorScreen
    from console1712.widgets.supervisor_events import MonitorUpdated

    await supervisor_with_alerts(pilot)
    await pilot.press("ctrl+t")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, SupervisorScreen)
    screen.post_message(MonitorUpdated(MONITOR))
    await pilot.pause()
    pilot.app.clear_notifications()  # "offline": there is no relay behind this picture
    await pilot.pause()


def test_snapshot_supervisor_overview(snap_compare, settings: Settings) -> None:
    app = make_app(settings)
    assert snap_compare(app, terminal_size=(80, 24), run_before=supervisor_overview)


def test_snapshot_supervisor_overview_wide(snap_compare, settings: Settings) -> None:
    app = make_app(settings)
    assert snap_compare(app, terminal_size=(120, 40), run_before=supervisor_overview)
