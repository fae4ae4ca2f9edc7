"""Relay killed and restarted: the console says so, keeps input, restores tabs, loses nothing."""

from __future__ import annotations

import json

from websockets.asyncio.client import connect

from tests.console.conftest import (
    accept_new_chatter,
    console_app,
    sign_in,
    transcript,
    until,
)
from tests.relay.helpers import standard_relay


async def test_reconnect_restores_tabs_and_resends_without_duplicates(
    settings, relay, clock, make_staff
) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        chatter = await accept_new_chatter(pilot, ws, relay, nickname="Robin")
        pane = ws.panes[chatter.chat]
        await chatter.recv("joined")
        await chatter.say("voor de storing", "c1")
        await pilot.press(*"antwoord een", "enter")
        await until(pilot, lambda: "antwoord een" in transcript(ws, chatter.chat))
        await until(pilot, lambda: not pane.pending_lines())

        settings.port = relay.port
        await relay.stop()
        await until(pilot, lambda: ws.status.connection == "reconnecting")
        assert "verbinding verbroken, opnieuw verbinden" in str(ws.status.render())
        # Sent while the relay is gone: shown as pending, kept for re-sending.
        await pilot.press(*"antwoord twee", "enter")
        assert [line.text for line in pane.pending_lines()] == ["antwoord twee"]
        await pilot.press(*"nog niet verzonden")  # typed, not sent: must survive

        second = standard_relay(settings, clock)
        await second.start()
        try:
            await until(pilot, lambda: ws.status.connection == "connected", limit=15)
            await until(pilot, lambda: not pane.pending_lines())
            assert pane.input.text == "nog niet verzonden"
            assert ws.panes[chatter.chat] is pane and pane.state.open
            text = transcript(ws, chatter.chat)
            for line in ("voor de storing", "antwoord een", "antwoord twee"):
                assert text.count(line) == 1, text

            # The relay's own record: the chatter resumes from the start and gets every
            # counsellor message exactly once, in order.
            async with connect(f"ws://127.0.0.1:{second.port}/chat") as back:
                await back.recv()
                await back.send(json.dumps({"type": "resume", "token": chatter.resume, "after": 0}))
                resumed = json.loads(await back.recv())
                assert resumed["type"] == "resumed"
                texts = []
                while len(texts) < 2:
                    frame = json.loads(await back.recv())
                    if frame["type"] == "message":
                        texts.append(frame["text"])
                assert texts == ["antwoord een", "antwoord twee"]
                await back.send(json.dumps({"type": "say", "id": "c2", "text": "weer terug"}))
                await until(pilot, lambda: "weer terug" in transcript(ws, chatter.chat))
            assert transcript(ws, chatter.chat).count("voor de storing") == 1
        finally:
            await second.stop()


async def test_chat_that_ended_while_disconnected_is_marked_ended(
    settings, relay, clock, make_staff
) -> None:
    anna = await make_staff("anna")
    app = console_app(settings, relay, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        ws = await sign_in(pilot, anna)
        chatter = await accept_new_chatter(pilot, ws, relay, nickname="Robin")
        pane = ws.panes[chatter.chat]
        await chatter.recv("joined")
        await chatter.ws.close()  # the chatter drops without leaving
        await until(pilot, lambda: pane.state.away)

        settings.port = relay.port
        await relay.stop()
        await until(pilot, lambda: ws.status.connection == "reconnecting")
        # The resume window runs out while relay and console are apart: the new relay ends
        # the chat at start, and no `ended` frame can reach this console.
        clock.advance(301)
        second = standard_relay(settings, clock)
        await second.start()
        try:
            await until(pilot, lambda: ws.status.connection == "connected", limit=15)
            await until(pilot, lambda: pane.state.ended is not None)
            assert "beëindigd" in transcript(ws, chatter.chat)
        finally:
            await second.stop()
