"""Snapshot of the Mail screen at 80x24 (16-colour theme): a list with an overdue, a
due-today and a later thread, one thread open. Fed through the screen's data methods on a
fixed clock, so the picture does not depend on a live relay."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from textual.pilot import Pilot
from textual.widgets import ListView

from console1712.app import ConsoleApp
from console1712.clock import FakeClock
from console1712.config import Settings
from console1712.screens.mail import MailScreen
from console1712.widgets.events import ConnectionChanged

NOW = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)  # Thursday, 15:00 in Brussels
SESSION = {
    "type": "session",
    "user": "anna",
    "name": "Anna",
    "role": "counsellor",
    "team": "antwerpen",
    "token": "t",
}


def thread(n: int, subject: str, sender: str, received: str, due: str | None) -> dict[str, Any]:
    return {
        "thread": f"t_{n}",
        "sender": sender,
        "sender_name": "",
        "subject": subject,
        "received": received,
        "created_at": received,
        "due_at": due,
        "status": "open",
        "overdue": False,
        "team": "antwerpen",
        "claimed_by": None,
        "count": 1,
    }


THREADS = [
    thread(1, "Mijn buurman slaat zijn kinderen", "buur@example.org",
           "2026-11-23T09:12:00Z", "2026-11-25T09:12:00Z"),
    thread(2, "[b]Vraag[/b] over mijn zus", "zus@example.org",
           "2026-11-24T16:40:00Z", "2026-11-26T16:40:00Z"),
    thread(3, "Hoe meld ik iets anoniem?", "anoniem@example.org",
           "2026-11-26T11:05:00Z", "2026-11-30T11:05:00Z"),
]  # fmt: skip

OPENED = {
    "type": "mail_thread",
    "thread": {**THREADS[1], "sender_name": "Lies"},
    "messages": [
        {
            "id": "m_1",
            "direction": "in",
            "at": "2026-11-24T16:40:00Z",
            "from": "zus@example.org",
            "from_name": "Lies",
            "to": ["hulp@1712.local"],
            "cc": [],
            "subject": "[b]Vraag[/b] over mijn zus",
            "date": "2026-11-24T16:39:00Z",
            "text": "Mijn zus (16) zegt dat haar vriend haar gsm controleert.\n"
            "Ze wil niet dat ik iets zeg. Wat kan ik doen?",
            "truncated": False,
            "html_only": False,
            "attachments": [{"name": "foto.jpg", "type": "image/jpeg", "size": 48213}],
            "flags": [],
            "size": 52000,
            "sent_by": None,
        }
    ],
}


def make_app(settings: Settings) -> ConsoleApp:
    settings.url = "ws://127.0.0.1:1712/console"
    return ConsoleApp(settings, clock=FakeClock(NOW))


async def fill_mail(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, ConsoleApp)
    app.open_workspace(SESSION).post_message(ConnectionChanged("connected"))
    await pilot.pause()
    screen = MailScreen("nl")
    await app.push_screen(screen)
    await pilot.pause()
    app.clear_notifications()  # "no connection": there is no relay behind this picture
    screen.show_list(THREADS)
    screen.query_one(ListView).index = 1  # the open thread's row
    screen.show_thread(OPENED)
    await pilot.pause()


def test_snapshot_mail_screen(snap_compare, settings: Settings) -> None:
    assert snap_compare(make_app(settings), terminal_size=(80, 24), run_before=fill_mail)
