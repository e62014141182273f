"""db: opening the desk file, transactions and savepoints, scripts, meta, row helpers."""

import os
import re
import shutil
import sqlite3
import stat

import pytest

from callbackctl import db
from callbackctl.errors import CallbackctlError
from callbackctl.migrations import MIGRATIONS


def exactly(message):
    return f"^{re.escape(message)}$"


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """One freshly migrated desk file, copied by each test that needs one (migrating takes ~60 ms)."""
    path = str(tmp_path_factory.mktemp("template") / "desk.db")
    db.connect(path).close()
    return path


@pytest.fixture
def conn(migrated, tmp_path):
    path = str(tmp_path / "desk.db")
    shutil.copy(migrated, path)
    c = db.connect(path)
    c.execute("CREATE TABLE t (x)")
    yield c
    c.close()


def values(conn):
    return [r[0] for r in conn.execute("SELECT x FROM t ORDER BY rowid")]


# -- connect -------------------------------------------------------------------------

def test_connect_creates_the_file_for_its_owner_only(tmp_path):
    path = str(tmp_path / "new.db")
    conn = db.connect(path)
    conn.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")  # the WAL files exist now
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    for suffix in ("-wal", "-shm"):
        assert stat.S_IMODE(os.stat(path + suffix).st_mode) == 0o600, suffix
    conn.close()


def test_connect_creates_the_file_0600_whatever_the_umask(tmp_path):
    old = os.umask(0)
    try:
        path = str(tmp_path / "new.db")
        db.connect(path).close()
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


@pytest.mark.parametrize("pragma, expected", [
    ("journal_mode", "wal"),
    ("foreign_keys", 1),
    ("busy_timeout", 30_000),
    ("user_version", len(MIGRATIONS)),
])
def test_connect_settings(conn, pragma, expected):
    assert conn.execute(f"PRAGMA {pragma}").fetchone()[0] == expected


def test_connect_applies_every_migration_once(tmp_path):
    path = str(tmp_path / "new.db")
    conn = db.connect(path)
    assert db.schema_version(conn) == len(MIGRATIONS) == 30
    assert [tuple(r) for r in conn.execute("SELECT migration_set, name FROM _sqlite_migrations ORDER BY id")] == [
        ("callbackctl", m.__name__.rsplit(".", 1)[-1]) for m in MIGRATIONS]
    conn.close()
    conn = db.connect(path)  # again: nothing pending
    assert db.apply_migrations(conn) == []
    assert conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == len(MIGRATIONS)
    conn.close()


def test_connect_without_migrating(tmp_path):
    conn = db.connect(str(tmp_path / "bare.db"), migrate=False)
    assert db.schema_version(conn) == 0
    assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_migrations_stop_at_upto(tmp_path):
    conn = db.connect(str(tmp_path / "old.db"), migrate=False)
    assert db.apply_migrations(conn, upto=3) == [m.__name__ for m in MIGRATIONS[:3]]
    assert db.schema_version(conn) == 3
    assert db.apply_migrations(conn) == [m.__name__ for m in MIGRATIONS[3:]]
    assert db.schema_version(conn) == len(MIGRATIONS)
    conn.close()


def test_foreign_keys_are_enforced(conn):
    conn.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
    conn.execute("CREATE TABLE child (parent_id INTEGER REFERENCES parent (id))")
    with pytest.raises(sqlite3.IntegrityError, match=exactly("FOREIGN KEY constraint failed")):
        conn.execute("INSERT INTO child VALUES (5)")


def test_rows_are_sqlite_rows(conn):
    row = conn.execute("SELECT 1 AS a, 'x' AS b").fetchone()
    assert type(row) is sqlite3.Row
    assert (row["a"], row["b"]) == (1, "x")


def test_connect_refuses_a_folder(tmp_path):
    with pytest.raises(CallbackctlError, match=exactly(
            f"{tmp_path} is a folder; give the database file's name (--db PATH)")):
        db.connect(str(tmp_path))


def test_connect_refuses_a_missing_folder(tmp_path):
    path = str(tmp_path / "nowhere" / "desk.db")
    with pytest.raises(CallbackctlError, match=exactly(f"cannot create desk file {path}: no such folder")):
        db.connect(path)


def test_connect_refuses_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not a database " * 100)
    with pytest.raises(CallbackctlError, match=exactly(
            f"{path} is not a SQLite database (damaged, or another kind of file): "
            "if it is your desk, restore it from a copy made with callbackctl backup")):
        db.connect(str(path))


def test_connect_refuses_a_newer_schema(migrated, tmp_path):
    path = str(tmp_path / "future.db")
    shutil.copy(migrated, path)
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    raw.close()
    with pytest.raises(CallbackctlError, match=exactly(
            f"{path} has schema version {len(MIGRATIONS) + 1}, newer than this callbackctl knows "
            f"({len(MIGRATIONS)}): upgrade callbackctl")):
        db.connect(path)


def test_memory_database():
    conn = db.connect(":memory:")
    assert db.schema_version(conn) == len(MIGRATIONS)
    conn.close()


# -- transaction() ---------------------------------------------------------------------

def test_commit_on_success(conn):
    with db.transaction(conn) as c:
        assert c is conn and conn.in_transaction
        conn.execute("INSERT INTO t VALUES (1)")
    assert not conn.in_transaction
    assert values(conn) == [1]


@pytest.mark.parametrize("error", [ValueError("bad row"), KeyboardInterrupt()])
def test_rollback_on_an_exception_which_propagates(conn, error):
    with pytest.raises(type(error)):
        with db.transaction(conn):
            conn.execute("INSERT INTO t VALUES (1)")
            raise error
    assert not conn.in_transaction
    assert values(conn) == []


def test_rollback_undoes_the_block_and_does_not_propagate(conn):
    with db.transaction(conn):
        conn.execute("INSERT INTO t VALUES (1)")
        raise db.Rollback
    assert not conn.in_transaction
    assert values(conn) == []
    with db.transaction(conn):  # the connection is usable afterwards
        conn.execute("INSERT INTO t VALUES (2)")
    assert values(conn) == [2]


def test_a_nested_error_undoes_only_the_inner_block_and_propagates(conn):
    with db.transaction(conn):
        conn.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(ValueError, match="^bad row$"):
            with db.transaction(conn):
                conn.execute("INSERT INTO t VALUES (2)")
                raise ValueError("bad row")
        assert conn.in_transaction
        assert values(conn) == [1]
        conn.execute("INSERT INTO t VALUES (3)")
    assert values(conn) == [1, 3]


def test_a_nested_rollback_undoes_only_the_inner_block_and_the_outer_commits(conn):
    with db.transaction(conn):
        conn.execute("INSERT INTO t VALUES (1)")
        with db.transaction(conn):
            conn.execute("INSERT INTO t VALUES (2)")
            raise db.Rollback
        assert conn.in_transaction
        conn.execute("INSERT INTO t VALUES (3)")
    assert not conn.in_transaction
    assert values(conn) == [1, 3]


def test_a_nested_block_that_succeeds_commits_with_the_outer(conn):
    with db.transaction(conn):
        conn.execute("INSERT INTO t VALUES (1)")
        with db.transaction(conn):
            conn.execute("INSERT INTO t VALUES (2)")
        assert conn.in_transaction
    assert values(conn) == [1, 2]


def test_a_nested_block_is_undone_when_the_outer_fails(conn):
    with pytest.raises(ValueError):
        with db.transaction(conn):
            with db.transaction(conn):
                conn.execute("INSERT INTO t VALUES (2)")
            raise ValueError("later")
    assert values(conn) == []


def test_three_levels(conn):
    with db.transaction(conn):
        conn.execute("INSERT INTO t VALUES (1)")
        with db.transaction(conn):
            conn.execute("INSERT INTO t VALUES (2)")
            with db.transaction(conn):
                conn.execute("INSERT INTO t VALUES (3)")
                raise db.Rollback
            conn.execute("INSERT INTO t VALUES (4)")
        with db.transaction(conn):
            conn.execute("INSERT INTO t VALUES (5)")
            with db.transaction(conn):
                conn.execute("INSERT INTO t VALUES (6)")
            raise db.Rollback  # takes its committed inner block with it
        with pytest.raises(KeyError):
            with db.transaction(conn):
                conn.execute("INSERT INTO t VALUES (7)")
                raise KeyError("x")
    assert values(conn) == [1, 2, 4]


def test_an_import_style_loop_keeps_the_good_rows(conn):
    good = []
    with db.transaction(conn):
        for x in [1, "bad", 3, "bad", 5]:
            try:
                with db.transaction(conn):
                    conn.execute("INSERT INTO t VALUES (?)", (x,))
                    if x == "bad":
                        raise ValueError(x)
                good.append(x)
            except ValueError:
                pass
    assert values(conn) == good == [1, 3, 5]


def test_the_outermost_takes_the_write_lock_at_once(conn):
    path = conn.execute("PRAGMA database_list").fetchone()[2]
    other = sqlite3.connect(path, isolation_level=None, timeout=0.05)
    try:
        with db.transaction(conn):  # nothing written yet: BEGIN IMMEDIATE already holds the lock
            with pytest.raises(sqlite3.OperationalError, match=exactly("database is locked")):
                other.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t VALUES (1)")
            with db.transaction(conn):  # a savepoint does not let go of it
                with pytest.raises(sqlite3.OperationalError, match=exactly("database is locked")):
                    other.execute("BEGIN IMMEDIATE")
            # a reader is not blocked (WAL) and sees the last commit
            assert [r[0] for r in other.execute("SELECT x FROM t")] == []
        other.execute("BEGIN IMMEDIATE")  # released at commit
        other.execute("ROLLBACK")
        assert [r[0] for r in other.execute("SELECT x FROM t")] == [1]
    finally:
        other.close()


def test_a_second_writer_is_stopped_at_its_begin_not_halfway(conn):
    path = conn.execute("PRAGMA database_list").fetchone()[2]
    other = db.connect(path)
    other.execute("PRAGMA busy_timeout = 50")
    try:
        with db.transaction(conn):
            with pytest.raises(sqlite3.OperationalError, match=exactly("database is locked")):
                with db.transaction(other):
                    other.execute("INSERT INTO t VALUES (2)")
        assert not other.in_transaction
        assert values(conn) == []
    finally:
        other.close()


# -- run_script ------------------------------------------------------------------------

SCRIPT = """
-- a comment line
INSERT INTO t VALUES (1);
INSERT INTO t VALUES ('a;
b');
CREATE TABLE u (y);
CREATE TRIGGER u_to_t AFTER INSERT ON u BEGIN
    INSERT INTO t VALUES (new.y);
END;
INSERT INTO u VALUES (2);  -- fires the trigger
"""


def test_run_script_runs_every_statement_inside_the_callers_transaction(conn):
    with db.transaction(conn):
        db.run_script(conn, SCRIPT)
        assert conn.in_transaction  # unlike executescript(), which commits first
    assert values(conn) == [1, "a;\nb", 2]


def test_run_script_is_undone_with_the_callers_transaction(conn):
    with db.transaction(conn):
        db.run_script(conn, SCRIPT)
        raise db.Rollback
    assert values(conn) == []
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'u'").fetchone()[0] == 0


@pytest.mark.parametrize("script, message", [
    ("INSERT INTO t VALUES (1);\nINSERT INTO t VALUES (2)\n", "incomplete SQL statement: INSERT INTO t VALUES (2)"),
    ("INSERT INTO t VALUES (1);\nINSERT INTO t VALUES (2)  -- no semicolon\n",
     "incomplete SQL statement: INSERT INTO t VALUES (2)  -- no semicolon"),
    ("INSERT INTO t VALUES ('open\n", "incomplete SQL statement: INSERT INTO t VALUES ('open"),
    ("CREATE TRIGGER x AFTER INSERT ON t BEGIN\n  SELECT 1;\n",
     "incomplete SQL statement: CREATE TRIGGER x AFTER INSERT ON t BEGIN\n  SELECT 1;"),
])
def test_run_script_raises_on_an_incomplete_statement(conn, script, message):
    with pytest.raises(ValueError, match=exactly(message)):
        with db.transaction(conn):
            db.run_script(conn, script)
    assert values(conn) == []


def test_run_script_of_comments_only_does_nothing(conn):
    with db.transaction(conn):
        db.run_script(conn, "-- nothing\n\n   \n-- to do\n")
    assert values(conn) == []


def test_run_script_stops_at_a_failing_statement(conn):
    with pytest.raises(sqlite3.OperationalError, match=exactly("no such table: nosuch")):
        with db.transaction(conn):
            db.run_script(conn, "INSERT INTO t VALUES (1);\nINSERT INTO nosuch VALUES (2);\nINSERT INTO t VALUES (3);\n")
    assert values(conn) == []


@pytest.mark.xfail(strict=True, raises=sqlite3.ProgrammingError,
                   reason="run_script splits only at line ends: two statements on one line go to execute() together")
def test_run_script_runs_two_statements_on_one_line(conn):
    with db.transaction(conn):
        db.run_script(conn, "INSERT INTO t VALUES (1); INSERT INTO t VALUES (2);\n")
    assert values(conn) == [1, 2]


# -- meta, tuples, dicts -----------------------------------------------------------------

def test_meta(conn):
    assert db.get_meta(conn, "policy") is None
    assert db.get_meta(conn, "policy", "none stored") == "none stored"
    db.set_meta(conn, "policy", "[callback]\nretry_after = \"1h\"\n")
    assert db.get_meta(conn, "policy") == "[callback]\nretry_after = \"1h\"\n"
    db.set_meta(conn, "policy", "v2")  # replaced, not added
    assert db.get_meta(conn, "policy", "none stored") == "v2"
    assert conn.execute("SELECT count(*) FROM meta WHERE key = 'policy'").fetchone()[0] == 1


def test_meta_written_in_a_rolled_back_transaction_is_gone(conn):
    with db.transaction(conn):
        db.set_meta(conn, "k", "v")
        raise db.Rollback
    assert db.get_meta(conn, "k") is None


def test_tuples_and_dicts(conn):
    conn.executemany("INSERT INTO t VALUES (?)", [(1,), ("中文",), (None,)])
    sql = "SELECT x, x IS NULL AS missing FROM t ORDER BY rowid"
    assert list(db.tuples(conn, sql)) == [(1, 0), ("中文", 0), (None, 1)]
    assert list(db.dicts(conn, sql)) == [
        {"x": 1, "missing": 0}, {"x": "中文", "missing": 0}, {"x": None, "missing": 1}]
    assert list(db.tuples(conn, "SELECT x FROM t WHERE x = ?", (1,))) == [(1,)]
    assert list(db.dicts(conn, "SELECT x FROM t WHERE x = ?", ("none",))) == []
    # the connection's own rows are still sqlite3.Row
    assert type(conn.execute("SELECT 1").fetchone()) is sqlite3.Row


@pytest.mark.parametrize("value, sql", [(None, "NULL"), (3, "3"), (0.5, "0.5"), ("O'Brien", "'O''Brien'"),
                                        ("华东", "'华东'"), (True, "'True'")])
def test_a_value_as_an_sql_literal(value, sql):
    assert db.literal(value) == sql


def test_parameters_written_into_sql_by_whole_name_only():
    sql = "SELECT :now, :now_text, :lo, ':lo', 'it''s :now' FROM t WHERE a = :region"
    assert db.inline(sql, {"now": "2026-11-30 10:00:00", "lo": 1, "region": "x'y"}) == (
        "SELECT '2026-11-30 10:00:00', :now_text, 1, ':lo', 'it''s :now' FROM t WHERE a = 'x''y'")
