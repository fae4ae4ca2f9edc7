"""HAProxy in front of relays on loopback ports: deploy/haproxy.cfg rendered for given
relay ports (one function, shared by `bench relay --relays N` and the deployment tests),
and a foreground HAProxy process for the bench."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from console1712.bench.loadgen import raise_fd_limit

HAPROXY_CFG = Path(__file__).resolve().parents[2] / "deploy" / "haproxy.cfg"
TLS_BIND = ' ssl crt "${CONSOLE1712_LB_CERT}" alpn http/1.1'
SERVER_LINE = 'server relay1 "${CONSOLE1712_RELAY1}"'
FALLBACKS = ["/usr/sbin/haproxy"]  # where Debian puts it (outside a user's PATH)


class TemplateChanged(ValueError):
    """deploy/haproxy.cfg no longer has the lines the rendering replaces."""


def render_haproxy(relay_ports: list[int], *, tls: bool = False) -> str:
    """deploy/haproxy.cfg with one `server` line per relay port on 127.0.0.1; without `tls`
    the bind line loses its TLS options (plain HTTP to HAProxy)."""
    text = HAPROXY_CFG.read_text()
    if text.count(TLS_BIND) != 1 or text.count(SERVER_LINE) != 1:
        raise TemplateChanged(f"{HAPROXY_CFG}: the bind or server line changed")
    if not tls:
        text = text.replace(TLS_BIND, "")
    servers = "\n    ".join(
        f"server relay{i} 127.0.0.1:{port}" for i, port in enumerate(relay_ports, 1)
    )
    return text.replace(SERVER_LINE, servers)


def find_haproxy() -> str | None:
    """Debian's haproxy (on PATH or /usr/sbin), or None."""
    found = shutil.which("haproxy")
    return found or next((path for path in FALLBACKS if os.path.exists(path)), None)


def http_get(port: int, path: str, timeout: float = 5) -> tuple[int, bytes]:
    """GET http://127.0.0.1:port/path: status and body, (0, b"") when nothing answers."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()
    except OSError:
        return 0, b""


class HAProxyProcess:
    """HAProxy in the foreground (`-db`) on `port`, balancing over `relay_ports`; `check`:
    the interval (and timeout) of its health checks."""

    def __init__(
        self,
        binary: str,
        workdir: Path,
        port: int,
        relay_ports: list[int],
        maxconn: int,
        check: str = "200ms",
    ) -> None:
        self.binary = binary
        self.port = port
        self.cfg = workdir / "haproxy.cfg"
        self.cfg.write_text(render_haproxy(relay_ports))
        self.log = workdir / "haproxy.log"
        self.env = {
            **os.environ,
            "CONSOLE1712_LB_BIND": f"127.0.0.1:{port}",
            # A relay failing two checks in a row is out (each may take this long).
            "CONSOLE1712_LB_CHECK": check,
            "CONSOLE1712_LB_MAXCONN": str(maxconn),
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def spawn(self) -> subprocess.Popen[bytes]:
        """Start HAProxy, its output (one line per connection) to `log`."""
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [self.binary, "-db", "-f", str(self.cfg)],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=self.env,
                preexec_fn=raise_fd_limit,
            )  # fmt: skip
        return self.proc

    def launch(self, timeout: float = 20.0) -> None:
        """Start and wait until /healthz answers 200 through it; RuntimeError otherwise."""
        proc = self.spawn()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError("haproxy exited: " + self.log.read_text()[-500:])
            if http_get(self.port, "/healthz")[0] == 200:
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"/healthz through haproxy never answered 200 in {timeout:.0f} s")

    def url(self, path: str = "") -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
