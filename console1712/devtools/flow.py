"""Chat flows played on both sides: one or more chatters and counsellors, one timeline.

A flow is one or more script files. A file is split into sections by `[chatter]`,
`[counsellor NAME]` and `[relay]` lines (docs/chatter-scripts.md); a file without
sections is the chatter's part when it comes first, else the part of a counsellor named
after the file. Against a fresh temporary relay the counsellors' accounts are made here;
against `--url` their credentials come from standard input.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from console1712.client.chatter import ChatterClient, ClientEvent, ConnectFailed
from console1712.client.staff import Incoming, LoginFailed
from console1712.clock import Clock
from console1712.config import FIELDS, Settings, SettingsError, _coerce
from console1712.devtools.script import (
    ScriptRunner,
    ScriptSyntaxError,
    Step,
    StepFailed,
    parse_script,
    subject,
)
from console1712.devtools.staffscript import (
    StaffScriptRunner,
    describe,
    parse_staff_script,
    split_sections,
)
from console1712.domain.text import strip_controls
from console1712.i18n import t


@dataclass
class Part:
    """One side of a flow: a chatter, or a counsellor with its login name."""

    role: str  # "chatter" or "counsellor"
    name: str  # the label in the timeline; a counsellor's login name
    path: Path
    steps: list[Step]


@dataclass
class Flow:
    """Every part of a flow plus the settings the fresh relay starts with."""

    parts: list[Part] = field(default_factory=list)
    relay: dict[str, Any] = field(default_factory=dict)
    relay_line: tuple[Path, int] | None = None  # where [relay] was, for the --url error


class FlowError(Exception):
    """A flow that cannot run: unreadable, bad syntax, bad [relay] setting (one line)."""


@dataclass(frozen=True)
class Credentials:
    password: str
    secret: str


def load_flow(paths: list[Path], lang: str = "nl") -> Flow:
    """Read and parse every file of a flow; raise FlowError naming file and line."""
    flow = Flow()
    for index, path in enumerate(paths):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise FlowError(t("script.unreadable", lang, file=path, reason=exc)) from None
        try:
            _add_sections(flow, path, text, first_file=index == 0)
        except ScriptSyntaxError as exc:
            raise FlowError(
                t("script.syntax", lang, file=path, line=exc.line, reason=exc.reason)
            ) from None
    if not flow.parts:
        raise FlowError(t("flow.empty", lang))
    chatters = [p for p in flow.parts if p.role == "chatter"]
    for n, part in enumerate(chatters[1:], start=2):
        part.name = f"chatter{n}"
    return flow


def _add_sections(flow: Flow, path: Path, text: str, *, first_file: bool) -> None:
    for role, name, first, body in split_sections(text):
        if not role:
            role, name = ("chatter", "chatter") if first_file else ("counsellor", path.stem)
        if role == "relay":
            flow.relay.update(_relay_settings(body, first))
            flow.relay_line = (path, first - 1)
        elif role == "chatter":
            flow.parts.append(Part("chatter", "chatter", path, parse_script(body, first)))
        else:
            if any(p.role == "counsellor" and p.name == name for p in flow.parts):
                raise ScriptSyntaxError(first - 1, f"counsellor {name!r} has two sections")
            flow.parts.append(Part("counsellor", name, path, parse_staff_script(body, first)))


def _relay_settings(body: str, first: int) -> dict[str, Any]:
    """`name = value` lines: settings of the fresh relay, checked as the environment's are."""
    values: dict[str, Any] = {}
    for number, raw in enumerate(body.splitlines(), start=first):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in FIELDS or name in _NOT_IN_FLOWS:
            raise ScriptSyntaxError(number, f"not a relay setting: {line!r} (name = value)")
        try:
            values[name] = _coerce(name, value.strip(), from_text=True)
        except SettingsError as exc:
            raise ScriptSyntaxError(number, str(exc)) from None
    return values


# Settings a flow file may not choose: where the fresh relay lives is the flow's business.
_NOT_IN_FLOWS = frozenset({"data", "key_file", "host", "port", "database", "smtp_port"})


class Timeline:
    """Every side's steps and events as they happen, one line each, in one column layout."""

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self._t0 = asyncio.get_running_loop().time()

    def line(self, side: str, text: str) -> None:
        elapsed = asyncio.get_running_loop().time() - self._t0
        print(f"{elapsed:7.2f}  {side:<10} {strip_controls(text)}", file=self.out, flush=True)

    def step(self, side: str) -> Callable[[Step], None]:
        return lambda step: self.line(side, f"> {step.line}: {step.source}")

    def chatter_event(self, side: str) -> Callable[[ClientEvent], None]:
        def show(frame: ClientEvent) -> None:
            kind = frame.type
            value = subject(frame)
            self.line(side, f"< {kind} {value}" if value else f"< {kind}")

        return show

    def staff_event(self, side: str) -> Callable[[Incoming], None]:
        return lambda frame: self.line(side, f"< {describe(frame)}")


async def play_flow(
    flow: Flow,
    *,
    url: str | None,
    settings: Settings,
    credentials: dict[str, Credentials] | None = None,
    out: TextIO | None = None,
) -> int:
    """Play a flow; 0 when every part passed, 1 after one failure line on stderr."""
    lang = settings.lang
    data: Path | None = None
    relay: Any = None
    if url is None:
        data = Path(tempfile.mkdtemp(prefix="console1712-flow-"))
    try:
        if data is not None:
            relay, credentials = await _fresh_relay(flow, settings, data)
            base = f"ws://127.0.0.1:{relay.port}"
        else:
            if flow.relay_line is not None:
                raise FlowError(t("flow.relay_with_url", lang, file=flow.relay_line[0]))
            base = _base(url or "")
        return await _play(flow, base, credentials or {}, lang, out)
    except FlowError as exc:
        print(f"console1712: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        if relay is not None:
            await relay.stop()
        if data is not None:
            _quiet_logs(None)
            shutil.rmtree(data, ignore_errors=True)


def _base(url: str) -> str:
    """ws://host:port from any of the relay's URLs (…/chat, …/console or none)."""
    for suffix in ("/chat", "/console"):
        if url.endswith(suffix):
            return url[: -len(suffix)]
    return url.rstrip("/")


def _quiet_logs(path: Path | None) -> None:
    """The fresh relay's log lines go to a file in its folder, never into the timeline."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_console1712_flow", False):
            root.removeHandler(handler)
            handler.close()
    if path is not None:
        from console1712.commands.relay import LOG_FORMAT

        handler = logging.FileHandler(path, encoding="utf-8")
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler._console1712_flow = True  # type: ignore[attr-defined]
        root.handlers[:] = [handler]
        root.setLevel(logging.INFO)


async def _fresh_relay(
    flow: Flow, settings: Settings, data: Path
) -> tuple[Any, dict[str, Credentials]]:
    from console1712.commands.demo import create_accounts
    from console1712.relay.assembly import standard_operations, standard_services
    from console1712.relay.server import Relay
    from console1712.store.accounts import AccountError

    values = {"always_open": True, **flow.relay}
    relay_settings = dataclasses.replace(
        settings, data=data, key_file=None, host="127.0.0.1", port=0, smtp=False, **values
    )
    try:
        relay_settings.validate()
    except SettingsError as exc:
        raise FlowError(str(exc)) from None
    _quiet_logs(data / "relay.log")
    relay = Relay(relay_settings, operations=standard_operations(), services=standard_services())
    await relay.start()
    names = [p.name for p in flow.parts if p.role == "counsellor"]
    try:
        made = await create_accounts(relay.db, Clock(), names)
    except AccountError as exc:
        await relay.stop()
        raise FlowError(str(exc)) from None
    return relay, {name: Credentials(password, secret) for name, (password, secret) in made.items()}


async def _play(
    flow: Flow, base: str, credentials: dict[str, Credentials], lang: str, out: TextIO | None
) -> int:
    from console1712.store.accounts import totp_code

    timeline = Timeline(out)
    runners: list[tuple[Part, Any]] = []
    try:
        # Counsellors log in first, so that they see the chatters arrive.
        for part in flow.parts:
            if part.role != "counsellor":
                continue
            creds = credentials.get(part.name)
            if creds is None:
                raise FlowError(t("flow.no_credentials", lang, name=part.name))
            staff = StaffScriptRunner(f"{base}/console", on_event=timeline.staff_event(part.name))
            try:
                code = totp_code(creds.secret, datetime.now(UTC))
            except (ValueError, TypeError):
                failed = t("flow.login_failed", lang, name=part.name, code="secret")
                raise FlowError(failed) from None
            try:
                session = await staff.login(part.name, creds.password, code)
            except LoginFailed as exc:
                raise FlowError(
                    t("flow.login_failed", lang, name=part.name, code=exc.code)
                ) from None
            timeline.line(part.name, f"< session {strip_controls(session.name)}")
            runners.append((part, staff))
        for part in flow.parts:
            if part.role != "chatter":
                continue
            client = ChatterClient(f"{base}/chat")
            try:
                welcome = await client.connect()
            except ConnectFailed as exc:
                raise FlowError(
                    t("chatter.connect_failed", lang, url=client.url, reason=exc.detail)
                ) from None
            side = part.name
            chatter = ScriptRunner(
                client,
                on_event=timeline.chatter_event(side),
                welcome=welcome,
                on_step=timeline.step(side),
            )
            timeline.chatter_event(side)(welcome)
            runners.append((part, chatter))
        for part, runner in runners:
            if isinstance(runner, StaffScriptRunner):
                runner.on_step = timeline.step(part.name)
        return await _run_all(runners, lang, timeline)
    finally:
        for _part, runner in runners:
            with contextlib.suppress(Exception):
                if isinstance(runner, StaffScriptRunner):
                    await runner.close()
                else:
                    await runner.client.close()


async def _run_all(runners: list[tuple[Part, Any]], lang: str, timeline: Timeline) -> int:
    """Every part at once; the first failure cancels the others and is the one reported."""
    tasks = {
        asyncio.create_task(runner.run(part.steps), name=f"flow-{part.name}"): part
        for part, runner in runners
    }
    failure: tuple[Part, StepFailed] | None = None
    crash: tuple[Part, BaseException] | None = None
    pending = set(tasks)
    try:
        while pending and failure is None and crash is None:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                exc = task.exception()
                if isinstance(exc, StepFailed):
                    failure = (tasks[task], exc)
                elif exc is not None:
                    crash = (tasks[task], exc)
    finally:
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
    if crash is not None and failure is None:
        # Not a step that did not hold but a fault (a client error): still one line, exit 1.
        part, fault = crash
        reason = f"{type(fault).__name__}: {fault}"
        line = t("flow.crashed", lang, file=part.path, side=part.name, reason=reason)
        print(
            "console1712: " + line,
            file=sys.stderr,
            flush=True,
        )
        return 1
    if failure is not None:
        part, exc = failure
        print(
            "console1712: "
            + t(
                "flow.failed",
                lang,
                file=part.path,
                line=exc.step.line,
                side=part.name,
                step=exc.step.source,
                reason=exc.reason,
            ),
            file=sys.stderr,
            flush=True,
        )
        return 1
    total = sum(len(part.steps) for part, _ in runners)
    print(t("flow.passed", lang, parts=len(runners), count=total), flush=True)
    return 0


def read_credentials(lines: list[str]) -> dict[str, Credentials]:
    """`NAME TOTP-SECRET PASSWORD` per line (standard input of `flow --url`); the password
    is the rest of the line, so it may hold spaces."""
    creds: dict[str, Credentials] = {}
    for raw in lines:
        words = raw.strip().split(" ", 2)
        if len(words) == 3:
            creds[words[0]] = Credentials(password=words[2], secret=words[1])
    return creds
