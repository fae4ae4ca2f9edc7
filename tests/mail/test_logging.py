"""The relay process's whole stderr log names no mail sender, peer, message text or nickname.

A real `console1712 relay` process gets mail from a real SMTP client (one accepted, one
refused recipient, a bogus command) and a chat between a real chatter and counsellor;
then its stderr is searched for what was in them.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import smtplib
import socket
import subprocess
import sys
from pathlib import Path

from websockets.asyncio.client import connect

from console1712.clock import Clock
from console1712.store import accounts
from tests.e2e.test_relay_restart import PASSWORD, RelayProcess, make_counsellor
from tests.relay.helpers import recv_type, request, send

from .conftest import HELP, plain

SENDER = "zxq.sender.4711@example.org"
BODY = "Mijn geheim ZXQ-BODY-4711"
SUBJECT = "ZXQ-SUBJ-4711"
NICKNAME = "ZxqNick4711"
CHAT_TEXT = "ZXQ-CHAT-4711 ik ben bang"
REPLY_TEXT = "ZXQ-REPLY-4711 ik luister"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MailRelayProcess(RelayProcess):
    """The relay process with its SMTP listener on a known port (it does not log that one)."""

    smtp_port = 0

    def _spawn(self) -> None:
        self.smtp_port = free_port()
        self.log.write_bytes(b"")
        err = self.log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from console1712.cli import entry; entry()", "relay",
             "--data", str(self.data), "--port", "0", "--always-open",
             "--smtp-port", str(self.smtp_port)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
            env={k: v for k, v in os.environ.items() if not k.startswith("CONSOLE1712_")},
        )  # fmt: skip
        err.close()


def send_mail(port: int) -> int:
    """A mail, a refused recipient and a bogus command; returns the client's own port."""
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.docmd("XYZZY", SENDER)  # aiosmtpd warns about unknown commands, with the peer
        with_refused = [HELP, "nobody.zxq@1712.local"]
        client.sendmail(
            SENDER, with_refused, plain(subject=SUBJECT, body=BODY, sender=SENDER).as_bytes()
        )
        return int(client.sock.getsockname()[1])


async def test_the_relay_log_names_no_sender_peer_text_or_nickname(tmp_path: Path) -> None:
    rp = MailRelayProcess(tmp_path / "data", tmp_path / "relay.log")
    secret = await make_counsellor(rp)
    await rp.start()
    try:
        mail_port = await asyncio.to_thread(send_mail, rp.smtp_port)
        login = {"type": "login", "user": "anna", "password": PASSWORD,
                 "otp": accounts.totp_code(secret, Clock().now())}  # fmt: skip
        async with connect(rp.url("/console")) as sw, connect(rp.url("/chat")) as cw:
            await request(sw, login, "session")
            await recv_type(cw, "welcome")
            queued = await request(
                cw, {"type": "start", "consent": True, "nickname": NICKNAME}, "queued"
            )
            chat = queued["chat"]
            await request(sw, {"type": "accept", "chat": chat}, "assigned")
            await request(cw, {"type": "say", "id": "c1", "text": CHAT_TEXT}, "ack")
            await send(sw, {"type": "say", "chat": chat, "id": "s1", "text": REPLY_TEXT})
            await recv_type(cw, "message")
            await request(sw, {"type": "mail_threads"}, "mail_threads")
            peers = [cw.local_address[1], sw.local_address[1], mail_port]
        assert await rp.kill(signal.SIGTERM) == 0
    finally:
        if rp.proc is not None and rp.proc.poll() is None:
            rp.proc.kill()
            rp.proc.wait()
    log = rp.log.read_text()
    assert "mail stored" in log and "accept chat=" in log  # the events are there
    for secret_text in (SENDER, "zxq", "ZXQ", BODY, SUBJECT, NICKNAME, CHAT_TEXT, REPLY_TEXT):
        assert secret_text.lower() not in log.lower(), secret_text
    assert not re.search(r"\('127\.0\.0\.1', \d+\)", log), log
    for port in peers:
        assert f"127.0.0.1:{port}" not in log and f"', {port})" not in log, port
