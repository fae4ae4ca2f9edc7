"""Protocol v1 requests (client -> relay): msgspec Structs, decoding, error and close codes.

Everything that arrives is checked here before the relay acts on it: a frame that is not
a JSON object, has a missing or unknown `type`, or a field of the wrong type or out of
range raises BadRequest, so bad input never reaches the relay's state or the storage.

Every request is a msgspec Struct in a tagged union on `type` (one union per path: /chat
and /console). `parse` decodes a frame straight into its Struct with msgspec; the rules
msgspec cannot express (cleaning text, integral floats, consent, a login's two forms) run
in each Struct's `check`. When the fast decode fails, the frame is decoded once more the
slow way (`decode`, then `validate`): that path names the exact error (`key`, `field`)
and finds the `ref` and a say's `id` to echo, so every bad frame gets the same answer
whichever check caught it first. The relay's answers (relay -> client) are in events.py.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Container
from typing import TYPE_CHECKING, Annotated, Any, Literal

import msgspec

from console1712.domain.text import TextError, clean_field, clean_text, has_lone_surrogate
from console1712.domain.vocabulary import REGIONS

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
        # What the relay echoes in its `error` (set by `parse` when the frame had them).
        self.ref: str | None = None
        self.say_id: str | None = None


# -- field types ----------------------------------------------------------------------

Ref = Annotated[str, msgspec.Meta(max_length=MAX_REF)]
Id = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_ID)]  # chat and message ids
Token = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]  # a login name

# A few fields accept more on the wire than they hold once checked: mypy sees the checked
# type, msgspec decodes the wire type, and `check` turns one into the other.
if TYPE_CHECKING:
    WireInt = int
    WireSeq = int
    WireBool = bool
    WireName = str
    LoginPart = str | None
else:
    WireInt = int | float  # an integral float (15.0) is an integer
    WireSeq = int | float | None  # null is 0
    WireBool = Any  # consent: anything but JSON true is no consent (consent_required)
    WireName = str | None  # absent, null or empty after cleaning: the default nickname
    LoginPart = Any  # ignored with a token; checked in Login.check without one


# -- requests -------------------------------------------------------------------------


class Request(msgspec.Struct, tag_field="type", kw_only=True, omit_defaults=True):
    """A request from a client; `ref` comes back on the direct reply."""

    ref: Ref | None = None

    def check(self) -> None:
        """The rules msgspec's types do not express; cleans fields in place."""

    @property
    def type(self) -> str:
        return str(type(self).__struct_config__.tag)


class Start(Request, tag="start"):
    consent: WireBool = False  # exactly JSON true
    nickname: WireName = DEFAULT_NICKNAME
    age: WireInt | None = None
    gender: str | None = None
    region: str | None = None

    def check(self) -> None:
        if self.region is not None and self.region not in REGIONS:
            raise BadRequest("bad.field", "region")
        self.consent = self.consent is True
        self.nickname = _free_text(self.nickname, "nickname", MAX_NICKNAME) or DEFAULT_NICKNAME
        self.age = _int(self.age, "age", MIN_AGE, MAX_AGE)
        self.gender = _free_text(self.gender, "gender", MAX_GENDER)


class Resume(Request, tag="resume"):
    token: Token
    after: WireSeq = 0

    def check(self) -> None:
        self.after = _int(self.after, "after", 0, 2**62) or 0


class Say(Request, tag="say"):
    id: Id
    text: str

    def check(self) -> None:
        try:
            self.text = clean_text(self.text)
        except TextError:
            raise BadRequest("bad.text") from None


class StaffSay(Say, tag="say"):
    chat: Id


class Typing(Request, tag="typing"):
    pass


class StaffTyping(Typing, tag="typing"):
    chat: Id


class Leave(Request, tag="leave"):
    pass


class Login(Request, tag="login"):
    """Either `token` (a reconnect) or `user`, `password` and `otp`."""

    user: LoginPart = None
    password: LoginPart = None
    otp: LoginPart = None
    token: Token | None = None

    def check(self) -> None:
        if self.token is not None:
            self.user = self.password = self.otp = None
            return
        otp: object = self.otp
        if isinstance(otp, int) and not isinstance(otp, bool) and 0 <= otp < 10**8:
            self.otp = str(otp).zfill(6)  # a code typed as a number lost its leading zeros
        _length(self.user, "user", 64)
        _length(self.password, "password", 1024)
        _length(self.otp, "otp", 16)


class Accept(Request, tag="accept"):
    chat: Id | None = None  # None: the longest waiting chat, own region first


class End(Request, tag="end"):
    chat: Id


class Transfer(Request, tag="transfer"):
    chat: Id
    to: Name
    note: str | None = None  # handover note the receiver sees first

    def check(self) -> None:
        self.note = _free_text(self.note, "note", MAX_NOTE)


class BlockChat(Request, tag="block"):
    chat: Id
    hours: WireInt
    reason: str | None = None

    def check(self) -> None:
        hours = _int(self.hours, "hours", MIN_BLOCK_HOURS, MAX_BLOCK_HOURS)
        assert hours is not None
        self.hours = hours
        self.reason = _free_text(self.reason, "reason", MAX_REASON)


class Status(Request, tag="status"):
    state: Literal["available", "away"]


class StaffList(Request, tag="staff"):
    pass


class History(Request, tag="history"):
    chat: Id


class Logout(Request, tag="logout"):
    """End this connection's session: its token stops working (console quit)."""


class Op(msgspec.Struct, frozen=True):
    """A staff operation (relay/operations); its handler validates `fields`."""

    type: str
    fields: dict[str, Any]


ChatRequest = Start | Resume | Say | Typing | Leave
StaffRequest = (
    Login
    | Accept
    | StaffSay
    | StaffTyping
    | End
    | Transfer
    | BlockChat
    | Status
    | StaffList
    | History
    | Logout
)

CHAT_TYPES: dict[str, type[Request]] = {
    str(cls.__struct_config__.tag): cls for cls in (Start, Resume, Say, Typing, Leave)
}
STAFF_TYPES: dict[str, type[Request]] = {
    str(cls.__struct_config__.tag): cls
    for cls in (
        Login,
        Accept,
        StaffSay,
        StaffTyping,
        End,
        Transfer,
        BlockChat,
        Status,
        StaffList,
        History,
        Logout,
    )
}


class Frame(msgspec.Struct, frozen=True):
    """A decoded, validated request with its optional `ref`."""

    ref: str | None
    request: Request | Op

    @property
    def type(self) -> str:
        return self.request.type


# -- field rules ----------------------------------------------------------------------


def _int(value: object, name: str, lo: int, hi: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise BadRequest("bad.field", name)
    return value


def _length(value: object, name: str, max_len: int) -> None:
    if not isinstance(value, str) or not 1 <= len(value) <= max_len:
        raise BadRequest("bad.field", name)


def _free_text(value: str | None, name: str, max_len: int) -> str | None:
    """An optional short free-text field, cleaned; empty after cleaning counts as absent."""
    if value is None:
        return None
    try:
        cleaned = clean_field(value, max_len=max_len)
    except TextError:
        raise BadRequest("bad.field", name) from None
    return cleaned or None


# msgspec names the culprit as "... - at `$.age`" or "... missing required field `text`".
_CULPRIT = re.compile(r"`\$\.([^`.\[]+)|missing required field `([^`]+)`")


def _bad_request(exc: msgspec.ValidationError) -> BadRequest:
    match = _CULPRIT.search(str(exc))
    field = (match.group(1) or match.group(2)) if match else ""
    return BadRequest("bad.type") if field == "type" else BadRequest("bad.field", field)


# -- decoding -------------------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


# Built once: json.loads/json.dumps with options build a new decoder/encoder on every call.
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
_ENCODER = msgspec.json.Encoder()  # compact, UTF-8 (non-ASCII kept as is), as json.dumps did
_CHAT_DECODER = msgspec.json.Decoder(ChatRequest)
_STAFF_DECODER = msgspec.json.Decoder(StaffRequest)


def parse(raw: str | bytes, *, staff: bool, operations: Container[str] = ()) -> Frame:
    """Decode and validate one frame from a chatter (/chat) or staff (/console).

    `operations`: further staff frame types (relay/operations/__init__.py), passed on as
    `Op`. BadRequest carries the key and field of the first fault, and the frame's `ref`
    and a say's `id` when they are valid, for the `error` answer."""
    try:
        # (msgspec skips the bytes of an ignored field unchecked: bytes must be UTF-8 first)
        text = raw if isinstance(raw, str) else raw.decode()
        request = (_STAFF_DECODER if staff else _CHAT_DECODER).decode(text)
        request.check()
    except (msgspec.MsgspecError, BadRequest, UnicodeError, RecursionError):
        # Not a chat-core frame as it should be: the exact path names the fault (or finds
        # a staff operation, whose type no Struct here carries).
        return _parse_exactly(raw, staff=staff, operations=operations)
    return Frame(request.ref, request)


def _parse_exactly(raw: str | bytes, *, staff: bool, operations: Container[str]) -> Frame:
    value = decode(raw)
    try:
        return validate(value, staff=staff, operations=operations)
    except BadRequest as exc:
        exc.ref = ref_of(value)
        exc.say_id = say_id_of(value)
        raise


def decode(raw: str | bytes) -> dict[str, Any]:
    """Parse one text frame into a JSON object; BadRequest for anything else."""
    try:
        value = _DECODER.decode(raw if isinstance(raw, str) else raw.decode())
    except (ValueError, RecursionError):
        raise BadRequest("bad.json") from None
    if not isinstance(value, dict):
        raise BadRequest("bad.object")
    # A lone surrogate can only come from a `\u` escape or be in the raw text already: most
    # frames have neither, and then their values need no walk.
    text = raw if isinstance(raw, str) else ""
    if ("\\u" in text or has_lone_surrogate(text)) and _has_surrogate(value):
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


def validate(f: dict[str, Any], *, staff: bool, operations: Container[str] = ()) -> Frame:
    """Validate a decoded frame into a typed request; BadRequest names what is wrong."""
    kind = f.get("type")
    if not isinstance(kind, str):
        raise BadRequest("bad.type")
    cls = (STAFF_TYPES if staff else CHAT_TYPES).get(kind)
    if cls is None and not (staff and kind in operations):
        raise BadRequest("bad.type")
    ref = f.get("ref")
    if ref is not None and (not isinstance(ref, str) or len(ref) > MAX_REF):
        raise BadRequest("bad.field", "ref")
    if cls is None:
        return Frame(ref, Op(type=kind, fields=f))
    try:
        request = msgspec.convert(f, cls)
    except msgspec.ValidationError as exc:
        raise _bad_request(exc) from None
    request.check()
    return Frame(ref, request)


def encode(frame: dict[str, Any]) -> str:
    """One outgoing frame as compact JSON text (non-ASCII kept as is)."""
    return _ENCODER.encode(frame).decode()


def encode_utf8(frame: dict[str, Any]) -> bytes:
    """`encode`, as the UTF-8 bytes a text frame carries (the send path: no str between)."""
    return _ENCODER.encode(frame)
