"""SMTP intake: real mails sent with smtplib to the listener on a loopback port."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.policy import SMTP

import pytest

from console1712.relay.services.smtp import MailIntake
from console1712.store import mail as store

from .conftest import HELP, TEAM, Host, plain, send

SECRET_BODY = "Mijn oom slaat mij elke zaterdag ZXQ-BODY-4711"
SECRET_SUBJECT = "Geheim onderwerp ZXQ-SUBJ-4711"
SECRET_ADDR = "zxq.addr.4711@example.org"


async def only_thread(host: Host) -> store.MailThread:
    threads = await store.list_threads(host.db, host.clock.now(), "all")
    assert len(threads) == 1
    return threads[0]


async def test_plain_mail_is_stored_sealed_and_pushed(host: Host, intake: MailIntake) -> None:
    assert intake.port
    await send(
        intake.port,
        plain(subject=SECRET_SUBJECT, body=SECRET_BODY, sender=f"Sam <{SECRET_ADDR}>"),
        sender=SECRET_ADDR,
    )
    thread = await only_thread(host)
    assert thread.subject == SECRET_SUBJECT
    assert thread.sender == SECRET_ADDR
    assert thread.team is None  # the general address: unassigned pool
    assert thread.status == "open" and thread.due_at is not None
    (msg,) = await store.thread_messages(host.db, thread.id)
    assert SECRET_BODY in (msg.body or "")
    frames = [f for f, _ in host.pushed if f["type"] == "mail_new"]
    assert frames == [
        {
            "type": "mail_new",
            "thread": thread.id,
            "team": None,
            "due_at": "2026-11-30T14:00:00Z",
            "new_thread": True,
        }
    ]
    # No content in the push, and none of it in plain text in any database file.
    assert SECRET_ADDR not in str(frames)
    await host.db.close()
    for path in host.db.path.parent.glob("console1712.db*"):
        data = path.read_bytes()
        for secret in (SECRET_BODY, SECRET_SUBJECT, SECRET_ADDR, "ZXQ"):
            assert secret.encode() not in data, (path.name, secret)


async def test_team_address_gives_the_thread_to_that_team(host: Host, intake: MailIntake) -> None:
    assert intake.port
    msg = plain()
    msg.replace_header("To", TEAM)
    await send(intake.port, msg, to=[TEAM])
    assert (await only_thread(host)).team == "limburg"


async def test_multipart_html_only_and_latin1(host: Host, intake: MailIntake) -> None:
    assert intake.port
    multi = plain(subject="multi", msgid="<m@x>", body="platte tekst")
    multi.add_alternative("<p>html tekst</p>", subtype="html")
    multi.add_attachment(b"\x89PNG....", maintype="image", subtype="png", filename="foto.png")
    html = EmailMessage()
    html["From"] = "h@example.org"
    html["Subject"] = "html"
    html["Message-ID"] = "<h@x>"
    html.set_content("<div>Alleen <i>html</i></div>", subtype="html")
    latin = (
        b"From: =?iso-8859-1?q?Ren=E9e?= <r@example.be>\r\nTo: hulp@1712.local\r\n"
        b"Subject: =?iso-8859-1?q?Caf=E9?=\r\nMessage-ID: <l@x>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\nM=E9n vader\r\n"
    )
    await send(intake.port, multi)
    await send(intake.port, html, sender="h@example.org")
    await send(intake.port, latin, sender="r@example.be")
    threads = {t.subject: t for t in await store.list_threads(host.db, host.clock.now(), "all")}
    assert set(threads) == {"multi", "html", "Café"}
    (m,) = await store.thread_messages(host.db, threads["multi"].id)
    assert m.body is not None and m.body.strip() == "platte tekst"
    assert m.attachments == [{"name": "foto.png", "type": "image/png", "size": 8}]
    (h,) = await store.thread_messages(host.db, threads["html"].id)
    assert h.body == "Alleen html" and h.headers["html_only"] is True
    (lat,) = await store.thread_messages(host.db, threads["Café"].id)
    assert threads["Café"].sender_name == "Renée"
    assert lat.body is not None and lat.body.strip() == "Mén vader"


async def test_reply_chain_joins_one_thread(host: Host, intake: MailIntake) -> None:
    assert intake.port
    await send(intake.port, plain(subject="Vraag", msgid="<r1@x>"))
    await send(intake.port, plain(subject="Re: Vraag", msgid="<r2@x>", In_Reply_To="<r1@x>"))
    await send(
        intake.port,
        plain(
            subject="nieuw onderwerp",
            msgid="<r3@x>",
            References="<r1@x> <r2@x>",
            In_Reply_To="<r2@x>",
        ),
    )
    thread = await only_thread(host)
    assert thread.count == 3
    assert thread.subject == "nieuw onderwerp"  # the latest mail's subject is shown


async def test_broken_mime_is_stored_with_a_flag(host: Host, intake: MailIntake) -> None:
    assert intake.port
    broken = (
        b"From: b@example.org\r\nTo: hulp@1712.local\r\nSubject: kapot\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\n'
        b"Content-Type: text/plain; charset=nonsense-charset\r\n\r\nwat leesbaar is\r\n"
        b"--B\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@@\r\n"
    )
    await send(intake.port, broken, sender="b@example.org")
    thread = await only_thread(host)
    (m,) = await store.thread_messages(host.db, thread.id)
    assert "wat leesbaar is" in (m.body or "")
    assert "unknown_charset" in m.flags and "broken_mime" in m.flags


async def test_oversized_mail_is_refused_552(host: Host, intake: MailIntake) -> None:
    assert intake.port
    big = plain(body="x" * 250_000)
    with pytest.raises(smtplib.SMTPException) as info:
        await send(intake.port, big)
    code = getattr(info.value, "smtp_code", None) or info.value.args[0]
    if isinstance(code, dict):  # SMTPRecipientsRefused carries {rcpt: (code, msg)}
        code = next(iter(code.values()))[0]
    assert code == 552
    assert await store.list_threads(host.db, host.clock.now(), "all") == []


async def test_wrong_recipient_is_refused_550(host: Host, intake: MailIntake) -> None:
    assert intake.port
    with pytest.raises(smtplib.SMTPRecipientsRefused) as info:
        await send(intake.port, plain(), to=["iemand@elders.example"])
    assert info.value.recipients["iemand@elders.example"][0] == 550
    # With one good and one bad recipient the mail is taken for the good one only.
    await send(intake.port, plain(msgid="<ok@x>"), to=["iemand@elders.example", HELP])
    assert (await only_thread(host)).count == 1
    assert intake.handler.refused == 2


async def test_listener_off_when_smtp_is_false(host: Host) -> None:
    from console1712.relay.services.smtp import smtp_service

    host.settings.smtp = False
    assert smtp_service(host) is None
    host.settings.smtp = True
    assert isinstance(smtp_service(host), MailIntake)


def _data_without_size(port: int, data: bytes) -> int:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.ehlo()
        client.mail("w@example.org")  # no SIZE= announced: the limit must hold at DATA
        client.rcpt(HELP)
        code, _ = client.data(data)
        return code


async def test_oversized_data_without_size_announcement_is_552(
    host: Host, intake: MailIntake
) -> None:
    import asyncio

    assert intake.port
    data = plain(body="y" * 250_000).as_bytes(policy=SMTP)
    code = await asyncio.to_thread(_data_without_size, intake.port, data)
    assert code == 552
    assert await store.list_threads(host.db, host.clock.now(), "all") == []
