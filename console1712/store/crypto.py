"""Keys and AES-256-GCM encryption at rest; the key file lives outside the database file.

A sealed value is: version byte 0x01 | key id (4 bytes, big endian) | nonce (12) | ciphertext+tag.
The associated data binds it to its table, column and row, so a value copied to another
row (or column) fails to open.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = 1
HEADER = 1 + 4 + 12


class KeyFileError(Exception):
    """A key file problem the user must fix (missing, readable by others, malformed)."""


class DecryptError(Exception):
    """A value that does not open: wrong key, wrong row, or tampered."""


def _aad(table: str, column: str, row: str) -> bytes:
    return f"{table}\x1f{column}\x1f{row}".encode()


@dataclass
class KeyRing:
    """The data keys (by id), which one seals new values, and the key for keyed hashes."""

    keys: dict[int, bytes]
    current: int
    hmac_key: bytes
    _aead: dict[int, AESGCM] = field(default_factory=dict, repr=False)
    _pads: tuple[Any, Any] | None = field(default=None, repr=False, compare=False)
    _head: tuple[int, bytes] = field(default=(0, b""), repr=False, compare=False)

    @classmethod
    def generate(cls) -> KeyRing:
        return cls(keys={1: AESGCM.generate_key(256)}, current=1, hmac_key=os.urandom(32))

    def _cipher(self, key_id: int) -> AESGCM:
        cipher = self._aead.get(key_id)
        if cipher is None:
            try:
                cipher = self._aead[key_id] = AESGCM(self.keys[key_id])
            except KeyError:
                raise DecryptError(f"value sealed with key {key_id}, not in the key file") from None
        return cipher

    def seal(self, value: str, table: str, column: str, row: str) -> bytes:
        """Encrypt one value for one place (table, column, row) under the current key."""
        nonce = os.urandom(12)
        body = self._cipher(self.current).encrypt(nonce, value.encode(), _aad(table, column, row))
        key_id, head = self._head
        if key_id != self.current:  # made once per key: this runs for every message
            head = bytes([VERSION]) + self.current.to_bytes(4, "big")
            self._head = (self.current, head)
        return head + nonce + body

    def open(self, blob: bytes, table: str, column: str, row: str) -> str:
        """Decrypt a sealed value; DecryptError if it does not belong here or was changed."""
        if len(blob) < HEADER + 16 or blob[0] != VERSION:
            raise DecryptError(f"{table}.{column} of {row}: not a sealed value")
        key_id = int.from_bytes(blob[1:5], "big")
        try:
            plain = self._cipher(key_id).decrypt(
                blob[5:HEADER], blob[HEADER:], _aad(table, column, row)
            )
        except InvalidTag:
            raise DecryptError(f"{table}.{column} of {row}: does not decrypt here") from None
        return plain.decode()

    def seal_opt(self, value: str | None, table: str, column: str, row: str) -> bytes | None:
        return None if value is None else self.seal(value, table, column, row)

    def open_opt(self, blob: bytes | None, table: str, column: str, row: str) -> str | None:
        return None if blob is None else self.open(blob, table, column, row)

    def keyed_hash(self, purpose: str, value: str) -> str:
        """HMAC-SHA256 of a value (e.g. a network address), so it can be matched, not read."""
        # HMAC (RFC 2104) from SHA-256 states with the padded key absorbed once: a third of
        # the time of hmac.new per call, and this runs for every message (client ids).
        if len(self.hmac_key) > 64:  # longer than a SHA-256 block (our keys are 32 bytes)
            message = f"{purpose}:{value}".encode()
            return hmac.new(self.hmac_key, message, hashlib.sha256).hexdigest()
        if self._pads is None:
            key = self.hmac_key.ljust(64, b"\0")
            self._pads = (
                hashlib.sha256(bytes(b ^ 0x36 for b in key)),
                hashlib.sha256(bytes(b ^ 0x5C for b in key)),
            )
        inner, outer = self._pads[0].copy(), self._pads[1].copy()
        inner.update(f"{purpose}:{value}".encode())
        outer.update(inner.digest())
        return outer.hexdigest()

    def with_new_key(self) -> KeyRing:
        """A copy with a fresh data key that becomes current (rotation)."""
        new_id = max(self.keys) + 1
        keys = dict(self.keys)
        keys[new_id] = AESGCM.generate_key(256)
        return KeyRing(keys=keys, current=new_id, hmac_key=self.hmac_key)

    def without(self, key_ids: set[int]) -> KeyRing:
        keys = {k: v for k, v in self.keys.items() if k not in key_ids or k == self.current}
        return KeyRing(keys=keys, current=self.current, hmac_key=self.hmac_key)

    # -- the key file -------------------------------------------------------------------

    def to_json(self) -> str:
        def b64(b: bytes) -> str:
            return base64.b64encode(b).decode()

        return json.dumps(
            {
                "format": "console1712-keys",
                "version": 1,
                "current": self.current,
                "keys": {str(k): b64(v) for k, v in sorted(self.keys.items())},
                "hmac": b64(self.hmac_key),
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str, where: str) -> KeyRing:
        try:
            raw = json.loads(text)
            keys = {int(k): base64.b64decode(v, validate=True) for k, v in raw["keys"].items()}
            ring = cls(
                keys=keys, current=int(raw["current"]), hmac_key=base64.b64decode(raw["hmac"])
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            raise KeyFileError(f"key file {where} is not a console1712 key file") from None
        if ring.current not in keys or any(len(k) != 32 for k in keys.values()):
            raise KeyFileError(f"key file {where} is damaged (bad key length or current key)")
        if len(ring.hmac_key) != 32:
            raise KeyFileError(f"key file {where} is damaged (bad hash key)")
        return ring


def write_key_file(path: Path, ring: KeyRing) -> None:
    """Write the key file atomically with mode 0600 (never readable by others, even briefly)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, ring.to_json().encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def read_key_file(path: Path) -> KeyRing:
    """Read the key file; refuse one that group or others can read."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise KeyFileError(f"key file not found: {path}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(
            f"key file {path} is accessible to others (mode {stat.S_IMODE(mode):04o}); "
            f"run: chmod 600 {path}"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyFileError(f"key file {path} cannot be read: {exc}") from None
    return KeyRing.from_json(text, str(path))
