"""Replies through a smarthost that requires STARTTLS (real aiosmtpd, a certificate made
here): a trusted certificate delivers; one that does not verify sends and stores nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import ipaddress
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiosmtpd.smtp import SMTP
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from console1712.domain.mailparse import parse_mail
from console1712.protocol import operations as req
from console1712.relay.operations import OpError
from console1712.relay.operations import mail as mail_ops
from console1712.store import mail as store

from .conftest import Host, plain
from .test_ops import Sink


def self_signed(folder: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (and localhost); returns (cert, key) paths."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / f"{name}.pem", folder / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class TlsSink:
    handler: Sink
    cert: Path
    tls_seen: list[bool]


@pytest.fixture
async def tls_sink(host: Host, tmp_path: Path) -> AsyncIterator[TlsSink]:
    cert, key = self_signed(tmp_path, "smarthost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler = Sink()
    tls_seen: list[bool] = []

    class Recording(SMTP):
        async def smtp_DATA(self, arg: str) -> None:
            tls_seen.append(self._tls_protocol is not None)
            await super().smtp_DATA(arg)

    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: Recording(handler, tls_context=context, require_starttls=True),
        "127.0.0.1",
        0,
    )
    host.settings.smarthost = f"127.0.0.1:{server.sockets[0].getsockname()[1]}"
    host.settings.smarthost_starttls = True
    try:
        yield TlsSink(handler, cert, tls_seen)
    finally:
        server.close()


async def incoming(host: Host) -> str:
    msg = plain(subject="Vraag", msgid="<tls@example.org>")
    stored = await store.store_incoming(host.db, parse_mail(msg.as_bytes()), host.clock.now(), None)
    return stored.thread


async def test_trusted_certificate_delivers_over_starttls(host: Host, tls_sink: TlsSink) -> None:
    host.settings.smarthost_cafile = tls_sink.cert
    tid = await incoming(host)
    answer = await mail_ops.mail_reply(
        host.as_("anna"), req.MailReply(thread=tid, text="Wij helpen.")
    )
    assert answer["delivery"] == "smarthost" and answer["status"] == "answered"
    (env,) = tls_sink.handler.received
    assert tls_sink.tls_seen == [True]  # the mail crossed the encrypted channel
    sent = email.message_from_bytes(env.content, policy=email.policy.default)
    assert sent["To"] == "writer@example.org" and sent["In-Reply-To"] == "<tls@example.org>"
    assert "Wij helpen." in sent.get_content()
    thread = await store.get_thread(host.db, tid)
    assert thread is not None and thread.count == 2


async def test_untrusted_certificate_sends_and_stores_nothing(
    host: Host, tls_sink: TlsSink, tmp_path: Path
) -> None:
    other, _ = self_signed(tmp_path, "someone-else")  # a CA that did not sign the smarthost's
    tid = await incoming(host)
    for cafile in (None, other):  # the system's CAs, then the wrong private CA
        host.settings.smarthost_cafile = cafile
        with pytest.raises(OpError) as info:
            await mail_ops.mail_reply(
                host.as_("anna"), req.MailReply(thread=tid, text="Wij helpen.")
            )
        assert info.value.code == "send_failed" and info.value.extra == {"reason": "tls"}
        assert "certificate" in info.value.detail
    assert tls_sink.handler.received == []
    thread = await store.get_thread(host.db, tid)
    assert thread is not None and thread.status == "open" and thread.count == 1
    assert thread.claimed_by is None
    assert [m.direction for m in await store.thread_messages(host.db, tid)] == ["in"]
    assert not host.settings.outbox_path.exists()
