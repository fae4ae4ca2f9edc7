"""The transcript as a line-API view: lazy wrapping, bounded history, one-line acks, data only."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.app import App, ComposeResult

from console1712.app import ConsoleApp
from console1712.clock import FakeClock
from console1712.widgets.events import ChatAssigned, ChatMessage, ChatTyping
from console1712.widgets.transcript import Line, Transcript

NOW = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
SESSION = {"user": "anna", "name": "Anna", "role": "counsellor", "team": "antwerpen"}


class TranscriptApp(App[None]):
    def __init__(self, transcript: Transcript) -> None:
        super().__init__()
        self.transcript = transcript

    def compose(self) -> ComposeResult:
        yield self.transcript


def screen_rows(view: Transcript) -> list[str]:
    """The rows the view shows now, as text."""
    return [view.render_line(y).text.rstrip() for y in range(view.size.height)]


def chatter(n: int, text: str | None = None) -> Line:
    return Line("chatter", text if text is not None else f"bericht {n}", NOW, n)


async def test_follows_the_newest_line_and_wraps_at_the_width() -> None:
    view = Transcript("nl")
    async with TranscriptApp(view).run_test(size=(40, 8)) as pilot:
        for n in range(1, 51):
            view.add(chatter(n))
        view.add(chatter(51, "een lang bericht dat zeker over meer dan een regel loopt"))
        await pilot.pause()
        rows = [row for row in screen_rows(view) if row]
        assert rows[-1].endswith("loopt")  # the wrapped tail, at the bottom
        # Continuation rows are indented under the text, not under the time.
        assert rows[-1].startswith(" " * 6) and rows[-1][6] != " "
        assert any(row.endswith("bericht 50") for row in rows)
        assert all(len(row) <= view.scrollable_content_region.width for row in rows)
        # 50 one-row entries and one that needs more than one row at this width.
        assert view.virtual_size.height > 51


async def test_keeps_at_most_max_lines_and_forgets_dropped_seqs() -> None:
    view = Transcript("nl", max_lines=100)
    async with TranscriptApp(view).run_test(size=(40, 8)) as pilot:
        for n in range(1, 151):
            view.add(chatter(n))
        await pilot.pause()
        assert len(view.entries) == 100
        assert view.entries[0].seq == 51
        assert not view.has_seq(50) and view.has_seq(51) and view.has_seq(150)
        assert view.virtual_size.height == 100
        assert screen_rows(view)[-1].endswith("bericht 150")


async def test_a_hidden_view_does_no_layout_until_shown() -> None:
    view = Transcript("nl")
    async with TranscriptApp(view).run_test(size=(40, 8)) as pilot:
        view.display = False
        await pilot.pause()
        for n in range(1, 301):
            view.add(chatter(n))
        await pilot.pause()
        assert len(view.entries) == 300
        assert view.virtual_size.height == 0  # nothing wrapped while in the background
        view.display = True
        await pilot.pause()
        await pilot.pause()
        assert view.virtual_size.height == 300
        assert screen_rows(view)[-1].endswith("bericht 300")


async def test_an_ack_rerenders_only_its_own_line() -> None:
    view = Transcript("nl")
    async with TranscriptApp(view).run_test(size=(60, 8)) as pilot:
        for n in range(1, 6):
            view.add(chatter(n))
        view.add(Line("me", "ben je er nog?", NOW, None, "m1"))
        await pilot.pause()
        before = [view.render_line(y) for y in range(6)]  # six one-row entries from the top
        assert "(verzenden…)" in before[-1].text
        assert [line.msg_id for line in view.pending_lines()] == ["m1"]
        assert view.acknowledge("m1", 6)
        await pilot.pause()
        after = [view.render_line(y) for y in range(6)]
        assert "u ✓: ben je er nog?" in after[-1].text
        # The other rows are the very strips rendered before: nothing else was re-rendered.
        assert all(a is b for a, b in zip(before[:-1], after[:-1], strict=True))
        assert not view.pending_lines() and view.has_seq(6)
        assert not view.acknowledge("unknown", 7)


async def test_ack_of_a_seq_already_shown_removes_the_duplicate() -> None:
    view = Transcript("nl")
    async with TranscriptApp(view).run_test(size=(60, 8)) as pilot:
        mine = Line("me", "dubbel", NOW, None, "m1")
        view.replace([chatter(1), Line("counsellor", "dubbel", NOW, 2), mine])
        await pilot.pause()
        assert view.virtual_size.height == 3
        view.acknowledge("m1", 2)
        await pilot.pause()
        assert view.plain().count("dubbel") == 1
        assert view.virtual_size.height == 2
        # A repeated ack of a line already marked leaves it alone.
        view.add(Line("me", "nog eens", NOW, None, "m2"))
        view.acknowledge("m2", 3)
        view.acknowledge("m2", 3)
        assert view.plain().count("nog eens") == 1


async def test_resize_rewraps_and_scrolled_up_reader_keeps_their_place() -> None:
    view = Transcript("nl", max_lines=60)
    async with TranscriptApp(view).run_test(size=(80, 8)) as pilot:
        long = "woord " * 20
        for n in range(1, 41):
            view.add(chatter(n, f"{n} {long}"))
        await pilot.pause()
        wide = view.virtual_size.height
        await pilot.resize_terminal(40, 8)
        await pilot.pause()
        assert view.virtual_size.height > wide  # narrower: more rows per entry
        # Scroll up to read; new lines (and dropping the oldest) do not move the view.
        view.scroll_to(y=view.virtual_size.height - 20, animate=False)  # near entry 36
        await pilot.pause()
        shown = screen_rows(view)
        for n in range(41, 81):
            view.add(chatter(n, f"{n} {long}"))
        await pilot.pause()
        assert len(view.entries) == 60
        assert screen_rows(view) == shown


async def test_remote_text_is_data_in_the_view() -> None:
    view = Transcript("nl")
    nasty = ["[@click=app.quit]x[/]", "[/b]", "[link=http://x]y[/link]", "a\x1b]0;t\x07b"]
    async with TranscriptApp(view).run_test(size=(60, 10)) as pilot:
        for n, text in enumerate(nasty, 1):
            view.add(chatter(n, text))
        await pilot.pause()
        rows = "\n".join(screen_rows(view))
        for text in nasty[:3]:
            assert text in rows
        assert "a]0;tb" in rows and "\x1b" not in rows and "\x07" not in rows
        for y in range(view.size.height):
            for segment in view.render_line(y):
                style = segment.style
                assert style is None or (not style.link and not style.meta.get("@click"))


async def test_a_message_ends_the_typing_hint(settings) -> None:
    app = ConsoleApp(settings, clock=FakeClock(NOW))
    async with app.run_test(size=(80, 24)) as pilot:
        ws = app.open_workspace(SESSION)
        await pilot.pause()
        ws.post_message(ChatAssigned("c1", {"nickname": "Mo"}, []))
        await pilot.pause()
        pane = ws.panes["c1"]
        ws.post_message(ChatTyping("c1"))
        await pilot.pause()
        assert "typt…" in str(pane.side.render())
        ws.post_message(ChatMessage("c1", 1, "chatter", "hallo", "2026-11-26T13:59:00Z"))
        await pilot.pause()
        assert "typt…" not in str(pane.side.render())
        assert "chatter: hallo" in pane.transcript.plain()


async def test_the_layout_height_matches_the_rendered_rows() -> None:
    tricky = [
        "",
        "x" * 200,  # one long word: folded
        "twee\nregels",
        "tab\there",
        "漢字と絵文字 😀 " * 6,
        "precies " * 4,
        "eind met spaties     ",
    ]
    view = Transcript("nl")
    async with TranscriptApp(view).run_test(size=(34, 10)) as pilot:
        for n, text in enumerate(tricky, 1):
            view.add(chatter(n, text))
        view.add(Line("me", "nog niet bevestigd, en lang genoeg om te wrappen", NOW, None, "m"))
        view.add(Line("system", "De chatter is weg."))
        for width in (34, 27, 60):
            await pilot.resize_terminal(width, 10)
            await pilot.pause()
            assert view.virtual_size.height == len(view.render_all()) > len(view.entries)


async def test_an_ack_that_changes_the_height_relayouts_shown_or_hidden() -> None:
    view = Transcript("nl")
    async with TranscriptApp(view).run_test(size=(40, 10)) as pilot:
        # At 37 columns the pending mark wraps this line; the acked one fits on one row.
        view.add(Line("me", "negentien tekens ja", NOW, None, "m1"))
        view.add(Line("me", "negentien tekens ja", NOW, None, "m2"))
        view.add(chatter(1))
        await pilot.pause()
        assert view.virtual_size.height == 5
        view.acknowledge("m1", 2)
        await pilot.pause()
        assert view.virtual_size.height == 4 == len(view.render_all())
        view.display = False
        await pilot.pause()
        view.acknowledge("m2", 3)
        view.display = True
        await pilot.pause()
        await pilot.pause()
        assert view.virtual_size.height == 3 == len(view.render_all())
        rows = screen_rows(view)
        assert "u ✓: negentien" in rows[0] and "u ✓: negentien" in rows[1]
        assert rows[2].endswith("bericht 1")
