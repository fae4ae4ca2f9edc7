"""websockets and asyncio internals for the relay's hot send path and for dropping
connections the way a network failure would.

websockets' asyncio connection documents `send()` (a coroutine) but not its Sans-I/O
`protocol`, its `transport` or `send_data()`; the relay sends synchronously from the event
loop without a task per frame, and watches the transport's write buffer."""

from __future__ import annotations

import asyncio

from websockets.asyncio.connection import Connection


def transport(ws: Connection) -> asyncio.Transport:
    """The connection's asyncio transport (write buffer size, is_closing, close, abort)."""
    found: asyncio.Transport = ws.transport
    return found


def abort(ws: Connection) -> None:
    """Cut the TCP connection at once, no closing handshake: as a lost network would."""
    found: asyncio.Transport | None = getattr(ws, "transport", None)
    if found is not None:
        found.abort()


def send_text_now(ws: Connection, data: bytes) -> None:
    """Put one text frame (UTF-8 bytes) into the transport now, without awaiting `send()`."""
    ws.protocol.send_text(data)
    ws.send_data()


def send_close_now(ws: Connection, code: int, reason: str) -> None:
    """Put a close frame into the transport now, behind what is buffered already."""
    ws.protocol.send_close(code, reason)
    ws.send_data()


def limit_reads(transport: asyncio.BaseTransport, size: int) -> None:
    """Read at most `size` bytes per recv: asyncio's selector transports read `max_size`
    (256 KiB, a class attribute, not documented) each time; uvloop's have no such knob."""
    if hasattr(transport, "max_size"):
        transport.max_size = size
