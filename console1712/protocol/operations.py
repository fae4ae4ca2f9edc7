"""Staff operation requests (mail, dossiers, supervision, ...) as typed structures.

Every staff request the relay accepts outside the chat core is a msgspec Struct here, a
member of the tagged union `Request` on `type`. `decode_request` turns a decoded frame into
one of them, or raises BadRequest naming the field, with the same rules (and so the same
`bad_request` error frames) as the relay has always applied:

- a required field that is missing, null or of the wrong JSON type: `bad.field` + name;
- short one-line fields (ids, names, codes, `Short`) are cleaned of control characters
  and surrounding space; a required one that comes out empty is refused;
- free texts (`Text`) are cleaned of control characters and checked for length;
- choices (`Literal` or `Choice`) must be one of the listed values; numbers are integers
  (never true/false, never 2.0) within the bounds given by `Meta`.

What depends on the relay's state or settings (a theme of the configured taxonomy, a date
not in the future) is checked by the operation's handler, which may raise BadRequest too.
Fields not listed are ignored (`ref`, and whatever a newer console adds).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal, TypeVar, get_args, get_origin, get_type_hints

import msgspec
from msgspec import UNSET, Meta, UnsetType

from console1712.domain import registration as reg
from console1712.domain.stats import AGE_BANDS, GENDERS, UNKNOWN
from console1712.domain.text import TextError, clean_field, clean_text
from console1712.domain.vocabulary import REGIONS, RIGHTS_KINDS
from console1712.protocol.frames import BadRequest

# -- field rules --------------------------------------------------------------------------


@dataclass(frozen=True)
class Short:
    """A short one-line field (ids, names, codes): cleaned; a required one is non-empty."""

    max_len: int = 200


@dataclass(frozen=True)
class Text:
    """A free text (reply, annotation, reason): cleaned, min_len..max_len characters."""

    max_len: int = 20000
    min_len: int = 1


@dataclass(frozen=True)
class Choice:
    """One of the given values (vocabularies that live in domain/)."""

    values: tuple[str, ...]


MAX_ID = 64
ChatId = Annotated[str, Short(MAX_ID)]
Code = Annotated[str, Short(20)]  # a dossier code
ThemeList = list[Annotated[str, Meta(max_length=40)]]

# Vocabularies the store owns (protocol imports no store; tests/protocol checks they agree).
MailFilter = Literal["open", "answered", "overdue", "all"]
DossierKind = Literal["note", "assessment", "referral", "safety_concern", "client_disagrees"]
ReferralTarget = Literal["caw", "police", "vk", "jac", "gp", "other"]
DossierStatus = Literal["open", "closed"]
MAX_PSEUDONYM = 80  # store.dossiers.MAX_PSEUDONYM
MAX_PHONE_MINUTES = 600  # store.phone.MAX_MINUTES
MAX_REPLY = 20000  # characters of a mail reply
MAX_NOTE = 2000  # a dossier note, a legal hold's reason, a supervisor's note
MAX_REASON = 500  # a disclosure request's reason
MAX_CHAT_NOTES = 4000


class OpRequest(msgspec.Struct, tag_field="type", kw_only=True, omit_defaults=True):
    """A staff operation request; `type` is the tag of its class."""


# -- mail (relay/operations/mail.py) --------------------------------------------------------


class MailThreads(OpRequest, tag="mail_threads"):
    filter: MailFilter | None = None  # default: open


class MailThread(OpRequest, tag="mail_thread"):
    thread: Annotated[str, Short(40)]


class MailClaim(OpRequest, tag="mail_claim"):
    thread: Annotated[str, Short(40)]


class MailReply(OpRequest, tag="mail_reply"):
    thread: Annotated[str, Short(40)]
    text: Annotated[str, Text(MAX_REPLY)]
    answered: bool | None = None  # default: true


class MailAnswered(OpRequest, tag="mail_answered"):
    thread: Annotated[str, Short(40)]


class MailForget(OpRequest, tag="mail_forget"):
    thread: Annotated[str, Short(40)]


# -- blocks (relay/operations/blocks.py) --------------------------------------------------


class Blocks(OpRequest, tag="blocks"):
    pass


class BlockLift(OpRequest, tag="block_lift"):
    block: Annotated[str, Short(64)]


# -- stepping in (relay/operations/stepping.py) -------------------------------------------


class TakeOver(OpRequest, tag="take_over"):
    chat: ChatId


class Reassign(OpRequest, tag="reassign"):
    chat: ChatId
    to: Annotated[str, Short(64)]


class ChatReturn(OpRequest, tag="chat_return"):
    chat: ChatId


# -- dossiers and rights requests (relay/operations/dossiers.py) --------------------------


class DossierThemes(OpRequest, tag="dossier_themes"):
    pass


class DossierCreate(OpRequest, tag="dossier_create"):
    pseudonym: Annotated[str, Short(MAX_PSEUDONYM)]
    themes: ThemeList | None = None


class DossierSearch(OpRequest, tag="dossier_search"):
    query: Annotated[str | None, Short(80)] = None
    theme: Annotated[str | None, Short(40)] = None


class DossierOpen(OpRequest, tag="dossier_open"):
    code: Code


class DossierAnnotate(OpRequest, tag="dossier_annotate"):
    code: Code
    kind: DossierKind
    text: Annotated[str, Text()]
    to: ReferralTarget | None = None  # required for a referral
    corrects: Annotated[str | None, Short(40)] = None


class DossierLink(OpRequest, tag="dossier_link"):
    """Exactly one of `chat` and `mail`."""

    code: Code
    chat: Annotated[str | None, Short(64)] = None
    mail: Annotated[str | None, Short(64)] = None


class DossierUnlink(OpRequest, tag="dossier_unlink"):
    """Exactly one of `chat` and `mail`."""

    code: Code
    chat: Annotated[str | None, Short(64)] = None
    mail: Annotated[str | None, Short(64)] = None


class DossierStatusChange(OpRequest, tag="dossier_status"):
    code: Code
    status: DossierStatus


class DossierSetThemes(OpRequest, tag="dossier_set_themes"):
    code: Code
    themes: ThemeList | None = None


class DossierHold(OpRequest, tag="dossier_hold"):
    code: Code
    reason: Annotated[str | None, Short(MAX_NOTE)] = None  # none: release the hold


class DossierRestrict(OpRequest, tag="dossier_restrict"):
    code: Code
    restricted: bool


class RightsCreate(OpRequest, tag="rights_create"):
    code: Code
    kind: Annotated[str, Choice(RIGHTS_KINDS)]
    received: Annotated[str | None, Short(10)] = None  # YYYY-MM-DD, default today
    note: Annotated[str | None, Short(MAX_NOTE)] = None


class RightsList(OpRequest, tag="rights_list"):
    open_only: bool | None = None


class RightsFulfil(OpRequest, tag="rights_fulfil"):
    id: Annotated[str, Short(40)]


class RightsRefuse(OpRequest, tag="rights_refuse"):
    id: Annotated[str, Short(40)]


# -- supervision (relay/operations/supervision.py) ----------------------------------------


class MonitorSubscribe(OpRequest, tag="monitor_subscribe"):
    pass


class MonitorUnsubscribe(OpRequest, tag="monitor_unsubscribe"):
    pass


class ReadAlong(OpRequest, tag="read_along"):
    chat: ChatId


class ReadAlongStop(OpRequest, tag="read_along_stop"):
    chat: ChatId


class Note(OpRequest, tag="note"):
    chat: ChatId
    text: Annotated[str, Text(MAX_NOTE)]


class DisclosureRequest(OpRequest, tag="disclosure_request"):
    chat: ChatId
    reason: Annotated[str, Text(MAX_REASON)]


class Disclosures(OpRequest, tag="disclosures"):
    pass


class DisclosureDecide(OpRequest, tag="disclosure_decide"):
    request: Annotated[str, Short(64)]
    approve: bool


class DisclosureView(OpRequest, tag="disclosure_view"):
    request: Annotated[str, Short(64)]


class PhoneContact(OpRequest, tag="phone_contact"):
    minutes: Annotated[int, Meta(ge=1, le=MAX_PHONE_MINUTES)]
    date: Annotated[str | None, Short(10)] = None  # YYYY-MM-DD, default today
    region: Annotated[str | None, Choice((*REGIONS, UNKNOWN))] = None
    age_band: Annotated[str | None, Choice(AGE_BANDS)] = None
    gender: Annotated[str | None, Choice(GENDERS)] = None
    theme: str | UnsetType = UNSET  # a theme id of the taxonomy in use; absent: unknown


# -- registrations and the counsellor's notes (relay/operations/registrations.py) --------


class RegistrationCodes(OpRequest, tag="registration_codes"):
    pass


class RegistrationList(OpRequest, tag="registration_list"):
    pass


class RegistrationGet(OpRequest, tag="registration_get"):
    contact: ChatId


class RegistrationSave(OpRequest, tag="registration_save"):
    contact: ChatId
    kind: Annotated[str, Choice(reg.KINDS)]
    themes: list[str] | None = None  # theme ids of the taxonomy in use
    about: Annotated[str | None, Choice(reg.ABOUT)] = None
    relation: Annotated[str | None, Choice(reg.RELATIONS)] = None
    risk: Annotated[str | None, Choice(reg.RISKS)] = None
    action: Annotated[str | None, Choice(reg.ACTIONS)] = None
    referrals: list[str] | None = None
    age_band: Annotated[str | None, Choice(AGE_BANDS)] = None
    gender: Annotated[str | None, Choice(GENDERS)] = None
    note: Annotated[str | None, Text(reg.MAX_NOTE, min_len=0)] = None


class RegistrationCounts(OpRequest, tag="registration_counts"):
    pass


class ChatNotesGet(OpRequest, tag="chat_notes_get"):
    chat: ChatId


class ChatNotesSet(OpRequest, tag="chat_notes_set"):
    chat: ChatId
    text: Annotated[str, Text(MAX_CHAT_NOTES, min_len=0)]  # "" (or only space): removed


class RecentChats(OpRequest, tag="recent_chats"):
    pass


class RecentChatOpen(OpRequest, tag="recent_chat_open"):
    chat: ChatId


# -- ask a supervisor (relay/operations/help.py) ------------------------------------------


class HelpRequest(OpRequest, tag="help_request"):
    chat: ChatId


class HelpRequests(OpRequest, tag="help_requests"):
    pass


class HelpAnswer(OpRequest, tag="help_answer"):
    request: Annotated[str, Short(40)]


Request = (
    MailThreads
    | MailThread
    | MailClaim
    | MailReply
    | MailAnswered
    | MailForget
    | Blocks
    | BlockLift
    | TakeOver
    | Reassign
    | ChatReturn
    | DossierThemes
    | DossierCreate
    | DossierSearch
    | DossierOpen
    | DossierAnnotate
    | DossierLink
    | DossierUnlink
    | DossierStatusChange
    | DossierSetThemes
    | DossierHold
    | DossierRestrict
    | RightsCreate
    | RightsList
    | RightsFulfil
    | RightsRefuse
    | MonitorSubscribe
    | MonitorUnsubscribe
    | ReadAlong
    | ReadAlongStop
    | Note
    | DisclosureRequest
    | Disclosures
    | DisclosureDecide
    | DisclosureView
    | PhoneContact
    | RegistrationCodes
    | RegistrationList
    | RegistrationGet
    | RegistrationSave
    | RegistrationCounts
    | ChatNotesGet
    | ChatNotesSet
    | RecentChats
    | RecentChatOpen
    | HelpRequest
    | HelpRequests
    | HelpAnswer
)

REQUESTS: tuple[type[OpRequest], ...] = get_args(Request)
R = TypeVar("R", bound=OpRequest)


def type_of(cls: type[OpRequest]) -> str:
    """The `type` of a request class (its tag)."""
    tag = cls.__struct_config__.tag
    assert isinstance(tag, str), cls
    return tag


TYPES: frozenset[str] = frozenset(type_of(cls) for cls in REQUESTS)

# -- decoding -----------------------------------------------------------------------------

_FIELD = re.compile(r"`\$\.([A-Za-z_]\w*)|required field `(\w+)`")
Rule = Short | Text | Choice


@cache
def _rules(cls: type[OpRequest]) -> tuple[tuple[str, Rule, bool], ...]:
    """(field, rule, required) for each field of `cls` with a Short/Text/Choice rule."""
    found = []
    hints = get_type_hints(cls, include_extras=True)
    required = {f.name for f in msgspec.structs.fields(cls) if f.required}
    for name, hint in hints.items():
        if get_origin(hint) is not Annotated:
            continue
        for extra in hint.__metadata__:
            if isinstance(extra, Short | Text | Choice):
                found.append((name, extra, name in required))
    return tuple(found)


def _field_of(exc: msgspec.ValidationError) -> str:
    match = _FIELD.search(str(exc))
    if match is None:
        return ""
    return match.group(1) or match.group(2)


def _clean(name: str, value: Any, rule: Rule, required: bool) -> Any:
    if value is None:
        return None
    try:
        if isinstance(rule, Choice):
            if value not in rule.values:
                raise BadRequest("bad.field", name)
            return value
        if isinstance(rule, Text):
            return clean_text(value, max_len=rule.max_len, min_len=rule.min_len)
        cleaned = clean_field(value, max_len=rule.max_len)
    except TextError:
        raise BadRequest("bad.field", name) from None
    if required and not cleaned:
        raise BadRequest("bad.field", name)
    return cleaned


def decode_as(cls: type[R], frame: dict[str, Any]) -> R:
    """The frame as a request of `cls`; BadRequest("bad.field", name) names what is wrong.

    The frame's `type` is not looked at (the caller chose `cls` by it)."""
    fields = {k: v for k, v in frame.items() if k != "type"}
    try:
        request = msgspec.convert(fields, cls, strict=True)
    except msgspec.ValidationError as exc:
        raise BadRequest("bad.field", _field_of(exc)) from None
    changes = {}
    for name, rule, required in _rules(cls):
        value = getattr(request, name)
        cleaned = _clean(name, value, rule, required)
        if cleaned is not value:
            changes[name] = cleaned
    return msgspec.structs.replace(request, **changes) if changes else request


_BY_TYPE: dict[str, type[OpRequest]] = {type_of(cls): cls for cls in REQUESTS}


def decode_request(frame: dict[str, Any]) -> Request:
    """A decoded staff frame as its typed operation request; BadRequest for an unknown
    `type` (`bad.type`) or a bad field (`bad.field` naming it)."""
    kind = frame.get("type")
    cls = _BY_TYPE.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise BadRequest("bad.type")
    return decode_as(cls, frame)  # type: ignore[return-value]


def to_frame(request: OpRequest) -> dict[str, Any]:
    """The request as a JSON-ready dict with its `type` (fields left at their default out)."""
    value = msgspec.to_builtins(request)
    assert isinstance(value, dict)
    return value
