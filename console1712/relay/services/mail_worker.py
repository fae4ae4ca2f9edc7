"""Mail parsing in a child process with a time limit: hostile mail cannot stall the relay.

The standard library's parsers are quadratic on some input (150 KB of `"<a" * n` HTML took
10 s), and in threads that work filled the default pool that password logins use. Here each
mail is parsed by `python -m console1712.relay.services.mail_worker_child` (a fresh
process: it can be killed, and shares no pool or GIL with the relay), at most
`mail_parse_workers` at once, each cut off after `mail_parse_timeout` seconds. A cut parse
is tried once more without the HTML parser; if that fails too, the mail is stored unread
(flagged), never dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys

from console1712.config import Settings
from console1712.domain.mailparse import Attachment, ParsedMail, from_json

log = logging.getLogger("console1712.mail")

WORKER = "console1712.relay.services.mail_worker_child"


class ParserClosed(Exception):
    """The relay is stopping: the mail was not parsed (answer 421, the sender retries)."""


class MailParser:
    """Parses raw mail in child processes: bounded in number and in time."""

    def __init__(self, timeout: float, html_max_chars: int, workers: int) -> None:
        self.timeout = timeout
        self.html_max_chars = html_max_chars
        self._slots = asyncio.Semaphore(workers)
        self._running: set[asyncio.subprocess.Process] = set()
        self.cut = 0  # parses cut off at the time limit (tests, benchmarks)
        self.closed = False

    @classmethod
    def from_settings(cls, settings: Settings) -> MailParser:
        return cls(
            settings.mail_parse_timeout, settings.mail_html_max_chars, settings.mail_parse_workers
        )

    @property
    def running(self) -> int:
        """Worker processes alive right now."""
        return len(self._running)

    async def parse(self, raw: bytes) -> ParsedMail:
        """What could be read of `raw`, within the limits; never raises on bad input.

        ParserClosed once `aclose` was called (the relay is stopping).
        """
        async with self._slots:
            parsed = await self._run(raw, self.html_max_chars)
            if parsed is None and self.html_max_chars > 0:
                # Cut off: most likely the HTML parser; try again with tags stripped linearly.
                parsed = await self._run(raw, 0)
                if parsed is not None:
                    parsed.flags.add("parse_timeout")
        return parsed if parsed is not None else unread(raw)

    async def _run(self, raw: bytes, html_max_chars: int) -> ParsedMail | None:
        """One parse in a child process; None when it ran out of time."""
        if self.closed:
            raise ParserClosed
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            WORKER,
            str(html_max_chars),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        self._running.add(proc)
        try:
            if self.closed:  # closed while the process started
                raise ParserClosed
            out, _ = await asyncio.wait_for(proc.communicate(raw), self.timeout)
        except TimeoutError:
            self.cut += 1
            log.warning("mail parse cut off after %s s", self.timeout)
            return None
        finally:
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                # Shielded: a cancelled caller still leaves no zombie behind.
                with contextlib.suppress(Exception):
                    await asyncio.shield(proc.wait())
            self._running.discard(proc)
        if self.closed:  # killed by aclose: not the mail's fault
            raise ParserClosed
        if proc.returncode != 0:
            log.warning("mail parse worker failed (exit %s)", proc.returncode)
            return _failed(raw)
        try:
            return from_json(json.loads(out))
        except (ValueError, KeyError, TypeError):
            return _failed(raw)

    async def aclose(self) -> None:
        """Start no more workers; kill those running and wait for them (the relay stops)."""
        self.closed = True
        while self._running:
            procs = list(self._running)
            for proc in procs:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
            await asyncio.gather(*(proc.wait() for proc in procs), return_exceptions=True)
            self._running.difference_update(procs)


def _failed(raw: bytes) -> ParsedMail:
    parsed = unread(raw)
    parsed.flags.discard("parse_timeout")
    return parsed


def unread(raw: bytes) -> ParsedMail:
    """A mail nothing could be read of in time: kept (flagged), the whole listed as attachment."""
    return ParsedMail(
        size=len(raw),
        attachments=[Attachment("bericht.eml", "message/rfc822", len(raw))],
        flags={"unreadable", "parse_timeout", "no_from", "no_text", "no_message_id"},
    )
