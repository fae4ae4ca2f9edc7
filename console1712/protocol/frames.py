"""Protocol v1 frames: decoding, validation into typed requests, error and close codes.

Everything that arrives is checked here before the relay acts on it: a frame that is not
a JSON object, has a missing or unknown `type`, or a field of the wrong type or out of
range raises BadRequest, so bad input never reaches the relay's state or the storage.
"""

from __future__ import annotations

import json
import math
from collections.abc import Container
from dataclasses import dataclass
from typing import Any

from console1712.config import REGIONS
from console1712.domain.text import TextError, clean_field, clean_text, has_lone_surrogate

PROTOCOL = 1
MAX_FRAME = 64 * 1024
MAX_REF = 64
MAX_ID = 64
MAX_NICKNAME = 40
MAX_GENDER = 40
MAX_REASON = 500
MAX_NOTE = 1000  # a transfer's handover note
MIN_AGE, MAX_AGE = 5, 120
MIN_BLOCK_HOURS, MAX_BLOCK_HOURS = 1, 720
BAD_IN_A_ROW = 10
DEFAULT_NICKNAME = "Anoniem"


class Code:
    """Error codes of `error` frames."""

    BAD_REQUEST = "bad_request"
    CONSENT_REQUIRED = "consent_required"
    CLOSED = "closed"
    BLOCKED = "blocked"
    ALREADY_STARTED = "already_started"
    EXPIRED = "expired"
    RATE_LIMITED = "rate_limited"
    UNAUTHENTICATED = "unauthenticated"
    AUTH_FAILED = "auth_failed"
    LOCKED = "locked"
    TAKEN = "taken"
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    NOT_ASSIGNED = "not_assigned"
    TOO_MANY_CHATS = "too_many_chats"  # accept past max_chats_per_counsellor
    # the database cannot be reached (PostgreSQL down): nothing was done, try again shortly
    UNAVAILABLE = "unavailable"


class Close:
    """WebSocket close codes used by the relay."""

    NORMAL = 1000
    GOING_AWAY = 1001
    BINARY = 1003
    POLICY = 1008
    TOO_BIG = 1009
    FAULT = 1011
    TRY_LATER = 1013


class BadRequest(Exception):
    """A malformed frame; `key` names the i18n text for the detail, `field` the culprit."""

    def __init__(self, key: str, field: str = "") -> None:
        super().__init__(key if not field else f"{key}: {field}")
        self.key = key
        self.field = field


# -- requests -------------------------------------------------------------------------


@dataclass(frozen=True)
class Start:
    consent: bool  # exactly JSON true
    nickname: str
    age: int | None
    gender: str | None
    region: str | None


@dataclass(frozen=True)
class Resume:
    token: str
    after: int


@dataclass(frozen=True)
class Say:
    id: str
    text: str
    chat: str | None = None  # staff only


@dataclass(frozen=True)
class Typing:
    chat: str | None = None  # staff only


@dataclass(frozen=True)
class Leave:
    pass


@dataclass(frozen=True)
class Login:
    user: str | None
    password: str | None
    otp: str | None
    token: str | None


@dataclass(frozen=True)
class Accept:
    chat: str | None  # None: the longest waiting chat, own region first


@dataclass(frozen=True)
class End:
    chat: str


@dataclass(frozen=True)
class Transfer:
    chat: str
    to: str
    note: str | None = None  # handover note the receiver sees first


@dataclass(frozen=True)
class BlockChat:
    chat: str
    hours: int
    reason: str | None


@dataclass(frozen=True)
class Status:
    state: str


@dataclass(frozen=True)
class StaffList:
    pass


@dataclass(frozen=True)
class History:
    chat: str


@dataclass(frozen=True)
class Logout:
    """End this connection's session: its token stops working (console quit)."""


@dataclass(frozen=True)
class Op:
    """A staff operation (relay/operations); its handler validates `fields`."""

    type: str
    fields: dict[str, Any]


Request = (
    Start
    | Resume
    | Say
    | Typing
    | Leave
    | Login
    | Accept
    | End
    | Transfer
    | BlockChat
    | Status
    | StaffList
    | History
    | Logout
    | Op
)


@dataclass(frozen=True)
class Frame:
    """A decoded, validated request with its optional `ref`."""

    type: str
    ref: str | None
    request: Request


# -- decoding -------------------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


# Built once: json.loads/json.dumps with options build a new decoder/encoder on every call.
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def decode(raw: str) -> dict[str, Any]:
    """Parse one text frame into a JSON object; BadRequest for anything else."""
    try:
        value = _DECODER.decode(raw)
    except (ValueError, RecursionError):
        raise BadRequest("bad.json") from None
    if not isinstance(value, dict):
        raise BadRequest("bad.object")
    # A lone surrogate can only come from a `\u` escape or be in the raw text already: most
    # frames have neither, and then their values need no walk.
    if ("\\u" in raw or has_lone_surrogate(raw)) and _has_surrogate(value):
        raise BadRequest("bad.unicode")
    return value


def _has_surrogate(value: object, depth: int = 0) -> bool:
    if isinstance(value, str):
        return has_lone_surrogate(value)
    if depth > 64:
        return False
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(v, depth + 1) for v in value)
    return False


def ref_of(frame: dict[str, Any]) -> str | None:
    """The frame's `ref` if it is a valid one (also used to answer a bad frame)."""
    ref = frame.get("ref")
    return ref if isinstance(ref, str) and len(ref) <= MAX_REF else None


def say_id_of(frame: dict[str, Any]) -> str | None:
    """The `id` of a `say` frame, so that even its error names it."""
    cid = frame.get("id")
    if frame.get("type") == "say" and isinstance(cid, str) and len(cid) <= MAX_ID:
        return cid
    return None


# -- field helpers --------------------------------------------------------------------


def _str(
    f: dict[str, Any], name: str, *, max_len: int, required: bool = True, min_len: int = 1
) -> str | None:
    value = f.get(name)
    if value is None:
        if required:
            raise BadRequest("bad.field", name)
        return None
    if not isinstance(value, str) or not min_len <= len(value) <= max_len:
        raise BadRequest("bad.field", name)
    return value


def _req_str(f: dict[str, Any], name: str, *, max_len: int) -> str:
    value = _str(f, name, max_len=max_len)
    assert value is not None
    return value


def _int(f: dict[str, Any], name: str, lo: int, hi: int, *, required: bool) -> int | None:
    value = f.get(name)
    if value is None:
        if required:
            raise BadRequest("bad.field", name)
        return None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise BadRequest("bad.field", name)
    return value


def _free_text(f: dict[str, Any], name: str, max_len: int) -> str | None:
    """An optional short free-text field, cleaned; empty after cleaning counts as absent."""
    value = f.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadRequest("bad.field", name)
    try:
        cleaned = clean_field(value, max_len=max_len)
    except TextError:
        raise BadRequest("bad.field", name) from None
    return cleaned or None


def _text(f: dict[str, Any]) -> str:
    value = f.get("text")
    if not isinstance(value, str):
        raise BadRequest("bad.field", "text")
    try:
        return clean_text(value)
    except TextError:
        raise BadRequest("bad.text") from None


# -- per path -------------------------------------------------------------------------


def _start(f: dict[str, Any]) -> Start:
    region = f.get("region")
    if region is not None and region not in REGIONS:
        raise BadRequest("bad.field", "region")
    return Start(
        consent=f.get("consent") is True,
        nickname=_free_text(f, "nickname", MAX_NICKNAME) or DEFAULT_NICKNAME,
        age=_int(f, "age", MIN_AGE, MAX_AGE, required=False),
        gender=_free_text(f, "gender", MAX_GENDER),
        region=region,
    )


def _login(f: dict[str, Any]) -> Login:
    token = _str(f, "token", max_len=256, required=False)
    if token is not None:
        return Login(user=None, password=None, otp=None, token=token)
    otp = f.get("otp")
    if isinstance(otp, int) and not isinstance(otp, bool) and 0 <= otp < 10**8:
        otp = str(otp).zfill(6)  # a code typed as a number lost its leading zeros
        f = {**f, "otp": otp}
    return Login(
        user=_req_str(f, "user", max_len=64),
        password=_req_str(f, "password", max_len=1024),
        otp=_req_str(f, "otp", max_len=16),
        token=None,
    )


def _block(f: dict[str, Any]) -> BlockChat:
    hours = _int(f, "hours", MIN_BLOCK_HOURS, MAX_BLOCK_HOURS, required=True)
    assert hours is not None
    return BlockChat(
        chat=_req_str(f, "chat", max_len=MAX_ID),
        hours=hours,
        reason=_free_text(f, "reason", MAX_REASON),
    )


def _status(f: dict[str, Any]) -> Status:
    state = f.get("state")
    if state not in ("available", "away"):
        raise BadRequest("bad.field", "state")
    return Status(state=state)


def _resume(f: dict[str, Any]) -> Resume:
    after = _int(f, "after", 0, 2**62, required=False)
    return Resume(token=_req_str(f, "token", max_len=256), after=after or 0)


CHAT_TYPES = {
    "start": _start,
    "resume": _resume,
    "say": lambda f: Say(id=_req_str(f, "id", max_len=MAX_ID), text=_text(f)),
    "typing": lambda f: Typing(),
    "leave": lambda f: Leave(),
}

STAFF_TYPES = {
    "login": _login,
    "accept": lambda f: Accept(chat=_str(f, "chat", max_len=MAX_ID, required=False)),
    "say": lambda f: Say(
        id=_req_str(f, "id", max_len=MAX_ID),
        text=_text(f),
        chat=_req_str(f, "chat", max_len=MAX_ID),
    ),
    "typing": lambda f: Typing(chat=_req_str(f, "chat", max_len=MAX_ID)),
    "end": lambda f: End(chat=_req_str(f, "chat", max_len=MAX_ID)),
    "transfer": lambda f: Transfer(
        chat=_req_str(f, "chat", max_len=MAX_ID),
        to=_req_str(f, "to", max_len=64),
        note=_free_text(f, "note", MAX_NOTE),
    ),
    "block": _block,
    "status": _status,
    "staff": lambda f: StaffList(),
    "history": lambda f: History(chat=_req_str(f, "chat", max_len=MAX_ID)),
    "logout": lambda f: Logout(),
}


def parse(raw: str, *, staff: bool) -> Frame:
    """Decode and validate one frame from a chatter (/chat) or staff (/console)."""
    return validate(decode(raw), staff=staff)


def validate(f: dict[str, Any], *, staff: bool, operations: Container[str] = ()) -> Frame:
    """Validate a decoded frame into a typed request; BadRequest names what is wrong.

    `operations`: further staff frame types (relay/operations/__init__.py), passed on as `Op`."""
    kind = f.get("type")
    if not isinstance(kind, str):
        raise BadRequest("bad.type")
    table: dict[str, Any] = STAFF_TYPES if staff else CHAT_TYPES
    builder = table.get(kind)
    if builder is None and staff and kind in operations:
        builder = lambda f: Op(type=kind, fields=f)  # noqa: E731
    if builder is None:
        raise BadRequest("bad.type")
    ref = f.get("ref")
    if ref is not None and (not isinstance(ref, str) or len(ref) > MAX_REF):
        raise BadRequest("bad.field", "ref")
    request: Request = builder(f)
    return Frame(type=kind, ref=ref, request=request)


def encode(frame: dict[str, Any]) -> str:
    """One outgoing frame as compact JSON text (non-ASCII kept as is)."""
    return _ENCODER.encode(frame)
