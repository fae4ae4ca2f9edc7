"""deploy/haproxy.cfg is valid for HAProxy as shipped (TLS) and as the tests render it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.procs import HAPROXY_CFG, HAProxy, haproxy_binary


def self_signed_pem(where: Path) -> Path:
    """A throwaway certificate and key in one PEM file, as HAProxy's `crt` wants it."""
    if shutil.which("openssl") is None:
        pytest.fail("openssl not found (Debian's openssl package)")
    key, cert, pem = where / "key.pem", where / "cert.pem", where / "site.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=chat.1712.test", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    pem.write_bytes(cert.read_bytes() + key.read_bytes())
    return pem


def haproxy_check(cfg: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [haproxy_binary(), "-c", "-f", str(cfg)],
        env={**os.environ, **env}, capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_shipped_config_with_tls_is_valid(tmp_path: Path) -> None:
    pem = self_signed_pem(tmp_path)
    result = haproxy_check(
        HAPROXY_CFG,
        CONSOLE1712_LB_BIND="127.0.0.1:8443",
        CONSOLE1712_LB_CERT=str(pem),
        CONSOLE1712_RELAY1="127.0.0.1:1712",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Configuration file is valid" in result.stdout + result.stderr


def test_a_missing_certificate_is_an_error(tmp_path: Path) -> None:
    """`haproxy -c` really reads the TLS stanza: a wrong certificate path fails the check."""
    result = haproxy_check(
        HAPROXY_CFG,
        CONSOLE1712_LB_BIND="127.0.0.1:8443",
        CONSOLE1712_LB_CERT=str(tmp_path / "missing.pem"),
        CONSOLE1712_RELAY1="127.0.0.1:1712",
    )
    assert result.returncode != 0


def test_rendered_plain_config_is_valid(tmp_path: Path) -> None:
    proxy = HAProxy(tmp_path, [20001, 20002, 20003])
    result = proxy.check()
    assert result.returncode == 0, result.stdout + result.stderr
    text = proxy.cfg.read_text()
    assert " ssl " not in text and len(re.findall(r"^\s*server relay\d ", text, re.M)) == 3


def test_config_fits_long_lived_websockets_and_checks_health() -> None:
    text = HAPROXY_CFG.read_text()
    lines = [line.split("#")[0].strip() for line in text.splitlines()]
    assert "mode http" in lines  # HTTP mode: HAProxy passes WebSocket upgrades through
    assert "http-check send meth GET uri /healthz" in lines
    assert "http-check expect status 200" in lines
    assert "balance leastconn" in lines
    assert 'timeout tunnel "${CONSOLE1712_LB_TUNNEL-1h}"' in lines  # after the upgrade
    assert any(line.startswith("default-server check") for line in lines)
    assert any("on-marked-down shutdown-sessions" in line for line in lines)
    # No client address and no request line in HAProxy's log lines (privacy).
    (log_format,) = [line for line in lines if line.startswith("log-format")]
    assert "%ci" not in log_format and "%r" not in log_format and "%HU" not in log_format
