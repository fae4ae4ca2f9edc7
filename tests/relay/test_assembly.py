"""Operations and services are handed to the relay: a test builds one with its own set."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

import pytest
from msgspec import Meta
from websockets.asyncio.client import connect

from console1712.clock import FakeClock
from console1712.config import Settings
from console1712.protocol.operations import OpRequest, Short
from console1712.relay import operations as ops
from console1712.relay.assembly import standard_operations, standard_services
from console1712.relay.operations import blocks, supervision
from console1712.relay.server import Relay
from tests.databases import both_databases, one_database
from tests.relay.helpers import console, expect_error, recv_type, request, url

pytestmark = both_databases


class Echo(OpRequest, tag="test_echo"):
    fail: Annotated[str | None, Short(64)] = None
    n: Annotated[int, Meta(ge=0, le=9)] | None = None


async def echo(ctx: ops.OpContext, q: Echo) -> dict[str, Any]:
    if q.fail:
        raise ops.OpError("not_found", "niets", thing=q.fail)
    return {"type": "test_echo", "by": ctx.caller.name, "value": q.n}


@pytest.fixture
async def relay(settings: Settings, clock: FakeClock) -> AsyncIterator[Relay]:
    """A relay with only the blocks operations and an echo: no mail, no services."""
    server = Relay(
        settings,
        clock,
        operations=(*blocks.OPERATIONS, ops.Operation(Echo, ops.STAFF, echo)),
        services=(),
    )
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def test_handed_operations_are_dispatched_with_roles(relay, make_staff) -> None:
    anna = await make_staff("anna")
    root = await make_staff("root", role="admin", team=None)
    async with console(relay, anna) as ws:
        got = await request(ws, {"type": "test_echo", "n": 3, "ref": "e"}, "test_echo")
        assert got == {"type": "test_echo", "by": "anna", "value": 3, "ref": "e"}
        err = await expect_error(ws, {"type": "test_echo", "fail": "x"}, "not_found")
        assert err["detail"] == "niets" and err["thing"] == "x"
        err = await expect_error(ws, {"type": "test_echo", "n": 10}, "bad_request")
        assert "'n'" in err["detail"]
        # Not handed to this relay: an unknown type, like any other.
        err = await expect_error(ws, {"type": "mail_threads"}, "bad_request")
        assert err["detail"] == "Onbekend of ontbrekend berichttype."
    async with console(relay, root) as ws:
        await expect_error(ws, {"type": "test_echo"}, "forbidden")
    async with connect(url(relay, "/chat")) as ws:  # never on /chat
        await recv_type(ws, "welcome")
        await expect_error(ws, {"type": "test_echo"}, "bad_request")


async def test_a_relay_without_services_runs_none(relay) -> None:
    assert relay.service(supervision.Monitor) is None


@one_database  # refused while the relay is built, before it opens a database
def test_an_operation_handed_twice_is_refused(settings: Settings) -> None:
    twice = (*blocks.OPERATIONS, *blocks.OPERATIONS)
    with pytest.raises(ValueError, match="block"):
        Relay(settings, operations=twice, services=())


def test_the_standard_services_start_in_order() -> None:
    names = [factory.__name__ for factory in standard_services()]
    assert names == [
        "smtp_service",
        "retention_service",
        "monitor_service",
        "alerts_service",
        "help_service",
    ]
    assert len({op.type for op in standard_operations()}) == len(standard_operations())
