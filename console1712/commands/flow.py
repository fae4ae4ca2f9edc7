"""`console1712 flow FILE...`: a chatter and its counsellors played together, one timeline.

Without `--url` the flow gets a fresh temporary relay (removed afterwards) with an account
for every counsellor section; with `--url` the counsellors' credentials are read from
standard input, one `NAME TOTP-SECRET PASSWORD` line each (never from the command line).
Exit status 0 when every part passed, 1 with one line on stderr otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from console1712.config import Settings
from console1712.devtools.flow import FlowError, load_flow, play_flow, read_credentials


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Entry point of the command (see module docstring)."""
    try:
        flow = load_flow([Path(p) for p in args.files], settings.lang)
    except FlowError as exc:
        print(f"console1712: {exc}", file=sys.stderr, flush=True)
        return 1
    credentials = None
    if args.flow_url and any(p.role == "counsellor" for p in flow.parts):
        credentials = read_credentials(sys.stdin.read().splitlines())
    return asyncio.run(
        play_flow(flow, url=args.flow_url, settings=settings, credentials=credentials)
    )
