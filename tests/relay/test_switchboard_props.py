"""Random sequences of chat events against the switchboard alone, invariants after each step.

A small harness plays the server: it keeps the "database" (rows the switchboard asked to
store), completes or fails stores in any order, and checks every frame it is told to send:
a console gets the frames of a chat only while the chat is assigned to its account (or
ended from there), `ended` reaches a connection at most once per chat and nothing of that
chat follows it, nothing goes to a connection the switchboard closed, and `seq` increases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from console1712.relay.switchboard import (
    ACCEPT,
    REASSIGN,
    TRANSFER,
    Ack,
    ChatState,
    Effect,
    Handover,
    Hangup,
    Limits,
    LiveChat,
    Send,
    Store,
    Switchboard,
)
from console1712.store.chats import CHATTER, Intake, Message

T0 = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
WINDOW = 300.0
ADDRESSES = ("a1", "a2", "a3")
COUNSELLORS = ("anna", "bert", "carla")
SUPERVISOR = "sue"
# frames about a chat that only its counsellor's consoles may get
COUNSELLOR_FRAMES = frozenset({"message", "assigned", "presence", "watched", "ended", "typing"})
LIMITS = Limits(
    resume_window=WINDOW, max_waiting_per_address=2, max_chats_per_counsellor=2, orphan_after=60
)


@dataclass(eq=False)
class Console:
    name: str


@dataclass(eq=False)
class Socket:
    chat: str


@dataclass
class Row:
    """A chat as the harness's database holds it."""

    address: str
    since: datetime
    resume: str
    state: str = "waiting"
    counsellor: str | None = None
    messages: dict[int, Message] = field(default_factory=dict)
    returned: bool = False


@dataclass
class Pending:
    kind: str  # "message" | "assign"
    chat: LiveChat
    data: dict[str, Any]


class SwitchboardMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = T0
        self.sb = Switchboard(LIMITS)
        self.db: dict[str, Row] = {}
        self.blocks: dict[str, datetime] = {}
        self.blocked_at: dict[str, datetime] = {}
        self.live: dict[str, LiveChat] = {}  # every chat of this run by id, ended included
        self.pending: list[Pending] = []
        self.consoles: dict[str, list[Console]] = {}
        self.n = 0
        self.ids = 0
        self.acked: dict[tuple[str, str, str], int] = {}  # (chat, sender, client id) -> seq
        self.failed: dict[str, set[int]] = {}
        # receivers are kept as keys (by identity): an id() could be reused by a new one
        self.seen: dict[tuple[Any, str], int] = {}  # (receiver, chat) -> last seq seen
        self.violations: list[str] = []
        self.closed: set[Any] = set()  # connections the switchboard closed
        self.ended: set[tuple[Any, str]] = set()  # (receiver, chat) that got `ended`
        self.released: set[tuple[Any, str]] = set()  # released, not assigned again since
        # chats handed to a counsellor by a transfer: the cap is on accept (protocol), a
        # transfer may go past it
        self.given: dict[str, int] = {}

    # -- the server's part --------------------------------------------------------------

    def carry_out(self, effects: list[Effect]) -> None:
        for e in effects:
            if isinstance(e, Store):
                if e.kind in ("message", "assign"):
                    self.pending.append(Pending(e.kind, self.live[e.chat], e.data))
            elif isinstance(e, Send):
                self.sent(e.conn, e.frame)
            elif isinstance(e, Hangup):
                self.closed.add(e.conn)
            elif isinstance(e, Ack):
                chat = e.frame.get("chat")
                if isinstance(e.conn, Socket):
                    chat, sender = e.conn.chat, CHATTER
                else:
                    sender = e.conn.name
                row = self.db[chat]
                seq = e.frame["seq"]
                if seq not in row.messages:
                    self.violations.append(f"ack before store {chat} {seq}")
                key = (chat, sender, e.frame["id"])
                if self.acked.setdefault(key, seq) != seq:
                    self.violations.append(f"one id, two seqs {key}")

    def sent(self, conn: Any, frame: dict[str, Any]) -> None:
        kind = frame["type"]
        if conn in self.closed:
            self.violations.append(f"{kind} after the close")
        chat = self.live[frame["chat"] if isinstance(conn, Console) else conn.chat]
        key = (conn, chat.id)
        if key in self.ended:
            self.violations.append(f"{kind} after ended {key}")
        if kind == "ended":
            self.ended.add(key)
        if isinstance(conn, Console):
            assigned = chat.state is ChatState.ASSIGNED or (
                chat.state is ChatState.ENDED and chat.ended_from is ChatState.ASSIGNED
            )
            mine = chat.counsellor == conn.name
            if kind in COUNSELLOR_FRAMES and not (mine and assigned):
                self.violations.append(f"{kind} to {conn.name}, not assigned {chat.id}")
            if kind == "released" and mine:
                self.violations.append(f"released to its counsellor {chat.id}")
            if kind == "released" and key in self.released:
                self.violations.append(f"released twice {key}")
            if kind == "released":
                self.released.add(key)
            elif kind == "assigned":
                self.released.discard(key)
        elif kind == "joined" and chat.state is not ChatState.ASSIGNED:
            self.violations.append(f"joined in a chat that is {chat.state}")
        elif kind == "queue" and (chat.state is not ChatState.WAITING or chat.conn is not conn):
            self.violations.append(f"queue to a chatter not waiting on it {chat.id}")
        elif kind == "requeued" and chat.state is not ChatState.WAITING:
            self.violations.append(f"requeued in a chat that is {chat.state}")
        if kind != "message":
            return
        if self.seen.get(key, 0) >= frame["seq"]:
            self.violations.append(f"seq not increasing {key}")
        self.seen[key] = frame["seq"]

    def chat_by(self, i: int, *states: ChatState) -> LiveChat | None:
        chats = [c for c in self.sb.chats.values() if c.state in states]
        return chats[i % len(chats)] if chats else None

    def open_chats(self, name: str) -> int:
        held = (ChatState.HELD, ChatState.ASSIGNED)
        return sum(1 for c in self.sb.chats.values() if c.counsellor == name and c.state in held)

    def has(self, state: ChatState) -> bool:
        return any(c.state is state for c in self.sb.chats.values())

    @initialize()
    def some_chats_and_a_console(self) -> None:
        for address in ADDRESSES:
            self.start(address)
        self.login(COUNSELLORS[0])

    def logged_in(self, name: str) -> None:
        """Who accepts has a console open."""
        if not self.consoles.get(name):
            self.login(name)

    def console(self, name: str) -> Console | None:
        return self.consoles.get(name, [None])[0] if self.consoles.get(name) else None

    # -- rules ------------------------------------------------------------------------------

    @rule(address=st.sampled_from(ADDRESSES))
    def start(self, address: str) -> None:
        # The per-address cap is on starts (a chat given back, or whose accept could not be
        # stored, goes back to the queue even when the address has its cap waiting).
        mine = sum(1 for c in self.sb.waiting.values() if c.address_hash == address)
        refusal = self.sb.admit(address, self.now)
        if refusal is None:
            assert mine < LIMITS.max_waiting_per_address
        blocked = self.blocks.get(address)
        if blocked is not None and blocked > self.now:
            assert refusal is not None and refusal.code == "blocked"
            return
        if refusal is not None:
            return
        self.n += 1
        cid = f"c{self.n}"
        self.db[cid] = Row(address, self.now, f"r{cid}")
        chat = LiveChat(
            cid, ChatState.WAITING, self.now, Intake("x"), address, f"r{cid}", conn=Socket(cid)
        )
        self.live[cid] = chat
        self.carry_out(self.sb.start(chat, f"t{cid}", None))

    @precondition(lambda self: bool(self.sb.chats))
    @rule(i=st.integers(0, 20), repeat=st.booleans())
    def chatter_says(self, i: int, repeat: bool) -> None:
        chat = self.chat_by(i, ChatState.WAITING, ChatState.HELD, ChatState.ASSIGNED)
        if chat is None or chat.conn is None:
            return
        if not repeat:
            self.ids += 1
        cid = f"m{max(self.ids, 1)}"
        self.carry_out(
            self.sb.say(chat, CHATTER, "h" + cid, cid, "tekst", self.now, chat.conn, None)
        )

    @precondition(lambda self: self.has(ChatState.ASSIGNED))
    @rule(i=st.integers(0, 20))
    def counsellor_says(self, i: int) -> None:
        chat = self.chat_by(i, ChatState.ASSIGNED)
        if chat is None or chat.counsellor is None:
            return
        conn = self.console(chat.counsellor)
        if conn is None:
            return
        self.ids += 1
        cid = f"m{self.ids}"
        self.carry_out(
            self.sb.say(chat, chat.counsellor, "h" + cid, cid, "tekst", self.now, conn, None)
        )

    @rule(name=st.sampled_from(COUNSELLORS), i=st.integers(0, 20), by_id=st.booleans())
    def accept(self, name: str, i: int, by_id: bool) -> None:
        self.logged_in(name)
        target = self.chat_by(i, ChatState.WAITING) if by_id else None
        before = self.open_chats(name)
        handover = Handover(ACCEPT, name, name.title(), self.console(name))
        chat_id = target.id if target else None
        chat, refusal, effects = self.sb.accept(name, None, chat_id, self.now, handover)
        if chat is not None:
            assert before < LIMITS.max_chats_per_counsellor
            assert chat.state is ChatState.HELD and chat.counsellor == name
        else:
            assert refusal is not None
        self.carry_out(effects)

    @precondition(lambda self: bool(self.sb.waiting))
    @rule(names=st.permutations(COUNSELLORS), i=st.integers(0, 20))
    def accept_race(self, names: list[str], i: int) -> None:
        chat = self.chat_by(i, ChatState.WAITING)
        if chat is None:
            return
        wins = 0
        for name in names[:2]:
            self.logged_in(name)
            handover = Handover(ACCEPT, name, name.title(), self.console(name))
            got, _, effects = self.sb.accept(name, None, chat.id, self.now, handover)
            wins += got is not None
            self.carry_out(effects)
        capped = all(self.open_chats(n) >= LIMITS.max_chats_per_counsellor for n in names[:2])
        assert wins == 1 or (wins == 0 and capped)

    @precondition(lambda self: bool(self.pending))
    @rule(i=st.integers(0, 20), ok=st.booleans())
    def complete_store(self, i: int, ok: bool) -> None:
        if not self.pending:
            return
        p = self.pending.pop(i % len(self.pending))
        chat, d = p.chat, p.data
        row = self.db[chat.id]
        if p.kind == "message":
            if ok:
                m = Message(d["seq"], d["sender"], d["client_id"], d["text"], d["at"])
                row.messages[m.seq] = m
                self.carry_out(self.sb.message_stored(chat, m))
            else:
                self.failed.setdefault(chat.id, set()).add(d["seq"])
                key = (d["sender"], d["client_id"])
                self.carry_out(self.sb.message_failed(chat, d["seq"], key))
        elif ok:
            if row.state != "ended":
                row.state, row.counsellor, row.returned = "assigned", d["counsellor"], False
            stored, effects = self.sb.assign_stored(chat, self.now)
            assert stored == (chat.state is ChatState.ASSIGNED)
            self.carry_out(effects)
        else:
            self.carry_out(self.sb.assign_failed(chat))

    @precondition(lambda self: self.has(ChatState.ASSIGNED))
    @rule(i=st.integers(0, 20), to=st.sampled_from(COUNSELLORS))
    def transfer(self, i: int, to: str) -> None:
        chat = self.chat_by(i, ChatState.ASSIGNED)
        if chat is None or chat.counsellor == to:
            return
        self.logged_in(to)
        self.given[to] = self.given.get(to, 0) + 1
        former = chat.counsellor
        assert former is not None
        conn = self.console(former)
        if conn is not None:  # the counsellor transfers it
            handover = Handover(TRANSFER, former, to.title(), conn, "q", former.title())
        else:  # a supervisor reassigns it
            handover = Handover(REASSIGN, SUPERVISOR, to.title(), by="Sue")
        self.carry_out(self.sb.hold(chat, to, None, self.now, handover))

    @precondition(lambda self: self.has(ChatState.ASSIGNED))
    @rule(i=st.integers(0, 20))
    def requeue(self, i: int) -> None:
        chat = self.chat_by(i, ChatState.ASSIGNED)
        if chat is None:
            return
        former, effects = self.sb.requeue(chat, "returned", chat.counsellor or "", self.now)
        assert former is not None and chat.state is ChatState.WAITING
        row = self.db[chat.id]
        row.state, row.counsellor, row.returned = "waiting", None, True
        self.carry_out(effects)
        self.carry_out(self.sb.requeue_stored(chat, former, "", released=True))

    @precondition(lambda self: bool(self.sb.chats))
    @rule(i=st.integers(0, 20))
    def drop(self, i: int) -> None:
        chat = self.chat_by(i, ChatState.WAITING, ChatState.HELD, ChatState.ASSIGNED)
        if chat is None or chat.conn is None:
            return
        self.carry_out(self.sb.drop(chat, chat.conn, self.now))

    @precondition(lambda self: bool(self.sb.chats))
    @rule(i=st.integers(0, 20), late=st.booleans(), takeover=st.booleans())
    def resume(self, i: int, late: bool, takeover: bool) -> None:
        """The chatter comes back after a drop, or (`takeover`) on a second connection."""
        chats = [c for c in self.sb.chats.values() if (c.conn is not None) == takeover]
        if not chats:
            return
        chat = chats[i % len(chats)]
        if chat.dropped_at is not None:
            at = chat.dropped_at + timedelta(seconds=WINDOW + (0 if late else -1))
            self.now = max(self.now, at)
        claimed = self.sb.claim(chat.resume_hash)
        assert claimed is chat
        if self.sb.expired(chat, self.now):
            self.end_chat(chat, "timeout")
            return
        self.n += 1
        self.sb.rekey(chat, f"r{self.n}")
        self.db[chat.id].resume = chat.resume_hash
        old, effects = self.sb.attach(chat, Socket(chat.id), f"t{self.n}", 0, None)
        assert (old is not None) == takeover
        self.carry_out(effects)

    @precondition(lambda self: bool(self.sb.chats))
    @rule(i=st.integers(0, 20), by=st.sampled_from(("chatter", "counsellor", "timeout")))
    def end(self, i: int, by: str) -> None:
        chat = self.chat_by(i, ChatState.WAITING, ChatState.HELD, ChatState.ASSIGNED)
        if chat is None:
            return
        if by == "counsellor" and chat.state is ChatState.ASSIGNED:
            self.end_chat(chat, by, self.console(chat.counsellor or ""))
        elif by == "chatter" and chat.conn is not None:
            was, effects = self.sb.leave(chat, chat.conn, None, self.now)
            self.db[chat.id].state = "ended"
            self.finish(chat, was, by, effects, None)
        else:
            self.end_chat(chat, "timeout")

    def end_chat(self, chat: LiveChat, by: str, conn: Console | None = None) -> None:
        was, effects = self.sb.end(chat, by, self.now)
        assert was is not ChatState.ENDED and chat.state is ChatState.ENDED
        self.db[chat.id].state = "ended"
        self.finish(chat, was, by, effects, conn)

    def finish(
        self, chat: LiveChat, was: ChatState, by: str, effects: list[Effect], conn: Any
    ) -> None:
        """As the server: the end's effects, its messages in flight stored (acknowledged and
        delivered), then the frames that say it ended."""
        self.carry_out(effects)
        for p in [p for p in self.pending if p.chat is chat and p.kind == "message"]:
            self.complete_store(self.pending.index(p), True)
        self.carry_out(self.sb.ended(chat, was, by, conn))

    @precondition(lambda self: self.has(ChatState.ASSIGNED))
    @rule(i=st.integers(0, 20), hours=st.integers(1, 3))
    def block(self, i: int, hours: int) -> None:
        chat = self.chat_by(i, ChatState.ASSIGNED)
        if chat is None:
            return
        until = self.now + timedelta(hours=hours)
        name = chat.counsellor or ""
        was, effects = self.sb.block(chat, self.now, until, f"b{i}", name, hours, None)
        self.db[chat.id].state = "ended"
        self.blocks[chat.address_hash] = max(until, self.blocks.get(chat.address_hash, until))
        self.blocked_at[chat.address_hash] = self.now
        self.finish(chat, was, "counsellor", effects, self.console(name))

    @precondition(lambda self: bool(self.sb.chats))
    @rule(i=st.integers(0, 20), chatter=st.booleans())
    def typing(self, i: int, chatter: bool) -> None:
        chat = self.chat_by(i, ChatState.WAITING, ChatState.HELD, ChatState.ASSIGNED)
        if chat is None:
            return
        mono = (self.now - T0).total_seconds()
        sender = CHATTER if chatter or chat.counsellor is None else chat.counsellor
        self.carry_out(self.sb.typing(chat, sender, mono))

    @precondition(lambda self: self.has(ChatState.ASSIGNED))
    @rule(i=st.integers(0, 20), stop=st.booleans())
    def read_along(self, i: int, stop: bool) -> None:
        chat = self.chat_by(i, ChatState.ASSIGNED)
        if chat is None:
            return
        self.logged_in(SUPERVISOR)
        if stop:
            self.carry_out(self.sb.read_along_stop(chat, SUPERVISOR))
        else:
            self.carry_out(self.sb.read_along(chat, SUPERVISOR))

    @rule(name=st.sampled_from((*COUNSELLORS, SUPERVISOR)))
    def login(self, name: str) -> None:
        conn = Console(name)
        self.consoles.setdefault(name, []).append(conn)
        self.sb.staff_in(name, name.title(), conn)
        self.carry_out(self.sb.catch_up(name, conn))

    @rule(name=st.sampled_from((*COUNSELLORS, SUPERVISOR)))
    def logout(self, name: str) -> None:
        if self.consoles.get(name):
            conn = self.consoles[name].pop()
            last, effects = self.sb.staff_out(name, conn, self.now)
            assert last == (not self.consoles[name])
            assert last or effects == []
            self.carry_out(effects)
            if last:
                assert all(name not in c.readers for c in self.sb.chats.values())

    @rule()
    def queue_push(self) -> None:
        """The position timer: each waiting chatter whose place changed hears it, once."""
        self.carry_out(self.sb.positions())
        assert self.sb.positions() == []

    @rule(seconds=st.sampled_from((1, 30, 61, 299, 301, 3600)))
    def time_passes(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)
        self.sb.expire_blocks(self.now)
        for chat in self.sb.expired_chats(self.now):
            self.end_chat(chat, "timeout")
        for chat in self.sb.orphans_due(self.now):
            self.requeue_chat(chat)

    def requeue_chat(self, chat: LiveChat) -> None:
        former, effects = self.sb.requeue(chat, "orphaned", "relay", self.now)
        assert former is not None
        row = self.db[chat.id]
        row.state, row.counsellor, row.returned = "waiting", None, True
        self.carry_out(effects)
        self.carry_out(self.sb.requeue_stored(chat, former, "", released=False))

    @rule()
    def restart(self) -> None:
        """The relay stops (its writes finish) and starts again from the database."""
        while self.pending:
            self.complete_store(0, True)
        self.sb = Switchboard(LIMITS)
        self.consoles = {}
        self.seen = {}
        for h, until in self.blocks.items():
            if until > self.now:
                self.sb.blocks[h] = until
        # as chats.load_open_chats orders them: returned first, then by since
        order = sorted(self.db.items(), key=lambda item: (not item[1].returned, item[1].since))
        for cid, row in order:
            if row.state == "ended":
                continue
            chat = LiveChat(
                cid,
                ChatState(row.state),
                row.since,
                Intake("x"),
                row.address,
                row.resume,
                counsellor=row.counsellor,
                dropped_at=self.now,
                messages=[row.messages[s] for s in sorted(row.messages)],
                returned=row.returned,
            )
            self.live[cid] = chat
            self.sb.restore(chat, self.now)

    # -- invariants --------------------------------------------------------------------------

    @invariant()
    def nothing_went_wrong(self) -> None:
        assert self.violations == []

    @invariant()
    def one_counsellor_per_chat_and_the_queue_matches_the_states(self) -> None:
        for chat in self.sb.chats.values():
            assert chat.state is not ChatState.ENDED
            assigned = chat.state in (ChatState.HELD, ChatState.ASSIGNED)
            assert (chat.counsellor is not None) == assigned
            assert (chat.id in self.sb.waiting) == (chat.state is ChatState.WAITING)
            if chat.state is ChatState.ASSIGNED:
                assert self.db[chat.id].counsellor == chat.counsellor  # stored before

    @invariant()
    def positions_run_from_one_without_holes(self) -> None:
        positions = [self.sb.position(c) for c in self.sb.waiting.values()]
        assert positions == list(range(1, len(positions) + 1))
        returned = [c.returned for c in self.sb.waiting.values()]
        assert returned == sorted(returned, reverse=True)  # returned chats at the front

    @invariant()
    def caps_hold(self) -> None:
        for name in COUNSELLORS:
            cap = LIMITS.max_chats_per_counsellor + self.given.get(name, 0)
            assert self.open_chats(name) <= cap

    @invariant()
    def blocked_addresses_have_no_newer_waiting_chat(self) -> None:
        for chat in self.sb.waiting.values():
            until = self.blocks.get(chat.address_hash)
            if until is not None and until > self.now:
                assert chat.since <= self.blocked_at[chat.address_hash]  # queued before it

    @invariant()
    def seq_increases_without_gaps(self) -> None:
        for chat in self.sb.chats.values():
            seqs = [m.seq for m in chat.messages]
            assert seqs == sorted(set(seqs))
            failed = self.failed.get(chat.id, set())
            assert set(range(1, chat.delivered + 1)) <= set(seqs) | failed
            assert chat.next_seq > chat.delivered
            assert all(s < chat.next_seq for s in chat.waiters)
            if not chat.waiters:  # nothing being stored: every number delivered or skipped
                assert chat.delivered == chat.next_seq - 1 and not chat.committed


SwitchboardMachine.TestCase.settings = settings(
    max_examples=200, stateful_step_count=50, deadline=None, derandomize=True
)
test_switchboard_properties = SwitchboardMachine.TestCase
