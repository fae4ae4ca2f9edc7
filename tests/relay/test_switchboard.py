"""The switchboard alone: state transitions, the queue, acceptance, seq and acks (no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from console1712.relay.switchboard import (
    ACCEPT,
    TAKE_OVER,
    TRANSFER,
    Ack,
    ChatState,
    Effect,
    Fault,
    Handover,
    Hangup,
    IllegalTransition,
    Limits,
    LiveChat,
    QueueChanged,
    Refusal,
    Schedule,
    Send,
    Store,
    Switchboard,
)
from console1712.store.chats import CHATTER, Intake, Message

T0 = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)


def new_chat(sb: Switchboard, n: int, address: str = "a1", region: str | None = None) -> LiveChat:
    assert sb.admit(address, T0) is None
    chat = LiveChat(
        f"c{n}", ChatState.WAITING, T0, Intake("x", region=region), address, f"r{n}", conn=f"w{n}"
    )
    pos = len(sb.waiting) + 1
    queued = {"type": "queued", "chat": f"c{n}", "resume": f"t{n}", "position": pos}
    assert sb.start(chat, f"t{n}", None) == [QueueChanged(), Send(chat.conn, queued)]
    return chat


def accept(
    sb: Switchboard, name: str, team: str | None, chat_id: str | None
) -> tuple[LiveChat | None, Refusal | None, list[Effect]]:
    """An accept from `name`'s console "k-name" (no ref)."""
    handover = Handover(ACCEPT, name, name.title(), k(name))
    chat, refusal, effects = sb.accept(name, team, chat_id, T0, handover)
    return chat, refusal, effects


def stored(sb: Switchboard, chat: LiveChat, effect: Store) -> list[object]:
    d = effect.data
    message = Message(d["seq"], d["sender"], d["client_id"], d["text"], d["at"])
    return list(sb.message_stored(chat, message))


def test_transition_table_rejects_what_it_does_not_list() -> None:
    chat = LiveChat("c", ChatState.WAITING, T0, Intake(), "a", "r")
    with pytest.raises(IllegalTransition):
        Switchboard.move(chat, ChatState.ASSIGNED)  # waiting -> assigned only through HELD
    Switchboard.move(chat, ChatState.HELD)
    Switchboard.move(chat, ChatState.ENDED)
    for state in ChatState:
        with pytest.raises(IllegalTransition):
            Switchboard.move(chat, state)


def test_queue_positions_and_the_cap_per_address() -> None:
    sb = Switchboard(Limits(max_waiting_per_address=2))
    a, b = new_chat(sb, 1), new_chat(sb, 2)
    assert (sb.position(a), sb.position(b)) == (1, 2)
    refusal = sb.admit("a1", T0)
    assert refusal is not None and refusal.code == "rate_limited"
    assert sb.admit("other", T0) is None  # reserved: counts as waiting until it starts
    assert sb.starting == {"other": 1}
    sb.unreserve("other")
    assert sb.starting == {}


def test_exactly_one_accept_wins_and_the_chat_is_held_until_stored() -> None:
    sb = Switchboard(Limits())
    chat = new_chat(sb, 1)
    won, refusal, effects = accept(sb, "anna", "north", "c1")
    assert won is chat and refusal is None and chat.state is ChatState.HELD
    data = {"counsellor": "anna", "team": "north", "at": T0, "audit": None}
    assert effects == [QueueChanged(), Store("assign", "c1", data)]
    assert sb.position(chat) is None and not sb.waiting
    lost, refusal, effects = accept(sb, "bert", None, "c1")
    assert lost is None and refusal is not None and refusal.code == "taken" and effects == []
    assert sb.open_chats("anna") == 1  # held counts for the cap
    ok, _ = sb.assign_stored(chat, T0)
    assert ok and chat.state is ChatState.ASSIGNED and chat.counsellor == "anna"


def test_the_cap_counts_chats_being_stored() -> None:
    sb = Switchboard(Limits(max_chats_per_counsellor=1))
    new_chat(sb, 1)
    new_chat(sb, 2, address="a2")
    accept(sb, "anna", None, None)
    _, refusal, _ = accept(sb, "anna", None, None)
    assert refusal is not None and refusal.code == "too_many_chats"
    assert refusal.extra == {"max": 1}


def test_accept_without_id_takes_returned_then_own_region_then_longest_waiting() -> None:
    sb = Switchboard(Limits())
    first = new_chat(sb, 1, region="south")
    mine = new_chat(sb, 2, address="a2", region="north")
    assert sb.next_waiting("north") is mine
    assert sb.next_waiting(None) is first
    chat = new_chat(sb, 3, address="a3")
    accept(sb, "anna", None, chat.id)
    sb.assign_stored(chat, T0)
    former, effects = sb.requeue(chat, "returned", "anna", T0)
    assert former == "anna" and effects[0] == QueueChanged()
    assert chat.returned and sb.position(chat) == 1
    assert sb.next_waiting("north") is chat


def test_a_failed_assignment_puts_the_chat_back_at_the_front() -> None:
    sb = Switchboard(Limits())
    chat = new_chat(sb, 1)
    new_chat(sb, 2)
    accept(sb, "anna", None, "c1")
    assert sb.assign_failed(chat) == [QueueChanged()]
    assert chat.state is ChatState.WAITING and chat.counsellor is None
    assert sb.position(chat) == 1 and chat.returned


def test_a_chat_that_ends_while_held_is_not_assigned() -> None:
    sb = Switchboard(Limits())
    chat = new_chat(sb, 1)
    accept(sb, "anna", None, "c1")
    was, _ = sb.end(chat, "chatter", T0)
    assert was is ChatState.HELD and "c1" not in sb.chats
    assert sb.assign_stored(chat, T0) == (False, [])


def test_seq_acks_after_store_and_in_order_delivery() -> None:
    sb = Switchboard(Limits())
    chat = new_chat(sb, 1)
    sb.staff_in("anna", "Anna", "console")
    accept(sb, "anna", None, "c1")
    sb.assign_stored(chat, T0)
    (s1,) = sb.say(chat, CHATTER, "h1", "m1", "hallo", T0, "w1", "r1")
    (s2,) = sb.say(chat, CHATTER, "h2", "m2", "daar", T0, "w1", None)
    assert isinstance(s1, Store) and isinstance(s2, Store)
    assert (s1.data["seq"], s2.data["seq"]) == (1, 2)
    assert sb.say(chat, CHATTER, "h1", "m1", "hallo", T0, "w1", "r9") == []  # repeat: waits
    out = stored(sb, chat, s2)  # committed out of order: acked, not delivered yet
    assert out == [Ack("w1", {"type": "ack", "id": "m2", "seq": 2})]
    out = stored(sb, chat, s1)
    assert out[:2] == [
        Ack("w1", {"type": "ack", "id": "m1", "seq": 1, "ref": "r1"}),
        Ack("w1", {"type": "ack", "id": "m1", "seq": 1, "ref": "r9"}),
    ]
    delivered = [e.frame["seq"] for e in out[2:] if isinstance(e, Send)]
    assert delivered == [1, 2] and all(isinstance(e, Send) for e in out[2:])
    assert all(e.conn == "console" for e in out[2:] if isinstance(e, Send))
    # a repeat after it was stored is acknowledged at once with the same seq
    (again,) = sb.say(chat, CHATTER, "h2", "m2", "daar", T0, "w1", None)
    assert again == Ack("w1", {"type": "ack", "id": "m2", "seq": 2})


def test_a_held_chat_delivers_nothing_to_its_new_counsellor() -> None:
    sb = Switchboard(Limits())
    chat = new_chat(sb, 1)
    sb.staff_in("anna", "Anna", "console")
    accept(sb, "anna", None, "c1")
    (s1,) = sb.say(chat, CHATTER, "h1", "m1", "hallo", T0, "w1", None)
    assert isinstance(s1, Store)
    out = stored(sb, chat, s1)
    assert out == [Ack("w1", {"type": "ack", "id": "m1", "seq": 1})]
    assert [m.seq for m in chat.messages] == [1]  # in the history the assignment sends


def test_a_failed_write_leaves_no_gap() -> None:
    sb = Switchboard(Limits())
    chat = new_chat(sb, 1)
    sb.say(chat, CHATTER, "h1", "m1", "a", T0, "w1", None)
    out = sb.message_failed(chat, 1, (CHATTER, "h1"))
    assert out == [Fault("w1", None, "m1", None)]
    (s1b,) = sb.say(chat, CHATTER, "h1", "m1", "a", T0, "w2", None)
    assert isinstance(s1b, Store) and s1b.data["seq"] == 1  # reused: nothing came after
    (s2,) = sb.say(chat, CHATTER, "h2", "m2", "b", T0, "w2", None)
    assert isinstance(s2, Store)
    sb.message_failed(chat, 1, (CHATTER, "h1"))  # 2 is out already: 1 is skipped
    stored(sb, chat, s2)
    assert chat.delivered == 2 and [m.seq for m in chat.messages] == [2]


def test_drop_resume_and_the_window() -> None:
    sb = Switchboard(Limits(resume_window=300))
    chat = new_chat(sb, 1)
    effects = sb.drop(chat, chat.conn, T0)
    assert Schedule("timeout", "c1", T0 + timedelta(seconds=300)) in effects
    assert not sb.expired(chat, T0 + timedelta(seconds=299))
    assert sb.expired(chat, T0 + timedelta(seconds=300))
    assert sb.claim("r1") is chat and sb.claim("r1") is None  # a token works once
    assert sb.rekey(chat, "r1b") == [Store("resumed", "c1", {"resume_hash": "r1b"})]
    assert sb.attach(chat, "w2", "t2", 0, None)[0] is None and chat.dropped_at is None
    assert sb.attach(chat, "w3", "t3", 0, None)[0] == "w2"  # a takeover
    assert sb.drop(chat, "w2", T0) == []  # the replaced connection is no drop


def test_orphans_and_staff_presence() -> None:
    sb = Switchboard(Limits(orphan_after=60))
    chat = new_chat(sb, 1)
    sb.staff_in("anna", "Anna", "k1")
    sb.staff_in("anna", "Anna", "k2")
    accept(sb, "anna", None, "c1")
    sb.assign_stored(chat, T0)
    assert sb.staff_out("anna", "k1", T0) == (False, [])
    assert sb.staff_out("anna", "k2", T0) == (True, []) and chat.orphaned_at == T0
    assert sb.orphans_due(T0 + timedelta(seconds=59)) == []
    assert sb.orphans_due(T0 + timedelta(seconds=60)) == [chat]
    sb.staff_in("anna", "Anna", "k3")
    assert chat.orphaned_at is None and sb.orphans_due(T0 + timedelta(seconds=600)) == []


def test_block_ends_the_chat_and_refuses_the_address() -> None:
    sb = Switchboard(Limits())
    chat = new_chat(sb, 1)
    until = T0 + timedelta(hours=1)
    was, effects = sb.block(chat, T0, until, "b1", "anna", 1, None)
    assert was is ChatState.WAITING and effects[0] == QueueChanged()
    assert isinstance(effects[1], Store) and effects[1].kind == "block"
    refusal = sb.admit("a1", T0)
    assert refusal is not None and refusal.code == "blocked" and refusal.extra == {"until": until}
    sb.expire_blocks(until)
    assert sb.admit("a1", until) is None


# -- the frames each transition sends ----------------------------------------------------------


class Conn:
    """A connection handle: the switchboard tells connections apart by identity."""

    def __init__(self, label: str) -> None:
        self.label = label

    def __repr__(self) -> str:
        return self.label


_CONNS: dict[str, Conn] = {}


def k(name: str) -> Conn:
    """The console of `name` (one object per name)."""
    return _CONNS.setdefault(name, Conn(f"k-{name}"))


def assigned_chat(sb: Switchboard, n: int = 1, name: str = "anna") -> LiveChat:
    """A chat accepted by `name` (console "k-name", logged in) and stored."""
    chat = new_chat(sb, n, address=f"a{n}")
    sb.staff_in(name, name.title(), k(name))
    accept(sb, name, None, chat.id)
    sb.assign_stored(chat, T0)
    return chat


def test_an_accept_answers_assigned_and_tells_the_chatter_who_joined() -> None:
    sb = Switchboard(Limits())
    chat = new_chat(sb, 1)
    sb.staff_in("anna", "Anna", k("anna"))
    sb.staff_in("anna", "Anna", k("anna2"))  # another console of hers gets nothing
    handover = Handover(ACCEPT, "anna", "Anna", k("anna"), "q1")
    sb.accept("anna", None, "c1", T0, handover)
    ok, effects = sb.assign_stored(chat, T0)
    assigned = {"type": "assigned", "chat": "c1", "intake": chat.intake.as_dict(), "history": []}
    assert ok and effects == [
        Send(k("anna"), {**assigned, "ref": "q1"}),
        Send("w1", {"type": "joined", "counsellor": "Anna"}),
    ]


def test_an_accept_of_a_chat_whose_chatter_is_away_says_so_to_that_console() -> None:
    sb = Switchboard(Limits())
    chat = new_chat(sb, 1)
    sb.staff_in("anna", "Anna", k("anna"))
    sb.drop(chat, chat.conn, T0)
    accept(sb, "anna", None, "c1")
    _, effects = sb.assign_stored(chat, T0)
    assert effects[1:] == [Send(k("anna"), {"type": "presence", "chat": "c1", "state": "away"})]


def test_a_transfer_releases_audits_and_hands_the_named_history_over() -> None:
    sb = Switchboard(Limits())
    chat = assigned_chat(sb)
    (s1,) = sb.say(chat, "anna", "h1", "m1", "dag", T0, k("anna"), None)
    assert isinstance(s1, Store)
    stored(sb, chat, s1)
    sb.staff_in("anna", "Anna", k("anna2"))
    sb.staff_in("bert", "Bert", k("bert"))
    chat.readers.add("sue")
    handover = Handover(TRANSFER, "anna", "Bert", k("anna"), "q7", "Anna", "let op")
    effects = sb.hold(chat, "bert", "north", T0, handover)
    record = {"actor": "anna", "action": TRANSFER, "detail": "bert"}
    data = {"counsellor": "bert", "team": "north", "at": T0, "audit": record}
    assert effects == [Store("assign", "c1", data)]
    ok, effects = sb.assign_stored(chat, T0)
    line = {"seq": 1, "from": "counsellor", "text": "dag", "at": "2026-11-26T14:00:00Z"}
    assigned = {
        "type": "assigned",
        "chat": "c1",
        "intake": chat.intake.as_dict(),
        "history": [{**line, "name": "Anna"}],
        "transferred_by": "Anna",
        "note": "let op",
    }
    assert ok and effects == [
        Send(k("anna"), {"type": "released", "chat": "c1", "ref": "q7"}),
        Send(k("anna2"), {"type": "released", "chat": "c1"}),
        Send(k("bert"), assigned),
        Send(k("bert"), {"type": "watched", "chat": "c1", "by": ["sue"]}),
        Send("w1", {"type": "joined", "counsellor": "Bert"}),
    ]


def test_a_take_over_of_a_chat_that_ended_meanwhile_only_releases_it() -> None:
    sb = Switchboard(Limits())
    chat = assigned_chat(sb)
    sb.staff_in("sue", "Sue", k("sue"))
    handover = Handover(TAKE_OVER, "sue", "Sue", by="Sue")
    (store,) = sb.hold(chat, "sue", None, T0, handover)
    assert isinstance(store, Store) and store.data["audit"] == {
        "actor": "sue",
        "action": TAKE_OVER,
        "detail": '{"from": "anna", "to": "sue"}',
    }
    sb.end(chat, "chatter", T0)
    ok, effects = sb.assign_stored(chat, T0)
    assert not ok and effects == [Send(k("anna"), {"type": "released", "chat": "c1", "by": "Sue"})]


def test_a_take_over_gives_the_named_history_and_the_chatter_hears_who_joined() -> None:
    sb = Switchboard(Limits())
    chat = assigned_chat(sb)
    (s1,) = sb.say(chat, "anna", "h1", "m1", "dag", T0, k("anna"), None)
    assert isinstance(s1, Store)
    stored(sb, chat, s1)
    sb.staff_in("sue", "Sue", k("sue"))
    sb.hold(chat, "sue", None, T0, Handover(TAKE_OVER, "sue", "Sue", by="Sue"))
    _, effects = sb.assign_stored(chat, T0)
    assert [(e.conn, e.frame["type"]) for e in effects if isinstance(e, Send)] == [
        (k("anna"), "released"),
        (k("sue"), "assigned"),
        ("w1", "joined"),
    ]
    (assigned,) = [e.frame for e in effects if isinstance(e, Send) and e.conn == k("sue")]
    line = {"seq": 1, "from": "counsellor", "text": "dag", "at": "2026-11-26T14:00:00Z"}
    assert assigned["history"] == [{**line, "name": "Anna"}]  # Sue sees who wrote it


def test_a_requeue_ends_the_reading_along_and_tells_the_chatter_its_place() -> None:
    sb = Switchboard(Limits())
    chat = assigned_chat(sb)
    sb.staff_in("sue", "Sue", k("sue"))
    assert sb.read_along(chat, "sue") == [
        Send(k("anna"), {"type": "watched", "chat": "c1", "by": ["Sue"]})
    ]
    former, effects = sb.requeue(chat, "orphaned", "relay", T0)
    record = {"actor": "relay", "action": "chat.requeue"}
    record["detail"] = '{"from": "anna", "why": "orphaned"}'
    assert former == "anna" and effects == [
        Send(k("sue"), {"type": "read_along_ended", "chat": "c1"}),
        QueueChanged(),
        Store("requeue", "c1", {"at": T0, "audit": record}),
    ]
    assert not chat.readers
    assert sb.requeue_stored(chat, "anna", "Even geduld", released=False) == [
        Send("w1", {"type": "requeued", "position": 1, "detail": "Even geduld"})
    ]
    assert chat.told_position == 1  # no `queue` push repeats it


def test_a_chat_given_back_is_released_to_the_counsellors_consoles() -> None:
    sb = Switchboard(Limits())
    chat = assigned_chat(sb)
    sb.requeue(chat, "returned", "anna", T0)
    effects = sb.requeue_stored(chat, "anna", "x", released=True)
    assert effects[-1] == Send(k("anna"), {"type": "released", "chat": "c1"})


def test_an_end_by_the_relay_tells_the_counsellor_and_closes_the_chatter() -> None:
    sb = Switchboard(Limits())
    chat = assigned_chat(sb)
    was, effects = sb.end(chat, "timeout", T0)
    assert was is ChatState.ASSIGNED
    assert effects == [Store("end", "c1", {"by": "timeout", "at": T0})]
    assert sb.ended(chat, was, "timeout") == [
        Send(k("anna"), {"type": "ended", "chat": "c1", "by": "timeout"}),
        Send("w1", {"type": "ended", "by": "timeout"}),
        Hangup("w1", 1000),
    ]


def test_an_end_by_the_counsellor_answers_them_once_per_console() -> None:
    sb = Switchboard(Limits())
    chat = assigned_chat(sb)
    sb.staff_in("anna", "Anna", k("anna2"))
    was, _ = sb.end(chat, "counsellor", T0)
    frame = {"type": "ended", "chat": "c1", "by": "counsellor"}
    assert sb.ended(chat, was, "counsellor", k("anna"), "q3") == [
        Send("w1", {"type": "ended", "by": "counsellor"}),
        Hangup("w1", 1000),
        Send(k("anna"), {**frame, "ref": "q3"}),
        Send(k("anna2"), frame),
    ]


def test_a_chatter_who_leaves_gets_no_second_ended() -> None:
    sb = Switchboard(Limits())
    chat = assigned_chat(sb)
    was, _ = sb.end(chat, "chatter", T0)
    assert sb.ended(chat, was, "chatter") == [
        Send(k("anna"), {"type": "ended", "chat": "c1", "by": "chatter"})
    ]


def test_a_block_is_one_row_with_its_audit() -> None:
    sb = Switchboard(Limits())
    chat = assigned_chat(sb)
    until = T0 + timedelta(hours=2)
    was, effects = sb.block(chat, T0, until, "b1", "anna", 2, "scheldt")
    assert was is ChatState.ASSIGNED and len(effects) == 1
    (store,) = effects
    assert isinstance(store, Store) and store.kind == "block"
    assert store.data == {
        "by": "counsellor",
        "at": T0,
        "until": until,
        "block": "b1",
        "address_hash": "a1",
        "blocked_by": "anna",
        "reason": "scheldt",
        "audit": {
            "actor": "anna",
            "action": "chat.block",
            "detail": '{"block": "b1", "hours": 2, "reason": "scheldt"}',
        },
    }


def test_drop_and_resume_tell_the_counsellor_and_replay_what_was_missed() -> None:
    sb = Switchboard(Limits(resume_window=300))
    chat = assigned_chat(sb)
    (s1,) = sb.say(chat, "anna", "h1", "m1", "ben je er?", T0, k("anna"), None)
    assert isinstance(s1, Store)
    effects = sb.drop(chat, chat.conn, T0)
    assert effects == [
        Send(k("anna"), {"type": "presence", "chat": "c1", "state": "away"}),
        Store("dropped", "c1", {"at": T0}),
        Schedule("timeout", "c1", T0 + timedelta(seconds=300)),
    ]
    stored(sb, chat, s1)
    sb.claim("r1")
    sb.rekey(chat, "r1b")
    old, effects = sb.attach(chat, "w2", "t2", 0, "q1")
    line = {"seq": 1, "from": "counsellor", "text": "ben je er?", "at": "2026-11-26T14:00:00Z"}
    resumed = {"type": "resumed", "chat": "c1", "resume": "t2", "counsellor": "Anna"}
    assert old is None and effects == [
        Send("w2", {**resumed, "position": None, "ref": "q1"}),
        Send("w2", {"type": "message", **line}),
        Send(k("anna"), {"type": "presence", "chat": "c1", "state": "back"}),
    ]
    old, effects = sb.attach(chat, "w3", "t3", 1, None)  # a takeover: the old one closes
    assert old == "w2" and effects[0] == Hangup("w2", 1000, "resumed elsewhere")
    assert [e.frame["type"] for e in effects[1:] if isinstance(e, Send)] == ["resumed"]


def test_a_waiting_chatter_who_drops_tells_no_counsellor() -> None:
    sb = Switchboard(Limits())
    chat = new_chat(sb, 1)
    sb.staff_in("anna", "Anna", k("anna"))
    assert [type(e) for e in sb.drop(chat, chat.conn, T0)] == [Store, Schedule]


def test_a_console_that_logs_in_catches_up_on_its_chats() -> None:
    sb = Switchboard(Limits())
    chat = assigned_chat(sb)
    new_chat(sb, 2, address="a2")  # waiting: not hers
    chat.readers.add("sue")
    sb.drop(chat, chat.conn, T0)
    effects = sb.catch_up("anna", k("9"))
    assert [(e.conn, e.frame["type"]) for e in effects if isinstance(e, Send)] == [
        (k("9"), "assigned"),
        (k("9"), "watched"),
        (k("9"), "presence"),
    ]
    assert sb.catch_up("bert", k("8")) == []


def test_a_reader_whose_last_console_closes_stops_reading_along() -> None:
    sb = Switchboard(Limits())
    chat = assigned_chat(sb)
    sb.staff_in("sue", "Sue", k("sue"))
    sb.staff_in("sue", "Sue", k("sue2"))
    sb.read_along(chat, "sue")
    assert sb.staff_out("sue", k("sue"), T0) == (False, [])
    assert sb.staff_out("sue", k("sue2"), T0) == (
        True,
        [Send(k("anna"), {"type": "watched", "chat": "c1", "by": []})],
    )
    assert not chat.readers and sb.read_along_stop(chat, "sue") == []


def test_a_requeued_chat_taken_before_its_row_is_stored_tells_the_chatter_nothing() -> None:
    sb = Switchboard(Limits())
    chat = assigned_chat(sb)
    sb.requeue(chat, "orphaned", "relay", T0)
    accept(sb, "bert", None, chat.id)  # while the requeue was being written
    assert sb.requeue_stored(chat, "anna", "x", released=False) == []


def test_a_chatter_who_leaves_is_answered_and_closed_before_the_end_is_stored() -> None:
    sb = Switchboard(Limits())
    chat = assigned_chat(sb)
    w1 = chat.conn
    was, effects = sb.leave(chat, w1, "q2", T0)
    assert was is ChatState.ASSIGNED and effects == [
        Send(w1, {"type": "ended", "by": "chatter", "ref": "q2"}),
        Hangup(w1, 1000),
        Store("end", "c1", {"by": "chatter", "at": T0}),
    ]
    assert chat.conn is None  # nothing more goes to it (messages still in flight included)
    assert sb.ended(chat, was, "chatter") == [
        Send(k("anna"), {"type": "ended", "chat": "c1", "by": "chatter"})
    ]


def test_typing_is_passed_on_at_most_once_a_second_each_way() -> None:
    sb = Switchboard(Limits())
    waiting = new_chat(sb, 2, address="a2")
    assert sb.typing(waiting, CHATTER, 0.0) == []  # no counsellor to tell yet
    chat = assigned_chat(sb)
    to_staff = Send(k("anna"), {"type": "typing", "chat": "c1"})
    assert sb.typing(chat, CHATTER, 10.0) == [to_staff]
    assert sb.typing(chat, CHATTER, 10.5) == []
    assert sb.typing(chat, CHATTER, 11.0) == [to_staff]
    assert sb.typing(chat, "anna", 10.2) == [Send("w1", {"type": "typing"})]
    assert sb.typing(chat, "anna", 11.1) == []


def test_positions_are_pushed_only_when_they_changed() -> None:
    sb = Switchboard(Limits())
    a, b = new_chat(sb, 1), new_chat(sb, 2, address="a2")
    assert sb.positions() == []  # told in `queued` already
    sb.end(a, "chatter", T0)
    assert sb.positions() == [Send(b.conn, {"type": "queue", "position": 1})]
    assert sb.positions() == []


def test_who_takes_a_chat_over_stops_reading_along() -> None:
    sb = Switchboard(Limits())
    chat = assigned_chat(sb)
    sb.staff_in("sue", "Sue", k("sue"))
    sb.read_along(chat, "sue")
    sb.hold(chat, "sue", None, T0, Handover(TAKE_OVER, "sue", "Sue", by="Sue"))
    assert not chat.readers
    _, effects = sb.assign_stored(chat, T0)
    assert "watched" not in [e.frame["type"] for e in effects if isinstance(e, Send)]
