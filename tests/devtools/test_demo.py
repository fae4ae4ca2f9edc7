"""`console1712 demo --no-console` as a real process: logins work, chatters arrive, clean exit."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
from datetime import UTC, datetime
from pathlib import Path

from console1712.devtools.demoinfo import demo_file, discover
from console1712.store.accounts import totp_code
from tests.devtools.counsellor import Counsellor
from tests.devtools.proc import Proc


def has_database(data: Path) -> bool:
    return data.is_dir() and (data / "console1712.db").exists()


def exists(path: Path) -> bool:
    return path.exists()


async def test_demo_logins_chatters_and_clean_exit() -> None:
    proc = await Proc.spawn("demo", "--no-console", "--speed", "40")
    try:
        title = await proc.line_with("console1712 demo: relay op ws://127.0.0.1:", within=30)
        match = re.search(r"ws://127\.0\.0\.1:(\d+) \(tijdelijke gegevens in (.+)\)$", title)
        assert match, title
        port, data = int(match.group(1)), Path(match.group(2))
        assert has_database(data)
        login = await proc.line_with("  demo   wachtwoord ")
        password = login.split()[2]
        uri = await proc.line_with("otpauth://totp/console1712:demo?")
        secret = re.search(r"secret=([A-Z2-7]+)", uri)
        assert secret
        await proc.line_with("otpauth://totp/console1712:demo2?")
        await proc.line_with("otpauth://totp/console1712:super?")

        # A counsellor logs in with what the demo printed and a code computed from the URI.
        code = totp_code(secret.group(1), datetime.now(UTC))
        frame = {"type": "login", "user": "demo", "password": password, "otp": code}
        counsellor = await Counsellor.login(port, frame)
        session = next(f for f in counsellor.frames if f["type"] == "session")
        assert (session["name"], session["team"]) == ("Sofie", "antwerpen")

        # Simulated chatters arrive, and one answers the counsellor in Dutch.
        waiting = await counsellor.wait_queue(within=20)
        assigned = await counsellor.accept(waiting[0]["chat"])
        assert assigned["type"] == "assigned"
        chat = assigned["chat"]
        await counsellor.say(chat, "Dag, fijn dat je ons contacteert. Vertel maar.")
        reply = await counsellor.expect(
            lambda f: f["type"] == "message" and f["chat"] == chat, within=20
        )
        assert reply["from"] == "chatter" and len(reply["text"]) > 10

        # Sample mail waits in the unassigned pool, one of it already overdue.
        await counsellor.send({"type": "mail_threads", "ref": "m1", "filter": "all"})
        threads = await counsellor.expect(lambda f: f.get("ref") == "m1", within=10)
        assert threads["type"] == "mail_threads", threads
        assert len(threads["threads"]) == 3
        await counsellor.close()

        proc.proc.send_signal(signal.SIGINT)
        status, out, err = await proc.finish(within=20)
        assert status == 0, err
        assert "Demo gestopt" in out
        assert not exists(data)
        # Logs carry events, never what was said.
        assert "Vertel maar" not in err and reply["text"] not in err
    finally:
        proc.kill()


async def test_demo_on_a_busy_port_is_one_clear_line() -> None:

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = await Proc.spawn("demo", "--no-console", "--port", str(port))
        status, _out, err = await proc.finish(within=30)
    assert status == 1
    assert err.strip().splitlines() == [f"console1712: poort {port} is al in gebruik"]


async def test_the_basic_flow_passes_against_the_demo_with_simulated_counsellors() -> None:
    demo = await Proc.spawn("demo", "--no-console", "--counsellors", "2", "--speed", "40")
    try:
        title = await demo.line_with("console1712 demo: relay op ws://127.0.0.1:", within=30)
        match = re.search(r"ws://127\.0\.0\.1:(\d+) ", title)
        assert match, title
        assert "2 gesimuleerde hulpverlener(s)" in await demo.line_with("hulpverlener(s)")
        port = int(match.group(1))
        # A second console pointed at the demo finds its logins (and so shows the codes).
        info = await asyncio.to_thread(discover, f"ws://127.0.0.1:{port}/console")
        assert info is not None
        assert [name for name, _, _ in info.logins] == ["demo", "demo2", "super"]
        assert any("Mail (SMTP) naar hulp@1712.local" in line for line in info.lines)
        example = Path(__file__).parents[2] / "docs" / "examples" / "flow-basic.txt"
        chatter = await Proc.spawn(
            "chatter", "--url", f"ws://127.0.0.1:{match.group(1)}/chat", "--script", str(example)
        )
        try:
            status, out, err = await chatter.finish(within=60)
        finally:
            chatter.kill()
        assert status == 0, out + err
        assert "alle 13 stappen geslaagd" in out
        # A simulated counsellor answered with its canned Dutch replies.
        assert re.search(r"\] (Ann|Bram): Dank je om dat te vertellen", out), out
        demo.proc.send_signal(signal.SIGINT)
        status, _out, _err = await demo.finish(within=20)
        assert status == 0
        assert not exists(demo_file(port))
    finally:
        demo.kill()
