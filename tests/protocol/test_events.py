"""Events (relay -> client) as msgspec Structs: every event round-trips through its wire
form, unknown types and fields are tolerated, malformed chat-core frames are refused."""

from __future__ import annotations

import json

import msgspec
import pytest

from console1712.protocol import events as ev

AT = "2026-11-28T14:03:07Z"
HISTORY = [ev.HistoryEntry(seq=1, sender="chatter", text="hoi", at=AT)]
ALTERNATIVES = [ev.Alternative(label="Bel 1712", contact="tel:1712", kind="phone")]

CHATTER_EVENTS: list[ev.Event] = [
    ev.Welcome(protocol=1, open=True),
    ev.Welcome(protocol=1, open=False, next_open=AT, alternatives=ALTERNATIVES),
    ev.Queued(chat="c1", resume="tok", position=3, ref="r1"),
    ev.Position(position=2),
    ev.Joined(counsellor="Sofie"),
    ev.Ack(id="m1", seq=4),
    ev.Message(seq=5, sender="counsellor", text="dag\nSam", at=AT),
    ev.Typing(),
    ev.Ended(by="counsellor"),
    ev.Resumed(chat="c1", resume="tok2", counsellor="Sofie", position=None),
    ev.Requeued(position=1, detail="een andere hulpverlener"),
    ev.Error(code="rate_limited", detail="te snel", id="m2", retry_after=2),
    ev.Error(code="closed", detail="dicht", next_open=AT, alternatives=ALTERNATIVES),
    ev.Error(code="blocked", detail="geblokkeerd", until=AT, alternatives=ALTERNATIVES),
]
STAFF_EVENTS: list[ev.Event] = [
    ev.Session(user="anna", name="Sofie", role="counsellor", token="t", team="antwerpen"),
    ev.Queue(
        waiting=[
            ev.QueueEntry(chat="c1", since=AT, nickname="Sam", age=15, region="limburg"),
            ev.QueueEntry(chat="c2", since=AT, returned=True, first="hallo?"),
        ],
        total=2,
    ),
    ev.Assigned(chat="c1", intake=ev.Intake(nickname="Sam", age=15), history=HISTORY),
    ev.Assigned(chat="c2", transferred_by="Bert", note="let op"),
    ev.Message(seq=2, sender="chatter", text="hallo", at=AT, chat="c1"),
    ev.Ack(id="s1", seq=3, chat="c1", ref="r2"),
    ev.Typing(chat="c1"),
    ev.Presence(chat="c1", state="away"),
    ev.Ended(by="chatter", chat="c1"),
    ev.Released(chat="c1"),
    ev.Released(chat="c1", by="Sofie"),
    ev.Status(state="away"),
    ev.LoggedOut(ref="r3"),
    ev.History(chat="c1", history=HISTORY),
    ev.Error(code="too_many_chats", detail="max", chat="c1", max=4),
]


@pytest.mark.parametrize("event", CHATTER_EVENTS, ids=lambda e: e.type)
def test_every_chatter_event_round_trips(event: ev.Event) -> None:
    raw = ev.encode(event)
    assert json.loads(raw)["type"] == event.type
    assert ev.decode_chatter(raw) == event
    assert ev.decode_chatter(raw.decode()) == event


@pytest.mark.parametrize("event", STAFF_EVENTS, ids=lambda e: e.type)
def test_every_staff_event_round_trips(event: ev.Event) -> None:
    raw = ev.encode(event)
    assert ev.decode_staff(raw) == event
    assert ev.staff_event(ev.decode_object(raw)) == event


def test_the_wire_names_are_the_protocols() -> None:
    wire = json.loads(ev.encode(ev.Message(seq=1, sender="chatter", text="x", at=AT, chat="c")))
    assert wire == {
        "type": "message",
        "seq": 1,
        "from": "chatter",
        "text": "x",
        "at": AT,
        "chat": "c",
    }
    entry = ev.to_dict(ev.HistoryEntry(seq=1, sender="counsellor", text="x", at=AT, name="Sofie"))
    assert entry == {"seq": 1, "from": "counsellor", "text": "x", "at": AT, "name": "Sofie"}


def test_the_two_queue_frames_are_told_apart_by_path() -> None:
    assert ev.decode_chatter('{"type":"queue","position":4}') == ev.Position(position=4)
    staff = ev.decode_staff('{"type":"queue","waiting":[],"total":0}')
    assert staff == ev.Queue(waiting=[], total=0)


def test_unknown_fields_are_ignored_and_unknown_types_are_no_event() -> None:
    raw = '{"type":"joined","counsellor":"Sofie","mood":"blij","ref":"r"}'
    assert ev.decode_chatter(raw) == ev.Joined(counsellor="Sofie", ref="r")
    assert ev.decode_chatter('{"type":"later_addition","x":1}') is None
    assert ev.decode_staff('{"type":"mail_new","thread":"t1"}') is None
    assert ev.staff_event({"type": "mail_new", "thread": "t1"}) is None
    assert ev.staff_event({"type": "alerts", "items": []}) is None


@pytest.mark.parametrize(
    "raw",
    [
        '{"type":"message","seq":"x","from":"counsellor","text":"a","at":"t"}',
        '{"type":"ack","id":"m1"}',
        '{"type":"welcome","protocol":1,"open":"ja"}',
        '{"type":"error"}',
        '{"type":"queued","chat":"c","resume":"r","position":null}',
    ],
)
def test_a_malformed_chat_frame_is_refused(raw: str) -> None:
    with pytest.raises(ev.BadEvent):
        ev.decode_chatter(raw)


@pytest.mark.parametrize("raw", ["", "{", "[1]", "null", '"x"', b"\xff\xfe", "[" * 5000])
def test_what_is_not_a_json_object_is_refused(raw: str | bytes) -> None:
    with pytest.raises(ev.BadEvent):
        ev.decode_chatter(raw)
    with pytest.raises(ev.BadEvent):
        ev.decode_staff(raw)


def test_a_malformed_staff_frame_is_refused_from_a_dict_too() -> None:
    with pytest.raises(ev.BadEvent):
        ev.staff_event({"type": "assigned", "chat": 5})
    with pytest.raises(ev.BadEvent):
        ev.staff_event({"type": "queue", "waiting": [{"chat": "c"}]})  # no `since`


def test_what_the_relay_builds_decodes() -> None:
    """The relay's own encoder (protocol/frames.py) and these Structs agree."""
    from console1712.i18n.common import alternatives
    from console1712.protocol.frames import encode

    welcome = encode(
        {"type": "welcome", "protocol": 1, "open": False, "next_open": AT,
         "alternatives": alternatives("nl")}
    )  # fmt: skip
    decoded = ev.decode_chatter(welcome)
    assert isinstance(decoded, ev.Welcome) and decoded.alternatives
    assert all(a.label and a.contact for a in decoded.alternatives)
    assert msgspec.json.decode(ev.encode(decoded)) == json.loads(welcome)


def test_outgoing_frames_are_compact_json_with_text_kept_as_is() -> None:
    """What the relay sends: compact JSON, non-ASCII as UTF-8, control characters escaped,
    the same text as `json.dumps(ensure_ascii=False, separators=(",", ":"))` wrote before."""
    from console1712.protocol.frames import encode, encode_utf8

    frame = {"type": "message", "chat": "c1", "seq": 3, "text": 'é "x"\n\t\x1b[2J\u2028😀',
             "at": AT, "ref": None, "ok": True}  # fmt: skip
    before = json.dumps(frame, ensure_ascii=False, separators=(",", ":"))
    assert encode(frame) == before
    assert encode_utf8(frame) == before.encode()
