"""Phone contacts: registered with codes only, validated, audited."""

from __future__ import annotations

from console1712.store import audit, phone
from tests.relay.helpers import console, expect_error, request


async def test_register_phone_contact(relay, make_staff) -> None:
    anna = await make_staff("anna")
    async with console(relay, anna) as aw:
        saved = await request(
            aw,
            {
                "type": "phone_contact",
                "date": "2026-11-25",
                "minutes": 25,
                "region": "limburg",
                "age_band": "12-17",
                "gender": "female",
                "theme": "child-abuse-sexual",
            },
            "phone_contact_saved",
        )
        today = await request(aw, {"type": "phone_contact", "minutes": 5}, "phone_contact_saved")
        assert today["date"] == "2026-11-26"
        for bad in (
            {"minutes": 0},
            {"minutes": 601},
            {"minutes": 5, "date": "2026-11-27"},  # in the future
            {"minutes": 5, "date": "gisteren"},
            {"minutes": 5, "age_band": "10-20"},
            {"minutes": 5, "theme": "vrije tekst"},
            {"minutes": 5, "region": "nederland"},
        ):
            await expect_error(aw, {"type": "phone_contact", **bad}, "bad_request")

    calls = await phone.for_year(relay.db, 2026)
    assert [(c.id, c.minutes, c.region, c.age_band, c.gender, c.theme) for c in calls] == [
        (saved["id"], 25, "limburg", "12-17", "female", "child-abuse-sexual"),
        (today["id"], 5, "unknown", "unknown", "unknown", "unknown"),
    ]
    logged = [e for e in await audit.entries(relay.db) if e.action == "phone.register"]
    assert [e.object for e in logged] == [saved["id"], today["id"]]


async def test_admin_cannot_register(relay, make_staff) -> None:
    root = await make_staff("root", role="admin", team=None)
    async with console(relay, root) as ws:
        await expect_error(ws, {"type": "phone_contact", "minutes": 5}, "forbidden")
