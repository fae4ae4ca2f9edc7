"""The outbox (no smarthost): replies sealed at rest, gone with "do not retain" and the purge,
and delivered or read by an admin with the real `console1712 mail outbox` command."""

from __future__ import annotations

import asyncio
import dataclasses
import os
from pathlib import Path

from console1712.protocol import operations as req
from console1712.relay.operations import OpError
from console1712.relay.operations import mail as mail_ops
from console1712.store import audit, retention
from console1712.store import mail as store
from tests.test_cli import cli

from .conftest import Host, plain
from .test_ops import Sink, incoming, sink  # noqa: F401  (the smarthost sink fixture)

REPLY = "Beste, ZXQ-REPLY-4711"


async def reply(host: Host, msgid: str, subject: str = "Hulp") -> tuple[str, Path]:
    """A thread answered through the outbox: (thread id, its sealed file)."""
    before = set(store.outbox_files(host.settings.outbox_path))
    tid = await incoming(host, plain(subject=subject, msgid=msgid))
    answer = await mail_ops.mail_reply(host.as_("anna"), req.MailReply(thread=tid, text=REPLY))
    assert answer["delivery"] == "outbox"
    (path,) = set(store.outbox_files(host.settings.outbox_path)) - before
    return tid, path


async def test_do_not_retain_deletes_the_waiting_reply(host: Host) -> None:
    tid, path = await reply(host, "<f@x>")
    _, other = await reply(host, "<g@x>", subject="Iets anders")
    await mail_ops.mail_forget(host.as_("anna"), req.MailForget(thread=tid))
    assert not path.exists() and other.exists()


async def test_the_purge_deletes_replies_with_their_mail(host: Host) -> None:
    _, old = await reply(host, "<old@x>")
    host.clock.advance(100 * 86400)
    _, recent = await reply(host, "<new@x>", subject="Later")
    # A reply whose storing failed has no row: it goes once older than the period.
    stray = host.settings.outbox_path / ("0" * 64 + store.OUTBOX_SUFFIX)
    stray.write_bytes(b"sealed")
    long_ago = host.clock.now().timestamp() - 200 * 86400
    os.utime(stray, (long_ago, long_ago))
    host.clock.advance(84 * 86400)  # old: 184 days, recent: 84 days
    counts = await retention.purge(host.db, host.clock, outbox=host.settings.outbox_path)
    assert counts.mail == 2  # the old mail and its reply
    assert not old.exists() and not stray.exists() and recent.exists()


def outbox_cli(host: Host, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = cli(host.settings.data, "mail", "outbox", *args, env=env)
    assert "Traceback" not in result.err, result.err
    return result.code, result.out


async def test_an_admin_lists_reads_sends_and_deletes_waiting_replies(
    host: Host,
    sink: Sink,  # noqa: F811
) -> None:
    smarthost = {
        "CONSOLE1712_SMARTHOST": host.settings.smarthost,
        "CONSOLE1712_SMARTHOST_STARTTLS": "false",
    }
    # The relay had no smarthost when the replies were written.
    host.settings = dataclasses.replace(host.settings, smarthost="")
    _, first = await reply(host, "<a@x>")
    _, second = await reply(host, "<b@x>", subject="Tweede")
    code, out = await asyncio.to_thread(outbox_cli, host)
    assert code == 0 and first.name in out and "2 replies waiting" in out
    assert "writer@example.org" not in out and "ZXQ" not in out  # no content in the list

    code, out = await asyncio.to_thread(outbox_cli, host, "show", first.name[:12])
    assert code == 0 and REPLY in out and "To: writer@example.org" in out
    assert "> Ik weet niet wat ik moet doen." in out  # the quote
    shown = [e for e in await audit.entries(host.db, 5) if e.action == "mail.outbox.show"]
    assert [e.object for e in shown] == [first.name]

    code, out = await asyncio.to_thread(outbox_cli, host, "delete", second.name)
    assert code == 0 and not second.exists()

    code, out = await asyncio.to_thread(outbox_cli, host, "send", env=smarthost)
    assert code == 0 and "sent 1 replies" in out
    (envelope,) = sink.received
    assert envelope.rcpt_tos == ["writer@example.org"]
    assert REPLY.encode() in (envelope.original_content or b"")
    assert store.outbox_files(host.settings.outbox_path) == []  # deleted once delivered


async def test_a_reply_refused_at_storing_leaves_no_file(host: Host) -> None:
    tid = await incoming(host, plain(msgid="<race@x>"))
    # Two counsellors answer the same unclaimed thread at once: both pass the first check
    # and write their reply; the second to store it is refused (taken).
    results = await asyncio.gather(
        mail_ops.mail_reply(host.as_("anna"), req.MailReply(thread=tid, text="Antwoord van Anna")),
        mail_ops.mail_reply(host.as_("bert"), req.MailReply(thread=tid, text="Antwoord van Bert")),
        return_exceptions=True,
    )
    sent = [r for r in results if isinstance(r, dict)]
    refused = [r for r in results if isinstance(r, OpError)]
    assert len(sent) == 1 and [e.code for e in refused] == ["taken"]
    (path,) = store.outbox_files(host.settings.outbox_path)
    winner = "Anna" if sent[0] is results[0] else "Bert"
    assert f"Antwoord van {winner}".encode() in store.open_outbox(host.db.keys, path)


async def test_key_rotation_reseals_the_waiting_replies(host: Host) -> None:
    """A reply waiting in the outbox still opens after `key rotate` dropped the old key."""
    from console1712.store import keys
    from console1712.store.crypto import read_key_file

    _, path = await reply(host, "<rot@x>")
    before = path.read_bytes()
    settings = host.settings
    await host.db.close()  # the rotation takes the data for itself, as with the relay stopped
    result = await keys.rotate(settings.data, settings.key_path, outbox=settings.outbox_path)
    assert result.dropped == [1]
    ring = read_key_file(settings.key_path)
    assert list(ring.keys) == [result.key_id]
    assert path.read_bytes() != before  # sealed anew, same name
    assert REPLY.encode() in store.open_outbox(ring, path)
