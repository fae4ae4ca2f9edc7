"""Statistics rules (pure): age bands, gender codes, tables, and suppression of small counts.

Suppression method (documented in docs/protocol.md too). Every published table has
categories as rows, the channels (chat, mail, phone) as columns, a total column and a total
row. Seen with its totals, such a table is a set of linear equations: each row and each
column sums to its total.
1. Primary: every cell below THRESHOLD (0 to 4, totals included) is shown as "<5".
2. Complementary: a row or column with exactly one hidden cell would give that cell away by
   subtraction, so the smallest other cell of that line is hidden too (shown as "x").
3. Hidden cells form a graph (rows and columns are nodes, hidden cells edges); a hidden cell
   that lies on no cycle of hidden cells (a bridge) is still determined by the equations, so
   one more cell is hidden to close a cycle through it. Repeated until nothing changes.
4. The total row (counts per channel) is shared by every table: a cell hidden there in one
   table is hidden in all of them, and the tables are suppressed again until they agree.
With this, no hidden value follows from the published numbers by adding and subtracting
(tests/supervision/test_stats.py solves the equations as an attacker would).
"""

from __future__ import annotations

import statistics
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

THRESHOLD = 5
SMALL = "<5"
HIDDEN = "x"
CHANNELS = ("chat", "mail", "phone")
AGE_BANDS = ("0-11", "12-17", "18-24", "25-64", "65+", "unknown")
GENDERS = ("female", "male", "other", "unknown")
DIMENSIONS = (
    "month",
    "region",
    "age_band",
    "gender",
    "theme",
    "kind",
    "about",
    "relation",
    "risk",
)
# Dimensions where one contact may have several codes (every theme named, every referral):
# their rows count mentions, so their total row is not the contacts' total (see
# build_tables for how they are suppressed).
MULTI_DIMENSIONS = ("themes", "referral")
NONE = "none"
UNKNOWN = "unknown"
TOTAL = "total"
METHOD = (
    "counts below 5 shown as '<5'; complementary cells hidden as 'x' so that no hidden count "
    "follows from row, column or channel totals"
)

_FEMALE = {"v", "vrouw", "vrouwelijk", "meisje", "f", "female", "woman", "girl", "femme"}
_MALE = {"m", "man", "mannelijk", "jongen", "male", "boy", "homme"}


def age_band(age: int | None) -> str:
    """The statistics band of an age (None: unknown)."""
    if age is None:
        return UNKNOWN
    if age <= 11:
        return "0-11"
    if age <= 17:
        return "12-17"
    if age <= 24:
        return "18-24"
    if age <= 64:
        return "25-64"
    return "65+"


def gender_code(text: str | None) -> str:
    """A chatter's free-text gender as a code: female, male, other or unknown."""
    if text is None or not text.strip():
        return UNKNOWN
    word = text.strip().lower()
    if word in _FEMALE:
        return "female"
    if word in _MALE:
        return "male"
    return "other"


@dataclass(frozen=True)
class Contact:
    """One contact of a year, reduced to the codes the statistics count (no free text).

    `theme` is the main theme; kind .. referrals come from the contact's registration
    (unknown, or empty, without one)."""

    channel: str
    month: int
    region: str
    age_band: str
    gender: str
    theme: str
    kind: str = UNKNOWN
    about: str = UNKNOWN
    relation: str = UNKNOWN
    risk: str = UNKNOWN
    themes: tuple[str, ...] = ()
    referrals: tuple[str, ...] = ()

    def category(self, dimension: str) -> str:
        if dimension == "month":
            return f"{self.month:02d}"
        return str(getattr(self, dimension))

    def categories(self, dimension: str) -> tuple[str, ...]:
        """The codes of a multi-valued dimension (NONE when there are none)."""
        codes = self.themes if dimension == "themes" else self.referrals
        return codes or (NONE,)


Cell = tuple[int, int]


@dataclass
class Table:
    """Counts with categories as rows and channels as columns; the last row and column are
    the totals. `hidden` maps a cell to SMALL or HIDDEN."""

    name: str
    categories: list[str]
    counts: list[list[int]]
    hidden: dict[Cell, str]

    @property
    def columns(self) -> list[str]:
        return [*CHANNELS, TOTAL]

    def value(self, r: int, c: int) -> int | str:
        return self.hidden.get((r, c), self.counts[r][c])

    def rows(self) -> list[dict[str, int | str]]:
        """The published table: one dict per category, then the total row."""
        out: list[dict[str, int | str]] = []
        for r, category in enumerate([*self.categories, TOTAL]):
            row: dict[str, int | str] = {"category": category}
            for c, column in enumerate(self.columns):
                row[column] = self.value(r, c)
            out.append(row)
        return out


def count_table(name: str, contacts: Iterable[Contact], categories: Sequence[str]) -> Table:
    """Counts per category and channel, with totals (categories not listed count as unknown)."""
    index = {cat: i for i, cat in enumerate(categories)}
    rows = len(categories)
    counts = [[0] * (len(CHANNELS) + 1) for _ in range(rows + 1)]
    for contact in contacts:
        r = index.get(contact.category(name), index.get(UNKNOWN, rows - 1))
        c = CHANNELS.index(contact.channel)
        for rr, cc in ((r, c), (r, len(CHANNELS)), (rows, c), (rows, len(CHANNELS))):
            counts[rr][cc] += 1
    return Table(name, list(categories), counts, {})


def count_multi_table(name: str, contacts: Iterable[Contact], categories: Sequence[str]) -> Table:
    """Like count_table, but a contact counts once under each of its codes (mentions)."""
    index = {cat: i for i, cat in enumerate(categories)}
    rows = len(categories)
    counts = [[0] * (len(CHANNELS) + 1) for _ in range(rows + 1)]
    for contact in contacts:
        c = CHANNELS.index(contact.channel)
        for code in contact.categories(name):
            r = index.get(code, index.get(UNKNOWN, rows - 1))
            for rr, cc in ((r, c), (r, len(CHANNELS)), (rows, c), (rows, len(CHANNELS))):
                counts[rr][cc] += 1
    return Table(name, list(categories), counts, {})


def _lines(n_rows: int, n_cols: int) -> list[list[Cell]]:
    rows = [[(r, c) for c in range(n_cols)] for r in range(n_rows)]
    cols = [[(r, c) for r in range(n_rows)] for c in range(n_cols)]
    return rows + cols


def _cheapest(candidates: Iterable[Cell], counts: list[list[int]]) -> Cell | None:
    # Hide the smallest count, and an inner cell rather than a total (less information lost).
    last_r, last_c = len(counts) - 1, len(counts[0]) - 1
    options = sorted(
        candidates, key=lambda rc: (rc[0] == last_r or rc[1] == last_c, counts[rc[0]][rc[1]], rc)
    )
    return options[0] if options else None


def _bridge(hidden: set[Cell]) -> tuple[set[str], set[str]] | None:
    """A hidden cell on no cycle: the two node sets it alone connects, else None."""
    adjacency: dict[str, set[str]] = {}
    for r, c in hidden:
        adjacency.setdefault(f"r{r}", set()).add(f"c{c}")
        adjacency.setdefault(f"c{c}", set()).add(f"r{r}")
    for r, c in sorted(hidden):
        start, goal = f"r{r}", f"c{c}"
        seen = {start}
        todo = deque([start])
        while todo:
            node = todo.popleft()
            for nxt in adjacency[node]:
                if {node, nxt} == {start, goal} or nxt in seen:
                    continue
                seen.add(nxt)
                todo.append(nxt)
        if goal not in seen:
            return seen, set(adjacency) - seen
    return None


def suppress(counts: list[list[int]], forced: Iterable[Cell] = ()) -> dict[Cell, str]:
    """Which cells of a table with totals to hide, and how (SMALL or HIDDEN)."""
    n_rows, n_cols = len(counts), len(counts[0])
    primary = {(r, c) for r in range(n_rows) for c in range(n_cols) if counts[r][c] < THRESHOLD}
    hidden = primary | set(forced)
    lines = _lines(n_rows, n_cols)
    while True:
        added: Cell | None = None
        for line in lines:
            if sum(1 for cell in line if cell in hidden) == 1:
                added = _cheapest((cell for cell in line if cell not in hidden), counts)
                if added is not None:
                    break
        if added is None:
            split = _bridge(hidden)
            if split is not None:
                one, other = split
                added = _cheapest(
                    (
                        (r, c)
                        for r in range(n_rows)
                        for c in range(n_cols)
                        if (r, c) not in hidden
                        and (
                            (f"r{r}" in one and f"c{c}" in other)
                            or (f"r{r}" in other and f"c{c}" in one)
                        )
                    ),
                    counts,
                )
        if added is None:
            break
        hidden.add(added)
    return {cell: SMALL if cell in primary else HIDDEN for cell in hidden}


def build_tables(
    contacts: Sequence[Contact], categories: Mapping[str, Sequence[str]]
) -> list[Table]:
    """The channel table and one table per dimension, suppressed consistently.

    Multi-valued tables (MULTI_DIMENSIONS, when `categories` names them) count mentions:
    each is suppressed on its own, with the channels hidden in the shared total row hidden
    in its total row as well, so a mention total never bounds a hidden contact count."""
    tables = [
        count_table(dim, contacts, categories[dim]) for dim in DIMENSIONS if dim in categories
    ]
    forced_total: set[int] = set()  # columns hidden in the shared total row
    while True:
        for table in tables:
            last = len(table.counts) - 1
            table.hidden = suppress(table.counts, {(last, c) for c in forced_total})
        now_hidden = {
            c for table in tables for (r, c) in table.hidden if r == len(table.counts) - 1
        }
        if now_hidden <= forced_total:
            break
        forced_total |= now_hidden
    totals = tables[0]
    last = len(totals.counts) - 1
    channel = Table(
        "channel",
        [],
        [list(totals.counts[last])],
        {(0, c): kind for (r, c), kind in totals.hidden.items() if r == last},
    )
    multi = []
    for dim in MULTI_DIMENSIONS:
        if dim not in categories:
            continue
        table = count_multi_table(dim, contacts, categories[dim])
        last = len(table.counts) - 1
        table.hidden = suppress(table.counts, {(last, c) for c in forced_total})
        multi.append(table)
    return [channel, *tables, *multi]


def report(year: int, tables: Sequence[Table]) -> dict[str, object]:
    """The yearly statistics as one JSON-ready dict."""
    return {
        "year": year,
        "threshold": THRESHOLD,
        "method": METHOD,
        "columns": [*CHANNELS, TOTAL],
        "tables": {table.name: table.rows() for table in tables},
    }


def csv_rows(tables: Sequence[Table]) -> list[list[str]]:
    """The same tables as CSV rows: table, category, chat, mail, phone, total."""
    rows = [["table", "category", *CHANNELS, TOTAL]]
    for table in tables:
        for row in table.rows():
            rows.append([table.name, *(str(row[k]) for k in ("category", *CHANNELS, TOTAL))])
    return rows


def median_seconds(waits: Sequence[float]) -> float | None:
    return float(statistics.median(waits)) if waits else None


def queue_lengths(
    spans: Iterable[tuple[datetime, datetime | None]], points: Sequence[datetime]
) -> list[int]:
    """How many chats were waiting at each point; a span is (started, left the queue or None)."""
    spans = list(spans)
    return [sum(1 for s, e in spans if s <= t and (e is None or e > t)) for t in points]


def queue_peak(
    spans: Iterable[tuple[datetime, datetime | None]], first: datetime, last: datetime
) -> int:
    """The most chats waiting at any instant in [first, last], not only at sample points:
    a sweep over the spans' starts and ends (an end before a start at the same instant)."""
    events: list[tuple[datetime, int]] = []
    for start, end in spans:
        if start > last or (end is not None and end <= first):
            continue
        events.append((max(start, first), 1))
        if end is not None and end <= last:
            events.append((end, -1))
    events.sort(key=lambda e: (e[0], e[1]))
    peak = level = 0
    for _, step in events:
        level += step
        peak = max(peak, level)
    return peak
