"""The transcript of one chat: a line-API view of Text lines, never markup.

Entries are wrapped lazily: only while the view is shown, at its current width, one entry at a
time as it arrives; only the rows on screen are rendered to strips (kept in a small cache). So
an append or an ack costs O(1) whatever the transcript's length, and a background tab does no
wrapping or rendering until it is shown.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from rich.console import Console
from rich.text import Text
from textual import events
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from console1712.clock import from_rfc3339
from console1712.compat import tui
from console1712.domain.text import strip_controls
from console1712.domain.vocabulary import BRUSSELS
from console1712.i18n import t

MAX_LINES = 2000  # read when a Transcript is made (tests lower it)
STAMP = 6  # cells of "HH:MM ": wrapped rows are indented by this, under the text
STRIP_CACHE = 256  # entries whose rendered strips are kept: a few screens of a few tabs


@dataclass(eq=False)  # identity, not value: two equal messages are still two lines
class Line:
    """One entry of a transcript: a message (with seq once stored) or a system notice."""

    sender: str  # "chatter", "counsellor", "me" or "system"
    text: str
    at: datetime | None = None
    seq: int | None = None
    msg_id: str | None = None  # own messages: the client id
    name: str | None = None  # a colleague's alias on a transferred chat's earlier lines

    @property
    def pending(self) -> bool:
        return self.sender == "me" and self.seq is None


def parse_at(at: str) -> datetime | None:
    try:
        return from_rfc3339(at)
    except (ValueError, TypeError):
        return None


def entry_text(line: Line, lang: str, query: str = "", current: bool = False) -> Text:
    """One transcript entry as Text: remote text goes in as plain data after stripping."""
    stamp = line.at.astimezone(BRUSSELS).strftime("%H:%M") if line.at else "--:--"
    text = Text.assemble((f"{stamp} ", "dim"), entry_body(line, lang, query, current))
    return text


def entry_body(line: Line, lang: str, query: str = "", current: bool = False) -> Text:
    """The entry without its time: who, mark and the text; search hits highlighted."""
    body = strip_controls(line.text)
    if line.sender == "system":
        text = Text(body, "italic dim")
    else:
        who = {
            "me": t("chat.you", lang),
            "chatter": t("chat.chatter", lang),
            "counsellor": t("chat.counsellor", lang),
        }.get(line.sender, line.sender)
        if line.name:
            who = f"{who} {line.name}"
        mark = ""
        if line.sender == "me":
            mark = " " + t("chat.pending", lang) if line.pending else " ✓"
        style = "bold" if line.sender == "chatter" else "dim bold"
        text = Text.assemble((who, style), (mark, "dim"), (": ", "dim"), Text(body))
    if query:
        # Styles only (no colour names): "reverse" works in a 16-colour terminal.
        text.highlight_words(
            [query], "bold reverse underline" if current else "reverse", case_sensitive=False
        )
    return text


def entry_rows(
    line: Line, lang: str, console: Console, width: int, query: str = "", current: bool = False
) -> list[Text]:
    """The entry wrapped at `width`: continuation rows start under the text, not the time."""
    full = entry_text(line, lang, query, current)
    plain = full.plain
    if full.cell_len <= width and "\n" not in plain and "\t" not in plain:
        return [full]
    if width <= STAMP * 2:
        return list(full.wrap(console, width))
    stamp = full[:STAMP]
    rows = entry_body(line, lang, query, current).wrap(console, width - STAMP)
    indent = Text(" " * STAMP)
    return [Text.assemble(stamp if i == 0 else indent, row) for i, row in enumerate(rows)] or [
        stamp
    ]


class Transcript(ScrollView, can_focus=False):
    """The lines of one chat, at most `max_lines` entries, wrapped and rendered on demand."""

    DEFAULT_CSS = """
    Transcript {
        height: 1fr; border: none; padding: 0 1; scrollbar-size-vertical: 1;
        background: $surface; color: $foreground; overflow-y: scroll; overflow-x: hidden;
    }
    """

    class Unseen(Message):
        """The count of messages that arrived below the view while scrolled up changed."""

        def __init__(self, transcript: Transcript, count: int) -> None:
            super().__init__()
            self.transcript = transcript
            self.count = count

    class NeedOlder(Message):
        """Scrolled to the top while the relay holds older lines than the view."""

        def __init__(self, transcript: Transcript, before: int) -> None:
            super().__init__()
            self.transcript = transcript
            self.before = before

    def __init__(self, lang: str, *, max_lines: int | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lang = lang
        self.max_lines = max_lines if max_lines is not None else MAX_LINES
        self._base_max = self.max_lines
        self.unseen = 0  # messages added below the view while scrolled up
        self.search_text = ""  # search text; its hits are highlighted
        self.hit: int | None = None  # index of the current search hit
        self._asked_older = False  # a NeedOlder is out; reset when lines are prepended
        self._entries: deque[Line] = deque()
        self._seqs: set[int] = set()
        self._own: dict[str, Line] = {}  # msg_id -> own line, for acks
        # Layout at self._width of the first len(self._tops) entries: the absolute row each
        # starts at. Absolute rows never move when old entries are dropped (the view starts
        # at the first kept one), so an append or a trim touches one item.
        self._tops: deque[int] = deque()
        self._end = 0  # absolute row after the last measured entry
        self._width = 0
        self._shown = False
        self._follow = True  # keep the newest line in view (until the user scrolls up)
        self._strips: LRUCache[Line, tuple[int, list[Strip]]] = LRUCache(STRIP_CACHE)

    # -- the model -------------------------------------------------------------------------

    @property
    def entries(self) -> Sequence[Line]:
        """The kept entries, oldest first (read-only: change them through the methods)."""
        return self._entries

    def add(self, line: Line) -> None:
        """Append one entry; it is wrapped now only if the view is on screen."""
        self._entries.append(line)
        self._index(line)
        shift = 0
        while len(self._entries) > self.max_lines:
            shift += self._drop_oldest()
            if self.hit is not None:
                self.hit = self.hit - 1 if self.hit > 0 else None
        if not self._follow and line.sender != "me":
            self._set_unseen(self.unseen + 1)
        if self._current():
            self._measure_rest()
            self._publish(shift)

    def replace(self, lines: Iterable[Line]) -> None:
        """Show these entries instead (a history from the relay); keeps the newest max_lines."""
        self._entries = deque(lines, maxlen=None)
        while len(self._entries) > self.max_lines:
            self._entries.popleft()
        self._seqs.clear()
        self._own.clear()
        for line in self._entries:
            self._index(line)
        self._follow = True
        self.rebuild()

    def prepend(self, lines: Sequence[Line]) -> None:
        """Older lines from the relay in front; the lines in view stay where they are."""
        self._asked_older = False
        known = [line for line in lines if line.seq is None or line.seq not in self._seqs]
        if not known:
            return
        for line in reversed(known):
            self._entries.appendleft(line)
            self._index(line)
        # Paged-in history is kept: the cap leaves room for as many new lines again.
        self.max_lines = len(self._entries) + self._base_max
        if self.hit is not None:
            self.hit += len(known)
        y = self.scroll_offset.y
        self._tops.clear()
        self._end = 0
        self._sync()
        if self._current() and len(self._tops) > len(known):
            self.scroll_to(y=self._tops[len(known)] - self._base + y, animate=False, immediate=True)

    @property
    def oldest_seq(self) -> int | None:
        for line in self._entries:
            if line.seq is not None:
                return line.seq
        return None

    def _maybe_older(self) -> None:
        oldest = self.oldest_seq
        if not self._asked_older and oldest is not None and oldest > 1:
            self._asked_older = True
            self.post_message(self.NeedOlder(self, oldest))

    # -- reading back ------------------------------------------------------------------------

    def page_up(self) -> None:
        if self.scroll_offset.y <= 0:
            self._maybe_older()
        page = max(1, self.scrollable_content_region.height - 1)  # one row kept for context
        self.scroll_to(y=max(0, self.scroll_offset.y - page), animate=False, immediate=True)

    def page_down(self) -> None:
        page = max(1, self.scrollable_content_region.height - 1)
        self.scroll_to(y=self.scroll_offset.y + page, animate=False, immediate=True)

    def to_start(self) -> None:
        self.scroll_home(animate=False, immediate=True)
        self._maybe_older()

    def to_end(self) -> None:
        self._follow = True
        self.scroll_end(animate=False, immediate=True, x_axis=False)
        self._set_unseen(0)

    def _set_unseen(self, count: int) -> None:
        if count != self.unseen:
            self.unseen = count
            self.post_message(self.Unseen(self, count))

    def search(self, query: str, step: int = 0) -> bool:
        """Highlight `query`; step +1/-1 moves to the next/previous hit (wrapping round), 0
        finds the nearest hit from the newest line. False when there is no hit."""
        query = strip_controls(query).strip()
        if query != self.search_text:
            self.search_text = query
            self.hit = None
            self._strips.clear()
            self.refresh()
        if not query:
            return False
        needle = query.casefold()
        hits = [i for i, line in enumerate(self._entries) if needle in line.text.casefold()]
        if not hits:
            self.hit = None
            self.refresh()
            return False
        if self.hit is None or (step == 0 and self.hit not in hits):
            index = hits[-1]
        elif step >= 0:
            later = (
                [i for i in hits if i > self.hit] if step else [i for i in hits if i >= self.hit]
            )
            index = later[0] if later else hits[0]
        else:
            earlier = [i for i in hits if i < self.hit]
            index = earlier[-1] if earlier else hits[-1]
        old, self.hit = self.hit, index
        for i in (old, index):
            if i is not None and 0 <= i < len(self._entries):
                self._strips.discard(self._entries[i])
        self._show_entry(index)
        return True

    def end_search(self) -> None:
        self.search_text = ""
        self.hit = None
        self._strips.clear()
        self.refresh()

    def _show_entry(self, index: int) -> None:
        if not self._current() or index >= len(self._tops):
            return
        top = self._tops[index] - self._base
        height = self.scrollable_content_region.height
        y = self.scroll_offset.y
        if not y <= top < y + height:
            self.scroll_to(y=max(0, top - height // 2), animate=False, immediate=True)
        self.refresh()

    def rebuild(self) -> None:
        """Forget the layout and the rendered strips; re-wrapped when next shown."""
        self._tops.clear()
        self._end = 0
        self._strips.clear()
        self._sync()

    def acknowledge(self, msg_id: str, seq: int) -> bool:
        """Our message `msg_id` is stored as `seq`; False when no such message is shown."""
        mine = self._own.get(msg_id)
        if mine is None:
            return False
        if seq in self._seqs and mine.seq != seq:
            self._remove(mine)  # the history already holds it: show it once
        else:
            if mine.seq is not None:
                self._seqs.discard(mine.seq)
            mine.seq = seq
            self._seqs.add(seq)
            self._changed(mine)
        return True

    def pending_lines(self) -> list[Line]:
        """Our messages not acknowledged yet, oldest first."""
        return [line for line in self._own.values() if line.pending]

    def has_seq(self, seq: int) -> bool:
        return seq in self._seqs

    def plain(self) -> str:
        """The transcript as plain text (tests, copying)."""
        return "\n".join(entry_text(line, self.lang).plain for line in self._entries)

    def render_all(self) -> list[Strip]:
        """Every entry rendered at the current width (tests; O(n), never on a hot path)."""
        width = self._width or self.scrollable_content_region.width or 80
        return [strip for line in self._entries for strip in self._entry_strips(line, width)]

    def _index(self, line: Line) -> None:
        if line.seq is not None:
            self._seqs.add(line.seq)
        if line.msg_id is not None:
            self._own[line.msg_id] = line

    def _unindex(self, line: Line) -> None:
        if line.seq is not None:
            self._seqs.discard(line.seq)
        if line.msg_id is not None and self._own.get(line.msg_id) is line:
            del self._own[line.msg_id]

    def _drop_oldest(self) -> int:
        """Drop the first entry; how many rows of the layout went with it."""
        line = self._entries.popleft()
        self._unindex(line)
        self._strips.discard(line)
        if not self._tops:
            return 0
        top = self._tops.popleft()
        return (self._tops[0] if self._tops else self._end) - top

    def _find(self, line: Line) -> int | None:
        """Index of an entry, searched from the end (acks are for recent lines)."""
        last = len(self._entries) - 1
        for back, entry in enumerate(reversed(self._entries)):
            if entry is line:
                return last - back
        return None

    def _remove(self, line: Line) -> None:
        index = self._find(line)
        if index is None:
            return
        del self._entries[index]
        self._unindex(line)
        self._strips.discard(line)
        if index >= len(self._tops):
            return
        if self._current():
            self._shift_from(index + 1, -self._height(index))
            del self._tops[index]
            self._publish(0)
        else:
            self._forget_from(index)

    def _changed(self, line: Line) -> None:
        """An entry's text changed (its mark): re-wrap that one entry only."""
        self._strips.discard(line)
        index = self._find(line)
        if index is None or index >= len(self._tops):
            return  # not laid out yet: done when it is
        if not self._current():
            self._forget_from(index)  # re-measured from there when shown
            return
        old = self._height(index)
        new = self._measure(line, self._width)
        if new != old:
            self._shift_from(index + 1, new - old)
            self._publish(0)
        else:
            self.refresh_lines(self._tops[index] - self._base, new)

    # -- layout ----------------------------------------------------------------------------

    @property
    def _base(self) -> int:
        return self._tops[0] if self._tops else self._end

    def _height(self, index: int) -> int:
        after = self._tops[index + 1] if index + 1 < len(self._tops) else self._end
        return after - self._tops[index]

    def _forget_from(self, index: int) -> None:
        """Drop the layout of the entries from `index` on (they are measured again later)."""
        while len(self._tops) > index:
            self._end = self._tops.pop()

    def _shift_from(self, index: int, rows: int) -> None:
        for i in range(index, len(self._tops)):
            self._tops[i] += rows
        self._end += rows

    def _current(self) -> bool:
        """Shown, and laid out at the width it has now."""
        return self._shown and self._width > 0 and self._width == self._content_width()

    def _content_width(self) -> int:
        return self.scrollable_content_region.width

    def _measure(self, line: Line, width: int) -> int:
        cached = self._strips.get(line)
        if cached is not None and cached[0] == width:
            return len(cached[1])
        text = entry_text(line, self.lang)
        plain = text.plain
        if text.cell_len <= width and "\n" not in plain and "\t" not in plain:
            return 1  # fits: no need to wrap it to know
        return max(1, len(entry_rows(line, self.lang, self.app.console, width)))

    def _measure_rest(self) -> None:
        """Lay out the entries after the measured ones (usually just the new one)."""
        end = self._end
        width = self._width
        for line in islice(self._entries, len(self._tops), None):
            self._tops.append(end)
            end += self._measure(line, width)
        self._end = end

    def _sync(self) -> None:
        """Bring the layout up to date with the width; only while shown."""
        width = self._content_width()
        if not self._shown or width <= 0:
            return
        if width != self._width:
            self._width = width
            self._tops.clear()
            self._end = 0
            self._strips.clear()
        self._measure_rest()
        self._publish(0)

    def _publish(self, dropped: int) -> None:
        """Tell Textual the new height; follow the end or keep the same lines in view."""
        size = Size(self._width, self._end - self._base)
        if size != self.virtual_size:
            # Our own size does not depend on the content (height 1fr), so skip the
            # screen-wide layout that assigning `virtual_size` requests: set it and update
            # the scrollbar as Widget._size_updated(layout=False) does.
            self.set_reactive(ScrollView.virtual_size, size)
            tui.scroll_update(self, size)
        if self._follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        elif dropped:
            self.scroll_to(y=max(0, self.scroll_offset.y - dropped), animate=False)
        self.refresh()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self._current():
            self._follow = round(new_value) >= self.max_scroll_y
            if self._follow:
                self._set_unseen(0)
            elif round(new_value) <= 0:
                self._maybe_older()

    def on_show(self, event: events.Show) -> None:
        self._shown = True
        self._sync()

    def on_hide(self, event: events.Hide) -> None:
        self._shown = False

    def on_resize(self, event: events.Resize) -> None:
        self._sync()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()  # the strips carry the old colours

    # -- rendering -------------------------------------------------------------------------

    def _entry_strips(self, line: Line, width: int) -> list[Strip]:
        cached = self._strips.get(line)
        if cached is not None and cached[0] == width:
            return cached[1]
        console = self.app.console
        style = self.rich_style
        strips = [
            Strip(row.render(console), row.cell_len).crop_extend(0, width, style).apply_style(style)
            for row in entry_rows(line, self.lang, console, width, *self._hit_of(line))
        ] or [Strip.blank(width, style)]
        self._strips[line] = (width, strips)
        return strips

    def _hit_of(self, line: Line) -> tuple[str, bool]:
        if not self.search_text:
            return "", False
        current = self.hit is not None and self.hit < len(self._entries)
        return self.search_text, current and self._entries[self.hit or 0] is line

    def render_line(self, y: int) -> Strip:
        width = self._content_width()
        row = self.scroll_offset.y + y + self._base
        if width != self._width or not self._tops or not self._base <= row < self._end:
            return Strip.blank(width, self.rich_style)
        index = bisect_right(self._tops, row) - 1
        strips = self._entry_strips(self._entries[index], width)
        offset = row - self._tops[index]
        if offset >= len(strips):
            return Strip.blank(width, self.rich_style)
        return strips[offset]
