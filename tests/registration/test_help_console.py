"""Ask a supervisor in the console against a real relay: the alert reaches a supervisor's
console (persistent, on the workspace and the supervisor screen, again after 2 minutes),
ctrl+x takes it and reads along; the counsellor's ctrl+x asks and hears who comes."""

from __future__ import annotations

from console1712.screens.supervisor import ReadAlongScreen, SupervisorScreen
from console1712.widgets.help_alerts import HelpAlerts
from tests.console.conftest import accept_new_chatter, console_app, open_chatter, sign_in, until
from tests.relay.helpers import console, recv_type, request


async def test_alert_reaches_supervisor_console(settings, relay, clock, make_staff) -> None:
    sofie = await make_staff("sofie", role="supervisor", display="Sofie")
    anna = await make_staff("anna", display="[b]Anna[/b]")
    mila = await open_chatter(relay, nickname="Mila")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot, console(relay, anna) as aw:
        ws = await sign_in(pilot, sofie)
        await request(aw, {"type": "accept", "chat": mila.chat}, "assigned")
        await request(aw, {"type": "help_request", "chat": mila.chat}, "help_request_sent")
        alerts = ws.query_one("#help-alerts", HelpAlerts)
        await until(pilot, lambda: alerts.display and "[b]Anna[/b]" in str(alerts.render()))
        assert "HULP · " in str(alerts.render())

        # It stays in sight on the supervisor screen, and rings again after 2 minutes.
        await pilot.press("ctrl+t")
        await until(pilot, lambda: isinstance(app.screen, SupervisorScreen))
        overview = app.screen.query_one("#help-alerts", HelpAlerts)
        assert overview.display and "[b]Anna[/b]" in str(overview.render())
        clock.advance(121)
        await until(pilot, lambda: "2e oproep" in str(overview.render()))

        await pilot.press("ctrl+x")
        await until(pilot, lambda: isinstance(app.screen, ReadAlongScreen))
        assert app.screen.chat == mila.chat
        told = await recv_type(aw, "help_answered", chat=mila.chat)
        assert told["by"] == "Sofie"
        await until(pilot, lambda: not alerts.display and not overview.display)


async def test_counsellor_asks_and_hears_who_comes(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna")
    sofie = await make_staff("sofie", role="supervisor", display="Sofie")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot, console(relay, sofie) as sw:
        ws = await sign_in(pilot, anna)
        chatter = await accept_new_chatter(pilot, ws, relay, nickname="Mila")
        await pilot.press("ctrl+x")
        alert = await recv_type(sw, "help_requests", ring=True)
        (entry,) = alert["requests"]
        assert entry["chat"] == chatter.chat
        await until(pilot, lambda: "Supervisor gevraagd (1 online)" in str(ws.status.render()))
        await request(sw, {"type": "help_answer", "request": entry["request"]}, "help_answered")
        await until(
            pilot, lambda: "Sofie neemt je vraag op" in ws.panes[chatter.chat].transcript.plain()
        )


async def test_supervisor_sees_open_registrations_per_counsellor(
    settings, relay, clock, make_staff
) -> None:
    sofie = await make_staff("sofie", role="supervisor", display="Sofie")
    anna = await make_staff("anna", display="Anna")
    mila = await open_chatter(relay, nickname="Mila")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot, console(relay, anna) as aw:
        await request(aw, {"type": "accept", "chat": mila.chat}, "assigned")
        await request(aw, {"type": "end", "chat": mila.chat}, "ended")
        await sign_in(pilot, sofie)
        await pilot.press("ctrl+t")
        await until(pilot, lambda: isinstance(app.screen, SupervisorScreen))
        line = app.screen.query_one("#sup-registrations")
        await until(pilot, lambda: "Registraties open: Anna 1" in str(line.render()))


async def test_open_call_shows_when_a_supervisor_logs_in(
    settings, relay, clock, make_staff
) -> None:
    sofie = await make_staff("sofie", role="supervisor")
    anna = await make_staff("anna", display="Anna")
    mila = await open_chatter(relay, nickname="Mila")
    app = console_app(settings, relay, clock)
    async with console(relay, anna) as aw:
        await request(aw, {"type": "accept", "chat": mila.chat}, "assigned")
        await request(aw, {"type": "help_request", "chat": mila.chat}, "help_request_sent")
        async with app.run_test(size=(80, 24)) as pilot:
            ws = await sign_in(pilot, sofie)
            alerts = ws.query_one("#help-alerts", HelpAlerts)
            await until(pilot, lambda: alerts.display and "Anna" in str(alerts.render()))
