"""A mail thread gets a registration (open, for who answered it) when it is answered; its
codes count in the yearly statistics; it goes with the thread."""

from __future__ import annotations

from console1712.domain.mailparse import parse_mail
from console1712.domain.themes import taxonomy
from console1712.protocol import operations as req
from console1712.protocol.operations import RegistrationSave, decode_as
from console1712.relay.operations import mail as mail_ops
from console1712.relay.operations import registrations as registration_ops
from console1712.store import mail as store
from console1712.store import registrations, stats

from .conftest import Host, plain


async def test_answered_mail_gets_a_registration(host: Host) -> None:
    msg = plain(msgid="<r1@example.org>")
    stored = await store.store_incoming(
        host.db, parse_mail(msg.as_bytes()), host.clock.now(), "antwerpen"
    )
    tid = stored.thread
    assert await registrations.open_for(host.db, "anna") == []
    await mail_ops.mail_reply(host.as_("anna"), req.MailReply(thread=tid, text="Dag Sam"))
    (open_one,) = await registrations.open_for(host.db, "anna")
    assert (open_one.contact, open_one.channel, open_one.team) == (tid, "mail", "antwerpen")

    frame = {
        "contact": tid,
        "kind": "information",
        "themes": ["online-violence"],
        "referrals": ["jac"],
        "note": "vraag over sexting",
    }
    saved = await registration_ops.save(host.as_("anna"), decode_as(RegistrationSave, frame))
    assert saved["status"] == "done"
    contacts = await stats.year_contacts(host.db, 2026, list(taxonomy()))
    (mail_contact,) = [c for c in contacts if c.channel == "mail"]
    assert (mail_contact.kind, mail_contact.theme, mail_contact.referrals) == (
        "information",
        "online-violence",
        ("jac",),
    )
    # Erased with its thread (the purge and rights erasure delete threads).
    await host.db.write(lambda tx: tx.execute("DELETE FROM mail_threads WHERE id = ?", (tid,)))
    assert await registrations.get(host.db, tid) is None
