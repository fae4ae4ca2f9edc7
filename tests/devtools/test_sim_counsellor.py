"""Simulated counsellors (`demo --counsellors N`) against a real relay."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from console1712.client.chatter import ChatterClient
from console1712.clock import FakeClock
from console1712.config import Settings, load_settings
from console1712.devtools.simulate import (
    COUNSELLOR_GOODBYE,
    COUNSELLOR_REPLIES,
    SimulatedCounsellor,
)
from console1712.protocol import events as ev
from tests.relay.helpers import poll


@pytest.fixture
def clock() -> FakeClock:
    # The simulated counsellor computes its code from the real time, as a phone would.
    return FakeClock(datetime.now(UTC))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        environ={},
        overrides={"data": tmp_path / "data", "port": 0, "smtp_port": 0, "always_open": True},
    )


async def test_accepts_greets_answers_and_ends_a_quiet_chat(relay: Any, make_staff: Any) -> None:
    staff = await make_staff("ann", display="Ann")
    sim = SimulatedCounsellor(
        f"ws://127.0.0.1:{relay.port}/console",
        staff.name,
        staff.password,
        staff.secret,
        speed=50,
        idle_end=50,  # one second at this speed
    )
    task = asyncio.create_task(sim.run())
    chatter = ChatterClient(f"ws://127.0.0.1:{relay.port}/chat")
    try:
        await chatter.connect()
        await chatter.start(nickname="Sam")
        texts: list[str] = []
        async with asyncio.timeout(20):
            async for event in chatter.events():
                if isinstance(event, ev.Joined):
                    assert event.counsellor == "Ann"
                if isinstance(event, ev.Message):
                    texts.append(event.text)
                    if len(texts) == 1:
                        await chatter.say("Mijn vader roept veel.")
                if isinstance(event, ev.Ended):
                    assert event.by == "counsellor"
                    break
        assert texts[0].startswith("Dag Sam, fijn dat je ons schrijft.")
        assert texts[1] == COUNSELLOR_REPLIES[0]
        assert texts[-1] == COUNSELLOR_GOODBYE  # the chat went quiet: ended, place freed
        await poll(lambda: not sim.chats)  # its own `ended` frees the place
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await chatter.close()
