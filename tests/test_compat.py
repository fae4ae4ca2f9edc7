"""console1712/compat: every private or undocumented library API we use, checked against the
installed library (an upgrade that drops one fails here, by name), and a scan that no other
module reaches into a library's private attributes."""

from __future__ import annotations

import ast
import asyncio
import importlib
import inspect
import pkgutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.widget import Widget
from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.frames import CloseCode
from websockets.protocol import State

import console1712
from console1712.compat import net, tui

PACKAGE = Path(console1712.__file__).parent
COMPAT = PACKAGE / "compat"
# No exception: the store's SQLite backend uses sqlite3's public API (store/sqlite.py).
ALLOWED: set[tuple[str, str]] = set()
# Undocumented library attributes without a leading underscore (websockets' Sans-I/O
# protocol, its transport, its send step, its per-frame step and its queue of received
# frames): only compat.net may use them.
UNDOCUMENTED = {
    "send_data",
    "transport",
    "protocol",
    "process_event",
    "recv_messages",
    "expect_continuation_frame",
}


# -- Textual ------------------------------------------------------------------------------


class Bound(Widget):
    BINDINGS = [Binding("ctrl+o", "newline", "new line", id="newline")]


class Scrolled(ScrollView):
    pass


class Probe(App[None]):
    def compose(self) -> ComposeResult:
        yield Bound()
        yield Scrolled()


async def test_key_bindings_are_the_nodes_own_and_replaceable() -> None:
    async with Probe().run_test() as pilot:
        node = pilot.app.query_one(Bound)
        by_key = tui.key_bindings(node)
        assert [b.action for b in by_key["ctrl+o"]] == ["newline"]
        by_key["ctrl+o"] = [Binding("ctrl+o", "newline", "nieuwe regel", id="newline")]
        assert tui.key_bindings(node)["ctrl+o"][0].description == "nieuwe regel"


async def test_scroll_update_takes_a_virtual_size() -> None:
    assert "virtual_size" in inspect.signature(ScrollView._scroll_update).parameters
    async with Probe().run_test() as pilot:
        view = pilot.app.query_one(Scrolled)
        view.set_reactive(ScrollView.virtual_size, Size(10, 500))
        tui.scroll_update(view, Size(10, 500))
        await pilot.pause()
        assert view.max_scroll_y > 0


# -- websockets and asyncio ---------------------------------------------------------------


Server = tuple[int, asyncio.Queue[ServerConnection]]


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    """A real websockets server on loopback: its port and the connections it accepts."""
    accepted: asyncio.Queue[ServerConnection] = asyncio.Queue()

    async def handler(ws: ServerConnection) -> None:
        await accepted.put(ws)
        await ws.wait_closed()

    async with serve(handler, "127.0.0.1", 0) as running:
        yield next(iter(running.sockets)).getsockname()[1], accepted


async def test_send_now_and_close_now_reach_a_real_client(server: Server) -> None:
    port, accepted = server
    async with connect(f"ws://127.0.0.1:{port}") as client:
        ws = await accepted.get()
        transport = net.transport(ws)
        assert isinstance(transport, asyncio.Transport)
        assert transport.get_write_buffer_size() >= 0 and not transport.is_closing()
        assert ws.state is State.OPEN
        assert net.write_text(ws, b'{"type":"hallo"}', 1 << 20) is net.Written.SENT
        assert await client.recv() == '{"type":"hallo"}'
        net.send_close_now(ws, 4000, "bye")
        with pytest.raises(Exception, match="4000"):
            await client.recv()


async def test_write_text_writes_every_length_of_frame_as_websockets_reads_it(
    server: Server,
) -> None:
    """The server's frames are written by hand (7-bit, 16-bit and 64-bit lengths); a real
    client reads each exactly; a client's own frames still go through websockets (masked)."""
    port, accepted = server
    async with connect(f"ws://127.0.0.1:{port}", max_size=None) as client:
        ws = await accepted.get()
        for size in (0, 1, 125, 126, 127, 65535, 65536, 200_000):
            text = "é" * (size // 2) + "x" * (size % 2)  # `size` bytes of UTF-8
            assert net.write_text(ws, text.encode(), 1 << 30) is net.Written.SENT
            assert await client.recv() == text
        net.write_text(client, b"van de client", 1 << 20)  # masked, as a client must
        assert await ws.recv() == "van de client"
        # More waiting in the write buffer than allowed: nothing written, the caller is told.
        assert net.write_text(ws, b"te veel", -1) is net.Written.BACKED_UP
        assert net.write_text(ws, b"nog iets", 1 << 20) is net.Written.SENT
        assert await client.recv() == "nog iets"
        net.send_close_now(ws, 1000, "klaar")
        assert net.write_text(ws, b"na de close", 1 << 20) is net.Written.CLOSED  # nothing written


async def test_abort_cuts_a_real_connection(server: Server) -> None:
    port, accepted = server
    async with connect(f"ws://127.0.0.1:{port}") as client:
        await accepted.get()
        net.abort(client)
        await client.wait_closed()
        assert client.state is State.CLOSED
        assert client.close_code == CloseCode.ABNORMAL_CLOSURE  # no closing handshake


async def test_limit_reads_sets_asyncios_read_size(server: Server) -> None:
    port, accepted = server
    async with connect(f"ws://127.0.0.1:{port}"):
        transport = net.transport(await accepted.get())
        net.limit_reads(transport, 16 * 1024)
        if type(asyncio.get_running_loop()).__module__.startswith("asyncio"):
            # asyncio's own loop: the knob exists and took the value.
            assert getattr(transport, "max_size", None) == 16 * 1024


async def test_text_now_takes_complete_text_frames_in_order() -> None:
    """`TextNow` offers each complete text frame as it is parsed; a frame refused (False),
    and any frame behind one waiting in the queue, reaches `recv()`; in the order sent."""
    seen: list[tuple[str, str]] = []
    ended: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def now(text: str) -> bool:
        if text.startswith("now"):
            seen.append(("now", text))
            return True
        return False

    async def handler(ws: ServerConnection) -> None:
        assert isinstance(ws, net.TextNow)
        ws.text_now = now
        try:
            async for message in ws:
                seen.append(("recv", message if isinstance(message, str) else message.decode()))
        except Exception:
            pass
        ended.set_result(None)

    async with serve(handler, "127.0.0.1", 0, create_connection=net.TextNow) as running:
        port = next(iter(running.sockets)).getsockname()[1]
        async with connect(f"ws://127.0.0.1:{port}") as client:
            await client.send("now-1")
            for text in ("later-1", "now-2", "now-3"):
                net.write_text(client, text.encode(), 1 << 20)  # one write after another, no await
            await client.send(["now-", "fragmented"])  # fragments: never offered
            await client.send(b"now-binary")  # binary: never offered
            await client.send("now-4")
            net.write_text(client, b"now-\xff", 1 << 20)  # not UTF-8: recv() closes with 1007
            await asyncio.wait_for(client.wait_closed(), 10)
            assert client.close_code == CloseCode.INVALID_DATA
        await asyncio.wait_for(ended, 10)
    assert [text for _, text in seen] == [
        "now-1",
        "later-1",
        "now-2",
        "now-3",
        "now-fragmented",
        "now-binary",
        "now-4",
    ]
    assert seen[0] == ("now", "now-1") and seen[1] == ("recv", "later-1")
    assert ("recv", "now-fragmented") in seen and ("recv", "now-binary") in seen


def test_compat_net_does_not_load_textual() -> None:
    """The relay imports compat.net: it must not pull in the console's toolkit."""
    code = "import sys, console1712.compat.net; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- nobody else reaches into a library -----------------------------------------------------


def _sources() -> dict[Path, ast.Module]:
    return {p: ast.parse(p.read_text(encoding="utf-8")) for p in sorted(PACKAGE.rglob("*.py"))}


def _own_names(trees: dict[Path, ast.Module]) -> set[str]:
    """Every name console1712 itself defines or assigns: functions, classes, attributes."""
    names: set[str] = set()
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
    return names


def test_no_private_library_attribute_outside_compat() -> None:
    trees = _sources()
    own = _own_names(trees)
    found = []
    for path, tree in trees.items():
        if path.is_relative_to(COMPAT):
            continue
        where = path.relative_to(PACKAGE).as_posix()
        shims = {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == "console1712.compat"
            for alias in node.names
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute):
                continue
            if isinstance(node.value, ast.Name) and node.value.id in shims:
                continue  # net.transport(ws): the shim itself
            name = node.attr
            private = name.startswith("_") and not name.startswith("__") and name not in own
            if (private or name in UNDOCUMENTED) and (where, name) not in ALLOWED:
                found.append(f"{where}:{node.lineno} .{name}")
    assert found == [], "go through console1712/compat"


def test_no_override_of_a_private_library_method() -> None:
    """A method named like a library base class's private one (Textual's `_on_key`, say)
    depends on that library's internals: use the public hook or a compat function."""
    found = []
    for info in pkgutil.walk_packages(console1712.__path__, "console1712."):
        module = importlib.import_module(info.name)
        for cls in vars(module).values():
            if not inspect.isclass(cls) or cls.__module__ != module.__name__:
                continue
            for name, value in vars(cls).items():
                if not inspect.isfunction(value) or not name.startswith("_"):
                    continue
                if name.startswith("__"):
                    continue
                if any(vars(b).get(name) is value for b in cls.__mro__[1:]):
                    continue  # the base's own function, copied in (the enum machinery does)
                for base in cls.__mro__[1:]:
                    if base.__module__.startswith("console1712") or base is object:
                        continue
                    if name in vars(base):
                        found.append(f"{cls.__module__}.{cls.__name__}.{name} ({base.__name__})")
    assert found == []
