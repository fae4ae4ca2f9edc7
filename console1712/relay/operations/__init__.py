"""Staff operations beyond the chat core (mail, dossiers, supervision): request/answer pairs.

Each operations module lists its operations in a tuple OPERATIONS: the typed request
(protocol/operations.py), the roles allowed, and the async handler. The relay is handed
the operations it serves (relay/assembly.py has the standard set); it checks the caller's
role, decodes the frame into the request type, calls the handler and sends what it returns
as the answer (with the request's `ref`). A handler signals a refusal by raising OpError
and a request that breaks a rule of the relay's state or settings by raising
protocol.BadRequest; malformed fields never reach it.

Parts that must run beside the relay (an SMTP listener, a daily retention job, a live
monitor) are services: a module lists factories in SERVICES; the relay starts what they
make after its own start and stops them before it closes the database.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from console1712.clock import Clock
from console1712.config import Settings
from console1712.domain.vocabulary import ROLES, STAFF_ROLES
from console1712.protocol.operations import OpRequest, decode_as, type_of
from console1712.store.accounts import Account
from console1712.store.db import Database

R = TypeVar("R", bound=OpRequest)
S = TypeVar("S")

STAFF = frozenset(STAFF_ROLES)
SUPERVISOR = frozenset({"supervisor"})
ANYONE = frozenset(ROLES)


class OpError(Exception):
    """A refusal answered as `error` with `code` (e.g. not_found, forbidden) and extra fields."""

    def __init__(self, code: str, detail: str = "", **extra: Any) -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail
        self.extra = extra


class RelayView(Protocol):
    """What operations may use of the relay (kept small so the relay stays replaceable)."""

    settings: Settings
    clock: Clock

    @property
    def db(self) -> Database: ...

    def send_to_staff(self, name: str, frame: dict[str, Any]) -> None:
        """Send a frame to every open console of one staff member."""

    def broadcast_staff(self, frame: dict[str, Any], roles: frozenset[str] = ANYONE) -> None:
        """Send a frame to every logged-in console whose role is in `roles`."""

    def service(self, kind: type[S]) -> S | None:
        """The running service of class `kind` (None if the relay runs none)."""


@dataclass
class OpContext:
    """Who asks, and the relay they ask."""

    relay: RelayView
    caller: Account

    @property
    def db(self) -> Database:
        return self.relay.db

    @property
    def clock(self) -> Clock:
        return self.relay.clock

    @property
    def settings(self) -> Settings:
        return self.relay.settings


Answer = dict[str, Any]


@dataclass(frozen=True)
class Operation(Generic[R]):
    """One staff operation: its request type (whose tag is the frame's `type`), the roles
    allowed to ask, and the handler that answers."""

    request: type[R]
    roles: frozenset[str]
    handler: Callable[[OpContext, R], Awaitable[Answer]]

    @property
    def type(self) -> str:
        return type_of(self.request)

    async def run(self, ctx: OpContext, frame: dict[str, Any]) -> Answer:
        """Decode the frame (BadRequest names a bad field) and answer it."""
        return await self.handler(ctx, decode_as(self.request, frame))


class Service(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


# Makes a service for a relay, or None when it is not wanted (settings).
ServiceFactory = Callable[["RelayView"], Service | None]
