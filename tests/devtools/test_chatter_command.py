"""`console1712 chatter` as a real process against a real relay, interactive and scripted."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import msgspec

from console1712.clock import FakeClock
from console1712.commands.chatter import Printer, local_time
from console1712.protocol import events as ev
from tests.devtools.counsellor import Counsellor
from tests.devtools.proc import Proc


def chat_url(relay: Any) -> str:
    return f"ws://127.0.0.1:{relay.port}/chat"


async def test_typed_lines_reach_the_counsellor_and_leave_ends(relay: Any, make_staff: Any) -> None:
    staff = await make_staff("anna", display="Sofie")
    counsellor = await Counsellor.login(relay.port, staff.login_frame())
    proc = await Proc.spawn(
        "chatter", "--url", chat_url(relay), "--nickname", "Sam", "--age", "15",
        "--region", "antwerpen",
    )  # fmt: skip
    try:
        assert "open" in await proc.line_with("Welkom bij de chat van 1712")
        assert "plaats 1" in await proc.line_with("wachtrij")
        (entry,) = await counsellor.wait_queue()
        assert (entry["nickname"], entry["age"], entry["region"]) == ("Sam", 15, "antwerpen")
        chat = (await counsellor.accept(entry["chat"]))["chat"]
        await proc.line_with("Sofie (hulpverlener) is er nu voor je")

        await proc.type("Hallo vanuit de terminal")
        assert (await counsellor.message("Hallo vanuit de terminal"))["seq"] == 1
        await proc.line_with("ontvangen door 1712, bericht 1")

        await counsellor.say(chat, "Dag Sam, fijn dat je schrijft.")
        line = await proc.line_with("Dag Sam")
        assert line.endswith("Sofie: Dag Sam, fijn dat je schrijft.")
        assert line.startswith("[15:") or line.startswith("[14:")  # Brussels time, 15:00

        # A hostile counsellor text: the terminal gets no escape sequence.
        await counsellor.say(chat, "schoon\x1b[2J\x07scherm")
        line = await proc.line_with("schoon")
        assert "\x1b" not in line and "\x07" not in line
        assert line.endswith("schoon[2Jscherm")

        await proc.type("/leave")
        status, out, _err = await proc.finish()
        assert status == 0
        assert "Je hebt het gesprek afgesloten" in out
        ended = await counsellor.expect(lambda f: f["type"] == "ended")
        assert ended["by"] == "chatter"
        assert counsellor.texts_from_chatter() == ["Hallo vanuit de terminal"]
    finally:
        proc.kill()
        await counsellor.close()


async def test_unreachable_relay_is_one_clear_line_and_exit_1(unused_port: int) -> None:
    proc = await Proc.spawn("chatter", "--url", f"ws://127.0.0.1:{unused_port}/chat")
    status, out, err = await proc.finish()
    assert status == 1
    assert err.strip().splitlines() == [
        f"console1712: geen verbinding met ws://127.0.0.1:{unused_port}/chat: connection refused"
    ]
    assert "Traceback" not in out + err


def event(frame: dict[str, Any]) -> ev.ChatterEvent:
    """A frame as the relay sends it, decoded as the client does."""
    return msgspec.convert(frame, ev.ChatterEvent)  # type: ignore[arg-type]


def test_printer_strips_control_characters_from_everything_remote() -> None:
    out = io.StringIO()
    printer = Printer("nl", out)
    printer.show(event({"type": "joined", "counsellor": "So\x1b]0;pwned\x07fie"}))
    printer.show(
        event({"type": "message", "seq": 2, "from": "counsellor", "text": "a\x1b[2Jb\x9bc\nd",
               "at": "2026-11-26T14:03:07Z"})
    )  # fmt: skip
    printer.show(
        event({"type": "welcome", "protocol": 1, "open": False,
               "next_open": "2026-11-30T12:00:00Z",
               "alternatives": [{"label": "Bel\x1b[31m 1712", "contact": "tel:1712"}]})
    )  # fmt: skip
    text = out.getvalue()
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
    assert "So]0;pwnedfie (hulpverlener) is er nu voor je." in text
    assert "[15:03] So]0;pwnedfie: a[2Jbc\nd" in text
    assert "De chat gaat weer open op maandag 30 november 13:00." in text
    assert "  - Bel[31m 1712 (tel:1712)" in text


def test_printer_says_plainly_that_another_counsellor_takes_over() -> None:
    out = io.StringIO()
    printer = Printer("nl", out)
    printer.show(event({"type": "joined", "counsellor": "Anna"}))
    printer.show(event({"type": "requeued", "position": 1, "detail": "ignored"}))
    printer.show(event({"type": "message", "seq": 3, "from": "counsellor", "text": "Hoi",
                        "at": "2026-11-26T14:03:07Z"}))  # fmt: skip
    text = out.getvalue()
    assert "een andere hulpverlener neemt het zo over (plaats 1 in de wachtrij)" in text
    assert "Anna:" not in text.split("wachtrij)")[1]  # no longer shown as Anna's


def test_times_are_shown_in_brussels_time() -> None:
    assert local_time("2026-07-01T12:00:00Z", "nl") == "14:00"  # summer time
    assert local_time("2026-12-24T17:30:00Z", "nl", long=True) == "donderdag 24 december 18:30"


SCRIPT_OK = """\
# intake, a question, a reply, a drop with a message typed meanwhile, the reply, leave
expect welcome open
start nickname=Robin age=16 region=limburg
expect queued /^1$/
say Ik heb een vraag over school.
expect joined Jonas 10
expect message /school/ 10
drop 0.3
say Ben je er nog?
resume
expect message "nog hier" 10
leave
"""


async def test_a_passing_script(relay: Any, make_staff: Any, tmp_path: Path) -> None:
    staff = await make_staff("jonas", team="limburg", display="Jonas")
    counsellor = await Counsellor.login(relay.port, staff.login_frame())
    script = tmp_path / "flow.txt"
    script.write_text(SCRIPT_OK, encoding="utf-8")
    proc = await Proc.spawn("chatter", "--url", chat_url(relay), "--script", str(script))
    try:
        (entry,) = await counsellor.wait_queue()
        assert entry["nickname"] == "Robin"
        assigned = await counsellor.accept(entry["chat"])
        chat = assigned["chat"]
        # Said while waiting: in the history, or relayed if it was stored after the accept.
        if "Ik heb een vraag over school." not in [m["text"] for m in assigned["history"]]:
            await counsellor.message("Ik heb een vraag over school.")
        await counsellor.say(chat, "Vertel, wat gebeurt er op school?")
        await counsellor.message("Ben je er nog?")
        await counsellor.say(chat, "Ja, ik ben nog hier.")
        status, out, err = await proc.finish()
        assert status == 0, err
        assert f"script {script}: alle 11 stappen geslaagd" in out
        assert "Weer verbonden" in out
        assert counsellor.texts_from_chatter().count("Ben je er nog?") == 1
        assert (await counsellor.expect(lambda f: f["type"] == "ended"))["by"] == "chatter"
    finally:
        proc.kill()
        await counsellor.close()


async def test_a_failing_script_names_the_step(relay: Any, tmp_path: Path) -> None:
    script = tmp_path / "nobody.txt"
    script.write_text("start\nexpect queued\n\nexpect joined 0.5\nleave\n", encoding="utf-8")
    proc = await Proc.spawn("chatter", "--url", chat_url(relay), "--script", str(script))
    status, _out, err = await proc.finish()
    assert status == 1
    assert err.strip() == (
        f"console1712: script {script} regel 4: stap 'expect joined 0.5' mislukt: "
        "timed out after 0.5 s"
    )


async def test_a_script_with_a_bad_line_sends_nothing(relay: Any, tmp_path: Path) -> None:
    script = tmp_path / "bad.txt"
    script.write_text("start\nexpect queued\nshout hello\n", encoding="utf-8")
    proc = await Proc.spawn("chatter", "--url", chat_url(relay), "--script", str(script))
    status, _out, err = await proc.finish()
    assert status == 1
    assert f"script {script} regel 3: unknown step 'shout'" in err
    assert relay.queue_entries() == []


async def test_closed_chat_shows_next_opening_and_alternatives(
    relay: Any, clock: FakeClock
) -> None:
    clock.advance(24 * 3600)  # Friday 27 November 2026: no chat on Fridays
    proc = await Proc.spawn("chatter", "--url", chat_url(relay))
    status, out, _err = await proc.finish()
    assert status == 1
    lines = out.splitlines()
    assert lines[0] == "Welkom bij de chat van 1712. De chat is nu gesloten."
    assert lines[1] == "De chat gaat weer open op maandag 30 november 13:00."
    assert "Andere manieren om hulp te krijgen:" in lines
    assert any("1712" in line and "tel:1712" in line for line in lines)
    assert any("112" in line for line in lines) and any("101" in line for line in lines)
    assert out.count("gesloten") == 1
    assert relay.queue_entries() == []
