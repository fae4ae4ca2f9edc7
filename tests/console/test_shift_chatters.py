"""Never missing a chatter: accept to the front, transfers that do not steal focus, the
activity line on every screen with F9, reply waits, typing, the chat cap, queue triage."""

from __future__ import annotations

import pytest

from console1712.screens.dialogs import CannedScreen
from console1712.screens.dossier import DossierScreen
from console1712.screens.mail import MailScreen
from console1712.screens.workspace import WorkspaceScreen
from tests.console.conftest import (
    accept_new_chatter,
    console_app,
    open_chatter,
    screen_text,
    sign_in,
    transcript,
    until,
)
from tests.relay.helpers import console, recv_type, request, send

NOTE = "Ze is 14, praat over thuis. [b]x[/b]"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_transfer_arrives_without_taking_the_keys(
    settings, relay, clock, make_staff, monkeypatch, size
) -> None:
    anna = await make_staff("anna")
    bob = await make_staff("bob")
    app = console_app(settings, relay, clock)
    rings: list[int] = []
    monkeypatch.setattr(app, "bell", lambda: rings.append(1))
    async with app.run_test(size=size) as pilot:
        ws = await sign_in(pilot, anna)
        first = await accept_new_chatter(pilot, ws, relay, nickname="Mila")
        mine = ws.panes[first.chat]
        await until(pilot, lambda: app.focused is mine.input)
        await pilot.press(*"half getypt")
        bea = await open_chatter(relay, nickname="Bea")
        async with console(relay, bob) as bob_ws:
            await request(bob_ws, {"type": "accept", "chat": bea.chat}, "assigned")
            await send(bob_ws, {"type": "say", "chat": bea.chat, "id": "b1", "text": "Dag Bea"})
            await recv_type(bob_ws, "ack")
            rings.clear()
            frame = {"type": "transfer", "chat": bea.chat, "to": "anna", "note": NOTE}
            await request(bob_ws, frame, "released")
        await until(pilot, lambda: bea.chat in ws.panes)
        # Focus and draft stay in the chat being typed in; the status line and bell say it.
        assert app.focused is mine.input and mine.input.text == "half getypt"
        assert ws.active_pane() is mine
        await until(
            pilot, lambda: "Bob gaf je het gesprek met Bea door (tabblad 2)" in screen_text(app)
        )
        assert rings
        text = transcript(ws, bea.chat)
        assert "hulpverlener Bob: Dag Bea" in text  # the previous counsellor's line is named
        assert "Gesprek doorgegeven door Bob." in text
        assert "Notitie bij overdracht: " + NOTE in text  # literal, not markup
        assert text.index("doorgegeven door Bob") > text.index("Dag Bea")  # seen first
        await pilot.press("ctrl+g", "2")
        assert "[b]x[/b]" in screen_text(app)


async def test_activity_line_on_other_screens_and_f9_jumps_to_the_chat(
    settings, relay, clock, make_staff
) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        mila = await accept_new_chatter(pilot, ws, relay, nickname="Mila")
        sam = await accept_new_chatter(pilot, ws, relay, nickname="Sam")
        await mila.recv("joined")
        await pilot.press("ctrl+l")
        await until(pilot, lambda: isinstance(app.screen, MailScreen))
        await until(pilot, lambda: "Chats: 1 Mila · 2 Sam · wachtrij 0" in screen_text(app))
        await mila.say("ben je daar nog?", "m1")
        await open_chatter(relay, nickname="Nieuw")
        await until(pilot, lambda: "1 Mila (1) · 2 Sam · wachtrij 1" in screen_text(app))
        await pilot.press("f9")
        await until(pilot, lambda: app.screen is ws)
        assert ws.active_pane() is ws.panes[mila.chat]
        assert app.focused is ws.panes[mila.chat].input
        assert ws.panes[mila.chat].state.unread == 0

        # In a dialog too (canned replies), and on the dossier screen.
        await pilot.press("f4")
        assert isinstance(app.screen, CannedScreen)
        await sam.recv("joined")
        await sam.say("hallo?", "s1")
        await until(pilot, lambda: "2 Sam (1)" in screen_text(app))
        await pilot.press("f9")
        await until(pilot, lambda: app.screen is ws and ws.active_pane() is ws.panes[sam.chat])
        await pilot.press("ctrl+d")
        await until(pilot, lambda: isinstance(app.screen, DossierScreen))
        await until(pilot, lambda: "F9 naar chat" in screen_text(app))
        await pilot.press("f9")
        await until(pilot, lambda: isinstance(app.screen, WorkspaceScreen))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_tab_marks_a_chatter_waiting_for_an_answer(
    settings, relay, clock, make_staff, size
) -> None:
    settings.reply_alert_s = 60
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=size) as pilot:
        ws = await sign_in(pilot, anna)
        mila = await accept_new_chatter(pilot, ws, relay, nickname="Mila")
        await mila.recv("joined")
        await mila.say("hallo?", "m1")
        pane = ws.panes[mila.chat]
        await until(pilot, lambda: "hallo?" in transcript(ws, mila.chat))
        clock.advance(30)
        await mila.say("is daar iemand", "m2")  # still waiting since the first line
        clock.advance(95)  # 125 s since "hallo?"
        await until(pilot, lambda: "⏱2m" in ws.tabs.get_tab(pane).label.plain)
        await until(pilot, lambda: "1 Mila ⏱2m" in screen_text(app))
        await pilot.press(*"Ja, ik ben er", "enter")
        await until(pilot, lambda: "⏱" not in ws.tabs.get_tab(pane).label.plain)
        await until(pilot, lambda: "⏱" not in screen_text(app))


async def test_typing_is_sent_at_most_every_3_seconds_and_shown(
    settings, relay, clock, make_staff
) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        mila = await accept_new_chatter(pilot, ws, relay, nickname="Mila")
        await mila.recv("joined")
        pane = ws.panes[mila.chat]
        await until(pilot, lambda: app.focused is pane.input)
        await pilot.press(*"Dag Mila", "enter")
        await mila.recv("message")
        # Keys typed with no pause: one `typing` frame before the message, not eight.
        assert [f["type"] for f in mila.frames].count("typing") == 1
        mila.frames.clear()
        await pilot.press(*"nog")
        clock.advance(3)
        await pilot.press(*"een", "enter")
        await mila.recv("message")
        assert [f["type"] for f in mila.frames].count("typing") == 2 - 1  # one more after 3 s
        await mila.send({"type": "typing"})
        await until(pilot, lambda: "typt…" in screen_text(app))


async def test_accept_past_the_cap_is_refused_with_a_sentence(
    settings, relay, clock, make_staff
) -> None:
    settings.max_chats_per_counsellor = 2
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        chatters = [await open_chatter(relay, nickname=f"C{n}") for n in range(3)]
        await until(pilot, lambda: len(ws.queue_list.entries) == 3)
        await pilot.press("f3", "f3", "f3")
        await until(pilot, lambda: "maximum" in screen_text(app))
        assert "Je hebt al 2 gesprekken open, het maximum" in screen_text(app)
        assert "too_many_chats" not in screen_text(app)
        assert len(ws.panes) == 2 and chatters[2].chat not in ws.panes
        assert [e["chat"] for e in ws.queue_list.entries] == [chatters[2].chat]


async def test_queue_shows_first_line_and_tells_equal_nicknames_apart(
    settings, relay, clock, make_staff
) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        one = await open_chatter(relay, age=15, region="limburg")
        await open_chatter(relay)
        await one.say("Ik word\tthuis\ngeslagen en weet niet wat te doen", "w1")
        await until(pilot, lambda: len(ws.queue_list.entries) == 2)
        await until(pilot, lambda: "“Ik word thuis" in screen_text(app))
        text = screen_text(app)
        assert "Anoniem (2)" in text
        rows = text.splitlines()
        first = next(r for r in rows if "“Ik word thuis" in r)
        assert "…" in first[:24]  # cut in the 24-column panel, with an ellipsis
        assert "15 j, Limb." in text
        await one.say("[@click=app.quit]x", "w2")  # only the first line is shown
        clock.advance(60)
        await until(pilot, lambda: "1 min" in screen_text(app))
        assert "[@click" not in screen_text(app) and app.is_running
