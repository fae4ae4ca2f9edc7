"""Anonymous chats and their messages: every personal value sealed, writes as group-commit jobs.

The relay keeps live chats in memory and calls these functions to make each change durable;
`load_open_chats` rebuilds that memory after a restart.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from console1712.clock import from_rfc3339, to_rfc3339
from console1712.store.crypto import KeyRing
from console1712.store.db import Database, Tx

CHATTER = ""  # the `sender` of a chatter's message; staff messages carry the account name


def new_chat_id() -> str:
    return "c_" + secrets.token_urlsafe(9)


def new_token() -> str:
    """A resume token for a chatter (shown once, stored only as a hash)."""
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    # Tokens are 192 random bits: a plain SHA-256 is enough, no key or salt needed.
    return hashlib.sha256(token.encode()).hexdigest()


def client_id_hash(db: Database, chat: str, client_id: str) -> str:
    """Client ids are chosen by the client and may carry text: keep only a keyed hash."""
    return db.keys.keyed_hash("client-id", f"{chat}:{client_id}")


@dataclass(frozen=True)
class Intake:
    """What a chatter told about themselves at start (all optional but the nickname)."""

    nickname: str = "Anoniem"
    age: int | None = None
    gender: str | None = None
    region: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "nickname": self.nickname,
            "age": self.age,
            "gender": self.gender,
            "region": self.region,
        }


@dataclass(slots=True)  # one per message: not frozen (3x the cost to make)
class Message:
    """One stored chat message; `sender` is CHATTER or a staff account name."""

    seq: int
    sender: str
    client_id: str  # keyed hash
    text: str
    at: datetime

    @property
    def from_chatter(self) -> bool:
        return self.sender == CHATTER


@dataclass
class StoredChat:
    """A chat that is not ended, as the database holds it."""

    id: str
    state: str
    since: datetime
    intake: Intake
    team: str | None
    counsellor: str | None
    address_hash: str
    resume_hash: str
    dropped_at: datetime | None
    messages: list[Message] = field(default_factory=list)
    returned: bool = False  # waiting again after a counsellor left it (front of the queue)


@dataclass(frozen=True)
class EndedInfo:
    """What a resume token of a finished chat still tells: who ended it."""

    id: str
    state: str
    ended_by: str | None


def _seal(tx_or_db: Tx | Database, value: str | None, column: str, row: str) -> bytes | None:
    return tx_or_db.keys.seal_opt(value, "chats", column, row)


async def create_chat(
    db: Database,
    chat_id: str,
    at: datetime,
    intake: Intake,
    address: str,
    address_hash: str,
    resume_hash: str,
) -> None:
    """Store a new waiting chat (only ever called after consent)."""

    async def job(tx: Tx) -> None:
        await tx.execute(
            "INSERT INTO chats (id, state, since, nickname, age, gender, region, address,"
            " address_hash, resume_hash) VALUES (?, 'waiting', ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                chat_id,
                to_rfc3339(at),
                _seal(tx, intake.nickname, "nickname", chat_id),
                _seal(tx, None if intake.age is None else str(intake.age), "age", chat_id),
                _seal(tx, intake.gender, "gender", chat_id),
                _seal(tx, intake.region, "region", chat_id),
                _seal(tx, address, "address", chat_id),
                address_hash,
                resume_hash,
            ),
        )

    await db.write(job)


INSERT_MESSAGE = (
    "INSERT INTO chat_messages (chat, seq, sender, client_id, at, text) VALUES (?, ?, ?, ?, ?, ?)"
)


def message_row(keys: KeyRing, chat_id: str, m: Message) -> tuple[object, ...]:
    """The values of INSERT_MESSAGE for one message, its text sealed to its row."""
    sealed = keys.seal(m.text, "chat_messages", "text", f"{chat_id}:{m.seq}")
    return (chat_id, m.seq, m.sender, m.client_id, to_rfc3339(m.at), sealed)


def message_job(
    chat_id: str, seq: int, sender: str, client_id: str, text: str, at: datetime
) -> Callable[[Tx], Awaitable[None]]:
    """The write job for one message; the relay allocates `seq` and queues jobs in order."""
    message = Message(seq, sender, client_id, text, at)

    async def job(tx: Tx) -> None:
        # Deferred: a group commit writes all its messages with one executemany.
        tx.defer(INSERT_MESSAGE, message_row(tx.keys, chat_id, message))

    return job


class MessageBatch:
    """One write job for many messages (of any chats), filled until the writer takes it.

    The relay's hot path: one job and one future per group commit instead of one per
    message. `add` while `open`; the writer runs the job (`open` turns False) and writes
    every row, in the order added, with the batch's other deferred rows."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, Message]] = []  # (chat id, message), in seq order per chat
        self.open = True

    def add(self, chat_id: str, message: Message) -> None:
        assert self.open, "the writer has taken this batch"
        self.messages.append((chat_id, message))

    async def __call__(self, tx: Tx) -> None:
        self.open = False
        for chat_id, m in self.messages:
            tx.defer(INSERT_MESSAGE, message_row(tx.keys, chat_id, m))


async def add_message(
    db: Database, chat_id: str, seq: int, sender: str, client_id: str, text: str, at: datetime
) -> None:
    """Store one message in the next group commit; returns once it is durable."""
    await db.write(message_job(chat_id, seq, sender, client_id, text, at))


async def assign(
    db: Database, chat_id: str, counsellor: str, team: str | None, at: datetime
) -> None:
    """The chat now belongs to `counsellor` and their team (accept and transfer)."""

    async def job(tx: Tx) -> None:
        await assign_in(tx, chat_id, counsellor, team, at)

    await db.write(job)


async def assign_in(tx: Tx, chat_id: str, counsellor: str, team: str | None, at: datetime) -> None:
    """`assign` inside a larger job (a transfer is audited in the same transaction)."""
    await tx.execute(
        "UPDATE chats SET state = 'assigned', counsellor = ?, team = ?,"
        " accepted_at = COALESCE(accepted_at, ?) WHERE id = ? AND state <> 'ended'",
        (counsellor, team, to_rfc3339(at), chat_id),
    )


async def requeue(db: Database, chat_id: str, at: datetime) -> None:
    """The counsellor left the chat (gone, or gave it back): waiting again, history kept.

    A waiting chat with `accepted_at` set is a returned one: it goes first in the queue,
    also after a restart (`load_open_chats`), with no column of its own."""

    async def job(tx: Tx) -> None:
        await requeue_in(tx, chat_id)

    await db.write(job)


async def requeue_in(tx: Tx, chat_id: str) -> None:
    """`requeue` inside a larger job (audited in the same transaction)."""
    await tx.execute(
        "UPDATE chats SET state = 'waiting', counsellor = NULL WHERE id = ? AND state = 'assigned'",
        (chat_id,),
    )


async def set_dropped(db: Database, chat_id: str, at: datetime | None) -> None:
    """Record when the chatter's connection dropped (None: connected again)."""

    async def job(tx: Tx) -> None:
        await tx.execute(
            "UPDATE chats SET dropped_at = ? WHERE id = ?",
            (None if at is None else to_rfc3339(at), chat_id),
        )

    await db.write(job)


async def resumed(db: Database, chat_id: str, resume_hash: str) -> None:
    """The chatter is back: connected, with a new resume token (the old one is spent)."""

    async def job(tx: Tx) -> None:
        await tx.execute(
            "UPDATE chats SET dropped_at = NULL, resume_hash = ? WHERE id = ?",
            (resume_hash, chat_id),
        )

    await db.write(job)


async def end_in(tx: Tx, chat_id: str, by: str, at: datetime) -> None:
    """End a chat inside a larger job (block)."""
    await tx.execute(
        "UPDATE chats SET state = 'ended', ended_by = ?, ended_at = ? WHERE id = ?"
        " AND state <> 'ended'",
        (by, to_rfc3339(at), chat_id),
    )


async def end_chat(db: Database, chat_id: str, by: str, at: datetime) -> None:
    """End a chat: `by` is chatter, counsellor or timeout."""

    async def job(tx: Tx) -> None:
        await end_in(tx, chat_id, by, at)

    await db.write(job)


async def mark_all_dropped(db: Database, at: datetime) -> int:
    """At relay start: every chatter connection counts as dropped now (unless dropped before)."""

    async def job(tx: Tx) -> int:
        return await tx.execute(
            "UPDATE chats SET dropped_at = ? WHERE state <> 'ended' AND dropped_at IS NULL",
            (to_rfc3339(at),),
        )

    return await db.write(job)


async def load_open_chats(db: Database) -> list[StoredChat]:
    """Every chat not ended, in queue order (longest waiting first), with its messages."""
    keys = db.keys
    rows = await db.fetchall(
        "SELECT id, state, since, nickname, age, gender, region, team, counsellor,"
        " address_hash, resume_hash, dropped_at, accepted_at FROM chats WHERE state <> 'ended'"
        # returned chats (waiting again after an accept) go to the front of the queue
        " ORDER BY (state = 'waiting' AND accepted_at IS NOT NULL) DESC, since, rowid"
    )
    chats: dict[str, StoredChat] = {}
    for r in rows:
        cid = r["id"]
        age = keys.open_opt(r["age"], "chats", "age", cid)
        chats[cid] = StoredChat(
            id=cid,
            state=r["state"],
            since=from_rfc3339(r["since"]),
            intake=Intake(
                nickname=keys.open(r["nickname"], "chats", "nickname", cid),
                age=None if age is None else int(age),
                gender=keys.open_opt(r["gender"], "chats", "gender", cid),
                region=keys.open_opt(r["region"], "chats", "region", cid),
            ),
            team=r["team"],
            counsellor=r["counsellor"],
            address_hash=r["address_hash"],
            resume_hash=r["resume_hash"],
            dropped_at=None if r["dropped_at"] is None else from_rfc3339(r["dropped_at"]),
            returned=r["state"] == "waiting" and r["accepted_at"] is not None,
        )
    if chats:
        msgs = await db.fetchall(
            "SELECT m.chat, m.seq, m.sender, m.client_id, m.at, m.text FROM chat_messages m"
            " JOIN chats c ON c.id = m.chat WHERE c.state <> 'ended' ORDER BY m.chat, m.seq"
        )
        for m in msgs:
            chat = chats.get(m["chat"])
            if chat is None:
                continue
            chat.messages.append(
                Message(
                    seq=m["seq"],
                    sender=m["sender"],
                    client_id=m["client_id"],
                    text=keys.open(m["text"], "chat_messages", "text", f"{m['chat']}:{m['seq']}"),
                    at=from_rfc3339(m["at"]),
                )
            )
    return list(chats.values())


async def find_by_resume(db: Database, resume_hash: str) -> EndedInfo | None:
    """The chat a (hashed) resume token belongs to, also when it has ended."""
    row = await db.fetchone(
        "SELECT id, state, ended_by FROM chats WHERE resume_hash = ?", (resume_hash,)
    )
    return None if row is None else EndedInfo(row["id"], row["state"], row["ended_by"])


async def transcript(db: Database, chat_id: str) -> list[Message]:
    """Every message of one chat, in order, opened."""
    rows = await db.fetchall(
        "SELECT seq, sender, client_id, at, text FROM chat_messages WHERE chat = ? ORDER BY seq",
        (chat_id,),
    )
    return [
        Message(
            seq=r["seq"],
            sender=r["sender"],
            client_id=r["client_id"],
            text=db.keys.open(r["text"], "chat_messages", "text", f"{chat_id}:{r['seq']}"),
            at=from_rfc3339(r["at"]),
        )
        for r in rows
    ]


@dataclass(frozen=True)
class EndedChat:
    """An ended chat as the anonymised transcripts see it: no intake, no address."""

    id: str
    since: datetime
    nickname: str
    counsellor: str | None


async def ended_chats(db: Database, since: datetime | None = None) -> list[EndedChat]:
    """Ended chats started at or after `since`, oldest first; the nickname opened."""
    rows = await db.fetchall(
        "SELECT id, since, nickname, counsellor FROM chats WHERE state = 'ended' AND since >= ?"
        " ORDER BY since, id",
        ("" if since is None else to_rfc3339(since),),
    )
    return [
        EndedChat(
            id=r["id"],
            since=from_rfc3339(r["since"]),
            nickname=db.keys.open(r["nickname"], "chats", "nickname", r["id"]),
            counsellor=r["counsellor"],
        )
        for r in rows
    ]
