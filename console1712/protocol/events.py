"""Protocol v1 events (relay -> client): msgspec Structs, a tagged union on `type` per path.

The chatter client decodes every frame from /chat into a `ChatterEvent`, the staff client
every chat-core frame from /console into a `StaffEvent`; the staff operations' answers and
pushes (mail, dossiers, supervision ...) stay JSON objects. The relay builds what it sends
as dicts (protocol/frames.py `encode`); these Structs are what the clients read, with the
same field names on the wire (`from` is `sender` here: `from` is a Python keyword).

Unknown fields are ignored (the relay may add optional fields), a frame of an unknown type
is not one of these (`decode_*` say so with None), and a frame of a known type whose
fields have the wrong type raises `BadEvent`.
"""

from __future__ import annotations

from typing import Any

import msgspec


class BadEvent(Exception):
    """A frame from the relay that is not what protocol v1 says it is."""


class Event(msgspec.Struct, tag_field="type", kw_only=True, omit_defaults=True):
    """A frame the relay sends; `ref` is set on the direct reply to a request."""

    ref: str | None = None

    @property
    def type(self) -> str:
        return str(type(self).__struct_config__.tag)


# -- parts ----------------------------------------------------------------------------


class Alternative(msgspec.Struct):
    """Another way to get help (phone 1712 and its hours, mail, 112, 101)."""

    label: str
    contact: str
    kind: str | None = None


class Intake(msgspec.Struct):
    nickname: str = "Anoniem"
    age: int | None = None
    gender: str | None = None
    region: str | None = None


class HistoryEntry(msgspec.Struct):
    """One message of a chat's history; `name`: the counsellor's alias (staff side)."""

    seq: int
    sender: str = msgspec.field(name="from")  # "chatter" | "counsellor"
    text: str
    at: str
    name: str | None = None


class QueueEntry(msgspec.Struct):
    """One waiting chat in the staff `queue` frame, longest waiting first."""

    chat: str
    since: str
    nickname: str = "Anoniem"
    age: int | None = None
    gender: str | None = None
    region: str | None = None
    returned: bool = False  # back in the queue: its counsellor was gone
    first: str | None = None  # the first line the chatter wrote while waiting


# -- both paths -----------------------------------------------------------------------


class Ack(Event, tag="ack"):
    """A message was stored durably (`chat` on the staff path)."""

    id: str
    seq: int
    chat: str | None = None


class Message(Event, tag="message"):
    seq: int
    sender: str = msgspec.field(name="from")  # "chatter" | "counsellor"
    text: str
    at: str
    chat: str | None = None  # staff path


class Typing(Event, tag="typing"):
    chat: str | None = None  # staff path


class Ended(Event, tag="ended"):
    by: str  # "chatter" | "counsellor" | "timeout" | ...
    chat: str | None = None  # staff path


class Error(Event, tag="error"):
    """`code` from protocol v1; the other fields are set where the protocol names them."""

    code: str
    detail: str = ""
    id: str | None = None  # answering a say
    chat: str | None = None
    retry_after: int | None = None  # rate_limited
    next_open: str | None = None  # closed
    until: str | None = None  # blocked
    alternatives: list[Alternative] | None = None  # closed, blocked
    max: int | None = None  # too_many_chats


# -- chatter (/chat) ------------------------------------------------------------------


class Welcome(Event, tag="welcome"):
    protocol: int
    open: bool
    next_open: str | None = None
    alternatives: list[Alternative] = []


class Queued(Event, tag="queued"):
    chat: str
    resume: str
    position: int


class Position(Event, tag="queue"):
    """The chatter's place in the queue changed."""

    position: int


class Joined(Event, tag="joined"):
    counsellor: str


class Resumed(Event, tag="resumed"):
    chat: str
    resume: str
    counsellor: str | None = None
    position: int | None = None


class Requeued(Event, tag="requeued"):
    """The counsellor was gone: back at the front of the queue."""

    position: int | None = None
    detail: str = ""


ChatterEvent = (
    Welcome
    | Queued
    | Position
    | Joined
    | Ack
    | Message
    | Typing
    | Ended
    | Resumed
    | Requeued
    | Error
)


# -- staff (/console) -----------------------------------------------------------------


class Session(Event, tag="session"):
    user: str
    name: str  # the alias chatters see
    role: str  # "counsellor" | "supervisor" | "admin"
    token: str
    team: str | None = None


class Queue(Event, tag="queue"):
    """The first (at most 100) waiting chats; `total`: the whole queue's length."""

    waiting: list[QueueEntry]
    total: int | None = None


class Assigned(Event, tag="assigned"):
    chat: str
    intake: Intake = msgspec.field(default_factory=Intake)
    history: list[HistoryEntry] = []
    transferred_by: str | None = None  # a colleague's alias: handed over, not accepted
    note: str | None = None  # the colleague's handover note


class Presence(Event, tag="presence"):
    chat: str
    state: str  # "away" | "back"


class Released(Event, tag="released"):
    chat: str
    by: str | None = None  # the supervisor who took it over or reassigned it


class Status(Event, tag="status"):
    state: str  # "available" | "away"


class LoggedOut(Event, tag="logged_out"):
    pass


class History(Event, tag="history"):
    chat: str
    history: list[HistoryEntry] = []


StaffEvent = (
    Session
    | Queue
    | Assigned
    | Message
    | Ack
    | Typing
    | Presence
    | Ended
    | Released
    | Status
    | LoggedOut
    | History
    | Error
)

CHATTER_TYPES = frozenset(
    str(cls.__struct_config__.tag)
    for cls in (Welcome, Queued, Position, Joined, Ack, Message, Typing, Ended, Resumed, Requeued)
) | {"error"}
STAFF_TYPES = frozenset(
    str(cls.__struct_config__.tag)
    for cls in (
        Session,
        Queue,
        Assigned,
        Message,
        Ack,
        Typing,
        Presence,
        Ended,
        Released,
        Status,
        LoggedOut,
        History,
        Error,
    )
)

# -- decoding -------------------------------------------------------------------------

_CHATTER = msgspec.json.Decoder(ChatterEvent)
_STAFF = msgspec.json.Decoder(StaffEvent)
_OBJECT = msgspec.json.Decoder(dict[str, Any])


def decode_chatter(raw: str | bytes) -> ChatterEvent | None:
    """One frame from /chat; None for a type this client does not know (a later addition)."""
    event: ChatterEvent | None = _decode(_CHATTER, CHATTER_TYPES, raw)
    return event


def decode_staff(raw: str | bytes) -> StaffEvent | None:
    """One frame from /console; None when it is no chat-core frame (an operation's)."""
    event: StaffEvent | None = _decode(_STAFF, STAFF_TYPES, raw)
    return event


def _decode(decoder: msgspec.json.Decoder[Any], types: frozenset[str], raw: str | bytes) -> Any:
    try:
        return decoder.decode(raw)
    except msgspec.ValidationError:
        kind = decode_object(raw).get("type")
        if kind in types:
            raise BadEvent(f"malformed {kind} frame") from None
        return None
    except msgspec.DecodeError:
        raise BadEvent("not JSON") from None


def decode_object(raw: str | bytes) -> dict[str, Any]:
    """One frame as a JSON object (staff operations' answers and pushes)."""
    try:
        return _OBJECT.decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError):
        raise BadEvent("not a JSON object") from None


def staff_event(frame: dict[str, Any]) -> StaffEvent | None:
    """A decoded /console frame as its event; None when it is no chat-core frame (an
    operation's answer or push, which stays a dict)."""
    if frame.get("type") not in STAFF_TYPES:
        return None
    try:
        event: StaffEvent = msgspec.convert(frame, StaffEvent)
    except msgspec.ValidationError:
        raise BadEvent(f"malformed {frame.get('type')} frame") from None
    return event


def encode(event: Event) -> bytes:
    """An event as the relay would send it (tests, fakes)."""
    return msgspec.json.encode(event)


def to_dict(value: msgspec.Struct) -> dict[str, Any]:
    """A part of an event as a JSON object, with the wire's field names."""
    result: dict[str, Any] = msgspec.to_builtins(value)
    return result
