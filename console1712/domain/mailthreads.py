"""Which thread a mail belongs to: its Message-ID references first, then its subject.

Rule (issue 5): a mail joins the thread of any message it names in In-Reply-To or
References (or whose Message-ID it repeats); otherwise the thread with the same
normalised subject from the same sender whose last incoming mail is at most 30 days old;
otherwise it starts a new thread.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

SUBJECT_WINDOW = timedelta(days=30)

# Reply and forward prefixes in the languages our writers use (nl, en, fr, de), with
# optional counters ("Re[2]:", "RE (3):") and list tags ("[hulp]").
_PREFIX = re.compile(
    r"^\s*(?:(?:re|antw|aw|fw|fwd|doorst|tr|wg|réf|ref|sv|vs)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]"
    r"|\[[^\]]{0,40}\])\s*",
    re.IGNORECASE,
)


def normalise_subject(subject: str) -> str:
    """The subject without reply/forward prefixes and list tags, casefolded, spaces collapsed."""
    text = " ".join(subject.split())
    while True:
        stripped = _PREFIX.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    return " ".join(text.casefold().split())


def is_reply_subject(subject: str) -> bool:
    return normalise_subject(subject) != " ".join(subject.casefold().split())


def reply_subject(subject: str) -> str:
    """Subject for our answer: "Re: " once, never "Re: Re: "."""
    text = " ".join(subject.split())
    if re.match(r"^\s*(re|antw)\s*:", text, re.IGNORECASE):
        return text
    return f"Re: {text}" if text else "Re: uw bericht"


@dataclass(frozen=True)
class SubjectCandidate:
    """A thread with the same sender and normalised subject, and its last incoming mail."""

    thread: str
    last_in: datetime


def choose_thread(
    reference_hits: Sequence[str],
    subject_candidates: Sequence[SubjectCandidate],
    received: datetime,
) -> str | None:
    """The thread a mail joins, or None for a new thread.

    `reference_hits` are threads holding a message the mail names (In-Reply-To first, then
    References newest first); `subject_candidates` threads matching sender and subject.
    """
    if reference_hits:
        return reference_hits[0]
    recent = [c for c in subject_candidates if abs(received - c.last_in) <= SUBJECT_WINDOW]
    if not recent:
        return None
    return max(recent, key=lambda c: c.last_in).thread
