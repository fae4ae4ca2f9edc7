"""Dossier and rights operations over real websockets against a real relay."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from console1712.store import audit
from tests.dossiers.conftest import make_chat
from tests.relay.helpers import recv, recv_type, send, url

_refs = itertools.count(1)


class Staff:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    async def ask(self, frame: dict[str, Any]) -> dict[str, Any]:
        """Send a request with a fresh ref; its direct answer (success or error)."""
        ref = f"t{next(_refs)}"
        await send(self.ws, {**frame, "ref": ref})
        while True:
            answer = await recv(self.ws, wait=5)
            if answer.get("ref") == ref:
                return answer

    async def ok(self, frame: dict[str, Any], kind: str) -> dict[str, Any]:
        answer = await self.ask(frame)
        assert answer["type"] == kind, answer
        return answer

    async def error(self, frame: dict[str, Any], code: str) -> dict[str, Any]:
        answer = await self.ask(frame)
        assert answer["type"] == "error" and answer["code"] == code, answer
        return answer


@pytest.fixture
def login(relay: Any, make_staff: Callable[..., Awaitable[Any]]) -> Callable[..., Any]:
    @asynccontextmanager
    async def open_as(
        name: str, role: str = "counsellor", team: str | None = "antwerpen"
    ) -> AsyncIterator[Staff]:
        who = await make_staff(name, role=role, team=team)
        async with connect(url(relay, "/console")) as ws:
            await send(ws, who.login_frame())
            await recv_type(ws, "session")
            yield Staff(ws)

    return open_as


async def test_counsellor_works_a_dossier(relay: Any, login: Any) -> None:
    chat = await make_chat(relay.db, relay.clock.now(), team="antwerpen")
    async with login("anna") as anna:
        themes = await anna.ok({"type": "dossier_themes"}, "dossier_themes")
        assert {"id": "partner-violence", "label": "partnergeweld"} in themes["themes"]
        made = await anna.ok(
            {"type": "dossier_create", "pseudonym": "Roos", "themes": ["elder-abuse"]}, "dossier"
        )
        code = made["dossier"]["code"]
        assert code == "D-2026-0001" and made["dossier"]["team"] == "antwerpen"
        found = await anna.ok({"type": "dossier_search", "query": "roo"}, "dossiers")
        assert [d["code"] for d in found["dossiers"]] == [code]
        by_theme = await anna.ok({"type": "dossier_search", "theme": "elder-abuse"}, "dossiers")
        assert len(by_theme["dossiers"]) == 1
        first = await anna.ok(
            {"type": "dossier_annotate", "code": code, "kind": "assessment", "text": "laag"},
            "dossier_annotation",
        )
        second = await anna.ok(
            {
                "type": "dossier_annotate",
                "code": code,
                "kind": "assessment",
                "text": "hoog",
                "corrects": first["annotation"]["id"],
            },
            "dossier_annotation",
        )
        assert second["annotation"]["version"] == 2
        await anna.error(
            {
                "type": "dossier_annotate",
                "code": code,
                "kind": "assessment",
                "text": "x",
                "corrects": first["annotation"]["id"],
            },
            "not_latest",
        )
        await anna.error(
            {"type": "dossier_annotate", "code": code, "kind": "referral", "text": "x"},
            "bad_request",
        )
        await anna.ok({"type": "dossier_link", "code": code, "chat": chat}, "dossier_linked")
        closed = await anna.ok(
            {"type": "dossier_status", "code": code, "status": "closed"}, "dossier_changed"
        )
        assert closed["dossier"]["status"] == "closed"
        assert closed["dossier"]["erase_at"].startswith("2036-11-26")
        opened = await anna.ok({"type": "dossier_open", "code": code}, "dossier")
        d = opened["dossier"]
        assert [(a["version"], a["text"], a["current"]) for a in d["annotations"]] == [
            (1, "laag", False),
            (2, "hoog", True),
        ]
        assert [(x["kind"], x["target"]) for x in d["links"]] == [("chat", chat)]
    last = (await audit.entries(relay.db, 1))[0]
    assert (last.actor, last.action, last.object) == ("anna", "dossier.open", code)


async def test_team_scope_and_admins_see_no_content(relay: Any, login: Any) -> None:
    async with login("anna") as anna:
        code = (await anna.ok({"type": "dossier_create", "pseudonym": "Roos"}, "dossier"))[
            "dossier"
        ]["code"]
        await anna.ok(
            {"type": "rights_create", "code": code, "kind": "copy", "note": "brief van 2/11"},
            "rights_request",
        )
    async with login("lies", team="limburg") as lies:
        await lies.error({"type": "dossier_open", "code": code}, "not_found")
        await lies.error({"type": "dossier_open", "code": "D-2026-9999"}, "not_found")
        assert (await lies.ok({"type": "dossier_search"}, "dossiers"))["dossiers"] == []
        listed = await lies.ok({"type": "rights_list"}, "rights_requests")
        assert listed["requests"] == []
    async with login("root", role="admin", team=None) as admin:
        for frame in (
            {"type": "dossier_open", "code": code},
            {"type": "dossier_search"},
            {"type": "dossier_create", "pseudonym": "X"},
        ):
            await admin.error(frame, "forbidden")
        overview = await admin.ok({"type": "rights_list"}, "rights_requests")
        (entry,) = overview["requests"]
        assert entry["code"] == code and entry["due"] == "2026-12-10" and "note" not in entry
    refused = [
        e for e in await audit.entries(relay.db, 10) if e.actor == "lies" and e.action != "login"
    ]
    assert [(e.action, e.outcome) for e in refused] == [
        ("dossier.open", "not_found"),
        ("dossier.open", "not_found"),
    ]


async def test_restriction_and_erasure_through_rights_requests(relay: Any, login: Any) -> None:
    chat = await make_chat(relay.db, relay.clock.now(), team="antwerpen", texts=("geheim",))
    async with login("anna") as anna, login("sofie", role="supervisor") as sofie:
        code = (await anna.ok({"type": "dossier_create", "pseudonym": "Roos"}, "dossier"))[
            "dossier"
        ]["code"]
        await anna.ok({"type": "dossier_link", "code": code, "chat": chat}, "dossier_linked")
        restriction = await anna.ok(
            {"type": "rights_create", "code": code, "kind": "restriction"}, "rights_request"
        )
        await anna.ok(
            {"type": "rights_fulfil", "id": restriction["request"]["id"]}, "rights_fulfilled"
        )
        await anna.error(
            {"type": "dossier_annotate", "code": code, "kind": "note", "text": "x"}, "restricted"
        )
        flagged = await anna.ok({"type": "dossier_search"}, "dossiers")
        assert flagged["dossiers"][0]["restricted"] is True

        erasure = await anna.ok(
            {"type": "rights_create", "code": code, "kind": "erasure"}, "rights_request"
        )
        request_id = erasure["request"]["id"]
        await anna.error({"type": "rights_fulfil", "id": request_id}, "forbidden")
        await anna.error({"type": "dossier_hold", "code": code, "reason": "x"}, "forbidden")
        await sofie.ok(
            {"type": "dossier_hold", "code": code, "reason": "onderzoek"}, "dossier_changed"
        )
        await sofie.error({"type": "rights_fulfil", "id": request_id}, "legal_hold")
        await sofie.ok({"type": "dossier_hold", "code": code}, "dossier_changed")
        done = await sofie.ok({"type": "rights_fulfil", "id": request_id}, "rights_fulfilled")
        assert done["erased"]["chats"] == 1 and done["request"]["status"] == "done"
        await anna.error({"type": "dossier_open", "code": code}, "not_found")
    assert await relay.db.fetchone("SELECT 1 FROM chats WHERE id = ?", (chat,)) is None


async def test_copy_and_portability_answers(relay: Any, login: Any) -> None:
    async with login("anna") as anna:
        code = (await anna.ok({"type": "dossier_create", "pseudonym": "Roos"}, "dossier"))[
            "dossier"
        ]["code"]
        copy = await anna.ok(
            {"type": "rights_create", "code": code, "kind": "copy"}, "rights_request"
        )
        port = await anna.ok(
            {"type": "rights_create", "code": code, "kind": "portability"}, "rights_request"
        )
        text = await anna.ok(
            {"type": "rights_fulfil", "id": copy["request"]["id"]}, "rights_fulfilled"
        )
        assert text["export"].startswith(f"Kopie van dossier {code}")
        data = await anna.ok(
            {"type": "rights_fulfil", "id": port["request"]["id"]}, "rights_fulfilled"
        )
        assert data["export"]["format"] == "console1712-dossier"
        await anna.error({"type": "rights_fulfil", "id": port["request"]["id"]}, "not_open")
