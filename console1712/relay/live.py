"""What the relay keeps in memory about a chat that has not ended."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from console1712.clock import to_rfc3339
from console1712.relay.ratelimit import RateLimiter
from console1712.store.chats import Intake, Message

if TYPE_CHECKING:
    from console1712.relay.connections import ChatterConn


@dataclass(eq=False)
class LiveChat:
    """A chat that has not ended, as the relay keeps it in memory."""

    id: str
    state: str  # "waiting" | "assigned"
    since: datetime
    intake: Intake
    address_hash: str
    resume_hash: str
    counsellor: str | None = None
    team: str | None = None
    conn: ChatterConn | None = None
    dropped_at: datetime | None = None
    next_seq: int = 1
    delivered: int = 0  # highest seq in `messages` (committed and relayed in order)
    messages: list[Message] = field(default_factory=list)
    committed: dict[int, Message] = field(default_factory=dict)  # waiting for a lower seq
    skipped: set[int] = field(default_factory=set)  # seqs whose write failed (relay fault)
    ids: dict[tuple[str, str], asyncio.Future[int]] = field(default_factory=dict)
    pending: set[asyncio.Future[int]] = field(default_factory=set)
    rate: RateLimiter = field(default_factory=RateLimiter)
    hold: bool = False  # accept/transfer being stored: the new counsellor gets it after
    readers: set[str] = field(default_factory=set)  # supervisors reading along (issue 7)
    # monotonic times `typing` was last passed on, each way (at most one a second each way)
    typing_to_staff: float = -1e9
    typing_to_chatter: float = -1e9
    # the counsellor has had no console open since (None: connected); see Relay.requeue
    orphaned_at: datetime | None = None
    returned: bool = False  # waiting again after a counsellor left it: front of the queue
    first: str | None = None  # the first line the chatter wrote while waiting (queue triage)

    def history(self) -> list[dict[str, Any]]:
        return [message_entry(m) for m in self.messages]


def message_entry(m: Message) -> dict[str, Any]:
    return {
        "seq": m.seq,
        "from": "chatter" if m.from_chatter else "counsellor",
        "text": m.text,
        "at": to_rfc3339(m.at),
    }
