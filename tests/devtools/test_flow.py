"""`console1712 flow` and `console1712 counsellor --script` as real processes on real relays."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest

from console1712.client.chatter import ChatterClient
from console1712.devtools.flow import Timeline, load_flow
from console1712.devtools.script import ScriptSyntaxError
from console1712.devtools.staffscript import parse_staff_script, split_sections
from console1712.protocol import events as ev
from tests.devtools.proc import Proc

EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"


def line_of(path: Path, text: str) -> int:
    """The 1-based number of the first line of `path` that is exactly `text`."""
    return path.read_text(encoding="utf-8").splitlines().index(text) + 1


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.txt")))
async def test_every_example_passes_unattended(example: str) -> None:
    proc = await Proc.spawn("flow", str(EXAMPLES / example))
    try:
        status, out, err = await proc.finish(within=60)
    finally:
        proc.kill()
    assert status == 0, out + err
    assert "flow geslaagd" in out
    assert err == ""


def test_the_examples_cover_the_flows_of_the_issue() -> None:
    names = {p.stem for p in EXAMPLES.glob("*.txt")}
    assert {"flow-basic", "flow-drop-resume", "flow-transfer", "flow-block", "flow-closed",
            "flow-flood"} <= names  # fmt: skip


async def test_a_broken_chatter_expectation_fails_with_its_line(tmp_path: Path) -> None:
    source = (EXAMPLES / "flow-transfer.txt").read_text(encoding="utf-8")
    broken = tmp_path / "transfer.txt"
    broken.write_text(source.replace("expect message /ben/", "expect message /zebra/ 2"))
    line = line_of(broken, "expect message /zebra/ 2")
    proc = await Proc.spawn("flow", str(broken))
    try:
        status, out, err = await proc.finish(within=60)
    finally:
        proc.kill()
    assert status == 1
    assert err.splitlines() == [
        f"console1712: flow {broken} regel {line} (chatter): stap 'expect message /zebra/ 2' "
        "mislukt: timed out after 2 s"
    ]
    # The timeline shows both sides up to the failure.
    assert re.search(r"^\s+[\d.]+  ben +< assigned 'Noor'$", out, re.M), out
    assert "flow geslaagd" not in out


async def test_a_broken_counsellor_expectation_fails_with_its_line(tmp_path: Path) -> None:
    source = (EXAMPLES / "flow-basic.txt").read_text(encoding="utf-8")
    broken = tmp_path / "basic.txt"
    broken.write_text(source.replace("expect message /bang/", "expect message /boos/ 3"))
    line = line_of(broken, "expect message /boos/ 3")
    proc = await Proc.spawn("flow", str(broken))
    try:
        status, _out, err = await proc.finish(within=60)
    finally:
        proc.kill()
    assert status == 1
    assert err.splitlines() == [
        f"console1712: flow {broken} regel {line} (anna): stap 'expect message /boos/ 3' "
        "mislukt: timed out after 3 s"
    ]


async def test_a_refused_staff_request_fails_at_once(tmp_path: Path) -> None:
    flow = tmp_path / "flow.txt"
    flow.write_text("[chatter]\nexpect welcome open\n[counsellor anna]\ntransfer nobody\n")
    proc = await Proc.spawn("flow", str(flow))
    try:
        status, _out, err = await proc.finish(within=60)
    finally:
        proc.kill()
    assert status == 1
    assert err.splitlines() == [
        f"console1712: flow {flow} regel 4 (anna): stap 'transfer nobody' mislukt: "
        "no chat: accept one first"
    ]


async def test_a_flow_that_does_not_parse_is_refused_before_it_runs(tmp_path: Path) -> None:
    flow = tmp_path / "flow.txt"
    flow.write_text("[chatter]\nexpect welcome open\n\n[counsellor anna]\naccept\nhug\n")
    proc = await Proc.spawn("flow", str(flow))
    status, out, err = await proc.finish(within=30)
    assert status == 1
    assert out == ""
    assert err.startswith(f"console1712: script {flow} regel 6: unknown step 'hug'")


def test_parts_from_several_files_and_sections(tmp_path: Path) -> None:
    chatter = tmp_path / "chatter.txt"
    chatter.write_text("expect welcome open\nstart\n")
    anna = tmp_path / "anna.txt"
    anna.write_text("# anna\nexpect queue\naccept next\n")
    both = tmp_path / "more.txt"
    both.write_text("[relay]\nresume_window = 30\n[counsellor ben]\nexpect assigned 30\n")
    flow = load_flow([chatter, anna, both])
    assert [(p.role, p.name) for p in flow.parts] == [
        ("chatter", "chatter"), ("counsellor", "anna"), ("counsellor", "ben"),
    ]  # fmt: skip
    assert [s.line for s in flow.parts[1].steps] == [2, 3]
    assert flow.parts[2].steps[0].line == 4 and flow.parts[2].steps[0].timeout == 30
    assert flow.relay == {"resume_window": 30}


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("expect queue\nexpect wave\n", 2, "unknown event 'wave'"),
        ("accept a b\n", 1, "accept takes"),
        ("block 0 reden\n", 1, "block needs HOURS"),
        ("block 24\n", 1, "block needs HOURS"),
        ("transfer\n", 1, "transfer needs"),
        ("say\n", 1, "say needs a text"),
        ("wait\n", 1, "wait needs"),
    ],
)
def test_staff_script_errors_name_the_line(text: str, line: int, reason: str) -> None:
    with pytest.raises(ScriptSyntaxError) as caught:
        parse_staff_script(text)
    assert caught.value.line == line
    assert reason in caught.value.reason


def test_section_headers_are_checked() -> None:
    with pytest.raises(ScriptSyntaxError) as caught:
        split_sections("expect welcome\n[counsellor]\n")
    assert caught.value.line == 2
    with pytest.raises(ScriptSyntaxError) as caught:
        split_sections("[chatter]\n[supervisor x]\n")
    assert caught.value.line == 2


def test_a_bad_relay_setting_is_refused_with_its_line(tmp_path: Path) -> None:
    from console1712.devtools.flow import FlowError

    flow = tmp_path / "flow.txt"
    flow.write_text("[relay]\nresume_window = soon\n[chatter]\nexpect welcome\n")
    with pytest.raises(FlowError, match="regel 2: bad value for setting 'resume_window'"):
        load_flow([flow])
    flow.write_text("[relay]\nport = 80\n[chatter]\nexpect welcome\n")
    with pytest.raises(FlowError, match="regel 2: not a relay setting"):
        load_flow([flow])


def test_the_timeline_shows_remote_text_without_control_characters() -> None:
    import asyncio

    async def show() -> str:
        out = io.StringIO()
        timeline = Timeline(out)
        timeline.chatter_event("chatter")(
            ev.Message(seq=1, sender="counsellor", text="a\x1b[2Jb\x9bc\x07d [b]x[/b]", at="")
        )
        timeline.staff_event("anna")(
            ev.Assigned(chat="c1", intake=ev.Intake(nickname="S\x1b]0;t\x07am"))
        )
        return out.getvalue()

    text = asyncio.run(show())
    assert "\x1b" not in text and "\x9b" not in text and "\x07" not in text
    assert "chatter    < message a[2Jbcd [b]x[/b]" in text
    assert "anna       < assigned 'S]0;tam'" in text


# -- `console1712 counsellor --script` against the test's relay ---------------------------


async def test_scripted_counsellor_serves_a_chatter(
    relay: Any, make_staff: Any, tmp_path: Path
) -> None:
    staff = await make_staff("anna", display="Anna")
    script = tmp_path / "anna.txt"
    script.write_text(
        "expect queue Sam\naccept Sam\nsay Dag Sam, ik ben Anna.\nexpect message /dank/\nend\n"
    )
    proc = await Proc.spawn(
        "counsellor", "--script", str(script), "--url", f"ws://127.0.0.1:{relay.port}/console",
        "--user", "anna",
    )  # fmt: skip
    try:
        await proc.type(staff.password)
        await proc.type(staff.code())
        await proc.line_with("anna       < session")  # logged in before the chatter comes
        chatter = ChatterClient(f"ws://127.0.0.1:{relay.port}/chat")
        await chatter.connect()
        await chatter.start(nickname="Sam")
        events = chatter.events()
        kinds = []
        async for event in events:
            kinds.append(event.type)
            if isinstance(event, ev.Message):
                assert event.text == "Dag Sam, ik ben Anna."
                await chatter.say("Oké, dank je.")
            if isinstance(event, ev.Ended):
                assert event.by == "counsellor"
                break
        assert "joined" in kinds
        status, out, err = await proc.finish(within=30)
        assert status == 0, err
        assert f"script {script}: alle 5 stappen geslaagd" in out
        await chatter.close()
    finally:
        proc.kill()


async def test_scripted_counsellor_broken_expectation_and_bad_login(
    relay: Any, make_staff: Any, tmp_path: Path
) -> None:
    staff = await make_staff("anna", display="Anna")
    url = f"ws://127.0.0.1:{relay.port}/console"
    script = tmp_path / "anna.txt"
    script.write_text("# wait for nobody\nexpect queue 1\n")
    proc = await Proc.spawn("counsellor", "--script", str(script), "--url", url, "--user", "anna")
    try:
        await proc.type(staff.password)
        await proc.type(staff.code())
        status, _out, err = await proc.finish(within=30)
    finally:
        proc.kill()
    assert status == 1
    assert err.splitlines() == [
        f"console1712: script {script} regel 2: stap 'expect queue 1' mislukt: timed out after 1 s"
    ]

    proc = await Proc.spawn("counsellor", "--script", str(script), "--url", url, "--user", "anna")
    try:
        await proc.type("wrong password")
        await proc.type(staff.code(1))
        status, _out, err = await proc.finish(within=30)
    finally:
        proc.kill()
    assert status == 1
    assert err.splitlines() == [f"console1712: aanmelden bij {url} mislukt: auth_failed"]
