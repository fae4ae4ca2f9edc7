"""Yearly statistics on generated data in a real database: counts per channel and dimension,
suppression of small counts, and an attacker who solves the published tables' equations."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import random
from datetime import UTC, date, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from console1712.cli import main
from console1712.config import Settings, load_settings
from console1712.domain.stats import (
    CHANNELS,
    HIDDEN,
    SMALL,
    TOTAL,
    Contact,
    Table,
    age_band,
    build_tables,
    count_table,
    gender_code,
    suppress,
)
from console1712.domain.vocabulary import REGIONS
from console1712.store import chats, phone
from console1712.store.chats import Intake
from console1712.store.db import Database

COLUMNS = [*CHANNELS, TOTAL]


def recoverable(rows: list[dict[str, Any]]) -> dict[tuple[int, int], Fraction]:
    """The attacker: hidden cells whose value follows from the published rows and columns
    (each row sums to its total, each column to the total row), by exact elimination."""
    grid = [[row[c] for c in COLUMNS] for row in rows]
    n_rows, n_cols = len(grid), len(COLUMNS)
    unknowns = [(r, c) for r in range(n_rows) for c in range(n_cols) if isinstance(grid[r][c], str)]
    index = {cell: i for i, cell in enumerate(unknowns)}
    equations: list[list[Fraction]] = []

    def equation(cells: list[tuple[int, int]], total: tuple[int, int]) -> None:
        coeffs = [Fraction(0)] * (len(unknowns) + 1)
        for cell, sign in [(c, 1) for c in cells] + [(total, -1)]:
            value = grid[cell[0]][cell[1]]
            if isinstance(value, str):
                coeffs[index[cell]] += sign
            else:
                coeffs[-1] -= sign * value
        equations.append(coeffs)

    for r in range(n_rows):
        equation([(r, c) for c in range(n_cols - 1)], (r, n_cols - 1))
    for c in range(n_cols):
        equation([(r, c) for r in range(n_rows - 1)], (n_rows - 1, c))
    # Reduced row echelon form.
    pivots: list[int] = []
    row = 0
    for col in range(len(unknowns)):
        pivot = next((i for i in range(row, len(equations)) if equations[i][col] != 0), None)
        if pivot is None:
            continue
        equations[row], equations[pivot] = equations[pivot], equations[row]
        lead = equations[row][col]
        equations[row] = [v / lead for v in equations[row]]
        for i in range(len(equations)):
            if i != row and equations[i][col] != 0:
                factor = equations[i][col]
                equations[i] = [
                    a - factor * b for a, b in zip(equations[i], equations[row], strict=True)
                ]
        pivots.append(col)
        row += 1
    found = {}
    for i, col in enumerate(pivots):
        others = [v for j, v in enumerate(equations[i][:-1]) if j != col and v != 0]
        if not others:
            found[unknowns[col]] = equations[i][-1]
    return found


def test_bands_and_codes() -> None:
    assert [age_band(a) for a in (None, 5, 11, 12, 17, 18, 24, 25, 64, 65, 99)] == [
        "unknown", "0-11", "0-11", "12-17", "12-17", "18-24", "18-24", "25-64", "25-64",
        "65+", "65+",
    ]  # fmt: skip
    assert [gender_code(g) for g in (None, " ", "Meisje", "M", "non-binair")] == [
        "unknown", "unknown", "female", "male", "other",
    ]  # fmt: skip


def test_the_attacker_beats_primary_suppression_alone() -> None:
    # Without complementary cells a single small count is a subtraction away.
    def many(channel: str, region: str, n: int) -> list[Contact]:
        return [Contact(channel, 1, region, "12-17", "female", "x")] * n

    contacts = (
        many("chat", "limburg", 20)
        + many("mail", "limburg", 8)
        + many("phone", "limburg", 9)
        + many("chat", "brussel", 12)
        + many("mail", "brussel", 7)
        + many("phone", "brussel", 3)
    )
    table = count_table("region", contacts, ["limburg", "brussel"])
    naive = Table("region", table.categories, table.counts, {(1, 2): SMALL})
    assert recoverable(naive.rows()) == {(1, 2): 3}
    table.hidden = suppress(table.counts)
    assert recoverable(table.rows()) == {}


@pytest.mark.parametrize("seed", range(40))
def test_suppression_leaves_nothing_recoverable_on_random_tables(seed: int) -> None:
    rng = random.Random(seed)
    regions = [*REGIONS, "unknown"]
    contacts = [
        Contact(
            rng.choice(CHANNELS),
            rng.randint(1, 12),
            rng.choice(regions[: rng.randint(1, 7)]),
            rng.choice(["12-17", "18-24", "65+", "unknown"]),
            rng.choice(["female", "male", "other"]),
            "other",
        )
        for _ in range(rng.randint(5, 120))
    ]
    cats = {
        "month": [f"{m:02d}" for m in range(1, 13)],
        "region": regions,
        "age_band": ["0-11", "12-17", "18-24", "25-64", "65+", "unknown"],
        "gender": ["female", "male", "other", "unknown"],
        "theme": ["other", "unknown"],
    }
    tables = build_tables(contacts, cats)
    totals = {tuple(sorted(c for (r, c) in t.hidden if r == len(t.counts) - 1)) for t in tables}
    assert len(totals) == 1, "the shared channel totals must be hidden alike in every table"
    for table in tables:
        for (r, c), kind in table.hidden.items():
            assert (table.counts[r][c] < 5) == (kind == SMALL)
        for r, row in enumerate(table.rows()):
            for c, column in enumerate(COLUMNS):
                if table.counts[r][c] < 5:
                    assert row[column] == SMALL
        if table.name != "channel":
            assert recoverable(table.rows()) == {}, table.name


# -- the command on a real database ----------------------------------------------------------


async def _fill(settings: Settings) -> None:
    rng = random.Random(1712)
    db = await Database.open(settings.db_path, settings.key_path)
    try:
        jobs = []
        for n in range(240):
            month = rng.randint(1, 11)
            at = datetime(2026, month, rng.randint(1, 28), 14, tzinfo=UTC)
            intake = Intake(
                nickname=f"Nick{n}",
                age=rng.choice([9, 14, 15, 16, 20, 30, 40, None, 70]),
                gender=rng.choice(["meisje", "jongen", "v", None]),
                region=rng.choice([*REGIONS[:4], None]),
            )
            jobs.append(chats.create_chat(db, f"c_{n}", at, intake, "10.0.0.1", "h", f"r{n}"))
        # A chat of last year and one of next year are not counted.
        jobs.append(
            chats.create_chat(
                db, "c_old", datetime(2025, 12, 31, 12, tzinfo=UTC), Intake(), "a", "h", "ro"
            )
        )
        jobs.append(
            chats.create_chat(
                db, "c_new", datetime(2026, 12, 31, 23, 30, tzinfo=UTC), Intake(), "a", "h", "rn"
            )
        )
        for n in range(30):
            contact = phone.PhoneContact(
                f"p_{n}",
                date(2026, rng.randint(1, 11), 3),
                rng.randint(3, 40),
                rng.choice(["limburg", "antwerpen", "brussel"]) if n else "west-vlaanderen",
                rng.choice(["25-64", "18-24"]),
                rng.choice(["female", "male"]),
                "partner-violence" if n % 3 else "elder-abuse",
            )
            jobs.append(phone.register(db, datetime(2026, 11, 26, tzinfo=UTC), "anna", contact))
        await asyncio.gather(*jobs)

        async def extra(tx: Any) -> None:
            for n in range(12):
                at = f"2026-{(n % 11) + 1:02d}-10T09:00:00Z"
                await tx.execute(
                    "INSERT INTO mail_threads (id, team, status, created_at, last_in_at, last_at)"
                    " VALUES (?, ?, 'open', ?, ?, ?)",
                    (f"t_{n}", "limburg" if n % 2 else None, at, at, at),
                )
            # A dossier with themes linked to three chats.
            await tx.execute(
                "INSERT INTO dossiers (id, code, team, status, opened_at, pseudonym, created_by)"
                " VALUES ('d_1', 'D-2026-0001', 'limburg', 'open', '2026-01-01T00:00:00Z', x'00',"
                " 'anna')"
            )
            for theme in ("child-neglect", "partner-violence"):
                await tx.execute("INSERT INTO dossier_themes VALUES ('d_1', ?)", (theme,))
            for cid in ("c_1", "c_2", "c_3"):
                await tx.execute(
                    "INSERT INTO dossier_links VALUES ('d_1', 'chat', ?, '2026-01-01T00:00:00Z',"
                    " 'anna')",
                    (cid,),
                )

        await db.write(extra)
    finally:
        await db.close()


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    asyncio.run(_fill(load_settings(environ={}, overrides={"data": data})))
    return data


def test_stats_json_on_generated_data(filled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--year", "2026", "--format", "json", "--data", str(filled)]) == 0
    published = json.loads(capsys.readouterr().out)
    tables = published["tables"]
    single = ("month", "region", "age_band", "gender", "theme", "kind", "about", "relation", "risk")
    assert set(tables) == {"channel", *single, "themes", "referral"}
    (channel,) = tables["channel"]
    assert channel == {"category": "total", "chat": 240, "mail": 12, "phone": 30, "total": 282}
    for name in single:
        assert tables[name][-1] == channel  # the same totals everywhere
        assert recoverable(tables[name]) == {}, name
        for row in tables[name]:
            for column in COLUMNS:
                value = row[column]
                assert value in (SMALL, HIDDEN) or (isinstance(value, int) and value >= 5)
    # Mention tables (several codes per contact) are suppressed on their own equations, and
    # hide the channels the shared total row hides.
    hidden_total = {c for c in COLUMNS if isinstance(channel[c], str)}
    for name in ("themes", "referral"):
        assert recoverable(tables[name]) == {}, name
        assert {c for c in COLUMNS if isinstance(tables[name][-1][c], str)} >= hidden_total
    theme = {row["category"]: row for row in tables["theme"]}
    # Chats linked to a dossier count once, under the first theme in taxonomy order.
    assert theme["partner-violence"]["phone"] == 20
    assert theme["child-neglect"]["chat"] == SMALL
    assert theme["elder-abuse"]["phone"] == 10
    region = {row["category"]: row for row in tables["region"]}
    assert region["west-vlaanderen"]["phone"] == SMALL  # one call
    # No free text: only the known categories appear.
    text = json.dumps(published)
    assert "Nick" not in text and "10.0.0.1" not in text


def test_stats_csv(filled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--year", "2026", "--data", str(filled), "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["table", "category", "chat", "mail", "phone", "total"]
    assert ["channel", "total", "240", "12", "30", "282"] in rows
    months = [r for r in rows if r[0] == "month"]
    assert [r[1] for r in months] == [f"{m:02d}" for m in range(1, 13)] + ["total"]
    assert months[11][2:] == ["<5", "<5", "<5", "<5"]  # December: nothing counted


def test_stats_needs_a_year(filled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["stats", "--data", str(filled)])
    assert exc.value.code == 2
    assert main(["stats", "--year", "26", "--data", str(filled)]) == 1


async def test_purged_chats_still_count_in_their_year(tmp_path: Path) -> None:
    from console1712.clock import FakeClock
    from console1712.store import retention, stats

    settings = load_settings(environ={}, overrides={"data": tmp_path / "data"})
    db = await Database.open(settings.db_path, settings.key_path)
    try:
        march = datetime(2026, 3, 10, 14, tzinfo=UTC)
        for n, age in enumerate((15, 15, 40)):
            intake = Intake(nickname=f"N{n}", age=age, gender="meisje", region="limburg")
            await chats.create_chat(db, f"c_{n}", march, intake, "10.0.0.1", "h", f"r{n}")
            await chats.end_chat(db, f"c_{n}", "chatter", march)
        themes = ["partner-violence"]
        before = sorted(map(repr, await stats.year_contacts(db, 2026, themes)))

        counts = await retention.purge(db, FakeClock(datetime(2026, 11, 1, tzinfo=UTC)))
        assert counts.chats == 3
        assert await db.fetchall("SELECT id FROM chats") == []
        # The records are gone; the year's statistics are not.
        assert sorted(map(repr, await stats.year_contacts(db, 2026, themes))) == before
        assert len(before) == 3
        # Only codes and counts are kept: no nickname, no address.
        rows = await db.fetchall("SELECT * FROM stats_archive_codes")
        assert sum(r["count"] for r in rows) == 3
        assert {r["age_band"] for r in rows} == {"12-17", "25-64"}
    finally:
        await db.close()


async def test_purged_mail_threads_still_count_in_their_year(tmp_path: Path) -> None:
    from console1712.clock import FakeClock
    from console1712.store import retention, stats

    settings = load_settings(environ={}, overrides={"data": tmp_path / "data"})
    db = await Database.open(settings.db_path, settings.key_path)
    try:

        async def threads(tx: Any) -> None:
            for n, team in enumerate(("limburg", None)):
                at = "2026-02-10T09:00:00Z"
                await tx.execute(
                    "INSERT INTO mail_threads (id, team, status, created_at, last_in_at, last_at)"
                    " VALUES (?, ?, 'open', ?, ?, ?)",
                    (f"t_{n}", team, at, at, at),
                )

        await db.write(threads)
        before = sorted(map(repr, await stats.year_contacts(db, 2026, [])))
        await retention.purge(db, FakeClock(datetime(2026, 11, 1, tzinfo=UTC)))
        assert await db.fetchall("SELECT id FROM mail_threads") == []
        assert sorted(map(repr, await stats.year_contacts(db, 2026, []))) == before
        assert len(before) == 2
    finally:
        await db.close()
