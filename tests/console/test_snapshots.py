"""Snapshots at 80x24 (16-colour ANSI theme): login, a workspace with three tabs, help.

The workspace is driven by the Messages the network worker would post, on a fixed clock,
so the pictures do not depend on a live relay.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from textual.pilot import Pilot

from console1712.app import ConsoleApp
from console1712.clock import FakeClock
from console1712.config import Settings
from console1712.widgets.events import (
    ChatAssigned,
    ChatMessage,
    ChatPresence,
    ConnectionChanged,
    MessageAcked,
    QueueChanged,
)

NOW = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
SESSION = {
    "type": "session",
    "user": "anna",
    "name": "Anna",
    "role": "counsellor",
    "team": "antwerpen",
    "token": "t",
}


def history(*items: tuple[str, str, str]) -> list[dict[str, Any]]:
    return [
        {"seq": n, "from": sender, "text": text, "at": f"2026-11-26T13:{minute}:00Z"}
        for n, (sender, minute, text) in enumerate(items, 1)
    ]


def make_app(settings: Settings, **kw: Any) -> ConsoleApp:
    settings.url = "ws://127.0.0.1:1712/console"
    return ConsoleApp(settings, clock=FakeClock(NOW), **kw)


async def fill_workspace(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, ConsoleApp)
    ws = app.open_workspace(SESSION)
    await pilot.pause()
    post = ws.post_message
    post(ConnectionChanged("connected"))
    post(
        QueueChanged(
            [
                {
                    "chat": "q1",
                    "nickname": "Zoë",
                    "age": 14,
                    "gender": "meisje",
                    "region": "antwerpen",
                    "since": "2026-11-26T13:52:00Z",
                },
                {
                    "chat": "q2",
                    "nickname": "[b]niet vet[/b]",
                    "age": None,
                    "gender": None,
                    "region": "limburg",
                    "since": "2026-11-26T13:58:30Z",
                },
            ]
        )
    )
    post(
        ChatAssigned(
            "c1",
            {"nickname": "Mila", "age": 15, "gender": "meisje", "region": "antwerpen"},
            history(
                ("chatter", "31", "Hallo, ik weet niet goed hoe ik moet beginnen."),
                ("counsellor", "32", "Dag Mila, fijn dat je schrijft. Neem gerust je tijd."),
                ("chatter", "34", "Mijn stiefvader roept veel [en] gooit soms met dingen."),
            ),
        )
    )
    post(
        ChatAssigned(
            "c2",
            {"nickname": "Jonas", "age": 17, "gender": None, "region": "limburg"},
            history(("chatter", "40", "Is dit echt anoniem?")),
        )
    )
    post(ChatAssigned("c3", {"nickname": "Anoniem"}, history(("chatter", "45", "hallo?"))))
    await pilot.pause()
    post(ChatMessage("c2", 2, "chatter", "Ik durf het niet aan mijn ouders te vertellen.", ""))
    post(ChatPresence("c3", "away"))
    await pilot.pause()
    pane = ws.panes["c1"]
    ws.activate(pane)  # accepting brings the last chat to the front; show the first one
    await pilot.pause()
    pane.add_own("Dat klinkt heel beangstigend. Ben je nu veilig?", "m1", NOW)
    pane.add_own("Je mag hier alles vertellen.", "m2", NOW)
    post(MessageAcked("c1", "m1", 4))
    await pilot.pause()
    pane.input.insert("Waar ben je nu?")
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def test_snapshot_login(snap_compare, settings: Settings) -> None:
    assert snap_compare(make_app(settings), terminal_size=(80, 24))


def test_snapshot_workspace_three_tabs(snap_compare, settings: Settings) -> None:
    assert snap_compare(make_app(settings), terminal_size=(80, 24), run_before=fill_workspace)


def test_snapshot_help(snap_compare, settings: Settings) -> None:
    async def open_help(pilot: Pilot[Any]) -> None:
        await fill_workspace(pilot)
        await pilot.press("f1")
        await pilot.pause()

    assert snap_compare(make_app(settings), terminal_size=(80, 24), run_before=open_help)


def test_snapshot_canned_replies(snap_compare, settings: Settings) -> None:
    async def open_canned(pilot: Pilot[Any]) -> None:
        await fill_workspace(pilot)
        await pilot.press("f4")
        await pilot.pause()

    assert snap_compare(make_app(settings), terminal_size=(80, 24), run_before=open_canned)


def test_snapshot_block(snap_compare, settings: Settings) -> None:
    async def open_block(pilot: Pilot[Any]) -> None:
        await fill_workspace(pilot)
        await pilot.press("f7")
        await pilot.pause()

    assert snap_compare(make_app(settings), terminal_size=(80, 24), run_before=open_block)
