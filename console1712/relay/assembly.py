"""The standard relay: which staff operations it answers and which services run beside it.

Nothing registers itself by being imported: each operations module lists its operations in
OPERATIONS and each service module its factories in SERVICES, and this module puts them
together. `console1712 relay` (and the demo, the flow runner, the tests) hand the result to
`Relay(settings, operations=..., services=...)`; a test may hand a subset, or its own.
"""

from __future__ import annotations

from typing import Any

from console1712.relay.operations import (
    Operation,
    ServiceFactory,
    alerts,
    blocks,
    dossiers,
    help,
    mail,
    registrations,
    stepping,
    supervision,
)
from console1712.relay.services import retention, smtp


def standard_operations() -> tuple[Operation[Any], ...]:
    """Every staff operation of the helpline (mail, dossiers, supervision, ...)."""
    return (
        *mail.OPERATIONS,
        *dossiers.OPERATIONS,
        *supervision.OPERATIONS,
        *stepping.OPERATIONS,
        *registrations.OPERATIONS,
        *help.OPERATIONS,
        *blocks.OPERATIONS,
    )


def standard_services() -> tuple[ServiceFactory, ...]:
    """The services beside the relay, in the order they start (they stop in reverse):
    the SMTP intake, the daily retention purge, the live monitor, the alert board and
    the help desk."""
    return (
        *smtp.SERVICES,
        *retention.SERVICES,
        *supervision.SERVICES,
        *alerts.SERVICES,
        *help.SERVICES,
    )
