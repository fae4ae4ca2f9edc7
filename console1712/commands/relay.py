"""`console1712 relay`: the relay in the foreground, one log line per event on stderr."""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import sys

from console1712.commands import UserError
from console1712.config import Settings
from console1712.relay import eventloop
from console1712.store.lock import DataLock

LOG_FORMAT = "%(asctime)s %(levelname)s %(message)s"
OWN_LOGGER = "console1712"
# Libraries that log peers, envelope addresses or protocol lines at INFO/DEBUG (aiosmtpd
# logs "('127.0.0.1', 53908) sender: x@example.org"): not even asked for those records.
QUIET_LIBRARIES = ("mail.log", "websockets", "asyncio", "asyncpg", "aiosmtplib", "uvloop")


class WithholdLibraryDetails(logging.Filter):
    """Only our own loggers speak in full: they name ids and staff, never content or peers.

    A library's record may carry a peer, an address or a line of a mail in its message,
    arguments or exception text, so below WARNING it is dropped, and from WARNING up only
    its logger, level and exception type are kept (enough to know where to look).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == OWN_LOGGER or record.name.startswith(OWN_LOGGER + "."):
            return True
        if record.levelno < logging.WARNING:
            return False
        kind = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else "-"
        record.msg = "%s: details withheld (library message; exception %s)"
        record.args = (record.name, kind)
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True


def setup_logging() -> None:
    """Events on stderr, one line each; library chatter (which may name addresses) kept out."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(WithholdLibraryDetails())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    # Quiet until the relay listens, so that the first line says where it listens.
    root.setLevel(logging.WARNING)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("websockets").setLevel(logging.CRITICAL)


async def _serve(settings: Settings) -> None:
    from console1712.relay.assembly import standard_operations, standard_services
    from console1712.relay.server import Relay

    relay = Relay(settings, operations=standard_operations(), services=standard_services())
    await relay.start()
    scheme = "wss" if settings.tls_cert else "ws"
    logging.getLogger().setLevel(logging.INFO)
    log = logging.getLogger("console1712.relay")
    # The first line tells where it listens (scripts and tests read the port from it).
    log.info("listening on %s://%s:%d (data %s)", scheme, settings.host, relay.port, settings.data)
    log.info("event loop: %s", type(asyncio.get_running_loop()).__module__.split(".")[0])
    if relay.active:
        log.info(
            "state: %d waiting, %d assigned",
            len(relay.waiting),
            len(relay.chats) - len(relay.waiting),
        )
    else:
        log.info("state: standby (another relay on this database is active)")
    await relay.run_until_signal()


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the relay until SIGINT/SIGTERM; 1 with one clear line if it cannot start."""
    setup_logging()
    try:
        eventloop.loop_factory(settings.event_loop)  # a clear error before anything starts
    except eventloop.LoopUnavailable as exc:
        raise UserError(str(exc)) from None
    with DataLock(settings.data):
        try:
            eventloop.run(_serve(settings), settings.event_loop)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UserError(
                    f"port {settings.port} on {settings.host} is already in use"
                ) from None
            raise UserError(f"cannot listen on {settings.host}:{settings.port}: {exc}") from None
    return 0
