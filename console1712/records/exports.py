"""Dossier exports: a readable copy (text), portability (JSON, docs/portability-schema.md)
and the anonymised inspection export. Each export opens the dossier and is audited.

Client exports (copy, portability) hold everything about the client: pseudonym, themes,
every annotation version, the linked chats' messages that are still kept. Staff account
names are left out (the client knows counsellors by alias only). The inspection export
keeps only kinds, themes, dates, statuses and referral targets: no code, pseudonym,
free text or link ids.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from console1712.clock import to_rfc3339
from console1712.domain.themes import label
from console1712.i18n import t
from console1712.store import audit, chats, dossiers, rights
from console1712.store.db import Database, Tx
from console1712.store.dossiers import Dossier

FORMAT = "console1712-dossier"
INSPECTION_FORMAT = "console1712-dossier-inspection"
VERSION = 1


async def _load(
    db: Database, at: datetime, actor: str, code: str, team: str | None, what: str
) -> Dossier:
    dossier = await dossiers.open_dossier(db, at, actor, code, team)

    async def job(tx: Tx) -> None:
        await audit.append(tx, at, actor, "dossier.export", code, "ok", what)

    await db.write(job)
    return dossier


async def _chats(db: Database, dossier: Dossier) -> list[dict[str, Any]]:
    found = []
    for link in dossier.links:
        if link.kind != "chat":
            continue
        messages = await chats.transcript(db, link.target)
        found.append(
            {
                "id": link.target,
                "linked_at": to_rfc3339(link.linked_at),
                "messages": [
                    {
                        "seq": m.seq,
                        "from": "chatter" if m.from_chatter else "counsellor",
                        "at": to_rfc3339(m.at),
                        "text": m.text,
                    }
                    for m in messages
                ],
            }
        )
    return found


async def _requests(db: Database, dossier: Dossier) -> list[dict[str, Any]]:
    return [
        {
            "kind": r.kind,
            "received": r.received.isoformat(),
            "due": r.due.isoformat(),
            "status": r.status,
        }
        for r in await rights.listing(db, None, code=dossier.code)
    ]


def _annotation(a: dossiers.Annotation) -> dict[str, Any]:
    return {
        "id": a.id,
        "kind": a.kind,
        "referral_to": a.referral_to,
        "text": a.text,
        "at": to_rfc3339(a.at),
        "version": a.version,
        "corrects": a.corrects,
        "origin": a.origin,
        "current": a.latest,
    }


async def json_export(
    db: Database, at: datetime, actor: str, code: str, team: str | None, lang: str = "nl"
) -> dict[str, Any]:
    """The portability export: one JSON object as docs/portability-schema.md describes."""
    dossier = await _load(db, at, actor, code, team, "json")
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": to_rfc3339(at),
        "dossier": {
            "code": dossier.code,
            "team": dossier.team,
            "status": dossier.status,
            "opened_at": to_rfc3339(dossier.opened_at),
            "closed_at": None if dossier.closed_at is None else to_rfc3339(dossier.closed_at),
            "pseudonym": dossier.pseudonym,
            "themes": [{"id": th, "label": label(th, lang)} for th in dossier.themes],
            "restricted": dossier.restricted,
        },
        "annotations": [_annotation(a) for a in dossier.annotations],
        "chats": await _chats(db, dossier),
        "mail_threads": [
            {"id": link.target, "linked_at": to_rfc3339(link.linked_at)}
            for link in dossier.links
            if link.kind == "mail"
        ],
        "rights_requests": await _requests(db, dossier),
    }


def _when(value: datetime | None) -> str:
    return "-" if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


async def text_export(
    db: Database, at: datetime, actor: str, code: str, team: str | None, lang: str = "nl"
) -> str:
    """The copy for the client: readable text in the console's language."""
    data = await json_export(db, at, actor, code, team, lang)
    d = data["dossier"]
    lines = [
        t("dossier.export.title", lang, code=d["code"]),
        t("dossier.export.made", lang, at=_when(at)),
        "",
        f"{t('dossier.field.pseudonym', lang)}: {d['pseudonym']}",
        f"{t('dossier.field.status', lang)}: {t('dossier.status.' + d['status'], lang)}",
        f"{t('dossier.field.opened', lang)}: {d['opened_at']}",
        f"{t('dossier.field.closed', lang)}: {d['closed_at'] or '-'}",
        f"{t('dossier.field.themes', lang)}: "
        + (", ".join(th["label"] for th in d["themes"]) or "-"),
    ]
    if d["restricted"]:
        lines.append(t("dossier.restricted", lang))
    lines += ["", t("dossier.export.annotations", lang)]
    if not data["annotations"]:
        lines.append("-")
    for a in data["annotations"]:
        head = f"[{a['at']}] {t('dossier.kind.' + a['kind'], lang)}"
        if a["referral_to"]:
            head += f" → {t('dossier.to.' + a['referral_to'], lang)}"
        head += f" ({t('dossier.version', lang, n=a['version'])})"
        if not a["current"]:
            head += f" — {t('dossier.corrected', lang)}"
        lines += ["", head, *("    " + line for line in a["text"].splitlines())]
    for chat in data["chats"]:
        lines += ["", t("dossier.export.chat", lang, at=chat["linked_at"])]
        for m in chat["messages"]:
            who = t(f"dossier.export.from.{m['from']}", lang)
            lines.append(f"[{m['at']}] {who}: {m['text']}")
    for thread in data["mail_threads"]:
        lines += ["", t("dossier.export.mail", lang, at=thread["linked_at"])]
    if data["rights_requests"]:
        lines += ["", t("dossier.export.requests", lang)]
        for r in data["rights_requests"]:
            lines.append(
                f"- {t('rights.kind.' + r['kind'], lang)}: {r['received']} "
                f"({t('rights.status.' + r['status'], lang)})"
            )
    return "\n".join(lines) + "\n"


async def inspection_export(
    db: Database, at: datetime, actor: str, code: str, team: str | None
) -> dict[str, Any]:
    """For the care inspectorate (policy 3.9): anonymised, no free text or identifiers."""
    dossier = await _load(db, at, actor, code, team, "inspection")
    return {
        "format": INSPECTION_FORMAT,
        "version": VERSION,
        "exported_at": to_rfc3339(at),
        "dossier": {
            "team": dossier.team,
            "status": dossier.status,
            "opened_on": dossier.opened_at.date().isoformat(),
            "closed_on": None
            if dossier.closed_at is None
            else dossier.closed_at.date().isoformat(),
            "themes": list(dossier.themes),
            "restricted": dossier.restricted,
            "linked_chats": sum(1 for link in dossier.links if link.kind == "chat"),
            "linked_mail_threads": sum(1 for link in dossier.links if link.kind == "mail"),
        },
        "annotations": [
            {
                "kind": a.kind,
                "referral_to": a.referral_to,
                "on": a.at.date().isoformat(),
                "version": a.version,
                "current": a.latest,
            }
            for a in dossier.annotations
        ],
    }
