"""Every listing as of --now (issue #16): a fact stamped after now (a feedback, an arrival, a
completion, a call, a second visit, a reply, an apology, a chase, a spot check) does not count
yet, so --now of an earlier moment reproduces that moment's lists. Fixed times, exact rows.

Defaults: callback windows 09:30-11:30, 14:40-17:00; desk hours 08:30-17:00, feedback within 4
desk hours, urban response 24h; complaint reply within 24h; apology windows 08:30-12:00 and
14:30-21:00."""

import csv
import datetime as dt
import io
import json

import pytest

from conftest import candidates, write


def rows(cli, *args, now, keys=None):
    r = cli(*args, "-f", "csv", now=now)
    assert r.exit_code == 0, r.output
    got = list(csv.DictReader(io.StringIO(r.stdout)))
    return [tuple(x[k] for k in keys) for x in got] if keys else got


# -- chase ----------------------------------------------------------------------

CHASE_HEAD = ("order_no,service_type,zone,region,provider,engineer,customer,phone,reported_at,feedback_at,arrived_at,"
              "completed_at,status\n")
CHASE_KEYS = ("order_no", "reason", "deadline", "overdue_hours", "chases", "last_chased_at")


@pytest.fixture
def reported(cli, tmp_path):
    """Reported Monday 08:00 (feedback due 12:30); each gets its first report, or is finished, at 15:00."""
    cli("import", write(tmp_path / "o.csv", CHASE_HEAD + (
        "FB,repair,urban,E,P1,E1,Li,13800138000,2026-11-23 08:00,2026-11-23 15:00,,,\n"
        "AR,repair,urban,E,P1,E1,Wu,13800138001,2026-11-23 08:00,,2026-11-23 15:00,,\n"
        "CO,repair,urban,E,P1,E1,Ma,13800138002,2026-11-23 08:00,,,2026-11-23 15:00,完工\n"
        "CX,repair,urban,E,P1,E1,Xu,13800138003,2026-11-23 08:00,,,2026-11-23 15:00,已取消\n")))
    return cli


def chase(cli, now):
    return rows(cli, "chase", now=now, keys=CHASE_KEYS)


def test_feedback_at_15_00_does_not_spare_the_chase_at_13_00(reported):
    # The example; an arrival and a completion later than now count no more than a feedback.
    assert chase(reported, "2026-11-23 13:00") == [
        ("AR", "no_feedback", "2026-11-23 12:30:00", "0.5", "0", ""),
        ("CO", "no_feedback", "2026-11-23 12:30:00", "0.5", "0", ""),
        ("FB", "no_feedback", "2026-11-23 12:30:00", "0.5", "0", ""),
    ]
    assert chase(reported, "2026-11-23 15:00") == []


def test_a_chase_recorded_after_now_is_not_counted(reported):
    assert reported("chase", "--record", now="2026-11-23 14:00").exit_code == 0
    assert chase(reported, "2026-11-23 13:30") == [
        ("AR", "no_feedback", "2026-11-23 12:30:00", "1.0", "0", ""),
        ("CO", "no_feedback", "2026-11-23 12:30:00", "1.0", "0", ""),
        ("FB", "no_feedback", "2026-11-23 12:30:00", "1.0", "0", ""),
    ]
    assert chase(reported, "2026-11-23 14:30") == [
        ("AR", "no_feedback", "2026-11-23 12:30:00", "2.0", "1", "2026-11-23 14:00:00"),
        ("CO", "no_feedback", "2026-11-23 12:30:00", "2.0", "1", "2026-11-23 14:00:00"),
        ("FB", "no_feedback", "2026-11-23 12:30:00", "2.0", "1", "2026-11-23 14:00:00"),
    ]


# -- due ------------------------------------------------------------------------

ORDERS = """order_no,service_type,customer,phone,region,provider,engineer,completed_at
R1,repair,Li,13800138000,East,P1,E1,2026-11-20 15:00
R2,repair,Wu,13800138001,East,P1,E1,2026-11-20 15:00
M1,maintenance,Ma,13800138002,East,P1,E1,2026-11-23 11:20
"""
DUE_KEYS = ("order_no", "due_at", "deadline", "attempts", "last_outcome", "reason")


@pytest.fixture
def desk(cli, tmp_path):
    r = cli("import", write(tmp_path / "orders.csv", ORDERS))
    assert r.exit_code == 0, r.output
    return cli


def due(cli, *args, now):
    return rows(cli, "due", *args, now=now, keys=DUE_KEYS)


def test_calls_recorded_at_15_00_do_not_count_at_14_00(desk, db_path):
    desk("record", "R1", "--outcome", "reached", "--satisfaction", "5", now="2026-11-23 15:00")  # closes its round
    desk("record", "R2", "--outcome", "no_answer", now="2026-11-23 15:00")
    assert due(desk, now="2026-11-23 14:00") == [
        ("R1", "2026-11-23 09:30:00", "2026-11-25 17:00:00", "0", "", "first"),
        ("R2", "2026-11-23 09:30:00", "2026-11-25 17:00:00", "0", "", "first"),
    ]
    assert due(desk, "--until", "+1d", now="2026-11-23 15:30") == [
        ("M1", "2026-11-23 14:40:00", "2026-11-24 10:10:00", "0", "", "first"),
        ("R2", "2026-11-24 09:30:00", "2026-11-25 17:00:00", "1", "no_answer", "retry"),
    ]


def test_orders_closed_after_now_are_read_from_an_index_range(desk, db_path):
    from callbackctl import desk as desk_mod, schedule

    desk("record", "R1", "--outcome", "reached", "--satisfaction", "5", now="2026-11-23 15:00")
    assert candidates(db_path, "2026-11-23 14:00") == ["M1", "R2"]  # the usual query: R1's round is closed
    d = desk_mod.open_desk(db_path, now="2026-11-23 14:00")
    assert schedule.calls_after(d.conn, d.now) and not schedule.calls_after(d.conn, dt.datetime(2026, 11, 23, 15))
    lower = schedule.earliest_open_completion(schedule.Scheduler(d), d.now)
    sql, params = schedule.due_query(d.policy, d.now, d.now, lower, later_calls=True)
    assert sorted(r["order_no"] for r in d.conn.execute(sql, params)) == ["M1", "R1", "R2"]
    steps = [r[3] for r in d.conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
    assert "SEARCH callbacks USING INDEX callbacks_called (called_at>?)" in steps, steps
    assert not any(s.startswith("SCAN") for s in steps), steps


def test_an_order_completed_after_now_is_not_due_even_by_a_later_until(desk):
    assert due(desk, "--until", "+1d", now="2026-11-23 10:00") == [
        ("R1", "2026-11-23 09:30:00", "2026-11-25 17:00:00", "0", "", "first"),
        ("R2", "2026-11-23 09:30:00", "2026-11-25 17:00:00", "0", "", "first"),
    ]
    assert due(desk, "--until", "+1d", now="2026-11-23 11:20")[0] == (
        "M1", "2026-11-23 14:40:00", "2026-11-24 10:10:00", "0", "", "first")


def test_a_second_visit_after_now_has_not_happened(desk):
    desk("record", "R1", "--outcome", "reached", "--satisfaction", "2", now="2026-11-23 10:00")  # dissatisfied
    assert desk("followup", "done", "R1", "--at", "2026-11-24 10:00", now="2026-11-24 10:00").exit_code == 0
    followup = ("R1", "dissatisfied", "2026-11-23 10:00:00", "1")
    keys = ("order_no", "reason", "since", "round")
    assert rows(desk, "followup", "list", now="2026-11-23 09:50", keys=keys) == []  # opened at 10:00
    # Before the visit: round 1 closed by the call, the follow-up open, no second callback.
    assert [r[0] for r in due(desk, "--until", "+3d", now="2026-11-24 09:00")] == ["M1", "R2"]
    assert rows(desk, "followup", "list", now="2026-11-24 09:00", keys=keys) == [followup]
    # After it: the second round.
    assert due(desk, "--until", "+3d", now="2026-11-24 11:00")[-1] == (
        "R1", "2026-11-25 09:30:00", "2026-11-27 17:00:00", "0", "", "second")
    assert rows(desk, "followup", "list", now="2026-11-24 11:00", keys=keys) == []


def test_contacts_to_check_as_of_now(cli, tmp_path):
    cli("import", write(tmp_path / "o.csv", "order_no,service_type,phone,completed_at\n"
                                            "BAD,repair,12345,2026-11-23 11:00\n"
                                            "GOOD,repair,13800138000,2026-11-20 15:00\n"))
    cli("record", "GOOD", "--outcome", "wrong_number", now="2026-11-23 10:00")
    keys = ("order_no", "reason", "since")
    assert rows(cli, "followup", "list", now="2026-11-23 09:45", keys=keys) == []
    assert rows(cli, "followup", "list", now="2026-11-23 11:00", keys=keys) == [
        ("GOOD", "invalid_contact", "2026-11-23 10:00:00"), ("BAD", "invalid_contact", "2026-11-23 11:00:00")]
    keys = ("orders_completed", "invalid_contacts")
    assert rows(cli, "report", "--from", "2026-11-01", now="2026-11-23 09:45", keys=keys) == [("1", "0")]
    assert rows(cli, "report", "--from", "2026-11-01", now="2026-11-23 11:00", keys=keys) == [("2", "2")]


# -- spot checks ----------------------------------------------------------------

@pytest.fixture
def sampled(cli, tmp_path):
    cli("import", write(tmp_path / "o.csv", "order_no,service_type,region,completed_at\n"
                                            "E1,repair,East,2026-11-02 10:00\n"))
    cli("record", "E1", "--outcome", "reached", "--satisfaction", "5", now="2026-11-03 10:00")
    assert cli("sample", "--rate", "1", "--seed", "1", now="2026-11-23 10:00").exit_code == 0
    cli("record", "E1", "--outcome", "reached", "--satisfaction", "2", now="2026-11-23 10:30")  # disagrees
    return cli


def test_a_spot_check_answered_after_now_is_still_open(sampled):
    keys = ("order_no", "due_at", "attempts", "reason")
    assert rows(sampled, "due", "--reason", "spot_check", now="2026-11-23 09:59", keys=keys) == []
    assert rows(sampled, "due", "--reason", "spot_check", now="2026-11-23 10:15", keys=keys) == [
        ("E1", "2026-11-23 10:00:00", "0", "spot_check")]
    assert rows(sampled, "due", "--reason", "spot_check", now="2026-11-23 10:45", keys=keys) == []


# -- complaints and apologies ---------------------------------------------------

COMPLAINT_KEYS = ("id", "status", "reply_due", "replied_at", "overdue")


@pytest.fixture
def complained(cli, tmp_path):
    cli("import", write(tmp_path / "o.csv", "order_no,service_type,customer,phone,completed_at\n"
                                            "A1,repair,Li Na,13800138000,2026-11-20 15:00\n"))
    return cli


def test_a_complaint_replied_tomorrow_is_not_replied_today(complained):
    cli = complained
    cli("complaint", "add", "--order", "A1", "--against", "engineer", "--text", "迟到", now="2026-11-23 10:00")
    cli("complaint", "respond", "1", "--text", "已安排", now="2026-11-24 09:00")
    # Filed by phone alone, replied today, reopened tomorrow: replied today.
    cli("complaint", "add", "--phone", "13900139000", "--against", "provider", "--text", "没人来", now="2026-11-23 10:00")
    cli("complaint", "respond", "2", "--text", "明天上门", now="2026-11-23 11:00")
    cli("complaint", "close", "2", "--unsatisfied", now="2026-11-24 09:00")
    cli("complaint", "add", "--order", "A1", "--against", "product", "--text", "漏油", now="2026-11-24 08:00")
    assert rows(cli, "complaint", "list", now="2026-11-23 12:00", keys=COMPLAINT_KEYS) == [
        ("1", "open", "2026-11-24 10:00:00", "", "0"),
        ("2", "replied", "2026-11-24 10:00:00", "2026-11-23 11:00:00", "0"),
    ]
    assert rows(cli, "complaint", "list", now="2026-11-24 10:30", keys=COMPLAINT_KEYS) == [
        ("1", "replied", "2026-11-24 10:00:00", "2026-11-24 09:00:00", "0"),
        ("2", "open", "2026-11-25 09:00:00", "", "0"),
        ("3", "open", "2026-11-25 08:00:00", "", "0"),
    ]


def test_an_apology_opened_at_10_05_is_not_due_at_09_00(complained):
    cli = complained
    cli("complaint", "add", "--order", "A1", "--against", "agent", "--target", "小王", "--text", "态度差",
        now="2026-11-23 08:40")
    assert cli("apology", "open", "1", now="2026-11-23 10:05").exit_code == 0
    assert cli("apology", "record", "1", "--outcome", "refused", now="2026-11-23 11:00").exit_code == 0
    due_keys = ("id", "attempts", "last_outcome", "opened_at")
    list_keys = ("id", "state", "attempts", "last_outcome", "closed_at")
    assert rows(cli, "apology", "due", now="2026-11-23 09:00", keys=due_keys) == []
    assert rows(cli, "apology", "list", now="2026-11-23 09:00", keys=list_keys) == []
    # Opened, the refusal not yet made: still calling, no message to send.
    assert rows(cli, "apology", "due", now="2026-11-23 10:30", keys=due_keys) == [
        ("1", "0", "", "2026-11-23 10:05:00")]
    assert rows(cli, "apology", "list", now="2026-11-23 10:30", keys=list_keys) == [("1", "calling", "0", "", "")]
    assert rows(cli, "apology", "sms", now="2026-11-23 10:30") == []
    assert rows(cli, "apology", "due", now="2026-11-23 11:30", keys=due_keys) == []
    assert rows(cli, "apology", "list", now="2026-11-23 11:30", keys=list_keys) == [
        ("1", "sms_pending", "1", "refused", "")]
    assert [r["id"] for r in rows(cli, "apology", "sms", now="2026-11-23 11:30")] == ["1"]


# -- report ---------------------------------------------------------------------

def test_a_report_before_some_calls_counts_what_was_known_then(cli, tmp_path):
    cli("import", write(tmp_path / "o.csv", "order_no,service_type,region,phone,reported_at,completed_at\n"
                                            "R1,repair,East,13800138001,,2026-11-02 10:00\n"
                                            "R2,repair,East,13800138002,,2026-11-02 10:00\n"
                                            "R3,repair,East,13800138003,,2026-11-20 10:00\n"
                                            "R4,repair,East,13800138004,,2026-11-24 10:00\n"
                                            "O1,repair,East,13800138005,2026-11-20 10:00,\n"))
    cli("record", "R1", "--outcome", "reached", "--satisfaction", "2", now="2026-11-03 10:00")
    cli("followup", "done", "R1", "--at", "2026-11-24 10:00", now="2026-11-24 10:00")
    cli("record", "R2", "--outcome", "reached", "--satisfaction", "5", now="2026-11-25 10:00")
    cli("record", "R3", "--outcome", "reached", "--satisfaction", "4", now="2026-11-23 15:00")
    cli("complaint", "add", "--order", "R1", "--against", "engineer", "--text", "x", now="2026-11-23 09:00")
    cli("complaint", "respond", "1", "--text", "ok", now="2026-11-24 12:00")  # late, but not yet at 14:00
    cli("complaint", "add", "--order", "R2", "--against", "engineer", "--text", "y", now="2026-11-24 09:00")
    cli("chase", "--record", now="2026-11-24 10:00")
    keys = ("orders_completed", "callbacks_due", "callbacks_done", "on_time", "satisfaction_index", "dissatisfied",
            "second_visits", "missed", "complaints", "overdue_complaints", "chases", "late_dispatches")

    def report(now):
        r = cli("report", "-f", "json", "--from", "2026-11-01", "--to", "2026-11-30", now=now)
        assert r.exit_code == 0, r.output
        return [tuple(row[k] for k in ("period", "region") + keys) for row in json.loads(r.stdout)]

    assert report("2026-11-23 14:00") == [("2026-11", "East", 3, 3, 1, 1, 2.0, 1, 0, 1, 1, 0, 0, 0)]
    assert report("2026-11-26 10:00") == [("2026-11", "East", 4, 4, 3, 2, 3.67, 1, 1, 0, 2, 2, 1, 1)]


def test_a_report_counts_spot_check_disagreements_once_answered(sampled):
    def spot(now):
        r = sampled("report", "-f", "json", "--from", "2026-11-01", now=now)
        return [(row["spot_checks"], row["spot_disagreements"]) for row in json.loads(r.stdout)]

    assert spot("2026-11-23 09:00") == [(0, 0)]
    assert spot("2026-11-23 10:15") == [(1, 0)]
    assert spot("2026-11-23 11:00") == [(1, 1)]
