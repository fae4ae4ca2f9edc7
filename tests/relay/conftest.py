"""Fixtures for relay tests: a relay with changed settings, a logged-in counsellor."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest

from console1712.clock import FakeClock
from console1712.config import Settings
from console1712.relay.server import Relay
from tests.relay.helpers import standard_relay


@pytest.fixture
def relay_with(
    settings: Settings, clock: FakeClock
) -> Callable[..., AbstractAsyncContextManager[Relay]]:
    """`async with relay_with(max_connections_per_address=2) as relay:` a relay so configured."""

    @asynccontextmanager
    async def make(**changes: Any) -> AsyncIterator[Relay]:
        server = standard_relay(dataclasses.replace(settings, **changes), clock)
        await server.start()
        try:
            yield server
        finally:
            await server.stop()

    return make
