"""`console1712 chatter`: a line-based anonymous chatter, interactive or playing a script.

Prints what arrives in Dutch (English with --lang en in the settings), sends each typed
line as a message, `/leave` ends the chat, `/drop` breaks the connection to try a resume.
Exit status: 0 when the chat ended (or the script passed), 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import threading
from pathlib import Path
from typing import Any, TextIO

from console1712.client.chatter import (
    ChatterClient,
    ChatterError,
    ClientEvent,
    Closed,
    ConnectFailed,
    Dropped,
    Lost,
)
from console1712.clock import from_rfc3339
from console1712.config import Settings
from console1712.domain.text import strip_controls
from console1712.domain.vocabulary import BRUSSELS
from console1712.i18n import t
from console1712.protocol import events as ev

DAYS = {
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTHS = {
    "nl": (
        "januari februari maart april mei juni juli augustus september oktober november december"
    ).split(),
    "en": (
        "January February March April May June July August September October November December"
    ).split(),
}


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Entry point of the command (see module docstring)."""
    intake: dict[str, Any] = {
        "nickname": args.nickname,
        "age": args.age,
        "gender": args.gender,
        "region": args.region,
    }
    if args.script:
        return asyncio.run(play_script(settings.chat_url, Path(args.script), settings.lang))
    return asyncio.run(chat(settings.chat_url, intake, settings.lang))


# -- showing what arrives --------------------------------------------------------------------


def local_time(at: str | None, lang: str, *, long: bool = False) -> str:
    """An RFC 3339 time as Brussels wall-clock time: "14:03" or "donderdag 26 november 13:00"."""
    if not at:
        return ""
    try:
        when = from_rfc3339(at).astimezone(BRUSSELS)
    except ValueError:
        return strip_controls(at)
    if not long:
        return when.strftime("%H:%M")
    day = DAYS.get(lang, DAYS["nl"])[when.weekday()]
    month = MONTHS.get(lang, MONTHS["nl"])[when.month - 1]
    return f"{day} {when.day} {month} {when:%H:%M}"


class Printer:
    """Turns events into human-readable lines (remote text without control characters)."""

    def __init__(self, lang: str = "nl", out: TextIO | None = None) -> None:
        self.lang = lang
        self.out = out or sys.stdout
        self.counsellor: str | None = None

    def line(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def text(self, key: str, **kw: object) -> None:
        self.line(t(key, self.lang, **kw))

    def alternatives(self, alternatives: list[ev.Alternative] | None) -> None:
        if not alternatives:
            return
        self.text("chatter.alternatives")
        for alt in alternatives:
            self.text("chatter.alternative", label=_clean(alt.label), contact=_clean(alt.contact))

    def show(self, frame: ClientEvent) -> None:
        """Print one event, if it is worth a line."""
        name = self.counsellor or t("chatter.counsellor", self.lang)
        match frame:
            case ev.Welcome():
                self.text("chatter.welcome_open" if frame.open else "chatter.welcome_closed")
                if not frame.open:
                    self._next_open(frame.next_open)
                    self.alternatives(frame.alternatives)
            case ev.Queued():
                self.text("chatter.queued", position=frame.position)
                self.text("chatter.hint")
            case ev.Position():
                self.text("chatter.queue", position=frame.position)
            case ev.Requeued():  # the counsellor is gone: another one takes over
                self.counsellor = None
                self.text("chatter.requeued", position=_clean(frame.position))
            case ev.Joined():
                self.counsellor = _clean(frame.counsellor) or None
                self.text("chatter.joined", counsellor=self.counsellor or name)
            case ev.Message():
                self.text(
                    "chatter.message",
                    time=local_time(frame.at, self.lang),
                    counsellor=name,
                    text=_clean(frame.text),
                )
            case ev.Typing():
                self.text("chatter.typing", counsellor=name)
            case ev.Ack():
                self.text("chatter.acked", seq=frame.seq)
            case ev.Ended():
                by = frame.by
                self.text(
                    f"chatter.ended.{by}"
                    if by in ("chatter", "counsellor")
                    else "chatter.ended.other"
                )
            case Dropped():
                self.text("chatter.dropped")
            case ev.Resumed():
                if frame.counsellor:
                    self.counsellor = _clean(frame.counsellor)
                self.text("chatter.resumed")
                if frame.position:
                    self.text("chatter.queue", position=frame.position)
            case Lost():
                self.text("chatter.lost")
            case Closed():
                self.text("chatter.closed")
            case ev.Error():
                self._error(frame)

    def _next_open(self, next_open: str | None) -> None:
        if next_open:
            self.text("chatter.next_open", when=local_time(next_open, self.lang, long=True))

    def _error(self, frame: ev.Error) -> None:
        code = frame.code
        if code == "closed":
            self.text("chatter.welcome_closed")
            self._next_open(frame.next_open)
            self.alternatives(frame.alternatives)
        elif code == "blocked":
            self.text("chatter.blocked", until=local_time(frame.until, self.lang, long=True))
            self.alternatives(frame.alternatives)
        elif code == "rate_limited":
            retry = 1 if frame.retry_after is None else frame.retry_after
            self.text("chatter.rate_limited", seconds=retry)
        elif code == "expired":
            self.text("chatter.lost")
        else:
            self.text("chatter.error", code=_clean(code), detail=_clean(frame.detail))


def _clean(value: object) -> str:
    """Remote values are data: no control characters reach the terminal."""
    return "" if value is None else strip_controls(str(value))


# -- interactive chat ------------------------------------------------------------------------


def _stdin_lines(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None]) -> None:
    """Read stdin in a daemon thread (never blocks the loop, never blocks exiting)."""

    def reader() -> None:
        for raw in sys.stdin:
            line = raw.rstrip("\r\n")
            loop.call_soon_threadsafe(queue.put_nowait, line)
        loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=reader, name="chatter-stdin", daemon=True).start()


async def chat(url: str, intake: dict[str, Any], lang: str = "nl") -> int:
    """The interactive chatter: returns the exit status."""
    printer = Printer(lang)
    client = ChatterClient(url)
    try:
        welcome = await client.connect()
    except ConnectFailed as exc:
        print(
            "console1712: " + t("chatter.connect_failed", lang, url=url, reason=exc.detail),
            file=sys.stderr,
        )
        return 1
    printer.show(welcome)
    try:
        queued = await client.start(consent=True, **intake)
    except ChatterError as exc:
        # The welcome already said the chat is closed, with the next opening and alternatives.
        if not (exc.code == "closed" and not welcome.open):
            printer.show(exc.frame or ev.Error(code=exc.code, detail=exc.detail))
        await client.close()
        return 1
    printer.text("chatter.consent")
    printer.show(queued)

    lines: asyncio.Queue[str | None] = asyncio.Queue()
    _stdin_lines(asyncio.get_running_loop(), lines)
    typed = asyncio.create_task(_send_typed(client, lines, printer), name="chatter-typed")
    try:
        return await _show_events(client, printer)
    finally:
        typed.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await typed
        await client.close()


async def _show_events(client: ChatterClient, printer: Printer) -> int:
    async for event in client.events():
        if isinstance(event, ev.Queued):
            continue  # shown already, as the answer to start
        printer.show(event)
        if isinstance(event, ev.Ended):
            return 0
    return 1


async def _send_typed(
    client: ChatterClient, lines: asyncio.Queue[str | None], printer: Printer
) -> None:
    sending: set[asyncio.Task[int]] = set()
    while (line := await lines.get()) is not None:
        command = line.strip().lower()
        if command == "/leave":
            with contextlib.suppress(ChatterError):
                await client.leave()
            return
        if command == "/drop":
            await client.drop()
            continue
        if not line.strip():
            continue
        # Each message waits for its own ack; the next line need not wait for it.
        task = asyncio.create_task(client.say(line))
        sending.add(task)
        task.add_done_callback(lambda done: _after_say(done, sending, printer))


def _after_say(task: asyncio.Task[int], sending: set[asyncio.Task[int]], printer: Printer) -> None:
    sending.discard(task)
    if task.cancelled():
        return
    exc = task.exception()
    if isinstance(exc, ChatterError) and exc.code not in ("ended", "closed", "lost"):
        printer.show(exc.frame or ev.Error(code=exc.code, detail=exc.detail))


# -- scripted flows --------------------------------------------------------------------------


async def play_script(url: str, path: Path, lang: str = "nl") -> int:
    """Play a script file against the relay; 0 when every step held, 1 otherwise."""
    from console1712.devtools.script import (
        ScriptRunner,
        ScriptSyntaxError,
        StepFailed,
        parse_script,
    )

    def fail(key: str, **kw: object) -> int:
        print("console1712: " + t(key, lang, file=path, **kw), file=sys.stderr, flush=True)
        return 1

    try:
        # A script is small; reading it before the loop does anything else is fine.
        steps = parse_script(*_chatter_part(path.read_text(encoding="utf-8")))  # noqa: ASYNC240
    except (OSError, UnicodeDecodeError) as exc:
        return fail("script.unreadable", reason=exc)
    except ScriptSyntaxError as exc:
        return fail("script.syntax", line=exc.line, reason=exc.reason)
    printer = Printer(lang)
    client = ChatterClient(url)
    try:
        welcome = await client.connect()
    except ConnectFailed as exc:
        print(
            "console1712: " + t("chatter.connect_failed", lang, url=url, reason=exc.detail),
            file=sys.stderr,
        )
        return 1
    printer.show(welcome)
    runner = ScriptRunner(client, on_event=printer.show, welcome=welcome)
    try:
        count = await runner.run(steps)
    except StepFailed as exc:
        return fail("script.failed", line=exc.step.line, step=exc.step.source, reason=exc.reason)
    finally:
        await runner.client.close()  # `reconnect` may have replaced the first client
    printer.text("script.passed", file=path, count=count)
    return 0


def _chatter_part(text: str) -> tuple[str, int]:
    """A flow file's `[chatter]` section (its first line number); a plain script as it is.

    The counsellor sections are for `console1712 flow`; here a person, the demo's
    simulated counsellors or another process plays the other side.
    """
    from console1712.devtools.script import ScriptSyntaxError
    from console1712.devtools.staffscript import split_sections

    sections = split_sections(text)
    if all(role == "" for role, *_ in sections):
        return text, 1
    for role, _name, first, body in sections:
        if role == "chatter":
            return body, first
    raise ScriptSyntaxError(1, "no [chatter] section")
