"""`console1712 flow --url` against a relay that is already running (credentials on stdin)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from console1712.clock import FakeClock
from console1712.config import Settings, load_settings
from tests.devtools.proc import Proc


@pytest.fixture
def clock() -> FakeClock:
    # `flow` computes codes from the real time: the relay's clock reads the same now.
    return FakeClock(datetime.now(UTC))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        environ={},
        overrides={"data": tmp_path / "data", "port": 0, "smtp_port": 0, "always_open": True},
    )


async def test_flow_against_a_running_relay_reads_credentials_from_stdin(
    relay: Any, make_staff: Any, tmp_path: Path
) -> None:
    staff = await make_staff("anna", display="Anna")
    flow = tmp_path / "flow.txt"
    flow.write_text(
        "[chatter]\nexpect welcome open\nstart nickname=Sam\nexpect joined Anna 30\n"
        "expect message /hallo/\nleave\n"
        "[counsellor anna]\nexpect queue Sam\naccept\nsay Hallo Sam\nexpect ended chatter\n"
    )
    url = f"ws://127.0.0.1:{relay.port}/chat"
    proc = await Proc.spawn("flow", "--url", url, str(flow))
    try:
        assert proc.proc.stdin is not None
        proc.proc.stdin.write(f"anna {staff.secret} wrong password\n".encode())
        proc.proc.stdin.close()
        status, _out, err = await proc.finish(within=30)
        assert status == 1
        assert err.splitlines() == ["console1712: anna kan niet aanmelden: auth_failed"]
    finally:
        proc.kill()

    ben = await make_staff("ben", display="Ben")
    flow.write_text(flow.read_text().replace("anna", "ben").replace("Anna", "Ben"))
    proc = await Proc.spawn("flow", "--url", url, str(flow))
    try:
        assert proc.proc.stdin is not None
        # The password holds spaces: it is the rest of the line.
        proc.proc.stdin.write(f"ben {ben.secret} {ben.password}\n".encode())
        proc.proc.stdin.close()
        status, out, err = await proc.finish(within=30)
    finally:
        proc.kill()
    assert status == 0, out + err
    assert ben.password not in out + err
    assert "flow geslaagd: alle 9 stappen van 2 deelnemer(s)" in out


async def test_a_relay_section_is_refused_with_url(relay: Any, tmp_path: Path) -> None:
    flow = tmp_path / "flow.txt"
    flow.write_text("[relay]\nalways_open = false\n[chatter]\nexpect welcome\n")
    proc = await Proc.spawn("flow", "--url", f"ws://127.0.0.1:{relay.port}/chat", str(flow))
    status, _out, err = await proc.finish(within=30)
    assert status == 1
    assert "een [relay]-sectie geldt alleen voor een nieuwe relay" in err


async def test_scripted_counsellor_computes_its_code_from_the_environment(
    relay: Any, make_staff: Any, tmp_path: Path
) -> None:
    staff = await make_staff("anna", display="Anna")
    script = tmp_path / "anna.txt"
    script.write_text("wait 0.1\n")
    proc = await Proc.spawn(
        "counsellor", "--script", str(script), "--url", f"ws://127.0.0.1:{relay.port}/console",
        "--user", "anna", env_extra={"CONSOLE1712_TOTP_SECRET": staff.secret},
    )  # fmt: skip
    try:
        await proc.type(staff.password)  # the code comes from CONSOLE1712_TOTP_SECRET
        status, out, err = await proc.finish(within=30)
    finally:
        proc.kill()
    assert status == 0, err
    assert "anna       < session Anna" in out
    assert f"script {script}: alle 1 stappen geslaagd" in out
    assert staff.secret not in out + err and staff.password not in out + err
