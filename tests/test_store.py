"""The storage layer (#31): SQL lives in callbackctl/store/, one module per table group.

The library's modules that still hold SQL of their own are listed here; the list may
only shrink. A module moved to the store leaves it, and a new module with SQL of its own
fails this test. The store itself sits at the bottom of the house: it imports nothing of
the library above it, nor a command-line library.
"""

import ast
import os
import re

import pytest

ROOT = os.path.join(os.path.dirname(__file__), "..", "callbackctl")
STORE = os.path.join(ROOT, "store")

# Not moved yet (#31): each keeps its own SQL until its table group has a store module.
STILL_HOLDING_SQL = {
    "calls", "complaints", "contacts", "customers", "db", "dispatch", "fastimport", "fastreport", "followups",
    "orders", "recurring", "rehearsal", "reports", "reviews", "schedule",
}
SQL_CALL = re.compile(r"\.execute(many|script)?\(")
# a statement in a string (docstrings aside): SQL text, wherever it is run
STATEMENT = re.compile(r"\b(SELECT\s|INSERT\s+(OR\s+\w+\s+)?INTO\b|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\b|"
                       r"CREATE\s+(TEMP\s+)?(TABLE|INDEX|TRIGGER)\b|DROP\s+(TABLE|INDEX)\b|PRAGMA\s)")


def _holds_sql(path: str) -> bool:
    text = open(path, encoding="utf-8").read()
    if SQL_CALL.search(text):
        return True
    tree = ast.parse(text)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return any(isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
               and STATEMENT.search(n.value) for n in ast.walk(tree))


def holding_sql():
    return {name[:-3] for name in os.listdir(ROOT) if name.endswith(".py") and _holds_sql(os.path.join(ROOT, name))}


def test_the_modules_holding_sql_are_only_those_not_moved_yet():
    assert holding_sql() == STILL_HOLDING_SQL
    # moved: store/claims.py, notices.py, calls.py, customers.py, files.py, events.py, exports.py,
    # corrections.py, batches.py, find.py, spot_checks.py, merge.py; show reads through events.py and customers.py
    assert not {"claims", "notices", "duelist", "info", "promises", "session", "desk", "demo", "export", "corrections",
                "batches", "show", "find", "headoffice"} & holding_sql()


@pytest.mark.parametrize("name", sorted(n for n in os.listdir(STORE) if n.endswith(".py")))
def test_the_store_imports_nothing_above_it(name):
    tree = ast.parse(open(os.path.join(STORE, name), encoding="utf-8").read())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {m for m in imported if m.startswith(("callbackctl", "typer", "click"))}, imported


def test_a_claim_taken_again_replaces_the_last_and_ends_by_agent(tmp_path):
    """store.claims on a desk: the upsert keeps one row per key; remove names its agent."""
    from callbackctl import db
    from callbackctl.store import claims

    conn = db.connect(str(tmp_path / "d.db"))
    claims.put(conn, "A1", "王芳", "2026-11-23 10:00:00", "2026-11-23 10:15:00")
    claims.put(conn, "A1", "李娜", "2026-11-23 10:20:00", "2026-11-23 10:35:00")
    assert [tuple(r) for r in conn.execute("SELECT key, agent, claimed_at, until FROM claims")] == [
        ("A1", "李娜", "2026-11-23 10:20:00", "2026-11-23 10:35:00")]
    assert claims.held(conn, "A1", "2026-11-23 10:30:00") == ("李娜", "2026-11-23 10:35:00")
    assert claims.live(conn, "2026-11-23 10:40:00") == {}
    assert (claims.remove(conn, "A1", "王芳"), claims.remove(conn, "A1", "李娜"), claims.remove(conn, "A1")) == (0, 1, 0)
