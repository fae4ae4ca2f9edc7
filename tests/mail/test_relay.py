"""Mail through a real relay: SMTP intake as a relay service, operations over /console."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from console1712.relay.services.smtp import MailIntake

from .conftest import plain, send


def smtp_port(relay: Any) -> int:
    (service,) = [s for s in relay._services if isinstance(s, MailIntake)]
    assert service.port
    return service.port


class Staff:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.n = 0

    async def recv(self, kind: str) -> dict[str, Any]:
        async with asyncio.timeout(10):
            while True:
                frame = json.loads(await self.ws.recv())
                if frame.get("type") == kind:
                    return frame

    async def ask(self, frame: dict[str, Any]) -> dict[str, Any]:
        self.n += 1
        ref = f"m{self.n}"
        await self.ws.send(json.dumps({**frame, "ref": ref}))
        async with asyncio.timeout(10):
            while True:
                answer = json.loads(await self.ws.recv())
                if answer.get("ref") == ref:
                    return answer


async def logged_in(relay: Any, login: Any) -> Staff:
    ws = await connect(f"ws://127.0.0.1:{relay.port}/console")
    staff = Staff(ws)
    await ws.send(json.dumps(login.login_frame()))
    assert (await staff.recv("session"))["type"] == "session"
    return staff


async def test_mail_over_a_real_relay(
    relay: Any, make_staff: Callable[..., Awaitable[Any]]
) -> None:
    anna = await logged_in(relay, await make_staff("anna"))
    await send(smtp_port(relay), plain(subject="[b]Hulp[/b]", body="tekst"))
    pushed = await anna.recv("mail_new")
    assert pushed["team"] is None and pushed["new_thread"] is True
    assert "subject" not in pushed and "tekst" not in json.dumps(pushed)
    listed = await anna.ask({"type": "mail_threads"})
    assert [t["thread"] for t in listed["threads"]] == [pushed["thread"]]
    assert listed["threads"][0]["subject"] == "[b]Hulp[/b]"
    opened = await anna.ask({"type": "mail_thread", "thread": pushed["thread"]})
    assert opened["messages"][0]["text"].strip() == "tekst"
    sent = await anna.ask({"type": "mail_reply", "thread": pushed["thread"], "text": "Dag!"})
    assert sent["type"] == "mail_sent" and sent["delivery"] == "outbox"
    assert len(list(relay.settings.outbox_path.glob("*.eml.sealed"))) == 1
    bad = await anna.ask({"type": "mail_threads", "filter": 3})
    assert bad["type"] == "error" and bad["code"] == "bad_request"
    await anna.ws.close()


async def test_admins_get_no_mail(relay: Any, make_staff: Callable[..., Awaitable[Any]]) -> None:
    admin = await logged_in(relay, await make_staff("root", role="admin", team=None))
    answer = await admin.ask({"type": "mail_threads"})
    assert answer["type"] == "error" and answer["code"] == "forbidden"
    await admin.ws.close()
