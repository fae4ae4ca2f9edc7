"""The staff side of protocol v1: login, queue, accept, say, end, transfer, block, status."""

from __future__ import annotations

import asyncio

from websockets.asyncio.client import connect

from console1712.clock import FakeClock
from tests.relay.helpers import (
    chatter,
    closed_with,
    console,
    expect_error,
    recv,
    recv_type,
    request,
    send,
    url,
)


async def test_login_with_password_and_totp_then_token(relay, make_staff, clock) -> None:
    anna = await make_staff("anna", display="Anna")
    async with connect(url(relay, "/console")) as ws:
        session = await request(ws, {**anna.login_frame(), "ref": "l1"}, "session")
    assert session["user"] == "anna" and session["name"] == "Anna" and session["ref"] == "l1"
    assert session["role"] == "counsellor" and session["team"] == "antwerpen"
    async with connect(url(relay, "/console")) as ws:
        again = await request(ws, {"type": "login", "token": session["token"]}, "session")
    assert again["user"] == "anna" and again["token"] == session["token"]


async def test_auth_failed_is_the_same_for_every_wrong_part(relay, make_staff, clock) -> None:
    anna = await make_staff("anna")
    async with connect(url(relay, "/console")) as ws:
        frames = [
            {**anna.login_frame(), "password": "wrong password"},
            {**anna.login_frame(), "otp": "000000" if anna.code() != "000000" else "111111"},
            {**anna.login_frame(), "user": "nobody"},
            {"type": "login", "token": "not-a-token"},
        ]
        details = {(await expect_error(ws, f, "auth_failed"))["detail"] for f in frames}
    assert len(details) == 1


async def test_a_used_code_is_refused_and_drift_of_one_step_accepted(relay, make_staff) -> None:
    anna = await make_staff("anna")
    async with connect(url(relay, "/console")) as ws:
        await request(ws, {**anna.login_frame(), "otp": anna.code(-1)}, "session")
    async with connect(url(relay, "/console")) as ws:
        await expect_error(ws, {**anna.login_frame(), "otp": anna.code(-1)}, "auth_failed")
        await request(ws, {**anna.login_frame(), "otp": anna.code(1)}, "session")


async def test_lockout_after_five_failures(relay, make_staff, clock: FakeClock) -> None:
    anna = await make_staff("anna")
    async with connect(url(relay, "/console")) as ws:
        for _ in range(5):
            await expect_error(ws, {**anna.login_frame(), "password": "nope nope"}, "auth_failed")
        err = await expect_error(ws, anna.login_frame(), "locked")
        assert err["until"] == "2026-11-26T14:15:00Z"
        clock.advance(15 * 60 + 1)
        await request(ws, anna.login_frame(), "session")


async def test_unauthenticated_before_login_and_connection_stays(relay, make_staff) -> None:
    anna = await make_staff("anna")
    async with connect(url(relay, "/console")) as ws:
        await expect_error(ws, {"type": "accept"}, "unauthenticated")
        err = await expect_error(
            ws, {"type": "say", "chat": "c", "id": "i", "text": "x"}, "unauthenticated"
        )
        assert err["id"] == "i"
        await request(ws, anna.login_frame(), "session")


async def test_no_login_in_time_closes_1008(relay_with) -> None:
    async with relay_with(login_timeout=1) as relay, connect(url(relay, "/console")) as ws:
        assert await closed_with(ws, wait=5) == 1008


async def test_queue_lists_waiting_chats_in_order(relay, make_staff) -> None:
    anna = await make_staff("anna")
    async with (
        chatter(relay, nickname="Een", age=16, gender="meisje", region="limburg") as (_, q1),
        chatter(relay) as (_, q2),
        console(relay, anna) as sw,
    ):
        queue = await recv_type(sw, "queue")
    assert [e["chat"] for e in queue["waiting"]] == [q1["chat"], q2["chat"]]
    first = queue["waiting"][0]
    assert (first["nickname"], first["age"], first["gender"], first["region"]) == (
        "Een",
        16,
        "meisje",
        "limburg",
    )
    assert first["since"] == "2026-11-26T14:00:00Z"
    assert queue["waiting"][1]["nickname"] == "Anoniem"


async def test_accept_next_takes_own_region_first(relay, make_staff) -> None:
    anna = await make_staff("anna", team="limburg")
    async with (
        chatter(relay, region="antwerpen") as (_, q1),
        chatter(relay) as (_, q2),
        chatter(relay, region="limburg") as (_, q3),
        console(relay, anna) as sw,
    ):
        assert (await request(sw, {"type": "accept"}, "assigned"))["chat"] == q3["chat"]
        assert (await request(sw, {"type": "accept"}, "assigned"))["chat"] == q1["chat"]
        assert (await request(sw, {"type": "accept"}, "assigned"))["chat"] == q2["chat"]
        await expect_error(sw, {"type": "accept"}, "not_found")
    row = await relay.db.fetchone("SELECT team, counsellor FROM chats WHERE id = ?", (q1["chat"],))
    assert tuple(row) == ("limburg", "anna")  # the accepting counsellor's team


async def test_accept_race_has_exactly_one_winner(relay, make_staff) -> None:
    anna, bert = await make_staff("anna"), await make_staff("bert")
    for _ in range(3):
        async with chatter(relay) as (cw, q), console(relay, anna) as a, console(relay, bert) as b:
            frame = {"type": "accept", "chat": q["chat"]}
            await asyncio.gather(send(a, frame), send(b, frame))

            async def answer(ws):
                while (f := await recv(ws))["type"] not in ("assigned", "error"):
                    pass
                return f

            results = await asyncio.gather(answer(a), answer(b))
            kinds = sorted(r["type"] if r["type"] == "assigned" else r["code"] for r in results)
            assert kinds == ["assigned", "taken"]
            await recv_type(cw, "joined")
        anna.clock.advance(30)  # a fresh TOTP step for the next logins


async def test_accept_unknown_chat_is_not_found(relay, make_staff) -> None:
    anna = await make_staff("anna")
    async with console(relay, anna) as sw:
        err = await expect_error(sw, {"type": "accept", "chat": "c_nope", "ref": "r"}, "not_found")
    assert err["ref"] == "r"


async def test_admin_is_forbidden_chat_operations(relay, make_staff) -> None:
    root = await make_staff("root", role="admin", team=None)
    async with chatter(relay) as (_, q), console(relay, root) as ws:
        chat = q["chat"]
        for frame in (
            {"type": "accept"},
            {"type": "accept", "chat": chat},
            {"type": "say", "chat": chat, "id": "a", "text": "x"},
            {"type": "end", "chat": chat},
            {"type": "transfer", "chat": chat, "to": "anna"},
            {"type": "block", "chat": chat, "hours": 1, "reason": "x"},
        ):
            await expect_error(ws, frame, "forbidden")
        # admins see no queue (no conversation content)
        await send(ws, {"type": "status", "state": "away"})
        first = await recv_type(ws, "status")
    assert first == {"type": "status", "state": "away"}


async def test_supervisor_may_accept(relay, make_staff) -> None:
    sup = await make_staff("sup", role="supervisor", team=None)
    async with chatter(relay) as (_cw, q), console(relay, sup) as ws:
        assert (await request(ws, {"type": "accept"}, "assigned"))["chat"] == q["chat"]


async def test_say_and_end_on_a_chat_not_yours(relay, make_staff) -> None:
    anna, bert = await make_staff("anna"), await make_staff("bert")
    async with chatter(relay) as (_, q), console(relay, anna) as a, console(relay, bert) as b:
        await request(a, {"type": "accept"}, "assigned")
        chat = q["chat"]
        err = await expect_error(
            b, {"type": "say", "chat": chat, "id": "x", "text": "hi"}, "not_assigned"
        )
        assert err["id"] == "x" and err["chat"] == chat
        await expect_error(b, {"type": "end", "chat": chat}, "not_assigned")
        await expect_error(
            b, {"type": "say", "chat": "c_x", "id": "y", "text": "hi"}, "not_assigned"
        )


async def test_counsellor_ends_chat(relay, make_staff) -> None:
    anna = await make_staff("anna")
    async with chatter(relay) as (cw, q), console(relay, anna) as sw:
        await request(sw, {"type": "accept"}, "assigned")
        assert (await recv_type(cw, "joined"))["counsellor"] == "Anna"
        ended = await request(sw, {"type": "end", "chat": q["chat"], "ref": "e"}, "ended")
        assert ended == {"type": "ended", "chat": q["chat"], "by": "counsellor", "ref": "e"}
        assert await recv_type(cw, "ended") == {"type": "ended", "by": "counsellor"}
        assert await closed_with(cw) == 1000


async def test_transfer_to_a_logged_in_counsellor(relay, make_staff) -> None:
    anna = await make_staff("anna")
    bert = await make_staff("bert", team="limburg", display="Bert")
    async with chatter(relay) as (cw, q), console(relay, anna) as a, console(relay, bert) as b:
        chat = q["chat"]
        await request(a, {"type": "accept"}, "assigned")
        await request(cw, {"type": "say", "id": "1", "text": "hallo"}, "ack")
        await expect_error(a, {"type": "transfer", "chat": chat, "to": "carl"}, "not_found")
        released = await request(a, {"type": "transfer", "chat": chat, "to": "bert"}, "released")
        assert released["chat"] == chat
        assigned = await recv_type(b, "assigned", chat=chat)
        assert [h["text"] for h in assigned["history"]] == ["hallo"]
        assert (await recv_type(cw, "joined", counsellor="Bert"))["counsellor"] == "Bert"
        await request(b, {"type": "say", "chat": chat, "id": "b1", "text": "ik neem over"}, "ack")
        assert (await recv_type(cw, "message"))["text"] == "ik neem over"
        await expect_error(
            a, {"type": "say", "chat": chat, "id": "a9", "text": "x"}, "not_assigned"
        )
    row = await relay.db.fetchone("SELECT team, counsellor FROM chats")
    assert tuple(row) == ("limburg", "bert")


async def test_block_ends_chat_and_refuses_the_address(relay, make_staff) -> None:
    anna = await make_staff("anna")
    async with chatter(relay) as (cw, q), console(relay, anna) as sw:
        await request(sw, {"type": "accept"}, "assigned")
        await expect_error(sw, {"type": "block", "chat": q["chat"], "hours": 0}, "bad_request")
        await send(sw, {"type": "block", "chat": q["chat"], "hours": 24, "reason": "scheldt"})
        assert await recv_type(sw, "ended") == {
            "type": "ended",
            "chat": q["chat"],
            "by": "counsellor",
        }
        assert await recv_type(cw, "ended") == {"type": "ended", "by": "counsellor"}
        assert await closed_with(cw) == 1000
    async with connect(url(relay, "/chat")) as ws:
        await recv_type(ws, "welcome")
        err = await expect_error(ws, {"type": "start", "consent": True}, "blocked")
        assert err["until"] == "2026-11-27T14:00:00Z" and err["alternatives"]
        assert await closed_with(ws) == 1008
    from console1712.store import audit

    entries = await audit.entries(relay.db)
    block = [e for e in entries if e.action == "chat.block"]
    assert block and block[0].actor == "anna" and "scheldt" in (block[0].detail or "")


async def test_block_expires(relay, make_staff, clock: FakeClock) -> None:
    anna = await make_staff("anna")
    async with chatter(relay) as (_cw, q), console(relay, anna) as sw:
        await request(sw, {"type": "accept"}, "assigned")
        await request(sw, {"type": "block", "chat": q["chat"], "hours": 1}, "ended")
    clock.advance(3601)
    async with chatter(relay) as (_, queued):
        assert queued["position"] == 1


async def test_status_is_echoed_and_shown_in_staff_list(relay, make_staff) -> None:
    anna, bert = await make_staff("anna"), await make_staff("bert", display="Bert")
    async with console(relay, anna) as a, console(relay, bert) as b:
        assert await request(a, {"type": "status", "state": "away", "ref": "s"}, "status") == {
            "type": "status",
            "state": "away",
            "ref": "s",
        }
        staff = await request(b, {"type": "staff", "ref": "x"}, "staff")
    by_user = {s["user"]: s for s in staff["staff"]}
    assert by_user["anna"]["status"] == "away" and by_user["bert"]["status"] == "available"
    assert by_user["bert"]["name"] == "Bert" and staff["ref"] == "x"


async def test_reconnecting_console_gets_its_chats_again(relay, make_staff) -> None:
    anna = await make_staff("anna")
    async with chatter(relay) as (cw, q):
        async with connect(url(relay, "/console")) as ws:
            session = await request(ws, anna.login_frame(), "session")
            await request(ws, {"type": "accept"}, "assigned")
            await request(cw, {"type": "say", "id": "1", "text": "nog daar?"}, "ack")
        async with connect(url(relay, "/console")) as ws:
            await send(ws, {"type": "login", "token": session["token"]})
            assigned = await recv_type(ws, "assigned")
    assert assigned["chat"] == q["chat"]
    assert [h["text"] for h in assigned["history"]] == ["nog daar?"]


async def test_presence_away_and_back(relay, make_staff) -> None:
    anna = await make_staff("anna")
    async with console(relay, anna) as sw:
        async with chatter(relay) as (cw, q):
            await request(sw, {"type": "accept"}, "assigned")
        assert await recv_type(sw, "presence") == {
            "type": "presence",
            "chat": q["chat"],
            "state": "away",
        }
        async with connect(url(relay, "/chat")) as cw:
            await recv_type(cw, "welcome")
            resumed = await request(cw, {"type": "resume", "token": q["resume"]}, "resumed")
            assert resumed["counsellor"] == "Anna" and resumed["position"] is None
            back = await recv_type(sw, "presence")
    assert back["state"] == "back"
