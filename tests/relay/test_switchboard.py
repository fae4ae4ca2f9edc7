"""The switchboard alone: state transitions, the queue, acceptance, seq and acks (no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from console1712.relay.switchboard import (
    Ack,
    ChatState,
    Fault,
    IllegalTransition,
    Limits,
    LiveChat,
    QueueChanged,
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
    assert sb.start(chat) == [QueueChanged()]
    return chat


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
    won, refusal, effects = sb.accept("anna", "north", "c1")
    assert won is chat and refusal is None and chat.state is ChatState.HELD
    assert Store("assign", "c1", {"counsellor": "anna", "team": "north"}) in effects
    assert sb.position(chat) is None and not sb.waiting
    lost, refusal, effects = sb.accept("bert", None, "c1")
    assert lost is None and refusal is not None and refusal.code == "taken" and effects == []
    assert sb.open_chats("anna") == 1  # held counts for the cap
    assert sb.assign_stored(chat, T0) is True
    assert chat.state is ChatState.ASSIGNED and chat.counsellor == "anna"


def test_the_cap_counts_chats_being_stored() -> None:
    sb = Switchboard(Limits(max_chats_per_counsellor=1))
    new_chat(sb, 1)
    new_chat(sb, 2, address="a2")
    sb.accept("anna", None, None)
    _, refusal, _ = sb.accept("anna", None, None)
    assert refusal is not None and refusal.code == "too_many_chats"
    assert refusal.extra == {"max": 1}


def test_accept_without_id_takes_returned_then_own_region_then_longest_waiting() -> None:
    sb = Switchboard(Limits())
    first = new_chat(sb, 1, region="south")
    mine = new_chat(sb, 2, address="a2", region="north")
    assert sb.next_waiting("north") is mine
    assert sb.next_waiting(None) is first
    chat = new_chat(sb, 3, address="a3")
    sb.accept("anna", None, chat.id)
    sb.assign_stored(chat, T0)
    former, effects = sb.requeue(chat)
    assert former == "anna" and effects == [QueueChanged()]
    assert chat.returned and sb.position(chat) == 1
    assert sb.next_waiting("north") is chat


def test_a_failed_assignment_puts_the_chat_back_at_the_front() -> None:
    sb = Switchboard(Limits())
    chat = new_chat(sb, 1)
    new_chat(sb, 2)
    sb.accept("anna", None, "c1")
    assert sb.assign_failed(chat) == [QueueChanged()]
    assert chat.state is ChatState.WAITING and chat.counsellor is None
    assert sb.position(chat) == 1 and chat.returned


def test_a_chat_that_ends_while_held_is_not_assigned() -> None:
    sb = Switchboard(Limits())
    chat = new_chat(sb, 1)
    sb.accept("anna", None, "c1")
    was, _ = sb.end(chat)
    assert was is ChatState.HELD and "c1" not in sb.chats
    assert sb.assign_stored(chat, T0) is False


def test_seq_acks_after_store_and_in_order_delivery() -> None:
    sb = Switchboard(Limits())
    chat = new_chat(sb, 1)
    sb.staff_in("anna", "Anna", "console")
    sb.accept("anna", None, "c1")
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
    sb.accept("anna", None, "c1")
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
    sb.rekey(chat, "r1b")
    assert sb.attach(chat, "w2") is None and chat.dropped_at is None
    assert sb.attach(chat, "w3") == "w2"  # a takeover
    assert sb.drop(chat, "w2", T0) == []  # the replaced connection is no drop


def test_orphans_and_staff_presence() -> None:
    sb = Switchboard(Limits(orphan_after=60))
    chat = new_chat(sb, 1)
    sb.staff_in("anna", "Anna", "k1")
    sb.staff_in("anna", "Anna", "k2")
    sb.accept("anna", None, "c1")
    sb.assign_stored(chat, T0)
    assert sb.staff_out("anna", "k1", T0) is False
    assert sb.staff_out("anna", "k2", T0) is True and chat.orphaned_at == T0
    assert sb.orphans_due(T0 + timedelta(seconds=59)) == []
    assert sb.orphans_due(T0 + timedelta(seconds=60)) == [chat]
    sb.staff_in("anna", "Anna", "k3")
    assert chat.orphaned_at is None and sb.orphans_due(T0 + timedelta(seconds=600)) == []


def test_block_ends_the_chat_and_refuses_the_address() -> None:
    sb = Switchboard(Limits())
    chat = new_chat(sb, 1)
    until = T0 + timedelta(hours=1)
    was, effects = sb.block(chat, until)
    assert was is ChatState.WAITING and effects == [QueueChanged()]
    refusal = sb.admit("a1", T0)
    assert refusal is not None and refusal.code == "blocked" and refusal.extra == {"until": until}
    sb.expire_blocks(until)
    assert sb.admit("a1", until) is None
