"""A second console finds a demo relay's logins only when that relay says it is a demo."""

from __future__ import annotations

import os
import stat
from typing import Any

import pytest

from console1712.devtools import demoinfo


@pytest.fixture
def published(relay: Any) -> Any:
    info = demoinfo.DemoInfo("tok-123", [("demo", "demo-pass", "JBSWY3DPEHPK3PXP")], ["Chat"])
    path = demoinfo.write(relay.port, info)
    try:
        yield path
    finally:
        demoinfo.remove(relay.port)


async def test_a_demo_relay_with_its_token_shares_logins(relay: Any, published: Any) -> None:
    import asyncio

    relay.demo_token = "tok-123"
    url = f"ws://127.0.0.1:{relay.port}/console"
    info = await asyncio.to_thread(demoinfo.discover, url)
    assert info is not None
    assert info.logins == [("demo", "demo-pass", "JBSWY3DPEHPK3PXP")]
    assert info.lines == ["Chat"]
    assert stat.S_IMODE(os.stat(published).st_mode) == 0o600


async def test_nothing_is_shared_unless_the_relay_says_demo(relay: Any, published: Any) -> None:
    import asyncio

    url = f"ws://127.0.0.1:{relay.port}/console"
    # A relay that is not a demo (production): the file next to it is ignored.
    assert await asyncio.to_thread(demoinfo.discover, url) is None
    # Another demo's token: ignored too.
    relay.demo_token = "other"
    assert await asyncio.to_thread(demoinfo.discover, url) is None
    # Only plain ws:// on loopback is ever asked.
    relay.demo_token = "tok-123"
    assert await asyncio.to_thread(demoinfo.discover, url.replace("ws://", "wss://")) is None
    assert demoinfo.discover(f"ws://relay.example:{relay.port}/console") is None
    demoinfo.remove(relay.port)
    assert await asyncio.to_thread(demoinfo.discover, url) is None
