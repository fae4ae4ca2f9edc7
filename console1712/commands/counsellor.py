"""`console1712 counsellor --script FILE --user NAME`: a scripted counsellor on a relay.

Plays the staff steps of docs/chatter-scripts.md through the console's own client. The
password is the first line of standard input; the code is the second line, or computed
from the TOTP secret in the setting `totp_secret` (`CONSOLE1712_TOTP_SECRET`), so that
neither is ever on the command line. Exit status 0 when every step held, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from console1712.client.staff import LoginFailed
from console1712.config import Settings
from console1712.devtools.flow import Timeline
from console1712.devtools.script import ScriptSyntaxError, StepFailed
from console1712.devtools.staffscript import StaffScriptRunner, parse_staff_script, split_sections
from console1712.i18n import t


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Entry point of the command (see module docstring)."""
    # Only the lines needed are read: standard input may stay open (a test, a pipe).
    password = sys.stdin.readline().rstrip("\r\n")
    if settings.totp_secret:
        from console1712.store.accounts import totp_code

        code = totp_code(settings.totp_secret, datetime.now(UTC))
    else:
        code = sys.stdin.readline().strip()
    return asyncio.run(play(settings, Path(args.script), args.user, password, code))


def _steps_for(text: str, user: str) -> tuple[str, int]:
    """The file's `[counsellor USER]` section, or the whole file when it has no sections."""
    sections = split_sections(text)
    if all(role == "" for role, *_ in sections):
        return text, 1
    for role, name, first, body in sections:
        if role == "counsellor" and name == user:
            return body, first
    raise ScriptSyntaxError(1, f"no [counsellor {user}] section")


async def play(settings: Settings, path: Path, user: str, password: str, code: str) -> int:
    """Log in and play the script; 0 when every step held, 1 otherwise."""
    lang = settings.lang

    def fail(key: str, **kw: object) -> int:
        print("console1712: " + t(key, lang, file=path, **kw), file=sys.stderr, flush=True)
        return 1

    try:
        # A script is small; reading it before the loop does anything else is fine.
        body, first = _steps_for(path.read_text(encoding="utf-8"), user)  # noqa: ASYNC240
        steps = parse_staff_script(body, first)
    except (OSError, UnicodeDecodeError) as exc:
        return fail("script.unreadable", reason=exc)
    except ScriptSyntaxError as exc:
        return fail("script.syntax", line=exc.line, reason=exc.reason)
    if not password or not code:
        return fail("counsellor.no_credentials")
    timeline = Timeline()
    runner = StaffScriptRunner(settings.url, on_event=timeline.staff_event(user))
    runner.on_step = timeline.step(user)
    try:
        session = await runner.login(user, password, code)
    except LoginFailed as exc:
        return fail("counsellor.login_failed", url=settings.url, code=exc.code)
    timeline.line(user, f"< session {session.name}")
    try:
        count = await runner.run(steps)
    except StepFailed as exc:
        return fail("script.failed", line=exc.step.line, step=exc.step.source, reason=exc.reason)
    finally:
        await runner.close()
    print(t("script.passed", lang, file=path, count=count), flush=True)
    return 0
