"""The words both sides use live once, in domain/vocabulary.py: no copy elsewhere in the
code, the schema agrees with them and every one of them has its Dutch and English text."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import console1712
from console1712.domain import vocabulary as v
from console1712.i18n import LANGS, t
from console1712.store.db import Database

PACKAGE = Path(console1712.__file__).parent
HOME = PACKAGE / "domain" / "vocabulary.py"
WORD_SETS = {
    "REGIONS": v.REGIONS,
    "ROLES": v.ROLES,
    "STAFF_ROLES": v.STAFF_ROLES,
    "RIGHTS_KINDS": v.RIGHTS_KINDS,
    "RESTRICTING_KINDS": v.RESTRICTING_KINDS,
}


def _literal_strings(node: ast.AST) -> frozenset[str] | None:
    """The strings of a tuple, list or set display made only of string literals."""
    if not isinstance(node, ast.Tuple | ast.List | ast.Set) or len(node.elts) < 2:
        return None
    words = [e.value for e in node.elts if isinstance(e, ast.Constant)]
    if len(words) == len(node.elts) and all(isinstance(w, str) for w in words):
        return frozenset(str(w) for w in words)
    return None


def test_no_copy_of_the_vocabulary_in_the_code() -> None:
    wanted = {frozenset(words): name for name, words in WORD_SETS.items()}
    copies = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == HOME:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value == v.BRUSSELS.key:
                copies.append(f"{path.relative_to(PACKAGE)}:{node.lineno} time zone")
            words = _literal_strings(node)
            if words in wanted:
                copies.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {wanted[words]}")
    assert copies == [], "use console1712.domain.vocabulary"


def test_every_word_has_its_texts() -> None:
    keys = [
        *(f"region.{r}" for r in v.REGIONS),
        *(f"role.{r}" for r in v.ROLES),
        *(f"rights.kind.{k}" for k in v.RIGHTS_KINDS),
        *(f"rights.status.{s}" for s in v.RIGHTS_STATUSES),
    ]
    for key in keys:
        for lang in LANGS:
            assert t(key, lang) != key


def _check_list(sql: str, column: str) -> tuple[str, ...]:
    m = re.search(rf"\b{column} TEXT NOT NULL CHECK \({column} IN\s*\(([^)]*)\)\)", sql)
    assert m is not None, column
    return tuple(re.findall(r"'([^']*)'", m.group(1)))


async def test_the_schema_checks_the_same_words(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "data" / "d.db", tmp_path / "data" / "k.key")
    try:

        async def table_sql(name: str) -> str:
            row = await db.fetchone("SELECT sql FROM sqlite_master WHERE name = ?", (name,))
            assert row is not None
            return " ".join(str(row[0]).split())

        assert _check_list(await table_sql("accounts"), "role") == v.ROLES
        requests = await table_sql("rights_requests")
        assert _check_list(requests, "kind") == v.RIGHTS_KINDS
        assert _check_list(requests, "status") == v.RIGHTS_STATUSES
    finally:
        await db.close()


def test_the_words_hang_together() -> None:
    assert set(v.STAFF_ROLES) < set(v.ROLES)
    assert set(v.RESTRICTING_KINDS) < set(v.RIGHTS_KINDS)
    assert v.BRUSSELS.key == "Europe/Brussels"
