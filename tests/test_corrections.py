"""Corrections (order set, order cancel, followup verify) and repeats (followup done twice), at fixed times."""

import json
import sqlite3

import pytest

from conftest import write

ORDERS = """order_no,service_type,customer,phone,region,provider,engineer,completed_at,location,fee
R1,repair,Li,13800138000,East,P1,E1,2026-11-20 15:00,吴中矿场,350
R2,repair,Wu,12345,East,P1,E1,2026-11-20 15:00,,
"""


@pytest.fixture
def desk(cli, tmp_path):
    assert cli("import", write(tmp_path / "o.csv", ORDERS)).exit_code == 0
    return cli


def stored(db_path, sql, *params):
    return sqlite3.connect(db_path).execute(sql, params).fetchall()


def events(db_path, kind):
    return [(no, json.loads(d)) for no, d in stored(db_path, "SELECT order_no, detail FROM events WHERE kind = ? "
                                                             "ORDER BY id", kind)]


def test_order_set_parses_as_an_import_and_logs_the_reason(desk, db_path):
    r = desk("order", "set", " r1", "--phone", "+86 139-1111-2222", "--completed-at", "2026/11/21 9:05",
             "--fee", "¥400", "--reason", "经销商更正")
    assert (r.exit_code, r.stderr) == (0, "R1: phone = '13911112222', completed_at = '2026-11-21 09:05:00', fee = 400\n")
    assert stored(db_path, "SELECT phone, completed_at, fee FROM orders WHERE order_no = 'R1'") == [
        ("13911112222", "2026-11-21 09:05:00", 400.0)]
    assert events(db_path, "order_corrected") == [("R1", {
        "reason": "经销商更正", "before": {"phone": "13800138000", "completed_at": "2026-11-20 15:00:00", "fee": 350.0},
        "after": {"phone": "13911112222", "completed_at": "2026-11-21 09:05:00", "fee": 400}})]
    again = desk("order", "set", "R1", "--fee", "400", "--reason", "again")
    assert (again.exit_code, again.stderr) == (0, "R1: nothing to change\n")
    assert len(events(db_path, "order_corrected")) == 1


def test_order_set_clears_what_an_import_cannot(desk, db_path):
    r = desk("order", "set", "R1", "--clear", "location", "--clear", "fee", "--reason", "填错")
    assert r.exit_code == 0
    assert stored(db_path, "SELECT location, fee FROM orders WHERE order_no = 'R1'") == [(None, None)]


@pytest.mark.parametrize("args, code, message", [
    (["R1", "--fee", "12"], 2, "Error: Missing option '--reason'."),
    (["R1", "--colour", "red", "--reason", "x"], 2, "Error: --colour: 'colour' is not a field that can be corrected"),
    (["R1", "--order-no", "R9", "--reason", "x"], 2, "Error: --order-no: 'order_no' is not a field that can be corrected"),
    (["R1", "--completed-at", "2026-11", "--reason", "x"], 2, "Error: --completed-at: no day in date '2026-11'\n"),
    (["R1", "--clear", "service_type", "--reason", "x"], 2, "Error: --clear: an order always has a service type\n"),
    (["NOPE", "--fee", "1", "--reason", "x"], 1, "Error: unknown order 'NOPE'\n"),
    (["R1", "--reason", "x"], 2, "Error: give the fields to set (--FIELD VALUE) or to clear (--clear FIELD)\n"),
])
def test_order_set_refuses(desk, db_path, args, code, message):
    r = desk("order", "set", *args)
    assert r.exit_code == code and message in r.stderr
    assert events(db_path, "order_corrected") == []


def test_order_cancel_takes_it_off_the_due_list_and_once_is_enough(desk, db_path):
    due = lambda: desk("due", "-f", "csv", now="2026-11-23 10:00").stdout  # noqa: E731
    assert "R1," in due()
    assert desk("order", "cancel", "R1", "--reason", "重复工单").stderr == "R1: cancelled\n"
    assert "R1," not in due()
    assert desk("order", "cancel", "R1", "--reason", "重复工单").stderr == "R1: was cancelled already\n"
    assert [d["after"] for _, d in events(db_path, "order_cancelled")] == [{"status_given": "cancelled"}]


def test_followup_done_twice_is_one_visit(desk, db_path):
    desk("record", "R1", "--outcome", "reached", "--satisfaction", "不满意", now="2026-11-23 10:00")
    first = desk("followup", "done", "R1", now="2026-11-24 10:00")
    assert first.stderr == "R1: 1 follow-up(s) done; a second callback falls due\n"
    again = desk("followup", "done", "R1", now="2026-11-24 10:05")
    assert (again.exit_code, again.stderr) == (
        0, "R1: the second visit was recorded already, at 2026-11-24 10:00:00; nothing changed\n")
    assert stored(db_path, "SELECT done_at FROM followups") == [("2026-11-24 10:00:00",)]


def test_a_visit_cannot_come_before_its_follow_up(desk):
    desk("record", "R1", "--outcome", "reached", "--satisfaction", "不满意", now="2026-11-23 10:00")
    r = desk("followup", "done", "R1", "--at", "2026-11-23 09:00", now="2026-11-24 10:00")
    assert (r.exit_code, r.stderr) == (
        2, "Error: --at: 2026-11-23 09:00:00 is before the follow-up was opened (2026-11-23 10:00:00)\n")


def test_a_verified_number_is_not_a_second_visit_and_still_counts_as_invalid(desk, db_path):
    report = lambda: json.loads(desk("report", "-f", "json", "--from", "2026-11-01", now="2026-11-24 10:00").stdout)  # noqa: E731
    assert report()[0]["invalid_contacts"] == 1  # R2's 12345
    r = desk("followup", "verify", "R2", "--phone", "139 1111 2222", "--reason", "经销商核实", now="2026-11-24 10:00")
    assert r.exit_code == 0
    assert stored(db_path, "SELECT phone, phone_valid FROM orders WHERE order_no = 'R2'") == [("13911112222", 1)]
    assert stored(db_path, "SELECT reason, done_at, resolved_at, detail FROM followups") == [
        ("invalid_contact", None, "2026-11-24 10:00:00", "verified: 12345 -> 13911112222 (经销商核实)")]
    rows = report()[0]
    assert (rows["invalid_contacts"], rows["second_visits"]) == (1, 0)
    listed = desk("followup", "list", "-f", "csv", now="2026-11-24 10:00").stdout
    assert "R2" not in listed


def test_verify_refuses_a_number_that_is_not_one(desk):
    r = desk("followup", "verify", "R2", "--phone", "12", "--reason", "x")
    assert (r.exit_code, r.stderr) == (2, "Error: --phone: '12' does not look like a phone number\n")
