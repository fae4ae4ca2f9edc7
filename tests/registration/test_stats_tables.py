"""The registration tables of the yearly statistics: single-code tables share the contacts'
totals; mention tables (themes, referral) hide what the shared total row hides."""

from __future__ import annotations

from console1712.domain.stats import (
    SMALL,
    TOTAL,
    Contact,
    build_tables,
)
from tests.supervision.test_stats import recoverable

CATEGORIES = {
    "month": [f"{m:02d}" for m in range(1, 13)],
    "region": ["antwerpen", "unknown"],
    "age_band": ["12-17", "unknown"],
    "gender": ["female", "unknown"],
    "theme": ["partner-violence", "elder-abuse", "unknown"],
    "kind": ["help", "information", "unknown"],
    "about": ["self", "unknown"],
    "relation": ["parent", "unknown"],
    "risk": ["none", "high", "unknown"],
    "themes": ["partner-violence", "elder-abuse", "none"],
    "referral": ["caw", "police", "none"],
}


def contact(channel: str, themes: tuple[str, ...], referrals: tuple[str, ...]) -> Contact:
    return Contact(
        channel,
        3,
        "antwerpen",
        "12-17",
        "female",
        themes[0] if themes else "unknown",
        kind="help",
        about="self",
        relation="parent",
        risk="high",
        themes=themes,
        referrals=referrals,
    )


def test_mention_tables_count_every_code_and_hide_small_totals() -> None:
    contacts = [contact("chat", ("partner-violence", "elder-abuse"), ("caw", "police"))] * 12
    contacts += [contact("mail", ("elder-abuse",), ("caw",))] * 8
    contacts += [contact("phone", ("partner-violence",), ())] * 3  # a small channel
    tables = {t.name: t for t in build_tables(contacts, CATEGORIES)}
    rows = {name: {r["category"]: r for r in t.rows()} for name, t in tables.items()}
    assert rows["channel"][TOTAL]["phone"] == SMALL
    # Every theme and referral named counts (mentions: 12 x 2 + 8 + 3 themes).
    assert rows["themes"]["elder-abuse"]["chat"] == 12
    assert rows["themes"]["elder-abuse"]["total"] == 20
    assert rows["themes"][TOTAL]["total"] == 35
    assert rows["referral"]["caw"]["total"] == 20 and rows["referral"]["police"]["chat"] == 12
    for name in ("themes", "referral"):
        published = tables[name].rows()
        # What the shared total row hides (phone: 3 contacts, mail: by complement) is hidden
        # in the mention tables' total row too, though their mention counts are larger.
        assert rows["channel"][TOTAL]["mail"] == "x"
        assert isinstance(published[-1]["phone"], str), name
        assert isinstance(published[-1]["mail"], str), name
        assert recoverable(published) == {}, name
    for name in ("kind", "about", "relation", "risk"):
        assert tables[name].rows()[-1] == tables["channel"].rows()[0]
        assert recoverable(tables[name].rows()) == {}, name
