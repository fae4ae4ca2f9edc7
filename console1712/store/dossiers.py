"""Dossiers: codes, team, status, themes, append-only annotations, links, restriction, hold.

Every function that reads or changes one dossier takes the caller's team: a dossier of
another team is answered as not found (its existence is not revealed). `team=None` is for
the command line, which runs with the key file and needs no scope. Refusals raise
DossierError with a protocol error code.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from console1712.clock import from_rfc3339, to_rfc3339
from console1712.store import audit
from console1712.store.db import Database, Tx

KINDS = ("note", "assessment", "referral", "safety_concern", "client_disagrees")
# caw: Centrum Algemeen Welzijnswerk, vk: vertrouwenscentrum kindermishandeling,
# jac: Jongerenadviescentrum, gp: huisarts.
REFERRAL_TARGETS = ("caw", "police", "vk", "jac", "gp", "other")
LINK_KINDS = ("chat", "mail")
STATUSES = ("open", "closed")
MAX_PSEUDONYM = 80
MAX_THEMES = 10


class DossierError(Exception):
    """A refusal with a protocol error code: not_found, restricted, legal_hold, ..."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class LegalHold:
    reason: str
    by: str
    at: datetime


@dataclass(frozen=True)
class Annotation:
    """One version of an annotation; `corrects` names the version it replaces."""

    id: str
    kind: str
    text: str
    author: str
    at: datetime
    version: int
    corrects: str | None
    origin: str
    referral_to: str | None = None
    corrected_by: str | None = None  # the newer version, if any

    @property
    def latest(self) -> bool:
        return self.corrected_by is None


@dataclass(frozen=True)
class Link:
    kind: str
    target: str
    linked_at: datetime
    linked_by: str


@dataclass
class Dossier:
    """A dossier; `annotations` and `links` are filled only when it is opened."""

    id: str
    code: str
    team: str
    status: str
    opened_at: datetime
    closed_at: datetime | None
    pseudonym: str
    themes: list[str]
    created_by: str
    restricted_at: datetime | None
    hold: LegalHold | None
    annotations: list[Annotation] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)

    @property
    def restricted(self) -> bool:
        return self.restricted_at is not None


def new_id(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(9)


def _dt(text: str | None) -> datetime | None:
    return None if text is None else from_rfc3339(text)


_COLUMNS = (
    "id, code, team, status, opened_at, closed_at, pseudonym, created_by, restricted_at,"
    " hold_reason, hold_by, hold_at"
)


def _dossier(keys_src: Tx | Database, r: sqlite3.Row, themes: list[str]) -> Dossier:
    keys = keys_src.keys
    hold = None
    if r["hold_by"] is not None:
        reason = keys.open_opt(r["hold_reason"], "dossiers", "hold_reason", r["id"]) or ""
        hold = LegalHold(reason, r["hold_by"], from_rfc3339(r["hold_at"]))
    return Dossier(
        id=r["id"],
        code=r["code"],
        team=r["team"],
        status=r["status"],
        opened_at=from_rfc3339(r["opened_at"]),
        closed_at=_dt(r["closed_at"]),
        pseudonym=keys.open(r["pseudonym"], "dossiers", "pseudonym", r["id"]),
        themes=themes,
        created_by=r["created_by"],
        restricted_at=_dt(r["restricted_at"]),
        hold=hold,
    )


async def _themes_of(src: Tx | Database, ids: Sequence[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {i: [] for i in ids}
    if not ids:
        return found
    marks = ",".join("?" * len(ids))
    rows = await src.fetchall(
        f"SELECT dossier, theme FROM dossier_themes WHERE dossier IN ({marks}) ORDER BY theme",
        list(ids),
    )
    for r in rows:
        found[r["dossier"]].append(r["theme"])
    return found


async def _row(src: Tx | Database, code: str, team: str | None) -> sqlite3.Row:
    row = await src.fetchone(f"SELECT {_COLUMNS} FROM dossiers WHERE code = ?", (code,))
    if row is None or (team is not None and row["team"] != team):
        raise DossierError("not_found")
    return row


async def _writable(tx: Tx, code: str, team: str | None) -> sqlite3.Row:
    """The dossier's row for a change: refused while restricted (read-only)."""
    row = await _row(tx, code, team)
    if row["restricted_at"] is not None:
        raise DossierError("restricted")
    return row


async def _next_code(tx: Tx, year: int) -> str:
    # Codes are numbered per year inside the write transaction (one writer: no race).
    prefix = f"D-{year}-"
    row = await tx.fetchone(
        "SELECT code FROM dossiers WHERE code LIKE ? ORDER BY length(code) DESC, code DESC LIMIT 1",
        (prefix + "%",),
    )
    number = int(row["code"][len(prefix) :]) + 1 if row else 1
    return f"{prefix}{number:04d}"


def _check_themes(themes: Sequence[str], allowed: Sequence[str] | None) -> list[str]:
    unique = sorted(set(themes))
    if len(unique) > MAX_THEMES or (allowed is not None and any(t not in allowed for t in unique)):
        raise DossierError("bad_theme")
    return unique


# -- creating and reading -----------------------------------------------------------------


async def create(
    db: Database,
    at: datetime,
    actor: str,
    team: str,
    pseudonym: str,
    themes: Sequence[str] = (),
    *,
    allowed_themes: Sequence[str] | None = None,
) -> Dossier:
    """A new open dossier of `team`; audited as dossier.create."""
    chosen = _check_themes(themes, allowed_themes)
    dossier_id = new_id("d_")

    async def job(tx: Tx) -> str:
        code = await _next_code(tx, at.year)
        await tx.execute(
            "INSERT INTO dossiers (id, code, team, status, opened_at, pseudonym, created_by)"
            " VALUES (?, ?, ?, 'open', ?, ?, ?)",
            (
                dossier_id,
                code,
                team,
                to_rfc3339(at),
                tx.keys.seal(pseudonym, "dossiers", "pseudonym", dossier_id),
                actor,
            ),
        )
        await tx.executemany(
            "INSERT INTO dossier_themes (dossier, theme) VALUES (?, ?)",
            [(dossier_id, theme) for theme in chosen],
        )
        await audit.append(tx, at, actor, "dossier.create", code)
        return code

    code = await db.write(job)
    return await get(db, code, None)


async def get(db: Database, code: str, team: str | None) -> Dossier:
    """The dossier without annotations, unaudited (for checks; use open_dossier to show it)."""
    row = await _row(db, code, team)
    themes = await _themes_of(db, [row["id"]])
    return _dossier(db, row, themes[row["id"]])


async def open_dossier(
    db: Database, at: datetime, actor: str, code: str, team: str | None
) -> Dossier:
    """The full dossier (annotations with all versions, links); audited as dossier.open.

    A refused opening (another team's dossier, an unknown code) is audited too."""
    try:
        dossier = await get(db, code, team)
    except DossierError:
        await _audit(db, at, actor, "dossier.open", code, "not_found")
        raise
    rows = await db.fetchall(
        "SELECT a.*, (SELECT b.id FROM annotations b WHERE b.corrects = a.id) AS corrected_by"
        " FROM annotations a WHERE a.dossier = ?"
        # Versions of one annotation together, in the order the originals were written.
        " ORDER BY (SELECT o.rowid FROM annotations o WHERE o.id = a.origin), a.version",
        (dossier.id,),
    )
    dossier.annotations = [
        Annotation(
            id=r["id"],
            kind=r["kind"],
            text=db.keys.open(r["text"], "annotations", "text", r["id"]),
            author=r["author"],
            at=from_rfc3339(r["at"]),
            version=int(r["version"]),
            corrects=r["corrects"],
            origin=r["origin"],
            referral_to=r["referral_to"],
            corrected_by=r["corrected_by"],
        )
        for r in rows
    ]
    dossier.links = await links(db, dossier.id)
    await _audit(db, at, actor, "dossier.open", code)
    return dossier


async def _audit(
    db: Database, at: datetime, actor: str, action: str, obj: str, outcome: str = "ok"
) -> None:
    async def job(tx: Tx) -> None:
        await audit.append(tx, at, actor, action, obj, outcome)

    await db.write(job)


async def links(db: Database, dossier_id: str) -> list[Link]:
    rows = await db.fetchall(
        "SELECT kind, target, linked_at, linked_by FROM dossier_links WHERE dossier = ?"
        " ORDER BY linked_at, target",
        (dossier_id,),
    )
    return [
        Link(r["kind"], r["target"], from_rfc3339(r["linked_at"]), r["linked_by"]) for r in rows
    ]


async def search(
    db: Database,
    team: str | None,
    query: str | None = None,
    theme: str | None = None,
    *,
    limit: int = 50,
) -> list[Dossier]:
    """Dossiers of a team whose code or pseudonym contains `query` (case-insensitive) and
    that carry `theme`; newest first. Pseudonyms are sealed, so they are matched after opening."""
    sql = f"SELECT {_COLUMNS} FROM dossiers WHERE 1 = 1"
    params: list[object] = []
    if team is not None:
        sql += " AND team = ?"
        params.append(team)
    if theme:
        sql += " AND id IN (SELECT dossier FROM dossier_themes WHERE theme = ?)"
        params.append(theme)
    sql += " ORDER BY opened_at DESC, code DESC"
    rows = await db.fetchall(sql, params)
    needle = (query or "").strip().casefold()
    found: list[Dossier] = []
    for r in rows:
        dossier = _dossier(db, r, [])
        if needle and needle not in dossier.code.casefold():
            if needle not in dossier.pseudonym.casefold():
                continue
        found.append(dossier)
        if len(found) >= limit:
            break
    themes = await _themes_of(db, [d.id for d in found])
    for d in found:
        d.themes = themes[d.id]
    return found


async def team_of_chat(db: Database, chat_id: str) -> str | None:
    row = await db.fetchone("SELECT team FROM chats WHERE id = ?", (chat_id,))
    return None if row is None else row["team"]


# -- changes ---------------------------------------------------------------------------------


async def annotate(
    db: Database,
    at: datetime,
    actor: str,
    code: str,
    team: str | None,
    kind: str,
    text: str,
    *,
    referral_to: str | None = None,
    corrects: str | None = None,
) -> Annotation:
    """Append an annotation, or a new version of one (`corrects`: the latest version's id)."""
    if kind not in KINDS:
        raise DossierError("bad_kind")
    if kind == "referral":
        if referral_to not in REFERRAL_TARGETS:
            raise DossierError("bad_referral")
    else:
        referral_to = None
    annotation_id = new_id("a_")

    async def job(tx: Tx) -> Annotation:
        row = await _writable(tx, code, team)
        version, origin = 1, annotation_id
        if corrects is not None:
            old = await tx.fetchone(
                "SELECT id, version, origin FROM annotations WHERE id = ? AND dossier = ?",
                (corrects, row["id"]),
            )
            if old is None:
                raise DossierError("not_found")
            newer = await tx.fetchone("SELECT id FROM annotations WHERE corrects = ?", (corrects,))
            if newer is not None:
                raise DossierError("not_latest")
            version, origin = int(old["version"]) + 1, old["origin"]
        await tx.execute(
            "INSERT INTO annotations (id, dossier, kind, referral_to, text, author, at, version,"
            " corrects, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                annotation_id,
                row["id"],
                kind,
                referral_to,
                tx.keys.seal(text, "annotations", "text", annotation_id),
                actor,
                to_rfc3339(at),
                version,
                corrects,
                origin,
            ),
        )
        action = "dossier.correct" if corrects else "dossier.annotate"
        await audit.append(tx, at, actor, action, code, "ok", f"{annotation_id} {kind}")
        return Annotation(
            annotation_id, kind, text, actor, at, version, corrects, origin, referral_to
        )

    return await db.write(job)


async def link(
    db: Database, at: datetime, actor: str, code: str, team: str | None, kind: str, target: str
) -> Link:
    """Link a chat or a mail thread of the same team to the dossier (idempotent)."""
    if kind not in LINK_KINDS:
        raise DossierError("bad_kind")

    async def job(tx: Tx) -> Link:
        row = await _writable(tx, code, team)
        owner = await _target_team(tx, kind, target)
        if owner is None or owner != row["team"]:
            raise DossierError("not_found")
        await tx.execute(
            "INSERT INTO dossier_links (dossier, kind, target, linked_at, linked_by)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (row["id"], kind, target, to_rfc3339(at), actor),
        )
        await audit.append(tx, at, actor, "dossier.link", code, "ok", f"{kind} {target}")
        return Link(kind, target, at, actor)

    return await db.write(job)


async def unlink(
    db: Database, at: datetime, actor: str, code: str, team: str | None, kind: str, target: str
) -> None:
    """Undo a link (a slip: the wrong chat or mail); audited like the link itself."""
    if kind not in LINK_KINDS:
        raise DossierError("bad_kind")

    async def job(tx: Tx) -> None:
        row = await _writable(tx, code, team)
        removed = await tx.execute(
            "DELETE FROM dossier_links WHERE dossier = ? AND kind = ? AND target = ?",
            (row["id"], kind, target),
        )
        if removed != 1:
            raise DossierError("not_found")
        await audit.append(tx, at, actor, "dossier.unlink", code, "ok", f"{kind} {target}")

    await db.write(job)


async def _target_team(tx: Tx, kind: str, target: str) -> str | None:
    """The team that owns a chat or mail thread (None: unknown)."""
    if kind == "chat":
        row = await tx.fetchone("SELECT team FROM chats WHERE id = ?", (target,))
        return None if row is None else row["team"]
    table = await mail_table(tx)
    if table is None:
        return None
    row = await tx.fetchone(f"SELECT team FROM {table} WHERE id = ?", (target,))
    return None if row is None else row["team"]


async def mail_table(src: Tx | Database) -> str | None:
    """The mail threads table, once the mail part's migration has created it."""
    row = await src.fetchone(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'mail_threads'"
    )
    return None if row is None else "mail_threads"


async def set_status(
    db: Database, at: datetime, actor: str, code: str, team: str | None, status: str
) -> Dossier:
    """Close (retention starts counting) or reopen a dossier."""
    if status not in STATUSES:
        raise DossierError("bad_status")

    async def job(tx: Tx) -> None:
        row = await _writable(tx, code, team)
        if row["status"] == status:
            return
        closed = to_rfc3339(at) if status == "closed" else None
        await tx.execute(
            "UPDATE dossiers SET status = ?, closed_at = ? WHERE id = ?",
            (status, closed, row["id"]),
        )
        action = "dossier.close" if status == "closed" else "dossier.reopen"
        await audit.append(tx, at, actor, action, code)

    await db.write(job)
    return await get(db, code, team)


async def set_themes(
    db: Database,
    at: datetime,
    actor: str,
    code: str,
    team: str | None,
    themes: Sequence[str],
    *,
    allowed_themes: Sequence[str] | None = None,
) -> Dossier:
    chosen = _check_themes(themes, allowed_themes)

    async def job(tx: Tx) -> None:
        row = await _writable(tx, code, team)
        await tx.execute("DELETE FROM dossier_themes WHERE dossier = ?", (row["id"],))
        await tx.executemany(
            "INSERT INTO dossier_themes (dossier, theme) VALUES (?, ?)",
            [(row["id"], theme) for theme in chosen],
        )
        await audit.append(tx, at, actor, "dossier.themes", code, "ok", ",".join(chosen))

    await db.write(job)
    return await get(db, code, team)


async def restrict_in(tx: Tx, at: datetime, actor: str, code: str, team: str | None) -> None:
    """Make the dossier read-only (inside a larger job: a rights request's fulfilment)."""
    row = await _row(tx, code, team)
    if row["restricted_at"] is None:
        await tx.execute(
            "UPDATE dossiers SET restricted_at = ?, restricted_by = ? WHERE id = ?",
            (to_rfc3339(at), actor, row["id"]),
        )
        await audit.append(tx, at, actor, "dossier.restrict", code)


async def restrict(db: Database, at: datetime, actor: str, code: str, team: str | None) -> Dossier:
    async def job(tx: Tx) -> None:
        await restrict_in(tx, at, actor, code, team)

    await db.write(job)
    return await get(db, code, team)


async def lift_restriction(
    db: Database, at: datetime, actor: str, code: str, team: str | None
) -> Dossier:
    async def job(tx: Tx) -> None:
        row = await _row(tx, code, team)
        await tx.execute(
            "UPDATE dossiers SET restricted_at = NULL, restricted_by = NULL WHERE id = ?",
            (row["id"],),
        )
        await audit.append(tx, at, actor, "dossier.unrestrict", code)

    await db.write(job)
    return await get(db, code, team)


async def set_hold(
    db: Database, at: datetime, actor: str, code: str, team: str | None, reason: str | None
) -> Dossier:
    """Set a legal hold (reason, who) or, with reason None, release it."""

    async def job(tx: Tx) -> None:
        row = await _row(tx, code, team)
        if reason is None:
            await tx.execute(
                "UPDATE dossiers SET hold_reason = NULL, hold_by = NULL, hold_at = NULL"
                " WHERE id = ?",
                (row["id"],),
            )
            await audit.append(tx, at, actor, "dossier.hold_release", code)
            return
        await tx.execute(
            "UPDATE dossiers SET hold_reason = ?, hold_by = ?, hold_at = ? WHERE id = ?",
            (
                tx.keys.seal(reason, "dossiers", "hold_reason", row["id"]),
                actor,
                to_rfc3339(at),
                row["id"],
            ),
        )
        await audit.append(tx, at, actor, "dossier.hold", code)

    await db.write(job)
    return await get(db, code, team)


# -- erasing -----------------------------------------------------------------------------------


@dataclass
class Erased:
    """What an erasure or purge removed (counts only: they go to the audit log)."""

    dossiers: int = 0
    annotations: int = 0
    chats: int = 0
    messages: int = 0
    mail_threads: int = 0

    def add(self, other: Erased) -> None:
        self.dossiers += other.dossiers
        self.annotations += other.annotations
        self.chats += other.chats
        self.messages += other.messages
        self.mail_threads += other.mail_threads


async def erase_in(tx: Tx, dossier_id: str, *, with_links: bool) -> Erased:
    """Delete one dossier (annotations, themes, links cascade); with its linked chats and
    mail threads when `with_links` (erasure). Rights requests keep their code as proof."""
    erased = Erased()
    if with_links:
        targets = await tx.fetchall(
            "SELECT kind, target FROM dossier_links WHERE dossier = ?", (dossier_id,)
        )
        chats = [r["target"] for r in targets if r["kind"] == "chat"]
        mails = [r["target"] for r in targets if r["kind"] == "mail"]
        for chat_id in chats:
            erased.messages += await tx.execute(
                "DELETE FROM chat_messages WHERE chat = ?", (chat_id,)
            )
            erased.chats += await tx.execute("DELETE FROM chats WHERE id = ?", (chat_id,))
            await tx.execute(
                "DELETE FROM dossier_links WHERE kind = 'chat' AND target = ?", (chat_id,)
            )
        if mails:
            erased.mail_threads += await erase_mail_threads(tx, mails)
    erased.annotations = await tx.execute(
        "DELETE FROM annotations WHERE dossier = ?", (dossier_id,)
    )
    await tx.execute("UPDATE rights_requests SET note = NULL WHERE dossier = ?", (dossier_id,))
    erased.dossiers = await tx.execute("DELETE FROM dossiers WHERE id = ?", (dossier_id,))
    return erased


async def erase_mail_threads(tx: Tx, thread_ids: Sequence[str]) -> int:
    """Erase mail threads (their messages and references go by ON DELETE CASCADE)."""
    count = 0
    table = await mail_table(tx)
    for thread_id in thread_ids:
        if table is not None:
            count += await tx.execute(f"DELETE FROM {table} WHERE id = ?", (thread_id,))
        await tx.execute(
            "DELETE FROM dossier_links WHERE kind = 'mail' AND target = ?", (thread_id,)
        )
    return count


async def erase(db: Database, at: datetime, actor: str, code: str, team: str | None) -> Erased:
    """Erase a dossier with its linked chats and mail threads; refused under a legal hold."""

    async def job(tx: Tx) -> Erased:
        row = await _row(tx, code, team)
        if row["hold_by"] is not None:
            raise DossierError("legal_hold")
        erased = await erase_in(tx, row["id"], with_links=True)
        await audit.append(tx, at, actor, "dossier.erase", code, "ok", _counts(erased))
        return erased

    erased = await db.write(job)
    # secure_delete zeroed the cells in the file; the checkpoint empties the WAL that still
    # held them. The full VACUUM (it blocks writes while it runs) is the nightly job's.
    await db.vacuum(rebuild=False)
    return erased


def _counts(erased: Erased) -> str:
    return (
        f"dossiers={erased.dossiers} annotations={erased.annotations} chats={erased.chats}"
        f" messages={erased.messages} mail_threads={erased.mail_threads}"
    )
