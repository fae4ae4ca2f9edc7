"""Scripted chat flows: a small line-based language played by a `ChatterClient`.

One step per line; `#` starts a comment. The format is documented in
docs/chatter-scripts.md. `parse_script` checks the whole file before anything is sent;
`run_script` plays it and raises `StepFailed` naming the step that did not hold.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from console1712.client.chatter import ChatterClient, ChatterError, ClientEvent
from console1712.domain.vocabulary import REGIONS
from console1712.protocol import events as ev

DEFAULT_TIMEOUT = 10.0
ACTIONS = (
    "start",
    "say",
    "flood",
    "typing",
    "expect",
    "wait",
    "drop",
    "resume",
    "leave",
    "reconnect",
)
# What `expect KIND PATTERN` matches PATTERN against, per event kind: a field of its event.
SUBJECTS: dict[str, str] = {
    "welcome": "open",  # "open" or "closed"
    "queued": "position",
    "queue": "position",
    "joined": "counsellor",
    "message": "text",
    "typing": "",
    "ack": "seq",
    "ended": "by",
    "resumed": "counsellor",
    "dropped": "code",
    "lost": "code",
    "closed": "code",
    "error": "code",
}
INTAKE_KEYS = ("consent", "nickname", "age", "gender", "region")


class ScriptSyntaxError(ValueError):
    """A line that is not a valid step; `line` is its 1-based number."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class Step:
    """One parsed line of a script."""

    line: int
    source: str
    action: str
    text: str = ""  # say
    kind: str = ""  # expect
    pattern: re.Pattern[str] | str | None = None  # expect: regex or substring
    timeout: float = DEFAULT_TIMEOUT
    seconds: float = 0.0  # wait, drop
    intake: dict[str, Any] = field(default_factory=dict)  # start


class StepFailed(Exception):
    """A step whose expectation was not met (or timed out)."""

    def __init__(self, step: Step, reason: str) -> None:
        super().__init__(f"line {step.line}: {step.source}: {reason}")
        self.step = step
        self.reason = reason


def parse_script(text: str, first_line: int = 1) -> list[Step]:
    """Parse a whole script; raise ScriptSyntaxError on the first bad line.

    `first_line` numbers the lines of a section that starts further down a flow file.
    """
    return parse_lines(text, first_line, ACTIONS, _parse_step)


StepParser = Callable[[int, str, str, list[str]], Step]


def parse_lines(
    text: str, first_line: int, actions: Sequence[str], parse_step: StepParser
) -> list[Step]:
    """The line format both sides share: one step per line, `#` comments, an action word
    from `actions`; `say TEXT` is parsed here, other steps by `parse_step(number, source,
    action, words)` with the rest of the line split like a shell does."""
    steps = []
    for number, raw in enumerate(text.splitlines(), start=first_line):
        source = raw.strip()
        if not source or source.startswith("#"):
            continue
        action, _, rest = source.partition(" ")
        action = action.lower()
        rest = rest.strip()
        if action not in actions:
            raise ScriptSyntaxError(
                number, f"unknown step {action!r} (known: {', '.join(actions)})"
            )
        if action == "say":
            if not rest:
                raise ScriptSyntaxError(number, "say needs a text")
            steps.append(Step(number, source, action, text=rest.replace("\\n", "\n")))
            continue
        try:
            words = shlex.split(rest)
        except ValueError as exc:
            raise ScriptSyntaxError(number, f"cannot split the line: {exc}") from None
        steps.append(parse_step(number, source, action, words))
    return steps


def _parse_step(number: int, source: str, action: str, words: list[str]) -> Step:
    if action == "start":
        return Step(number, source, action, intake=_parse_intake(number, words))
    if action == "flood":
        if len(words) < 2 or not words[0].isdigit() or not 1 <= int(words[0]) <= 100:
            raise ScriptSyntaxError(number, "flood needs a count (1 to 100) and a text")
        return Step(number, source, action, seconds=float(words[0]), text=" ".join(words[1:]))
    if action == "reconnect":
        if words:
            raise ScriptSyntaxError(number, "reconnect takes nothing")
        return Step(number, source, action)
    if action == "expect":
        if not words:
            raise ScriptSyntaxError(number, "expect needs an event kind")
        kind = words.pop(0).lower()
        if kind not in SUBJECTS:
            raise ScriptSyntaxError(
                number, f"unknown event {kind!r} (known: {', '.join(SUBJECTS)})"
            )
        timeout = DEFAULT_TIMEOUT
        if words and _is_number(words[-1]):
            timeout = float(words.pop())
        if len(words) > 1:
            raise ScriptSyntaxError(number, 'quote a pattern with spaces: expect message "a b"')
        pattern = _pattern(number, words[0]) if words else None
        return Step(number, source, action, kind=kind, pattern=pattern, timeout=timeout)
    if action in ("wait", "drop", "resume", "leave", "typing"):
        if len(words) > 1 or (words and not _is_number(words[0])):
            raise ScriptSyntaxError(number, f"{action} takes at most one number of seconds")
        if action == "wait" and not words:
            raise ScriptSyntaxError(number, "wait needs a number of seconds")
        value = float(words[0]) if words else None
        if action in ("resume", "leave"):
            return Step(number, source, action, timeout=value or DEFAULT_TIMEOUT)
        return Step(number, source, action, seconds=value or 0.0)
    raise ScriptSyntaxError(number, f"unknown step {action!r}")  # pragma: no cover


def _parse_intake(number: int, words: list[str]) -> dict[str, Any]:
    intake: dict[str, Any] = {"consent": True}
    for word in words:
        key, sep, value = word.partition("=")
        key = key.lower()
        if not sep or key not in INTAKE_KEYS:
            raise ScriptSyntaxError(
                number, f"start takes key=value with keys {', '.join(INTAKE_KEYS)}, not {word!r}"
            )
        if key == "consent":
            intake[key] = value.lower() in ("true", "yes", "ja", "1")
        elif key == "age":
            if not value.isdigit():
                raise ScriptSyntaxError(number, f"age must be a whole number, not {value!r}")
            intake[key] = int(value)
        elif key == "region" and value not in REGIONS:
            raise ScriptSyntaxError(number, f"region must be one of {', '.join(REGIONS)}")
        else:
            intake[key] = value
    return intake


def _pattern(number: int, word: str) -> re.Pattern[str] | str:
    if len(word) >= 2 and word.startswith("/") and word.endswith("/"):
        try:
            return re.compile(word[1:-1], re.IGNORECASE)
        except re.error as exc:
            raise ScriptSyntaxError(number, f"bad regular expression {word}: {exc}") from None
    return word


def _is_number(word: str) -> bool:
    try:
        float(word)
    except ValueError:
        return False
    return True


def subject(frame: ClientEvent) -> str:
    """The part of an event that an `expect` pattern is matched against."""
    if isinstance(frame, ev.Welcome):
        return "open" if frame.open else "closed"
    key = SUBJECTS.get(frame.type, "")
    value = getattr(frame, key, None) if key else None
    return "" if value is None else str(value)


def matches(step: Step, frame: ClientEvent) -> bool:
    if frame.type != step.kind:
        return False
    if step.pattern is None:
        return True
    text = subject(frame)
    if isinstance(step.pattern, str):
        return step.pattern.lower() in text.lower()
    return step.pattern.search(text) is not None


def _is_stopper(frame: ClientEvent) -> bool:
    """Events that end waiting for something else: the chat is over or refused."""
    if frame.type in ("ended", "lost", "closed"):
        return True
    return isinstance(frame, ev.Error) and frame.code != "rate_limited"


def _describe(frame: ClientEvent) -> str:
    value = subject(frame)
    return f"{frame.type} {value!r}" if value else frame.type


class ScriptRunner:
    """Plays parsed steps on a connected client; `on_event` sees every event as it arrives."""

    def __init__(
        self,
        client: ChatterClient,
        *,
        on_event: Callable[[ClientEvent], None] | None = None,
        welcome: ev.Welcome | None = None,
        on_step: Callable[[Step], None] | None = None,
    ) -> None:
        self.client = client
        self.on_event = on_event
        self.on_step = on_step
        self._buffer: list[ClientEvent] = [welcome] if welcome is not None else []
        self._arrived = asyncio.Event()
        self._background: set[asyncio.Task[Any]] = set()
        self._pump_task: asyncio.Task[None] | None = None

    async def run(self, steps: list[Step]) -> int:
        """Play every step in order; return how many ran, or raise StepFailed."""
        self._pump_task = asyncio.create_task(self._pump(), name="script-events")
        try:
            for step in steps:
                if self.on_step is not None:
                    self.on_step(step)
                await self._play(step)
            # Let events that are already on their way be shown before the end.
            await asyncio.sleep(0)
        finally:
            await self._stop_pump()
            for task in self._background:
                task.cancel()
        return len(steps)

    async def _stop_pump(self) -> None:
        if self._pump_task is None:
            return
        self._pump_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._pump_task
        self._pump_task = None

    async def _pump(self) -> None:
        async for frame in self.client.events():
            if self.on_event is not None:
                self.on_event(frame)
            self._buffer.append(frame)
            self._arrived.set()

    async def _play(self, step: Step) -> None:
        client = self.client
        if step.action == "start":
            # The answer (queued, or an error such as closed) is checked by `expect`.
            task = asyncio.create_task(client.start(**step.intake))
            task.add_done_callback(_ignore_result)
            self._background.add(task)
        elif step.action == "say":
            try:
                await asyncio.wait_for(client.say(step.text), step.timeout)
            except TimeoutError:
                raise StepFailed(step, f"no ack within {step.timeout:g} s") from None
            except ChatterError as exc:
                raise StepFailed(step, f"refused: {exc.code}") from None
        elif step.action == "flood":
            await self._flood(step)
        elif step.action == "reconnect":
            await self._reconnect(step)
        elif step.action == "typing":
            await client.typing()
        elif step.action == "wait":
            await asyncio.sleep(step.seconds)
        elif step.action == "drop":
            await client.drop(hold=step.seconds)
        elif step.action == "resume":
            await self._expect(step, "resumed")
        elif step.action == "leave":
            try:
                await asyncio.wait_for(client.leave(), step.timeout)
            except TimeoutError:
                raise StepFailed(step, f"no 'ended' within {step.timeout:g} s") from None
            except ChatterError as exc:
                raise StepFailed(step, f"refused: {exc.code}") from None
        elif step.action == "expect":
            await self._expect(step, step.kind)

    async def _flood(self, step: Step) -> None:
        """Send N messages without waiting between them; each must end acknowledged.

        A message refused with `rate_limited` is re-sent by the client after
        `retry_after`, so the step waits for those too; the `error` events stay buffered
        for a following `expect error rate_limited`.
        """
        says = [
            asyncio.create_task(self.client.say(f"{step.text} {n}"))
            for n in range(1, int(step.seconds) + 1)
        ]
        limit = step.timeout + 30.0  # room for the retries after the flood limits
        try:
            await asyncio.wait_for(asyncio.gather(*says), limit)
        except TimeoutError:
            raise StepFailed(step, f"not every message acknowledged within {limit:g} s") from None
        except ChatterError as exc:
            raise StepFailed(step, f"refused: {exc.code}") from None
        finally:
            for task in says:
                task.cancel()

    async def _reconnect(self, step: Step) -> None:
        """Close this chatter's connection and connect again as a new chatter (same address)."""
        await self._stop_pump()
        await self.client.close()
        self._buffer.clear()  # what the old chat still had queued is over
        self.client = ChatterClient(self.client.url)
        try:
            welcome = await self.client.connect()
        except ChatterError as exc:
            raise StepFailed(step, f"cannot connect: {exc.detail or exc.code}") from None
        if self.on_event is not None:
            self.on_event(welcome)
        self._buffer.append(welcome)
        self._pump_task = asyncio.create_task(self._pump(), name="script-events")

    async def _expect(self, step: Step, kind: str) -> ClientEvent:
        """Consume events until one matches; skip others, but stop at an end or an error."""
        wanted = step if step.kind == kind else Step(step.line, step.source, "expect", kind=kind)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + step.timeout
        while True:
            while self._buffer:
                frame = self._buffer.pop(0)
                if matches(wanted, frame):
                    return frame
                if _is_stopper(frame):
                    raise StepFailed(step, f"got {_describe(frame)} instead")
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise StepFailed(step, f"timed out after {step.timeout:g} s")
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                raise StepFailed(step, f"timed out after {step.timeout:g} s") from None


def _ignore_result(task: asyncio.Task[Any]) -> None:
    if not task.cancelled():
        task.exception()  # retrieved, so asyncio does not log it; `expect` reports it
