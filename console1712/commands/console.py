"""`console1712 console`: the counsellor/supervisor console (Textual)."""

from __future__ import annotations

import argparse

from console1712.config import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the console on settings.url in settings.lang, mouse off."""
    from console1712.app import ConsoleApp
    from console1712.devtools.demoinfo import discover

    # Pointed at a local demo relay, the console shows its logins and codes like the
    # demo's own console does (only when that relay says it is a demo).
    demo = discover(settings.url)
    if demo is None:
        ConsoleApp(settings).run(mouse=False)
    else:
        ConsoleApp(settings, demo_logins=demo.logins, demo_help=demo.lines).run(mouse=False)
    return 0
