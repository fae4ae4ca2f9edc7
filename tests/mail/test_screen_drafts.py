"""Mail drafts are kept per thread for the whole session: across threads and screens, until
sent or emptied; leaving a thread with a draft says so. F8 does not mean "dossier" here."""

from __future__ import annotations

from textual.widgets import ListView, TextArea

from console1712.screens.workspace import WorkspaceScreen
from tests.console.conftest import console_app, sign_in, until

from .conftest import plain, send
from .test_relay import smtp_port
from .test_screen import open_mail


async def test_drafts_kept_per_thread_across_screens(settings, relay, clock, make_staff) -> None:
    anna = await make_staff("anna")
    await send(smtp_port(relay), plain(subject="Eerste vraag", msgid="<d1@x>"))
    await send(smtp_port(relay), plain(subject="Tweede vraag", msgid="<d2@x>"))
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, anna)
        mail = await open_mail(pilot)
        await until(pilot, lambda: len(mail.entries) == 2)
        first, second = (str(e["thread"]) for e in mail.entries)
        listing = mail.query_one("#mail-list", ListView)
        editor = mail.query_one("#mail-reply", TextArea)
        listing.focus()
        await pilot.press("enter")
        await until(pilot, lambda: mail._shown_id() == first)
        await pilot.press("f4", *"Beste, dank voor je mail")
        assert app.mail_drafts == {first: "Beste, dank voor je mail"}
        await pilot.press("escape")  # editor -> list, the draft stays
        listing.index = 1
        await pilot.press("enter")
        await until(pilot, lambda: mail._shown_id() == second)
        # Said in a notification (toast); read from the app's list of notifications.
        await until(pilot, lambda: any("is bewaard" in n.message for n in app._notifications))
        assert editor.text == "" and not editor.display
        await pilot.press("f8")  # ends chats in the workspace; not a dossier key here
        assert app.screen is mail
        await pilot.press("escape")  # leave the mail screen: drafts kept for the session
        await until(pilot, lambda: isinstance(app.screen, WorkspaceScreen))
        mail = await open_mail(pilot)
        await until(pilot, lambda: len(mail.entries) == 2)
        mail.query_one("#mail-list", ListView).focus()
        await pilot.press("enter")
        await until(pilot, lambda: mail._shown_id() == first)
        editor = mail.query_one("#mail-reply", TextArea)
        await until(pilot, lambda: editor.text == "Beste, dank voor je mail" and editor.display)
        editor.focus()
        editor.move_cursor(editor.document.end)
        await pilot.press(*["backspace"] * len("Beste, dank voor je mail"))  # emptied: discarded
        await until(pilot, lambda: app.mail_drafts == {})
