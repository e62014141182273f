"""The order-status rule is written once (callbackctl.status); the table's
generated column (migration m001) and the SQL that queries spell out for
speed must agree with it for every combination."""

import itertools
import sqlite3

import pytest

from callbackctl import db, status

GIVEN = [None, "open", "completed", "cancelled"]
COMPLETED = [None, "2026-11-20 15:00:00"]


@pytest.mark.parametrize("given, completed_at, expected", [
    (None, None, "open"),
    (None, "2026-11-20 15:00:00", "completed"),
    ("cancelled", None, "cancelled"),
    ("cancelled", "2026-11-20 15:00:00", "cancelled"),
    ("open", "2026-11-20 15:00:00", "open"),
    ("completed", None, "completed"),
])
def test_status_of(given, completed_at, expected):
    assert status.status_of(given, completed_at) == expected


def test_generated_column_and_sql_copies_agree_with_status_of(tmp_path):
    conn = db.connect(str(tmp_path / "desk.db"))
    cases = list(itertools.product(GIVEN, COMPLETED))
    with db.transaction(conn):
        for i, (given, completed_at) in enumerate(cases):
            conn.execute("INSERT INTO orders (order_no, service_type, status_given, completed_at, created_at, "
                         "updated_at) VALUES (?, 'repair', ?, ?, '', '')", (f"S{i}", given, completed_at))
    sql = (f"SELECT status_given, completed_at, status, {status.sql()}, {status.sql('o', completed=True)}, "
           f"{status.sql('o', completed=False)} FROM orders o ORDER BY id")
    rows = conn.execute(sql).fetchall()
    assert len(rows) == len(cases) == 8
    for given, completed_at, column, full, if_completed, if_open in rows:
        expected = status.status_of(given, completed_at)
        assert column == full == expected
        assert (if_completed if completed_at else if_open) == expected


def test_sql_texts():
    assert status.sql("o", completed=False) == "coalesce(o.status_given, 'open')"
    assert status.sql(completed=True) == "coalesce(status_given, 'completed')"
    with pytest.raises(sqlite3.OperationalError):  # the alias is used as given
        sqlite3.connect(":memory:").execute(f"SELECT {status.sql('nope')}")
