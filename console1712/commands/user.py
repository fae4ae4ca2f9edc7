"""`console1712 user add|list|disable|enable|reset-otp|passwd`, audited with actor "cli"."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from console1712.clock import Clock
from console1712.commands import UserError
from console1712.config import Settings
from console1712.store import accounts
from console1712.store.crypto import DecryptError
from console1712.store.db import Database

ACTOR = "cli"


def read_password() -> str:
    """The first line of standard input (a hidden prompt when it is a terminal)."""
    if sys.stdin is None:
        raise UserError("no password: give it on the first line of standard input")
    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise UserError("no password: give it on the first line of standard input")
    if len(password) < accounts.MIN_PASSWORD:
        raise UserError(f"the password must be at least {accounts.MIN_PASSWORD} characters")
    return password


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Dispatch one `user` action."""
    password = read_password() if args.action in ("add", "passwd") else ""
    try:
        return asyncio.run(_run(args, settings, password))
    except (accounts.AccountError, accounts.NameTaken, accounts.UnknownAccount) as exc:
        raise UserError(str(exc)) from None
    except DecryptError as exc:
        raise UserError(f"{exc}: the database was changed outside console1712") from None


async def _run(args: argparse.Namespace, settings: Settings, password: str) -> int:
    db = await Database.open(settings.db_target, settings.key_path, create=args.action == "add")
    clock = Clock()
    try:
        if args.action == "add":
            created = await accounts.create_account(
                db,
                clock,
                args.name,
                password,
                role=args.role,
                team=args.team,
                display=args.display,
                actor=ACTOR,
            )
            print(
                f"account {args.name} created; scan this URI into an authenticator app:",
                file=sys.stderr,
            )
            print(created.uri, flush=True)
        elif args.action == "list":
            print("NAME\tROLE\tTEAM\tDISPLAY\tSTATUS")
            for a in await accounts.list_accounts(db):
                status = "disabled" if a.disabled else "active"
                print(f"{a.name}\t{a.role}\t{a.team or '-'}\t{a.display}\t{status}")
        elif args.action == "disable":
            await accounts.disable_account(db, clock, args.name, actor=ACTOR)
            print(f"account {args.name} disabled; its sessions ended", file=sys.stderr)
        elif args.action == "enable":
            await accounts.enable_account(db, clock, args.name, actor=ACTOR)
            print(f"account {args.name} enabled", file=sys.stderr)
        elif args.action == "reset-otp":
            created = await accounts.reset_otp(db, clock, args.name, actor=ACTOR)
            print(
                f"new TOTP secret for {args.name}; the old one no longer works"
                " and its sessions ended:",
                file=sys.stderr,
            )
            print(created.uri, flush=True)
        elif args.action == "passwd":
            await accounts.set_password(db, clock, args.name, password, actor=ACTOR)
            print(f"password of {args.name} changed; its sessions ended", file=sys.stderr)
        else:  # argparse only lets known actions through
            raise UserError(f"unknown action: user {args.action}")
    finally:
        await db.close()
    return 0
