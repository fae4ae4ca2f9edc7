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
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.exceptions import InvalidKey
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cryptography.hazmat.primitives.twofactor.totp import TOTP

from console1712.clock import Clock, from_rfc3339, to_rfc3339
from console1712.store import audit
from console1712.store.crypto import DecryptError
from console1712.store.db import Database, Tx, register_encrypted

log = logging.getLogger("console1712.store.accounts")

ROLES = ("counsellor", "supervisor", "admin")
NAME_RE = re.compile(r"[a-z0-9._-]{1,64}")
MIN_PASSWORD = 8
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
TOTP_DIGITS, TOTP_STEP = 6, 30
ISSUER = "console1712"
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCK_TIME = timedelta(minutes=15)
SESSION_TIME = timedelta(hours=12)
UNKNOWN_ACTOR = "(unknown)"

register_encrypted("accounts", "display", "name")
register_encrypted("accounts", "totp_secret", "name")


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
    """A new TOTP secret for the account (the old app entry stops working)."""
    secret = new_secret()
    now = clock.now()

    async def job(tx: Tx) -> bool:
        changed = await tx.execute(
            "UPDATE accounts SET totp_secret = ?, updated_at = ? WHERE name = ?",
            (tx.keys.seal(secret, "accounts", "totp_secret", name), to_rfc3339(now), name),
        )
        if not changed:
            return False
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


async def lock_until(db: Database, clock: Clock, name: str) -> datetime | None:
    """When the lock on this name ends, or None if logins for it are not locked."""
    row = await db.fetchone(
        "SELECT until FROM login_locks WHERE name_key = ?", (_name_key(db, name),)
    )
    if row is None:
        return None
    until = from_rfc3339(row["until"])
    return until if clock.now() < until else None


async def authenticate(db: Database, clock: Clock, name: str, password: str, otp: str) -> Account:
    """Check name, password and TOTP code; AuthFailed for any wrong part, Locked when locked."""
    now = clock.now()
    key = _name_key(db, name)
    row = await db.fetchone(
        f"SELECT {_COLUMNS}, password_hash, totp_secret, totp_last_step FROM accounts"
        " WHERE name = ?",
        (name,),
    )
    actor = name if row is not None else UNKNOWN_ACTOR
    obj = f"account:{name}" if row is not None else f"login-name:{key[:16]}"
    until = await lock_until(db, clock, name)
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
            await tx.execute("DELETE FROM login_failures WHERE name_key = ?", (key,))
            await tx.execute("DELETE FROM login_locks WHERE name_key = ?", (key,))
            await audit.append(tx, now, actor, "login", obj, "ok")
            return True

        if await db.write(success):
            assert row is not None
            return _account(db, row)

    async def failure(tx: Tx) -> datetime | None:
        when = to_rfc3339(now)
        locked = await tx.fetchone(
            "SELECT until FROM login_locks WHERE name_key = ? AND until > ?", (key, when)
        )
        if locked is not None:
            await audit.append(tx, now, actor, "login", obj, "locked")
            return from_rfc3339(locked["until"])
        await tx.execute(
            "DELETE FROM login_failures WHERE name_key = ? AND at <= ?",
            (key, to_rfc3339(now - FAILURE_WINDOW)),
        )
        await tx.execute("INSERT INTO login_failures (name_key, at) VALUES (?, ?)", (key, when))
        counted = await tx.fetchone(
            "SELECT count(*) FROM login_failures WHERE name_key = ?", (key,)
        )
        await audit.append(tx, now, actor, "login", obj, "failed")
        if counted is not None and int(counted[0]) >= MAX_FAILURES:
            # The count starts afresh once the lock ends.
            await tx.execute("DELETE FROM login_failures WHERE name_key = ?", (key,))
            await tx.execute(
                "INSERT INTO login_locks (name_key, until) VALUES (?, ?)"
                " ON CONFLICT (name_key) DO UPDATE SET until = excluded.until",
                (key, to_rfc3339(now + LOCK_TIME)),
            )
            await audit.append(tx, now, actor, "login.lock", obj, "locked")
        return None

    locked_until = await db.write(failure)
    if locked_until is not None:
        raise Locked(locked_until)
    raise AuthFailed("authentication failed")


# -- sessions ------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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
    """The account of a valid session token; AuthFailed if unknown, expired or disabled."""
    row = await db.fetchone(
        "SELECT a.name, a.role, a.team, a.display, a.disabled, s.expires_at"
        " FROM sessions s JOIN accounts a ON a.name = s.name WHERE s.token_hash = ?",
        (_token_hash(token),),
    )
    if row is None or row["disabled"] or clock.now() >= from_rfc3339(row["expires_at"]):
        raise AuthFailed("session is not valid")
    return _account(db, row)


async def end_session(db: Database, token: str) -> None:
    """Forget one session token (logout)."""

    async def job(tx: Tx) -> None:
        await tx.execute("DELETE FROM sessions WHERE token_hash = ?", (_token_hash(token),))

    await db.write(job)
