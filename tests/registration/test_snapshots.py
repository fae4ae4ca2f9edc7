"""Snapshots at 80x24 of the registration form (and an injection test: labels, title and
note from the relay are text, never markup)."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from console1712.domain import registration as reg
from console1712.domain.stats import AGE_BANDS, GENDERS
from console1712.domain.themes import DEFAULT_THEMES
from console1712.i18n import t
from console1712.screens.registration import RegistrationScreen
from tests.console.test_snapshots import SESSION, make_app

HOSTILE = "[b]vet[/b] [@click=app.quit]x[/] \x1b[31mrood"


def labelled(prefix: str, codes: tuple[str, ...]) -> list[dict[str, str]]:
    return [{"id": c, "label": t(f"{prefix}.{c}", "nl")} for c in codes]


CODES: dict[str, Any] = {
    "type": "registration_codes",
    "kinds": labelled("reg.kind", reg.KINDS),
    "requests": list(reg.REQUESTS),
    "themes": [{"id": k, "label": v["nl"]} for k, v in DEFAULT_THEMES.items()]
    + [{"id": "hostile", "label": HOSTILE}],
    "about": labelled("reg.about", reg.ABOUT),
    "relations": labelled("reg.relation", reg.RELATIONS),
    "risks": labelled("reg.risk", reg.RISKS),
    "actions": labelled("reg.action", reg.ACTIONS),
    "referrals": labelled("dossier.to", reg.REFERRALS),
    "age_bands": [{"id": b, "label": b} for b in AGE_BANDS],
    "genders": labelled("gender", GENDERS),
}
SAVED = {
    "type": "registration",
    "contact": "c_1",
    "channel": "chat",
    "status": "done",
    "codes": {
        "kind": "help",
        "themes": ["partner-violence", "hostile"],
        "about": "child",
        "relation": "step-parent",
        "risk": "acute",
        "action": "supervisor",
        "referrals": ["caw", "police"],
        "age_band": "12-17",
        "gender": "female",
    },
    "note": HOSTILE,
}


def open_form(registration: dict[str, Any], title: str) -> Any:
    async def run(pilot: Pilot[Any]) -> None:
        app = pilot.app
        app.open_workspace(SESSION)  # type: ignore[attr-defined]
        await pilot.pause()
        await app.push_screen(RegistrationScreen(CODES, registration, title, "nl"))
        await pilot.pause()

    return run


def test_snapshot_registration_saved(snap_compare, settings) -> None:
    title = "Registratie · chat · " + HOSTILE
    assert snap_compare(
        make_app(settings), terminal_size=(80, 24), run_before=open_form(SAVED, title)
    )


def test_snapshot_registration_prefilled(snap_compare, settings) -> None:
    fresh = {
        "type": "registration",
        "contact": "c_2",
        "channel": "chat",
        "status": "open",
        "prefill": {"age_band": "18-24", "gender": "unknown", "note": "eigen notitie"},
    }
    assert snap_compare(
        make_app(settings), terminal_size=(80, 24), run_before=open_form(fresh, "Registratie")
    )


async def test_remote_text_is_shown_literally(settings) -> None:
    app = make_app(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form(SAVED, "Registratie · " + HOSTILE)(pilot)
        form = app.screen
        assert isinstance(form, RegistrationScreen)
        # Markup is shown as typed; the escape character is gone.
        themes = str(form.row("themes").render())
        assert "2. [b]vet[/b] [@click=app.quit]x" in themes and "\x1b" not in themes
        title = str(form.query_one(".dialog-title").render())
        assert "[@click=app.quit]" in title and "\x1b" not in title
        assert app.is_running


def test_snapshot_notes_pane(snap_compare, settings) -> None:
    from console1712.screens.notes import NotesScreen
    from tests.console.test_snapshots import fill_workspace

    async def run(pilot: Pilot[Any]) -> None:
        await fill_workspace(pilot)
        text = "Woont bij stiefvader.\nWil geen politie, wel CAW.\n" + HOSTILE
        await pilot.app.push_screen(NotesScreen("Notities · Mila", text, "nl"))
        await pilot.pause()

    assert snap_compare(make_app(settings), terminal_size=(80, 24), run_before=run)


def test_snapshot_recent_chat(snap_compare, settings) -> None:
    from console1712.screens.recent import RecentChatScreen

    frame = {
        "type": "recent_chat",
        "chat": "c_1",
        "nickname": "Mila " + HOSTILE,
        "ended_at": "2026-11-26T13:40:00Z",
        "registration": "open",
        "history": [
            {
                "seq": 1,
                "from": "chatter",
                "text": "Hallo, mag ik iets vragen?",
                "at": "2026-11-26T13:20:00Z",
            },
            {"seq": 2, "from": "counsellor", "text": "Natuurlijk.", "at": "2026-11-26T13:21:00Z"},
            {"seq": 3, "from": "chatter", "text": HOSTILE, "at": "2026-11-26T13:22:00Z"},
        ],
        "notes": "Wil geen politie.\n" + HOSTILE,
    }

    async def run(pilot: Pilot[Any]) -> None:
        pilot.app.open_workspace(SESSION)  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.app.push_screen(RecentChatScreen(frame, "nl"))
        await pilot.pause()

    assert snap_compare(make_app(settings), terminal_size=(80, 24), run_before=run)


def test_snapshot_help_alert(snap_compare, settings) -> None:
    from console1712.widgets.events import ConnectionChanged
    from console1712.widgets.registration_events import HelpRequests

    async def run(pilot: Pilot[Any]) -> None:
        ws = pilot.app.open_workspace({**SESSION, "role": "supervisor", "user": "sofie"})  # type: ignore[attr-defined]
        await pilot.pause()
        ws.post_message(ConnectionChanged("connected"))
        request = {"request": "h_1", "chat": "c_abc", "counsellor": "anna", "name": "Anna"}
        more = {**request, "request": "h_2", "chat": "c_def"}
        at = {"at": "2026-11-26T13:58:00Z", "team": "antwerpen"}
        ws.post_message(
            HelpRequests([{**request, **at, "rings": 2}, {**more, **at, "rings": 1}], True)
        )
        await pilot.pause()

    assert snap_compare(make_app(settings), terminal_size=(80, 24), run_before=run)
