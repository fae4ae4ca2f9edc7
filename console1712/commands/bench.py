"""`console1712 bench relay|console|scrub`: benchmarks that print figures (table or JSON)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from console1712.bench.relay import Options
from console1712.bench.report import Report, table
from console1712.commands import UserError
from console1712.config import Settings


def relay_options(args: argparse.Namespace) -> tuple[list[str], Options]:
    """The scenarios asked for, in a fixed order, and the Options for them."""
    opts = Options()
    for name in ("workers", "size", "duration", "rate", "chatters", "counsellors", "hold"):
        value = getattr(args, name, None)
        if value is not None:
            setattr(opts, name, value)
    if args.data:
        opts.data = Path(args.data)
    if args.profile:
        from console1712.bench import relay

        relay.PROFILE = Path(args.profile).resolve()
    opts.idle_start = bool(args.idle_start)
    opts.watchers = args.watchers
    wanted = []
    if args.idle is not None:
        opts.idle = args.idle
        wanted.append("idle")
    if args.steady:
        wanted.append("steady")
    if args.storm is not None:
        opts.storm = args.storm
        wanted.append("storm")
    if args.accept is not None:
        opts.accept = args.accept
        wanted.append("accept")
    if args.crash is not None:
        opts.crash = args.crash
        opts.crash_chatters = args.crash_chatters
        opts.crash_rate = args.crash_rate
        wanted.append("crash")
    if args.floor:
        wanted.append("floor")
    if getattr(args, "failover", False):
        wanted.append("failover")
    if not wanted:
        raise UserError(
            "name a scenario: --idle N, --steady, --storm N, --accept N, --crash K, --floor"
            " or (with --database) --failover"
        )
    if opts.workers < 1:
        raise UserError("--workers must be at least 1")
    opts.repeat = args.repeat
    if opts.repeat < 1:
        raise UserError("--repeat must be at least 1")
    cluster_options(args, opts, wanted)
    return wanted, opts


def cluster_options(args: argparse.Namespace, opts: Options, wanted: list[str]) -> None:
    """--database URL and --relays N: the scenarios that run on several relays."""
    database, relays = getattr(args, "database", None), getattr(args, "relays", None)
    if database is None:
        if relays is not None or "failover" in wanted:
            raise UserError("--relays and --failover need --database postgresql://...")
        return
    others = [name for name in wanted if name not in ("steady", "failover")]
    if others:
        raise UserError(f"--database runs --steady and --failover only, not --{others[0]}")
    opts.database = database
    opts.relays = relays if relays is not None else (2 if "failover" in wanted else 1)
    if opts.relays < 1:
        raise UserError("--relays must be at least 1")
    if "failover" in wanted and opts.relays < 2:
        raise UserError("--failover needs --relays 2 or more (a standby takes over)")
    opts.failover_rate = args.failover_rate
    if "failover" in wanted and args.chatters is None:
        opts.chatters = 1000


def emit(reports: list[Report], as_json: bool, out: str | None) -> None:
    if as_json:
        text = json.dumps([r.as_dict() for r in reports], indent=2) + "\n"
    else:
        text = "\n\n".join(table(r) for r in reports) + "\n"
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the scenarios of `bench relay` or the console benchmark; print the figures."""
    from console1712.bench.relay import BenchError

    try:
        if args.target == "relay":
            from console1712.bench.floor import compare, median_of, run_floor
            from console1712.bench.relay import SCENARIOS

            wanted, opts = relay_options(args)
            runners = {**SCENARIOS, "floor": run_floor}
            if opts.database is not None:
                from console1712.bench.cluster import run_cluster_steady, run_failover

                runners = {"steady": run_cluster_steady, "failover": run_failover}
            reports, rounds = [], []
            for _ in range(opts.repeat):
                done = [runners[name](opts) for name in wanted]
                reports += done
                if "steady" in wanted and "floor" in wanted:
                    named = dict(zip(wanted, done, strict=True))
                    rounds.append(compare(named["steady"], named["floor"]))
                    reports.append(rounds[-1])
            if len(rounds) > 1:
                reports.append(median_of(rounds))
        elif args.target == "scrub":
            from console1712.bench.scrub import ScrubOptions, run_scrub

            if not 0 < args.small < args.large:
                raise UserError("bench scrub: --small must be above 0 and below --large")
            reports = [run_scrub(ScrubOptions(small=args.small, large=args.large))]
        else:
            from console1712.bench.console import ConsoleOptions, run_console

            reports = [
                run_console(
                    ConsoleOptions(
                        tabs=args.tabs,
                        messages=args.messages,
                        login_runs=args.login_runs,
                        own_every=args.own_every,
                    )
                )
            ]
    except BenchError as exc:
        raise UserError(f"bench: {exc}") from None
    emit(reports, args.json, args.out)
    return 0
