"""`bench relay --floor`: what the transport alone costs on this machine.

A bare websockets server (no JSON, no database, no encryption, no protocol) does for each
text frame what the relay's network side does for one relayed message: one frame in, one
frame back to the sender (the ack) and one frame on to a partner connection (the message).
Its CPU time per message, on asyncio and on uvloop, at the connection count and rate of
`--steady` (--chatters + --counsellors connections, --rate), is the floor under the relay's
own figure. On loopback a `send` also runs the receiving socket's TCP processing, which the
kernel charges to the sender, so the floor includes delivery into the load processes.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import subprocess
import sys
import time
from multiprocessing.connection import Connection
from typing import Any

from console1712.bench import procstat
from console1712.bench.relay import BenchError, Options, _report, split
from console1712.bench.report import Report
from console1712.compat import net
from console1712.relay import eventloop

LOOPS = ("asyncio", "uvloop")
ACK = b'{"type":"ack","id":"x","seq":1}'


# -- the floor server (its own process, so that its CPU time can be read) ---------------


async def _serve() -> None:
    from websockets.asyncio.server import ServerConnection, serve

    conns: list[ServerConnection] = []

    async def handler(ws: ServerConnection) -> None:
        index = len(conns)
        conns.append(ws)
        async for raw in ws:
            data = raw.encode() if isinstance(raw, str) else raw
            net.send_text_now(ws, ACK)
            partner = conns[index ^ 1] if index ^ 1 < len(conns) else ws
            net.send_text_now(partner, data)

    async with serve(handler, "127.0.0.1", 0, compression=None, ping_interval=None) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        print(port, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until EOF


def serve_main(loop: str) -> None:
    eventloop.run(_serve(), loop)


# -- load: processes of plain websockets clients -----------------------------------------


async def _load(conns: int, rate: float, duration: float, size: int, port: int, pipe: Any) -> Any:
    from websockets.asyncio.client import connect

    received = 0
    sent = 0
    text = "x" * size

    async def reader(ws: Any) -> None:
        nonlocal received
        async for _ in ws:
            received += 1

    sockets = [
        await connect(f"ws://127.0.0.1:{port}", compression=None, ping_interval=None)
        for _ in range(conns)
    ]
    readers = [asyncio.create_task(reader(ws)) for ws in sockets]
    loop = asyncio.get_running_loop()
    pipe.send(("ready", None))
    await loop.run_in_executor(None, pipe.recv)  # "go"

    async def talk(ws: Any, offset: float) -> None:
        nonlocal sent
        every = conns / rate
        start = time.monotonic() + offset
        k = 0
        while True:
            due = start + k * every
            if due - start >= duration:
                return
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            await ws.send(f'{{"type":"say","id":"{k}","text":"{text}"}}')
            sent += 1
            k += 1

    await asyncio.gather(*(talk(ws, i / rate) for i, ws in enumerate(sockets)))
    # The last frames arrive: wait until nothing has come for half a second (at most 10 s).
    deadline, seen = time.monotonic() + 10, -1
    while received != seen and time.monotonic() < deadline:
        seen = received
        await asyncio.sleep(0.5)
    for task in readers:
        task.cancel()
    for ws in sockets:
        await ws.close()
    return sent, received


def load_main(
    pipe: Connection, conns: int, rate: float, duration: float, size: int, port: int
) -> None:
    try:
        # The same loop as the relay's load processes (uvloop where installed).
        sent, received = eventloop.run(_load(conns, rate, duration, size, port, pipe))
        pipe.send(("result", (sent, received)))
    except Exception as exc:  # reported to the parent, which raises BenchError
        pipe.send(("error", repr(exc)))


# -- the scenario ------------------------------------------------------------------------


def _measure(loop: str, opts: Options) -> dict[str, Any]:
    server = subprocess.Popen(
        [sys.executable, "-m", "console1712.bench.floor", loop],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdin is not None and server.stdout is not None
    ctx = mp.get_context("spawn")
    procs: list[Any] = []
    pipes: list[Connection] = []
    try:
        line = server.stdout.readline()
        if not line.strip().isdigit():
            raise BenchError(f"floor server ({loop}) did not start")
        port = int(line)
        total = opts.chatters + opts.counsellors
        for n in [n for n in split(total, opts.workers) if n > 0]:
            parent, child = ctx.Pipe()
            rate = opts.rate * n / total
            args = (child, n, rate, opts.duration, opts.size, port)
            proc = ctx.Process(target=load_main, args=args, daemon=True)
            proc.start()
            procs.append(proc)
            pipes.append(parent)
        for pipe in pipes:
            _expect(pipe, "ready", opts.timeout)
        before = procstat.sample(server.pid)
        for pipe in pipes:
            pipe.send("go")
        results = [_expect(pipe, "result", opts.duration + opts.timeout) for pipe in pipes]
        after = procstat.sample(server.pid)
    finally:
        server.stdin.close()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        for proc in procs:
            proc.join(5)
            if proc.is_alive():
                proc.terminate()
    sent = sum(s for s, _ in results)
    received = sum(r for _, r in results)
    cpu = after.cpu - before.cpu
    return {
        "sent": sent,
        "received": received,  # two frames for each message sent: the ack and the relayed one
        "cpu_s": round(cpu, 3),
        "cpu_user_s": round(after.utime - before.utime, 3),
        "cpu_system_s": round(after.stime - before.stime, 3),
        "cpu_per_message_us": round(cpu / sent * 1e6, 1) if sent else None,
    }


def _expect(pipe: Connection, kind: str, timeout: float) -> Any:
    if not pipe.poll(timeout):
        raise BenchError(f"floor load process did not answer {kind!r} in {timeout:.0f} s")
    got, payload = pipe.recv()
    if got != kind:
        raise BenchError(f"floor load process failed: {payload}")
    return payload


def run_floor(opts: Options) -> Report:
    """The transport floor on both loops, with steady's connection count and rate."""
    params = {
        "connections": opts.chatters + opts.counsellors,
        "rate": opts.rate,
        "duration_s": opts.duration,
        "size": opts.size,
    }
    report = _report("floor", params)
    for loop in LOOPS:
        report.figures[loop] = _measure(loop, opts)
    return report


if __name__ == "__main__":
    serve_main(sys.argv[1] if len(sys.argv) > 1 else "asyncio")
