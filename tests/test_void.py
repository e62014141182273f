"""call void: a call entered by mistake counts nowhere, and is kept."""

import json
import sqlite3

import pytest

from conftest import write

ORDERS = """order_no,service_type,customer,phone,region,provider,engineer,completed_at
R1,repair,Li,13800138000,East,P1,E1,2026-11-20 15:00
"""


@pytest.fixture
def desk(cli, tmp_path):
    assert cli("import", write(tmp_path / "o.csv", ORDERS)).exit_code == 0
    return cli


def due(cli, now="2026-11-23 10:30"):
    return [(r["order_no"], r["attempts"], r["last_outcome"], r["reason"])
            for r in json.loads(cli("due", "-f", "json", now=now).stdout)]


def test_a_voided_call_counts_nowhere_and_is_kept(desk, db_path):
    r = desk("record", "R1", "--outcome", "reached", "--satisfaction", "非常不满意", "-f", "json",
             now="2026-11-23 10:00")
    call_id = json.loads(r.stdout)[0]["call_id"]
    assert call_id == 1 and due(desk) == []
    v = desk("call", "void", str(call_id), "--reason", "录错工单", now="2026-11-23 10:30")
    assert (v.exit_code, v.stderr) == (0, "call 1 (R1, 2026-11-23 10:00:00, reached) voided\n")
    assert due(desk) == [("R1", 0, None, "first")]  # the round is open again, no attempt counted
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT outcome, closes FROM callbacks").fetchall() == [("voided", 0)]
    assert conn.execute("SELECT count(*) FROM followups").fetchone() == (0,)  # its dissatisfied follow-up
    kept = conn.execute("SELECT call_id, voided_by IS NOT NULL, reason, json_extract(call, '$.outcome'), "
                        "json_array_length(call, '$.followups') FROM voided_calls").fetchall()
    assert kept == [(1, 1, "录错工单", "reached", 1)]
    report = json.loads(desk("report", "-f", "json", "--from", "2026-11-01", now="2026-11-23 10:30").stdout)[0]
    assert (report["callbacks_done"], report["dissatisfied"], report["satisfaction_index"]) == (0, 0, None)
    shown = json.loads(desk("show", "R1", "-f", "json", now="2026-11-23 10:30").stdout)
    assert shown["calls"][0]["outcome"] == "voided"
    assert shown["calls"][0]["note"].endswith(": 录错工单 (was reached)")
    assert [e["kind"] for e in shown["audit_log"]][-1] == "call_voided"


def test_voiding_twice_changes_nothing(desk, db_path):
    desk("record", "R1", "--outcome", "no_answer", now="2026-11-23 10:00")
    desk("call", "void", "1", "--reason", "x", now="2026-11-23 10:30")
    again = desk("call", "void", "1", "--reason", "x", now="2026-11-23 10:40")
    assert (again.exit_code, again.stderr) == (0, "call 1 (R1) was voided already, at 2026-11-23 10:30:00\n")
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM voided_calls").fetchone() == (1,)


@pytest.mark.parametrize("args, code, message", [
    (["9", "--reason", "x"], 1, "Error: unknown call 9\n"),
    (["1"], 2, "Error: Missing option '--reason'."),
    (["1", "--reason", " "], 2, "Error: --reason: voiding a call needs its reason\n"),
])
def test_void_refuses(desk, args, code, message):
    desk("record", "R1", "--outcome", "no_answer", now="2026-11-23 10:00")
    r = desk("call", "void", *args, now="2026-11-23 10:30")
    assert r.exit_code == code and message in r.stderr
