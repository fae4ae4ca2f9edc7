"""Simulated chatters against a real relay: they queue, answer, drop and resume, leave."""

from __future__ import annotations

import asyncio
from typing import Any

from console1712.devtools.simulate import PERSONAS, Persona, Simulation
from console1712.domain.vocabulary import REGIONS
from tests.devtools.counsellor import Counsellor

DROPPER = Persona(
    key="dropper", nickname="Sam", age=15, gender=None, region="antwerpen", arrive_after=0,
    opening="Hallo?", replies=("Eerste antwoord.", "Tweede antwoord, na de onderbreking."),
    drop_after=1,
)  # fmt: skip
LEAVER = Persona(
    key="leaver", nickname="Lien", age=22, gender="vrouw", region="limburg", arrive_after=0.5,
    opening="Hoi.", replies=("Mijn vriend controleert mijn gsm.",), closing="Dank je, dag.",
    leave_after=1,
)  # fmt: skip


def by_chat(frames: list[dict[str, Any]], chat: str, kind: str) -> list[dict[str, Any]]:
    return [f for f in frames if f["type"] == kind and f.get("chat") == chat]


async def waiting_chat(counsellor: Counsellor, nickname: str) -> str:
    """The id of the waiting chat of `nickname`, once the queue shows it."""

    def shows(f: dict[str, Any]) -> bool:
        return f["type"] == "queue" and any(w["nickname"] == nickname for w in f["waiting"])

    # The latest queue frame may already have been read while waiting for other frames.
    latest = [f for f in counsellor.frames if f["type"] == "queue"][-1:]
    frame = latest[0] if latest and shows(latest[0]) else await counsellor.expect(shows)
    return str(next(w["chat"] for w in frame["waiting"] if w["nickname"] == nickname))


async def test_personas_converse_drop_resume_and_leave(relay: Any, make_staff: Any) -> None:
    staff = await make_staff("anna", display="Sofie")
    counsellor = await Counsellor.login(relay.port, staff.login_frame())
    sim = Simulation(f"ws://127.0.0.1:{relay.port}/chat", [DROPPER, LEAVER], speed=100, seed=1)
    sim.start()
    try:
        # Under load the two may arrive in either order: accept each by name.
        first = await counsellor.accept(await waiting_chat(counsellor, "Sam"))
        assert first["intake"]["nickname"] == "Sam"
        a = first["chat"]
        await counsellor.say(a, "Dag Sam, ik ben Sofie.")
        await counsellor.message("Eerste antwoord.")
        await counsellor.expect(lambda f: f["type"] == "presence" and f["state"] == "away")
        await counsellor.expect(lambda f: f["type"] == "presence" and f["state"] == "back")
        await counsellor.say(a, "Ben je er weer?")
        await counsellor.message("Tweede antwoord, na de onderbreking.")

        second = await counsellor.accept(await waiting_chat(counsellor, "Lien"))
        assert second["intake"] == {
            "nickname": "Lien", "age": 22, "gender": "vrouw", "region": "limburg",
        }  # fmt: skip
        b = second["chat"]
        await counsellor.say(b, "Dag Lien.")
        ended = await counsellor.expect(lambda f: f["type"] == "ended" and f["chat"] == b)
        assert ended["by"] == "chatter"

        await counsellor.send({"type": "end", "chat": a})
        outcomes = {o.persona: o for o in await asyncio.wait_for(sim.wait(), 10)}
    finally:
        await sim.stop()
        await counsellor.close()
    dropper, leaver = outcomes["dropper"], outcomes["leaver"]
    assert (dropper.resumes, dropper.sent, dropper.ended_by) == (1, 3, "counsellor")
    assert (leaver.sent, leaver.ended_by, leaver.error) == (3, "chatter", None)
    texts = counsellor.texts_from_chatter() + [m["text"] for m in second["history"]]
    texts += [m["text"] for m in first["history"]]
    for text in ("Eerste antwoord.", "Tweede antwoord, na de onderbreking.", "Dank je, dag."):
        assert texts.count(text) == 1, (text, texts)


def test_the_demo_cast_is_plausible() -> None:
    assert len(PERSONAS) >= 3
    assert sum(p.arrive_after <= 60 for p in PERSONAS) >= 3
    assert any(p.drop_after for p in PERSONAS) and any(p.leave_after for p in PERSONAS)
    assert {p.region for p in PERSONAS if p.region} <= set(REGIONS)
    assert any(p.region is None and p.nickname is None for p in PERSONAS)  # intake is optional
    for p in PERSONAS:
        assert all(1 <= len(line) <= 4000 for line in (p.opening, *p.replies, p.closing))
