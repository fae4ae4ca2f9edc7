"""`bench relay --floor`: what the transport alone costs on this machine.

A bare websockets server (no JSON, no database, no encryption, no protocol) does for each
text frame what the relay's network side does for one relayed message: one frame in, one
frame back to the sender (the ack) and one frame on to a partner connection (the message).
Its CPU time per message, on asyncio and on uvloop, at the connection count and rate of
`--steady` (--chatters + --counsellors connections, --rate), is the floor under the relay's
own figure. On loopback a `send` also runs the receiving socket's TCP processing, which the
kernel charges to the sender, so the floor includes delivery into the load processes.

The same report has `storage` (bench/storefloor.py): what committing the same messages
durably costs plain sqlite3. When `--steady` runs in the same command, `compare` puts the
relay's CPU per message beside both floors (issue 14's ratio: relay / transport floor).
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import time
from multiprocessing.connection import Connection
from typing import Any

from console1712.bench import procstat
from console1712.bench.relay import BenchError, Options, _report, split
from console1712.bench.report import Report, Target
from console1712.bench.storefloor import measure_storage
from console1712.compat import net
from console1712.relay import eventloop

LOOPS = ("asyncio", "uvloop")
UNLIMITED = 1 << 62  # the floor drops no peer: it measures the transport alone
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
            net.write_text(ws, ACK, UNLIMITED)
            partner = conns[index ^ 1] if index ^ 1 < len(conns) else ws
            net.write_text(partner, data, UNLIMITED)

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
    report.figures["storage"] = measure_storage(
        opts.chatters, opts.counsellors, opts.rate, opts.duration, opts.size
    )
    return report


# The relay's CPU per message may be at most this many times the transport floor (issue 14).
RATIO_TARGET = 2.0


def compare(steady: Report, floor: Report) -> Report:
    """The relay beside the floors measured in the same run: the transport floor on the
    relay's event loop, the storage floor, the ratios, and what is left for the relay's
    own code (protocol, switchboard, encryption, the writer's hand-offs)."""
    relay = steady.figures.get("relay_cpu_per_message_us")
    choice = os.environ.get("CONSOLE1712_EVENT_LOOP", "auto")  # the bench relay's setting
    loop = "asyncio" if eventloop.loop_factory(choice) is None else "uvloop"
    transport = floor.figures[loop]["cpu_per_message_us"]
    storage = floor.figures.get("storage", {}).get("cpu_per_message_us")
    report = _report("compare", {"event_loop": loop})
    figures: dict[str, Any] = {
        "relay_cpu_per_message_us": relay,
        "transport_floor_us": transport,
        "storage_floor_us": storage,
    }
    ratio = None
    if relay is not None and transport:  # (a floor of 0 ticks at a tiny load has no ratio)
        ratio = round(relay / transport, 2)
        figures["relay_over_transport"] = ratio
        if storage is not None:
            both = transport + storage
            figures["transport_plus_storage_us"] = round(both, 1)
            figures["relay_over_transport_plus_storage"] = round(relay / both, 2)
            figures["relay_own_us"] = round(relay - both, 1)
    report.figures = figures
    report.targets = [Target("relay CPU per message / transport floor", ratio, RATIO_TARGET, "x")]
    return report


def median_of(rounds: list[Report]) -> Report:
    """`--repeat N`: the median of each figure of N `compare` reports (runs of the relay and
    of the floors in turn, so that a machine slower for a minute weighs on both), each
    round's ratio, and the target read on the median ratio."""
    report = _report("compare_median", {"rounds": len(rounds)})
    names = [k for k in rounds[0].figures if all(r.figures.get(k) is not None for r in rounds)]
    report.figures = {k: round(statistics.median(r.figures[k] for r in rounds), 2) for k in names}
    ratios = [r.figures.get("relay_over_transport") for r in rounds]
    report.figures["rounds_relay_over_transport"] = ratios
    ratio = report.figures.get("relay_over_transport")
    report.targets = [
        Target("median relay CPU per message / transport floor", ratio, RATIO_TARGET, "x")
    ]
    return report


if __name__ == "__main__":
    serve_main(sys.argv[1] if len(sys.argv) > 1 else "asyncio")
