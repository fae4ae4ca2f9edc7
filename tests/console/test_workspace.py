"""The workspace against a real relay: accept, talk both ways, tabs, end, block, transfer."""

from __future__ import annotations

from textual.widgets import OptionList

from console1712.screens.dialogs import (
    BlockScreen,
    CannedScreen,
    ConfirmScreen,
    NoteScreen,
    PickScreen,
    QuitScreen,
)
from tests.console.conftest import (
    accept_new_chatter,
    console_app,
    open_chatter,
    screen_text,
    sign_in,
    transcript,
    until,
)
from tests.relay.helpers import console, recv_type


async def test_accept_and_exchange_messages_both_ways(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna", team="antwerpen")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        chatter = await open_chatter(relay, nickname="Mila", age=15, region="antwerpen")
        await until(pilot, lambda: ws.queue_list.entries)
        queue_text = str(ws.queue_list.get_option_at_index(0).prompt)
        assert "Mila" in queue_text and "15 j, " in queue_text and "Antw." in queue_text
        assert queue_text.startswith("★")  # own region marked
        await pilot.press("f2")
        await until(pilot, lambda: chatter.chat in ws.panes)
        joined = await chatter.recv("joined")
        assert joined["counsellor"] == "Anna"
        pane = ws.panes[chatter.chat]
        await until(pilot, lambda: app.focused is pane.input)  # first chat: its input gets focus

        await chatter.say("Hallo, ik weet niet goed hoe ik moet beginnen.", "c1")
        await until(pilot, lambda: "hoe ik moet beginnen" in transcript(ws, chatter.chat))

        await pilot.press(*"Dag Mila")
        await pilot.press("ctrl+o")
        await pilot.press(*"Neem je tijd.")
        await pilot.press("enter")
        message = await chatter.recv("message")
        assert message["text"] == "Dag Mila\nNeem je tijd."
        await until(pilot, lambda: not pane.pending_lines())
        assert pane.input.text == ""
        assert "u ✓: Dag Mila" in transcript(ws, chatter.chat)
        side = str(pane.side.render())
        assert "Mila" in side and "Antwerpen" in side and "15" in side


async def test_accept_brings_chat_to_front_and_activity_jump(
    settings, relay, clock, make_staff
) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        first = await open_chatter(relay, nickname="Een")
        second = await open_chatter(relay, nickname="Twee")
        third = await open_chatter(relay, nickname="Drie")
        await until(pilot, lambda: len(ws.queue_list.entries) == 3)
        await pilot.press("f3")
        await until(pilot, lambda: first.chat in ws.panes)
        one = ws.panes[first.chat]
        await until(pilot, lambda: app.focused is one.input)
        await pilot.press(*"half getypt")
        await pilot.press("f3")
        await pilot.press("f3")
        await until(pilot, lambda: second.chat in ws.panes and third.chat in ws.panes)
        # The counsellor asked for it: the accepted chat comes to the front, with the keys;
        # the draft stays in its own tab.
        await until(pilot, lambda: ws.active_pane() is ws.panes[third.chat])
        assert app.focused is ws.panes[third.chat].input
        assert one.input.text == "half getypt"
        await pilot.press("ctrl+g", "1")
        assert app.focused is one.input and one.input.text == "half getypt"

        await third.recv("joined")
        await third.say("ben je daar?", "t1")
        await until(pilot, lambda: ws.panes[third.chat].state.unread == 1)
        tab = ws.tabs.get_tab(ws.panes[third.chat])
        assert "Drie (1)" in tab.label.plain and tab.label.plain.startswith("3 ")
        await pilot.press("f9")  # the tab with unread messages, not simply the next one
        assert ws.active_pane() is ws.panes[third.chat]
        assert ws.panes[third.chat].state.unread == 0
        assert "(1)" not in ws.tabs.get_tab(ws.panes[third.chat]).label.plain

        await pilot.press("ctrl+n")
        assert ws.active_pane() is one
        await pilot.press("ctrl+p")
        assert ws.active_pane() is ws.panes[third.chat]
        await pilot.press("ctrl+g", "2")
        assert ws.active_pane() is ws.panes[second.chat]
        assert app.focused is ws.panes[second.chat].input
        assert one.input.text == "half getypt"  # kept in its own tab


async def test_end_asks_confirmation(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        chatter = await accept_new_chatter(pilot, ws, relay, nickname="Sam")
        await pilot.press("f8")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")  # cancelled: nothing sent
        assert chatter.chat in ws.panes and app.screen is ws
        await pilot.press("f8")
        await pilot.press("ctrl+y")
        ended = await chatter.recv("ended")
        assert ended["by"] == "counsellor"
        await until(pilot, lambda: chatter.chat not in ws.panes)
        assert ws.open_count() == 0


async def test_chatter_leaving_marks_tab_then_f8_closes(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        chatter = await accept_new_chatter(pilot, ws, relay, nickname="Lou")
        await chatter.recv("joined")
        await chatter.send({"type": "leave"})
        pane = ws.panes[chatter.chat]
        await until(pilot, lambda: pane.state.ended == "chatter")
        assert "einde" in ws.tabs.get_tab(pane).label.plain
        assert "verlaten" in transcript(ws, chatter.chat)
        # The wrap-up form opens for the ended chat; Esc keeps it for later.
        await until(pilot, lambda: type(app.screen).__name__ == "RegistrationScreen")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is ws)
        await pilot.press("f8")  # ended chat: closes without a question
        await until(pilot, lambda: chatter.chat not in ws.panes)


async def test_block_with_hours_and_reason(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        chatter = await accept_new_chatter(pilot, ws, relay, nickname="Troll")
        await pilot.press("f7")
        assert isinstance(app.screen, BlockScreen)
        assert app.focused is app.screen.query_one("#block-hours")  # the first field first
        text = screen_text(app)
        assert "uur (1-720)" in text or "Duur in uur" in text
        assert "iedereen achter dit netwerkadres" in text
        await pilot.press("ctrl+y")  # no reason yet: refused, dialog stays
        assert isinstance(app.screen, BlockScreen)
        await pilot.press("4", "8", "tab", *"scheldt")  # Tab: the next field on screen
        assert app.screen.query_one("#block-hours").value == "48"
        assert app.screen.query_one("#block-reason").value == "scheldt"
        await pilot.press("ctrl+y")
        ended = await chatter.recv("ended")
        assert ended["by"] == "counsellor"
        await until(pilot, lambda: chatter.chat not in ws.panes)
        again = await open_chatter_blocked(relay)
        assert again["code"] == "blocked"


async def open_chatter_blocked(relay) -> dict:
    import json

    from websockets.asyncio.client import connect

    async with connect(f"ws://127.0.0.1:{relay.port}/chat") as ws:
        await ws.recv()
        await ws.send(json.dumps({"type": "start", "consent": True}))
        return json.loads(await ws.recv())


async def test_transfer_between_two_consoles(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna")
    bert = await make_staff("bert", display="Bert")
    app_a = console_app(settings, relay, clock)
    app_b = console_app(settings, relay, clock)
    async with app_a.run_test(size=(80, 24)) as pa, app_b.run_test(size=(80, 24)) as pb:
        ws_a = await sign_in(pa, anna)
        clock.advance(30)  # a fresh TOTP step: a code is accepted only once
        ws_b = await sign_in(pb, bert)
        chatter = await open_chatter(relay, nickname="Noor")
        await until(pa, lambda: ws_a.queue_list.entries)
        await pa.press("f3")
        await until(pa, lambda: chatter.chat in ws_a.panes)
        await chatter.recv("joined")
        await chatter.say("eerste bericht", "n1")
        await pa.press("f6")
        await until(pa, lambda: isinstance(app_a.screen, PickScreen))
        options = app_a.screen.query_one(OptionList)
        assert options.option_count == 1  # only Bert: not herself
        row = str(options.get_option_at_index(0).prompt)
        assert "Bert (bert) · beschikbaar · 0 gesprekken" in row  # can Bert take one more?
        await pa.press("enter")
        await until(pa, lambda: isinstance(app_a.screen, NoteScreen))
        await pa.press(*"Let op: [b]x[/b]", "enter")  # optional; Bert sees it first
        await until(pa, lambda: chatter.chat not in ws_a.panes)
        await until(pb, lambda: chatter.chat in ws_b.panes)
        assert "eerste bericht" in transcript(ws_b, chatter.chat)  # full history
        assert "Notitie bij overdracht: Let op: [b]x[/b]" in transcript(ws_b, chatter.chat)
        joined = await chatter.recv("joined")
        assert joined["counsellor"] == "Bert"


async def test_availability_toggle_and_help(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        assert "beschikbaar" in str(ws.status.render())
        await pilot.press("f5")
        await until(pilot, lambda: ws.availability == "away")
        assert "afwezig" in str(ws.status.render())
        await pilot.press("f1")
        keys = str(app.screen.query_one("#help-keys").render())
        for key in ("f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10", "ctrl+g"):
            assert key in keys
        assert "gekozen gesprek aannemen" in keys
        await pilot.press("escape")
        assert app.screen is ws


async def test_canned_reply_goes_into_input_not_sent(settings, relay, clock, make_staff) -> None:
    settings.canned = {"hours": "Aangepaste uren [b]tekst[/b]"}
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        chatter = await accept_new_chatter(pilot, ws, relay, nickname="Jo")
        pane = ws.panes[chatter.chat]
        await pilot.press("f4")
        assert isinstance(app.screen, CannedScreen)
        await pilot.press("enter")  # the first: emergency
        assert "112" in pane.input.text and "101" in pane.input.text
        assert transcript(ws, chatter.chat) == ""  # nothing sent
        pane.input.clear()
        await pilot.press("f4", "down", "down", "enter")
        assert pane.input.text == "Aangepaste uren [b]tekst[/b]"


async def test_quit_with_open_chats_gives_them_back_first(
    settings, relay, clock, make_staff
) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        chatter = await accept_new_chatter(pilot, ws, relay, nickname="Kim")
        await pilot.press("f10")
        assert isinstance(app.screen, QuitScreen)
        assert "1 open gesprek" in str(app.screen.query_one(".dialog-title").render())
        await pilot.press("escape")  # stay
        assert app.screen is ws and app.is_running
        await pilot.press("f10", "enter")  # the default: back to the queue
        requeued = await chatter.recv("requeued")
        assert requeued["position"] == 1
        await until(pilot, lambda: not app.is_running)
    assert relay.chats[chatter.chat].state == "waiting"


async def test_quit_transferring_each_chat(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna", display="Anna")
    bert = await make_staff("bert", display="Bert")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot, console(relay, bert) as bw:
        ws = await sign_in(pilot, anna)
        chatters = {}
        for nickname in ("Kim", "Lou"):
            chatters[nickname] = await accept_new_chatter(pilot, ws, relay, nickname=nickname)
            await chatters[nickname].recv("joined")
        await pilot.press("f10", "down", "enter")
        for nickname, chatter in chatters.items():
            await until(pilot, lambda: isinstance(app.screen, PickScreen))
            assert nickname in str(app.screen.query_one(".dialog-title").render())
            await pilot.press("enter")  # Bert, the only colleague
            await recv_type(bw, "assigned", chat=chatter.chat)
            assert (await chatter.recv("joined"))["counsellor"] == "Bert"
        await until(pilot, lambda: not app.is_running)


async def test_keymap_setting_remaps_keys(settings, relay, clock, make_staff) -> None:
    settings.keymap = {"availability": "ctrl+b"}
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        await pilot.press("f5")  # no longer bound
        await pilot.press("ctrl+b")
        await until(pilot, lambda: ws.availability == "away")
        await pilot.press("f1")
        keys = str(app.screen.query_one("#help-keys").render())
        assert "ctrl+b" in keys and "f5 " not in keys


async def test_bell_on_first_waiting_and_background_message(
    settings, relay, clock, make_staff, monkeypatch
) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    rings: list[int] = []
    monkeypatch.setattr(app, "bell", lambda: rings.append(1))
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        first = await open_chatter(relay, nickname="A")
        await until(pilot, lambda: rings)  # a chat entered an empty queue
        second = await open_chatter(relay, nickname="B")
        await until(pilot, lambda: len(ws.queue_list.entries) == 2)
        assert len(rings) == 1  # the queue was not empty: no second bell
        await pilot.press("f3", "f3")
        await until(pilot, lambda: first.chat in ws.panes and second.chat in ws.panes)
        await second.recv("joined")
        await second.say("in beeld", "b1")  # the active tab (the last accepted): no bell
        await until(pilot, lambda: "in beeld" in transcript(ws, second.chat))
        assert len(rings) == 1
        await first.recv("joined")
        await first.say("op de achtergrond", "a1")
        await until(pilot, lambda: len(rings) == 2)


async def test_bell_setting_off(settings, relay, clock, make_staff, monkeypatch) -> None:
    settings.bell = False
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    rings: list[int] = []
    monkeypatch.setattr(app, "bell", lambda: rings.append(1))
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        await open_chatter(relay, nickname="A")
        await until(pilot, lambda: ws.queue_list.entries)
        assert rings == []


async def test_admin_sees_notice_not_queue(settings, relay, clock, make_staff) -> None:
    admin = await make_staff("root", role="admin", team=None)
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, admin)
        await until(pilot, lambda: not ws.query_one("#queue-panel").display)
        assert "niet voor de rol beheerder" in str(ws.query_one("#no-chats").render())
