"""Dossiers on a real database: codes, versions, team scope, audit per opening,
restriction, legal hold and erasure."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from console1712.clock import FakeClock
from console1712.store import audit, dossiers
from console1712.store.db import Database
from console1712.store.dossiers import DossierError
from tests.dossiers.conftest import make_chat


async def test_codes_are_readable_and_numbered_per_year(db: Database, clock: FakeClock) -> None:
    first = await dossiers.create(db, clock.now(), "anna", "antwerpen", "Roos")
    second = await dossiers.create(db, clock.now(), "anna", "limburg", "Tulp")
    clock.set(datetime(2027, 1, 2, tzinfo=UTC))
    third = await dossiers.create(db, clock.now(), "anna", "antwerpen", "Lelie")
    assert (first.code, second.code, third.code) == ("D-2026-0001", "D-2026-0002", "D-2027-0001")
    assert first.status == "open" and first.closed_at is None


async def test_pseudonym_and_annotation_text_are_sealed(db: Database, clock: FakeClock) -> None:
    d = await dossiers.create(db, clock.now(), "anna", "antwerpen", "Pseudo-QWERTY")
    await dossiers.annotate(db, clock.now(), "anna", d.code, "antwerpen", "note", "Tekst-ZXCV")
    raw = (await db.fetchone("SELECT pseudonym FROM dossiers"))[0]
    text = (await db.fetchone("SELECT text FROM annotations"))[0]
    assert b"QWERTY" not in raw and b"ZXCV" not in text
    await db.vacuum()
    data = db.path.read_bytes()
    assert b"QWERTY" not in data and b"ZXCV" not in data


async def test_corrections_are_new_versions_and_old_ones_stay(
    db: Database, clock: FakeClock
) -> None:
    d = await dossiers.create(db, clock.now(), "anna", "antwerpen", "Roos")
    v1 = await dossiers.annotate(
        db, clock.now(), "anna", d.code, "antwerpen", "assessment", "risico laag"
    )
    clock.advance(60)
    v2 = await dossiers.annotate(
        db, clock.now(), "bert", d.code, "antwerpen", "assessment", "risico hoog", corrects=v1.id
    )
    assert (v2.version, v2.corrects, v2.origin) == (2, v1.id, v1.id)
    # Only the newest version can be corrected: corrections form a line.
    with pytest.raises(DossierError) as err:
        await dossiers.annotate(
            db, clock.now(), "bert", d.code, "antwerpen", "assessment", "x", corrects=v1.id
        )
    assert err.value.code == "not_latest"
    opened = await dossiers.open_dossier(db, clock.now(), "anna", d.code, "antwerpen")
    shown = [(a.version, a.text, a.latest) for a in opened.annotations]
    assert shown == [(1, "risico laag", False), (2, "risico hoog", True)]
    # The database itself refuses changes to an annotation.
    with pytest.raises(Exception, match="append-only"):

        async def change(tx: object) -> None:
            await tx.execute("UPDATE annotations SET kind = 'note'")  # type: ignore[attr-defined]

        await db.write(change)


async def test_annotation_kinds_and_referral_targets(db: Database, clock: FakeClock) -> None:
    d = await dossiers.create(db, clock.now(), "anna", "antwerpen", "Roos")
    for kind in ("note", "assessment", "safety_concern", "client_disagrees"):
        await dossiers.annotate(db, clock.now(), "anna", d.code, "antwerpen", kind, kind)
    ref = await dossiers.annotate(
        db, clock.now(), "anna", d.code, "antwerpen", "referral", "naar vk", referral_to="vk"
    )
    assert ref.referral_to == "vk"
    for kind, to in (("referral", None), ("referral", "kapper"), ("gossip", None)):
        with pytest.raises(DossierError):
            await dossiers.annotate(
                db, clock.now(), "anna", d.code, "antwerpen", kind, "x", referral_to=to
            )


async def test_team_scope_and_an_audit_entry_per_opening(db: Database, clock: FakeClock) -> None:
    d = await dossiers.create(db, clock.now(), "anna", "antwerpen", "Roos")
    before = await audit.count(db)
    await dossiers.open_dossier(db, clock.now(), "anna", d.code, "antwerpen")
    await dossiers.open_dossier(db, clock.now(), "bert", d.code, "antwerpen")
    with pytest.raises(DossierError) as err:
        await dossiers.open_dossier(db, clock.now(), "lies", d.code, "limburg")
    assert err.value.code == "not_found"
    for change in (
        dossiers.annotate(db, clock.now(), "lies", d.code, "limburg", "note", "x"),
        dossiers.set_status(db, clock.now(), "lies", d.code, "limburg", "closed"),
    ):
        with pytest.raises(DossierError, match="not_found"):
            await change
    assert await dossiers.search(db, "limburg", "Roos") == []
    entries = (await audit.entries(db, 10))[-3:]
    assert [(e.actor, e.action, e.object, e.outcome) for e in entries] == [
        ("anna", "dossier.open", d.code, "ok"),
        ("bert", "dossier.open", d.code, "ok"),
        ("lies", "dossier.open", d.code, "not_found"),
    ]
    assert await audit.count(db) == before + 3
    assert await audit.verify(db) == []


async def test_search_by_code_pseudonym_and_theme(db: Database, clock: FakeClock) -> None:
    a = await dossiers.create(db, clock.now(), "anna", "antwerpen", "Roos", ["elder-abuse"])
    b = await dossiers.create(
        db, clock.now(), "anna", "antwerpen", "Tulpje", ["partner-violence", "other"]
    )
    assert [d.code for d in await dossiers.search(db, "antwerpen", "roo")] == [a.code]
    assert [d.code for d in await dossiers.search(db, "antwerpen", b.code.lower())] == [b.code]
    found = await dossiers.search(db, "antwerpen", theme="partner-violence")
    assert [(d.code, d.themes) for d in found] == [(b.code, ["other", "partner-violence"])]
    assert {d.code for d in await dossiers.search(db, "antwerpen")} == {a.code, b.code}
    with pytest.raises(DossierError, match="bad_theme"):
        await dossiers.create(
            db, clock.now(), "anna", "antwerpen", "X", ["made-up"], allowed_themes=["other"]
        )


async def test_restriction_makes_the_dossier_read_only(db: Database, clock: FakeClock) -> None:
    d = await dossiers.create(db, clock.now(), "anna", "antwerpen", "Roos")
    chat = await make_chat(db, clock.now())
    await dossiers.restrict(db, clock.now(), "sofie", d.code, "antwerpen")
    writes = (
        dossiers.annotate(db, clock.now(), "anna", d.code, "antwerpen", "note", "x"),
        dossiers.link(db, clock.now(), "anna", d.code, "antwerpen", "chat", chat),
        dossiers.set_status(db, clock.now(), "anna", d.code, "antwerpen", "closed"),
        dossiers.set_themes(db, clock.now(), "anna", d.code, "antwerpen", ["other"]),
    )
    for write in writes:
        with pytest.raises(DossierError) as err:
            await write
        assert err.value.code == "restricted"
    opened = await dossiers.open_dossier(db, clock.now(), "anna", d.code, "antwerpen")
    assert opened.restricted and opened.annotations == [] and opened.links == []
    await dossiers.lift_restriction(db, clock.now(), "sofie", d.code, "antwerpen")
    await dossiers.annotate(db, clock.now(), "anna", d.code, "antwerpen", "note", "weer")


async def test_links_only_to_chats_of_the_same_team(db: Database, clock: FakeClock) -> None:
    d = await dossiers.create(db, clock.now(), "anna", "antwerpen", "Roos")
    ours = await make_chat(db, clock.now(), team="antwerpen")
    theirs = await make_chat(db, clock.now(), team="limburg")
    await dossiers.link(db, clock.now(), "anna", d.code, "antwerpen", "chat", ours)
    await dossiers.link(db, clock.now(), "anna", d.code, "antwerpen", "chat", ours)  # idempotent
    for target in (theirs, "c_unknown"):
        with pytest.raises(DossierError, match="not_found"):
            await dossiers.link(db, clock.now(), "anna", d.code, "antwerpen", "chat", target)
    opened = await dossiers.open_dossier(db, clock.now(), "anna", d.code, "antwerpen")
    assert [(x.kind, x.target) for x in opened.links] == [("chat", ours)]


async def test_close_and_reopen(db: Database, clock: FakeClock) -> None:
    d = await dossiers.create(db, clock.now(), "anna", "antwerpen", "Roos")
    closed = await dossiers.set_status(db, clock.now(), "anna", d.code, "antwerpen", "closed")
    assert closed.status == "closed" and closed.closed_at == clock.now()
    reopened = await dossiers.set_status(db, clock.now(), "anna", d.code, "antwerpen", "open")
    assert reopened.status == "open" and reopened.closed_at is None


async def test_erasure_takes_linked_chats_unless_a_legal_hold(
    db: Database, clock: FakeClock
) -> None:
    d = await dossiers.create(db, clock.now(), "anna", "antwerpen", "Roos")
    chat = await make_chat(db, clock.now(), texts=("geheim-ASDF", "nog iets"))
    other = await make_chat(db, clock.now())
    await dossiers.link(db, clock.now(), "anna", d.code, "antwerpen", "chat", chat)
    await dossiers.annotate(db, clock.now(), "anna", d.code, "antwerpen", "note", "NOTE-HJKL")
    await dossiers.set_hold(db, clock.now(), "sofie", d.code, "antwerpen", "onderzoek parket")
    held = await dossiers.get(db, d.code, "antwerpen")
    assert held.hold is not None and (held.hold.by, held.hold.reason) == (
        "sofie",
        "onderzoek parket",
    )
    with pytest.raises(DossierError) as err:
        await dossiers.erase(db, clock.now(), "sofie", d.code, "antwerpen")
    assert err.value.code == "legal_hold"
    assert await db.fetchone("SELECT 1 FROM chats WHERE id = ?", (chat,)) is not None

    await dossiers.set_hold(db, clock.now(), "sofie", d.code, "antwerpen", None)
    erased = await dossiers.erase(db, clock.now(), "sofie", d.code, "antwerpen")
    assert (erased.dossiers, erased.annotations, erased.chats, erased.messages) == (1, 1, 1, 2)
    assert await db.fetchone("SELECT 1 FROM chats WHERE id = ?", (chat,)) is None
    assert await db.fetchone("SELECT 1 FROM chats WHERE id = ?", (other,)) is not None
    with pytest.raises(DossierError, match="not_found"):
        await dossiers.get(db, d.code, None)
    last = (await audit.entries(db, 1))[0]
    assert (last.action, last.object) == ("dossier.erase", d.code)
    assert "chats=1" in (last.detail or "")


async def test_erasure_leaves_no_ciphertext_in_the_files(db: Database, clock: FakeClock) -> None:
    d = await dossiers.create(db, clock.now(), "anna", "antwerpen", "Pseudo")
    chat = await make_chat(db, clock.now(), texts=("x" * 3000, "kort"))  # one on overflow pages
    await dossiers.link(db, clock.now(), "anna", d.code, "antwerpen", "chat", chat)
    await dossiers.annotate(db, clock.now(), "anna", d.code, "antwerpen", "note", "y" * 5000)
    sealed = [r[0] for r in await db.fetchall("SELECT text FROM chat_messages")]
    sealed += [r[0] for r in await db.fetchall("SELECT text FROM annotations")]
    sealed += [r[0] for r in await db.fetchall("SELECT pseudonym FROM dossiers")]
    files = [db.path, db.path.with_name(db.path.name + "-wal")]

    def on_disk() -> bytes:
        return b"".join(p.read_bytes() for p in files if p.exists())

    def pieces(blob: bytes) -> list[bytes]:
        # Long values span overflow pages: look for every 16-byte piece, not the whole blob.
        return [blob[i : i + 16] for i in range(0, len(blob) - 15, 16)]

    before = on_disk()
    for blob in sealed:
        found = sum(piece in before for piece in pieces(blob))
        assert found >= len(pieces(blob)) * 0.9  # the test looks for something real
    await dossiers.erase(db, clock.now(), "sofie", d.code, "antwerpen")
    after = on_disk()
    for blob in sealed:
        assert not any(piece in after for piece in pieces(blob))
