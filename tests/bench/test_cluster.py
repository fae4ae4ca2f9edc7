"""`bench relay --database postgresql://... --relays N` at a small size: real relay processes
on the test server's PostgreSQL, Debian's HAProxy in front, load processes through it. The
figures are only printed; what is asserted is what must hold at any speed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from console1712.bench import haproxy
from console1712.cli import main
from tests.databases import pg_run

CLIENTS = ["--chatters", "20", "--counsellors", "2", "--workers", "1"]


def bench(tmp_path: Path, pg_server: str, *argv: str) -> dict[str, Any]:
    out = tmp_path / "bench.json"
    args = ["bench", "relay", "--database", pg_server, *argv, *CLIENTS, "--json"]
    assert main([*args, "--out", str(out)]) == 0
    (report,) = json.loads(out.read_text())
    return dict(report)


def schema_exists(pg_server: str, schema: str) -> bool:
    check = (
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = '%s')"
        " THEN RAISE EXCEPTION 'no schema'; END IF; END $$"
    )
    try:
        pg_run(pg_server, check % schema)
    except Exception as exc:
        assert "no schema" in str(exc)
        return False
    return True


def test_schema_exists_tells(pg_url: str, pg_server: str) -> None:
    schema = pg_url.rsplit("search_path=", 1)[1]
    assert schema_exists(pg_server, schema) and not schema_exists(pg_server, "bench_none")


def test_failover_of_two_relays_brings_everyone_back_and_loses_nothing(
    tmp_path: Path, pg_server: str
) -> None:
    report = bench(tmp_path, pg_server, "--relays", "2", "--failover", "--failover-rate", "60")
    figures = report["figures"]
    assert report["scenario"] == "failover" and report["params"]["relays"] == 2
    # The first relay was the active one; the standby took over once it was SIGKILLed.
    assert figures["roles_before"] == {"relay1": "active", "relay2": "standby"}
    assert figures["killed"] == "relay1" and figures["took_over"] == "relay2"
    assert figures["chatters_resumed"] == 20 and figures["consoles_logged_in_again"] == 2
    assert figures["all_back_s"] is not None and figures["all_back_s"] > 0
    assert figures["chatter_away_ms"]["count"] >= 20
    # Every acknowledged message (chatters' and counsellors') stored once, at its seq.
    assert figures["acked"] > 0 and figures["stored"] >= figures["acked"]
    assert figures["lost"] == figures["duplicated"] == figures["altered"] == 0
    assert figures["chats_with_seq_gaps"] == 0 and figures["unacked_at_end"] == 0
    assert [t["unit"] for t in report["targets"]] == ["s", "", ""]
    assert not schema_exists(pg_server, report["params"]["schema"])  # dropped after the run


def test_steady_through_haproxy_reports_each_relay_and_postgres(
    tmp_path: Path, pg_server: str
) -> None:
    argv = ["--relays", "2", "--steady", "--rate", "40", "--duration", "1"]
    report = bench(tmp_path, pg_server, *argv)
    figures = report["figures"]
    assert figures["sent"] > 0
    assert figures["acked"] == figures["sent"] == figures["relayed"]
    assert figures["unacked"] == 0 and figures["errors"] == {}
    relays = figures["relays"]
    assert sorted(r["role"] for r in relays.values()) == ["active", "standby"]
    assert sum(r["cpu_s"] for r in relays.values()) == pytest.approx(figures["relay_cpu_s"])
    # The test server runs on this machine: its backends of this run are found and read.
    assert figures["postgres"]["backends"] >= 1 and figures["postgres"]["cpu_s"] >= 0
    assert not schema_exists(pg_server, report["params"]["schema"])


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--failover"], "need --database"),
        (["--steady", "--relays", "2"], "need --database"),
        (["--database", "postgresql://x/y", "--idle", "5"], "not --idle"),
        (["--database", "postgresql://x/y", "--failover", "--relays", "1"], "--relays 2"),
    ],
)
def test_cluster_options_are_checked(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bench", "relay", *argv]) == 1
    assert says in capsys.readouterr().err


def test_missing_haproxy_is_one_clear_line(
    pg_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Any
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no haproxy on PATH
    monkeypatch.setattr(haproxy, "FALLBACKS", [])  # nor where Debian puts it
    argv = ["bench", "relay", "--database", pg_server, "--steady", *CLIENTS]
    assert main(argv) == 1
    assert "haproxy not found" in capsys.readouterr().err
