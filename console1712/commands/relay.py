"""`console1712 relay`: the relay in the foreground, one log line per event on stderr."""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import sys

from console1712.commands import UserError
from console1712.config import Settings
from console1712.net import eventloop
from console1712.store.lock import DataLock

LOG_FORMAT = "%(asctime)s %(levelname)s %(message)s"


def setup_logging() -> None:
    """Events on stderr, one line each; library chatter (which may name addresses) kept out."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    # Quiet until the relay listens, so that the first line says where it listens.
    root.setLevel(logging.WARNING)
    logging.getLogger("websockets").setLevel(logging.CRITICAL)
    logging.getLogger("aiosqlite").setLevel(logging.WARNING)


async def _serve(settings: Settings) -> None:
    from console1712.net.relay import Relay

    relay = Relay(settings)
    await relay.start()
    scheme = "wss" if settings.tls_cert else "ws"
    logging.getLogger().setLevel(logging.INFO)
    log = logging.getLogger("console1712.relay")
    # The first line tells where it listens (scripts and tests read the port from it).
    log.info("listening on %s://%s:%d (data %s)", scheme, settings.host, relay.port, settings.data)
    log.info("event loop: %s", type(asyncio.get_running_loop()).__module__.split(".")[0])
    log.info(
        "state: %d waiting, %d assigned", len(relay.waiting), len(relay.chats) - len(relay.waiting)
    )
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
