"""`bench relay` scenarios: a relay process, load processes, and the figures of issue 9.

The relay runs as its own process (`console1712 relay`) so that its CPU time and memory
can be read from /proc and so that it can be killed with SIGKILL; the load runs in
separate processes (`loadgen.worker_main`). Every scenario returns a `Report`.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing as mp
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Protocol

from console1712.bench import procstat
from console1712.bench.loadgen import raise_fd_limit, worker_main
from console1712.bench.report import MIB, Report, Target, percentiles

LISTENING = re.compile(r"listening on \w+://[^\s:]+:(\d+)")
PASSWORD = "bench password 1712"
Json = dict[str, Any]
# Flood limits raised for the bench relay (settings read by relay/server.py), so that a fast
# per-chat rate is measured rather than answered with `rate_limited`.
RAISED_LIMITS = {
    "CONSOLE1712_CHAT_RATE_PER_SECOND": "1000",
    "CONSOLE1712_CHAT_RATE_PER_10S": "10000",
    # every simulated chatter comes from one address: the per-address caps would stop them
    "CONSOLE1712_MAX_WAITING_PER_ADDRESS": "1000000",
    "CONSOLE1712_MAX_BYTES_PER_ADDRESS_HOUR": "1000000000000",
}


PROFILE: Path | None = None  # `--profile FILE`: run the bench relay under cProfile


class BenchError(RuntimeError):
    """A scenario could not run (relay did not start, a load process failed)."""


@dataclass
class Options:
    """Sizes and knobs of `bench relay` (defaults: the sizes of issue 9)."""

    workers: int = 2  # load processes for chatters
    size: int = 80  # characters per message text
    duration: float = 10.0
    rate: float = 1000.0  # messages per second, both directions together
    chatters: int = 2000
    counsellors: int = 100
    idle: int = 10000
    hold: float = 60.0
    idle_start: bool = False
    storm: int = 1000
    accept: int = 1000
    watchers: int = 10
    crash: int = 100
    crash_chatters: int = 50
    crash_rate: float = 100.0
    crash_load: tuple[float, float] = (0.6, 1.2)  # seconds of load between two kills
    data: Path | None = None  # keep the relay's data here instead of a temporary directory
    database: str | None = None  # a postgresql:// URL: N relays behind HAProxy (bench/cluster.py)
    relays: int = 1
    failover_rate: float = 100.0  # messages per second of all failover clients together
    timeout: float = 300.0  # set-up of connections, logins, accepts
    repeat: int = 1  # run the scenarios this many times in turn (`compare_median`)


# -- the relay process -------------------------------------------------------------------


class RelayProcess:
    """`console1712 relay` in a child process: start, port, pid, kill (SIGKILL), stop."""

    def __init__(self, data: Path, port: int = 0, env: dict[str, str] | None = None) -> None:
        self.data = data
        self.env = env or {}
        self.profile = PROFILE
        self.requested_port = port
        self.port = 0
        self.proc: subprocess.Popen[str] | None = None
        self.log_lines = 0
        self._drain: threading.Thread | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        env = dict(os.environ)
        env["CONSOLE1712_MAX_CONNECTIONS_PER_ADDRESS"] = "1000000"
        env["CONSOLE1712_MAX_CONSOLES_PER_ADDRESS"] = "1000000"
        env["CONSOLE1712_MAX_SOCKETS_PER_ADDRESS"] = "1000000"
        env["CONSOLE1712_MAX_CHATS_PER_COUNSELLOR"] = "0"  # a bench counsellor takes many chats
        env.pop("CONSOLE1712_CONFIG", None)
        env.update(self.env)
        cmd = [sys.executable, "-m", "console1712.bench.relayproc", "relay"]
        if self.profile is not None:  # cProfile writes the file when the relay stops cleanly
            cmd[1:1] = ["-m", "cProfile", "-o", str(self.profile)]
        cmd += ["--data", str(self.data)]
        cmd += ["--port", str(self.requested_port), "--always-open", "--no-smtp"]
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            preexec_fn=raise_fd_limit,  # 10,000 sockets need more than the usual 1024
        )
        assert self.proc.stderr is not None
        seen: list[str] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            seen.append(line.rstrip())
            m = LISTENING.search(line)
            if m:
                self.port = int(m.group(1))
                self._drain = threading.Thread(target=self._drain_log, daemon=True)
                self._drain.start()
                return
        self.proc.kill()
        self.proc.wait()
        raise BenchError("relay did not start: " + " | ".join(seen[-5:]))

    def _drain_log(self) -> None:
        # The relay logs one line per event: read them so its pipe never fills up.
        assert self.proc is not None and self.proc.stderr is not None
        for _ in self.proc.stderr:
            self.log_lines += 1

    def sample(self) -> procstat.Sample:
        return procstat.sample(self.pid)

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, no flushing, as in a power cut of the process."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM and wait for the clean stop; its exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._drain is not None:
            self._drain.join(2)
        return self.proc.returncode


def free_port() -> int:
    """A loopback port that is free now (the crash scenario restarts on the same port)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def data_dir(opts: Options) -> Iterator[Path]:
    if opts.data is not None:
        opts.data.mkdir(parents=True, exist_ok=True)
        yield opts.data
        return
    with tempfile.TemporaryDirectory(prefix="console1712-bench-") as tmp:
        yield Path(tmp) / "data"


def make_accounts(
    data: Path, n: int, prefix: str = "bench", database: Json | None = None
) -> list[tuple[str, str, str]]:
    """n counsellor accounts in the data directory: (name, password, TOTP secret).
    `database`: settings naming another database (`database`, `key_file`)."""
    if n <= 0:
        return []

    async def make() -> list[tuple[str, str, str]]:
        from console1712.clock import Clock
        from console1712.config import load_settings
        from console1712.store import accounts
        from console1712.store.db import Database

        settings = load_settings(environ={}, overrides={"data": data, **(database or {})})
        clock = Clock()
        async with await Database.open(settings.db_target, settings.key_path) as db:
            existing = {a.name for a in await accounts.list_accounts(db)}
            names = [f"{prefix}{i:04d}" for i in range(n)]
            todo = [name for name in names if name not in existing]
            created = await asyncio.gather(
                *(
                    accounts.create_account(
                        db, clock, name, PASSWORD, role="counsellor", team=None, display="Bench"
                    )
                    for name in todo
                )
            )
        secrets = {c.account.name: c.secret for c in created}
        missing = [name for name in names if name not in secrets]
        if missing:
            raise BenchError(f"accounts exist already with unknown secrets: {missing[0]} ...")
        return [(name, PASSWORD, secrets[name]) for name in names]

    return asyncio.run(make())


# -- load processes --------------------------------------------------------------------


class Pool:
    """The load processes of one scenario and their pipes."""

    def __init__(self) -> None:
        self.ctx = mp.get_context("spawn")  # no inherited event loop or threads
        self.procs: list[Any] = []
        self.conns: list[Connection] = []

    def add(self, params: Json) -> Connection:
        parent, child = self.ctx.Pipe()
        proc = self.ctx.Process(target=worker_main, args=(child, params), daemon=True)
        proc.start()
        child.close()
        self.procs.append(proc)
        self.conns.append(parent)
        return parent

    def collect(
        self, kind: str, timeout: float, conns: list[Connection] | None = None
    ) -> list[Any]:
        """One `kind` answer from each process (in pool order); BenchError on failure/timeout."""
        todo = list(conns if conns is not None else self.conns)
        answers: dict[int, Any] = {}
        deadline = time.monotonic() + timeout
        while todo:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BenchError(f"load processes did not answer '{kind}' in {timeout:.0f} s")
            for conn in wait(todo, left):
                assert isinstance(conn, Connection)
                try:
                    got, payload = conn.recv()
                except EOFError:
                    raise BenchError("a load process died") from None
                if got == "error":
                    raise BenchError(f"load process failed: {payload}")
                if got != kind:
                    raise BenchError(f"load process answered {got!r}, expected {kind!r}")
                answers[id(conn)] = payload
                todo.remove(conn)
        order = conns if conns is not None else self.conns
        return [answers[id(c)] for c in order]

    def send(self, message: tuple[str, Any], conns: list[Connection] | None = None) -> None:
        for conn in conns if conns is not None else self.conns:
            with contextlib.suppress(OSError):
                conn.send(message)

    def close(self) -> None:
        self.send(("stop", None))
        for proc in self.procs:
            proc.join(5)
            if proc.is_alive():
                proc.terminate()
                proc.join(5)


@contextlib.contextmanager
def pool() -> Iterator[Pool]:
    p = Pool()
    try:
        yield p
    finally:
        p.close()


def split(total: int, parts: int) -> list[int]:
    """`total` as `parts` near-equal whole shares (larger first)."""
    parts = max(1, parts)
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def merge(results: list[Json], key: str) -> list[float]:
    return [v for r in results for v in r.get(key, [])]


def merged_errors(results: list[Json]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for r in results:
        total.update(r.get("errors", {}))
    return dict(total)


def _report(name: str, params: Json) -> Report:
    return Report(name, params, machine=procstat.machine())


def _cpu_figures(before: Measured, after: Measured, messages: int) -> Json:
    cpu = after.cpu - before.cpu
    return {
        "relay_cpu_s": round(cpu, 3),
        "relay_cpu_user_s": round(after.utime - before.utime, 3),
        "relay_cpu_system_s": round(after.stime - before.stime, 3),
        "relay_cpu_per_message_us": round(cpu / messages * 1e6, 1) if messages else None,
    }


# -- scenarios -------------------------------------------------------------------------


def run_idle(opts: Options) -> Report:
    """Hold N chatter connections for S seconds: relay RSS and memory per connection."""
    report = _report("idle", {"connections": opts.idle, "hold_s": opts.hold})
    with data_dir(opts) as data:
        relay = RelayProcess(data)
        relay.start()
        try:
            time.sleep(0.2)
            base = relay.sample()
            with pool() as workers:
                first = 0
                for n in split(opts.idle, opts.workers):
                    workers.add(
                        {
                            "role": "idle",
                            "url": relay.url,
                            "n": n,
                            "first": first,
                            "start": opts.idle_start,
                        }
                    )
                    first += n
                t_setup = time.monotonic()
                ready = workers.collect("ready", opts.timeout)
                setup_s = time.monotonic() - t_setup
                connected = sum(r["connected"] for r in ready)
                loaded = relay.sample()
                peak = loaded.rss
                end = time.monotonic() + opts.hold
                while time.monotonic() < end:
                    time.sleep(min(1.0, max(0.0, end - time.monotonic())))
                    peak = max(peak, relay.sample().rss)
                held = relay.sample()
                workers.send(("stop", None))
                workers.collect("result", 60)
        finally:
            relay.stop()
    per_conn = (max(peak, held.rss) - base.rss) / connected if connected else None
    report.figures = {
        "connected": connected,
        "failed": sum(r["failed"] for r in ready),
        "setup_s": round(setup_s, 2),
        "relay_rss_before_mib": round(base.rss / MIB, 1),
        "relay_rss_loaded_mib": round(loaded.rss / MIB, 1),
        "relay_rss_peak_mib": round(peak / MIB, 1),
        "per_connection_kib": None if per_conn is None else round(per_conn / 1024, 1),
        "relay_cpu_hold_s": round(held.cpu - loaded.cpu, 3),
    }
    scale = 10000 / connected if connected else 0
    projected = (base.rss + (peak - base.rss) * scale) / MIB if connected else None
    report.figures["projected_rss_10000_mib"] = None if projected is None else round(projected, 1)
    report.targets = [Target("RSS for 10,000 idle connections", projected, 250, "MiB")]
    return report


def run_steady(opts: Options) -> Report:
    """Chatters and counsellors in assigned chats at a target rate: latency, throughput, CPU."""
    with data_dir(opts) as data:
        logins = make_accounts(data, opts.counsellors)
        relay = RelayProcess(data, env=RAISED_LIMITS)
        relay.start()
        try:
            report, _, _ = steady_on(relay, opts, logins)
        finally:
            relay.stop()
    report.figures["relay_log_lines"] = relay.log_lines
    return report


class Measured(Protocol):
    """What a scenario measures: `procstat.Sample` of one relay, or of several together."""

    @property
    def utime(self) -> float: ...
    @property
    def stime(self) -> float: ...
    @property
    def cpu(self) -> float: ...
    @property
    def rss(self) -> int: ...


class LoadTarget(Protocol):
    """Where the load goes (a relay, or HAProxy in front of several) and its CPU and memory."""

    @property
    def url(self) -> str: ...
    def sample(self) -> Measured: ...


def steady_on(
    target: LoadTarget, opts: Options, logins: list[tuple[str, str, str]]
) -> tuple[Report, Measured, Measured]:
    """The steady load against `target`: the report and the samples around the measured run."""
    report = _report(
        "steady",
        {
            "chatters": opts.chatters,
            "counsellors": opts.counsellors,
            "rate": opts.rate,
            "duration_s": opts.duration,
            "size": opts.size,
        },
    )
    with pool() as workers:
        chatter_conns, staff_conns = [], []
        chatter_shares = split(opts.chatters, opts.workers)
        first = 0
        for n in chatter_shares:
            chatter_conns.append(
                workers.add(
                    {
                        "role": "chatters",
                        "url": target.url,
                        "n": n,
                        "first": first,
                        "timeout": opts.timeout,
                    }
                )
            )
            first += n
        quotas = split(opts.chatters, opts.counsellors)
        staff_workers = max(1, min(opts.workers, opts.counsellors // 50 or 1))
        staff_shares = split(opts.counsellors, staff_workers)
        at = 0
        for n in staff_shares:
            staff_conns.append(
                workers.add(
                    {
                        "role": "counsellors",
                        "url": target.url,
                        "first": first + at,
                        "accounts": logins[at : at + n],
                        "quotas": quotas[at : at + n],
                        "timeout": opts.timeout,
                    }
                )
            )
            at += n
        t_setup, cpu_setup = time.monotonic(), target.sample().cpu
        workers.collect("ready", opts.timeout)
        setup_s = time.monotonic() - t_setup
        cpu_setup = target.sample().cpu - cpu_setup
        t0 = time.monotonic() + 0.5
        half = opts.rate / 2
        # An overloaded relay needs time to work off its backlog: wait for it.
        go = {"t0": t0, "duration": opts.duration, "size": opts.size, "drain": 60}
        for conn, n in zip(chatter_conns, chatter_shares, strict=True):
            conn.send(("go", {**go, "rate": half * n / max(1, opts.chatters)}))
        for conn, n in zip(staff_conns, staff_shares, strict=True):
            conn.send(("go", {**go, "rate": half * n / max(1, opts.counsellors)}))
        time.sleep(max(0.0, t0 - time.monotonic()))
        before = target.sample()
        workers.collect("drained", opts.duration + 120)
        after = target.sample()
        workers.send(("report", None))
        chatter_results = workers.collect("result", 120, chatter_conns)
        staff_results = workers.collect("result", 120, staff_conns)
    everyone = chatter_results + staff_results
    sent = sum(r["sent"] for r in everyone)
    unacked = sum(r.get("unacked", 0) for r in everyone)
    acked = sum(r["acked"] for r in everyone)
    received = sum(r["received"] for r in everyone)
    up = percentiles(merge(staff_results, "inbound_ms"))
    down = percentiles(merge(chatter_results, "inbound_ms"))
    ack = percentiles(merge(everyone, "ack_ms"))
    report.figures = {
        "setup_s": round(setup_s, 1),
        "relay_cpu_setup_s": round(cpu_setup, 2),  # logins, starts, accepts, queue pushes
        "sent": sent,
        "acked": acked,
        "relayed": received,
        "unacked": unacked,
        # Acknowledged to the sender but never seen by the other side (0 when all is well).
        "acked_not_relayed": max(0, acked - received) if not unacked else None,
        "achieved_msgs_per_s": round(acked / opts.duration, 1),
        "latency_ms": {"chatter_to_counsellor": up, "counsellor_to_chatter": down, "ack": ack},
        "errors": merged_errors(everyone),
        **_cpu_figures(before, after, acked),
        "relay_rss_mib": round(after.rss / MIB, 1),
    }
    worst = max((x for x in (up["p99"], down["p99"]) if x is not None), default=None)
    report.targets = [
        Target("relay CPU per message", report.figures["relay_cpu_per_message_us"], 100, "us"),
        Target("achieved rate", report.figures["achieved_msgs_per_s"], 3000, "msg/s", True),
        Target("p99 one-way latency", worst, 20, "ms"),
        Target(f"ack p99 (at {opts.rate:.0f} msg/s; target at 1000)", ack["p99"], 10, "ms"),
    ]
    return report, before, after


def run_storm(opts: Options) -> Report:
    """N waiting chatters drop at once and resume at once: time until all have resumed."""
    report = _report("storm", {"chatters": opts.storm})
    with data_dir(opts) as data:
        relay = RelayProcess(data)
        relay.start()
        try:
            with pool() as workers:
                first = 0
                for n in split(opts.storm, opts.workers):
                    workers.add({"role": "storm", "url": relay.url, "n": n, "first": first})
                    first += n
                workers.collect("ready", opts.timeout)
                before = relay.sample()
                workers.send(("go", {"t0": time.monotonic() + 0.3, "away": 1.0}))
                results = workers.collect("result", opts.timeout)
                after = relay.sample()
        finally:
            relay.stop()
    resumed = sum(r["resumed"] for r in results)
    total = max(r["total_s"] for r in results)
    report.figures = {
        "resumed": resumed,
        "failed": opts.storm - resumed,
        "all_resumed_s": round(total, 3),
        "resume_ms": percentiles(merge(results, "resume_ms")),
        "errors": merged_errors(results),
        "relay_cpu_s": round(after.cpu - before.cpu, 3),
        "relay_rss_mib": round(after.rss / MIB, 1),
    }
    projected = total * 1000 / opts.storm if opts.storm else None
    report.targets = [Target("1,000 resumes (scaled linearly)", projected, 10, "s")]
    return report


def run_accept(opts: Options) -> Report:
    """N waiting chats accepted one after another by one counsellor while K consoles watch."""
    report = _report("accept", {"waiting": opts.accept, "watchers": opts.watchers})
    with data_dir(opts) as data:
        logins = make_accounts(data, opts.watchers + 1)
        relay = RelayProcess(data)
        relay.start()
        try:
            with pool() as workers:
                first = 0
                for n in split(opts.accept, opts.workers):
                    workers.add(
                        {"role": "idle", "url": relay.url, "n": n, "first": first, "start": True}
                    )
                    first += n
                watch = (
                    [
                        workers.add(
                            {
                                "role": "watchers",
                                "url": relay.url,
                                "first": first,
                                "accounts": logins[1:],
                            }
                        )
                    ]
                    if opts.watchers
                    else []
                )
                taker = workers.add(
                    {"role": "acceptor", "url": relay.url, "first": first, "accounts": logins[:1]}
                )
                workers.collect("ready", opts.timeout)
                before = relay.sample()
                workers.send(("go", {}), watch)
                taker.send(("go", {"n": opts.accept}))
                (result,) = workers.collect("result", opts.timeout, [taker])
                after = relay.sample()
                time.sleep(0.3)  # the last coalesced queue push
                workers.send(("stop", None), watch)
                watched = workers.collect("result", 60, watch)
        finally:
            relay.stop()
    frames = sum(w["queue_frames"] for w in watched)
    qbytes = sum(w["queue_bytes"] for w in watched)
    report.figures = {
        "accepted": result["accepted"],
        "total_s": round(result["total_s"], 3),
        "accept_ms": percentiles(result["accept_ms"]),
        "queue_frames_per_watcher": round(frames / max(1, opts.watchers), 1),
        "queue_mib_per_watcher": round(qbytes / max(1, opts.watchers) / MIB, 2),
        "relay_cpu_s": round(after.cpu - before.cpu, 3),
        "relay_cpu_per_accept_ms": round(
            (after.cpu - before.cpu) / max(1, result["accepted"]) * 1000, 3
        ),
    }
    projected = result["total_s"] * 1000 / opts.accept if opts.accept else None
    report.targets = [Target("1,000 accepts one after another (scaled)", projected, 10, "s")]
    return report


def run_crash(opts: Options) -> Report:
    """SIGKILL the relay under load K times; no acknowledged message lost or duplicated."""
    report = _report(
        "crash",
        {"cycles": opts.crash, "chatters": opts.crash_chatters, "rate": opts.crash_rate},
    )
    with data_dir(opts) as data:
        relay = RelayProcess(data, port=free_port())
        relay.start()
        restarts: list[float] = []
        try:
            with pool() as workers:
                first = 0
                shares = split(opts.crash_chatters, opts.workers)
                for n in shares:
                    workers.add({"role": "crash", "url": relay.url, "n": n, "first": first})
                    first += n
                workers.collect("ready", opts.timeout)
                for conn, n in zip(workers.conns, shares, strict=True):
                    rate = opts.crash_rate * n / max(1, opts.crash_chatters)
                    conn.send(("go", {"rate": rate, "size": opts.size}))
                rng = random.Random(1712)
                for _ in range(opts.crash):
                    # Load for a while (chatters back and talking), then a kill mid-stream.
                    time.sleep(rng.uniform(*opts.crash_load))
                    relay.kill()
                    t = time.monotonic()
                    relay.start()
                    restarts.append(time.monotonic() - t)
                time.sleep(0.5)
                workers.send(("stop", None))
                results = workers.collect("result", opts.timeout)
        finally:
            relay.stop()
        check = asyncio.run(verify(data, [r["acked"] for r in results]))
    report.figures = {
        "cycles": opts.crash,
        "sent": sum(r["sent"] for r in results),
        **check,
        "unacked_at_end": sum(r["unacked"] for r in results),
        "reconnects": sum(r["reconnects"] for r in results),
        "abandoned_unacked": sum(r["abandoned"] for r in results),
        "restart_s": percentiles(restarts),
        "chatter_away_ms": percentiles(merge(results, "away_ms")),
        "errors": merged_errors(results),
    }
    report.targets = [
        Target("lost acknowledged messages", float(check["lost"]), 0, ""),
        Target("duplicated messages", float(check["duplicated"]), 0, ""),
    ]
    return report


async def verify(
    data: Path, acked_maps: list[dict[str, dict[str, Any]]], database: Json | None = None
) -> Json:
    """Read every chat back through the store: each acknowledged id once, at its seq, intact.
    `database`: settings naming another database (`database`, `key_file`)."""
    from console1712.config import load_settings
    from console1712.store import chats
    from console1712.store.db import Database

    settings = load_settings(environ={}, overrides={"data": data, **(database or {})})
    lost = duplicated = altered = gaps = stored = acked = 0
    async with await Database.open(settings.db_target, settings.key_path, create=False) as db:
        for acked_map in acked_maps:
            for chat, ids in acked_map.items():
                messages = await chats.transcript(db, chat)
                stored += len(messages)
                by_client = Counter(m.client_id for m in messages)
                by_text = Counter(m.text for m in messages)
                duplicated += sum(n - 1 for n in by_client.values() if n > 1)
                duplicated += sum(n - 1 for n in by_text.values() if n > 1)
                if [m.seq for m in messages] != list(range(1, len(messages) + 1)):
                    gaps += 1
                by_seq = {m.seq: m for m in messages}
                for client_id, (seq, text) in ids.items():
                    acked += 1
                    m = by_seq.get(seq)
                    if m is None or m.client_id != chats.client_id_hash(db, chat, client_id):
                        lost += 1
                    elif m.text != text:
                        altered += 1
    return {
        "acked": acked,
        "stored": stored,
        "lost": lost,
        "duplicated": duplicated,
        "altered": altered,
        "chats_with_seq_gaps": gaps,
    }


SCENARIOS = {
    "idle": run_idle,
    "steady": run_steady,
    "storm": run_storm,
    "accept": run_accept,
    "crash": run_crash,
}
