"""The link both clients share, against a real relay: backoff, ids, and messages held until
their ack and sent again, with their ids, on every new connection."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

from console1712.client.link import Backoff, Link, LinkDown
from console1712.client.staff import CONNECTED, RECONNECTING, Incoming, StaffClient
from console1712.protocol import events as ev
from console1712.protocol import frames as p
from tests.relay.helpers import poll, url


def test_backoff_takes_its_steps_then_repeats_the_last() -> None:
    backoff = Backoff((0.1, 0.5, 2.0))
    assert [backoff.next() for _ in range(5)] == [0.1, 0.5, 2.0, 2.0, 2.0]
    backoff.reset()
    assert backoff.next() == 0.1
    with pytest.raises(ValueError):
        Backoff(())


def test_doubling_backoff_with_jitter_waits_half_to_all_of_each_step() -> None:
    assert Backoff.doubling(0.5, 4.0).steps == (0.5, 1.0, 2.0, 4.0)
    assert Backoff.doubling(0.5, 10.0).steps == (0.5, 1.0, 2.0, 4.0, 8.0, 10.0)
    assert Backoff.doubling(1.0, 1.0).steps == (1.0,)
    low = Backoff((0.5, 1.0), jitter=True, rng=lambda: 0.0)
    high = Backoff((0.5, 1.0), jitter=True, rng=lambda: 1.0)
    assert [low.next(), low.next()] == [0.25, 0.5]
    assert [high.next(), high.next()] == [0.5, 1.0]


def test_message_ids_are_unique_per_link_and_differ_between_links() -> None:
    one: Link[str] = Link("ws://127.0.0.1:1/chat", backoff=Backoff((1.0,)))
    two: Link[str] = Link("ws://127.0.0.1:1/chat", backoff=Backoff((1.0,)))
    ids = [one.new_id() for _ in range(100)] + [two.new_id() for _ in range(100)]
    assert len(set(ids)) == 200


async def test_a_link_that_cannot_connect_says_why() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    link: Link[str] = Link(f"ws://127.0.0.1:{port}/chat", backoff=Backoff((0.01,)))
    with pytest.raises(LinkDown) as caught:
        await link.connect()
    assert caught.value.reason == "connection refused"


async def handshake_chat(link: Link[str], token: str | None = None) -> ev.ChatterEvent:
    """Connect a chatter link: welcome, then start (or resume with `token`)."""
    ws = await link.connect()
    assert isinstance(ev.decode_chatter(await ws.recv()), ev.Welcome)
    assert not link.is_ready and not await link.send(p.Typing())  # not before the handshake
    request = p.Start(consent=True) if token is None else p.Resume(token=token)
    assert await link.send(request, ws)
    while True:
        answer = ev.decode_chatter(await asyncio.wait_for(ws.recv(), 10))
        if isinstance(answer, ev.Queued | ev.Resumed):
            link.ready()
            return answer


async def acks(link: Link[str], count: int) -> list[ev.Ack]:
    assert link.ws is not None
    got: list[ev.Ack] = []
    while len(got) < count:
        event = ev.decode_chatter(await asyncio.wait_for(link.ws.recv(), 10))
        if isinstance(event, ev.Ack):
            assert link.acked(event.id) is not None
            got.append(event)
    return got


async def test_unacknowledged_messages_go_again_in_order_with_their_ids(
    relay: Any, make_staff: Any
) -> None:
    link: Link[str] = Link(url(relay, "/chat"), backoff=Backoff((0.01,)))
    queued = await handshake_chat(link)
    assert isinstance(queued, ev.Queued)
    ids = [link.new_id() for _ in range(3)]
    for n, msg_id in enumerate(ids, 1):
        link.hold(msg_id, p.Say(id=msg_id, text=f"bericht {n}"))
    await link.flush()
    await link.flush()  # sent once per connection, however often flushed
    link.abort()  # the network goes; whether the acks were on their way is unknown
    link.down()

    resumed = await handshake_chat(link, queued.resume)
    assert isinstance(resumed, ev.Resumed) and resumed.chat == queued.chat
    assert list(link.unacked) == ids
    await link.flush()
    got = await acks(link, 3)
    assert [a.id for a in got] == ids and [a.seq for a in got] == [1, 2, 3]
    assert link.unacked == {}

    # Stored once each, in order: a counsellor who accepts the chat sees exactly these.
    anna = await make_staff("anna")
    staff = StaffClient(url(relay, "/console"), lambda frame: None)
    await staff.login(anna.name, anna.password, anna.code())
    running = asyncio.create_task(staff.run())
    try:
        assigned = await staff.request(p.Accept(chat=queued.chat))
        assert assigned is not None and assigned["type"] == "assigned"
        texts = [(h["seq"], h["text"]) for h in assigned["history"]]
        assert texts == [(1, "bericht 1"), (2, "bericht 2"), (3, "bericht 3")]
    finally:
        await staff.close()
        await asyncio.gather(running, return_exceptions=True)
        await link.close()


async def test_the_staff_client_resends_a_message_said_while_its_link_was_down(
    relay: Any, make_staff: Any
) -> None:
    chatter: Link[str] = Link(url(relay, "/chat"), backoff=Backoff((0.01,)))
    queued = await handshake_chat(chatter)
    assert isinstance(queued, ev.Queued)
    anna = await make_staff("anna")
    seen: list[Incoming] = []
    states: list[str] = []

    async def no_wait(seconds: float) -> None:
        await asyncio.sleep(0)

    staff = StaffClient(
        url(relay, "/console"), seen.append, states.append, min_backoff=0.01, sleep=no_wait
    )
    session = await staff.login(anna.name, anna.password, anna.code())
    assert isinstance(session, ev.Session) and session.user == "anna" and staff.token
    running = asyncio.create_task(staff.run())
    try:
        assert (await staff.request(p.Accept(chat=queued.chat)) or {}).get("type") == "assigned"
        await staff.drop()
        await poll(lambda: RECONNECTING in states)
        msg_id = await staff.say(queued.chat, "ik ben er nog")  # while the link is down
        assert (queued.chat, msg_id) in staff.pending
        await poll(lambda: not staff.pending)  # re-sent after the re-login, then acked
        assert staff.state == CONNECTED
        ack = next(e for e in seen if isinstance(e, ev.Ack) and e.id == msg_id)
        assert ack.chat == queued.chat
        # The restored chat came back typed, as `assigned`, after the re-login.
        assert sum(isinstance(e, ev.Assigned) and e.chat == queued.chat for e in seen) >= 2
        assert chatter.ws is not None
        while True:
            event = ev.decode_chatter(await asyncio.wait_for(chatter.ws.recv(), 10))
            if isinstance(event, ev.Message):
                assert (event.seq, event.sender, event.text) == (1, "counsellor", "ik ben er nog")
                break
    finally:
        await staff.close()
        await asyncio.gather(running, return_exceptions=True)
        await chatter.close()


async def test_operation_answers_stay_objects_and_chat_frames_arrive_typed(
    relay: Any, make_staff: Any
) -> None:
    anna = await make_staff("anna")
    seen: list[Incoming] = []
    staff = StaffClient(url(relay, "/console"), seen.append)
    await staff.login(anna.name, anna.password, anna.code())
    running = asyncio.create_task(staff.run())
    try:
        reply = await staff.request({"type": "staff"})
        assert reply is not None and reply["type"] == "staff"
        status = await staff.request(p.Status(state="away"))
        assert status is not None and status["type"] == "status" and status["state"] == "away"
        await poll(lambda: any(isinstance(e, ev.Status) and e.state == "away" for e in seen))
        assert any(isinstance(e, ev.Queue) for e in seen)
        assert any(isinstance(e, dict) and e.get("type") == "staff" for e in seen)
    finally:
        await staff.close()
        await asyncio.gather(running, return_exceptions=True)
