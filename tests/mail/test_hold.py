"""Retention of mail under a legal hold: threads linked to a held dossier outlive 6 months."""

from __future__ import annotations

from console1712.domain.mailparse import parse_mail
from console1712.store import dossiers, retention
from console1712.store import mail as store

from .conftest import Host, plain


async def incoming(host: Host, subject: str, msgid: str, sender: str) -> str:
    msg = plain(subject=subject, msgid=msgid, sender=sender, body=f"tekst van {subject}")
    stored = await store.store_incoming(
        host.db, parse_mail(msg.as_bytes()), host.clock.now(), "antwerpen"
    )
    return stored.thread


async def test_held_dossier_keeps_its_mail_threads(host: Host) -> None:
    db, clock = host.db, host.clock
    held_thread = await incoming(host, "Bewaren", "<h1@x>", "a@example.org")
    await incoming(host, "Re: Bewaren", "<h2@x>", "a@example.org")  # same thread, 2 messages
    free_thread = await incoming(host, "Los", "<f1@x>", "b@example.org")
    held = await dossiers.create(db, clock.now(), "anna", "antwerpen", "Roos")
    free = await dossiers.create(db, clock.now(), "anna", "antwerpen", "Lelie")
    await dossiers.link(db, clock.now(), "anna", held.code, "antwerpen", "mail", held_thread)
    await dossiers.link(db, clock.now(), "anna", free.code, "antwerpen", "mail", free_thread)
    await dossiers.set_hold(db, clock.now(), "sofie", held.code, "antwerpen", "parket")

    clock.advance(200 * 86400)  # every message is past the 183 days
    assert await store.purge_mail(db, clock, dry_run=True) == 1
    assert (await retention.purge(db, clock, dry_run=True)).mail == 1
    counts = await retention.purge(db, clock)
    assert counts.mail == 1
    assert await store.get_thread(db, free_thread) is None
    kept = await store.get_thread(db, held_thread)
    assert kept is not None and kept.subject == "Re: Bewaren" and kept.count == 2
    bodies = [m.body for m in await store.thread_messages(db, held_thread)]
    assert bodies == ["tekst van Bewaren\n", "tekst van Re: Bewaren\n"]
    # The unheld dossier stays, without a link to the erased thread; the held one keeps it.
    assert (await dossiers.open_dossier(db, clock.now(), "t", free.code, None)).links == []
    opened = await dossiers.open_dossier(db, clock.now(), "t", held.code, None)
    assert [x.target for x in opened.links] == [held_thread]

    # Lifting the hold lets the next run erase the thread.
    await dossiers.set_hold(db, clock.now(), "sofie", held.code, "antwerpen", None)
    assert (await retention.purge(db, clock)).mail == 2
    assert await store.get_thread(db, held_thread) is None
