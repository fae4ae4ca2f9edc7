"""Fulfilling a rights request (policy 3.11): what it takes depends on the kind.

The requests themselves (create, list, refuse, mark done) are console1712.store.rights; this
workflow combines them with the dossier store and the exports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from console1712.domain.vocabulary import RESTRICTING_KINDS
from console1712.records import exports
from console1712.store import dossiers, rights
from console1712.store.db import Database
from console1712.store.dossiers import DossierError, Erased
from console1712.store.rights import RightsRequest


@dataclass
class Fulfilment:
    """What fulfilling a request did; `export` holds the copy or portability export."""

    request: RightsRequest
    export: str | dict[str, Any] | None = None
    erased: Erased | None = None


async def fulfil(
    db: Database, at: datetime, actor: str, request_id: str, team: str | None, lang: str = "nl"
) -> Fulfilment:
    """Carry out an open request and mark it done.

    access/copy: a readable text export; portability: the JSON export; restriction,
    objection, withdrawal: the dossier becomes read-only; erasure: the dossier with its
    linked chats and mail threads is erased (refused with `legal_hold`); rectification:
    the corrections are annotations made beforehand, fulfilling only records it."""
    request = await rights.get(db, request_id, team)
    if request.status != "open":
        raise DossierError("not_open")
    if request.erased:
        raise DossierError("not_found")
    export: str | dict[str, Any] | None = None
    erased: Erased | None = None
    if request.kind in ("access", "copy"):
        export = await exports.text_export(db, at, actor, request.code, team, lang)
    elif request.kind == "portability":
        export = await exports.json_export(db, at, actor, request.code, team)
    elif request.kind == "erasure":
        erased = await dossiers.erase(db, at, actor, request.code, team)
    done = await rights.complete(
        db, at, actor, request, team, restrict=request.kind in RESTRICTING_KINDS
    )
    return Fulfilment(done, export, erased)
