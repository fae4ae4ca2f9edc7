"""Staff operations beyond the chat core (mail, dossiers, supervision): request/answer pairs.

A part of the program adds its operations by decorating async handlers with `@operation`
in its own module and listing that module in OPERATION_MODULES. The relay validates the
frame's `type`, checks the caller's role, calls the handler and sends what it returns as
the answer (with the request's `ref`). A handler signals a refusal by raising OpError and
a malformed frame by raising protocol.BadRequest (use the field helpers below).

Parts that must run beside the relay (an SMTP listener, a daily retention job, a live
monitor) register a service factory with `@service`; the relay starts them after its own
start and stops them before it closes the database.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from console1712.clock import Clock
from console1712.config import Settings
from console1712.domain.text import TextError, clean_field, clean_text
from console1712.domain.vocabulary import ROLES, STAFF_ROLES
from console1712.protocol.frames import BadRequest
from console1712.store.accounts import Account
from console1712.store.db import Database

# Modules that define operations and services; each is imported once by the relay.
OPERATION_MODULES: tuple[str, ...] = (
    "console1712.relay.operations.mail",
    "console1712.relay.services.smtp",
    "console1712.relay.operations.dossiers",
    "console1712.relay.services.retention",
    "console1712.relay.operations.supervision",
    "console1712.relay.operations.stepping",
    "console1712.relay.operations.alerts",
    "console1712.relay.operations.registrations",
    "console1712.relay.operations.help",
    "console1712.relay.operations.blocks",
)

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


Handler = Callable[[OpContext, dict[str, Any]], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Operation:
    type: str
    roles: frozenset[str]
    handler: Handler


class Service(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


OPERATIONS: dict[str, Operation] = {}
SERVICES: list[Callable[[RelayView], Service | None]] = []


def operation(type_: str, roles: frozenset[str] = STAFF) -> Callable[[Handler], Handler]:
    """Register a handler for staff frames of `type_`, allowed to the given roles."""

    def register(handler: Handler) -> Handler:
        if type_ in OPERATIONS and OPERATIONS[type_].handler is not handler:
            raise RuntimeError(f"operation {type_!r} registered twice")
        OPERATIONS[type_] = Operation(type_, roles, handler)
        return handler

    return register


def service(
    factory: Callable[[RelayView], Service | None],
) -> Callable[[RelayView], Service | None]:
    """Register a factory for a service that runs beside the relay (None: not wanted now)."""
    if factory not in SERVICES:
        SERVICES.append(factory)
    return factory


def load_modules(modules: Sequence[str] = OPERATION_MODULES) -> None:
    for name in modules:
        importlib.import_module(name)


# -- field helpers: raise BadRequest (answered as bad_request) ---------------------------


def req_str(f: dict[str, Any], name: str, *, max_len: int = 200) -> str:
    value = opt_str(f, name, max_len=max_len)
    if not value:
        raise BadRequest("bad.field", name)
    return value


def opt_str(f: dict[str, Any], name: str, *, max_len: int = 200) -> str | None:
    """A short one-line field (ids, names, codes), cleaned of control characters."""
    value = f.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadRequest("bad.field", name)
    try:
        return clean_field(value, max_len=max_len)
    except TextError:
        raise BadRequest("bad.field", name) from None


def req_text(f: dict[str, Any], name: str, *, max_len: int = 20000) -> str:
    """A free text (reply, annotation): 1..max_len characters after cleaning."""
    value = f.get(name)
    if not isinstance(value, str):
        raise BadRequest("bad.field", name)
    try:
        return clean_text(value, max_len=max_len)
    except TextError:
        raise BadRequest("bad.field", name) from None


def opt_int(f: dict[str, Any], name: str, lo: int, hi: int) -> int | None:
    value = f.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadRequest("bad.field", name)
    if not lo <= value <= hi:
        raise BadRequest("bad.field", name)
    return value


def req_int(f: dict[str, Any], name: str, lo: int, hi: int) -> int:
    value = opt_int(f, name, lo, hi)
    if value is None:
        raise BadRequest("bad.field", name)
    return value


def req_choice(f: dict[str, Any], name: str, choices: Sequence[str]) -> str:
    value = opt_choice(f, name, choices)
    if value is None:
        raise BadRequest("bad.field", name)
    return value


def opt_choice(f: dict[str, Any], name: str, choices: Sequence[str]) -> str | None:
    value = f.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadRequest("bad.field", name)
    if value not in choices:
        raise BadRequest("bad.field", name)
    return value


def opt_bool(f: dict[str, Any], name: str) -> bool | None:
    value = f.get(name)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise BadRequest("bad.field", name)
    return value
