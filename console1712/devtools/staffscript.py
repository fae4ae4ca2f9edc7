"""Scripted counsellors: the chatter scripts' line language with staff steps.

Played by the console's own `StaffClient` (login, token reconnect, resend of unacked
messages), so a script exercises the same client code as a person at the console. The
format is documented in docs/chatter-scripts.md ("The counsellor's side").
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Callable

from console1712.client.link import Outgoing
from console1712.client.staff import Frame, Incoming, StaffClient
from console1712.devtools.script import (
    DEFAULT_TIMEOUT,
    ScriptSyntaxError,
    Step,
    StepFailed,
    _is_number,
    _pattern,
    parse_lines,
)
from console1712.domain.text import strip_controls
from console1712.protocol import events as ev
from console1712.protocol import frames as p

STAFF_ACTIONS = ("expect", "accept", "say", "transfer", "block", "end", "drop", "wait")
# What `expect KIND PATTERN` matches PATTERN against, per staff event kind.
STAFF_SUBJECTS: dict[str, str] = {
    "queue": "nickname",  # the waiting chats' nicknames, space-separated (non-empty queue)
    "assigned": "nickname",  # the intake's nickname
    "message": "text",
    "typing": "",
    "presence": "state",
    "ended": "by",
    "released": "chat",
    "error": "code",
}


def parse_staff_script(text: str, first_line: int = 1) -> list[Step]:
    """Parse a counsellor script; raise ScriptSyntaxError on the first bad line."""
    return parse_lines(text, first_line, STAFF_ACTIONS, _parse_step)


def _parse_step(number: int, source: str, action: str, words: list[str]) -> Step:
    if action == "expect":
        if not words:
            raise ScriptSyntaxError(number, "expect needs an event kind")
        kind = words.pop(0).lower()
        if kind not in STAFF_SUBJECTS:
            raise ScriptSyntaxError(
                number, f"unknown event {kind!r} (known: {', '.join(STAFF_SUBJECTS)})"
            )
        timeout = DEFAULT_TIMEOUT
        if words and _is_number(words[-1]):
            timeout = float(words.pop())
        if len(words) > 1:
            raise ScriptSyntaxError(number, 'quote a pattern with spaces: expect message "a b"')
        pattern = _pattern(number, words[0]) if words else None
        return Step(number, source, action, kind=kind, pattern=pattern, timeout=timeout)
    if action == "accept":
        if len(words) > 1:
            raise ScriptSyntaxError(number, "accept takes 'next', a chat id or a nickname")
        target = words[0] if words and words[0].lower() != "next" else ""
        return Step(number, source, action, text=target)
    if action == "transfer":
        if len(words) != 1:
            raise ScriptSyntaxError(number, "transfer needs the login name of a counsellor")
        return Step(number, source, action, text=words[0])
    if action == "block":
        if len(words) < 2 or not words[0].isdigit() or not 1 <= int(words[0]) <= 720:
            raise ScriptSyntaxError(number, "block needs HOURS (1 to 720) and a REASON")
        return Step(number, source, action, seconds=float(words[0]), text=" ".join(words[1:]))
    if action in ("end", "drop", "wait"):
        if len(words) > 1 or (words and not _is_number(words[0])):
            raise ScriptSyntaxError(number, f"{action} takes at most one number of seconds")
        if action == "wait" and not words:
            raise ScriptSyntaxError(number, "wait needs a number of seconds")
        value = float(words[0]) if words else None
        if action == "end":
            return Step(number, source, action, timeout=value or DEFAULT_TIMEOUT)
        return Step(number, source, action, seconds=value or 0.0)
    raise ScriptSyntaxError(number, f"unknown step {action!r}")  # pragma: no cover


def kind_of(frame: Incoming) -> str:
    """The event's `type`."""
    return str(frame.get("type")) if isinstance(frame, dict) else frame.type


def staff_subject(frame: Incoming) -> str:
    """The part of a staff event that an `expect` pattern is matched against."""
    match frame:
        case ev.Queue():
            return " ".join(w.nickname for w in frame.waiting)
        case ev.Assigned():
            return frame.intake.nickname
        case ev.Message():
            return frame.text
        case ev.Presence():
            return frame.state
        case ev.Ended():
            return frame.by
        case ev.Released():
            return frame.chat
        case ev.Error():
            return frame.code
    return ""


def staff_matches(step: Step, frame: Incoming) -> bool:
    if kind_of(frame) != step.kind:
        return False
    if isinstance(frame, ev.Queue) and not frame.waiting:
        return False  # `expect queue` waits for someone to be waiting
    if isinstance(frame, ev.Message) and frame.sender != "chatter":
        return False
    if step.pattern is None:
        return True
    text = staff_subject(frame)
    if isinstance(step.pattern, str):
        return step.pattern.lower() in text.lower()
    return step.pattern.search(text) is not None


def describe(frame: Incoming) -> str:
    """`kind 'subject'` for the timeline and failures; remote text without control chars."""
    kind = kind_of(frame)
    value = strip_controls(staff_subject(frame))
    return f"{kind} {value!r}" if value else kind


class StaffScriptRunner:
    """Plays parsed staff steps through a `StaffClient`; `on_event` sees every frame."""

    def __init__(self, url: str, *, on_event: Callable[[Incoming], None] | None = None) -> None:
        self.client = StaffClient(url, self._on_frame, min_backoff=0.2, max_backoff=2.0)
        self.on_event = on_event
        self.on_step: Callable[[Step], None] | None = None
        self.chat: str | None = None  # the chat that say/transfer/block/end act on
        self.waiting: list[ev.QueueEntry] = []  # the latest queue
        self._buffer: list[Incoming] = []
        self._arrived = asyncio.Event()
        self._acks: dict[tuple[str, str], asyncio.Future[ev.Ack | ev.Error]] = {}

    async def login(self, user: str, password: str, otp: str) -> ev.Session:
        """Log in (raises LoginFailed); returns the session event."""
        return await self.client.login(user, password, otp)

    def _on_frame(self, frame: Incoming) -> None:
        if isinstance(frame, ev.Queue):
            self.waiting = list(frame.waiting)
        elif isinstance(frame, ev.Assigned):
            self.chat = frame.chat
        elif isinstance(frame, ev.Ack | ev.Error) and frame.id is not None:
            future = self._acks.get((str(frame.chat), frame.id))
            if future is None and isinstance(frame, ev.Error):
                # An error may not name the chat: match the id alone.
                future = next((f for (_, i), f in self._acks.items() if i == frame.id), None)
            if future is not None and not future.done():
                future.set_result(frame)
        if self.on_event is not None:
            self.on_event(frame)
        self._buffer.append(frame)
        self._arrived.set()

    async def run(self, steps: list[Step]) -> int:
        """Play every step in order; return how many ran, or raise StepFailed."""
        session = asyncio.create_task(self.client.run(), name="staff-script-session")
        try:
            for step in steps:
                if self.on_step is not None:
                    self.on_step(step)
                await self._play(step)
            await asyncio.sleep(0)
        finally:
            await self.client.close()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(session, 5)
        return len(steps)

    async def close(self) -> None:
        await self.client.close()

    def _current(self, step: Step) -> str:
        if self.chat is None:
            raise StepFailed(step, "no chat: accept one first")
        return self.chat

    async def _play(self, step: Step) -> None:
        if step.action == "expect":
            await self._expect(step)
        elif step.action == "wait":
            await asyncio.sleep(step.seconds)
        elif step.action == "drop":
            await self.client.drop()
        elif step.action == "accept":
            target = self._chat_for(step.text) if step.text else None
            reply = await self._request(step, p.Accept(chat=target), "assigned")
            self.chat = str(reply.get("chat"))
        elif step.action == "say":
            await self._say(step, self._current(step))
        elif step.action == "transfer":
            chat = self._current(step)
            await self._request(step, p.Transfer(chat=chat, to=step.text), "released")
            self.chat = None
        elif step.action == "block":
            chat = self._current(step)
            block = p.BlockChat(chat=chat, hours=int(step.seconds), reason=step.text)
            await self._request(step, block, "ended")
            self.chat = None
        elif step.action == "end":
            chat = self._current(step)
            await self._request(step, p.End(chat=chat), "ended")
            self.chat = None

    def _chat_for(self, target: str) -> str:
        """A nickname in the latest queue stands for its chat; anything else is a chat id."""
        for entry in self.waiting:
            if entry.nickname.lower() == target.lower():
                return entry.chat
        return target

    async def _request(self, step: Step, frame: Outgoing, answer: str) -> Frame:
        reply = await self.client.request(frame, wait=step.timeout)
        if reply is None:
            raise StepFailed(step, f"no answer within {step.timeout:g} s")
        if reply.get("type") == "error":
            raise StepFailed(step, f"refused: {reply.get('code')}")
        if reply.get("type") != answer:
            raise StepFailed(step, f"got {describe(reply)} instead of {answer}")
        return reply

    async def _say(self, step: Step, chat: str) -> None:
        msg_id = self.client.new_id()
        future: asyncio.Future[ev.Ack | ev.Error] = asyncio.get_running_loop().create_future()
        self._acks[(chat, msg_id)] = future
        try:
            # While the link is down the client keeps the message and re-sends it.
            await self.client.say(chat, step.text, msg_id)
            reply = await asyncio.wait_for(future, step.timeout)
        except TimeoutError:
            raise StepFailed(step, f"no ack within {step.timeout:g} s") from None
        finally:
            self._acks.pop((chat, msg_id), None)
        if isinstance(reply, ev.Error):
            raise StepFailed(step, f"refused: {reply.code}")

    async def _expect(self, step: Step) -> Incoming:
        """Consume frames until one matches; skip others, but stop at an error or an end."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + step.timeout
        while True:
            while self._buffer:
                frame = self._buffer.pop(0)
                if staff_matches(step, frame):
                    return frame
                if _is_stopper(frame, self.chat):
                    raise StepFailed(step, f"got {describe(frame)} instead")
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise StepFailed(step, f"timed out after {step.timeout:g} s")
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                raise StepFailed(step, f"timed out after {step.timeout:g} s") from None


def _is_stopper(frame: Incoming, chat: str | None) -> bool:
    """An error, or the end of the chat being worked on, ends waiting for anything else."""
    if isinstance(frame, ev.Error):
        return frame.ref is None  # answers to our own requests are checked there
    return isinstance(frame, ev.Ended) and chat is not None and frame.chat == chat


def split_sections(text: str) -> list[tuple[str, str, int, str]]:
    """Split a flow file into sections: (role, name, first line number, text).

    A line `[chatter]`, `[counsellor NAME]` or `[relay]` starts a section; lines before
    the first header belong to an unnamed section (role "") that the caller assigns.
    """
    sections: list[tuple[str, str, int, list[str]]] = [("", "", 1, [])]
    for number, raw in enumerate(text.splitlines(), start=1):
        header = _HEADER.fullmatch(raw.strip())
        if header:
            role = header.group(1).lower()
            name = (header.group(2) or "").strip()
            if role == "counsellor" and not name:
                raise ScriptSyntaxError(number, "a counsellor section needs a login name")
            if role != "counsellor" and name:
                raise ScriptSyntaxError(number, f"a {role} section takes no name")
            sections.append((role, name, number + 1, []))
        elif raw.strip().startswith("[") and raw.strip().endswith("]"):
            raise ScriptSyntaxError(number, "a section is [chatter], [counsellor NAME] or [relay]")
        else:
            sections[-1][3].append(raw)
    result = [(role, name, first, "\n".join(lines)) for role, name, first, lines in sections]
    head = result[0]
    if not any(_meaningful(line) for line in head[3].splitlines()):
        result = result[1:]
    return result


_HEADER = re.compile(r"\[\s*(chatter|counsellor|relay)(?:\s+([A-Za-z0-9._-]+))?\s*\]", re.I)


def _meaningful(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")
