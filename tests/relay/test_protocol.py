"""Frame validation and rate limits as pure functions (the relay tests cover the wire)."""

from __future__ import annotations

import json

import pytest

from console1712.domain.text import has_lone_surrogate
from console1712.protocol import frames as p
from console1712.relay.ratelimit import RateLimiter


def parse(frame: object, staff: bool = False) -> p.Frame:
    return p.parse(json.dumps(frame), staff=staff)


def test_start_fields_are_cleaned_and_defaulted() -> None:
    req = parse({"type": "start", "consent": True, "nickname": " \x1b[31mMira\x07 ", "age": 15})
    assert req.request == p.Start(True, "[31mMira", 15, None, None)
    assert parse({"type": "start", "consent": True}).request.nickname == "Anoniem"  # type: ignore[union-attr]
    assert parse({"type": "start", "consent": "yes"}).request.consent is False  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "start", "consent": True, "age": 4},
        {"type": "start", "consent": True, "age": 121},
        {"type": "start", "consent": True, "age": True},
        {"type": "start", "consent": True, "age": "15"},
        {"type": "start", "consent": True, "region": "gent"},
        {"type": "start", "consent": True, "nickname": "x" * 41},
        {"type": "start", "consent": True, "gender": 3},
        {"type": "say", "id": "", "text": "hi"},
        {"type": "say", "id": "x" * 65, "text": "hi"},
        {"type": "say", "id": "a", "text": "\x00\x01"},
        {"type": "say", "id": "a", "text": "x" * 4001},
        {"type": "say", "id": "a", "text": ["hi"]},
        {"type": "say", "id": "a", "text": "hi", "ref": "r" * 65},
        {"type": "resume", "token": 5},
        {"type": "resume", "token": "t", "after": -1},
        {"type": "login", "user": "anna"},
        {"type": "accept"},
        {"type": "nonsense"},
        {"kind": "say"},
        {"type": 7},
    ],
)
def test_malformed_frames_are_bad_requests(frame: dict[str, object]) -> None:
    with pytest.raises(p.BadRequest):
        parse(frame)


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "block", "chat": "c", "hours": 0},
        {"type": "block", "chat": "c", "hours": 721},
        {"type": "status", "state": "busy"},
        {"type": "transfer", "chat": "c"},
        {"type": "say", "chat": 1, "id": "a", "text": "x"},
        {"type": "start", "consent": True},  # a chatter frame on /console
    ],
)
def test_malformed_staff_frames_are_bad_requests(frame: dict[str, object]) -> None:
    with pytest.raises(p.BadRequest):
        parse(frame, staff=True)


@pytest.mark.parametrize(
    "raw", ["", "{", "[1]", '"x"', "null", "NaN", '{"type":"say","text":"\\ud800"}']
)
def test_undecodable_frames_are_bad_requests(raw: str) -> None:
    with pytest.raises(p.BadRequest):
        p.parse(raw, staff=False)


def test_text_keeps_newlines_and_tabs_but_not_other_controls() -> None:
    req = parse({"type": "say", "id": "a", "text": "a\nb\tc\x7fd\x9be"}).request
    assert req == p.Say(id="a", text="a\nb\tcde")
    assert len(parse({"type": "say", "id": "a", "text": "é" * 4000}).request.text) == 4000  # type: ignore[union-attr]


def test_rate_limiter_windows() -> None:
    rl = RateLimiter()
    for i in range(5):
        assert rl.check(100.0 + i * 0.1) is None
        rl.add(100.0 + i * 0.1)
    assert rl.check(100.5) == 1  # sixth within one second
    assert rl.check(101.01) is None  # the first one left the 1 s window
    rl = RateLimiter()
    for i in range(30):
        rl.add(100.0 + i * 0.3)  # 30 in 9 s, never 5 in a second
    assert rl.check(109.0) == 1
    assert rl.check(108.8) == 2
    assert rl.check(110.01) is None


def test_lone_surrogates_are_found_without_false_alarms() -> None:
    assert not has_lone_surrogate("gewoon tekst")
    assert not has_lone_surrogate("café 😀 ünïcode")
    assert has_lone_surrogate("a\ud800b") and has_lone_surrogate("\udfff")
    assert has_lone_surrogate("\ud83d\ude00")  # a pair as two code points is not valid text


@pytest.mark.parametrize(
    "raw",
    [
        '{"type":"say","id":"a","text":"x\ud800"}',  # in the text itself, not escaped
        '{"type":"say","id":"a","text":"ok","extra":{"\\udc00":1}}',  # in a nested key
        '{"type":"say","id":"a","text":"ok","list":["\\ud800"]}',
    ],
)
def test_surrogates_anywhere_in_a_frame_are_refused(raw: str) -> None:
    with pytest.raises(p.BadRequest, match=r"bad\.unicode"):
        p.decode(raw)


def test_escaped_pairs_and_backslash_u_text_are_fine() -> None:
    assert p.decode('{"type":"say","text":"\\ud83d\\ude00"}')["text"] == "😀"
    assert p.decode('{"type":"say","text":"C:\\\\ud800"}')["text"] == "C:\\ud800"
