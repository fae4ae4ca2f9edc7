"""Real processes for the deployment tests: `console1712 relay` on a fixed loopback port
(so that it comes back where HAProxy looks for it, as under systemd) and HAProxy itself,
started with deploy/haproxy.cfg rendered for the test's ports."""

from __future__ import annotations

import asyncio
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e import test_relay_restart as e2e

ROOT = Path(__file__).resolve().parents[2]
HAPROXY_CFG = ROOT / "deploy" / "haproxy.cfg"
TLS_BIND = ' ssl crt "${CONSOLE1712_LB_CERT}" alpn http/1.1'
SERVER_LINE = 'server relay1 "${CONSOLE1712_RELAY1}"'


def free_port() -> int:
    """A loopback port nobody listens on now (the relay and HAProxy need fixed ports)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def haproxy_binary() -> str:
    """Debian's haproxy; its absence fails the test (`make test` installs it)."""
    path = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not os.path.exists(path):
        pytest.fail("haproxy not found: run `make haproxy` (apt-get install -y haproxy)")
    return path


def render_haproxy(relay_ports: list[int], *, tls: bool = False) -> str:
    """deploy/haproxy.cfg with one `server` line per relay port; without `tls` the bind line
    loses its TLS options (the tests speak plain HTTP to HAProxy)."""
    text = HAPROXY_CFG.read_text()
    assert text.count(TLS_BIND) == 1 and text.count(SERVER_LINE) == 1, "template changed"
    if not tls:
        text = text.replace(TLS_BIND, "")
    servers = "\n    ".join(
        f"server relay{i} 127.0.0.1:{port}" for i, port in enumerate(relay_ports, 1)
    )
    return text.replace(SERVER_LINE, servers)


def http_get(port: int, path: str) -> tuple[int, bytes]:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()
    except OSError:
        return 0, b""


class RelayProcess(e2e.RelayProcess):
    """`console1712 relay` in a child process on a fixed port (`start` again after a kill
    comes back where HAProxy looks for it); `env` adds CONSOLE1712_* settings."""

    def __init__(self, data: Path, log: Path, env: dict[str, str] | None = None) -> None:
        super().__init__(data, log)
        self.port = self.fixed_port = free_port()
        self.env = env or {}
        self.logs: list[str] = []  # the log of each earlier run

    def _spawn(self) -> None:
        if self.log.exists():
            self.logs.append(self.log.read_text())
        with self.log.open("wb") as err:
            env = {k: v for k, v in os.environ.items() if not k.startswith("CONSOLE1712_")}
            self.proc = subprocess.Popen(
                [sys.executable, "-c", "from console1712.cli import entry; entry()", "relay",
                 "--data", str(self.data), "--port", str(self.fixed_port), "--always-open",
                 "--smtp-port", "0"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                env={**env, **self.env},
            )  # fmt: skip

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class HAProxy:
    """HAProxy in the foreground with deploy/haproxy.cfg rendered for `relay_ports`."""

    def __init__(self, workdir: Path, relay_ports: list[int]) -> None:
        self.port = free_port()
        self.cfg = workdir / "haproxy.cfg"
        self.cfg.write_text(render_haproxy(relay_ports))
        self.log = workdir / "haproxy.log"
        self.env = {
            **os.environ,
            "CONSOLE1712_LB_BIND": f"127.0.0.1:{self.port}",
            "CONSOLE1712_LB_CHECK": "200ms",  # notice a dead relay fast in tests
            "CONSOLE1712_LB_MAXCONN": "1000",  # 20,000 needs more open files than CI allows
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def check(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [haproxy_binary(), "-c", "-f", str(self.cfg)],
            env=self.env, capture_output=True, text=True, check=False,
        )  # fmt: skip

    def _spawn(self) -> None:
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [haproxy_binary(), "-db", "-f", str(self.cfg)],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=self.env,
            )  # fmt: skip

    async def start(self) -> None:
        self._spawn()
        assert self.proc is not None
        for _ in range(400):
            assert self.proc.poll() is None, "haproxy exited: " + self.log.read_text()
            status, _ = await asyncio.to_thread(http_get, self.port, "/healthz")
            if status == 200:
                return
            await asyncio.sleep(0.05)
        raise AssertionError("/healthz through haproxy never answered 200")

    def url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# Every test client comes from 127.0.0.1 (and, behind HAProxy, every client does): the
# per-address caps are not what the deployment tests are about.
LIFTED_LIMITS = {
    "CONSOLE1712_MAX_WAITING_PER_ADDRESS": "1000",
    "CONSOLE1712_CHAT_RATE_PER_SECOND": "1000",
    "CONSOLE1712_CHAT_RATE_PER_10S": "10000",
}


class Deployment:
    """Relays behind HAProxy, in one of two shapes:

    - "one relay": on SQLite; its crash is a SIGKILL and a restart on the same port (as
      systemd's Restart=always does);
    - "three relays": on one PostgreSQL database (one active, two standing by and forwarding,
      relay/standby.py); the crash is a SIGKILL of the active one, which stays dead, and a
      standby takes over."""

    def __init__(self, kind: str, workdir: Path, pg_url: str | None = None) -> None:
        self.kind = kind
        self.data = workdir / "data"  # the key file (and, for one relay, the database)
        self.database = pg_url
        if kind == "one relay":
            self.relays = [RelayProcess(self.data, workdir / "relay.log", dict(LIFTED_LIMITS))]
        else:
            assert pg_url is not None
            env = {
                **LIFTED_LIMITS,
                "CONSOLE1712_DATABASE": pg_url,
                "CONSOLE1712_KEY_FILE": str(self.data / "console1712.key"),
                # HAProxy and the standbys forward the clients' addresses (127.0.0.1 here)
                "CONSOLE1712_TRUSTED_PROXIES": "127.0.0.1",
            }
            self.relays = [
                RelayProcess(workdir / f"r{i}", workdir / f"r{i}.log", env) for i in (1, 2, 3)
            ]
        self.haproxy = HAProxy(workdir, [rp.fixed_port for rp in self.relays])

    async def start(self) -> None:
        """The relays (the first to start is the active one), then HAProxy."""
        for rp in self.relays:
            await rp.start()
        for rp in self.relays[1:]:
            await until_logged(rp, "state: standby")
        await self.haproxy.start()

    async def kill(self) -> None:
        """SIGKILL the relay that serves (the active one)."""
        assert await self.relays[0].kill(signal.SIGKILL) == -signal.SIGKILL

    async def recover(self) -> None:
        """After `kill`: one relay is started again; of three, a standby takes over alone."""
        if self.kind == "one relay":
            await self.relays[0].start()

    @property
    def serving(self) -> list[RelayProcess]:
        """The relays still running after the crash."""
        return self.relays if self.kind == "one relay" else self.relays[1:]

    def took_over(self) -> list[RelayProcess]:
        """The standbys that became the active relay."""
        return [rp for rp in self.relays[1:] if "takes over" in rp.log.read_text()]

    async def stop(self) -> None:
        """SIGTERM to every running relay (each must exit 0), then HAProxy."""
        for rp in self.relays:
            if rp.proc is not None and rp.proc.poll() is None:
                assert await rp.kill(signal.SIGTERM) == 0
        self.haproxy.stop()

    def kill_all(self) -> None:
        for rp in self.relays:
            rp.stop()
        self.haproxy.stop()


async def until_logged(rp: RelayProcess, text: str) -> None:
    for _ in range(400):
        if text in rp.log.read_text():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{rp.log} never logged {text!r}: " + rp.log.read_text())
