"""Fixtures of the deployment tests: relays behind HAProxy, in both shapes (one relay on
SQLite, three on PostgreSQL); the browser of the web page's tests (tests/web/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.deploy.procs import Deployment
from tests.web.conftest import browser, chromium, page  # noqa: F401  (fixtures)


@pytest.fixture(params=["one relay", "three relays"])
def deployment(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Deployment]:
    pg_url = request.getfixturevalue("pg_url") if request.param == "three relays" else None
    shape = Deployment(request.param, tmp_path, pg_url)
    try:
        yield shape
    finally:
        shape.kill_all()
