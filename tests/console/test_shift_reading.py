"""Reading back in a chat while typing: scrollback, new-message marker, older history, search,
indented wrapping (issue: a counsellor's whole shift)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from console1712.config import Settings, load_settings
from console1712.widgets import transcript as transcript_module
from tests.console.conftest import (
    accept_new_chatter,
    chatter_says,
    console_app,
    screen_text,
    sign_in,
    transcript,
    until,
)

FIRST = re.compile(r"regel 1(?!\d)")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # A chatter that writes a long story in a test: the flood limit is not under test here.
    base = load_settings(
        environ={}, overrides={"data": tmp_path / "data", "port": 0, "smtp_port": 0}
    )
    return dataclasses.replace(base, chat_rate_per_second=1000, chat_rate_per_10s=10000)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_page_up_reads_back_while_the_draft_stays(
    settings, relay, clock, make_staff, size
) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=size) as pilot:
        ws = await sign_in(pilot, anna)
        chatter = await accept_new_chatter(pilot, ws, relay, nickname="Mila")
        await chatter.recv("joined")
        await chatter_says(chatter, [f"regel {n}" for n in range(1, 61)])
        await until(pilot, lambda: "regel 60" in transcript(ws, chatter.chat))
        pane = ws.panes[chatter.chat]
        view = pane.transcript
        await until(pilot, lambda: app.focused is pane.input)
        await pilot.press(*"half klaar", "pageup", "pageup")
        assert app.focused is pane.input and pane.input.text == "half klaar"
        assert "regel 60" not in screen_text(app)
        top = view.scroll_offset.y

        await chatter.say("nieuw bericht terwijl je terugleest", "n1")
        await until(pilot, lambda: "1 nieuw bericht ↓" in screen_text(app))
        assert view.scroll_offset.y == top  # not yanked down
        await chatter.say("en nog een", "n2")
        await until(pilot, lambda: "2 nieuwe berichten ↓" in screen_text(app))

        await pilot.press("end")  # a draft: End is the input's, the view stays
        assert view.scroll_offset.y == top
        await pilot.press("ctrl+end")
        await until(pilot, lambda: "en nog een" in screen_text(app))
        assert "nieuwe berichten" not in screen_text(app)
        await pilot.press("ctrl+home")
        await until(pilot, lambda: view.scroll_offset.y == 0)
        assert FIRST.search(screen_text(app))
        await pilot.press("pagedown")
        assert view.scroll_offset.y > 0
        for _ in "half klaar":
            await pilot.press("backspace")
        await pilot.press("end")  # empty input: End jumps to the newest message
        await until(pilot, lambda: "en nog een" in screen_text(app))
        assert app.focused is pane.input and pane.input.text == ""


async def test_scrolled_to_the_top_fetches_older_lines_from_the_relay(
    settings, relay, clock, make_staff, monkeypatch
) -> None:
    monkeypatch.setattr(transcript_module, "MAX_LINES", 30)
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        chatter = await accept_new_chatter(pilot, ws, relay, nickname="Mila")
        await chatter.recv("joined")
        await chatter_says(chatter, [f"regel {n}" for n in range(1, 81)])
        await until(pilot, lambda: "regel 80" in transcript(ws, chatter.chat))
        view = ws.panes[chatter.chat].transcript
        assert len(view.entries) == 30 and "regel 50:" not in transcript(ws, chatter.chat) + ":"
        await pilot.press("ctrl+home")
        # The relay holds all 80: the view pages the older ones in, the lines in view stay.
        await until(pilot, lambda: view.oldest_seq == 1)
        assert len(view.entries) == 80
        assert "regel 51" in screen_text(app)
        await pilot.press("ctrl+home")
        await until(pilot, lambda: FIRST.search(screen_text(app)))
        # A new message is still appended (the paged-in lines are kept).
        await chatter.say("nieuwste", "x1")
        await until(pilot, lambda: "nieuwste" in transcript(ws, chatter.chat))
        assert view.oldest_seq == 1


async def test_search_highlights_and_steps_through_hits(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        chatter = await accept_new_chatter(pilot, ws, relay, nickname="Mila")
        await chatter.recv("joined")
        texts = [f"vulling {n}" for n in range(40)]
        texts[3] = "mijn broer Tom slaat me"
        texts[20] = "Tom was er weer"
        await chatter_says(chatter, texts)
        await until(pilot, lambda: "vulling 39" in transcript(ws, chatter.chat))
        pane = ws.panes[chatter.chat]
        view = pane.transcript
        await pilot.press(*"concept", "ctrl+f", *"tom")
        assert app.focused is pane.search_bar
        await until(pilot, lambda: "Tom was er weer" in screen_text(app))
        assert "1 van 2" not in screen_text(app) and "2 van 2" in screen_text(app)
        hit = view.entries[view.hit or 0]
        assert hit.text == "Tom was er weer"
        # The hit is highlighted: its strip carries a reverse style on "Tom".
        row = next(s for s in view.render_all() if "Tom was" in s.text)
        assert any(seg.style and seg.style.reverse for seg in row if "Tom" in seg.text)
        await pilot.press("enter")  # next: wraps round to the first
        await until(pilot, lambda: "mijn broer Tom" in screen_text(app))
        assert "1 van 2" in screen_text(app)
        await pilot.press("shift+enter")  # previous
        await until(pilot, lambda: "2 van 2" in screen_text(app))
        await pilot.press(*"xyz")
        await until(pilot, lambda: "geen treffers" in screen_text(app))
        await pilot.press("escape")
        assert app.focused is pane.input and pane.input.text == "concept"
        assert view.search_text == "" and "geen treffers" not in screen_text(app)


async def test_wrapped_lines_indent_and_region_never_broken(
    settings, relay, clock, make_staff
) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        chatter = await accept_new_chatter(
            pilot, ws, relay, nickname="Mila", region="oost-vlaanderen"
        )
        await chatter.recv("joined")
        long = "ik weet niet goed waar ik moet beginnen want het is allemaal zo veel " * 2
        await chatter.say(long.strip(), "l1")
        await until(pilot, lambda: "zo veel" in transcript(ws, chatter.chat))
        text = screen_text(app)
        assert "Oost-Vlaanderen" in text  # on one row of the side panel, not "Oost-" + rest
        rows = text.splitlines()
        start = next(i for i, r in enumerate(rows) if "chatter: ik weet" in r)
        stamp = rows[start].index("chatter:") - 6
        assert rows[start][stamp : stamp + 5] == "15:00"
        follow = rows[start + 1]
        # The second row starts under the text: blank under the time, then words.
        assert follow[stamp : stamp + 6] == " " * 6 and follow[stamp + 6] != " "
