"""Staff accounts: scrypt passwords, TOTP (RFC 6238), lockout, sessions; all audited.

Nothing is cached: the relay and the CLI read accounts from the database on every login,
so an account made with `console1712 user add` next to a running relay works at once.
Failed logins are counted per keyed hash of the typed name (unknown names too), in the
database, so the count survives restarts and is shared by every process on the data.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import os
import re
import secrets
import sqlite3
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.exceptions import InvalidKey
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cryptography.hazmat.primitives.twofactor.totp import TOTP

from console1712.clock import Clock, from_rfc3339, to_rfc3339
from console1712.domain.vocabulary import ROLES
from console1712.store import audit
from console1712.store.crypto import DecryptError
from console1712.store.db import Database, Tx

log = logging.getLogger("console1712.store.accounts")

NAME_RE = re.compile(r"[a-z0-9._-]{1,64}")
MIN_PASSWORD = 8
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
TOTP_DIGITS, TOTP_STEP = 6, 30
ISSUER = "console1712"
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCK_TIME = timedelta(minutes=15)  # at least FAILURE_WINDOW: counts start afresh after it
NAME_MAX_FAILURES = 50  # per name from all sources within the window: sources not known
KNOWN_FOR = timedelta(days=90)  # a source that logged in for a name within this is known
SESSION_TIME = timedelta(hours=12)
UNKNOWN_ACTOR = "(unknown)"


@dataclass(frozen=True)
class Account:
    """A staff account as the rest of the program sees it (no secrets)."""

    name: str
    role: str  # "counsellor" | "supervisor" | "admin"
    team: str | None
    display: str
    disabled: bool


@dataclass(frozen=True)
class Created:
    """A new account (or a new TOTP secret) with what the person needs to set up the app."""

    account: Account
    secret: str  # base32 TOTP secret
    uri: str  # otpauth://totp/console1712:NAME?secret=BASE32&issuer=console1712


class AuthFailed(Exception):
    """Wrong name, password or code, or a disabled account: callers cannot tell which."""


class Locked(Exception):
    """Too many failures for this name; every login is refused until `until`."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"locked until {to_rfc3339(until)}")
        self.until = until


class NameTaken(Exception):
    """An account with this name already exists."""


class AccountError(ValueError):
    """A bad name, role or password; the message is one line for the user."""


class UnknownAccount(LookupError):
    """No account has this name (management commands, not logins)."""


# -- TOTP ----------------------------------------------------------------------------------


def _totp(secret: str) -> TOTP:
    raw = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    return TOTP(raw, TOTP_DIGITS, hashes.SHA1(), TOTP_STEP, enforce_key_length=False)


def _step(at: datetime) -> int:
    return int(at.timestamp()) // TOTP_STEP


def totp_code(secret: str, at: datetime, offset_steps: int = 0) -> str:
    """The code an authenticator app shows at `at`, shifted by whole time steps."""
    return _totp(secret).generate((_step(at) + offset_steps) * TOTP_STEP).decode()


def new_secret() -> str:
    """A fresh 160-bit TOTP secret in base32 without padding (as apps expect)."""
    return base64.b32encode(os.urandom(20)).decode().rstrip("=")


def otpauth_uri(name: str, secret: str) -> str:
    """The provisioning URI an authenticator app scans (SHA1, 6 digits, 30 s)."""
    return (
        f"otpauth://totp/{ISSUER}:{name}?secret={secret}&issuer={ISSUER}"
        f"&algorithm=SHA1&digits={TOTP_DIGITS}&period={TOTP_STEP}"
    )


def _matching_step(secret: str, otp: str, at: datetime, last_step: int) -> int | None:
    """The time step (now, one before or one after) whose code is `otp` and not yet used."""
    otp = otp.strip()
    totp = _totp(secret)
    now = _step(at)
    found = None
    for step in (now - 1, now, now + 1):
        # compare every candidate so the timing does not tell which step matched
        code = totp.generate(step * TOTP_STEP).decode()
        if hmac.compare_digest(code.encode(), otp.encode()) and step > last_step:
            found = step
    return found


# -- passwords -----------------------------------------------------------------------------


def _normalise(password: str) -> bytes:
    return unicodedata.normalize("NFC", password).encode()


def _scrypt(salt: bytes) -> Scrypt:
    return Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)


def hash_password(password: str) -> str:
    """scrypt with a fresh 16-byte salt; parameters kept with the hash so they can grow."""
    salt = os.urandom(16)
    digest = _scrypt(salt).derive(_normalise(password))
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def check_password(password: str, stored: str) -> bool:
    """True if `password` matches a hash made by hash_password (blocking: run in a thread)."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        kdf = Scrypt(salt=base64.b64decode(salt), length=32, n=int(n), r=int(r), p=int(p))
        kdf.verify(_normalise(password), base64.b64decode(digest))
    except (ValueError, InvalidKey):
        return False
    return True


_DUMMY: list[str] = []


def _check_login_password(password: str, stored: str | None) -> bool:
    """check_password; for unknown names against a throwaway hash, so timing tells nothing."""
    if stored is None:
        if not _DUMMY:  # made once, in this worker thread, never on the event loop
            _DUMMY.append(hash_password(secrets.token_hex(16)))
        check_password(password, _DUMMY[0])
        return False
    return check_password(password, stored)


def check_name(name: str) -> None:
    if not NAME_RE.fullmatch(name):
        raise AccountError(
            f"invalid account name {name!r}: 1-64 characters of a-z, 0-9, '.', '_', '-'"
        )


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must be at least {MIN_PASSWORD} characters")


# -- reading -------------------------------------------------------------------------------

_COLUMNS = "name, role, team, display, disabled"


def _account(db: Database, r: sqlite3.Row) -> Account:
    return Account(
        name=r["name"],
        role=r["role"],
        team=r["team"],
        display=db.keys.open(r["display"], "accounts", "display", r["name"]),
        disabled=bool(r["disabled"]),
    )


async def get_account(db: Database, name: str) -> Account | None:
    """The account with this name, or None."""
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM accounts WHERE name = ?", (name,))
    return None if row is None else _account(db, row)


async def list_accounts(db: Database) -> list[Account]:
    """Every account, disabled ones included, by name."""
    rows = await db.fetchall(f"SELECT {_COLUMNS} FROM accounts ORDER BY name")
    return [_account(db, r) for r in rows]


# -- managing ------------------------------------------------------------------------------


async def create_account(
    db: Database,
    clock: Clock,
    name: str,
    password: str,
    *,
    role: str,
    team: str | None = None,
    display: str = "Hulpverlener",
    actor: str = "system",
) -> Created:
    """Create an account; NameTaken if the name exists, AccountError for bad input."""
    check_name(name)
    check_new_password(password)
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if not display.strip():
        raise AccountError("the display alias must not be empty")
    password_hash = await asyncio.to_thread(hash_password, password)
    secret = new_secret()
    now = clock.now()

    async def job(tx: Tx) -> bool:
        if await tx.fetchone("SELECT 1 FROM accounts WHERE name = ?", (name,)):
            return False
        when = to_rfc3339(now)
        await tx.execute(
            "INSERT INTO accounts (name, role, team, display, password_hash, totp_secret,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                name,
                role,
                team,
                tx.keys.seal(display, "accounts", "display", name),
                password_hash,
                tx.keys.seal(secret, "accounts", "totp_secret", name),
                when,
                when,
            ),
        )
        await audit.append(tx, now, actor, "account.create", f"account:{name}", detail=role)
        return True

    if not await db.write(job):
        raise NameTaken(f"account {name} already exists")
    account = Account(name, role, team, display, False)
    return Created(account, secret, otpauth_uri(name, secret))


async def _change(
    db: Database,
    clock: Clock,
    name: str,
    action: str,
    actor: str,
    sql: str,
    params: tuple[object, ...],
    *,
    end_sessions: bool = False,
) -> None:
    """Run one UPDATE on an existing account and audit it, in one transaction."""
    now = clock.now()

    async def job(tx: Tx) -> bool:
        changed = await tx.execute(sql, (*params, to_rfc3339(now), name))
        if not changed:
            return False
        if end_sessions:
            await tx.execute("DELETE FROM sessions WHERE name = ?", (name,))
        await audit.append(tx, now, actor, action, f"account:{name}")
        return True

    if not await db.write(job):
        raise UnknownAccount(f"no account named {name}")


async def disable_account(db: Database, clock: Clock, name: str, *, actor: str = "system") -> None:
    """Disable an account and end its sessions (its logins then fail like a wrong password)."""
    await _change(
        db,
        clock,
        name,
        "account.disable",
        actor,
        "UPDATE accounts SET disabled = 1, updated_at = ? WHERE name = ?",
        (),
        end_sessions=True,
    )


async def enable_account(db: Database, clock: Clock, name: str, *, actor: str = "system") -> None:
    """Enable a disabled account."""
    await _change(
        db,
        clock,
        name,
        "account.enable",
        actor,
        "UPDATE accounts SET disabled = 0, updated_at = ? WHERE name = ?",
        (),
    )


async def set_password(
    db: Database, clock: Clock, name: str, password: str, *, actor: str = "system"
) -> None:
    """Set a new password; open sessions of the account end (they were made with the old)."""
    check_new_password(password)
    password_hash = await asyncio.to_thread(hash_password, password)
    await _change(
        db,
        clock,
        name,
        "account.password",
        actor,
        "UPDATE accounts SET password_hash = ?, updated_at = ? WHERE name = ?",
        (password_hash,),
        end_sessions=True,
    )


async def reset_otp(db: Database, clock: Clock, name: str, *, actor: str = "system") -> Created:
    """A new TOTP secret for the account (the old app entry stops working, and so do the
    open sessions: they were made with the old second factor)."""
    secret = new_secret()
    now = clock.now()

    async def job(tx: Tx) -> bool:
        changed = await tx.execute(
            "UPDATE accounts SET totp_secret = ?, updated_at = ? WHERE name = ?",
            (tx.keys.seal(secret, "accounts", "totp_secret", name), to_rfc3339(now), name),
        )
        if not changed:
            return False
        await tx.execute("DELETE FROM sessions WHERE name = ?", (name,))
        await audit.append(tx, now, actor, "account.reset-otp", f"account:{name}")
        return True

    if not await db.write(job):
        raise UnknownAccount(f"no account named {name}")
    account = await get_account(db, name)
    assert account is not None
    return Created(account, secret, otpauth_uri(name, secret))


# -- logging in ----------------------------------------------------------------------------


def _name_key(db: Database, name: str) -> str:
    # keyed, so the table of failures never holds what someone typed as a name
    return db.keys.keyed_hash("login-name", name)


def _source_key(db: Database, source: str | None) -> str:
    # keyed like the name: the tables never hold a network address
    return db.keys.keyed_hash("login-source", source or "")


async def _lock_in(
    tx: Tx | Database, name_key: str, source_key: str, now: datetime
) -> datetime | None:
    """The later end of the active locks that hold for this name from this source.

    The lock of this source holds always; the per-name lock (the cap over all sources)
    holds only for sources that did not log in for this name within KNOWN_FOR."""
    when = to_rfc3339(now)
    ends: list[str] = []
    own = await tx.fetchone(
        "SELECT until FROM login_source_locks WHERE name_key = ? AND source_key = ? AND until > ?",
        (name_key, source_key, when),
    )
    if own is not None:
        ends.append(own["until"])
    shared = await tx.fetchone(
        "SELECT until FROM login_locks WHERE name_key = ? AND until > ?", (name_key, when)
    )
    if shared is not None:
        known = await tx.fetchone(
            "SELECT 1 FROM login_known_sources WHERE name_key = ? AND source_key = ?"
            " AND last_ok > ?",
            (name_key, source_key, to_rfc3339(now - KNOWN_FOR)),
        )
        if known is None:
            ends.append(shared["until"])
    return from_rfc3339(max(ends)) if ends else None


async def lock_until(
    db: Database, clock: Clock, name: str, source: str | None = None
) -> datetime | None:
    """When the lock on this name from this source ends, or None if logins are not locked."""
    return await _lock_in(db, _name_key(db, name), _source_key(db, source), clock.now())


async def authenticate(
    db: Database, clock: Clock, name: str, password: str, otp: str, source: str | None = None
) -> Account:
    """Check name, password and TOTP code; AuthFailed for any wrong part, Locked when locked.

    `source` is the network address the login comes from (None: a local caller); failures
    are counted per (name, source) and per name (see MAX_FAILURES and NAME_MAX_FAILURES)."""
    now = clock.now()
    key = _name_key(db, name)
    src = _source_key(db, source)
    row = await db.fetchone(
        f"SELECT {_COLUMNS}, password_hash, totp_secret, totp_last_step FROM accounts"
        " WHERE name = ?",
        (name,),
    )
    actor = name if row is not None else UNKNOWN_ACTOR
    obj = f"account:{name}" if row is not None else f"login-name:{key[:16]}"
    until = await _lock_in(db, key, src, now)
    if until is not None:
        await audit.record(db, clock, actor, "login", obj, "locked")
        raise Locked(until)
    stored = row["password_hash"] if row is not None else None
    password_ok = await asyncio.to_thread(_check_login_password, password, stored)
    step: int | None = None
    if row is not None and password_ok and not row["disabled"]:
        try:
            secret = db.keys.open(row["totp_secret"], "accounts", "totp_secret", name)
        except DecryptError:
            # A secret that does not open here was moved or changed: fail closed.
            log.error("login refused: an account's TOTP secret does not decrypt (tampered?)")
        else:
            step = _matching_step(secret, otp, now, int(row["totp_last_step"]))
    if step is not None:
        ok_step = step

        async def success(tx: Tx) -> bool:
            # The step is claimed in the write transaction: of two racing logins with one
            # code only the first gets it.
            claimed = await tx.execute(
                "UPDATE accounts SET totp_last_step = ? WHERE name = ? AND totp_last_step < ?",
                (ok_step, name, ok_step),
            )
            if not claimed:
                return False
            # This source's count starts afresh; the per-name count does not (an attack from
            # elsewhere goes on), but this source is now known and the per-name lock spares it.
            await tx.execute(
                "DELETE FROM login_failures WHERE name_key = ? AND source_key = ?", (key, src)
            )
            await tx.execute(
                "DELETE FROM login_source_locks WHERE name_key = ? AND source_key = ?", (key, src)
            )
            await tx.execute(
                "INSERT INTO login_known_sources (name_key, source_key, last_ok) VALUES (?, ?, ?)"
                " ON CONFLICT (name_key, source_key) DO UPDATE SET last_ok = excluded.last_ok",
                (key, src, to_rfc3339(now)),
            )
            await audit.append(tx, now, actor, "login", obj, "ok")
            return True

        if await db.write(success):
            assert row is not None
            return _account(db, row)

    async def failure(tx: Tx) -> datetime | None:
        when = to_rfc3339(now)
        locked = await _lock_in(tx, key, src, now)
        if locked is not None:
            await audit.append(tx, now, actor, "login", obj, "locked")
            return locked
        # Failures older than the window no longer count; since a lock lasts as long as the
        # window, this also makes every count start afresh once its lock has ended.
        await tx.execute(
            "DELETE FROM login_failures WHERE name_key = ? AND at <= ?",
            (key, to_rfc3339(now - FAILURE_WINDOW)),
        )
        await tx.execute(
            "INSERT INTO login_failures (name_key, source_key, at) VALUES (?, ?, ?)",
            (key, src, when),
        )
        counted = await tx.fetchone(
            "SELECT count(*) AS n, sum(source_key = ?) AS here FROM login_failures"
            " WHERE name_key = ?",
            (src, key),
        )
        await audit.append(tx, now, actor, "login", obj, "failed")
        total = int(counted["n"]) if counted is not None else 0
        here = int(counted["here"] or 0) if counted is not None else 0
        lock_end = to_rfc3339(now + LOCK_TIME)
        if here >= MAX_FAILURES:
            await tx.execute(
                "INSERT INTO login_source_locks (name_key, source_key, until) VALUES (?, ?, ?)"
                " ON CONFLICT (name_key, source_key) DO UPDATE SET until = excluded.until",
                (key, src, lock_end),
            )
            await audit.append(tx, now, actor, "login.lock", obj, "locked")
        if total >= NAME_MAX_FAILURES:
            await tx.execute(
                "INSERT INTO login_locks (name_key, until) VALUES (?, ?)"
                " ON CONFLICT (name_key) DO UPDATE SET until = excluded.until",
                (key, lock_end),
            )
            await audit.append(tx, now, actor, "login.lock", obj, "locked", detail="name cap")
        return None

    locked_until = await db.write(failure)
    if locked_until is not None:
        raise Locked(locked_until)
    raise AuthFailed("authentication failed")


async def clean_login_records(db: Database, clock: Clock) -> int:
    """Delete failures past the window, ended locks, sources not seen within KNOWN_FOR and
    expired sessions (names nobody tries again would keep theirs for ever); rows deleted."""
    now = clock.now()
    steps = (
        ("DELETE FROM login_failures WHERE at <= ?", now - FAILURE_WINDOW),
        ("DELETE FROM login_source_locks WHERE until <= ?", now),
        ("DELETE FROM login_locks WHERE until <= ?", now),
        ("DELETE FROM login_known_sources WHERE last_ok <= ?", now - KNOWN_FOR),
        ("DELETE FROM sessions WHERE expires_at <= ?", now),
    )

    async def job(tx: Tx) -> int:
        deleted = 0
        for sql, before in steps:
            deleted += await tx.execute(sql, (to_rfc3339(before),))
        return deleted

    return await db.write(job)


# -- sessions ------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    """What the sessions table keeps of a token (SHA-256, hex): a copy opens no session."""
    return hashlib.sha256(token.encode()).hexdigest()


_token_hash = token_hash


async def create_session(db: Database, clock: Clock, account: Account) -> str:
    """A fresh session token for the account, valid 12 hours (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    now = clock.now()

    async def job(tx: Tx) -> None:
        # expired sessions are cleared on the way
        await tx.execute("DELETE FROM sessions WHERE expires_at <= ?", (to_rfc3339(now),))
        await tx.execute(
            "INSERT INTO sessions (token_hash, name, created_at, expires_at) VALUES (?, ?, ?, ?)",
            (_token_hash(token), account.name, to_rfc3339(now), to_rfc3339(now + SESSION_TIME)),
        )

    await db.write(job)
    return token


async def account_for_session(db: Database, clock: Clock, token: str) -> Account:
    """The account of a valid session token; AuthFailed if unknown, expired or disabled.

    Audited like a password login (action "login", detail "token"), refusals included."""
    now = clock.now()
    row = await db.fetchone(
        "SELECT a.name, a.role, a.team, a.display, a.disabled, s.expires_at"
        " FROM sessions s JOIN accounts a ON a.name = s.name WHERE s.token_hash = ?",
        (_token_hash(token),),
    )
    ok = row is not None and not row["disabled"] and now < from_rfc3339(row["expires_at"])
    if row is None:
        # An unknown token names nobody: the entry says only that one was refused.
        actor, obj = UNKNOWN_ACTOR, "session"
    else:
        actor, obj = row["name"], f"account:{row['name']}"
    await audit.record(db, clock, actor, "login", obj, "ok" if ok else "failed", detail="token")
    if not ok or row is None:
        raise AuthFailed("session is not valid")
    return _account(db, row)


async def live_sessions(db: Database, clock: Clock, hashes: Iterable[str]) -> set[str]:
    """Of these token hashes, those whose session still holds: not ended (logout, disable,
    password or OTP change), not expired, account not disabled. One query per 500."""
    wanted = sorted(set(hashes))
    now = to_rfc3339(clock.now())
    live: set[str] = set()
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        marks = ", ".join("?" * len(chunk))
        rows = await db.fetchall(
            "SELECT s.token_hash FROM sessions s JOIN accounts a ON a.name = s.name"
            f" WHERE s.token_hash IN ({marks}) AND s.expires_at > ? AND a.disabled = 0",
            (*chunk, now),
        )
        live.update(str(r["token_hash"]) for r in rows)
    return live


async def end_session(db: Database, token: str, clock: Clock | None = None) -> bool:
    """Forget one session token (logout); audited when a clock is given. False if unknown."""

    async def job(tx: Tx) -> bool:
        row = await tx.fetchone(
            "SELECT name FROM sessions WHERE token_hash = ?", (_token_hash(token),)
        )
        if row is None:
            return False
        await tx.execute("DELETE FROM sessions WHERE token_hash = ?", (_token_hash(token),))
        if clock is not None:
            name = str(row["name"])
            await audit.append(tx, clock.now(), name, "logout", f"account:{name}")
        return True

    return await db.write(job)
