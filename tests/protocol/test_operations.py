"""Staff operation requests (protocol/operations.py): every type round-trips, every broken
field is answered as the relay has always answered it, and the request types are exactly the
operations the standard relay is handed."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, get_args, get_origin, get_type_hints

import msgspec
import pytest
from msgspec import UnsetType

from console1712.protocol import operations as po
from console1712.protocol.frames import BadRequest
from console1712.relay.assembly import standard_operations
from console1712.store import dossiers, phone
from console1712.store import mail as mail_store
from tests.relay.helpers import console, recv_type, send

FIELDS = {cls: get_type_hints(cls, include_extras=True) for cls in po.REQUESTS}


def _parts(hint: Any) -> tuple[Any, tuple[Any, ...]]:
    """(the type without Annotated and None, its Annotated metadata)."""
    extras: tuple[Any, ...] = ()
    if get_origin(hint) is Annotated:
        extras = hint.__metadata__
        hint = get_args(hint)[0]
    args = [a for a in get_args(hint) if a not in (type(None), UnsetType)]
    if args and get_origin(hint) is not list and get_origin(hint) is not Literal:
        # a union: str | None, Annotated[int, Meta] | None ...
        (hint,) = args
        if get_origin(hint) is Annotated:
            extras = (*extras, *hint.__metadata__)
            hint = get_args(hint)[0]
    return hint, extras


def good_value(hint: Any) -> Any:
    """A valid value for a field of this type."""
    base, extras = _parts(hint)
    for extra in extras:
        if isinstance(extra, po.Choice):
            return extra.values[-1]
        if isinstance(extra, po.Text):
            return "Een tekst\nover twee regels"
        if isinstance(extra, po.Short):
            return "waarde-1"[: extra.max_len]
        if isinstance(extra, msgspec.Meta) and extra.ge is not None:
            return extra.ge
    if get_origin(base) is Literal:
        return get_args(base)[-1]
    if base is bool:
        return True
    if base is int:
        return 1
    if base is str:
        return "veiligheid"
    if get_origin(base) is list:
        return ["veiligheid"]
    raise AssertionError(f"no example for {hint!r}")


def example(cls: type[po.OpRequest]) -> dict[str, Any]:
    """A frame of `cls` with every field given a valid value."""
    return {"type": po.type_of(cls), **{n: good_value(h) for n, h in FIELDS[cls].items()}}


def required(cls: type[po.OpRequest]) -> list[str]:
    return [f.name for f in msgspec.structs.fields(cls) if f.required]


def field_error(frame: dict[str, Any]) -> str:
    with pytest.raises(BadRequest) as info:
        po.decode_request(frame)
    assert info.value.key == "bad.field"
    return info.value.field


@pytest.mark.parametrize("cls", po.REQUESTS, ids=po.type_of)
def test_every_request_round_trips(cls: type[po.OpRequest]) -> None:
    frame = example(cls)
    request = po.decode_request(json.loads(json.dumps(frame)))
    assert type(request) is cls
    assert po.to_frame(request) == frame
    assert po.decode_request(json.loads(json.dumps(po.to_frame(request)))) == request
    # Only the type and the required fields: the rest keeps its default, and stays out.
    small = {"type": frame["type"], **{n: frame[n] for n in required(cls)}}
    assert po.to_frame(po.decode_request({**small, "ref": "r1", "extra": 1})) == small


@pytest.mark.parametrize("cls", po.REQUESTS, ids=po.type_of)
def test_every_missing_or_wrong_field_names_itself(cls: type[po.OpRequest]) -> None:
    frame = example(cls)
    for name in required(cls):
        assert field_error({k: v for k, v in frame.items() if k != name}) == name
        assert field_error({**frame, name: None}) == name
    for name in FIELDS[cls]:
        assert field_error({**frame, name: {"nested": 1}}) == name
        assert field_error({**frame, name: 2.5}) == name


@pytest.mark.parametrize("cls", po.REQUESTS, ids=po.type_of)
def test_every_rule_of_a_field_is_checked(cls: type[po.OpRequest]) -> None:
    frame = example(cls)
    for name, hint in FIELDS[cls].items():
        base, extras = _parts(hint)
        for extra in extras:
            if isinstance(extra, po.Choice):
                assert field_error({**frame, name: "geen-keuze"}) == name
            if isinstance(extra, po.Short | po.Text):
                assert field_error({**frame, name: "x" * (extra.max_len + 1)}) == name
                assert field_error({**frame, name: "\ud800"}) == name  # lone surrogate
            if isinstance(extra, po.Short) and name in required(cls):
                assert field_error({**frame, name: " \x01 "}) == name  # empty once cleaned
            if isinstance(extra, msgspec.Meta) and extra.ge is not None:
                assert field_error({**frame, name: extra.ge - 1}) == name
                assert field_error({**frame, name: True}) == name  # not a number
                assert field_error({**frame, name: float(extra.ge)}) == name
        if get_origin(base) is Literal:
            assert field_error({**frame, name: "geen-keuze"}) == name
        if base is bool:
            assert field_error({**frame, name: "true"}) == name
        if get_origin(base) is list:
            assert field_error({**frame, name: "veiligheid"}) == name
            assert field_error({**frame, name: [5]}) == name


def test_fields_are_cleaned_as_before() -> None:
    got = po.decode_request({"type": "dossier_search", "query": " \x07Sam\x1b "})
    assert got == po.DossierSearch(query="Sam")
    got = po.decode_request({"type": "note", "chat": "c\x00_1", "text": " Bel\x07 me\n "})
    assert got == po.Note(chat="c_1", text=" Bel me\n ")
    assert po.decode_request({"type": "chat_notes_set", "chat": "c", "text": ""}).text == ""
    assert field_error({"type": "mail_reply", "thread": "t", "text": "\x00"}) == "text"


def test_an_unknown_type_is_bad_type() -> None:
    for frame in ({"type": "say_hello"}, {"type": 5}, {}):
        with pytest.raises(BadRequest) as info:
            po.decode_request(frame)
        assert (info.value.key, info.value.field) == ("bad.type", "")


def test_request_types_are_exactly_the_assembled_operations() -> None:
    assembled = standard_operations()
    assert {op.type for op in assembled} == po.TYPES
    assert {op.request for op in assembled} == set(po.REQUESTS)
    assert len(assembled) == len(po.REQUESTS)


def test_vocabularies_agree_with_the_store() -> None:
    assert get_args(po.MailFilter) == mail_store.FILTERS
    assert get_args(po.DossierKind) == dossiers.KINDS
    assert get_args(po.ReferralTarget) == dossiers.REFERRAL_TARGETS
    assert get_args(po.DossierStatus) == dossiers.STATUSES
    assert po.MAX_PSEUDONYM == dossiers.MAX_PSEUDONYM
    assert po.MAX_PHONE_MINUTES == phone.MAX_MINUTES


async def test_the_relay_answers_a_broken_field_with_its_name_and_ref(relay, make_staff) -> None:
    """Over a real socket: every operation with a required field, that field missing."""
    sup = await make_staff("sofie", role="supervisor")
    async with console(relay, sup) as ws:
        for i, cls in enumerate(po.REQUESTS):
            frame = example(cls)
            for name in required(cls)[:1]:
                ref = f"r{i}"
                await send(ws, {**{k: v for k, v in frame.items() if k != name}, "ref": ref})
                err = await recv_type(ws, "error")
                assert (err["code"], err["ref"]) == ("bad_request", ref), (cls, err)
                assert f"'{name}'" in err["detail"], (cls, err)
            # A good frame in between: bad requests in a row would close the link.
            await send(ws, {"type": "dossier_themes", "ref": "ok"})
            await recv_type(ws, "dossier_themes")


async def test_the_staff_client_sends_a_typed_request(relay, make_staff) -> None:
    import asyncio

    from console1712.client.staff import StaffClient
    from tests.relay.helpers import url

    sup = await make_staff("sofie", role="supervisor")
    client = StaffClient(url(relay, "/console"), lambda frame: None)
    await client.login(sup.name, sup.password, sup.code())
    runner = asyncio.create_task(client.run())
    try:
        reply = await client.request(po.DossierSearch(query="Sam"), wait=10)
        assert reply is not None and reply["type"] == "dossiers" and reply["dossiers"] == []
        reply = await client.request(po.PhoneContact(minutes=0), wait=10)
        assert reply is not None and (reply["type"], reply["code"]) == ("error", "bad_request")
    finally:
        await client.close()
        await runner
