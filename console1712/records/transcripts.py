"""Anonymised chat transcripts for training and quality (policy 3.6, 3.7).

Each ended chat becomes one record: a running number (not the chat id), the month it
started, and its messages with identifiers replaced by typed tags (domain/scrub.py). The
chat's nickname and the names and aliases of the staff in it are passed to the scrubber as
known names. No intake, no times beyond the month, no ids.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, time

from console1712.domain.scrub import scrub
from console1712.domain.vocabulary import BRUSSELS
from console1712.store import accounts
from console1712.store.chats import ended_chats, transcript
from console1712.store.db import Database

GENERIC_ALIASES = frozenset({"hulpverlener", "supervisor", "anoniem", ""})


async def anonymised_transcripts(
    db: Database, since: date | None = None
) -> AsyncIterator[dict[str, object]]:
    """One dict per ended chat started on or after `since` (Brussels date), oldest first."""
    start = None if since is None else datetime.combine(since, time(0), tzinfo=BRUSSELS)
    aliases: dict[str, str] = {}
    for number, chat in enumerate(await ended_chats(db, start), start=1):
        messages = await transcript(db, chat.id)
        staff = {m.sender for m in messages if not m.from_chatter}
        if chat.counsellor:
            staff.add(chat.counsellor)
        names = [chat.nickname]
        for name in staff:
            if name not in aliases:
                account = await accounts.get_account(db, name)
                aliases[name] = account.display if account else ""
            names += [name, aliases[name]]
        # The default alias is a job title, not a name.
        names = [n for n in names if n.strip().lower() not in GENERIC_ALIASES]
        yield {
            "transcript": number,
            "month": chat.since.astimezone(BRUSSELS).strftime("%Y-%m"),
            "messages": [
                {
                    "from": "chatter" if m.from_chatter else "counsellor",
                    "text": scrub(m.text, names),
                }
                for m in messages
            ],
        }
