"""Parsing scripted chat flows: every step form, and bad lines named by number."""

from __future__ import annotations

import re

import pytest

from console1712.devtools.script import (
    DEFAULT_TIMEOUT,
    ScriptSyntaxError,
    Step,
    matches,
    parse_script,
)
from console1712.protocol import events as ev

EXAMPLE = """\
# a comment, then a blank line

start nickname="Sam B" age=15 region=antwerpen
expect queued
expect joined Sofie 60
say Hallo, ik heb een vraag # not a comment inside a text
expect message /school|thuis/ 30
drop 0.5
resume
wait 0.2
typing
leave
"""


def test_every_step_form_is_parsed() -> None:
    steps = parse_script(EXAMPLE)
    assert [s.action for s in steps] == [
        "start", "expect", "expect", "say", "expect", "drop", "resume", "wait", "typing", "leave",
    ]  # fmt: skip
    start = steps[0]
    assert start.line == 3
    assert start.intake == {"consent": True, "nickname": "Sam B", "age": 15, "region": "antwerpen"}
    assert steps[1].kind == "queued" and steps[1].timeout == DEFAULT_TIMEOUT
    assert steps[2].pattern == "Sofie" and steps[2].timeout == 60
    assert steps[3].text == "Hallo, ik heb een vraag # not a comment inside a text"
    assert isinstance(steps[4].pattern, re.Pattern) and steps[4].timeout == 30
    assert steps[5].seconds == 0.5
    assert steps[7].seconds == 0.2


def test_consent_can_be_withheld_for_testing_refusals() -> None:
    (step,) = parse_script("start consent=false")
    assert step.intake["consent"] is False


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("say hi\nshout hello", 2, "unknown step 'shout'"),
        ("expect nothing", 1, "unknown event 'nothing'"),
        ("start age=vijftien", 1, "whole number"),
        ("start region=gent", 1, "region must be one of"),
        ("start colour=blue", 1, "key=value"),
        ("# c\n\nexpect message hello world", 3, "quote a pattern"),
        ("expect message /[unclosed/", 1, "bad regular expression"),
        ("wait", 1, "wait needs"),
        ("say", 1, "say needs a text"),
    ],
)
def test_bad_lines_are_named_by_number(text: str, line: int, fragment: str) -> None:
    with pytest.raises(ScriptSyntaxError) as info:
        parse_script(text)
    assert info.value.line == line
    assert fragment in info.value.reason


def test_patterns_match_the_events_subject() -> None:
    def message(text: str) -> ev.Message:
        return ev.Message(seq=1, sender="counsellor", text=text, at="")

    step = Step(1, "", "expect", kind="message", pattern="SCHOOL")
    assert matches(step, message("Op school is het moeilijk"))
    assert not matches(step, message("Thuis"))
    assert not matches(step, ev.Joined(counsellor="school"))
    regex = Step(1, "", "expect", kind="queued", pattern=re.compile("^1$"))
    assert matches(regex, ev.Queued(chat="c", resume="r", position=1))
    assert not matches(regex, ev.Queued(chat="c", resume="r", position=11))
    welcome = Step(1, "", "expect", kind="welcome", pattern="closed")
    assert matches(welcome, ev.Welcome(protocol=1, open=False))
    assert not matches(welcome, ev.Welcome(protocol=1, open=True))


def test_flood_and_reconnect_steps() -> None:
    flood, again = parse_script("flood 7 bericht nummer\nreconnect\n", first_line=10)
    assert (flood.action, flood.seconds, flood.text, flood.line) == (
        "flood",
        7,
        "bericht nummer",
        10,
    )
    assert (again.action, again.line) == ("reconnect", 11)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("flood 7\n", "flood needs a count"),
        ("flood many x\n", "flood needs a count"),
        ("flood 0 x\n", "flood needs a count"),
        ("reconnect now\n", "reconnect takes nothing"),
    ],
)
def test_bad_flood_and_reconnect_lines(text: str, reason: str) -> None:
    with pytest.raises(ScriptSyntaxError) as caught:
        parse_script(text)
    assert caught.value.line == 1 and reason in caught.value.reason
