"""A chatter cannot disturb the screen: markup and terminal escapes show as plain text."""

from __future__ import annotations

from console1712.domain.text import one_line
from tests.console.conftest import console_app, open_chatter, sign_in, transcript, until

NASTY = [
    "[@click=app.quit]x[/]",
    "[/b]",
    "[link=http://x]y[/link]",
    "[TODO]",
    "a\x1b]0;title\x07b",
    "c\x1b[2Jd",
]


def shown(text: str) -> str:
    """What the console must show: the text literally, minus control characters."""
    return text.replace("\x1b", "").replace("\x07", "")


async def test_markup_and_escapes_in_messages_and_nicknames(
    settings, relay, clock, make_staff
) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    nickname = "[@click=app.quit]N[/]\x1b[2J"
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        chatter = await open_chatter(relay, nickname=nickname, gender="[/b][TODO]")
        await until(pilot, lambda: ws.queue_list.entries)
        row = ws.queue_list.get_option_at_index(0).prompt
        # Shown literally (cut to the 21-column row), not eaten as markup.
        assert row.plain.startswith("  [@click=app.…")  # literal, cut with an ellipsis
        assert "[/b][TO" in row.plain
        await pilot.press("f3")
        await until(pilot, lambda: chatter.chat in ws.panes)
        await chatter.recv("joined")
        for number, text in enumerate(NASTY):
            await chatter.say(text, f"x{number}")
            clock.advance(1)  # stay under the chatter's rate limit (5 a second)
        pane = ws.panes[chatter.chat]
        await until(pilot, lambda: "c[2Jd" in transcript(ws, chatter.chat))
        await pilot.pause()
        assert app.is_running
        plain = transcript(ws, chatter.chat)
        for text in NASTY:
            assert shown(text) in plain
        assert "\x1b" not in plain and "\x07" not in plain
        label = ws.tabs.get_tab(pane).label
        assert label.plain == "1 " + one_line(shown(nickname))[:14]  # literal, cut to fit
        # Nothing clickable: no span of the label, queue row or transcript carries a link
        # or an action.
        for content in (label, row):
            assert not any("@click" in str(span.style) for span in content.spans)
            assert not any("link" in str(span.style) for span in content.spans)
        for strip in pane.transcript.render_all():
            for segment in strip:
                style = segment.style
                assert style is None or (not style.link and not style.meta.get("@click"))
        # The screen itself: press keys, click where the text is; still running, still there.
        await pilot.click(pane.transcript)
        await pilot.press("f9")
        assert app.is_running and chatter.chat in ws.panes
        side = str(pane.side.render())
        assert "[@click=app.quit]N[/][2J" in side and "[/b][TODO]" in side
