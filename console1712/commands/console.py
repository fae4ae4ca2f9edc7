"""`console1712 console`: the counsellor/supervisor console (Textual)."""

from __future__ import annotations

import argparse

from console1712.config import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the console on settings.url in settings.lang, mouse off."""
    from console1712.app import ConsoleApp

    ConsoleApp(settings).run(mouse=False)
    return 0
