"""`bench relay --database postgresql://... --relays N`: N relay processes on one PostgreSQL
database behind HAProxy, as deployed (relay/standby.py: one active, the others forward).

Each run gets a schema of its own (`bench_<hex>`, dropped at the end unless --data keeps the
run); the relays share one key file and have each a data folder. The load generators know
HAProxy's address only. CPU is read from /proc: every relay process, and the PostgreSQL
backends of this run (found in pg_stat_activity by the run's application_name) when the
server runs on this machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from console1712.bench import procstat
from console1712.bench.haproxy import HAProxyProcess, find_haproxy, http_get
from console1712.bench.relay import (
    RAISED_LIMITS,
    BenchError,
    Options,
    RelayProcess,
    _report,
    data_dir,
    free_port,
    make_accounts,
    merged_errors,
    pool,
    split,
    steady_on,
    verify,
)
from console1712.bench.report import MIB, Report, Target, percentiles

Json = dict[str, Any]
LOCAL_HOSTS = ("", "127.0.0.1", "localhost", "::1")
WARM_UP = 2.0  # seconds of failover load before the kill
AFTER = 1.0  # seconds of failover load after every client is back
# HAProxy's health checks (deploy/haproxy.cfg: 2s): a check also times out after this long,
# and two failed ones cut every session of that relay. Shorter (200ms, as the deployment
# tests) and a loaded bench machine makes HAProxy drop live relays; longer and a dead relay
# takes longer to be out (new connections to it are retried meanwhile).
LB_CHECK = "1s"


def _pg(url: str, query: str, *args: Any) -> list[Any]:
    """Run one statement on the server with a connection of its own; its rows."""
    import asyncpg

    async def go() -> list[Any]:
        conn = await asyncpg.connect(url, timeout=10)
        try:
            return list(await conn.fetch(query, *args))
        finally:
            await conn.close()

    try:
        return asyncio.run(go())
    except (OSError, asyncpg.PostgresError) as exc:
        raise BenchError(f"PostgreSQL: {type(exc).__name__}: {exc}") from None


@dataclass(frozen=True)
class ClusterSample:
    """CPU and memory of every live relay process, and CPU seconds of each PostgreSQL backend
    of this run (None: the server is not on this machine)."""

    relays: dict[str, procstat.Sample]
    backends: dict[int, float] | None

    @property
    def utime(self) -> float:
        return sum(s.utime for s in self.relays.values())

    @property
    def stime(self) -> float:
        return sum(s.stime for s in self.relays.values())

    @property
    def cpu(self) -> float:
        return self.utime + self.stime

    @property
    def rss(self) -> int:
        return sum(s.rss for s in self.relays.values())


@dataclass
class Cluster:
    """The run's relays (relay1 .. relayN), HAProxy, and the run's schema."""

    server_url: str  # the URL as given (no search_path)
    schema: str
    relays: dict[str, RelayProcess] = field(default_factory=dict)
    haproxy: HAProxyProcess | None = None
    killed: set[str] = field(default_factory=set)
    log_lines: int = 0
    key_file: Path = Path()
    logins: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def settings(self) -> Json:
        """Settings that name the run's database and key (for the store's own checks)."""
        return {"database": self.database, "key_file": self.key_file}

    @property
    def database(self) -> str:
        """The relays' URL: the run's schema, and its name as application_name (so that
        pg_stat_activity tells this run's backends apart)."""
        sep = "&" if "?" in self.server_url else "?"
        return f"{self.server_url}{sep}search_path={self.schema}&application_name={self.schema}"

    @property
    def url(self) -> str:
        assert self.haproxy is not None
        return self.haproxy.url()

    @property
    def server_is_local(self) -> bool:
        host = urlsplit(self.server_url).hostname or ""
        return host in LOCAL_HOSTS or host.startswith("/")

    def alive(self) -> dict[str, RelayProcess]:
        return {name: r for name, r in self.relays.items() if name not in self.killed}

    def roles(self) -> dict[str, str]:
        """Each live relay's role from its /healthz ("active", "standby", "?" no answer)."""
        out = {}
        for name, relay in self.alive().items():
            status, body = http_get(relay.port, "/healthz", timeout=2)
            out[name] = str(json.loads(body).get("role", "?")) if status == 200 else "?"
        return out

    def wait_active(self, timeout: float = 60.0) -> str:
        """The name of the live relay that says it is active (waiting for one)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            active = [name for name, role in self.roles().items() if role == "active"]
            if len(active) == 1:
                return active[0]
            time.sleep(0.02)
        raise BenchError(f"no single active relay in {timeout:.0f} s: {self.roles()}")

    def backends(self) -> dict[int, float] | None:
        if not self.server_is_local:
            return None
        rows = _pg(
            self.server_url,
            "SELECT pid FROM pg_stat_activity WHERE application_name = $1",
            self.schema,
        )
        cpu: dict[int, float] = {}
        for row in rows:
            with contextlib.suppress(OSError):  # a backend that ended meanwhile
                cpu[int(row["pid"])] = procstat.sample(int(row["pid"])).cpu
        return cpu if cpu or not rows else None  # pids not readable: not this machine's

    def sample(self) -> ClusterSample:
        relays = {name: r.sample() for name, r in self.alive().items()}
        return ClusterSample(relays, self.backends())

    def kill(self, name: str) -> None:
        self.relays[name].kill()
        self.killed.add(name)


@contextlib.contextmanager
def running_cluster(opts: Options, clients: int, counsellors: int) -> Iterator[Cluster]:
    """N relays on a fresh schema (the first to start is the active one), HAProxy in front,
    `counsellors` accounts made; everything stopped and the schema dropped at the end."""
    if opts.database is None or not opts.database.startswith(("postgresql://", "postgres://")):
        raise BenchError("--database needs a postgresql:// URL")
    if "search_path=" in opts.database:
        raise BenchError("--database: give the URL without search_path (each run makes a schema)")
    binary = find_haproxy()
    if binary is None:
        raise BenchError("haproxy not found (PATH, /usr/sbin): apt-get install -y haproxy")
    cluster = Cluster(opts.database, "bench_" + secrets.token_hex(6))
    _pg(cluster.server_url, f"CREATE SCHEMA {cluster.schema}")
    try:
        with data_dir(opts) as root:
            root.mkdir(parents=True, exist_ok=True)
            cluster.key_file = root / "console1712.key"
            cluster.logins = make_accounts(root / "relay1", counsellors, database=cluster.settings)
            env = {
                **RAISED_LIMITS,
                "CONSOLE1712_DATABASE": cluster.database,
                "CONSOLE1712_KEY_FILE": str(cluster.key_file),
                "CONSOLE1712_TRUSTED_PROXIES": "127.0.0.1",
            }
            for i in range(1, opts.relays + 1):
                relay = RelayProcess(root / f"relay{i}", port=free_port(), env=env)
                cluster.relays[f"relay{i}"] = relay
            try:
                for n, relay in enumerate(cluster.relays.values()):
                    relay.start()
                    if n == 0:
                        cluster.wait_active()
                ports = [r.port for r in cluster.relays.values()]
                maxconn = max(2000, 2 * clients + 200)
                cluster.haproxy = HAProxyProcess(
                    binary, root, free_port(), ports, maxconn, check=LB_CHECK
                )
                try:
                    cluster.haproxy.launch()
                except RuntimeError as exc:
                    raise BenchError(str(exc)) from None
                yield cluster
            finally:
                if cluster.haproxy is not None:
                    cluster.haproxy.stop()
                for relay in cluster.relays.values():
                    relay.stop()
                    cluster.log_lines += relay.log_lines
    finally:
        if opts.data is None:
            _pg(cluster.server_url, f"DROP SCHEMA {cluster.schema} CASCADE")


def _describe(opts: Options) -> str:
    from console1712.store.postgres import describe

    return describe(opts.database or "")


def _per_message_us(seconds: float, messages: int) -> float | None:
    return round(seconds / messages * 1e6, 1) if messages else None


def run_cluster_steady(opts: Options) -> Report:
    """--steady through HAProxy in front of N relays on PostgreSQL: the figures of one relay
    (relay CPU summed over the relays), then each relay's CPU with its role, and the
    PostgreSQL backends' CPU."""
    with running_cluster(opts, opts.chatters + opts.counsellors, opts.counsellors) as cluster:
        roles = cluster.roles()
        report, before, after = steady_on(cluster, opts, cluster.logins)
    assert isinstance(before, ClusterSample) and isinstance(after, ClusterSample)
    report.params.update(
        {"relays": opts.relays, "database": _describe(opts), "schema": cluster.schema}
    )
    acked = int(report.figures["acked"])
    per_relay: Json = {}
    for name, a in after.relays.items():
        cpu = a.cpu - before.relays[name].cpu
        per_relay[name] = {
            "role": roles.get(name, "?"),
            "cpu_s": round(cpu, 3),
            "cpu_per_message_us": _per_message_us(cpu, acked),
            "rss_mib": round(a.rss / MIB, 1),
        }
    report.figures["relays"] = per_relay
    report.figures["relay_log_lines"] = cluster.log_lines
    if after.backends is None or before.backends is None:
        report.figures["postgres"] = "not on this machine: its CPU is not measured"
    else:
        pg_cpu = sum(cpu - before.backends.get(pid, 0.0) for pid, cpu in after.backends.items())
        report.figures["postgres"] = {
            "backends": len(after.backends),
            "cpu_s": round(pg_cpu, 3),
            "cpu_per_message_us": _per_message_us(pg_cpu, acked),
        }
    return report


def run_failover(opts: Options) -> Report:
    """Chatters and counsellors talking slowly through HAProxy; SIGKILL the active relay:
    time until every chatter resumed and every console logged in again, then every
    acknowledged message checked in the database (stored once, at its seq, intact)."""
    report = _report(
        "failover",
        {
            "relays": opts.relays,
            "database": _describe(opts),
            "chatters": opts.chatters,
            "counsellors": opts.counsellors,
            "rate": opts.failover_rate,
        },
    )
    if opts.relays < 2:
        raise BenchError("--failover needs --relays 2 or more (a standby to take over)")
    if opts.counsellors < 1:
        raise BenchError("--failover needs --counsellors 1 or more")
    clients = opts.chatters + opts.counsellors
    with running_cluster(opts, clients, opts.counsellors) as cluster, pool() as workers:
        report.params["schema"] = cluster.schema
        chatter_conns, chatter_shares = [], split(opts.chatters, opts.workers)
        first = 0
        for n in chatter_shares:
            params = {"role": "crash", "url": cluster.url, "n": n, "first": first}
            chatter_conns.append(workers.add({**params, "joined": True, "timeout": opts.timeout}))
            first += n
        staff = workers.add(
            {
                "role": "failover_counsellors",
                "url": cluster.url,
                "first": first,
                "accounts": cluster.logins,
                "quotas": split(opts.chatters, opts.counsellors),
                "timeout": opts.timeout,
            }
        )
        t_setup = time.monotonic()
        workers.collect("ready", opts.timeout)
        setup_s = time.monotonic() - t_setup
        half = opts.failover_rate / 2
        for conn, n in zip(chatter_conns, chatter_shares, strict=True):
            conn.send(("go", {"rate": half * n / max(1, opts.chatters), "size": opts.size}))
        staff.send(("go", {"rate": half, "size": opts.size}))
        time.sleep(WARM_UP)
        roles_before = cluster.roles()
        victim = cluster.wait_active()
        killed_ns = time.monotonic_ns()
        cluster.kill(victim)
        successor = cluster.wait_active()
        takeover_s = (time.monotonic_ns() - killed_ns) / 1e9
        workers.send(("back?", killed_ns))
        back = workers.collect("back", opts.timeout)
        time.sleep(AFTER)
        workers.send(("stop", None))
        chatter_results = workers.collect("result", opts.timeout, chatter_conns)
        (staff_result,) = workers.collect("result", opts.timeout, [staff])
        acked: dict[str, dict[str, Any]] = {}
        for result in [*chatter_results, staff_result]:
            for chat, ids in result["acked"].items():
                acked.setdefault(chat, {}).update(ids)
        check = asyncio.run(verify(cluster.relays["relay1"].data, [acked], cluster.settings))
    chatters_back = sum(b["back"] for b in back[:-1])
    consoles_back = back[-1]["back"]
    last = max(b["last_ns"] for b in back)
    everyone_back = chatters_back == opts.chatters and consoles_back == opts.counsellors
    all_back_s = round((last - killed_ns) / 1e9, 3) if everyone_back else None
    report.figures = {
        "setup_s": round(setup_s, 1),
        "roles_before": roles_before,
        "killed": victim,
        "took_over": successor,
        "takeover_s": round(takeover_s, 3),
        "chatters_resumed": chatters_back,
        "consoles_logged_in_again": consoles_back,
        "all_back_s": all_back_s,
        "chatter_away_ms": percentiles([v for r in chatter_results for v in r["away_ms"]]),
        "sent": sum(r["sent"] for r in chatter_results) + staff_result["sent"],
        **check,
        "unacked_at_end": sum(r["unacked"] for r in chatter_results) + staff_result["unacked"],
        "abandoned_unacked": sum(r["abandoned"] for r in chatter_results),
        "errors": {
            "chatters": merged_errors(chatter_results),
            "consoles": merged_errors([staff_result]),
        },
    }
    report.targets = [
        Target(f"kill -> {clients} clients back", all_back_s, 10, "s"),
        Target("lost acknowledged messages", float(check["lost"]), 0, ""),
        Target("duplicated messages", float(check["duplicated"]), 0, ""),
    ]
    return report
