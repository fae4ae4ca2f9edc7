"""What a console needs to know about a demo relay: its logins (with TOTP secrets, so the
login screen can show current codes) and the lines the help screen (F1) shows.

The demo writes them to a file of this user only (mode 0600) named after its port, and
its relay answers `/healthz` with a one-off `demo` token that the file repeats. A console
reads the file only for a loopback `ws://` URL whose relay says it is a demo with that
same token: a production relay never says so, so a stale or planted file shows nothing.
"""

from __future__ import annotations

import json
import os
import tempfile
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class DemoInfo:
    """A demo relay's logins and help lines."""

    token: str
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # name, password, secret
    lines: list[str] = field(default_factory=list)  # shown under "Demo" on the help screen


def demo_file(port: int) -> Path:
    return Path(tempfile.gettempdir()) / f"console1712-{os.getuid()}-demo-{port}.json"


def write(port: int, info: DemoInfo) -> Path:
    """Write the file for a demo relay on `port`, readable by this user only."""
    path = demo_file(port)
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    body = {"token": info.token, "logins": [list(x) for x in info.logins], "lines": info.lines}
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(body, out)
    return path


def remove(port: int) -> None:
    demo_file(port).unlink(missing_ok=True)


def discover(url: str, timeout: float = 1.0) -> DemoInfo | None:
    """The demo info for a console URL, or None (not loopback, not a demo, no file)."""
    parts = urlsplit(url)
    if parts.scheme != "ws" or parts.hostname not in LOOPBACK or parts.port is None:
        return None
    host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname
    try:
        with urllib.request.urlopen(
            f"http://{host}:{parts.port}/healthz", timeout=timeout
        ) as response:
            health = json.loads(response.read(4096))
        token = health.get("demo") if isinstance(health, dict) else None
        if not isinstance(token, str) or not token:
            return None
        body = json.loads(demo_file(parts.port).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(body, dict) or body.get("token") != token:
        return None
    logins = [
        (str(x[0]), str(x[1]), str(x[2]))
        for x in body.get("logins", [])
        if isinstance(x, list) and len(x) == 3
    ]
    lines = [str(line) for line in body.get("lines", []) if isinstance(line, str)]
    return DemoInfo(token, logins, lines)
