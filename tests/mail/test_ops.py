"""Staff operations on mail: scope, open (audited), claim, reply, answered, forget, purge."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
from collections.abc import AsyncIterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from console1712.domain.mailparse import parse_mail
from console1712.protocol import operations as req
from console1712.relay.operations import OpError
from console1712.relay.operations import mail as mail_ops
from console1712.store import audit
from console1712.store import mail as store

from .conftest import Host, plain


class Sink:
    """A real SMTP server standing in for the smarthost: keeps what it receives."""

    def __init__(self) -> None:
        self.received: list[Envelope] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.received.append(envelope)
        return "250 OK"


@pytest.fixture
async def sink(host: Host) -> AsyncIterator[Sink]:
    handler = Sink()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    host.settings.smarthost = f"127.0.0.1:{port}"
    host.settings.smarthost_starttls = False
    try:
        yield handler
    finally:
        server.close()


async def incoming(host: Host, msg: EmailMessage, team: str | None = None) -> str:
    stored = await store.store_incoming(host.db, parse_mail(msg.as_bytes()), host.clock.now(), team)
    return stored.thread


async def test_scope_and_filters(host: Host) -> None:
    pool = await incoming(host, plain(subject="pool", msgid="<p@x>"))
    antw = await incoming(host, plain(subject="antw", msgid="<a@x>"), "antwerpen")
    limb = await incoming(host, plain(subject="limb", msgid="<l@x>"), "limburg")

    async def ids(ctx: Any, which: str = "open") -> set[str]:
        answer = await mail_ops.mail_threads(ctx, req.MailThreads(filter=which))
        return {t["thread"] for t in answer["threads"]}

    assert await ids(host.as_("anna")) == {pool, antw}
    assert await ids(host.as_("lien", team="limburg")) == {pool, limb}
    assert await ids(host.as_("sup", role="supervisor", team=None)) == {pool, antw, limb}
    assert await ids(host.as_("nobody", team=None)) == {pool}
    assert await ids(host.as_("anna"), "overdue") == set()
    host.clock.advance(5 * 86400)  # Thursday + 5 days: past 2 working days
    answer = await mail_ops.mail_threads(host.as_("anna"), req.MailThreads(filter="overdue"))
    assert {t["thread"] for t in answer["threads"]} == {pool, antw}
    assert all(t["overdue"] for t in answer["threads"])
    entry = answer["threads"][0]
    assert set(entry) >= {
        "thread",
        "sender",
        "subject",
        "received",
        "due_at",
        "status",
        "team",
        "claimed_by",
        "count",
    }
    # Staff only: the relay refuses admins before any handler runs.
    roles = {op.type: op.roles for op in mail_ops.OPERATIONS}
    assert all(
        "admin" not in roles[t]
        for t in (
            "mail_threads",
            "mail_thread",
            "mail_claim",
            "mail_reply",
            "mail_answered",
            "mail_forget",
        )
    )


async def test_open_is_audited_and_scoped(host: Host) -> None:
    tid = await incoming(host, plain(body="lees mij"), "antwerpen")
    answer = await mail_ops.mail_thread(host.as_("anna"), req.MailThread(thread=tid))
    assert answer["messages"][0]["text"].strip() == "lees mij"
    assert answer["messages"][0]["from"] == "writer@example.org"
    last = (await audit.entries(host.db, 1))[0]
    assert (last.actor, last.action, last.object) == ("anna", "mail.open", tid)
    with pytest.raises(OpError) as info:
        await mail_ops.mail_thread(host.as_("lien", team="limburg"), req.MailThread(thread=tid))
    assert info.value.code == "not_found"


async def test_claim_moves_a_pool_thread_to_the_team(host: Host) -> None:
    tid = await incoming(host, plain())
    answer = await mail_ops.mail_claim(host.as_("lien", team="limburg"), req.MailClaim(thread=tid))
    assert answer["thread"]["team"] == "limburg"
    assert answer["thread"]["claimed_by"] == "lien"
    with pytest.raises(OpError) as info:
        await mail_ops.mail_claim(host.as_("anna"), req.MailClaim(thread=tid))
    assert info.value.code == "not_found"  # no longer in the pool, not anna's team
    with pytest.raises(OpError) as info:
        await mail_ops.mail_claim(host.as_("lotte", team="limburg"), req.MailClaim(thread=tid))
    assert info.value.code == "taken"
    assert any(f["type"] == "mail_changed" for f, _ in host.pushed)


async def test_reply_leaves_through_the_smarthost_with_proper_headers(
    host: Host, sink: Sink
) -> None:
    tid = await incoming(
        host,
        plain(
            subject="Vraag",
            body="regel een\nregel twee",
            msgid="<orig@example.org>",
            References="<older@example.org>",
        ),
    )
    answer = await mail_ops.mail_reply(
        host.as_("anna"), req.MailReply(thread=tid, text="Beste,\nwij helpen.")
    )
    assert answer["delivery"] == "smarthost" and answer["status"] == "answered"
    (env,) = sink.received
    assert env.rcpt_tos == ["writer@example.org"]
    sent = email.message_from_bytes(env.content, policy=email.policy.default)
    assert sent["From"] == "1712 <hulp@1712.local>"
    assert sent["Subject"] == "Re: Vraag"
    assert sent["In-Reply-To"] == "<orig@example.org>"
    assert sent["References"] == "<older@example.org> <orig@example.org>"
    assert sent["Date"] is not None and sent["Date"].datetime == host.clock.now()
    assert sent["Message-ID"].endswith("@1712.local>")
    body = sent.get_content().replace("\r\n", "\n")
    assert body.startswith("Beste,\nwij helpen.\n\nOp 26-11-2026 15:00 schreef Sam:\n")
    assert "> regel een\n> regel twee" in body
    thread = await store.get_thread(host.db, tid)
    assert thread is not None and thread.status == "answered" and thread.due_at is None
    assert thread.claimed_by == "anna" and thread.team == "antwerpen" and thread.count == 2
    # The writer answers our reply: it joins the thread, which is open again.
    again = await incoming(
        host, plain(subject="Re: Vraag", msgid="<back@example.org>", In_Reply_To=sent["Message-ID"])
    )
    assert again == tid
    thread = await store.get_thread(host.db, tid)
    assert thread is not None and thread.status == "open" and thread.due_at is not None


async def test_outbox_fallback_writes_a_sealed_eml(host: Host) -> None:
    tid = await incoming(host, plain(msgid="<o@x>"))
    answer = await mail_ops.mail_reply(host.as_("anna"), req.MailReply(thread=tid, text="Antwoord"))
    assert answer["delivery"] == "outbox"
    (path,) = host.settings.outbox_path.glob("*.eml.sealed")
    assert path.stat().st_mode & 0o077 == 0
    # At rest neither the writer's address nor the reply nor the quote is readable.
    for secret in (b"writer@example.org", b"Antwoord", b"Ik weet niet"):
        assert secret not in path.read_bytes()
    raw = store.open_outbox(host.db.keys, path)
    sent = email.message_from_bytes(raw, policy=email.policy.default)
    assert sent["To"] == "writer@example.org" and sent["In-Reply-To"] == "<o@x>"
    (_, out) = await store.thread_messages(host.db, tid)
    assert out.direction == "out" and out.delivery == "outbox" and out.sent_by == "anna"
    assert out.body is not None and out.body.startswith("Antwoord")


async def test_failed_send_stores_nothing(host: Host) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    host.settings.smarthost = f"127.0.0.1:{port}"
    tid = await incoming(host, plain())
    with pytest.raises(OpError) as info:
        await mail_ops.mail_reply(host.as_("anna"), req.MailReply(thread=tid, text="x"))
    assert info.value.code == "send_failed"
    thread = await store.get_thread(host.db, tid)
    assert thread is not None and thread.status == "open" and thread.count == 1


async def test_answered_without_reply(host: Host) -> None:
    tid = await incoming(host, plain())
    await mail_ops.mail_answered(host.as_("anna"), req.MailAnswered(thread=tid))
    answered = await mail_ops.mail_threads(host.as_("anna"), req.MailThreads(filter="answered"))
    assert [t["thread"] for t in answered["threads"]] == [tid]
    assert (await audit.entries(host.db, 1))[0].action == "mail.answered"


async def test_do_not_retain_deletes_content_keeps_counts(host: Host) -> None:
    tid = await incoming(host, plain(subject="Weg ermee", body="geheim", msgid="<f1@x>"))
    await incoming(host, plain(subject="Re: Weg ermee", msgid="<f2@x>", In_Reply_To="<f1@x>"))
    await mail_ops.mail_forget(host.as_("anna"), req.MailForget(thread=tid))
    thread = await store.get_thread(host.db, tid)
    assert thread is not None and thread.status == "forgotten"
    assert (thread.sender, thread.subject, thread.sender_name) == (None, None, None)
    assert thread.count == 2 and thread.created_at is not None and thread.forgotten_at
    messages = await store.thread_messages(host.db, tid)
    assert [m.body for m in messages] == [None, None] and all(m.headers == {} for m in messages)
    assert (await audit.entries(host.db, 1))[0].action == "mail.forget"
    opened = await mail_ops.mail_thread(host.as_("anna"), req.MailThread(thread=tid))
    assert all(m["text"] is None for m in opened["messages"])
    with pytest.raises(OpError) as info:
        await mail_ops.mail_reply(host.as_("anna"), req.MailReply(thread=tid, text="x"))
    assert info.value.code == "forgotten"
    # A later mail naming the forgotten one starts afresh: nothing links it back.
    new = await incoming(host, plain(subject="Re: Weg ermee", msgid="<f3@x>", In_Reply_To="<f1@x>"))
    assert new != tid
    raw = b"".join(p.read_bytes() for p in host.db.path.parent.glob("console1712.db*"))
    assert b"geheim" not in raw


async def test_purge_after_six_months(host: Host) -> None:
    old = await incoming(host, plain(subject="oud", msgid="<old@x>"))
    host.clock.advance(100 * 86400)
    recent = await incoming(host, plain(subject="recent", msgid="<new@x>", sender="b@example.org"))
    host.clock.advance(84 * 86400)  # old: 184 days, recent: 84 days
    assert await store.purge_mail(host.db, host.clock) == 1
    assert await store.get_thread(host.db, old) is None
    assert await store.get_thread(host.db, recent) is not None
    assert await store.purge_mail(host.db, host.clock) == 0
    host.clock.advance(100 * 86400)
    assert await store.purge_mail(host.db, host.clock) == 1
    assert await store.counts(host.db) == {"messages": 0}


async def test_bad_fields_are_bad_requests(host: Host) -> None:
    from console1712.protocol.frames import BadRequest
    from console1712.protocol.operations import decode_request

    tid = await incoming(host, plain())
    with pytest.raises(BadRequest):
        decode_request({"type": "mail_threads", "filter": "everything"})
    with pytest.raises(BadRequest):
        decode_request({"type": "mail_reply", "thread": tid, "text": ""})
    with pytest.raises(BadRequest):
        decode_request({"type": "mail_thread", "thread": 5})


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
async def test_smarthost_login_is_used(host: Host) -> None:
    from aiosmtpd.smtp import AuthResult, LoginPassword

    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                      data: Any) -> AuthResult:  # fmt: skip
        assert isinstance(data, LoginPassword)
        logins.append((data.login, data.password))
        return AuthResult(success=data.password == b"geheim")

    handler = Sink()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(
            handler,
            authenticator=authenticator,
            auth_require_tls=False,
            auth_required=True,
        ),
        "127.0.0.1",
        0,
    )
    try:
        port = server.sockets[0].getsockname()[1]
        host.settings.smarthost = f"127.0.0.1:{port}"
        host.settings.smarthost_starttls = False
        host.settings.smarthost_user = "relay"
        host.settings.smarthost_password = "geheim"
        tid = await incoming(host, plain())
        answer = await mail_ops.mail_reply(host.as_("anna"), req.MailReply(thread=tid, text="Dag"))
        assert answer["delivery"] == "smarthost"
        assert logins == [(b"relay", b"geheim")] and len(handler.received) == 1
    finally:
        server.close()
