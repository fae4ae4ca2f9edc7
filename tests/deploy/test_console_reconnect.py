"""The console, connected through HAProxy, while its relay is SIGKILLed and comes back (one
relay restarted, or the active one of three replaced by a standby): the status line says
"verbinding verbroken, opnieuw verbinden…" (no error), a reply typed meanwhile waits as
pending, and afterwards everything is there exactly once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from console1712.app import ConsoleApp
from console1712.client.chatter import ChatterClient
from console1712.clock import Clock, FakeClock
from console1712.config import load_settings
from console1712.i18n import t
from console1712.protocol import events as ev
from console1712.screens.workspace import WorkspaceScreen
from console1712.store import accounts
from tests.console.conftest import login, transcript, until
from tests.deploy.helpers import PASSWORD, make_counsellors
from tests.deploy.procs import Deployment


async def test_console_shows_a_short_reconnect_through_haproxy(
    tmp_path: Path, deployment: Deployment
) -> None:
    secrets = await make_counsellors(deployment.data, deployment.database)
    await deployment.start()
    haproxy = deployment.haproxy
    # The console host's settings: only the URL of the load balancer, no data.
    settings = load_settings(
        environ={}, overrides={"data": tmp_path / "console", "url": haproxy.url("/console")}
    )
    app = ConsoleApp(settings, clock=FakeClock(datetime.now(UTC)))
    chatter = ChatterClient(haproxy.url("/chat"), backoff=(0.05, 0.1, 0.2, 0.5))
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, "anna", PASSWORD, accounts.totp_code(secrets["anna"], Clock().now()))
        await until(pilot, lambda: isinstance(app.screen, WorkspaceScreen))
        ws = app.screen
        assert isinstance(ws, WorkspaceScreen)
        await until(pilot, lambda: t("status.connected", "nl") in str(ws.status.render()))

        await chatter.connect()
        queued = await chatter.start(nickname="Robin")
        chat = str(queued.chat)
        await until(pilot, lambda: ws.queue_list.entries)
        await pilot.press("f3")
        await until(pilot, lambda: chat in ws.panes)
        pane = ws.panes[chat]
        await chatter.say("voor de storing")
        await until(pilot, lambda: "voor de storing" in transcript(ws, chat))

        notices: list[str] = []  # what the status line said while the relay was away

        async def watch() -> None:
            while True:
                if ws.status.connection == "reconnecting":
                    notices.append(str(ws.status.render()))
                await asyncio.sleep(0.005)

        watcher = asyncio.create_task(watch())
        await deployment.kill()
        await until(pilot, lambda: notices)
        assert "verbinding verbroken, opnieuw verbinden…" in notices[0]
        await pilot.press(*"antwoord tijdens storing", "enter")
        if deployment.kind == "one relay":  # (of three, a standby may have taken over by now)
            assert [line.text for line in pane.pending_lines()] == ["antwoord tijdens storing"]

        await deployment.recover()
        await until(pilot, lambda: ws.status.connection == "connected", limit=60)
        await until(pilot, lambda: not pane.pending_lines(), limit=30)
        assert ws.panes[chat] is pane and pane.state.open
        # The chatter resumed through HAProxy as well and gets the reply once.
        got = []
        while len(got) < 1:
            event = await asyncio.wait_for(chatter.next_event(), 30)
            if isinstance(event, ev.Message):
                got.append(event.text)
        assert got == ["antwoord tijdens storing"] and chatter.resumes == 1
        await chatter.say("weer terug")
        await until(pilot, lambda: "weer terug" in transcript(ws, chat))
        text = transcript(ws, chat)
        for line in ("voor de storing", "antwoord tijdens storing", "weer terug"):
            assert text.count(line) == 1, text
        # Nothing on screen calls this an error: no "not sent" notice, no flash.
        assert t("workspace.not_sent", "nl", reason="")[:20] not in text
        assert ws.status.flash == ""
        watcher.cancel()
    await chatter.close()
    await deployment.stop()
