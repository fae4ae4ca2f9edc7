"""`bench console`: the console headless with many tabs and messages, fed through the same
Message classes the network worker posts; append latency, memory, time to the login screen."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from console1712.bench import procstat
from console1712.bench.report import MIB, Report, Target, percentiles

SIZE = (120, 40)
SESSION = {
    "type": "session",
    "user": "bench",
    "name": "Bench",
    "role": "counsellor",
    "team": None,
    "token": "bench",
}
PROBE = (
    "import asyncio; from console1712.bench.console import login_probe; asyncio.run(login_probe())"
)


@dataclass
class ConsoleOptions:
    tabs: int = 20
    messages: int = 5000  # per tab
    own_every: int = 10  # every N-th message in a tab is the counsellor's own, then acked
    login_runs: int = 3
    size: int = 80


def _settings() -> Any:
    from console1712.config import load_settings

    tmp = tempfile.mkdtemp(prefix="console1712-bench-")
    return load_settings(environ={}, overrides={"data": Path(tmp), "bell": "false"})


async def login_probe() -> None:
    """Child process: start the console headless and print `ready` once the login screen shows."""
    from console1712.app import ConsoleApp
    from console1712.screens.login import LoginScreen

    app = ConsoleApp(_settings(), url="ws://127.0.0.1:9/console")
    async with app.run_test(headless=True, size=SIZE) as pilot:
        while not isinstance(app.screen, LoginScreen):
            await pilot.pause(0.005)
        await pilot.pause()  # mounted and laid out
        print("ready", flush=True)


def time_to_login(runs: int) -> list[float]:
    """Seconds from starting a fresh Python process to the console's login screen."""
    times = []
    for _ in range(runs):
        begin = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-c", PROBE],
            stdout=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "TERM": "xterm-256color"},
        )
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if line.strip() == "ready":
            times.append(time.monotonic() - begin)
        proc.wait(30)
    return times


async def feed(opts: ConsoleOptions) -> dict[str, Any]:
    """Open the workspace with `tabs` chats and post `messages` per tab; what it cost."""
    from console1712.app import ConsoleApp
    from console1712.screens.workspace import WorkspaceScreen
    from console1712.widgets.events import ChatAssigned, ChatMessage, MessageAcked

    handled: list[float] = []  # ms inside the workspace's handler, per message
    acks: list[float] = []
    latency: list[float] = []  # ms from post to handled (queueing behind a burst included)

    class TimedWorkspace(WorkspaceScreen):
        """The real workspace; records how long each message took (then stops the MRO walk)."""

        def on_chat_message(self, message: ChatMessage) -> None:
            t = time.perf_counter_ns()
            super().on_chat_message(message)
            done = time.perf_counter_ns()
            handled.append((done - t) / 1e6)
            latency.append((done - message.posted_ns) / 1e6)  # type: ignore[attr-defined]
            message.prevent_default()

        def on_message_acked(self, message: MessageAcked) -> None:
            t = time.perf_counter_ns()
            super().on_message_acked(message)
            acks.append((time.perf_counter_ns() - t) / 1e6)
            message.prevent_default()

    app = ConsoleApp(_settings(), url="ws://127.0.0.1:9/console")
    me = os.getpid()
    base = procstat.sample(me).rss
    begin = time.monotonic()
    async with app.run_test(headless=True, size=SIZE) as pilot:
        workspace = TimedWorkspace(SESSION, app.lang)
        app.workspace = workspace
        app.switch_screen(workspace)
        await pilot.pause()
        chats = [f"c_bench{i:03d}" for i in range(opts.tabs)]
        for i, chat in enumerate(chats):
            intake = {"nickname": f"Chatter {i}", "age": 15, "gender": None, "region": None}
            workspace.post_message(ChatAssigned(chat, intake, []))
        await pilot.pause()
        opened = len(workspace.panes)
        t0 = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
        text = "Ik weet niet goed hoe ik dit moet vertellen, maar thuis gaat het niet goed. "
        text = (text * (opts.size // len(text) + 1))[: opts.size]
        feed_begin = time.monotonic()
        expected = 0
        for n in range(1, opts.messages + 1):
            at = (t0 + timedelta(seconds=n)).strftime("%Y-%m-%dT%H:%M:%SZ")
            for chat in chats:
                pane = workspace.panes[chat]
                if opts.own_every and n % opts.own_every == 0:
                    msg_id = f"m{n}"
                    pane.add_own(text, msg_id, t0)
                    workspace.post_message(MessageAcked(chat, msg_id, n))
                else:
                    message = ChatMessage(chat, n, "chatter", text, at)
                    message.posted_ns = time.perf_counter_ns()  # type: ignore[attr-defined]
                    workspace.post_message(message)
            # One burst (a message in every tab) handled before the next; a full pause (which
            # waits for the screen to be rendered) every 50 bursts.
            expected += opts.tabs
            while len(handled) + len(acks) < expected:  # noqa: ASYNC110 (yield to the app)
                await asyncio.sleep(0)
            if n % 50 == 0:
                await pilot.pause()
        feed_s = time.monotonic() - feed_begin
        await pilot.pause()
        rss = procstat.sample(me).rss
        lines = sum(len(p.transcript.entries) for p in workspace.panes.values())
    return {
        "tabs": opened,
        "messages_fed": opts.tabs * opts.messages,
        "lines_kept": lines,
        "feed_s": round(feed_s, 2),
        "messages_per_s": round(opts.tabs * opts.messages / feed_s, 1) if feed_s else None,
        "append_handler_ms": percentiles(handled),
        "append_latency_ms": percentiles(latency),
        "ack_handler_ms": percentiles(acks),
        "rss_mib": round(rss / MIB, 1),
        "rss_growth_mib": round((rss - base) / MIB, 1),
        "total_s": round(time.monotonic() - begin, 2),
    }


def run_console(opts: ConsoleOptions) -> Report:
    """The console benchmark of issue 9 (20 tabs x 5,000 messages by default)."""
    report = Report(
        "console",
        {"tabs": opts.tabs, "messages_per_tab": opts.messages, "own_every": opts.own_every},
        machine=procstat.machine(),
    )
    login = time_to_login(opts.login_runs) if opts.login_runs else []
    figures = asyncio.run(feed(opts))
    figures["login_screen_s"] = percentiles(login)
    report.figures = figures
    report.targets = [
        # Per message: the handler's own time. `append_latency_ms` adds the wait behind the
        # other 19 messages of the same burst and behind screen refreshes; reported beside it.
        Target("append p99 (workspace handler)", figures["append_handler_ms"]["p99"], 5, "ms"),
        Target("console RSS", figures["rss_mib"], 200, "MB"),
        Target("login screen (slowest cold start)", figures["login_screen_s"]["max"], 1.5, "s"),
    ]
    return report
