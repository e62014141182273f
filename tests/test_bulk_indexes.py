"""A large file into a small table: orders' secondary indexes are dropped while it
lands and built again in the same transaction (orders.BulkIndexes)."""

import sqlite3

import pytest

from callbackctl import orders
from conftest import write

INDEXES = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'orders' ORDER BY name"


def orders_file(tmp_path, n, bad_line=None):
    rows = ["order_no,service_type,phone,completed_at"]
    for i in range(n):
        rows.append(f"B{i:05d},repair,1380013{i:04d},2026-11-{1 + i % 20:02d} 10:00")
    if bad_line is not None:
        rows.insert(bad_line - 1, "B99999,拆机,13800138000,2026-11-20 10:00")
    return write(tmp_path / "orders.csv", "\n".join(rows) + "\n")


@pytest.fixture
def small_large(monkeypatch):
    monkeypatch.setenv("CALLBACKCTL_FAST", "0")  # the plain path's own bulk step
    monkeypatch.setattr(orders.BulkIndexes, "LARGE", 100)  # a 300-row file counts as large
    dropped = []
    real = orders.BulkIndexes.consider

    def consider(self, first_rows):
        real(self, first_rows)
        dropped.extend(name for name, _ in self.dropped)
    monkeypatch.setattr(orders.BulkIndexes, "consider", consider)
    return dropped


def test_a_large_file_into_an_empty_desk_builds_the_indexes_once(cli, db_path, tmp_path, small_large):
    cli("info")  # the desk, as a fresh one has it
    before = sqlite3.connect(db_path).execute(INDEXES).fetchall()
    res = cli("import", orders_file(tmp_path, 300), "-f", "csv")
    assert (res.exit_code, res.stdout.splitlines()[1].split(",")[1:6]) == (0, ["300", "300", "0", "0", "0"])
    assert small_large == ["orders_completed", "orders_contact_check", "orders_dispatched", "orders_reported", "orders_unfinished"]
    conn = sqlite3.connect(db_path)
    assert conn.execute(INDEXES).fetchall() == before
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert conn.execute("SELECT count(*) FROM orders INDEXED BY orders_completed WHERE completed_at >= '2026-11-20'"
                        ).fetchone() == (15,)


def test_a_large_file_into_a_larger_table_keeps_them(cli, db_path, tmp_path, small_large):
    cli("import", orders_file(tmp_path, 300))
    small_large.clear()
    again = write(tmp_path / "more.csv", "order_no,service_type\n" + "".join(f"M{i},repair\n" for i in range(200)))
    assert cli("import", again).exit_code == 0
    assert small_large == []


def test_a_rehearsed_strict_failure_drops_nothing(cli, db_path, tmp_path, small_large):
    cli("info")
    before = sqlite3.connect(db_path).execute(INDEXES).fetchall()
    assert cli("import", "--strict", orders_file(tmp_path, 300, bad_line=250)).exit_code == 1
    assert small_large == []  # the rehearsal undid the rows: nothing new to land
    assert sqlite3.connect(db_path).execute(INDEXES).fetchall() == before


def test_strict_with_a_bad_row_leaves_the_indexes_and_the_orders_as_they_were(cli, db_path, tmp_path, small_large,
                                                                              monkeypatch):
    """Under the lock (the desk changed under the rehearsal, say), the drop is undone."""
    from callbackctl import rehearsal

    monkeypatch.setattr(rehearsal.Rehearsal, "land", lambda self, finish, indexes: self._close() and False)
    cli("info")
    before = sqlite3.connect(db_path).execute(INDEXES).fetchall()
    res = cli("import", "--strict", orders_file(tmp_path, 300, bad_line=250))
    assert res.exit_code == 1
    assert small_large  # they were dropped, and the rollback brought them back
    conn = sqlite3.connect(db_path)
    assert conn.execute(INDEXES).fetchall() == before
    assert conn.execute("SELECT count(*) FROM orders").fetchone() == (0,)


def test_the_indexes_are_built_again_with_the_connection_as_it_was():
    """restore() lets SQLite's sorter use other cores for the build, then gives the
    connection its own setting back."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, completed_at TEXT)")
    conn.execute("CREATE INDEX orders_completed ON orders(completed_at)")
    conn.execute("PRAGMA threads = 0")
    bulk = orders.BulkIndexes(conn, 0)
    bulk.consider(1_000_000)
    assert [n for n, _ in bulk.dropped] == ["orders_completed"] and not conn.execute(INDEXES).fetchall()
    bulk.restore()
    assert [n for n, _ in conn.execute(INDEXES)] == ["orders_completed"]
    assert conn.execute("PRAGMA threads").fetchone()[0] == 0
