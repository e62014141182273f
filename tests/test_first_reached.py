"""Each order's first reached call, kept on the order by triggers (m017), and the
report that reads it: every way a call is written, voided or edited keeps it right."""

import json
import sqlite3

import pytest

from conftest import write

ORDERS = """order_no,service_type,customer,phone,region,completed_at
R1,repair,Li,13800138000,East,2026-11-20 15:00
R2,repair,Wang,13900139000,East,2026-11-20 16:00
"""
FIRST = "SELECT order_no, first_reached_call, first_reached_at, first_reached_index FROM orders ORDER BY order_no"


@pytest.fixture
def desk(cli, tmp_path):
    assert cli("import", write(tmp_path / "o.csv", ORDERS)).exit_code == 0
    return cli


def first(db_path):
    return sqlite3.connect(db_path).execute(FIRST).fetchall()


def report(cli, now):
    row = json.loads(cli("report", "-f", "json", "--from", "2026-11-01", now=now).stdout)[0]
    return row["callbacks_done"], row["on_time"], row["satisfaction_index"]


def test_record_void_and_record_again(desk, db_path):
    assert first(db_path) == [("R1", None, None, None), ("R2", None, None, None)]
    desk("record", "R1", "--outcome", "no_answer", now="2026-11-21 09:00")
    assert first(db_path)[0] == ("R1", None, None, None)
    desk("record", "R1", "--outcome", "reached", "--skill", "5", "--attitude", "5", "--timeliness", "5", "--parts", "5",
         "--overall", "4", now="2026-11-21 10:00")
    assert first(db_path)[0] == ("R1", 2, "2026-11-21 10:00:00", 4.8)
    # as of a moment before the call, the report finds no reached call; after it, that one
    assert report(desk, "2026-11-21 09:30") == (0, 0, None)
    assert report(desk, "2026-11-21 10:30") == (1, 1, 4.8)
    # voided, the order has no reached call; the next one recorded takes its place
    assert desk("call", "void", "2", "--reason", "wrong order", now="2026-11-23 10:40").exit_code == 0
    assert first(db_path)[0] == ("R1", None, None, None)
    assert report(desk, "2026-11-23 10:45") == (0, 0, None)
    desk("record", "R1", "--outcome", "reached", "--satisfaction", "满意", now="2026-11-23 11:00")
    assert first(db_path) == [("R1", 3, "2026-11-23 11:00:00", 4.0), ("R2", None, None, None)]
    assert report(desk, "2026-11-23 11:30") == (1, 1, 4.0)  # completed Friday: due by the end of Monday


def test_hand_edits_in_the_sqlite3_shell(desk, db_path):
    desk("record", "R1", "--outcome", "reached", "--satisfaction", "满意", now="2026-11-21 09:00")
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE callbacks SET satisfaction = 2.0 WHERE id = 1")
    assert first(db_path)[0] == ("R1", 1, "2026-11-21 09:00:00", 2.0)
    with conn:
        conn.execute("UPDATE callbacks SET order_id = (SELECT id FROM orders WHERE order_no = 'R2') WHERE id = 1")
    assert first(db_path) == [("R1", None, None, None), ("R2", 1, "2026-11-21 09:00:00", 2.0)]
    with conn:
        conn.execute("DELETE FROM callbacks WHERE id = 1")
    assert first(db_path) == [("R1", None, None, None), ("R2", None, None, None)]


def test_calls_entered_out_of_time_order(desk, db_path):
    conn = sqlite3.connect(db_path)
    with conn:  # as a merge or a hand edit may store them: the earliest wins, and of a tie the first stored
        for at, index in (("2026-11-22 10:00", 5.0), ("2026-11-21 11:00", 3.0), ("2026-11-21 11:00", 4.0)):
            conn.execute("INSERT INTO callbacks (order_id, called_at, round, reason, outcome, closes, satisfaction) "
                         "VALUES (1, ?, 1, 'first', 'reached', 1, ?)", (at, index))
    assert first(db_path)[0] == ("R1", 2, "2026-11-21 11:00", 3.0)
    with conn:
        conn.execute("UPDATE callbacks SET called_at = '2026-11-21 09:00' WHERE id = 1")
    assert first(db_path)[0] == ("R1", 1, "2026-11-21 09:00", 5.0)
