"""websockets and asyncio internals for the relay's hot send path and for dropping
connections the way a network failure would.

websockets' asyncio connection documents `send()` (a coroutine) but not its Sans-I/O
`protocol`, its `transport` or `send_data()`; the relay sends synchronously from the event
loop without a task per frame, and watches the transport's write buffer. Nor does it
document `process_event` (each frame as it is parsed) or its queue of received frames
(`recv_messages`): `TextNow` hands a complete text frame to the relay as it arrives."""

from __future__ import annotations

import asyncio
import enum
import struct
from collections.abc import Callable

from websockets.asyncio.connection import Connection
from websockets.asyncio.server import ServerConnection
from websockets.frames import Frame, Opcode
from websockets.protocol import Event, Side, State


def transport(ws: Connection) -> asyncio.Transport:
    """The connection's asyncio transport (write buffer size, is_closing, close, abort)."""
    found: asyncio.Transport = ws.transport
    return found


def abort(ws: Connection) -> None:
    """Cut the TCP connection at once, no closing handshake: as a lost network would."""
    found: asyncio.Transport | None = getattr(ws, "transport", None)
    if found is not None:
        found.abort()


_HEAD16 = struct.Struct("!BBH")
_HEAD64 = struct.Struct("!BBQ")


class Written(enum.Enum):
    """What `write_text` did with a frame."""

    SENT = "sent"
    CLOSED = "closed"  # the connection is not open or its transport is closing: nothing written
    BACKED_UP = "backed_up"  # more than `limit` bytes wait unsent: nothing written


def write_text(ws: Connection, data: bytes, limit: int) -> Written:
    """Put one text frame (UTF-8 bytes) into the transport now, without awaiting `send()`,
    if the connection is open and fewer than `limit` bytes wait in its write buffer: SENT,
    CLOSED or BACKED_UP (nothing written). One call for the checks and the write: this
    runs twice for every message.

    A server's frame, with no extension negotiated, is written here in one piece: FIN and
    the text opcode, the length, the payload as it is (RFC 6455 5.2: a server does not
    mask), which is what websockets would write, without a Frame object per message. A
    client's frame (masked), or one while anything else is under way, goes through
    websockets' protocol."""
    protocol, out = ws.protocol, ws.transport
    if protocol.state is not State.OPEN or out.is_closing():
        return Written.CLOSED
    if out.get_write_buffer_size() > limit:
        return Written.BACKED_UP
    if (
        protocol.side is Side.SERVER
        and not protocol.extensions
        and not protocol.writes
        and not protocol.expect_continuation_frame
    ):
        size = len(data)
        if size < 126:
            head = bytes((0x81, size))
        elif size < 0x10000:
            head = _HEAD16.pack(0x81, 126, size)
        else:
            head = _HEAD64.pack(0x81, 127, size)
        out.write(head + data)
        return Written.SENT
    protocol.send_text(data)
    ws.send_data()
    return Written.SENT


def send_close_now(ws: Connection, code: int, reason: str) -> None:
    """Put a close frame into the transport now, behind what is buffered already."""
    ws.protocol.send_close(code, reason)
    ws.send_data()


def limit_reads(transport: asyncio.BaseTransport, size: int) -> None:
    """Read at most `size` bytes per recv: asyncio's selector transports read `max_size`
    (256 KiB, a class attribute, not documented) each time; uvloop's have no such knob."""
    if hasattr(transport, "max_size"):
        transport.max_size = size


class TextNow(ServerConnection):
    """A server connection that offers each complete text frame to `text_now` as it is
    parsed, before it would be queued for `recv()`.

    `text_now(text)` returns True when it handled the frame; on False the frame is queued
    as websockets queues it, and `recv()` returns it. A frame is offered only while no
    frame waits in the queue, so frames are handled in the order they came whichever way
    each one goes. Fragmented messages, binary frames and text that is not UTF-8 always go
    the usual way (the last closes the connection with 1007 from `recv()`).

    The relay's message path: no task switch, future or queue per frame received."""

    text_now: Callable[[str], bool] | None = None

    def process_event(self, event: Event) -> None:
        hook = self.text_now
        if (
            hook is not None
            and isinstance(event, Frame)
            and event.opcode is Opcode.TEXT
            and event.fin
            and self.state is State.OPEN
            and not self.recv_messages.closed
            and not len(self.recv_messages.frames)
        ):
            try:
                text = str(event.data, "utf-8")
            except UnicodeDecodeError:
                pass
            else:
                if hook(text):
                    return
        super().process_event(event)
