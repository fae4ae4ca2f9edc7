"""Sample mail for the demo: a few plausible Dutch mails, one of them already overdue."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from console1712.clock import Clock
from console1712.domain.mailparse import parse_mail
from console1712.store import mail
from console1712.store.db import Database

# (sender name, sender address, subject, body, hours ago)
SAMPLES: tuple[tuple[str, str, str, str, int], ...] = (
    (
        "Mieke",
        "mieke.demo@example.org",
        "Vraag over mijn buurjongen",
        "Hallo,\n\nIk hoor bijna elke avond geroep bij de buren en de jongen van 9 jaar "
        "lijkt bang als hij buiten speelt. Ik weet niet of ik iets moet doen of wat ik "
        "kan doen zonder het erger te maken.\n\nAlvast bedankt,\nMieke",
        2,
    ),
    (
        "",
        "anoniem.demo@example.org",
        "Ik weet niet bij wie ik terecht kan",
        "Mijn vriend controleert mijn gsm en wordt boos als ik met vriendinnen afspreek. "
        "Vorige week heeft hij me hard vastgegrepen. Is dit al geweld? Ik wil niet dat "
        "hij dit mailadres ziet, antwoord alsjeblieft niet te snel na 18 uur.",
        30,
    ),
    (
        "Jan",
        "jan.demo@example.org",
        "Oma en de thuishulp",
        "Goedendag,\n\nMijn grootmoeder (84) vertelt dat de thuishulp geld uit haar "
        "portefeuille neemt en haar uitscheldt. Ze durft niets te zeggen. Wat kunnen we "
        "doen?\n\nMet vriendelijke groet,\nJan",
        80,
    ),
)


def sample_raw(
    name: str, address: str, subject: str, body: str, sent_hours_ago: int, clock: Clock
) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"{name} <{address}>" if name else address
    msg["To"] = "hulp@1712.local"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(clock.now() - timedelta(hours=sent_hours_ago))
    msg["Message-ID"] = make_msgid(domain="example.org")
    msg.set_content(body)
    return bytes(msg)


async def add_sample_mail(db: Database, clock: Clock) -> int:
    """Store the sample mails as if they arrived over the last days; returns how many."""
    for name, address, subject, body, hours in SAMPLES:
        raw = sample_raw(name, address, subject, body, hours, clock)
        await mail.store_incoming(db, parse_mail(raw), clock.now() - timedelta(hours=hours), None)
    return len(SAMPLES)
