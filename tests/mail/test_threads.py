"""Thread matching: references first, then subject from the same sender within 30 days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from console1712.domain.mailparse import parse_mail
from console1712.domain.mailthreads import (
    SubjectCandidate,
    choose_thread,
    normalise_subject,
    reply_subject,
)
from console1712.store import mail as store

from .conftest import Host

T0 = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)


def test_normalise_subject_strips_prefixes_and_tags() -> None:
    assert normalise_subject("Re: Antw: FWD: Hulp  nodig") == "hulp nodig"
    assert normalise_subject("RE[2]: [hulp] Doorst: Vraag") == "vraag"
    assert normalise_subject("Re:Re:re : vraag") == "vraag"
    assert normalise_subject("Regels thuis") == "regels thuis"  # not a prefix
    assert reply_subject("Antw: vraag") == "Antw: vraag"
    assert reply_subject("vraag") == "Re: vraag"


def test_choose_thread_rules() -> None:
    old = SubjectCandidate("t_old", T0 - timedelta(days=31))
    recent = SubjectCandidate("t_new", T0 - timedelta(days=29))
    assert choose_thread(["t_ref"], [recent], T0) == "t_ref"
    assert choose_thread([], [old, recent], T0) == "t_new"
    assert choose_thread([], [old], T0) is None
    assert choose_thread([], [], T0) is None


def raw(msgid: str, subject: str, sender: str = "writer@example.org", **extra: str) -> bytes:
    head = (
        f"From: {sender}\r\nTo: hulp@1712.local\r\nSubject: {subject}\r\nMessage-ID: <{msgid}>\r\n"
    )
    for name, value in extra.items():
        head += f"{name.replace('_', '-')}: {value}\r\n"
    return (head + "\r\nTekst van " + msgid + "\r\n").encode()


async def put(host: Host, data: bytes, at: datetime = T0) -> store.Stored:
    return await store.store_incoming(host.db, parse_mail(data), at, None)


async def test_reply_chain_by_in_reply_to_and_references(host: Host) -> None:
    first = await put(host, raw("1@x", "Vraag"))
    second = await put(host, raw("2@x", "andere titel", In_Reply_To="<1@x>"))
    # Names a parent we never received, and a grandparent we did: joins by References.
    third = await put(host, raw("3@x", "weer anders", References="<1@x> <lost@x>"))
    # A sibling that only names the lost parent still finds the thread through mail_refs.
    fourth = await put(host, raw("4@x", "iets", sender="other@example.org", References="<lost@x>"))
    assert first.new_thread
    assert {second.thread, third.thread, fourth.thread} == {first.thread}
    thread = await store.get_thread(host.db, first.thread)
    assert thread is not None and thread.count == 4


async def test_subject_fallback_same_sender_within_30_days(host: Host) -> None:
    first = await put(host, raw("a@x", "Mijn situatie"))
    again = await put(host, raw("b@x", "Re: mijn situatie"), T0 + timedelta(days=29))
    other = await put(host, raw("c@x", "Re: Mijn situatie", sender="else@example.org"))
    late = await put(host, raw("d@x", "Mijn situatie"), T0 + timedelta(days=29 + 31))
    assert again.thread == first.thread
    assert other.new_thread and other.thread != first.thread
    assert late.new_thread and late.thread != first.thread


async def test_same_message_twice_is_stored_once(host: Host) -> None:
    first = await put(host, raw("dup@x", "Vraag"))
    second = await put(host, raw("dup@x", "Vraag"))
    assert second.duplicate and second.thread == first.thread
    assert (await store.counts(host.db))["messages"] == 1


async def test_open_thread_keeps_the_oldest_due_time(host: Host) -> None:
    first = await put(host, raw("o1@x", "Vraag"))
    later = await put(host, raw("o2@x", "Re: Vraag"), T0 + timedelta(days=1))
    assert later.due_at == first.due_at
