"""Sending a counsellor's reply: through the smarthost (aiosmtplib), or sealed into the outbox.

Only a counsellor's explicit reply ever leaves here: no auto-replies, no receipts (an
abuser may read the writer's mailbox).
"""

from __future__ import annotations

import email
import email.utils
import logging
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from pathlib import Path

import aiosmtplib

from console1712.config import Settings
from console1712.domain.mailthreads import reply_subject
from console1712.domain.text import one_line
from console1712.domain.vocabulary import BRUSSELS
from console1712.store.crypto import KeyRing
from console1712.store.mail import seal_outbox

log = logging.getLogger("console1712.mail")

MAX_REFERENCES = 20
SEND_TIMEOUT = 30.0


class SendError(Exception):
    """The reply could not be handed to the smarthost (nothing was stored).

    `reason` is "tls" when the smarthost's certificate did not verify, else "refused".
    """

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def tls_context(settings: Settings) -> ssl.SSLContext:
    """Verifying TLS for the smarthost: the system's CAs, or only `smarthost_cafile` if set."""
    cafile = settings.smarthost_cafile
    return ssl.create_default_context(cafile=str(cafile) if cafile is not None else None)


def _is_tls_failure(exc: BaseException) -> bool:
    # aiosmtplib may wrap the ssl error; look down the chain of causes.
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


@dataclass(frozen=True)
class Original:
    """What a reply needs of the mail it answers."""

    sender: str  # where the answer goes (Reply-To or From)
    sender_name: str
    subject: str
    message_id: str | None
    references: list[str]
    received: datetime
    text: str


def helpline_address(settings: Settings) -> str:
    _, addr = email.utils.parseaddr(settings.mail_from)
    return addr or settings.mail_addresses[0]


def quote(original: Original, lang: str = "nl") -> str:
    """The original text quoted with '> ', under an attribution line."""
    when = original.received.astimezone(BRUSSELS).strftime("%d-%m-%Y %H:%M")
    who = one_line(original.sender_name or original.sender)
    head = f"Op {when} schreef {who}:" if lang == "nl" else f"On {when}, {who} wrote:"
    lines = original.text.splitlines() or [""]
    return head + "\n" + "\n".join(">" + (" " + line if line else "") for line in lines)


def build_reply(settings: Settings, original: Original, text: str, now: datetime) -> EmailMessage:
    """The reply as a MIME message: plain text, our text above the quoted original."""
    msg = EmailMessage()
    sender = helpline_address(settings)
    domain = sender.rpartition("@")[2] or "1712.local"
    msg["From"] = settings.mail_from
    msg["To"] = original.sender
    msg["Subject"] = reply_subject(one_line(original.subject))
    msg["Date"] = email.utils.format_datetime(now)
    msg["Message-ID"] = email.utils.make_msgid(domain=domain)
    if original.message_id:
        msg["In-Reply-To"] = f"<{original.message_id}>"
        refs = [*original.references, original.message_id][-MAX_REFERENCES:]
        msg["References"] = " ".join(f"<{r}>" for r in refs)
    # Tell mail robots this is not an automatic answer... and not to answer it automatically.
    msg["Auto-Submitted"] = "no"
    msg["X-Auto-Response-Suppress"] = "All"
    body = text.rstrip() + "\n\n" + quote(original) + "\n"
    msg.set_content(body, charset="utf-8")
    return msg


def message_id_of(msg: EmailMessage) -> str:
    return str(msg["Message-ID"]).strip().strip("<>")


async def deliver(settings: Settings, msg: EmailMessage, keys: KeyRing) -> str:
    """Send through the smarthost, or seal into the outbox; returns 'smarthost' or 'outbox'."""
    if settings.smarthost:
        await send_smarthost(settings, msg)
        log.info("mail reply sent via smarthost")
        return "smarthost"
    write_outbox(settings.outbox_path, msg, keys)
    log.info("mail reply written to the outbox (sealed)")
    return "outbox"


async def send_smarthost(settings: Settings, msg: EmailMessage | bytes) -> None:
    """Hand one message to the smarthost (To and From from its headers); SendError if refused."""
    if isinstance(msg, bytes):
        parsed = email.message_from_bytes(msg, _class=EmailMessage, policy=SMTP_POLICY)
        assert isinstance(parsed, EmailMessage)
        msg = parsed
    host, _, port = settings.smarthost.rpartition(":")
    try:
        await aiosmtplib.send(
            msg,
            hostname=host,
            port=int(port),
            start_tls=settings.smarthost_starttls,
            tls_context=tls_context(settings) if settings.smarthost_starttls else None,
            username=settings.smarthost_user or None,
            password=settings.smarthost_password or None,
            timeout=SEND_TIMEOUT,
        )
    except (aiosmtplib.SMTPException, OSError) as exc:
        if _is_tls_failure(exc):
            log.warning("mail not sent: smarthost certificate did not verify")
            raise SendError("tls", "smarthost certificate did not verify") from None
        log.warning("mail not sent: smarthost refused (%s)", type(exc).__name__)
        raise SendError("refused", type(exc).__name__) from None


def write_outbox(folder: Path, msg: EmailMessage, keys: KeyRing) -> Path:
    """Seal the message into the outbox folder (it names the writer and quotes their mail)."""
    return seal_outbox(keys, folder, message_id_of(msg), msg.as_bytes(policy=SMTP_POLICY))
