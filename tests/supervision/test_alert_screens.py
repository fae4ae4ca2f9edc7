"""Pilot tests: a supervisor's alert line on every screen (here the mail screen) that stays
until handled, the alert list, and the disclosure screen's confirm-then-keep address."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from textual.widgets import OptionList, Static

from console1712.screens.alerts import AlertsScreen
from console1712.screens.dialogs import ConfirmScreen
from console1712.screens.mail import MailScreen
from console1712.screens.supervisor import DisclosureScreen
from console1712.widgets.alert_line import AlertLine
from tests.console.conftest import console_app, open_chatter, sign_in, until
from tests.relay.helpers import console, request

HOSTILE = "[b]x[/b][@click=app.quit]\x1b[31m"


@pytest.fixture(autouse=True)
def _plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLORTERM", raising=False)


def line_of(screen: Any) -> str:
    lines = list(screen.query(AlertLine))
    return lines[0].text if lines and lines[0].display else ""


async def test_alert_on_the_mail_screen_stays_until_handled(
    settings: Any, relay: Any, clock: Any, make_staff: Any
) -> None:
    sofie = await make_staff("sofie", role="supervisor", team=None, display="Sofie")
    anna = await make_staff("anna", display="Anna")
    chatter = await open_chatter(relay, nickname=HOSTILE, region="antwerpen")
    app = console_app(settings, relay, clock)
    rings: list[int] = []
    app.bell = lambda: rings.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot, console(relay, anna) as aw:
        await sign_in(pilot, sofie)
        await pilot.press("ctrl+l")
        await until(pilot, lambda: isinstance(app.screen, MailScreen))
        mail = app.screen
        assert line_of(mail) == ""

        await request(aw, {"type": "accept", "chat": chatter.chat}, "assigned")
        await until(pilot, lambda: not app.workspace.queue_list.entries)
        await pilot.pause()
        before = len(rings)  # the workspace rings for the queue: count alerts only
        await request(
            aw,
            {"type": "disclosure_request", "chat": chatter.chat, "reason": "Acuut gevaar"},
            "disclosure_requested",
        )
        await until(pilot, lambda: "1 vrijgave" in line_of(mail))
        assert len(rings) == before + 1

        # An hour later the request is still there, beside a new alert (the chatter has
        # waited for an answer): a later push that proves the first did not fade.
        await chatter.say("Hallo?? Is er iemand?", "c1")
        clock.advance(3600)
        await until(pilot, lambda: "wacht op antwoord" in line_of(mail))
        assert "1 vrijgave" in line_of(mail)
        assert len(rings) == before + 2

        # ctrl+a lists them; the nickname is shown literally.
        await pilot.press("ctrl+a")
        await until(pilot, lambda: isinstance(app.screen, AlertsScreen))
        listing = app.screen.query_one("#alerts-list", OptionList)
        first = str(listing.get_option_at_index(0).prompt)
        assert "noodvrijgave" in first and "[b]x[/b][@click=app.quit" in first
        assert "\x1b" not in first
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DisclosureScreen))
        screen = app.screen
        assert isinstance(screen, DisclosureScreen)
        listing = screen.query_one("#disclosure-list", OptionList)
        await until(pilot, lambda: listing.highlighted == 0 and screen.entries)
        row = str(listing.get_option_at_index(0).prompt)
        assert "Anna" in row and "Antwerpen" in row and "[b]x[/b]" in row
        assert chatter.chat not in row and "anna" not in row.replace("Anna", "")
        assert "1 vrijgave" in line_of(screen)  # the alert line is on this screen too

        await pilot.press("f2")  # approve: the request's alert is handled
        await until(pilot, lambda: "vrijgave" not in line_of(screen))
        assert "wacht op antwoord" in line_of(screen)

        await pilot.press("f4")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("ctrl+y")
        await until(pilot, lambda: "127.0.0.1" in screen.address_text())
        assert "auditlog" in screen.address_text()
        await pilot.press("f4")  # a second press neither hides it nor asks again
        await pilot.pause()
        assert app.screen is screen and "127.0.0.1" in screen.address_text()
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is mail)


async def test_overview_rows_take_over_and_reassign_from_the_screen(
    settings: Any, relay: Any, clock: Any, make_staff: Any
) -> None:
    from console1712.screens.dialogs import PickScreen
    from console1712.screens.supervisor import SupervisorScreen
    from tests.relay.helpers import recv_type

    sofie = await make_staff("sofie", role="supervisor", team=None, display="Sofie")
    anna = await make_staff("anna", display="Anna")
    ben = await make_staff("ben", display="Ben")
    chatter = await open_chatter(relay, nickname=HOSTILE, region="limburg")
    app = console_app(settings, relay, clock)
    async with (
        app.run_test(size=(80, 24)) as pilot,
        console(relay, anna) as aw,
        console(relay, ben) as bw,
    ):
        workspace = await sign_in(pilot, sofie)
        await request(aw, {"type": "accept", "chat": chatter.chat}, "assigned")
        assert (await chatter.recv("joined"))["counsellor"] == "Anna"
        await request(aw, {"type": "say", "chat": chatter.chat, "id": "a1", "text": "Hoi"}, "ack")
        clock.advance(4 * 60)
        await pilot.press("ctrl+t")
        await until(pilot, lambda: isinstance(app.screen, SupervisorScreen))
        screen = app.screen
        chats = screen.query_one("#sup-chats", OptionList)
        await until(pilot, lambda: "Anna" in str(chats.get_option_at_index(0).prompt))
        row = str(chats.get_option_at_index(0).prompt)
        assert "[b]x[/b]" in row and "Limburg" in row and "4 min" in row
        assert "antwoord 4 min geleden" in row

        await pilot.press("f5")
        await until(pilot, lambda: isinstance(app.screen, PickScreen))
        pick = app.screen.query_one("#pick-list", OptionList)
        ids = [pick.get_option_at_index(i).id for i in range(pick.option_count)]
        pick.highlighted = ids.index("ben")
        await pilot.press("enter")
        assert (await recv_type(bw, "assigned", chat=chatter.chat))["chat"] == chatter.chat
        assert (await recv_type(aw, "released", chat=chatter.chat))["by"] == "Sofie"
        assert (await chatter.recv("joined"))["counsellor"] == "Ben"

        await until(pilot, lambda: app.screen is screen)
        await until(pilot, lambda: "Ben" in str(chats.get_option_at_index(0).prompt))
        # Taking a colleague's chat asks first (ctrl+y); Esc leaves it with Ben.
        await pilot.press("f4")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = str(app.screen.query_one(".dialog-title", Static).render())
        assert "Ben" in question and "[b]x[/b]" in question and "\x1b" not in question
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        assert chatter.chat not in workspace.panes
        await pilot.press("f4")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("ctrl+y")
        await until(pilot, lambda: chatter.chat in workspace.panes)  # a tab of her own
        await recv_type(bw, "released", chat=chatter.chat)
        assert (await chatter.recv("joined"))["counsellor"] == "Sofie"


async def test_console_gone_chat_returns_and_another_console_takes_it(
    settings: Any, relay: Any, clock: Any, make_staff: Any
) -> None:
    """Two real consoles: Anna's goes away with a chat open (no hand-off); after
    orphan_after the chat is back, marked, and Bert accepts it with the full history."""
    from tests.console.conftest import accept_new_chatter, transcript

    anna = await make_staff("anna", display="Anna")
    bert = await make_staff("bert", display="Bert")
    app_a = console_app(settings, relay, clock)
    async with app_a.run_test(size=(80, 24)) as pa:
        ws_a = await sign_in(pa, anna)
        chatter = await accept_new_chatter(pa, ws_a, relay, nickname="Noor")
        assert (await chatter.recv("joined"))["counsellor"] == "Anna"
        await chatter.say("Mijn broer slaat me.", "c1")
        await until(pa, lambda: "Mijn broer slaat me." in transcript(ws_a, chatter.chat))
    # The console is gone without giving the chat back (a crash, a closed terminal): its
    # process would end and the kernel close the socket; here the link is closed at once.
    assert app_a.client is not None
    await app_a.client.close()
    for _ in range(500):
        if not relay.staff.get("anna"):
            break
        await asyncio.sleep(0.01)
    assert not relay.staff.get("anna")
    await chatter.say("Hallo?? Is er iemand?", "c2")
    clock.advance(30)  # a fresh TOTP step for the next login
    app_b = console_app(settings, relay, clock)
    async with app_b.run_test(size=(80, 24)) as pb:
        ws_b = await sign_in(pb, bert)
        clock.advance(relay.settings.orphan_after)
        requeued = await chatter.recv("requeued")
        assert requeued["position"] == 1
        await until(pb, lambda: ws_b.queue_list.entries)
        assert ws_b.queue_list.entries[0].get("returned") is True
        assert "↩ Noor" in str(ws_b.queue_list.get_option_at_index(0).prompt)
        await pb.press("f3")
        await until(pb, lambda: chatter.chat in ws_b.panes)
        shown = transcript(ws_b, chatter.chat)
        assert "Mijn broer slaat me." in shown and "Hallo?? Is er iemand?" in shown
        assert (await chatter.recv("joined"))["counsellor"] == "Bert"
    assert not [f for f in chatter.frames if f.get("type") == "error"]


async def test_alert_list_asks_before_taking_a_colleagues_chat(
    settings: Any, relay: Any, clock: Any, make_staff: Any
) -> None:
    """F2 in the alert list on a chatter waiting for Anna's answer: taken over only after
    ctrl+y (Esc leaves it with her), as F4 on the overview; the names shown literally."""
    from tests.relay.helpers import recv_type

    sofie = await make_staff("sofie", role="supervisor", team=None, display="Sofie")
    anna = await make_staff("anna", display="Anna")
    chatter = await open_chatter(relay, nickname=HOSTILE, region="antwerpen")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot, console(relay, anna) as aw:
        workspace = await sign_in(pilot, sofie)
        await request(aw, {"type": "accept", "chat": chatter.chat}, "assigned")
        await chatter.say("Hallo?? Is er iemand?", "c1")
        clock.advance(3600)
        await until(pilot, lambda: "wacht op antwoord" in line_of(app.screen))
        await pilot.press("ctrl+a")
        await until(pilot, lambda: isinstance(app.screen, AlertsScreen))
        alerts = app.screen
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = str(app.screen.query_one(".dialog-title", Static).render())
        assert "Anna" in question and "[b]x[/b]" in question and "\x1b" not in question
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is alerts)
        assert relay.chats[chatter.chat].counsellor == "anna"
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("ctrl+y")
        await until(pilot, lambda: chatter.chat in workspace.panes)
        await recv_type(aw, "released", chat=chatter.chat)
        assert (await chatter.recv("joined"))["counsellor"] == "Sofie"
        assert relay.chats[chatter.chat].counsellor == "sofie"
