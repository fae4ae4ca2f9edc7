"""The chatter client against a real relay: say/ack, drops and resumes, no loss, no doubles."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from console1712.client.chatter import ChatterClient, ClientEvent, ConnectFailed
from console1712.clock import FakeClock
from console1712.protocol import events as ev
from tests.devtools.counsellor import Counsellor

Events = list[ClientEvent]


async def next_of(client: ChatterClient, kind: str, seen: Events, within: float = 10) -> Any:
    """The next event of `kind` (others are kept in `seen`)."""
    async with asyncio.timeout(within):
        while True:
            event = await client.next_event()
            seen.append(event)
            if event.type == kind:
                return event


async def chat_with_counsellor(
    relay: Any, make_staff: Callable[..., Awaitable[Any]]
) -> tuple[ChatterClient, Counsellor, str, Events]:
    staff = await make_staff("anna", display="Sofie")
    counsellor = await Counsellor.login(relay.port, staff.login_frame())
    client = ChatterClient(f"ws://127.0.0.1:{relay.port}/chat", backoff=(0.05,))
    welcome = await client.connect()
    assert isinstance(welcome, ev.Welcome) and welcome.open is True
    queued = await client.start(nickname="Sam", age=15, region="antwerpen")
    assert queued.position == 1 and client.token == queued.resume
    assigned = await counsellor.accept(queued.chat)
    assert assigned["type"] == "assigned"
    seen: Events = []
    joined = await next_of(client, "joined", seen)
    assert joined.counsellor == "Sofie" and client.counsellor == "Sofie"
    return client, counsellor, queued.chat, seen


async def test_say_is_acked_and_counsellor_messages_arrive(relay: Any, make_staff: Any) -> None:
    client, counsellor, chat, seen = await chat_with_counsellor(relay, make_staff)
    seq = await client.say("Hallo, ik heb een vraag")
    assert seq == 1
    got = await counsellor.message("Hallo, ik heb een vraag")
    assert got["seq"] == 1 and got["chat"] == chat
    await counsellor.say(chat, "Dag Sam, ik luister.")
    message = await next_of(client, "message", seen)
    assert message.text == "Dag Sam, ik luister." and message.seq == 2
    assert client.last_seq == 2
    ended = await client.leave()
    assert ended.by == "chatter"
    assert (await counsellor.expect(lambda f: f["type"] == "ended"))["by"] == "chatter"
    await client.close()
    await counsellor.close()


async def test_drop_resume_delivers_missed_messages_without_loss_or_doubles(
    relay: Any, make_staff: Any
) -> None:
    client, counsellor, chat, seen = await chat_with_counsellor(relay, make_staff)
    await client.say("een")
    await counsellor.say(chat, "twee")
    await next_of(client, "message", seen)

    # The network goes away; the client stays away for a moment before resuming.
    await client.drop(hold=0.3)
    await next_of(client, "dropped", seen)
    await counsellor.expect(lambda f: f["type"] == "presence" and f["state"] == "away")
    missed = await counsellor.say(chat, "drie, terwijl je weg was")
    sending = asyncio.create_task(client.say("vier, getypt tijdens de onderbreking"))
    also = asyncio.create_task(client.say("vier-b"))

    resumed = await next_of(client, "resumed", seen)
    assert resumed.counsellor == "Sofie"
    message = await next_of(client, "message", seen)
    assert (message.seq, message.text) == (missed, "drie, terwijl je weg was")
    seq_vier = await sending
    assert await also == seq_vier + 1  # messages typed during a drop keep their order
    # A message whose ack may be lost in the drop is sent again with the same id.
    racing = asyncio.create_task(client.say("vijf"))
    await asyncio.sleep(0)
    await client.drop()
    seq_vijf = await racing
    await client.say("zes")
    await counsellor.message("zes")

    texts = counsellor.texts_from_chatter()
    for text in ("een", "vier, getypt tijdens de onderbreking", "vier-b", "vijf", "zes"):
        assert texts.count(text) == 1, (text, texts)
    seqs = [f["seq"] for f in counsellor.frames if f["type"] == "message"] + [1, 2, missed]
    assert sorted(set(seqs)) == list(range(1, max(seqs) + 1))  # no gaps
    assert seq_vier < seq_vijf
    assert client.resumes == 2
    assert [e.text for e in seen if isinstance(e, ev.Message)] == [
        "twee", "drie, terwijl je weg was",
    ]  # fmt: skip
    await client.close()
    await counsellor.close()


async def test_resume_after_the_window_is_lost(
    relay: Any, make_staff: Any, clock: FakeClock
) -> None:
    client, counsellor, _chat, seen = await chat_with_counsellor(relay, make_staff)
    await client.drop(hold=0.2)
    await next_of(client, "dropped", seen)
    await counsellor.expect(lambda f: f["type"] == "presence" and f["state"] == "away")
    clock.advance(relay.settings.resume_window + 1)
    lost = await next_of(client, "lost", seen)
    assert lost.code == "expired"
    assert any(isinstance(e, ev.Error) and e.code == "expired" for e in seen)
    assert client.finished
    await counsellor.close()


async def test_chat_ended_by_counsellor_while_away_answers_the_resume_with_ended(
    relay: Any, make_staff: Any
) -> None:
    client, counsellor, chat, seen = await chat_with_counsellor(relay, make_staff)
    await client.drop(hold=0.3)
    await next_of(client, "dropped", seen)
    await counsellor.send({"type": "end", "chat": chat})
    await counsellor.expect(lambda f: f["type"] == "ended")
    ended = await next_of(client, "ended", seen)
    assert ended.by == "counsellor" and client.ended_by == "counsellor"
    await client.close()
    await counsellor.close()


async def test_unreachable_relay_fails_with_a_clear_reason(unused_port: int) -> None:
    client = ChatterClient(f"ws://127.0.0.1:{unused_port}/chat")
    try:
        await client.connect()
    except ConnectFailed as exc:
        assert exc.detail == "connection refused"
    else:  # pragma: no cover
        raise AssertionError("connected to a closed port")


async def test_rate_limited_messages_are_sent_again_when_allowed(
    relay: Any, make_staff: Any, clock: FakeClock
) -> None:
    client, counsellor, _chat, seen = await chat_with_counsellor(relay, make_staff)
    texts = [f"bericht {n}" for n in range(1, 7)]
    sending = [asyncio.create_task(client.say(text)) for text in texts]
    limited = await next_of(client, "error", seen)
    assert limited.code == "rate_limited" and limited.retry_after >= 1
    clock.advance(limited.retry_after)  # the relay's window moves on; the client retries
    seqs = await asyncio.gather(*sending)
    assert len(set(seqs)) == 6
    await counsellor.message("bericht 6")
    assert sorted(counsellor.texts_from_chatter()) == sorted(texts)
    await client.close()
    await counsellor.close()


async def test_a_drop_while_waiting_keeps_the_place_in_the_queue(
    relay: Any, make_staff: Any
) -> None:
    staff = await make_staff("anna", display="Sofie")
    counsellor = await Counsellor.login(relay.port, staff.login_frame())
    client = ChatterClient(f"ws://127.0.0.1:{relay.port}/chat", backoff=(0.05,))
    await client.connect()
    queued = await client.start(nickname="Sam")
    seen: Events = []
    await client.drop(hold=0.1)
    resumed = await next_of(client, "resumed", seen)
    assert (resumed.chat, resumed.counsellor, resumed.position) == (
        queued.chat, None, 1,
    )  # fmt: skip
    assert resumed.resume != queued.resume and client.token == resumed.resume
    assert (await counsellor.accept())["chat"] == queued.chat
    assert (await next_of(client, "joined", seen)).counsellor == "Sofie"
    await client.close()
    await counsellor.close()
