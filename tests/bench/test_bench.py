"""Smoke runs of every benchmark at a tiny size: the reports' structure and correctness
fields (nothing lost, nothing duplicated). No timed assertions: figures are only printed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from websockets.asyncio.client import connect

from console1712.bench.console import ConsoleOptions, run_console
from console1712.bench.relay import Options, run_accept, run_crash, run_steady, run_storm, verify
from console1712.bench.report import Report, Target, percentiles, table
from console1712.cli import main
from tests.relay.helpers import recv_type, request


def test_percentiles_use_nearest_rank() -> None:
    figures = percentiles([float(v) for v in range(1, 101)])
    assert figures == {"count": 100, "p50": 50.0, "p95": 95.0, "p99": 99.0, "max": 100.0}
    assert percentiles([])["p99"] is None


def test_table_says_which_targets_are_missed() -> None:
    report = Report("x", {"n": 1}, {"lat": percentiles([1.0, 2.0])})
    report.targets = [Target("fast", 30.0, 20, "ms"), Target("rate", 5000.0, 3000, "msg/s", True)]
    text = table(report)
    assert "fast: 30.00 ms (<= 20) NOT met" in text
    assert "rate: 5000 msg/s (>= 3000) met" in text
    assert json.loads(report.to_json())["targets"][0]["met"] is False


def test_scrub_bench_reports_every_shape_at_both_sizes() -> None:
    from console1712.bench.scrub import SHAPES, ScrubOptions, run_scrub

    report = run_scrub(ScrubOptions(small=40, large=80, runs=1))
    assert set(report.figures["shapes"]) == set(SHAPES)
    assert all(s["large_ms"] > 0 for s in report.figures["shapes"].values())
    assert [t.unit for t in report.targets] == ["ms", "x"]


def test_steady_relays_every_message_both_ways(tmp_path: Path) -> None:
    opts = Options(workers=1, chatters=6, counsellors=2, rate=40, duration=1.0, data=tmp_path)
    figures = run_steady(opts).figures
    assert figures["sent"] > 0
    # Each figure in the message if not: the errors name what the load clients saw.
    assert figures["acked"] == figures["sent"] == figures["relayed"], figures
    assert figures["unacked"] == 0 and figures["errors"] == {}, figures
    lat = figures["latency_ms"]
    count = lat["chatter_to_counsellor"]["count"] + lat["counsellor_to_chatter"]["count"]
    assert count == figures["relayed"]
    assert figures["relay_cpu_per_message_us"] > 0


def test_idle_through_the_command_line_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "idle.json"
    argv = ["bench", "relay", "--idle", "30", "--hold", "0.2", "--workers", "1"]
    assert main([*argv, "--json", "--out", str(out)]) == 0
    (report,) = json.loads(out.read_text())
    assert report["scenario"] == "idle"
    assert report["figures"]["connected"] == 30 and report["figures"]["failed"] == 0
    assert report["figures"]["per_connection_kib"] > 0
    assert report["targets"][0]["unit"] == "MiB"
    assert report["machine"]["cores"] >= 1


def test_storm_resumes_every_chatter(tmp_path: Path) -> None:
    figures = run_storm(Options(workers=1, storm=12, data=tmp_path)).figures
    assert figures["resumed"] == 12 and figures["failed"] == 0
    assert figures["errors"] == {}


def test_accept_takes_every_waiting_chat(tmp_path: Path) -> None:
    figures = run_accept(Options(workers=1, accept=8, watchers=1, data=tmp_path)).figures
    assert figures["accepted"] == 8
    assert figures["accept_ms"]["count"] == 8
    assert figures["queue_frames_per_watcher"] >= 1  # the watcher saw the queue change


def test_crash_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    opts = Options(workers=1, crash=2, crash_chatters=4, crash_rate=16, data=tmp_path)
    opts.crash_load = (0.3, 0.4)
    figures = run_crash(opts).figures
    assert figures["acked"] > 0
    assert figures["lost"] == 0 and figures["duplicated"] == 0 and figures["altered"] == 0
    assert figures["chats_with_seq_gaps"] == 0
    assert figures["reconnects"] >= 4, figures  # every chatter came back after each kill


async def test_verify_finds_lost_and_altered_messages(relay: Any, settings: Any) -> None:
    """The crash check itself: a real stored message passes, a made-up one counts as lost."""
    async with connect(f"ws://127.0.0.1:{relay.port}/chat") as ws:
        await recv_type(ws, "welcome")
        chat = (await request(ws, {"type": "start", "consent": True}, "queued"))["chat"]
        ack = await request(ws, {"type": "say", "id": "a", "text": "hallo"}, "ack")
    await relay.stop()
    good = {chat: {"a": (ack["seq"], "hallo")}}
    assert (await verify(settings.data, [good]))["lost"] == 0
    bad = {chat: {"a": (ack["seq"], "anders"), "b": (2, "nooit opgeslagen")}}
    check = await verify(settings.data, [bad])
    assert check["lost"] == 1 and check["altered"] == 1 and check["duplicated"] == 0


def test_console_shows_every_fed_message(tmp_path: Path) -> None:
    figures = run_console(ConsoleOptions(tabs=2, messages=12, own_every=5, login_runs=0)).figures
    assert figures["tabs"] == 2
    assert figures["lines_kept"] == 24  # chatter lines and own (acknowledged) lines
    assert figures["append_handler_ms"]["count"] == 2 * 10
    assert figures["ack_handler_ms"]["count"] == 2 * 2
    assert figures["rss_mib"] > 0


def test_floor_measures_transport_and_storage_beside_the_relay_in_one_run(
    tmp_path: Path,
) -> None:
    out = tmp_path / "floor.json"
    argv = ["bench", "relay", "--steady", "--floor", "--chatters", "6", "--counsellors", "2"]
    argv += ["--rate", "40", "--duration", "0.5", "--workers", "1", "--json", "--out", str(out)]
    assert main(argv) == 0
    steady, floor, compared = json.loads(out.read_text())
    assert [steady["scenario"], floor["scenario"], compared["scenario"]] == [
        "steady",
        "floor",
        "compare",
    ]
    assert floor["params"]["connections"] == 8
    for loop in ("asyncio", "uvloop"):
        figures = floor["figures"][loop]
        assert figures["sent"] > 0
        assert figures["received"] == 2 * figures["sent"]  # the ack and the relayed frame
        assert figures["cpu_per_message_us"] is not None
    storage = floor["figures"]["storage"]
    assert storage["messages"] == 20  # rate x duration, committed in paced group commits
    assert 1 <= storage["commits"] <= 20 and storage["cpu_per_message_us"] is not None
    figures = compared["figures"]
    relay = steady["figures"]["relay_cpu_per_message_us"]
    transport = floor["figures"]["uvloop"]["cpu_per_message_us"]
    assert figures["relay_cpu_per_message_us"] == relay
    assert figures["transport_floor_us"] == transport
    assert figures["storage_floor_us"] == storage["cpu_per_message_us"]
    # (CPU time is counted in ticks of 10 ms: at this tiny load a floor may read 0)
    ratio = round(relay / transport, 2) if transport else None
    assert figures.get("relay_over_transport") == ratio
    (target,) = compared["targets"]
    assert target["limit"] == 2.0 and target["value"] == ratio


def test_compare_puts_the_relay_beside_both_floors() -> None:
    from console1712.bench.floor import compare

    steady = Report("steady", {}, {"relay_cpu_per_message_us": 450.0})
    floor = Report("floor", {}, {"asyncio": {"cpu_per_message_us": 200.0}})
    floor.figures["uvloop"] = {"cpu_per_message_us": 150.0}
    floor.figures["storage"] = {"cpu_per_message_us": 100.0}
    report = compare(steady, floor)
    assert report.figures == {
        "relay_cpu_per_message_us": 450.0,
        "transport_floor_us": 150.0,  # the relay runs on uvloop (installed with it)
        "storage_floor_us": 100.0,
        "relay_over_transport": 3.0,
        "transport_plus_storage_us": 250.0,
        "relay_over_transport_plus_storage": 1.8,
        "relay_own_us": 200.0,
    }
    assert "relay CPU per message / transport floor: 3.00 x (<= 2.00) NOT met" in table(report)


def test_repeated_rounds_give_the_median_comparison() -> None:
    from console1712.bench.floor import compare, median_of

    rounds = []
    for relay, transport in ((450.0, 150.0), (500.0, 250.0), (400.0, 100.0)):
        floor = Report("floor", {}, {"uvloop": {"cpu_per_message_us": transport}})
        floor.figures["asyncio"] = {"cpu_per_message_us": transport}
        floor.figures["storage"] = {"cpu_per_message_us": 100.0}
        rounds.append(compare(Report("steady", {}, {"relay_cpu_per_message_us": relay}), floor))
    report = median_of(rounds)
    assert report.params == {"rounds": 3}
    assert report.figures["relay_cpu_per_message_us"] == 450.0
    assert report.figures["transport_floor_us"] == 150.0
    assert report.figures["rounds_relay_over_transport"] == [3.0, 2.0, 4.0]
    assert report.figures["relay_over_transport"] == 3.0  # the median of the rounds' ratios
    assert "median relay CPU per message / transport floor: 3.00 x (<= 2.00) NOT met" in (
        table(report)
    )
