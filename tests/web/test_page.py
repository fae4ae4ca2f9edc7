"""The chatters' web page in a real Chromium against a real relay and a scripted counsellor."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.async_api import Page, expect
from websockets.asyncio.client import ClientConnection

from console1712.clock import FakeClock
from console1712.domain.vocabulary import REGIONS
from console1712.relay.server import Relay
from tests.relay.helpers import chatter, console, recv, recv_type, request, send, until_dropped
from tests.web.conftest import base_url

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def open_page(page: Page, relay: Relay) -> None:
    await page.goto(base_url(relay))
    await expect(page.locator("#open-state")).not_to_have_text("Verbinden…")


async def start_chat(page: Page, relay: Relay, **intake: str) -> str:
    """Fill in the welcome form (consent and any intake) and start; the new chat's id."""
    await open_page(page, relay)
    for field, value in intake.items():
        if field == "region":
            await page.select_option("#region", value)
        else:
            await page.fill(f"#{field}", value)
    await page.check("#consent")
    await page.click("#start")
    await expect(page.locator("#chat-state")).to_contain_text("plaats 1")
    (chat_id,) = relay.chats
    return chat_id


async def accept(ws: ClientConnection, chat_id: str) -> dict[str, Any]:
    return await request(ws, {"type": "accept", "chat": chat_id}, "assigned")


async def say(ws: ClientConnection, chat_id: str, msg_id: str, text: str) -> int:
    ack = await request(ws, {"type": "say", "chat": chat_id, "id": msg_id, "text": text}, "ack")
    seq = ack["seq"]
    assert isinstance(seq, int)
    return seq


async def session_keys(page: Page) -> int:
    count = await page.evaluate("sessionStorage.length")
    assert isinstance(count, int)
    return count


async def test_consent_is_required_before_anything_is_stored(page: Page, relay: Relay) -> None:
    await open_page(page, relay)
    await expect(page.locator("#open-state")).to_contain_text("De chat is nu open")
    await expect(page.locator("#hours")).to_have_text(
        "Chaturen: maandag tot donderdag, 13:00-17:00 en 18:00-22:00 (Belgische tijd)."
    )
    # Limits from the protocol, on the fields.
    assert await page.get_attribute("#message", "maxlength") == "4000"
    assert await page.get_attribute("#nickname", "maxlength") == "40"
    assert await page.get_attribute("#age", "min") == "5"
    assert await page.get_attribute("#age", "max") == "120"
    options = await page.locator("#region option").evaluate_all("os => os.map(o => o.value)")
    assert options == ["", *REGIONS]
    # The button works from the start: pressing it without consent says why, on the checkbox.
    await expect(page.locator("#start")).to_be_enabled()
    await expect(page.get_by_role("link", name="privacyverklaring")).to_have_attribute(
        "href", "https://www.1712.be"
    )
    await expect(page.locator(".consent")).to_contain_text("6 maanden")
    await expect(page.locator("#consent")).not_to_have_attribute("aria-invalid", "true")
    await page.click("#start")
    await expect(page.locator("#consent-error")).to_be_visible()
    await expect(page.locator("#consent")).to_be_focused()
    await expect(page.locator("#consent")).to_have_attribute("aria-invalid", "true")
    # The error is the checkbox's description, so a screen reader reads it on focus.
    await expect(page.locator("#consent")).to_have_accessible_description(
        "Vink eerst aan dat je akkoord gaat. Zonder jouw akkoord kunnen we geen gesprek starten."
    )
    assert relay.chats == {}
    rows = await relay.db.fetchall("SELECT count(*) FROM chats")
    assert rows[0][0] == 0
    await page.keyboard.press("Space")  # focus is on the checkbox: tick it
    await expect(page.locator("#consent-error")).to_be_hidden()
    await expect(page.locator("#consent")).not_to_have_attribute("aria-invalid", "true")
    await page.keyboard.press("Enter")  # submits the form from the checkbox
    await expect(page.locator("#chat-state")).to_contain_text("plaats 1")
    assert len(relay.chats) == 1


async def test_full_chat_with_a_counsellor(page: Page, relay: Relay, make_staff: Any) -> None:
    anna = await make_staff("anna", display="Anna")
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    chat_id = await start_chat(page, relay, nickname="Mila", age="15", region="limburg")
    async with console(relay, anna) as ws:
        queue = await recv_type(ws, "queue")
        assert queue["waiting"][0]["nickname"] == "Mila"
        assigned = await accept(ws, chat_id)
        assert assigned["intake"] == {
            "nickname": "Mila",
            "age": 15,
            "gender": None,
            "region": "limburg",
        }
        await expect(page.locator("#chat-state")).to_have_text("Je praat met Anna.")
        await expect(page.locator(".msg.system")).to_have_text("Anna praat nu met je.")

        # The chatter types (the counsellor sees it) and sends with Enter.
        await page.locator("#message").press_sequentially("Hallo")
        await recv_type(ws, "typing", chat=chat_id)
        await page.locator("#message").press_sequentially(", ik wil iets vertellen")
        await page.locator("#message").press("Enter")
        got = await recv_type(ws, "message", chat=chat_id)
        assert got["text"] == "Hallo, ik wil iets vertellen"
        assert got["from"] == "chatter"
        mine = page.locator(".msg.me")
        await expect(mine).to_have_count(1)
        await expect(mine.locator(".state")).to_have_text("verstuurd")
        await expect(page.locator("#message")).to_have_value("")

        # The counsellor types and answers: the page shows both, with the alias.
        await send(ws, {"type": "typing", "chat": chat_id})
        await expect(page.locator("#typing")).to_have_text("Anna is aan het typen…")
        await say(ws, chat_id, "c1", "Dag Mila, ik luister.\nVertel maar.")
        theirs = page.locator(".msg.them")
        await expect(theirs.locator(".text")).to_have_text("Dag Mila, ik luister.\nVertel maar.")
        await expect(theirs.locator(".who")).to_have_text("Anna")
        await expect(page.locator("#typing")).to_have_text("")
        # New messages are announced by the transcript's live region.
        assert await page.get_attribute("#transcript", "aria-live") == "polite"

        await request(ws, {"type": "end", "chat": chat_id}, "ended")
        await expect(page.locator("#ended-reason")).to_contain_text(
            "De hulpverlener heeft het gesprek beëindigd."
        )
        alternatives = page.locator("#alternatives-list li")
        await expect(alternatives).to_have_count(4)
        await expect(page.locator("#alternatives")).to_contain_text("112")
        await expect(page.locator("#compose")).to_be_hidden()
        assert await session_keys(page) == 0
    # No CSP violation and no script error (the same-origin websocket is allowed by 'self').
    assert problems == []


async def test_reload_resumes_with_missed_messages(
    page: Page, relay: Relay, make_staff: Any
) -> None:
    anna = await make_staff("anna", display="Anna")
    chat_id = await start_chat(page, relay)
    async with console(relay, anna) as ws:
        await accept(ws, chat_id)
        await page.fill("#message", "eerste bericht")
        await page.click("#send")
        await recv_type(ws, "message", chat=chat_id)
        await say(ws, chat_id, "c1", "antwoord 1")
        await expect(page.locator(".msg.them")).to_have_count(1)

        # Away from the page (the tab keeps its sessionStorage); the counsellor goes on.
        await page.goto("about:blank")
        await recv_type(ws, "presence", chat=chat_id, state="away")
        await until_dropped(relay, chat_id)
        await say(ws, chat_id, "c2", "gemist 2")
        await say(ws, chat_id, "c3", "gemist 3")
        await page.goto(base_url(relay))
        await recv_type(ws, "presence", chat=chat_id, state="back")
        texts = page.locator(".msg.them .text")
        await expect(texts).to_have_text(["antwoord 1", "gemist 2", "gemist 3"])
        await expect(page.locator(".msg.me .text")).to_have_text(["eerste bericht"])
        await expect(page.locator("#chat-state")).to_have_text("Je praat met Anna.")

        # A real reload while the counsellor writes: every message shown exactly once.
        reload = asyncio.ensure_future(page.reload())
        await say(ws, chat_id, "c4", "tijdens herladen")
        await reload
        await expect(texts).to_have_text(["antwoord 1", "gemist 2", "gemist 3", "tijdens herladen"])
        await say(ws, chat_id, "c5", "na herladen")
        await expect(texts).to_have_count(5)

        # Leaving asks for confirmation first; "Nee" keeps the chat.
        await page.click("#leave")
        await expect(page.locator("#confirm-leave")).to_be_visible()
        await page.click("#confirm-no")
        await expect(page.locator("#confirm-leave")).to_be_hidden()
        await page.click("#leave")
        await page.click("#confirm-yes")
        ended = await recv_type(ws, "ended", chat=chat_id)
        assert ended["by"] == "chatter"
        await expect(page.locator("#ended-reason")).to_contain_text("Je hebt het gesprek beëindigd")
        await expect(page.locator("#alternatives")).to_be_visible()
        assert await session_keys(page) == 0


async def test_after_the_window_a_clear_message_and_a_fresh_start(
    page: Page, relay: Relay, clock: FakeClock
) -> None:
    relay.settings.resume_window = 120  # the page says what the relay does
    chat_id = await start_chat(page, relay)
    await page.goto("about:blank")
    await until_dropped(relay, chat_id)
    clock.advance(relay.settings.resume_window + 1)
    await page.goto(base_url(relay))
    await expect(page.locator("#notice")).to_contain_text("kon niet meer hervat worden")
    await expect(page.locator("#notice")).to_contain_text("langer dan 2 minuten weg")
    await expect(page.locator("#start-form")).to_be_visible()
    await expect(page.locator("#chat")).to_be_hidden()
    assert await session_keys(page) == 0
    await page.check("#consent")
    await page.click("#start")
    await expect(page.locator("#chat-state")).to_contain_text("plaats 1")
    await expect(page.locator(".msg")).to_have_count(0)


async def test_closed_hours_show_next_opening_and_alternatives(
    page: Page, relay: Relay, clock: FakeClock
) -> None:
    # Saturday 28 November 2026, 13:00 in Brussels: next opening Monday 13:00.
    clock.set(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))
    await open_page(page, relay)
    await expect(page.locator("#open-state")).to_have_text(
        "De chat is nu gesloten. Hij gaat weer open op maandag 30 november om 13:00."
    )
    await expect(page.locator("#start-form")).to_be_hidden()
    links = page.locator("#alternatives-list a")
    await expect(links).to_have_count(4)
    hrefs = [await link.get_attribute("href") for link in await links.all()]
    assert {"tel:1712", "tel:112", "tel:101"} <= set(hrefs)
    await expect(page.locator("#alternatives")).to_contain_text("9-18")


@pytest.mark.parametrize("how", ["button", "escape-twice"])
async def test_quick_exit_ends_chat_clears_storage_and_replaces_page(
    page: Page, relay: Relay, make_staff: Any, how: str
) -> None:
    exit_url = f"http://127.0.0.1:{relay.port}/healthz"
    relay.settings.exit_url = exit_url
    anna = await make_staff("anna")
    chat_id = await start_chat(page, relay)
    assert await session_keys(page) == 1
    history_before = await page.evaluate("history.length")
    async with console(relay, anna) as ws:
        await accept(ws, chat_id)
        await expect(page.locator("#chat-state")).to_have_text("Je praat met Anna.")
        if how == "button":
            await page.click("#quick-exit")
        else:
            await page.locator("#message").press("Escape")
            await page.locator("#message").press("Escape")
        await page.wait_for_url(exit_url)
        ended = await recv_type(ws, "ended", chat=chat_id)
        assert ended["by"] == "chatter"
    assert await page.evaluate("history.length") == history_before
    assert await session_keys(page) == 0  # same origin as the page: its storage is gone
    # Back leads to what came before the chat page (the new tab's blank page), not to it.
    await page.go_back()
    assert page.url != base_url(relay)
    assert await page.locator("#chat").count() == 0


async def test_one_escape_does_not_exit(page: Page, relay: Relay) -> None:
    await start_chat(page, relay)
    await page.locator("#message").press("Escape")
    # The page still works after a single Escape: a message goes out and is acknowledged.
    await page.fill("#message", "nog hier")
    await page.press("#message", "Enter")
    await expect(page.locator(".msg.me .state")).to_have_text("verstuurd")
    assert page.url == base_url(relay)


async def test_markup_from_the_counsellor_is_shown_as_text(
    page: Page, relay: Relay, make_staff: Any
) -> None:
    alias = "<b>Anna</b> {name} $&"  # markup, and fields and patterns of the page's own texts
    anna = await make_staff("anna", display=alias)
    chat_id = await start_chat(page, relay)
    script = "<script>window.pwned=1</script>"
    image = '<img src=x onerror="window.pwned=2">'
    async with console(relay, anna) as ws:
        await accept(ws, chat_id)
        await say(ws, chat_id, "x1", script)
        await say(ws, chat_id, "x2", image)
        texts = page.locator(".msg.them .text")
        await expect(texts).to_have_text([script, image])
        await expect(page.locator(".msg.them .who").first).to_have_text(alias)
        await expect(page.locator(".msg.system")).to_have_text(f"{alias} praat nu met je.")
        await expect(page.locator("#chat-state")).to_have_text(f"Je praat met {alias}.")
        await send(ws, {"type": "typing", "chat": chat_id})
        await expect(page.locator("#typing")).to_have_text(f"{alias} is aan het typen…")
        # Shown again in the other language: still literal.
        await page.click("#lang-switch")
        await expect(page.locator("#chat-state")).to_have_text(f"You are talking with {alias}.")
    assert await page.evaluate("typeof window.pwned") == "undefined"
    assert await page.locator("#transcript img, #transcript script, #transcript b").count() == 0


async def test_dropped_network_reconnects_and_resends_pending(
    page: Page, relay: Relay, make_staff: Any
) -> None:
    anna = await make_staff("anna", display="Anna")
    chat_id = await start_chat(page, relay)
    async with console(relay, anna) as ws:
        await accept(ws, chat_id)
        await expect(page.locator("#chat-state")).to_have_text("Je praat met Anna.")
        # Cut the chatter's connection at the relay's end, as a network drop would.
        chat = relay.chats[chat_id]
        assert chat.conn is not None
        chat.conn.ws.transport.abort()
        await recv_type(ws, "presence", chat=chat_id, state="away")
        await say(ws, chat_id, "c1", "ben je er nog?")
        await recv_type(ws, "presence", chat=chat_id, state="back")
        await expect(page.locator(".msg.them .text")).to_have_text(["ben je er nog?"])
        await expect(page.locator("#connection")).to_have_text("")
        await page.fill("#message", "ja, terug")
        await page.press("#message", "Enter")
        got = await recv_type(ws, "message", chat=chat_id)
        assert got["text"] == "ja, terug"


async def test_keyboard_only_at_phone_width(page: Page, relay: Relay, make_staff: Any) -> None:
    await open_page(page, relay)
    # Nothing sticks out sideways on a 360 px wide phone.
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    for label in ("Schuilnaam", "Leeftijd", "Provincie", "Gender"):
        await expect(page.get_by_label(label)).to_be_editable()
    order = []
    for _ in range(8):
        await page.keyboard.press("Tab")
        order.append(
            await page.evaluate("document.activeElement.id || document.activeElement.tagName")
        )
    assert order[:8] == [
        "quick-exit",
        "lang-switch",
        "A",
        "consent",
        "nickname",
        "age",
        "region",
        "gender",
    ]
    await page.focus("#consent")
    await page.keyboard.press("Space")
    for _ in range(4):
        await page.keyboard.press("Tab")
    await page.keyboard.type("Sam")  # the gender field
    await page.keyboard.press("Tab")
    await expect(page.locator("#start")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.locator("#message")).to_be_focused()
    (chat_id,) = relay.chats
    assert relay.chats[chat_id].intake.gender == "Sam"
    await page.keyboard.type("via het toetsenbord")
    await page.keyboard.press("Enter")
    await expect(page.locator(".msg.me .state")).to_have_text("verstuurd")


async def test_queue_position_follows_the_queue(page: Page, relay: Relay, make_staff: Any) -> None:
    anna = await make_staff("anna")

    async with chatter(relay) as (_, first), console(relay, anna) as ws:
        await open_page(page, relay)
        await page.check("#consent")
        await page.click("#start")
        await expect(page.locator("#chat-state")).to_contain_text("plaats 2")
        await accept(ws, first["chat"])
        await expect(page.locator("#chat-state")).to_contain_text("plaats 1")


async def test_a_chat_given_back_tells_the_chatter_plainly(
    page: Page, relay: Relay, make_staff: Any
) -> None:
    anna = await make_staff("anna", display="Anna")
    bert = await make_staff("bert", display="Bert")
    chat_id = await start_chat(page, relay, nickname="Mila")
    async with console(relay, anna) as aw:
        await accept(aw, chat_id)
        await expect(page.locator("#chat-state")).to_have_text("Je praat met Anna.")
        await request(aw, {"type": "chat_return", "chat": chat_id}, "chat_returned")
    notice = page.locator(".msg.system").last
    await expect(notice).to_contain_text("een andere hulpverlener neemt het zo over")
    await expect(page.locator("#chat-state")).to_contain_text("plaats 1")
    async with console(relay, bert) as bw:
        await accept(bw, chat_id)
        await expect(page.locator("#chat-state")).to_have_text("Je praat met Bert.")


async def test_blocked_chatter_sees_alternatives_and_cannot_restart(
    page: Page, relay: Relay, make_staff: Any
) -> None:
    anna = await make_staff("anna")
    chat_id = await start_chat(page, relay)
    async with console(relay, anna) as ws:
        await accept(ws, chat_id)
        block = {"type": "block", "chat": chat_id, "hours": 2, "reason": "test"}
        await request(ws, block, "ended")
    await expect(page.locator("#ended-reason")).to_contain_text("De hulpverlener heeft")
    await page.click("#restart")
    await expect(page.locator("#start-form")).to_be_visible()
    await expect(page.locator("#consent")).not_to_be_checked()
    await page.check("#consent")
    await page.click("#start")
    await expect(page.locator("#ended-reason")).to_contain_text("Je kunt tijdelijk niet chatten")
    await expect(page.locator("#ended-reason")).to_contain_text("om 17:00")
    await expect(page.locator("#alternatives-list li")).to_have_count(4)
    await expect(page.locator("#restart")).to_be_hidden()
    rows = await relay.db.fetchall("SELECT count(*) FROM chats")
    assert rows[0][0] == 1  # the refused start stored nothing


async def frames_until(ws: ClientConnection, kind: str, chat_id: str) -> list[str]:
    """The types of the frames for this chat up to and including the next `kind`."""
    seen: list[str] = []
    while not seen or seen[-1] != kind:
        frame = await recv(ws)
        if frame.get("chat") == chat_id:
            seen.append(str(frame["type"]))
    return seen


async def test_chatter_typing_goes_out_at_most_once_per_3_seconds(
    page: Page, relay: Relay, clock: FakeClock, make_staff: Any
) -> None:
    anna = await make_staff("anna", display="Anna")
    # The page's clock stands still unless the test moves it (the relay's: the FakeClock).
    # A fixed start, not the real time: pause_at can only move the page's clock forward.
    await page.clock.install(time=datetime(2026, 12, 1, 13, 0, tzinfo=UTC))
    chat_id = await start_chat(page, relay)
    await page.clock.pause_at(datetime(2026, 12, 1, 14, 0, tzinfo=UTC))
    box = page.locator("#message")
    async with console(relay, anna) as ws:
        await accept(ws, chat_id)
        await expect(page.locator("#chat-state")).to_have_text("Je praat met Anna.")
        await box.press_sequentially("Hal")
        assert await frames_until(ws, "typing", chat_id) == ["typing"]
        # 2.9 s later: keys and messages, but no `typing` (sending one does not reset the count).
        await page.clock.run_for(2900)
        clock.advance(2.9)
        await box.press_sequentially("lo")
        await box.press("Enter")
        await box.press_sequentially("ja")
        await box.press("Enter")
        assert await frames_until(ws, "message", chat_id) == ["message"]
        assert await frames_until(ws, "message", chat_id) == ["message"]
        # 3 s after the first: the next key sends one again.
        await page.clock.run_for(100)
        clock.advance(0.1)
        await box.press_sequentially("daar")
        await box.press("Enter")
        assert await frames_until(ws, "message", chat_id) == ["typing", "message"]


async def test_counsellor_typing_shown_then_gone(page: Page, relay: Relay, make_staff: Any) -> None:
    anna = await make_staff("anna", display="Anna")
    await page.clock.install()
    chat_id = await start_chat(page, relay)
    async with console(relay, anna) as ws:
        await accept(ws, chat_id)
        await expect(page.locator("#chat-state")).to_have_text("Je praat met Anna.")
        await send(ws, {"type": "typing", "chat": chat_id})
        typing = page.locator("#typing")
        await expect(typing).to_have_text("Anna is aan het typen…")
        # Not announced on every keystroke: the indicator is no live region.
        assert await typing.get_attribute("aria-live") == "off"
        await page.clock.run_for(5000)  # no word from Anna for 5 s: the indicator goes
        await expect(typing).to_have_text("")


async def test_too_many_waiting_from_one_network_says_when_to_try_again(
    page: Page, relay: Relay
) -> None:
    relay.settings.max_waiting_per_address = 1
    await start_chat(page, relay)  # the one place this address may hold
    second = await page.context.browser.new_context(locale="nl-BE")  # another tab, same host
    try:
        other = await second.new_page()
        await open_page(other, relay)
        await other.check("#consent")
        await other.click("#start")
        error = other.locator("#intake-error")
        await expect(error).to_contain_text("Vanaf jouw netwerk wachten al een paar chats")
        await expect(error).to_contain_text("minuten")
        await expect(other.locator("#start")).to_be_enabled()  # may try again later
        assert len(relay.waiting) == 1
    finally:
        await second.close()
