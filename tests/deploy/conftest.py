"""Fixtures of the deployment tests: a relay process on a fixed port and HAProxy in front of
it; the browser of the web page's tests (tests/web/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.deploy.procs import HAProxy, RelayProcess
from tests.web.conftest import browser, chromium, page  # noqa: F401  (fixtures)


@pytest.fixture
def relay_process(tmp_path: Path) -> Iterator[RelayProcess]:
    rp = RelayProcess(
        tmp_path / "data",
        tmp_path / "relay.log",
        # Every test client comes from 127.0.0.1 (and, behind HAProxy, every client does):
        # the per-address caps are not what this test is about.
        env={
            "CONSOLE1712_MAX_WAITING_PER_ADDRESS": "1000",
            "CONSOLE1712_CHAT_RATE_PER_SECOND": "1000",
            "CONSOLE1712_CHAT_RATE_PER_10S": "10000",
        },
    )
    try:
        yield rp
    finally:
        rp.stop()


@pytest.fixture
def haproxy(tmp_path: Path, relay_process: RelayProcess) -> Iterator[HAProxy]:
    proxy = HAProxy(tmp_path, [relay_process.fixed_port])
    try:
        yield proxy
    finally:
        proxy.stop()
