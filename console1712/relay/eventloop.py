"""Which event loop a process of ours runs on: uvloop where installed, else asyncio's own.

Measured (docs/benchmarks.md, `bench relay --floor`): websockets on uvloop costs a third
less CPU per frame than on the standard loop, and the relay's latency falls by a third.
The relay process follows the setting `event_loop`; the load processes of `bench` use
uvloop whenever it is installed, so that they leave the two cores to the relay.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from console1712.config import EVENT_LOOPS

T = TypeVar("T")
CHOICES = EVENT_LOOPS  # declared with the settings, which check them


class LoopUnavailable(RuntimeError):
    """The setting asks for uvloop and it is not installed."""


def loop_factory(choice: str = "auto") -> Callable[[], asyncio.AbstractEventLoop] | None:
    """The loop factory for `asyncio.Runner`; None means asyncio's own loop."""
    if choice == "asyncio":
        return None
    try:
        import uvloop
    except ImportError:
        if choice == "uvloop":
            raise LoopUnavailable("event_loop is 'uvloop' but uvloop is not installed") from None
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def run(main: Coroutine[Any, Any, T], choice: str = "auto") -> T:
    """`asyncio.run(main)` on the chosen loop."""
    with asyncio.Runner(loop_factory=loop_factory(choice)) as runner:
        return runner.run(main)
