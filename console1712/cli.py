"""The `console1712` command: parses arguments, loads settings, dispatches to commands/."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from console1712.config import SettingsError, load_settings
from console1712.domain.vocabulary import REGIONS, ROLES

# Options that are also settings: argparse dest -> settings field.
SETTING_OPTIONS = (
    "data",
    "database",
    "key_file",
    "host",
    "port",
    "always_open",
    "tls_cert",
    "tls_key",
    "smtp_host",
    "smtp_port",
    "url",
    "lang",
)


def _data_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", metavar="DIR", help="data directory (default: user data dir)")
    p.add_argument(
        "--key-file", metavar="FILE", help="key file (default: DATA/console1712.key, mode 0600)"
    )
    p.add_argument(
        "--database",
        metavar="PATH|URL",
        help="SQLite file or postgresql:// URL (default: DATA/console1712.db)",
    )


def _bench_parser(sub: Any) -> None:
    """`bench relay`, `bench console` and `bench scrub`: figures on stdout, JSON with --json."""
    bench = sub.add_parser("bench", help="benchmarks of the relay and the console")
    bench_sub = bench.add_subparsers(dest="target", metavar="TARGET", required=True)
    relay = bench_sub.add_parser("relay", help="load the relay: latency, throughput, CPU, memory")
    scen = relay.add_argument_group("scenarios (one or more)")
    scen.add_argument("--idle", type=int, metavar="N", help="hold N idle chatter connections")
    scen.add_argument("--steady", action="store_true", help="chatters and counsellors at --rate")
    scen.add_argument("--storm", type=int, metavar="N", help="N chatters drop and resume at once")
    scen.add_argument(
        "--accept", type=int, metavar="N", help="accept N waiting chats one after another"
    )
    scen.add_argument("--crash", type=int, metavar="K", help="SIGKILL the relay under load K times")
    scen.add_argument(
        "--floor",
        action="store_true",
        help="the floors at steady's load: a bare websockets server, plain sqlite3 commits",
    )
    scen.add_argument(
        "--failover",
        action="store_true",
        help="with --database: SIGKILL the active relay; time until every client is back",
    )
    relay.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="run the scenarios N times in turn; with --steady --floor, the median comparison",
    )
    relay.add_argument(
        "--database",
        metavar="URL",
        help="postgresql:// URL: --relays N relays on it behind HAProxy (--steady, --failover)",
    )
    relay.add_argument(
        "--relays", type=int, help="with --database: relay processes (default 1; failover 2)"
    )
    relay.add_argument(
        "--failover-rate", type=float, default=100.0, help="failover: messages/s of all clients"
    )
    relay.add_argument("--hold", type=float, metavar="S", help="idle: seconds (default 60)")
    relay.add_argument(
        "--idle-start", action="store_true", help="idle: the chatters also start a chat"
    )
    relay.add_argument(
        "--chatters", type=int, help="steady: chatters (default 2000); failover: 1000"
    )
    relay.add_argument(
        "--counsellors", type=int, help="steady, failover: counsellors (default 100)"
    )
    relay.add_argument("--rate", type=float, help="steady: messages/s, both ways (default 1000)")
    relay.add_argument("--duration", type=float, metavar="S", help="steady: seconds (default 10)")
    relay.add_argument("--size", type=int, help="characters per message (default 80)")
    relay.add_argument(
        "--watchers", type=int, default=10, help="accept: consoles watching the queue"
    )
    relay.add_argument("--crash-chatters", type=int, default=50, help="crash: chatters talking")
    relay.add_argument("--crash-rate", type=float, default=100.0, help="crash: messages/s")
    relay.add_argument("--workers", type=int, help="load-generating processes (default 2)")
    relay.add_argument("--data", metavar="DIR", help="keep the bench relay's data here")
    relay.add_argument("--profile", metavar="FILE", help="run the relay under cProfile (pstats)")
    relay.add_argument("--json", action="store_true", help="JSON instead of a table")
    relay.add_argument("--out", metavar="FILE", help="write here instead of standard output")
    console = bench_sub.add_parser("console", help="the console headless: append latency, memory")
    console.add_argument("--tabs", type=int, default=20, help="chat tabs (default 20)")
    console.add_argument("--messages", type=int, default=5000, help="messages per tab")
    console.add_argument(
        "--own-every", type=int, default=10, help="every N-th message is own, then acked (0: none)"
    )
    console.add_argument(
        "--login-runs", type=int, default=3, help="cold starts to the login screen"
    )
    console.add_argument("--json", action="store_true", help="JSON instead of a table")
    console.add_argument("--out", metavar="FILE", help="write here instead of standard output")
    scrub = bench_sub.add_parser(
        "scrub", help="the transcript anonymiser on hostile input: time and growth per shape"
    )
    scrub.add_argument("--small", type=int, default=500, help="small size (characters)")
    scrub.add_argument("--large", type=int, default=4000, help="large size (characters)")
    scrub.add_argument("--json", action="store_true", help="JSON instead of a table")
    scrub.add_argument("--out", metavar="FILE", help="write here instead of standard output")


def _export_options(export: argparse.ArgumentParser) -> None:
    """`export dossier CODE [--format]` and `export inspection CODE` (issue 6); the shared
    options may also follow the code (SUPPRESS: not given there, the parent's value stays)."""
    kinds = export.add_subparsers(dest="kind", metavar="KIND", required=True)
    for kind, text in (
        ("dossier", "a dossier for its client: readable copy (text) or portability (json)"),
        ("inspection", "an anonymised dossier for the care inspectorate (json)"),
    ):
        k = kinds.add_parser(kind, help=text)
        k.add_argument("code", metavar="CODE", help="dossier code, e.g. D-2026-0001")
        if kind == "dossier":
            k.add_argument("--format", choices=("text", "json"), default="text")
        k.add_argument("--data", metavar="DIR", default=argparse.SUPPRESS)
        k.add_argument("--key-file", metavar="FILE", default=argparse.SUPPRESS)
        k.add_argument("--database", metavar="PATH|URL", default=argparse.SUPPRESS)
        k.add_argument("--out", metavar="FILE", default=argparse.SUPPRESS)
    # Anonymised transcripts for training and quality (issue 7).
    tr = kinds.add_parser("transcripts", help="anonymised chat transcripts (JSONL)")
    tr.add_argument("--anonymise", action="store_true", required=True, help="required")
    tr.add_argument("--since", metavar="DATE", help="chats started on or after YYYY-MM-DD")
    tr.add_argument("--data", metavar="DIR", default=argparse.SUPPRESS)
    tr.add_argument("--key-file", metavar="FILE", default=argparse.SUPPRESS)
    tr.add_argument("--database", metavar="PATH|URL", default=argparse.SUPPRESS)
    tr.add_argument("--out", metavar="FILE", default=argparse.SUPPRESS)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="console1712",
        description="Relay, console and tools for the 1712 helpline (chat, mail, dossiers).",
    )
    parser.add_argument("--config", metavar="FILE", help="TOML settings file")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    relay = sub.add_parser("relay", help="run the relay in the foreground")
    relay.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    relay.add_argument("--port", type=int, help="port (default 1712)")
    _data_options(relay)
    relay.add_argument(
        "--always-open", action="store_true", default=None, help="ignore opening hours (dev)"
    )
    relay.add_argument("--tls-cert", metavar="FILE", help="certificate for wss (with --tls-key)")
    relay.add_argument("--tls-key", metavar="FILE", help="private key for wss")
    relay.add_argument("--smtp-host", help="address of the SMTP listener (default 127.0.0.1)")
    relay.add_argument("--smtp-port", type=int, help="port of the SMTP listener (default 2525)")
    relay.add_argument(
        "--no-smtp", dest="no_smtp", action="store_true", help="run without the SMTP listener"
    )

    user = sub.add_parser("user", help="manage staff accounts")
    user_sub = user.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = user_sub.add_parser(
        "add", help="create an account; password on stdin, prints the TOTP URI"
    )
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--team", choices=REGIONS, help="region of the team")
    add.add_argument("--display", default="Hulpverlener", help="alias shown to chatters")
    _data_options(add)
    lst = user_sub.add_parser("list", help="list accounts")
    _data_options(lst)
    for action, text in (
        ("disable", "disable an account and end its sessions"),
        ("enable", "enable a disabled account"),
        ("reset-otp", "new TOTP secret (prints the otpauth URI)"),
        ("passwd", "set a new password (read from stdin)"),
    ):
        p = user_sub.add_parser(action, help=text)
        p.add_argument("name")
        _data_options(p)

    key = sub.add_parser("key", help="manage the encryption key")
    key_sub = key.add_subparsers(dest="action", metavar="ACTION", required=True)
    rotate = key_sub.add_parser("rotate", help="re-encrypt every value under a new key (resumable)")
    _data_options(rotate)

    audit = sub.add_parser("audit", help="the audit log")
    audit_sub = audit.add_subparsers(dest="action", metavar="ACTION", required=True)
    verify = audit_sub.add_parser("verify", help="check the hash chain of the audit log")
    _data_options(verify)
    show = audit_sub.add_parser("list", help="print audit entries")
    show.add_argument("--limit", type=int, default=50)
    _data_options(show)

    console = sub.add_parser("console", help="the counsellor/supervisor console")
    console.add_argument("--url", help="relay URL (default ws://127.0.0.1:1712/console)")
    console.add_argument("--lang", choices=("nl", "en"), help="language of the screens")

    chatter = sub.add_parser("chatter", help="a line-based anonymous chatter for trying flows")
    chatter.add_argument("--url", dest="chat_url", help="default ws://127.0.0.1:1712/chat")
    chatter.add_argument("--nickname")
    chatter.add_argument("--age", type=int)
    chatter.add_argument("--gender")
    chatter.add_argument("--region", choices=REGIONS)
    chatter.add_argument("--script", metavar="FILE", help="play a scripted chat flow")

    counsellor = sub.add_parser(
        "counsellor", help="a scripted counsellor (password and code on standard input)"
    )
    counsellor.add_argument("--script", metavar="FILE", required=True, help="staff steps to play")
    counsellor.add_argument("--url", help="relay URL (default ws://127.0.0.1:1712/console)")
    counsellor.add_argument("--user", required=True, help="login name")

    flow = sub.add_parser("flow", help="play chatter and counsellor scripts together")
    flow.add_argument("files", metavar="FILE", nargs="+", help="flow files (sections or parts)")
    flow.add_argument(
        "--url",
        dest="flow_url",
        metavar="URL",
        help="an existing relay (credentials on stdin); default: a fresh temporary one",
    )

    demo = sub.add_parser("demo", help="relay, demo accounts, simulated chatters and the console")
    demo.add_argument("--no-console", action="store_true", help="run without opening the console")
    demo.add_argument("--port", type=int, help="port for the demo relay (default: a free one)")
    demo.add_argument(
        "--speed", type=float, default=1.0, help="simulated chatters N times faster (tests)"
    )
    demo.add_argument(
        "--counsellors", type=int, default=0, help="N simulated counsellors who accept and answer"
    )

    for name, text in (
        ("purge", "apply the retention periods"),
        ("stats", "anonymised statistics"),
        ("export", "exports (dossier, anonymised transcripts)"),
    ):
        p = sub.add_parser(name, help=text)
        _data_options(p)
        p.add_argument("--out", metavar="FILE", help="write here instead of standard output")
        if name == "purge":
            p.add_argument(
                "--dry-run", action="store_true", help="count what would be erased, change nothing"
            )
        elif name == "export":
            _export_options(p)
        elif name == "stats":
            p.add_argument("--year", type=int, required=True, help="calendar year, e.g. 2026")
            p.add_argument("--format", choices=("csv", "json"), default="csv", help="default csv")
    _bench_parser(sub)
    move = sub.add_parser(
        "migrate-data",
        help="copy a helpline's SQLite file into PostgreSQL (resumable, counts verified)",
    )
    move.add_argument("--from", dest="source", metavar="PATH", required=True, help="SQLite file")
    move.add_argument("--to", dest="target", metavar="URL", required=True, help="postgresql://")
    move.add_argument("--batch", type=int, default=1000, help="rows per transaction (1000)")
    move.add_argument("--data", metavar="DIR", help="data directory (its key file is used)")
    move.add_argument(
        "--key-file", metavar="FILE", help="key file (default: DATA/console1712.key, mode 0600)"
    )
    mail = sub.add_parser("mail", help="mail helpline")
    mail_sub = mail.add_subparsers(dest="action", metavar="ACTION", required=True)
    imp = mail_sub.add_parser("import", help="import mail messages from a Maildir or an mbox")
    imp.add_argument("path", metavar="PATH", help="a Maildir folder or an mbox file")
    _data_options(imp)
    box = mail_sub.add_parser(
        "outbox",
        help="replies waiting in the (sealed) outbox: list, show NAME, send, delete NAME",
        description="Without a smarthost, replies are sealed into the outbox folder. list: "
        "name, time, size; show NAME: the message on stdout (audited), to hand to a mail "
        "server; send: through the smarthost setting, each deleted once accepted; delete "
        "NAME: after delivering it yourself. NAME may be a unique start of the name.",
    )
    box.add_argument("what", nargs="?", default="list", choices=("list", "show", "send", "delete"))
    box.add_argument("name", nargs="?", metavar="NAME", help="for show and delete")
    box.add_argument("--out", metavar="FILE", help="show: write the message here (mode 0600)")
    _data_options(box)
    return parser


COMMANDS = {
    "relay": "console1712.commands.relay",
    "user": "console1712.commands.user",
    "key": "console1712.commands.key",
    "audit": "console1712.commands.audit",
    "console": "console1712.commands.console",
    "chatter": "console1712.commands.chatter",
    "demo": "console1712.commands.demo",
    "counsellor": "console1712.commands.counsellor",
    "flow": "console1712.commands.flow",
    "mail": "console1712.commands.mail",
    "bench": "console1712.commands.bench",
    "purge": "console1712.commands.purge",
    "export": "console1712.commands.export",
    "stats": "console1712.commands.stats",
    "migrate-data": "console1712.commands.migrate_data",
}
LATER: dict[str, int] = {}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    overrides = {k: getattr(args, k) for k in SETTING_OPTIONS if getattr(args, k, None) is not None}
    if getattr(args, "chat_url", None) is not None:
        overrides["chat_url"] = args.chat_url
    if getattr(args, "no_smtp", False):
        overrides["smtp"] = False
    from console1712.commands import UserError
    from console1712.store.crypto import KeyFileError
    from console1712.store.db import StoreError

    try:
        settings = load_settings(Path(args.config) if args.config else None, overrides=overrides)
        if args.command in LATER:
            issue = LATER[args.command]
            raise UserError(
                f"'{args.command}' is not available in this version yet (issue {issue})"
            )
        module = importlib.import_module(COMMANDS[args.command])
        return int(module.run(args, settings))
    except (SettingsError, UserError, StoreError, KeyFileError) as exc:
        print(f"console1712: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def entry() -> None:
    sys.exit(main())
