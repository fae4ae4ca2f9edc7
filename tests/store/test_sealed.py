"""The table of sealed columns (store/sealed.py) is complete: every value the code seals or
opens goes to a declared place, and every BLOB column of the schema is declared, so key
rotation (which reads only that table) cannot miss a new sealed column."""

from __future__ import annotations

import ast
from pathlib import Path

import console1712
from console1712.store import sealed
from console1712.store.db import Database
from tests.databases import both_databases

pytestmark = both_databases

PACKAGE = Path(console1712.__file__).parent
KEY_CALLS = {"seal", "seal_opt", "open", "open_opt"}
# Modules that pass a declared place through without naming it: the cipher itself and the
# rotation, which walks sealed.COLUMNS.
PASS_THROUGH = {PACKAGE / "store" / "crypto.py", PACKAGE / "store" / "keys.py"}


def _is_key_call(call: ast.Call) -> bool:
    """`keys.seal(...)`, `tx.keys.open(...)` and the like: a call on a key ring."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in KEY_CALLS:
        return False
    ring = func.value
    return (isinstance(ring, ast.Name) and ring.id == "keys") or (
        isinstance(ring, ast.Attribute) and ring.attr == "keys"
    )


class Resolver:
    """The string values an argument can take: literals, names from store/sealed.py, and
    parameters of local helpers (`seal_t(value, "sender")`), followed to their call sites."""

    def __init__(self, tree: ast.Module) -> None:
        self.parent: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parent[child] = node

    def enclosing(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        while node in self.parent:
            node = self.parent[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                return node
        return None

    def values(self, arg: ast.expr, depth: int = 0) -> set[str]:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return {arg.value}
        if (
            isinstance(arg, ast.Attribute)
            and isinstance(arg.value, ast.Name)
            and hasattr(sealed, arg.value.id)
        ):
            return {str(getattr(getattr(sealed, arg.value.id), arg.attr))}
        if isinstance(arg, ast.Name) and depth < 3:
            function = self.enclosing(arg)
            if function is not None:
                params = [a.arg for a in function.args.args]
                if arg.id in params:
                    return self.from_calls(function, params.index(arg.id), arg.id, depth)
        raise AssertionError(f"line {arg.lineno}: cannot tell where this value is sealed")

    def from_calls(
        self, function: ast.FunctionDef | ast.AsyncFunctionDef, index: int, param: str, depth: int
    ) -> set[str]:
        """The values given for `param` where `function` is called: in the scope it is
        defined in (two helpers of the same name in two functions stay apart)."""
        found: set[str] = set()
        for node in ast.walk(self.parent[function]):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                if node.func.id != function.name:
                    continue
                given = [k.value for k in node.keywords if k.arg == param]
                arg = given[0] if given else node.args[index]
                found |= self.values(arg, depth + 1)
        assert found, f"{function.name} is never called"
        return found


def sealed_places() -> dict[tuple[str, str], list[str]]:
    """(table, column) -> where in the code a value is sealed or opened for it."""
    places: dict[tuple[str, str], list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path in PASS_THROUGH:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        resolver = Resolver(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _is_key_call(node):
                where = f"{path.relative_to(PACKAGE)}:{node.lineno}"
                for table in resolver.values(node.args[1]):
                    for column in resolver.values(node.args[2]):
                        places.setdefault((table, column), []).append(where)
    return places


def test_every_sealed_value_goes_to_a_declared_place() -> None:
    places = sealed_places()
    undeclared = {p: w for p, w in places.items() if not sealed.declared(*p)}
    assert undeclared == {}, "declare these in console1712/store/sealed.py"
    # The scan sees the code: the helpers' columns are followed to their call sites.
    assert {("chats", "region"), ("mail_threads", "sender"), ("mail_messages", "body")} <= set(
        places
    )
    assert ("outbox", "eml") in places


def test_every_declared_column_is_sealed_somewhere() -> None:
    places = sealed_places()
    unused = [c for c in (*sealed.COLUMNS, *sealed.FILES) if (c.table, c.column) not in places]
    assert unused == []


async def blob_columns(db: Database, on_postgres: bool) -> set[tuple[str, str]]:
    """(table, column) of every BLOB (SQLite) or bytea (PostgreSQL) column of the schema."""
    if on_postgres:
        rows = await db.fetchall(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND data_type = 'bytea'"
        )
        return {(str(r[0]), str(r[1])) for r in rows}
    blobs = set()
    tables = await db.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    for t in tables:
        for c in await db.fetchall(f'PRAGMA table_info("{t["name"]}")'):
            if str(c["type"]).upper() == "BLOB":
                blobs.add((str(t["name"]), str(c["name"])))
    return blobs


async def test_the_schema_seals_exactly_the_declared_columns(
    tmp_path: Path, db_target: Path | str
) -> None:
    """Sealed values are BLOBs and every BLOB holds sealed values: a new BLOB column must be
    declared (or this test changed knowingly). Each row key is valid SQL on its table."""
    on_postgres = isinstance(db_target, str)
    target = db_target if on_postgres else tmp_path / "data" / "d.db"
    db = await Database.open(target, tmp_path / "data" / "k.key")
    try:
        assert await blob_columns(db, on_postgres) == {(c.table, c.column) for c in sealed.COLUMNS}
        for col in sealed.COLUMNS:
            await db.fetchall(f"SELECT {col.row_key} FROM {col.table} LIMIT 0")
    finally:
        await db.close()


def test_the_table_has_no_duplicates() -> None:
    places = [(c.table, c.column) for c in (*sealed.COLUMNS, *sealed.FILES)]
    assert len(places) == len(set(places))
