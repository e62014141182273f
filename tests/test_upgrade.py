"""Desk files made by earlier releases upgrade in place with every row intact.

tests/desks/ holds the demo desk that the last commit of each earlier schema
version made (see its README). Each is copied, read with the plain sqlite3
module, upgraded by the installed command, and read again.
"""

import getpass
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from callbackctl.migrations import MIGRATIONS, name as migration_name

EXE = shutil.which("callbackctl")
pytestmark = pytest.mark.skipif(EXE is None, reason="callbackctl must be installed (pip install -e .)")

DESKS = Path(__file__).parent / "desks"
VERSIONS = {"v06.db": 6, "v07.db": 7, "v10.db": 10, "v11.db": 11}
NOW = "2026-11-23 10:30"
BOOKKEEPING = {"schema_migrations", "_sqlite_migrations"}
# Columns a later migration derives from the rows already there; they are new
# columns, not old data, so the row comparison leaves them out.
DERIVED = {"orders": {"first_round_closed",  # m011
                      "first_reached_call", "first_reached_at", "first_reached_index",  # m017
                      "contacted_at",  # m024
                      "category"},  # m027
           "followups": {"verified_at"},  # m019
           "callbacks": {"respondent", "said_arrived", "said_finished", "recording", "suggestion",  # m020
                         "lowest"},  # m022
           "complaints": {"apology_id"},  # m021
           "import_rejects": {"repeat_of"}}  # m023
# Tables a later migration adds, empty in an upgraded file.
NEW_TABLES = {"voided_calls", "claims",  # m013, m014
              "customers", "customer_orders", "recurring_calls", "customer_followups",  # m015
              "contacts", "contact_calls",  # m016
              "corrections",  # m019
              "notice_days"}  # m025
# The OS user that ran the demo when the desks were built (README), recorded as
# the actor of the import and complaint events.
BUILDER = "root"


# The module-wide fresh desk is made before conftest's per-test clean-up runs.
ENV = {k: v for k, v in os.environ.items() if not k.startswith("CALLBACKCTL_")}


def run(db, *args, now=NOW):
    return subprocess.run([EXE, "--db", str(db), "--now", now, *args], capture_output=True, text=True, timeout=60,
                          env=ENV)


def upgrade(db):
    res = run(db, "info", "-f", "json")
    assert res.returncode == 0, res.stderr
    return {row["key"]: row["value"] for row in json.loads(res.stdout)}


def read_json(db, *args):
    res = run(db, *args, "-f", "json")
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def copy_desk(name, tmp_path):
    dest = tmp_path / name
    shutil.copyfile(DESKS / name, dest)
    return dest


def quoted(name):
    return '"' + name.replace('"', '""') + '"'


def columns(conn, table):
    """Every column of the table, generated ones included (hidden 2 and 3)."""
    return [r[1] for r in conn.execute(f"PRAGMA table_xinfo({quoted(table)})") if r[6] != 1]


def order_by(conn, table):
    """rowid, or the primary key of a WITHOUT ROWID table."""
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()[0]
    if "WITHOUT ROWID" not in " ".join(sql.upper().split()):
        return "rowid"
    pk = sorted((r[5], r[1]) for r in conn.execute(f"PRAGMA table_info({quoted(table)})") if r[5])
    return ", ".join(quoted(name) for _, name in pk)


def data_tables(conn):
    return [name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
        "ORDER BY name")]


def read_rows(db, shape=None, skip=BOOKKEEPING):
    """{table: (columns, rows)}; with `shape`, only its tables and columns."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = list(shape) if shape is not None else [t for t in data_tables(conn) if t not in skip]
        out = {}
        for table in tables:
            cols = shape[table][0] if shape is not None else columns(conn, table)
            sql = f"SELECT {', '.join(map(quoted, cols))} FROM {quoted(table)} ORDER BY {order_by(conn, table)}"
            out[table] = (cols, conn.execute(sql).fetchall())
        return out
    finally:
        conn.close()


def pragma(db, name):
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(f"PRAGMA {name}").fetchall()
    finally:
        conn.close()


def schema(db):
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return sorted(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
    finally:
        conn.close()


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """A demo desk made by today's code, and what due and show say on it."""
    db = tmp_path_factory.mktemp("fresh") / "fresh.db"
    res = subprocess.run([EXE, "--db", str(db), "demo"], capture_output=True, text=True, timeout=60, env=ENV)
    assert res.returncode == 0, res.stderr
    return {
        "db": db,
        "due": read_json(db, "due"),
        "show": read_json(db, "show", "SY2026110017"),
    }


@pytest.mark.parametrize("name", sorted(VERSIONS))
def test_upgrade_keeps_every_row(name, tmp_path, fresh):
    db = copy_desk(name, tmp_path)
    assert pragma(db, "user_version") == [(VERSIONS[name],)]
    before = read_rows(db)
    old_shape = {t: (cols, None) for t, (cols, _) in before.items()}
    history = sql(db, "SELECT name, applied_at FROM schema_migrations ORDER BY version")
    assert [n for n, _ in history] == [migration_name(m) for m in MIGRATIONS[:VERSIONS[name]]]

    info = upgrade(db)

    # The history moved to sqlite-utils' table, the old entries with their times.
    assert sql(db, "SELECT name, applied_at FROM _sqlite_migrations WHERE migration_set = 'callbackctl' "
                   "ORDER BY id")[:len(history)] == history
    assert [n for n, in sql(db, "SELECT name FROM _sqlite_migrations ORDER BY id")] == [
        migration_name(m) for m in MIGRATIONS]
    assert sql(db, "SELECT name FROM sqlite_master WHERE name = 'schema_migrations'") == []

    assert info["schema_version"] == len(MIGRATIONS)
    assert pragma(db, "user_version") == [(len(MIGRATIONS),)]
    assert pragma(db, "integrity_check") == [("ok",)]
    after = read_rows(db, old_shape)
    for table, (cols, rows) in before.items():
        assert after[table] == (cols, rows), table
    # No table was lost, and only the derived columns are new.
    now_there = read_rows(db)
    assert sorted(now_there) == sorted(set(before) | NEW_TABLES)
    assert all(not now_there[t][1] for t in NEW_TABLES)
    for table, (cols, _) in now_there.items():
        if table in NEW_TABLES:
            continue
        assert set(cols) - set(before[table][0]) == DERIVED.get(table, set()) - set(before[table][0]), table
    # The schema comes out exactly as a fresh desk's: same tables, columns,
    # indexes, triggers and views, in the same SQL text.
    assert schema(db) == schema(fresh["db"])
    # The derived flag is filled in from the calls already there, as the
    # fresh desk's triggers set it when the demo recorded them.
    flags = "SELECT order_no, first_round_closed FROM orders ORDER BY order_no"
    conn, fconn = sqlite3.connect(db), sqlite3.connect(fresh["db"])
    try:
        older = {"SY2026050012", "SY2026050031"}  # the demo's older orders (service_history.csv) came with m015
        assert conn.execute(flags).fetchall() == [r for r in fconn.execute(flags).fetchall() if r[0] not in older]
        assert conn.execute("SELECT order_no FROM orders WHERE first_round_closed = 1 ORDER BY order_no"
                            ).fetchall() == [("SY2026110017",), ("SY2026110021",)]
        # and each order's first reached call (m017), with its time and index
        first = ("SELECT o.order_no, c.called_at, o.first_reached_at, o.first_reached_index FROM orders o "
                 "LEFT JOIN callbacks c ON c.id = o.first_reached_call ORDER BY o.order_no")
        assert conn.execute(first).fetchall() == [r for r in fconn.execute(first).fetchall() if r[0] not in older]
        assert conn.execute("SELECT count(*) FROM orders WHERE first_reached_at IS NOT NULL").fetchone()[0] > 0
    finally:
        conn.close()
        fconn.close()


def sql(db, query):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(query).fetchall()
    finally:
        conn.close()


def normalized_show(show, os_user):
    """`show` with what depends on where and by whom the demo ran made neutral.

    The demo imports the package's own fixture files, so an order's creation
    event names them under the install that built the desk (/tmp/venv-N/...
    for the stored desks, the source tree for the fresh one), and the import
    and complaint events carry the OS user who ran it. Everything else,
    including those events' times, kinds and the rest of their detail, is
    compared as it is, but for what later releases add to an event (a call's
    call_id, since the release that prints it) and to a call's row in `show`.
    """
    show = json.loads(json.dumps(show))
    for entry in show["audit_log"]:
        if entry["actor"] == os_user:
            entry["actor"] = "<os user>"
        detail = json.loads(entry["detail"]) if entry["detail"] else None
        if isinstance(detail, dict):
            if "file" in detail:
                assert Path(detail["file"]).parent.name == "fixtures", detail["file"]
                detail["file"] = Path(detail["file"]).name
            detail.pop("call_id", None)
            entry["detail"] = json.dumps(detail, sort_keys=True)
    return show


@pytest.mark.parametrize("name", sorted(VERSIONS))
def test_upgraded_desk_lists_the_same_calls_as_a_fresh_demo(name, tmp_path, fresh):
    db = copy_desk(name, tmp_path)
    upgrade(db)
    # Every earlier demo recorded the same morning at the same fixed time, so
    # the due list is the same, row for row; the customers called on a schedule
    # (R-... keys) came with m015's demo, and its older orders are past due; the
    # replies owed to inbound calls (C-... keys) with m016's.
    assert read_json(db, "due") == [r for r in fresh["due"] if not r["order_no"].startswith(("R-", "C-"))]
    show = read_json(db, "show", "SY2026110017")
    assert normalized_show(show, BUILDER) == normalized_show(fresh["show"], getpass.getuser())


@pytest.mark.parametrize("name", sorted(VERSIONS))
def test_upgrading_twice_changes_nothing(name, tmp_path):
    db = copy_desk(name, tmp_path)
    upgrade(db)
    once = (read_rows(db, skip=()), schema(db), pragma(db, "user_version"))
    assert "_sqlite_migrations" in once[0] and "schema_migrations" not in once[0]
    upgrade(db)
    twice = (read_rows(db, skip=()), schema(db), pragma(db, "user_version"))
    assert twice == once


@pytest.mark.parametrize("name", sorted(VERSIONS))
def test_an_upgraded_desk_takes_customers_and_links_their_orders(name, tmp_path):
    from callbackctl import demo

    db = copy_desk(name, tmp_path)
    upgrade(db)
    customers = tmp_path / demo.CUSTOMER_FIXTURE
    shutil.copyfile(demo.fixture_path(demo.CUSTOMER_FIXTURE), customers)
    res = run(db, "customer", "import", str(customers), "-f", "csv")
    assert (res.returncode, res.stdout.splitlines()[1]) == (0, f"{customers},5,5,0,0,0,"), res.stderr
    listed = {c["key"]: (c["last_order_no"], c["next_key"]) for c in read_json(db, "customer", "list")}
    # the orders the earlier release imported are the customers' (the older orders came with m015's demo)
    assert listed == {"13139624595": ("SY2026110006", "R-13139624595-2026-11"),
                      "13189555979": ("SY2026110003", "R-13189555979-2026-11"),
                      "13700001111": (None, None),
                      "15412524273": ("SY2026110012", "R-15412524273-2026-11"),
                      "KH-0007": ("SY2026110017", "R-KH-0007-2026-11")}


# Desks whose demo made the same rows as today's: the second release (b47af4d,
# schema 16), the stop after it (66b5b4c, schema 17) and the third release's first
# stop (3246496, schema 22).
LATER = {"v16.db": 16, "v17.db": 17, "v22.db": 22}


@pytest.mark.parametrize("name", sorted(LATER))
def test_a_later_desk_upgrades_with_every_row_and_its_first_reached_calls(name, tmp_path, fresh):
    """Every row kept, today's schema (m017 derives each order's first reached
    call, m018 widens callbacks_order), and the same report as a fresh demo."""
    db = copy_desk(name, tmp_path)
    assert pragma(db, "user_version") == [(LATER[name],)]
    before = read_rows(db)
    info = upgrade(db)
    assert info["schema_version"] == len(MIGRATIONS) and pragma(db, "integrity_check") == [("ok",)]
    after = read_rows(db, {t: (cols, None) for t, (cols, _) in before.items() if t not in BOOKKEEPING})
    assert after == {t: v for t, v in before.items() if t not in BOOKKEEPING}
    assert schema(db) == schema(fresh["db"])
    first = ("SELECT o.order_no, c.called_at, o.first_reached_at, o.first_reached_index FROM orders o "
             "LEFT JOIN callbacks c ON c.id = o.first_reached_call ORDER BY o.order_no")
    conn, fconn = sqlite3.connect(db), sqlite3.connect(fresh["db"])
    try:
        assert conn.execute(first).fetchall() == fconn.execute(first).fetchall()
        assert [r[0] for r in conn.execute(first) if r[1]] == ["SY2026110017", "SY2026110021"]
    finally:
        conn.close()
        fconn.close()
    assert read_json(db, "report", "--from", "2026-11-01") == read_json(fresh["db"], "report", "--from", "2026-11-01")
