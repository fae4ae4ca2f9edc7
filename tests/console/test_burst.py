"""Fast fingers: keys typed right after F2/F3 (or Enter on the queue), before the chat's tab
opens, go into that chat; a refused accept keeps them; "taken" for one's own chat says so.

Each test presses its keys in one go, at 80x24, against a real relay, both ways: Pilot's
press (it lets the app settle between keys, so the relay may answer mid-burst) and a raw
burst (every key queued at once, as a laggy SSH link delivers them)."""

from __future__ import annotations

from typing import Any

import pytest

from console1712.domain.text import MAX_TEXT
from tests.console.conftest import (
    Chatter,
    burst,
    console_app,
    open_chatter,
    screen_text,
    sign_in,
    transcript,
    until,
)


async def press(pilot: Any, how: str, keys: list[str]) -> None:
    if how == "pilot":
        await pilot.press(*keys)
    else:
        burst(pilot.app, keys)


async def messages(chatter: Chatter, n: int) -> list[str]:
    """The next n chat messages the chatter receives, in order."""
    return [(await chatter.recv("message"))["text"] for _ in range(n)]


async def two_waiting(pilot: Any, ws: Any, relay: Any, clock: Any) -> tuple[Chatter, Chatter]:
    """Two chatters in the queue, "Een" first (F3 takes her first)."""
    first = await open_chatter(relay, nickname="Een")
    clock.advance(1)
    second = await open_chatter(relay, nickname="Twee")
    await until(pilot, lambda: len(ws.queue_list.entries) == 2)
    return first, second


HOW = pytest.mark.parametrize("how", ["pilot", "burst"])


@HOW
async def test_f3_f3_reply_enter_goes_to_the_chat_that_opens_last(
    settings, relay, clock, make_staff, how
) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        first, second = await two_waiting(pilot, ws, relay, clock)
        await press(pilot, how, ["f3", "f3", *"Dag Twee, ik ben er.", "enter"])
        await until(pilot, lambda: first.chat in ws.panes and second.chat in ws.panes)
        two = ws.panes[second.chat]
        await until(pilot, lambda: "Dag Twee" in transcript(ws, second.chat))
        # The chat that opened last is in front, with the keys and an empty input.
        assert ws.active_pane() is two and app.focused is two.input
        assert two.input.text == ""
        assert transcript(ws, first.chat) == ""
        assert not ws.type_ahead.display
        await until(pilot, lambda: "Dag Twee, ik ben er." in screen_text(app))
        assert "al aangenomen" not in screen_text(app)  # nothing went to the queue

        # On the wire: the text once, in the second chat; nothing in the first.
        await pilot.press(*"nog iets", "enter")
        assert await messages(second, 2) == ["Dag Twee, ik ben er.", "nog iets"]
        await pilot.press("ctrl+n")
        await until(pilot, lambda: app.focused is ws.panes[first.chat].input)
        await pilot.press(*"voor Een", "enter")
        assert await messages(first, 1) == ["voor Een"]


@HOW
async def test_text_between_two_accepts_goes_to_the_first(
    settings, relay, clock, make_staff, how
) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        first, second = await two_waiting(pilot, ws, relay, clock)
        keys = ["f3", *"hoi een", "enter", "f3", *"hoi twee", "enter", *"nog niet weg"]
        await press(pilot, how, keys)
        await until(pilot, lambda: first.chat in ws.panes and second.chat in ws.panes)
        two = ws.panes[second.chat]
        # Typed after the last Enter: left in the input for review, not sent.
        await until(pilot, lambda: two.input.text == "nog niet weg")
        assert ws.active_pane() is two and app.focused is two.input
        assert ws.panes[first.chat].input.text == ""
        await pilot.press("enter")
        assert await messages(second, 2) == ["hoi twee", "nog niet weg"]
        assert await messages(first, 1) == ["hoi een"]


@HOW
async def test_enter_on_the_queue_then_a_reply(settings, relay, clock, make_staff, how) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        chatter = await open_chatter(relay, nickname="Mila")
        await until(pilot, lambda: ws.queue_list.entries)
        assert app.focused is ws.queue_list
        await press(pilot, how, ["enter", *"Hallo Mila", "enter", *"Hoe gaat het?", "enter"])
        assert await messages(chatter, 2) == ["Hallo Mila", "Hoe gaat het?"]
        pane = ws.panes[chatter.chat]
        await until(pilot, lambda: app.focused is pane.input and not pane.pending_lines())
        assert pane.input.text == ""
        assert "u ✓: Hallo Mila" in transcript(ws, chatter.chat)


async def test_refused_accept_keeps_the_text_for_the_next_chat(
    settings, relay, clock, make_staff
) -> None:
    # A raw burst only: with Pilot's pauses the refusal may come before the first key, and
    # keys typed after a refusal is on screen are not type-ahead.
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        # Nobody waits: the relay answers not_found.
        burst(app, ["f3", *"Dag, ik ben Anna.", "enter", *"Waarover"])
        box = ws.type_ahead
        await until(pilot, lambda: "wacht niet meer" in str(ws.status.render()))
        assert "tekst is bewaard" in str(ws.status.render())
        # In view, editable and with the keys: nothing typed is lost.
        assert box.display and not box.read_only and app.focused is box
        assert box.text == "Dag, ik ben Anna.\nWaarover"
        text = screen_text(app)
        assert "Niet aangenomen" in text and "Dag, ik ben Anna." in text
        await pilot.press(*" gaat")
        await until(pilot, lambda: box.text.endswith("Waarover gaat"))

        chatter = await open_chatter(relay, nickname="Mila")
        await until(pilot, lambda: ws.queue_list.entries)
        burst(app, ["f3", *" het?"])
        await until(pilot, lambda: chatter.chat in ws.panes)
        pane = ws.panes[chatter.chat]
        # The parked text comes along as a draft (its Enter was for the refused chat).
        await until(pilot, lambda: pane.input.text == "Dag, ik ben Anna.\nWaarover gaat het?")
        assert app.focused is pane.input and not box.display
        assert transcript(ws, chatter.chat) == ""
        await pilot.press("enter")
        assert await messages(chatter, 1) == ["Dag, ik ben Anna.\nWaarover gaat het?"]


async def test_parked_text_wiped_gives_the_keys_back(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        burst(app, ["f3", *"ok"])  # nobody waits: refused, the text parked
        box = ws.type_ahead
        await until(pilot, lambda: box.display and not box.read_only)
        await pilot.press("backspace", "backspace")
        await until(pilot, lambda: not box.display)
        assert app.focused is ws.queue_list


async def test_taken_for_own_chat_says_so_and_brings_it_to_front(
    settings, relay, clock, make_staff
) -> None:
    # A raw burst only: with Pilot's pauses the second F2 may find the queue empty already.
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        chatter = await open_chatter(relay, nickname="Mila")
        await until(pilot, lambda: ws.queue_list.entries)
        # F2 twice on the same row: the second accept is for a chat that is ours by then.
        burst(app, ["f2", "f2", *"Hallo", "enter"])
        await until(pilot, lambda: "al van jou" in str(ws.status.render()))
        status = str(ws.status.render())
        assert "Dit gesprek is al van jou (tabblad 1)." in status
        assert "collega" not in status
        pane = ws.panes[chatter.chat]
        assert ws.active_pane() is pane and app.focused is pane.input
        assert not pane.state.attention  # in front: nothing to point at
        assert await messages(chatter, 1) == ["Hallo"]
        await pilot.press(*"tweede", "enter")
        assert await messages(chatter, 1) == ["tweede"]  # "Hallo" came once


async def test_two_replies_in_one_burst_in_an_open_chat(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        chatter = await open_chatter(relay, nickname="Mila")
        await until(pilot, lambda: ws.queue_list.entries)
        await pilot.press("f3")
        await until(pilot, lambda: chatter.chat in ws.panes)
        pane = ws.panes[chatter.chat]
        await until(pilot, lambda: app.focused is pane.input)
        # The second line is typed before the first Enter has been handled.
        burst(app, [*"een", "enter", *"twee", "enter", *"drie"])
        assert await messages(chatter, 2) == ["een", "twee"]
        await until(pilot, lambda: pane.input.text == "drie")
        # A message that cannot be sent (too long) comes back to the input, not lost.
        too_long = "x" * (MAX_TEXT + 1)
        pane.input.load_text(too_long)
        await pilot.press("enter")
        await until(pilot, lambda: pane.input.text == too_long)
        pane.input.load_text("")
        await pilot.press(*"vier", "enter")
        assert await messages(chatter, 1) == ["vier"]  # the long one never went out
