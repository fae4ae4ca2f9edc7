"""The console's Mail screen against a real relay: list, view, reply; hostile text stays text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.content import Content
from textual.widgets import Label, ListView, Static, TextArea

from console1712.config import Settings
from console1712.screens.mail import MailScreen
from console1712.store.crypto import read_key_file
from console1712.store.mail import open_outbox
from tests.console.conftest import console_app, sign_in, until

from .conftest import send
from .test_relay import smtp_port


def sealed_reply(settings: Settings, path: Path) -> bytes:
    return open_outbox(read_key_file(settings.key_path), path)


NASTY = ["[@click=app.quit]x[/]", "[/b]", "[link=http://x]y[/link]", "[TODO]",
         "a\x1b]0;title\x07b", "c\x1b[2Jd"]  # fmt: skip


def q(text: str) -> str:
    """RFC 2047 Q-encoding of any text (so control characters survive the trip)."""
    return "=?utf-8?q?" + "".join(f"={b:02X}" for b in text.encode()) + "?="


def hostile_mail() -> bytes:
    subject = " ".join(NASTY)
    name = "[@click=app.quit]N[/] \x1b[2J"
    body = "\r\n".join(NASTY)
    return (
        f"From: {q(name)} <evil@example.org>\r\nTo: hulp@1712.local\r\n"
        f"Subject: {q(subject)}\r\nMessage-ID: <evil@x>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        f"{body}\r\n"
    ).encode()


def shown(text: str) -> str:
    return text.replace("\x1b", "").replace("\x07", "")


def rows(screen: MailScreen) -> list[Content]:
    view = screen.query_one("#mail-list", ListView)
    return [item.query_one(Label).render() for item in view.children]  # type: ignore[misc]


def no_actions(content: Content) -> bool:
    return not any("@click" in str(s.style) or "link" in str(s.style) for s in content.spans)


async def open_mail(pilot: Any) -> MailScreen:
    await pilot.press("ctrl+l")
    await until(pilot, lambda: isinstance(pilot.app.screen, MailScreen))
    screen = pilot.app.screen
    assert isinstance(screen, MailScreen)
    return screen


async def test_hostile_mail_is_shown_literally(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna")
    await send(smtp_port(relay), hostile_mail(), sender="evil@example.org")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, anna)
        screen = await open_mail(pilot)
        await until(pilot, lambda: len(screen.entries) == 1)
        await pilot.pause()
        (row,) = rows(screen)
        assert "evil@example.org" in row.plain
        assert "[@click=app.quit]x[/] [/b]" in row.plain and no_actions(row)
        await pilot.press("enter")
        body = screen.query_one("#mail-body", Static)
        await until(pilot, lambda: "c[2Jd" in str(body.render()))
        content = body.render()
        assert isinstance(content, Content) and no_actions(content)
        for text in NASTY:
            assert shown(text) in content.plain
        assert "[@click=app.quit]N[/] [2J <evil@example.org>" in content.plain
        assert "\x1b" not in content.plain and "\x07" not in content.plain
        await pilot.pause()
        assert app.is_running


async def test_reply_with_confirmation_and_urgency(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna")
    port = smtp_port(relay)
    from .conftest import plain

    await send(port, plain(subject="eerste", msgid="<e1@x>"))
    clock.advance(86400)
    await send(
        port,
        plain(subject="tweede", msgid="<e2@x>", sender="b@example.org"),
        sender="b@example.org",
    )
    clock.advance(4 * 86400 - 4 * 3600)  # Tuesday 1 Dec 10:00 UTC
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, anna)
        screen = await open_mail(pilot)
        await until(pilot, lambda: len(screen.entries) == 2)
        await pilot.pause()
        items = list(screen.query_one("#mail-list", ListView).children)
        assert items[0].has_class("overdue") and "eerste" in rows(screen)[0].plain
        assert items[1].has_class("due-today") and "tweede" in rows(screen)[1].plain
        await pilot.press("enter")
        await until(pilot, lambda: screen.current is not None)
        await pilot.press("f4")
        editor = screen.query_one("#mail-reply", TextArea)
        assert editor.has_focus
        editor.insert("Beste,\nwe lezen je mail.")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
        await pilot.press("ctrl+y")
        outbox = settings.outbox_path
        await until(pilot, lambda: outbox.exists() and any(outbox.glob("*.eml.sealed")))
        await until(pilot, lambda: len(screen.entries) == 1)  # the open list lost it
        assert editor.text == "" and not editor.display
        (eml,) = outbox.glob("*.eml.sealed")
        assert b"we lezen je mail." not in eml.read_bytes()  # sealed at rest
        assert b"we lezen je mail." in sealed_reply(settings, eml)
        # The answered thread's registration form follows (tests/mail/test_screen_registration.py).
        await until(pilot, lambda: type(app.screen).__name__ == "RegistrationScreen")
        await pilot.press("escape")  # later
        await until(pilot, lambda: app.screen is screen)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, MailScreen))


async def test_the_mail_stays_readable_while_replying(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna")
    from .conftest import plain

    await send(smtp_port(relay), plain(subject="lang verhaal", msgid="<r1@x>"))
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, anna)
        screen = await open_mail(pilot)
        await until(pilot, lambda: len(screen.entries) == 1)
        heading = str(screen.query_one("#mail-heading", Static).render())
        assert heading.endswith("1 mailgesprek")  # one, not "1 threads"
        columns = str(screen.query_one("#mail-columns", Static).render())
        assert columns.split() == ["Uiterlijk", "Ontvangen", "Afzender", "Onderwerp"]
        await pilot.press("enter")
        await until(pilot, lambda: screen.current is not None)
        view = screen.query_one("#mail-view")
        listed_rows = view.size.height
        await pilot.press("f4")
        editor = screen.query_one("#mail-reply", TextArea)
        await until(pilot, lambda: editor.has_focus)
        await pilot.press(*"Dag,")
        await pilot.pause()
        # While replying at 80x24 the list gives its rows to the mail being answered.
        assert not screen.query_one("#mail-list", ListView).display
        assert view.size.height > listed_rows
        await pilot.press("escape")
        await pilot.pause()
        assert screen.query_one("#mail-list", ListView).display
        assert editor.text == "Dag,"  # the draft is kept
