"""Ask a supervisor over a real relay: the alert reaches the supervisors of the team (and
those without one), rings again after 2 minutes of the relay's clock, one answers and the
counsellor hears who; refusals."""

from __future__ import annotations

from typing import Any

from console1712.relay.operations import help as help_ops
from console1712.store import audit
from tests.relay.helpers import chatter, console, expect_error, recv_type, request


async def test_help_request_alerts_rings_and_is_answered(
    relay: Any, make_staff: Any, clock: Any
) -> None:
    anna = await make_staff("anna", display="Anna")
    bert = await make_staff("bert")
    sofie = await make_staff("sofie", role="supervisor", display="Sofie")
    tom = await make_staff("tom", role="supervisor", team="limburg")
    zoe = await make_staff("zoe", role="supervisor", team=None)
    root = await make_staff("root", role="admin", team=None)
    async with (
        console(relay, anna) as aw,
        console(relay, bert) as bw,
        console(relay, sofie) as sw,
        console(relay, tom) as tw,
        console(relay, zoe) as zw,
        console(relay, root) as rw,
        chatter(relay, nickname="Mila") as (_cw, queued),
    ):
        chat = queued["chat"]
        await request(aw, {"type": "accept", "chat": chat}, "assigned")
        await expect_error(bw, {"type": "help_request", "chat": chat}, "not_assigned")
        await expect_error(rw, {"type": "help_request", "chat": chat}, "forbidden")
        await expect_error(aw, {"type": "help_requests"}, "forbidden")
        await expect_error(aw, {"type": "help_request"}, "bad_request")

        sent = await request(aw, {"type": "help_request", "chat": chat}, "help_request_sent")
        assert sent["supervisors"] == 2  # sofie (antwerpen) and zoe (every team)
        for ws in (sw, zw):
            alert = await recv_type(ws, "help_requests", ring=True)
            (entry,) = alert["requests"]
            assert (entry["chat"], entry["counsellor"], entry["name"]) == (chat, "anna", "Anna")
            assert entry["rings"] == 1
        assert (await recv_type(tw, "help_requests"))["requests"] == []  # another team
        listed = await request(zw, {"type": "help_requests"}, "help_requests")
        assert [e["request"] for e in listed["requests"]] == [sent["request"]]

        # Unanswered: one minute is not yet a ring, two minutes are (the relay's clock).
        desk = relay.service(help_ops.HelpDesk)
        clock.advance(60)
        desk.tick()
        assert [r.rings for r in desk.requests.values()] == [1]
        clock.advance(61)
        again = await recv_type(sw, "help_requests", ring=True)
        assert again["requests"][0]["rings"] == 2

        await expect_error(tw, {"type": "help_answer", "request": sent["request"]}, "not_found")
        await expect_error(aw, {"type": "help_answer", "request": sent["request"]}, "forbidden")
        taken = await request(
            sw, {"type": "help_answer", "request": sent["request"]}, "help_answered"
        )
        assert taken["chat"] == chat
        told = await recv_type(aw, "help_answered", chat=chat)
        assert told["by"] == "Sofie"
        assert (await recv_type(zw, "help_requests", ring=False))["requests"] == []
        await expect_error(zw, {"type": "help_answer", "request": sent["request"]}, "not_found")

        # A request goes with its chat.
        await request(aw, {"type": "help_request", "chat": chat}, "help_request_sent")
        await recv_type(zw, "help_requests", ring=True)
        await request(aw, {"type": "end", "chat": chat}, "ended")
        gone = await recv_type(zw, "help_requests", ring=False)
        assert gone["requests"] == []
    logged = [(e.action, e.actor) for e in await audit.entries(relay.db) if "help" in e.action]
    assert logged == [
        ("chat.help_request", "anna"),
        ("chat.help_answer", "sofie"),
        ("chat.help_request", "anna"),
    ]
