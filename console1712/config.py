"""Settings: defaults < TOML file (--config) < CONSOLE1712_* environment < command line."""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

from console1712.domain.vocabulary import REGIONS

ENV_PREFIX = "CONSOLE1712_"

EVENT_LOOPS = ("auto", "uvloop", "asyncio")  # the relay's event loop (relay/eventloop.py)


class SettingsError(ValueError):
    """A setting that is unknown or has a bad value; the message is one line for the user."""


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "console1712"


@dataclass
class Settings:
    """Every setting of every command; the field name is the TOML key and the env suffix."""

    # where the data lives (relay and every command that opens the data)
    data: Path = field(default_factory=default_data_dir)
    key_file: Path | None = None  # default: DATA/console1712.key
    # the database: a SQLite file path, or a postgresql:// URL (several helplines may share
    # one server, each in its own database or schema: ?search_path=NAME); default:
    # DATA/console1712.db. The key file stays in DATA whichever it is.
    database: str = ""
    # relay
    host: str = "127.0.0.1"
    port: int = 1712
    always_open: bool = False
    resume_window: int = 300  # seconds a dropped chatter keeps chat, place and counsellor
    # seconds a chat keeps a counsellor who has no console open, before it goes back to the
    # front of the queue (quit, crash, network)
    orphan_after: int = 60
    # a chat tab shows how long the chatter has waited for an answer after this; x 3 alerts
    # supervisors
    reply_alert_s: int = 60
    queue_alert_s: int = 300  # the longest queue wait over this alerts supervisors
    chat_days: list[int] = field(default_factory=lambda: [0, 1, 2, 3])  # Monday = 0
    chat_hours: list[str] = field(default_factory=lambda: ["13:00-17:00", "18:00-22:00"])
    closed_dates: list[str] = field(default_factory=list)  # YYYY-MM-DD, chat closed all day
    origins: list[str] = field(default_factory=list)  # browser origins allowed on /chat
    # load balancers (HAProxy) whose X-Forwarded-For names the client: behind them the
    # per-address limits and blocks count each client, not the balancer
    trusted_proxies: list[str] = field(default_factory=list)
    # several relays on one PostgreSQL database: where the other relays reach this one when
    # it is the active relay (ws://HOST:PORT on the private network); default: ws://HOST:PORT
    # from `host` and the port it listens on (the machine's name when host is 0.0.0.0 or ::).
    # The other relays' addresses belong in `trusted_proxies` (they forward their clients'
    # addresses in X-Forwarded-For, as the load balancer does).
    advertise_url: str = ""
    exit_url: str = "https://www.meteo.be/nl"  # neutral site the web page's quick exit opens
    max_connections_per_address: int = 50  # chatters (/chat) from one network address
    # consoles (/console) from one address: all counsellors may work through one SSH host
    max_consoles_per_address: int = 500
    # sockets from one address from the TCP accept on, handshake done or not (chatters and
    # consoles together): beyond it a new socket is closed at once, before any HTTP is read
    max_sockets_per_address: int = 600
    # waiting chats (queued, or dropped within their resume window) one address may have
    max_waiting_per_address: int = 3
    # bytes of chatter text one address may have stored in any hour (UTF-8); past it `say`
    # is refused with rate_limited (a chatter types ~20 kB an hour; 2 MB is a flood)
    max_bytes_per_address_hour: int = 2_000_000
    # chatter flood limits (protocol v1: 5 per second, 30 per 10 s); raised only for benchmarks
    chat_rate_per_second: int = 5
    chat_rate_per_10s: int = 30
    login_timeout: int = 30
    max_chats_per_counsellor: int = 3  # open chats one counsellor may accept; 0: no cap
    # seconds between pings and to wait for a pong: with the 3 s close timeout, a dead peer is
    # noticed within 2 x 8 + 3 = 19 s
    keepalive: int = 8
    # the relay process's event loop: "uvloop" (libuv; measured: a third less latency, half
    # the transport's CPU), "asyncio" (the standard one), or "auto" (uvloop where installed)
    event_loop: str = "auto"
    tls_cert: Path | None = None
    tls_key: Path | None = None
    # mail helpline (issue 5)
    smtp: bool = True  # run the SMTP listener beside the relay
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 2525  # 0: any free port
    mail_addresses: list[str] = field(default_factory=lambda: ["hulp@1712.local"])
    team_addresses: dict[str, str] = field(default_factory=dict)  # address -> region
    mail_max_bytes: int = 10_000_000
    mail_from: str = "1712 <hulp@1712.local>"
    smarthost: str = ""  # host:port for outgoing mail; empty: sealed .eml files in the outbox
    smarthost_starttls: bool = True
    smarthost_user: str = ""
    smarthost_password: str = ""
    smarthost_cafile: Path | None = None  # CA certificate(s) to trust instead of the system's
    outbox: Path | None = None  # default: DATA/outbox
    mail_closed_dates: list[str] = field(default_factory=list)  # YYYY-MM-DD, no mail work
    # hostile mail: each parse runs in a child process, at most this many at once, cut off
    # after this many seconds (then retried without the HTML parser); HTML longer than
    # mail_html_max_chars is stripped of tags linearly instead of parsed
    mail_parse_timeout: int = 10
    mail_parse_workers: int = 2
    mail_html_max_chars: int = 200_000
    # SMTP sessions open at once, in all and from one network address (beyond: 421)
    smtp_max_sessions: int = 20
    smtp_max_sessions_per_address: int = 3
    # console and clients
    url: str = "ws://127.0.0.1:1712/console"
    chat_url: str = "ws://127.0.0.1:1712/chat"
    lang: str = "nl"
    bell: bool = True
    canned: dict[str, str] = field(default_factory=dict)  # canned reply id -> text
    keymap: dict[str, str] = field(default_factory=dict)  # binding id -> keys
    themes: dict[str, str] = field(default_factory=dict)  # dossier theme id -> label; {}: default
    # `counsellor --script`: base32 TOTP secret to compute login codes (developers, CI only)
    totp_secret: str = ""

    @property
    def key_path(self) -> Path:
        return self.key_file if self.key_file is not None else self.data / "console1712.key"

    @property
    def db_path(self) -> Path:
        """The SQLite file when `database` is not a URL (DATA/console1712.db by default)."""
        if self.database and not self.on_postgres:
            return Path(self.database).expanduser()
        return self.data / "console1712.db"

    @property
    def on_postgres(self) -> bool:
        return self.database.startswith(("postgresql://", "postgres://"))

    @property
    def db_target(self) -> Path | str:
        """What `Database.open` takes: the SQLite file, or the PostgreSQL URL."""
        return self.database if self.on_postgres else self.db_path

    @property
    def outbox_path(self) -> Path:
        return self.outbox if self.outbox is not None else self.data / "outbox"

    def validate(self) -> None:
        if not 0 <= self.port <= 65535:
            raise SettingsError(f"port must be 0..65535 (0: any free port), not {self.port}")
        if self.resume_window < 1:
            raise SettingsError("resume_window must be at least 1 second")
        if self.orphan_after < 1:
            raise SettingsError("orphan_after must be at least 1 second")
        if self.reply_alert_s < 1 or self.queue_alert_s < 1:
            raise SettingsError("reply_alert_s and queue_alert_s must be at least 1 second")
        if any(not 0 <= d <= 6 for d in self.chat_days):
            raise SettingsError("chat_days are weekday numbers 0 (Monday) to 6 (Sunday)")
        if self.lang not in ("nl", "en"):
            raise SettingsError(f"lang must be 'nl' or 'en', not {self.lang!r}")
        if self.max_connections_per_address < 1 or self.max_consoles_per_address < 1:
            raise SettingsError(
                "max_connections_per_address and max_consoles_per_address must be at least 1"
            )
        if self.max_sockets_per_address < 1 or self.max_waiting_per_address < 1:
            raise SettingsError(
                "max_sockets_per_address and max_waiting_per_address must be at least 1"
            )
        if self.max_bytes_per_address_hour < 4 * 4000:
            raise SettingsError(
                "max_bytes_per_address_hour must be at least 16000 (one longest message)"
            )
        if self.chat_rate_per_second < 1 or self.chat_rate_per_10s < 1:
            raise SettingsError("chat_rate_per_second and chat_rate_per_10s must be at least 1")
        if self.keepalive < 1:
            raise SettingsError("keepalive must be at least 1 second")
        if self.event_loop not in EVENT_LOOPS:
            raise SettingsError(
                f"event_loop must be 'auto', 'uvloop' or 'asyncio', not {self.event_loop!r}"
            )
        if self.max_chats_per_counsellor < 0:
            raise SettingsError("max_chats_per_counsellor must be 0 (no cap) or more")
        if self.login_timeout < 1:
            raise SettingsError("login_timeout must be at least 1 second")
        if self.advertise_url and not self.advertise_url.startswith(("ws://", "wss://")):
            raise SettingsError("advertise_url is a ws:// or wss:// address (host and port)")
        if (self.tls_cert is None) != (self.tls_key is None):
            raise SettingsError("tls_cert and tls_key go together")
        self._validate_mail()
        # Imported here: domain.hours parses and checks the schedule strings.
        from console1712.domain.hours import Schedule

        try:
            Schedule.from_settings(self.chat_days, self.chat_hours, self.closed_dates)
        except ValueError as exc:
            raise SettingsError(f"chat schedule: {exc}") from None

    def _validate_mail(self) -> None:
        if not 0 <= self.smtp_port <= 65535:
            raise SettingsError(
                f"smtp_port must be 0..65535 (0: any free port), not {self.smtp_port}"
            )
        if self.mail_max_bytes < 1000:
            raise SettingsError("mail_max_bytes must be at least 1000")
        if self.mail_parse_timeout < 1 or self.mail_parse_workers < 1:
            raise SettingsError("mail_parse_timeout and mail_parse_workers must be at least 1")
        if self.mail_html_max_chars < 0:
            raise SettingsError("mail_html_max_chars must be 0 or more (0: never parse HTML)")
        if self.smtp_max_sessions < 1 or self.smtp_max_sessions_per_address < 1:
            raise SettingsError(
                "smtp_max_sessions and smtp_max_sessions_per_address must be at least 1"
            )
        if any("@" not in a for a in self.mail_addresses + list(self.team_addresses)):
            raise SettingsError("mail_addresses and team_addresses must be e-mail addresses")
        bad = [r for r in self.team_addresses.values() if r not in REGIONS]
        if bad:
            raise SettingsError(f"team_addresses: unknown region {bad[0]!r}")
        if self.smarthost and not re.fullmatch(r"[^\s:]+:\d{1,5}", self.smarthost):
            raise SettingsError("smarthost must be HOST:PORT (or empty for the outbox folder)")
        from datetime import date

        for text in self.mail_closed_dates:
            try:
                date.fromisoformat(text)
            except ValueError:
                raise SettingsError(f"mail_closed_dates: not a YYYY-MM-DD date: {text!r}") from None


_HINTS = get_type_hints(Settings)
FIELDS = {f.name: _HINTS[f.name] for f in dataclasses.fields(Settings)}


def _coerce(name: str, value: Any, from_text: bool) -> Any:
    """Turn a TOML or environment value into the field's type, or raise SettingsError."""
    kind = FIELDS[name]
    optional = type(None) in get_args(kind)
    if optional:
        kind = next(a for a in get_args(kind) if a is not type(None))
        if value in ("", None):
            return None
    origin = get_origin(kind)
    try:
        if kind is bool:
            if isinstance(value, bool):
                return value
            if from_text and str(value).lower() in ("1", "true", "yes", "on"):
                return True
            if from_text and str(value).lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError
        if kind is int:
            if isinstance(value, bool):
                raise ValueError
            if isinstance(value, int):
                return value
            if from_text:
                return int(str(value))
            raise ValueError
        if kind is str:
            if isinstance(value, str):
                return value
            raise ValueError
        if kind is Path:
            if isinstance(value, str | Path) and str(value):
                return Path(value).expanduser()
            raise ValueError
        if origin is list:
            (item,) = get_args(kind)
            if from_text and isinstance(value, str):
                value = [v.strip() for v in value.split(",") if v.strip()]
            if not isinstance(value, list):
                raise ValueError
            return [
                item(v) if item is int and not isinstance(v, bool) else _check(item, v)
                for v in value
            ]
        if origin is dict:
            if from_text and isinstance(value, str):
                pairs = [p.split("=", 1) for p in value.split(",") if p.strip()]
                value = {k.strip(): v.strip() for k, v in pairs}
            if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()
            ):
                raise ValueError
            return dict(value)
    except (ValueError, TypeError):
        pass
    raise SettingsError(f"bad value for setting '{name}': {value!r}")


def _check(kind: type, value: Any) -> Any:
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValueError
    return value


def load_settings(
    config_file: Path | None = None,
    environ: dict[str, str] | None = None,
    overrides: dict[str, Any] | None = None,
) -> Settings:
    """Build validated settings from the four layers; raise SettingsError with one line."""
    environ = dict(os.environ if environ is None else environ)
    values: dict[str, Any] = {}
    if config_file is None and environ.get(ENV_PREFIX + "CONFIG"):
        config_file = Path(environ[ENV_PREFIX + "CONFIG"])
    if config_file is not None:
        try:
            raw = tomllib.loads(Path(config_file).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SettingsError(f"config file not found: {config_file}") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
            raise SettingsError(f"config file {config_file} is not valid TOML: {exc}") from None
        for key, value in raw.items():
            name = key.replace("-", "_")
            if name not in FIELDS:
                raise SettingsError(f"unknown setting '{key}' in {config_file}")
            values[name] = _coerce(name, value, from_text=False)
    for env_key, value in environ.items():
        if not env_key.startswith(ENV_PREFIX) or env_key == ENV_PREFIX + "CONFIG":
            continue
        name = env_key[len(ENV_PREFIX) :].lower()
        if name not in FIELDS:
            raise SettingsError(f"unknown setting in environment: {env_key}")
        values[name] = _coerce(name, value, from_text=True)
    for name, value in (overrides or {}).items():
        if value is not None:
            values[name] = _coerce(name, value, from_text=True)
    settings = Settings(**values)
    settings.validate()
    return settings
