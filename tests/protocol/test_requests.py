"""Requests (client -> relay) as msgspec Structs: round trips, every decode error's key and
field, the `ref` and `id` echoed with it, and hostile input."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from console1712.protocol import frames as p

OPS = frozenset({"mail_list"})

CHAT_REQUESTS: list[p.Request] = [
    p.Start(consent=True, nickname="Mira", age=15, gender="meisje", region="antwerpen"),
    p.Start(consent=True),
    p.Resume(token="tok", after=12),
    p.Say(id="m1", text="hallo\nwereld", ref="r1"),
    p.Typing(),
    p.Leave(ref="bye"),
]
STAFF_REQUESTS: list[p.Request] = [
    p.Login(user="anna", password="pw", otp="012345"),
    p.Login(token="session-token"),
    p.Accept(),
    p.Accept(chat="c1", ref="r2"),
    p.StaffSay(id="s1", text="dag", chat="c1"),
    p.StaffTyping(chat="c1"),
    p.End(chat="c1"),
    p.Transfer(chat="c1", to="bert", note="let op"),
    p.BlockChat(chat="c1", hours=24, reason="spam"),
    p.Status(state="away"),
    p.StaffList(),
    p.History(chat="c1"),
    p.Logout(),
]


def encoded(request: p.Request) -> bytes:
    return msgspec.json.encode(request)


@pytest.mark.parametrize("request_", CHAT_REQUESTS, ids=lambda r: r.type)
def test_every_chatter_request_round_trips(request_: p.Request) -> None:
    frame = p.parse(encoded(request_), staff=False)
    assert frame.request == request_ and frame.ref == request_.ref
    assert frame.type == request_.type == json.loads(encoded(request_))["type"]
    assert p.parse(encoded(request_).decode(), staff=False) == frame  # text or bytes


@pytest.mark.parametrize("request_", STAFF_REQUESTS, ids=lambda r: r.type)
def test_every_staff_request_round_trips(request_: p.Request) -> None:
    frame = p.parse(encoded(request_), staff=True, operations=OPS)
    assert frame.request == request_ and frame.ref == request_.ref
    assert type(frame.request) is type(request_)


def test_the_two_paths_have_their_own_say_and_typing() -> None:
    raw = '{"type":"say","id":"a","text":"x","chat":"c"}'
    chatter, staff = p.parse(raw, staff=False).request, p.parse(raw, staff=True).request
    assert type(chatter) is p.Say and type(staff) is p.StaffSay
    assert isinstance(staff, p.Say) and staff.chat == "c"
    assert p.parse('{"type":"typing","chat":5}', staff=False).request == p.Typing()


def test_wire_forms_become_their_checked_types() -> None:
    start = p.parse('{"type":"start","consent":"yes","age":15.0,"nickname":"  "}', staff=False)
    assert start.request == p.Start(consent=False, nickname="Anoniem", age=15)
    assert isinstance(start.request, p.Start) and type(start.request.age) is int
    resume = p.parse('{"type":"resume","token":"t","after":null}', staff=False).request
    assert resume == p.Resume(token="t", after=0)
    login = p.parse('{"type":"login","user":"u","password":"p","otp":1234}', staff=True).request
    assert login == p.Login(user="u", password="p", otp="001234")
    token = p.parse('{"type":"login","token":"t","user":5}', staff=True).request
    assert token == p.Login(token="t")  # with a token the other parts are ignored
    block = p.parse('{"type":"block","chat":"c","hours":2.0,"reason":"\\u0007"}', staff=True)
    assert block.request == p.BlockChat(chat="c", hours=2, reason=None)


def test_an_operation_passes_as_op_with_its_fields() -> None:
    frame = p.parse('{"type":"mail_list","ref":"r9","box":"open"}', staff=True, operations=OPS)
    assert frame.request == p.Op("mail_list", {"type": "mail_list", "ref": "r9", "box": "open"})
    assert frame.ref == "r9" and frame.type == "mail_list"
    with pytest.raises(p.BadRequest) as caught:
        p.parse('{"type":"mail_list"}', staff=False, operations=OPS)  # staff only
    assert caught.value.key == "bad.type"


def fault(raw: str | bytes, staff: bool = False) -> p.BadRequest:
    with pytest.raises(p.BadRequest) as caught:
        p.parse(raw, staff=staff, operations=OPS)
    return caught.value


# (staff, frame, key, field): one rule of protocol v1 each.
RULES: list[tuple[bool, dict[str, Any], str, str]] = [
    (False, {"kind": "say"}, "bad.type", ""),
    (False, {"type": 7}, "bad.type", ""),
    (False, {"type": "nonsense"}, "bad.type", ""),
    (False, {"type": "accept"}, "bad.type", ""),  # a staff frame on /chat
    (True, {"type": "start", "consent": True}, "bad.type", ""),  # and the reverse
    (False, {"type": "leave", "ref": "r" * 65}, "bad.field", "ref"),
    (False, {"type": "leave", "ref": 5}, "bad.field", "ref"),
    (False, {"type": "start", "consent": True, "age": 4}, "bad.field", "age"),
    (False, {"type": "start", "consent": True, "age": 121}, "bad.field", "age"),
    (False, {"type": "start", "consent": True, "age": 15.5}, "bad.field", "age"),
    (False, {"type": "start", "consent": True, "age": True}, "bad.field", "age"),
    (False, {"type": "start", "consent": True, "age": "15"}, "bad.field", "age"),
    (False, {"type": "start", "consent": True, "age": 10**30}, "bad.field", "age"),
    (False, {"type": "start", "consent": True, "region": "gent"}, "bad.field", "region"),
    (False, {"type": "start", "consent": True, "region": 3}, "bad.field", "region"),
    (False, {"type": "start", "consent": True, "nickname": "x" * 41}, "bad.field", "nickname"),
    (False, {"type": "start", "consent": True, "gender": 3}, "bad.field", "gender"),
    (False, {"type": "resume", "token": 5}, "bad.field", "token"),
    (False, {"type": "resume", "token": ""}, "bad.field", "token"),
    (False, {"type": "resume"}, "bad.field", "token"),
    (False, {"type": "resume", "token": "t", "after": -1}, "bad.field", "after"),
    (False, {"type": "say", "id": "", "text": "hi"}, "bad.field", "id"),
    (False, {"type": "say", "id": "x" * 65, "text": "hi"}, "bad.field", "id"),
    (False, {"type": "say", "text": "hi"}, "bad.field", "id"),
    (False, {"type": "say", "id": "a"}, "bad.field", "text"),
    (False, {"type": "say", "id": "a", "text": ["hi"]}, "bad.field", "text"),
    (False, {"type": "say", "id": "a", "text": None}, "bad.field", "text"),
    (False, {"type": "say", "id": "a", "text": "\x00\x01"}, "bad.text", ""),
    (False, {"type": "say", "id": "a", "text": "x" * 4001}, "bad.text", ""),
    (True, {"type": "login", "user": "anna"}, "bad.field", "password"),
    (True, {"type": "login", "password": "p", "otp": "1"}, "bad.field", "user"),
    (True, {"type": "login", "user": "u", "password": "p", "otp": True}, "bad.field", "otp"),
    (True, {"type": "login", "user": "u", "password": "p", "otp": 10**8}, "bad.field", "otp"),
    (True, {"type": "login", "token": ""}, "bad.field", "token"),
    (True, {"type": "accept", "chat": ""}, "bad.field", "chat"),
    (True, {"type": "say", "id": "a", "text": "x"}, "bad.field", "chat"),
    (True, {"type": "say", "chat": 1, "id": "a", "text": "x"}, "bad.field", "chat"),
    (True, {"type": "typing"}, "bad.field", "chat"),
    (True, {"type": "end", "chat": None}, "bad.field", "chat"),
    (True, {"type": "transfer", "chat": "c"}, "bad.field", "to"),
    (True, {"type": "transfer", "chat": "c", "to": "b", "note": "x" * 1001}, "bad.field", "note"),
    (True, {"type": "block", "chat": "c", "hours": 0}, "bad.field", "hours"),
    (True, {"type": "block", "chat": "c", "hours": 721}, "bad.field", "hours"),
    (True, {"type": "block", "chat": "c"}, "bad.field", "hours"),
    (True, {"type": "block", "chat": "c", "hours": 1, "reason": 5}, "bad.field", "reason"),
    (True, {"type": "status", "state": "busy"}, "bad.field", "state"),
    (True, {"type": "status"}, "bad.field", "state"),
    (True, {"type": "history"}, "bad.field", "chat"),
    (True, {"type": "mail_list", "ref": ["r"]}, "bad.field", "ref"),
]


@pytest.mark.parametrize(("staff", "frame", "key", "field"), RULES)
def test_every_rule_names_its_key_and_field(
    staff: bool, frame: dict[str, Any], key: str, field: str
) -> None:
    exc = fault(json.dumps(frame), staff)
    assert (exc.key, exc.field) == (key, field)
    # the dict path (validate) agrees with the fast path (parse)
    with pytest.raises(p.BadRequest) as caught:
        p.validate(frame, staff=staff, operations=OPS)
    assert (caught.value.key, caught.value.field) == (key, field)


def test_the_error_echoes_a_valid_ref_and_a_says_id() -> None:
    exc = fault('{"type":"say","id":"m7","text":"","ref":"r1"}')
    assert (exc.key, exc.ref, exc.say_id) == ("bad.text", "r1", "m7")
    exc = fault('{"type":"say","id":"m7","text":"","ref":"' + "r" * 65 + '"}')
    assert (exc.key, exc.field, exc.ref, exc.say_id) == ("bad.field", "ref", None, "m7")
    exc = fault('{"type":"say","id":"' + "x" * 65 + '","text":"a","ref":"r"}')
    assert (exc.ref, exc.say_id) == ("r", None)  # an invalid id is not echoed
    exc = fault('{"type":"start","age":3,"id":"m1","ref":"r"}')
    assert (exc.ref, exc.say_id) == ("r", None)  # only a say's id
    exc = fault('{"type":"say","id":"a","text":"x","ref":"r"', staff=False)  # cut off
    assert (exc.key, exc.ref, exc.say_id) == ("bad.json", None, None)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("", "bad.json"),
        ("{", "bad.json"),
        ("NaN", "bad.json"),
        ('{"type":"start","age":NaN}', "bad.json"),
        ('{"type":"leave"} x', "bad.json"),
        ("\ufeff{}", "bad.json"),
        ('{"type":"say","id":"a\x00","text":"x"}', "bad.json"),  # raw NUL: not JSON
        (b'{"type":"leave","x":"\xff"}', "bad.json"),  # invalid UTF-8
        ("[1]", "bad.object"),
        ('"x"', "bad.object"),
        ("null", "bad.object"),
        ("[" * 5000, "bad.json"),  # nested past any limit
        ('{"a":' * 5000 + "1" + "}" * 5000, "bad.json"),
        ('{"type":"say","id":"a","text":"\\ud800"}', "bad.unicode"),
        ('{"type":"say","id":"a","text":"x\ud800"}', "bad.unicode"),
        ('{"type":"leave","x":{"\\udc00":1}}', "bad.unicode"),
        ('{"type":"leave","x":["\\ud800"]}', "bad.unicode"),
    ],
)
def test_hostile_text_is_a_bad_request_with_its_key(raw: str | bytes, key: str) -> None:
    assert fault(raw).key == key
    assert fault(raw, staff=True).key == key


def test_hostile_but_valid_frames_pass_with_their_junk_ignored() -> None:
    deep = "[" * 500 + "]" * 500
    frame = p.parse('{"type":"say","id":"a","text":"x","junk":' + deep + "}", staff=False)
    assert frame.request == p.Say(id="a", text="x")
    frame = p.parse('{"type":"leave","big":1e400,"huge":' + "9" * 4000 + "}", staff=False)
    assert frame.request == p.Leave()
    # a NUL escaped in JSON is text: the relay removes it with the other controls
    assert p.parse('{"type":"say","id":"a","text":"a\\u0000b"}', staff=False).request == p.Say(
        id="a", text="ab"
    )
    assert p.parse('{"type":"say","id":"a","text":"\\ud83d\\ude00"}', staff=False).request == (
        p.Say(id="a", text="😀")
    )
    text = "é" * 4000
    say = p.parse(json.dumps({"type": "say", "id": "a", "text": text}), staff=False).request
    assert say == p.Say(id="a", text=text)


def test_consent_is_exactly_true() -> None:
    for value in (False, 1, "true", [True], {"a": True}, None):
        frame = p.parse(json.dumps({"type": "start", "consent": value}), staff=False)
        assert isinstance(frame.request, p.Start) and frame.request.consent is False
