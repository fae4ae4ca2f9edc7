"""Where sealed (encrypted) values live: the one table key rotation reads.

Every value sealed with `keys.seal(value, table, column, row)` goes to a column declared in
COLUMNS, or to a file kind declared in FILES; `row_key` is the SQL expression that gives the
row part of the value's AAD (the same string the code passes as `row` when it seals).
tests/store/test_sealed.py checks every `seal` call of the code against this table and every
BLOB column of the schema against it, so a new sealed column cannot be missed by rotation.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SealedColumn:
    """A column holding sealed values; `row_key` is the SQL expression for the row's AAD part."""

    table: str
    column: str
    row_key: str


@dataclass(frozen=True)
class SealedFiles:
    """Sealed files whose names end in `suffix` (AAD: `table`, `column`, file name)."""

    table: str
    column: str
    suffix: str


COLUMNS: tuple[SealedColumn, ...] = (
    SealedColumn("meta", "sealed", "name"),
    SealedColumn("accounts", "display", "name"),
    SealedColumn("accounts", "totp_secret", "name"),
    SealedColumn("audit", "detail", "hash"),
    SealedColumn("chats", "nickname", "id"),
    SealedColumn("chats", "age", "id"),
    SealedColumn("chats", "gender", "id"),
    SealedColumn("chats", "region", "id"),
    SealedColumn("chats", "address", "id"),
    SealedColumn("chat_messages", "text", "chat || ':' || seq"),
    SealedColumn("blocks", "reason", "id"),
    SealedColumn("mail_threads", "sender", "id"),
    SealedColumn("mail_threads", "sender_name", "id"),
    SealedColumn("mail_threads", "subject", "id"),
    SealedColumn("mail_messages", "headers", "id"),
    SealedColumn("mail_messages", "body", "id"),
    SealedColumn("mail_messages", "attachments", "id"),
    SealedColumn("dossiers", "pseudonym", "id"),
    SealedColumn("dossiers", "hold_reason", "id"),
    SealedColumn("annotations", "text", "id"),
    SealedColumn("rights_requests", "note", "id"),
    SealedColumn("disclosures", "reason", "id"),
    SealedColumn("registrations", "note", "contact"),
    SealedColumn("chat_notes", "text", "chat"),
)

# Replies waiting for the smarthost (store/mail.py seal_outbox): OUTBOX/HASH.eml.sealed, in
# the `outbox` folder setting (default DATA/outbox); rotation re-seals them after the columns.
OUTBOX = SealedFiles("outbox", "eml", ".eml.sealed")
FILES: tuple[SealedFiles, ...] = (OUTBOX,)


def declared(table: str, column: str) -> bool:
    """Whether values sealed for (table, column) are in COLUMNS or FILES."""
    places = [(c.table, c.column) for c in COLUMNS] + [(f.table, f.column) for f in FILES]
    return (table, column) in places
