"""The relay's live state and its invariants, with no sockets and no I/O.

`Switchboard` owns the chats that have not ended, the queue, the resume tokens, the
blocks, `seq` numbering, which staff have a console open, and the caps. Its methods take
plain inputs (and `now` from the caller's Clock) and change the state synchronously; where
something must happen outside (a row stored, a frame sent, a connection closed) they return
effects that the server carries out. Nothing here awaits, so every method is atomic on the
relay's one event loop (exactly one accept wins, seq allocation has no race).

A chat's state and its transitions (anything else raises `IllegalTransition`):

    from       to         when
    WAITING -> HELD       accept, take-over/reassign: the assignment is being stored
    WAITING -> ENDED      the chatter leaves, the resume window runs out, end by the relay
    HELD    -> ASSIGNED   the assignment is stored (`assign_stored`)
    HELD    -> WAITING    storing the assignment failed: back in the queue where it was
    HELD    -> ENDED      the chatter left (or timed out) while it was being stored
    ASSIGNED -> HELD      transfer, take-over, reassign: the new assignment is being stored
    ASSIGNED -> WAITING   requeue: its counsellor left it (returned, front of the queue)
    ASSIGNED -> ENDED     end, block, the chatter leaves, the resume window runs out
    ENDED                 final: the chat is forgotten

A held chat is in no queue and nothing is delivered to a counsellor while it is held (the
new counsellor gets the full history once the assignment is stored). "Returned" is not a
state of its own: a returned chat is WAITING with `returned` set, which only puts it at the
front of the queue (after other returned chats).

Effects. The switchboard is the one place that decides which frames of a chat's life go
to whom: each transition returns, in the order they go out, `Send` (a protocol v1 frame as
a dict, to one connection), `Hangup`, `Store` (a row), `QueueChanged` and `Schedule`. The
server carries them out in that order and awaits each `Store` that is not a message before
the effects after it (`Relay.apply`). Where what is said depends on the row being stored
first, the transition ends with its `Store` and a second method, called once the row is
stored, returns the frames, computed on the state as it is then:

    transition                       stored         frames then
    say                              message_stored ack, message (and read-along)
    accept / hold (a `Handover`)     assign_stored  assigned, joined, released, watched,
                                                    presence (assign_failed: as it was)
    requeue                          requeue_stored requeued, released
    end / block                      ended          ended (to each side), the chatter closed
    drop                             -              presence away, before its Store
    rekey, then attach               -              resumed, missed messages, presence back,
                                                    the replaced connection closed
    leave                            ended          ended and close at once, then as end
    start, positions, typing, catch_up (login), staff_out, read_along(_stop): at once

Connections are opaque handles here (compared by identity). Chatter-facing texts are
passed in (`requeue_stored`'s detail): this module does no I/O and imports no i18n.

Messages are acknowledged only once stored: `say` allocates the next `seq` and returns a
`Store` effect; the server writes it and calls `message_stored` (or `message_failed`), which
returns the `Ack` effects and the deliveries, in `seq` order, even if commits complete out of
order. A failed write leaves no gap: its number is reused if nothing came after it, else
skipped. Chatter-facing texts are not built here; frames are protocol v1 dicts.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from console1712.clock import to_rfc3339
from console1712.protocol.frames import Close as CloseCode
from console1712.relay.ratelimit import RateLimiter
from console1712.store.chats import CHATTER, Intake, Message

TYPING_EVERY = 1.0  # seconds: `typing` passed on at most once per chat per second each way


class ChatState(StrEnum):
    """Where a chat stands; the values are the protocol's and the database's words."""

    WAITING = "waiting"
    HELD = "held"
    ASSIGNED = "assigned"
    ENDED = "ended"


TRANSITIONS: dict[ChatState, frozenset[ChatState]] = {
    ChatState.WAITING: frozenset({ChatState.HELD, ChatState.ENDED}),
    ChatState.HELD: frozenset({ChatState.ASSIGNED, ChatState.WAITING, ChatState.ENDED}),
    ChatState.ASSIGNED: frozenset({ChatState.HELD, ChatState.WAITING, ChatState.ENDED}),
    ChatState.ENDED: frozenset(),
}


class IllegalTransition(RuntimeError):
    """A state change the transition table does not allow (a bug in the caller)."""


@dataclass(slots=True)  # per message: not frozen (3x the cost to make)
class Waiter:
    """A `say` waiting for its row: who gets the ack (the staff side names the chat)."""

    conn: Any
    ref: str | None
    client_id: str
    staff: bool


ACCEPT = "chat.accept"  # not audited: the assignment row says who accepted
TRANSFER = "chat.transfer"
TAKE_OVER = "chat.take_over"
REASSIGN = "chat.reassign"


@dataclass(frozen=True, slots=True)
class Handover:
    """Who asked for a held chat's assignment, and how it is announced once stored.

    `action`: ACCEPT, TRANSFER, TAKE_OVER or REASSIGN; `actor`: the account that asked;
    `display`: the new counsellor's name for the chatter (`joined`). `conn`/`ref`: the
    console that asked, answered (`assigned` for an accept, `released` for a transfer);
    `by`: a transfer's `transferred_by`, or the alias a take-over's `released` names;
    `note`: a transfer's note to the new counsellor."""

    action: str
    actor: str
    display: str
    conn: Any = None
    ref: str | None = None
    by: str | None = None
    note: str | None = None


@dataclass(eq=False)
class LiveChat:
    """A chat that has not ended, as the relay keeps it in memory."""

    id: str
    state: ChatState
    since: datetime
    intake: Intake
    address_hash: str
    resume_hash: str
    counsellor: str | None = None
    team: str | None = None
    conn: Any = None  # the chatter's connection (an opaque handle here), None while away
    dropped_at: datetime | None = None
    next_seq: int = 1
    delivered: int = 0  # highest seq in `messages` (committed and relayed in order)
    messages: list[Message] = field(default_factory=list)
    committed: dict[int, Message] = field(default_factory=dict)  # waiting for a lower seq
    skipped: set[int] = field(default_factory=set)  # seqs whose write failed (relay fault)
    ids: dict[tuple[str, str], int] = field(default_factory=dict)  # (sender, id hash) -> seq
    waiters: dict[int, list[Waiter]] = field(default_factory=dict)  # seq being stored -> acks
    rate: RateLimiter = field(default_factory=RateLimiter)
    readers: set[str] = field(default_factory=set)  # supervisors reading along (issue 7)
    # monotonic times `typing` was last passed on, each way (at most one a second each way)
    typing_to_staff: float = -1e9
    typing_to_chatter: float = -1e9
    # the counsellor has had no console open since (None: connected); see `orphans_due`
    orphaned_at: datetime | None = None
    returned: bool = False  # waiting again after a counsellor left it: front of the queue
    first: str | None = None  # the first line the chatter wrote while waiting (queue triage)
    # what a held chat goes back to if storing the assignment fails
    held_from: tuple[ChatState, str | None, str | None, bool] | None = None
    ended_from: ChatState | None = None  # the state it ended in (messages still in flight)
    handover: Handover | None = None  # who asked for the assignment being stored, and how
    told_position: int | None = None  # the queue position the chatter was last told

    @property
    def hold(self) -> bool:
        """An assignment is being stored: the new counsellor gets the chat after."""
        return self.state is ChatState.HELD

    @property
    def pending(self) -> set[int]:
        """Seqs allocated and not stored yet."""
        return set(self.waiters)

    def history(self) -> list[dict[str, Any]]:
        return [message_entry(m) for m in self.messages]


def message_entry(m: Message) -> dict[str, Any]:
    return {
        "seq": m.seq,
        "from": "chatter" if m.from_chatter else "counsellor",
        "text": m.text,
        "at": to_rfc3339(m.at),
    }


# -- effects: what the server carries out -------------------------------------------------


@dataclass(slots=True)  # per message: not frozen (3x the cost to make)
class Send:
    """A frame to one connection."""

    conn: Any
    frame: dict[str, Any]


@dataclass(slots=True)  # per message: not frozen (3x the cost to make)
class Ack:
    """The answer to a `say` (its row is stored): the connection may take one more write."""

    conn: Any
    frame: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Fault:
    """A `say` whose row could not be stored: error `fault`, then close 1011; or, when the
    database is away (`unavailable`), error `unavailable` and the connection stays open
    (nothing was stored: the client sends it again)."""

    conn: Any
    ref: str | None
    client_id: str
    chat: str | None  # named on the staff side
    unavailable: bool = False


@dataclass(slots=True)  # per message: not frozen (3x the cost to make)
class Store:
    """A row to store. `kind` "message": data has seq, sender, client_id (hash), text, at
    (queued for the group-committing writer, not awaited). Any other kind is awaited before
    the effects after it, through one function of the server:

        "assign"   counsellor, team, at, audit     (audit: None or actor, action, detail)
        "requeue"  at, audit
        "end"      by, at                           (after the chat's messages in flight)
        "block"    by, at, until, block, address_hash, blocked_by, reason, audit
        "dropped"  at                               (the chatter's connection closed)
        "resumed"  resume_hash                      (back, with a new resume token)
    """

    kind: str
    chat: str
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Hangup:
    """Close a connection after the frames sent to it already."""

    conn: Any
    code: int
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Schedule:
    """Something to look at again at `at` (the sweep also finds it)."""

    kind: str  # "timeout": the resume window of a dropped chat; "orphan": requeue check
    chat: str
    at: datetime


@dataclass(frozen=True, slots=True)
class QueueChanged:
    """The queue changed: push it (coalesced) to staff and positions to waiting chatters."""


Effect = Send | Ack | Fault | Store | Hangup | Schedule | QueueChanged


class Caps(Protocol):
    """The limits the switchboard keeps (Settings has them; read each time, so a change
    applies at once)."""

    @property
    def resume_window(self) -> int | float: ...
    @property
    def max_waiting_per_address(self) -> int: ...
    @property
    def max_chats_per_counsellor(self) -> int: ...
    @property
    def orphan_after(self) -> int | float: ...


@dataclass(frozen=True, slots=True)
class Limits:
    resume_window: float = 300.0  # seconds a dropped chatter may come back
    max_waiting_per_address: int = 3
    max_chats_per_counsellor: int = 0  # 0: no cap
    orphan_after: float = 300.0


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a request was refused: a protocol v1 error code and its extra fields."""

    code: str
    extra: dict[str, Any] = field(default_factory=dict)


class Switchboard:
    """The live chats, the queue, resume tokens, blocks, seq numbering, staff presence, caps."""

    def __init__(self, limits: Caps) -> None:
        self.limits = limits
        self.chats: dict[str, LiveChat] = {}
        self.waiting: dict[str, LiveChat] = {}  # insertion order = queue order
        self.by_resume: dict[str, LiveChat] = {}
        self.blocks: dict[str, datetime] = {}  # keyed address hash -> blocked until
        self.staff: dict[str, set[Any]] = {}  # account name -> its open consoles
        self.aliases: dict[str, str] = {}  # account name -> display alias
        # starts being stored, per keyed address hash: they count as waiting already, or a
        # burst of simultaneous starts would all pass the cap before any is in the queue
        self.starting: dict[str, int] = {}
        self._positions: dict[str, int] | None = None

    # -- transitions ----------------------------------------------------------------------

    @staticmethod
    def move(chat: LiveChat, to: ChatState) -> None:
        if to not in TRANSITIONS[chat.state]:
            raise IllegalTransition(f"{chat.state.value} -> {to.value}")
        chat.state = to

    def _queue_changed(self) -> list[Effect]:
        self._positions = None
        return [QueueChanged()]

    def _enqueue(self, chat: LiveChat) -> None:
        """Into the queue where it belongs: a returned chat after the other returned ones,
        any other in order of `since` (the back, for a new chat)."""
        chats = list(self.waiting.values())
        if chat.returned:
            at = sum(1 for c in chats if c.returned)
        else:
            at = next(
                (i for i, c in enumerate(chats) if not c.returned and c.since > chat.since),
                len(chats),
            )
        if at == len(chats):
            self.waiting[chat.id] = chat
        else:
            chats.insert(at, chat)
            self.waiting = {c.id: c for c in chats}

    # -- restart --------------------------------------------------------------------------

    def restore(self, chat: LiveChat, now: datetime) -> None:
        """A chat rebuilt from the database at start (every chatter counts as dropped)."""
        for m in chat.messages:
            chat.ids[(m.sender, m.client_id)] = m.seq
        chat.delivered = chat.messages[-1].seq if chat.messages else 0
        chat.next_seq = chat.delivered + 1
        if chat.state is ChatState.ASSIGNED:
            chat.orphaned_at = now  # no console is connected yet: its clock starts now
        self.chats[chat.id] = chat
        self.by_resume[chat.resume_hash] = chat
        if chat.state is ChatState.WAITING:
            self.waiting[chat.id] = chat
        self._positions = None

    # -- the queue ------------------------------------------------------------------------

    def position(self, chat: LiveChat) -> int | None:
        if chat.state is not ChatState.WAITING:
            return None
        if self._positions is None:
            self._positions = {cid: i for i, cid in enumerate(self.waiting, start=1)}
        return self._positions.get(chat.id)

    def positions(self) -> list[Effect]:
        """A `queue` frame to each waiting chatter whose place changed since it was told
        (the server's position timer asks, at most once each QUEUE_INTERVAL)."""
        effects: list[Effect] = []
        for chat in self.waiting.values():
            if chat.conn is None:
                continue
            pos = self.position(chat)
            if pos is not None and pos != chat.told_position:
                chat.told_position = pos
                effects.append(Send(chat.conn, {"type": "queue", "position": pos}))
        return effects

    def next_waiting(self, team: str | None) -> LiveChat | None:
        """The chat `accept` without id takes: returned chats, own region, longest waiting."""
        first = next(iter(self.waiting.values()), None)
        if first is not None and first.returned:
            return first  # a chat a counsellor left waits at the front (protocol Additions)
        if team is not None:
            for chat in self.waiting.values():
                if chat.intake.region == team:
                    return chat
        return first

    def blocked_until(self, address_hash: str, now: datetime) -> datetime | None:
        until = self.blocks.get(address_hash)
        return until if until is not None and until > now else None

    def expire_blocks(self, now: datetime) -> None:
        for h in [h for h, until in self.blocks.items() if until <= now]:
            del self.blocks[h]

    def waiting_retry_after(self, address_hash: str, now: datetime) -> int | None:
        """None if this address may queue one more chat, else whole seconds to wait.

        The wait is until the first of its dropped chats runs out of its resume window; with
        none dropped (all connected and waiting) it is unknown, and a minute is suggested."""
        mine = [c for c in self.waiting.values() if c.address_hash == address_hash]
        if len(mine) + self.starting.get(address_hash, 0) < self.limits.max_waiting_per_address:
            return None
        window = timedelta(seconds=self.limits.resume_window)
        ends = [c.dropped_at + window - now for c in mine if c.dropped_at is not None]
        if not ends:
            return 60
        return max(1, math.ceil(min(ends).total_seconds()))

    def admit(self, address_hash: str, now: datetime) -> Refusal | None:
        """May this address start a chat? If so a place is reserved until `start`/`unreserve`."""
        until = self.blocked_until(address_hash, now)
        if until is not None:
            return Refusal("blocked", {"until": until})
        wait = self.waiting_retry_after(address_hash, now)
        if wait is not None:
            return Refusal("rate_limited", {"retry_after": wait})
        self.starting[address_hash] = self.starting.get(address_hash, 0) + 1
        return None

    def unreserve(self, address_hash: str) -> None:
        left = self.starting.get(address_hash, 0) - 1
        if left > 0:
            self.starting[address_hash] = left
        else:
            self.starting.pop(address_hash, None)

    def start(self, chat: LiveChat, token: str, ref: str | None) -> list[Effect]:
        """A new chat (admitted, its row stored) joins the back of the queue; the chatter
        is answered `queued` with its resume `token` and its place."""
        if chat.state is not ChatState.WAITING or chat.id in self.chats:
            raise IllegalTransition("start of a chat that is not new")
        self.unreserve(chat.address_hash)
        self.chats[chat.id] = chat
        self.by_resume[chat.resume_hash] = chat
        self.waiting[chat.id] = chat
        effects = self._queue_changed()
        pos = chat.told_position = self.position(chat)
        queued = {"type": "queued", "chat": chat.id, "resume": token, "position": pos}
        effects.append(Send(chat.conn, _answer(queued, ref)))
        return effects

    # -- assignment -----------------------------------------------------------------------

    def open_chats(self, name: str) -> int:
        """Chats assigned to `name`, those being stored included (they count for the cap)."""
        return sum(
            1
            for c in self.chats.values()
            if c.counsellor == name and c.state in (ChatState.ASSIGNED, ChatState.HELD)
        )

    def accept(
        self, name: str, team: str | None, chat_id: str | None, now: datetime, handover: Handover
    ) -> tuple[LiveChat | None, Refusal | None, list[Effect]]:
        """A counsellor takes a waiting chat (by id, or the next one): the chat is HELD and a
        `Store("assign")` is returned; `assign_stored` finishes it. Exactly one accept wins."""
        if chat_id is None:
            chat = self.next_waiting(team)
        else:
            chat = self.chats.get(chat_id)
            if chat is not None and chat.state is not ChatState.WAITING:
                return None, Refusal("taken"), []
        if chat is None:
            return None, Refusal("not_found"), []
        cap = self.limits.max_chats_per_counsellor
        if cap and self.open_chats(name) >= cap:
            return None, Refusal("too_many_chats", {"max": cap}), []
        effects = self.hold(chat, name, team, now, handover)
        return chat, None, effects

    def hold(
        self, chat: LiveChat, name: str, team: str | None, now: datetime, handover: Handover
    ) -> list[Effect]:
        """The chat (waiting or assigned) becomes `name`'s once stored: HELD until then. The
        effects end with the `Store("assign")` (audited unless it is an accept). Who takes
        a chat over stops reading along in it: they are in the chat itself."""
        was = chat.state
        self.move(chat, ChatState.HELD)
        if handover.action == TAKE_OVER:
            chat.readers.discard(name)
        former = chat.counsellor
        chat.held_from = (was, former, chat.team, chat.returned)
        chat.counsellor, chat.team = name, team
        chat.handover = handover
        effects: list[Effect] = []
        if was is ChatState.WAITING:
            del self.waiting[chat.id]
            chat.returned = False
            effects += self._queue_changed()
        chat.orphaned_at = None
        record: dict[str, Any] | None = None
        if handover.action == TRANSFER:
            record = {"actor": handover.actor, "action": TRANSFER, "detail": name}
        elif handover.action != ACCEPT:
            detail = json.dumps({"from": former, "to": name})
            record = {"actor": handover.actor, "action": handover.action, "detail": detail}
        data = {"counsellor": name, "team": team, "at": now, "audit": record}
        effects.append(Store("assign", chat.id, data))
        return effects

    def assign_stored(self, chat: LiveChat, now: datetime) -> tuple[bool, list[Effect]]:
        """The assignment is stored: ASSIGNED, unless it ended meanwhile (False then). The
        frames: `released` to the former counsellor (the one who transferred it answered),
        then, if assigned, `assigned` (with `watched` and `presence` away as they apply) to
        the new counsellor, and `joined` to the chatter (an accept with the chatter away:
        `presence` away to the accepting console instead)."""
        former = chat.held_from[1] if chat.held_from is not None else None
        handover, chat.handover, chat.held_from = chat.handover, None, None
        stored = chat.state is not ChatState.ENDED
        if stored:
            self.move(chat, ChatState.ASSIGNED)
            if chat.counsellor is not None and not self.staff.get(chat.counsellor):
                chat.orphaned_at = now  # a take-over for someone with no console open
        if handover is None or chat.counsellor is None:
            return stored, []
        if handover.action == ACCEPT:
            return stored, self._accepted(chat, handover) if stored else []
        return stored, self._handed_over(chat, handover, former, stored)

    def _accepted(self, chat: LiveChat, handover: Handover) -> list[Effect]:
        assigned = self.assigned_frame(chat, named=True)
        effects: list[Effect] = [Send(handover.conn, _answer(assigned, handover.ref))]
        if chat.conn is not None:
            effects.append(Send(chat.conn, joined_frame(handover.display)))
        else:
            effects.append(Send(handover.conn, presence_frame(chat, "away")))
        return effects

    def _handed_over(
        self, chat: LiveChat, handover: Handover, former: str | None, stored: bool
    ) -> list[Effect]:
        """A transfer, take-over or reassign: `released` to the former counsellor (even if
        the chat ended meanwhile), then the chat to every console of the new one."""
        effects: list[Effect] = []
        name = chat.counsellor
        if handover.action == TRANSFER:
            released: dict[str, Any] = {"type": "released", "chat": chat.id}
            if handover.conn is not None:
                effects.append(Send(handover.conn, _answer(released, handover.ref)))
            others = self.consoles(handover.actor)
            effects += [Send(c, dict(released)) for c in others if c is not handover.conn]
        elif former is not None and former != name:
            released = {"type": "released", "chat": chat.id, "by": handover.by}
            effects += [Send(c, dict(released)) for c in self.consoles(former)]
        if not stored:
            return effects
        # Whoever gets the chat sees which colleague wrote each counsellor line.
        assigned = self.assigned_frame(chat, named=True)
        if handover.action == TRANSFER:
            assigned["transferred_by"] = handover.by
            if handover.note:
                assigned["note"] = handover.note
        for conn in self.consoles(name):
            effects.append(Send(conn, dict(assigned)))
            if chat.readers:
                effects.append(Send(conn, self.watched_frame(chat)))
            if chat.conn is None:
                effects.append(Send(conn, presence_frame(chat, "away")))
        if chat.conn is not None:
            effects.append(Send(chat.conn, joined_frame(handover.display)))
        return effects

    def assign_failed(self, chat: LiveChat) -> list[Effect]:
        """Storing the assignment failed: the chat is as it was; a waiting one goes back to
        the front of the queue, as a returned chat."""
        held_from, chat.held_from, chat.handover = chat.held_from, None, None
        if chat.state is ChatState.ENDED or held_from is None:
            return []
        was, chat.counsellor, chat.team, chat.returned = held_from
        if was is ChatState.WAITING:
            # to the front: its place may be taken (the per-address cap is on starts)
            self.move(chat, ChatState.WAITING)
            chat.returned = True
            self._enqueue(chat)
            return self._queue_changed()
        self.move(chat, ChatState.ASSIGNED)  # the database still names the former one
        return []

    def requeue(
        self, chat: LiveChat, why: str, actor: str, now: datetime
    ) -> tuple[str | None, list[Effect]]:
        """An assigned chat goes back to the front of the queue (after other returned chats);
        the former counsellor's name, or None if it was not assigned (nothing changed). Its
        readers get `read_along_ended`; the effects end with the `Store("requeue")`."""
        if chat.state is not ChatState.ASSIGNED:
            return None, []
        former = chat.counsellor
        self.move(chat, ChatState.WAITING)
        chat.counsellor, chat.orphaned_at, chat.returned = None, None, True
        self._enqueue(chat)
        effects = self._stop_readers(chat)
        effects += self._queue_changed()
        record = {"actor": actor, "action": "chat.requeue"}
        record["detail"] = json.dumps({"from": former, "why": why})
        effects.append(Store("requeue", chat.id, {"at": now, "audit": record}))
        return former, effects

    def requeue_stored(
        self, chat: LiveChat, former: str, detail: str, *, released: bool
    ) -> list[Effect]:
        """The requeue is stored: the chatter (still waiting) hears its position with
        `detail` (the text saying another counsellor takes over); with `released`, the former
        counsellor's consoles get `released` (a chat given back, not an orphan)."""
        effects: list[Effect] = []
        if chat.conn is not None and chat.state is ChatState.WAITING:
            pos = self.position(chat)
            chat.told_position = pos
            frame = {"type": "requeued", "position": pos, "detail": detail}
            effects.append(Send(chat.conn, frame))
        if released:
            frame = {"type": "released", "chat": chat.id}
            effects += [Send(c, dict(frame)) for c in self.consoles(former)]
        return effects

    # -- what staff see of a chat ---------------------------------------------------------

    def named_history(self, chat: LiveChat) -> list[dict[str, Any]]:
        """The history for staff: a counsellor's line names its author (after a transfer)."""
        aliases = self.aliases
        return [
            {**entry, "name": aliases.get(m.sender, m.sender)} if not m.from_chatter else entry
            for m, entry in zip(chat.messages, chat.history(), strict=True)
        ]

    def assigned_frame(self, chat: LiveChat, *, named: bool) -> dict[str, Any]:
        """The chat for its (new) counsellor: intake and history (`named`: authors named)."""
        return {
            "type": "assigned",
            "chat": chat.id,
            "intake": chat.intake.as_dict(),
            "history": self.named_history(chat) if named else chat.history(),
        }

    def watched_frame(self, chat: LiveChat) -> dict[str, Any]:
        """For the counsellor's tab: who is reading along in this chat now."""
        names = sorted(self.aliases.get(r, r) for r in chat.readers)
        return {"type": "watched", "chat": chat.id, "by": names}

    def to_readers(self, chat: LiveChat, frame: dict[str, Any]) -> list[Effect]:
        """A frame to every console of each supervisor reading along in the chat."""
        return [Send(c, dict(frame)) for r in chat.readers for c in self.consoles(r)]

    def _stop_readers(self, chat: LiveChat) -> list[Effect]:
        """The chat leaves its counsellor: whoever read along is told, and stops."""
        if not chat.readers:
            return []
        effects = self.to_readers(chat, {"type": "read_along_ended", "chat": chat.id})
        chat.readers.clear()
        return effects

    def read_along(self, chat: LiveChat, name: str) -> list[Effect]:
        """`name` reads along in an assigned chat: its counsellor sees who (`watched`)."""
        chat.readers.add(name)
        return self.to_counsellor(chat, self.watched_frame(chat))

    def read_along_stop(self, chat: LiveChat, name: str) -> list[Effect]:
        """`name` stops reading along (if they did): its counsellor sees who is left."""
        if name not in chat.readers:
            return []
        chat.readers.discard(name)
        return self.to_counsellor(chat, self.watched_frame(chat))

    # -- staff presence -------------------------------------------------------------------

    def staff_in(self, name: str, display: str, conn: Any) -> None:
        """A console of `name` logged in: their chats stay theirs (no orphan clock)."""
        self.staff.setdefault(name, set()).add(conn)
        self.aliases[name] = display
        for chat in self.chats.values():
            if chat.counsellor == name:
                chat.orphaned_at = None

    def catch_up(self, name: str, conn: Any) -> list[Effect]:
        """A console of `name` logged in: each chat assigned to them (`assigned`, then
        `watched` and `presence` away as they apply), to that console only."""
        effects: list[Effect] = []
        for chat in list(self.chats.values()):
            if chat.counsellor == name and chat.state is ChatState.ASSIGNED:
                effects.append(Send(conn, self.assigned_frame(chat, named=True)))
                if chat.readers:
                    effects.append(Send(conn, self.watched_frame(chat)))
                if chat.conn is None:
                    effects.append(Send(conn, presence_frame(chat, "away")))
        return effects

    def staff_out(self, name: str, conn: Any, now: datetime) -> tuple[bool, list[Effect]]:
        """A console of `name` closed; True if it was their last: their chats' orphan clock
        starts, and they stop reading along (those counsellors get `watched`)."""
        conns = self.staff.get(name)
        if conns is None:
            return False, []
        conns.discard(conn)
        if conns:
            return False, []
        del self.staff[name]
        effects: list[Effect] = []
        for chat in self.chats.values():
            if (
                chat.counsellor == name
                and chat.state is ChatState.ASSIGNED
                and chat.orphaned_at is None
            ):
                chat.orphaned_at = now
            if name in chat.readers:
                chat.readers.discard(name)
                effects += self.to_counsellor(chat, self.watched_frame(chat))
        return True, effects

    def orphans_due(self, now: datetime) -> list[LiveChat]:
        """Assigned chats whose counsellor has been gone `orphan_after` seconds."""
        cutoff = now - timedelta(seconds=self.limits.orphan_after)
        return [
            c
            for c in self.chats.values()
            if c.state is ChatState.ASSIGNED
            and c.orphaned_at is not None
            and c.orphaned_at <= cutoff
            and not self.staff.get(c.counsellor or "")
        ]

    def consoles(self, name: str | None) -> Iterator[Any]:
        return iter(self.staff.get(name, ())) if name is not None else iter(())

    # -- messages -------------------------------------------------------------------------

    def say(
        self,
        chat: LiveChat,
        sender: str,
        id_hash: str,
        client_id: str,
        text: str,
        now: datetime,
        conn: Any,
        ref: str | None,
    ) -> list[Effect]:
        """A message: the next seq and a Store, or (a repeated id) its ack, now or once stored."""
        staff = sender != CHATTER
        if chat.state is ChatState.ENDED:
            raise IllegalTransition("say in an ended chat")
        waiter = Waiter(conn, ref, client_id, staff)
        key = (sender, id_hash)
        known = chat.ids.get(key)
        if known is not None:
            waiting = chat.waiters.get(known)
            if waiting is not None:
                waiting.append(waiter)
                return []
            return [Ack(conn, _ack_frame(chat.id, waiter, known))]
        seq = chat.next_seq
        chat.next_seq += 1
        chat.ids[key] = seq
        chat.waiters[seq] = [waiter]
        data = {"seq": seq, "sender": sender, "client_id": id_hash, "text": text, "at": now}
        return [Store("message", chat.id, data)]

    def message_stored(self, chat: LiveChat, message: Message) -> list[Effect]:
        """A message is durable: its acks, then every message now in order is delivered."""
        effects: list[Effect] = [
            Ack(w.conn, _ack_frame(chat.id, w, message.seq))
            for w in chat.waiters.pop(message.seq, ())
        ]
        chat.committed[message.seq] = message
        effects += self._flush(chat)
        return effects

    def message_failed(
        self, chat: LiveChat, seq: int, key: tuple[str, str], *, unavailable: bool = False
    ) -> list[Effect]:
        """A message write failed (disk full, I/O error; or the database away: `unavailable`):
        no gap, no stale idempotency entry; the senders get a fault (their connections close)
        or, when the database is away, `unavailable` (they send it again)."""
        effects: list[Effect] = []
        for w in chat.waiters.pop(seq, ()):
            named = chat.id if w.staff else None
            effects.append(Fault(w.conn, w.ref, w.client_id, named, unavailable))
        chat.ids.pop(key, None)
        if chat.next_seq == seq + 1:
            chat.next_seq = seq  # nothing allocated after it: reuse the number
        else:
            chat.skipped.add(seq)  # later numbers are out: skip it rather than stall
            effects += self._flush(chat)
        return effects

    def _flush(self, chat: LiveChat) -> list[Effect]:
        effects: list[Effect] = []
        while True:
            nxt = chat.delivered + 1
            if nxt in chat.skipped:
                chat.skipped.discard(nxt)
                chat.delivered = nxt
                continue
            m = chat.committed.pop(nxt, None)
            if m is None:
                return effects
            chat.delivered = nxt
            chat.messages.append(m)
            entry = message_entry(m)
            for reader in chat.readers:
                frame = {"type": "read_along_message", "chat": chat.id, **entry}
                effects += [Send(c, frame) for c in self.consoles(reader)]
            if m.from_chatter:
                effects += self.to_counsellor(chat, {"type": "message", "chat": chat.id, **entry})
            elif chat.conn is not None:
                effects.append(Send(chat.conn, {"type": "message", **entry}))

    def to_counsellor(self, chat: LiveChat, frame: dict[str, Any]) -> list[Effect]:
        """A frame to every console of the chat's counsellor: only while ASSIGNED (a held
        chat's new counsellor gets the history when the assignment is stored), or for the
        messages still in flight when an assigned chat ended."""
        if chat.counsellor is None or not self.delivers(chat):
            return []
        return [Send(c, frame) for c in self.consoles(chat.counsellor)]

    def typing(self, chat: LiveChat, sender: str, now: float) -> list[Effect]:
        """`sender` (CHATTER, or the counsellor) is typing, at monotonic `now`: passed on to
        the other side at most once each TYPING_EVERY seconds (to staff only when assigned)."""
        if sender == CHATTER:
            if chat.state is not ChatState.ASSIGNED or now - chat.typing_to_staff < TYPING_EVERY:
                return []
            chat.typing_to_staff = now
            return self.to_counsellor(chat, {"type": "typing", "chat": chat.id})
        if chat.conn is None or now - chat.typing_to_chatter < TYPING_EVERY:
            return []
        chat.typing_to_chatter = now
        return [Send(chat.conn, {"type": "typing"})]

    @staticmethod
    def delivers(chat: LiveChat) -> bool:
        """Does the chat's counsellor get its frames now?"""
        return chat.state is ChatState.ASSIGNED or (
            chat.state is ChatState.ENDED and chat.ended_from is ChatState.ASSIGNED
        )

    # -- the chatter's connection ---------------------------------------------------------

    def drop(
        self, chat: LiveChat, conn: Any, now: datetime, shutdown: bool = False
    ) -> list[Effect]:
        """The chatter's connection closed (not a takeover): its counsellor sees `presence`
        away, and the resume window starts; at a shutdown it starts only when the relay is
        back (no effects then)."""
        if chat.conn is not conn or chat.state is ChatState.ENDED:
            return []
        chat.conn = None
        if shutdown:
            return []
        chat.dropped_at = now
        at = now + timedelta(seconds=self.limits.resume_window)
        effects = self.to_counsellor(chat, presence_frame(chat, "away"))
        return [*effects, Store("dropped", chat.id, {"at": now}), Schedule("timeout", chat.id, at)]

    def expired(self, chat: LiveChat, now: datetime) -> bool:
        """Has the chatter been away longer than the resume window?"""
        return (
            chat.conn is None
            and chat.dropped_at is not None
            and now >= chat.dropped_at + timedelta(seconds=self.limits.resume_window)
        )

    def expired_chats(self, now: datetime) -> list[LiveChat]:
        return [c for c in self.chats.values() if self.expired(c, now)]

    def claim(self, resume_hash: str) -> LiveChat | None:
        """A resume token's chat (the token is used up), or None if unknown; the caller
        ends it if it has `expired`."""
        return self.by_resume.pop(resume_hash, None)

    def rekey(self, chat: LiveChat, new_hash: str) -> list[Effect]:
        """The chat's new resume token (the old one is used up already): to be stored."""
        chat.resume_hash = new_hash
        self.by_resume[new_hash] = chat
        return [Store("resumed", chat.id, {"resume_hash": new_hash})]

    def attach(
        self, chat: LiveChat, conn: Any, token: str, after: int, ref: str | None
    ) -> tuple[Any, list[Effect]]:
        """The chatter is back on `conn` with the new `token`: the connection it replaced
        (a takeover, closed) or None, and the frames: `resumed` (the answer), the
        counsellor's messages after `after`, and `presence` back to the counsellor."""
        old, chat.conn = chat.conn, conn
        chat.dropped_at = None
        effects: list[Effect] = []
        if old is not None:
            effects.append(Hangup(old, CloseCode.NORMAL, "resumed elsewhere"))
        alias = self.aliases.get(chat.counsellor) if chat.counsellor else None
        pos = self.position(chat)
        chat.told_position = pos
        resumed = {
            "type": "resumed",
            "chat": chat.id,
            "resume": token,
            "counsellor": alias if chat.counsellor is not None else None,
            "position": pos,
        }
        effects.append(Send(conn, _answer(resumed, ref)))
        for m in chat.messages:
            if m.seq > after and not m.from_chatter:
                effects.append(Send(conn, {"type": "message", **message_entry(m)}))
        if old is None:
            effects += self.to_counsellor(chat, presence_frame(chat, "back"))
        return old, effects

    # -- the end --------------------------------------------------------------------------

    def leave(
        self, chat: LiveChat, conn: Any, ref: str | None, now: datetime
    ) -> tuple[ChatState, list[Effect]]:
        """The chatter on `conn` leaves: answered `ended` and closed at once (nothing more
        goes to it), then as `end` by the chatter."""
        answer: list[Effect] = [Send(conn, _answer({"type": "ended", "by": "chatter"}, ref))]
        answer.append(Hangup(conn, CloseCode.NORMAL))
        if chat.conn is conn:
            chat.conn = None
        was, effects = self.end(chat, "chatter", now)
        return was, [*answer, *effects]

    def end(self, chat: LiveChat, by: str, now: datetime) -> tuple[ChatState, list[Effect]]:
        """End a chat in memory (first, so nothing else happens to it): the state it had,
        and the effects: `read_along_ended` to its readers, the queue, `Store("end")`. Once
        stored, `ended` gives the frames."""
        was = self._end(chat)
        effects = self._stop_readers(chat)
        if was is ChatState.WAITING:
            effects += self._queue_changed()
        effects.append(Store("end", chat.id, {"by": by, "at": now}))
        return was, effects

    def _end(self, chat: LiveChat) -> ChatState:
        was = chat.state
        self.move(chat, ChatState.ENDED)
        chat.ended_from = was
        self.chats.pop(chat.id, None)
        if self.by_resume.get(chat.resume_hash) is chat:
            del self.by_resume[chat.resume_hash]
        self.waiting.pop(chat.id, None)
        return was

    def ended(
        self, chat: LiveChat, was: ChatState, by: str, conn: Any = None, ref: str | None = None
    ) -> list[Effect]:
        """The end is stored: `ended` to the counsellor (unless they ended it), to the
        chatter (unless they left), whose connection then closes; when the counsellor ended
        it from `conn` (or blocked), `ended` is its answer, and their other consoles' news."""
        effects: list[Effect] = []
        if was is ChatState.ASSIGNED and by != "counsellor":
            effects += self.to_counsellor(chat, {"type": "ended", "chat": chat.id, "by": by})
        if chat.conn is not None and by != "chatter":
            effects.append(Send(chat.conn, {"type": "ended", "by": by}))
            effects.append(Hangup(chat.conn, CloseCode.NORMAL))
        if conn is not None:
            frame = {"type": "ended", "chat": chat.id, "by": "counsellor"}
            effects.append(Send(conn, _answer(frame, ref)))
            others = self.consoles(chat.counsellor)
            effects += [Send(c, dict(frame)) for c in others if c is not conn]
        return effects

    def block(
        self,
        chat: LiveChat,
        now: datetime,
        until: datetime,
        block_id: str,
        actor: str,
        hours: int,
        reason: str | None,
    ) -> tuple[ChatState, list[Effect]]:
        """The counsellor `actor` ends the chat and blocks its address until `until` (a
        longer block stays); like `end`, with a `Store("block")` (the end, the block and its
        audit in one)."""
        was, effects = self.end(chat, "counsellor", now)
        h = chat.address_hash
        self.blocks[h] = max(until, self.blocks.get(h, until))
        detail = json.dumps({"block": block_id, "hours": hours, "reason": reason})
        data = {
            "by": "counsellor",
            "at": now,
            "until": until,
            "block": block_id,
            "address_hash": h,
            "blocked_by": actor,
            "reason": reason,
            "audit": {"actor": actor, "action": "chat.block", "detail": detail},
        }
        effects[-1] = Store("block", chat.id, data)
        return was, effects


def presence_frame(chat: LiveChat, state: str) -> dict[str, Any]:
    return {"type": "presence", "chat": chat.id, "state": state}


def joined_frame(counsellor: str) -> dict[str, Any]:
    return {"type": "joined", "counsellor": counsellor}


def _answer(frame: dict[str, Any], ref: str | None) -> dict[str, Any]:
    """`frame` as the answer to a request: its `ref` added (last, as `Peer.reply` does)."""
    return frame if ref is None else {**frame, "ref": ref}


def _ack_frame(chat_id: str, w: Waiter, seq: int) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "ack"}
    if w.staff:
        frame["chat"] = chat_id
    frame["id"] = w.client_id
    frame["seq"] = seq
    if w.ref is not None:
        frame["ref"] = w.ref
    return frame
