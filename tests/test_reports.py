"""report on a small hand-made dataset at fixed times, with exact numbers."""

import csv
import io
import json
import zlib

import pytest

from conftest import write

# Nov 2026. R1..R4 repairs in East (deadline: 3 working days from the next working day),
# I1 an install in West, P1 a parts order (no callback rule), X1 cancelled, O1 open.
ORDERS = """order_no,service_type,region,provider,engineer,phone,reported_at,completed_at,machine_hours,status
R1,repair,East,P1,E1,13800138001,,2026-11-02 10:00,,
R2,repair,East,P1,E1,13800138002,,2026-11-02 10:00,,
R3,repair,East,P1,E2,13800138003,,2026-11-03 10:00,1000,
R4,repair,East,P2,E2,,,2026-11-04 10:00,,
I1,install,West,P2,E3,13800138005,,2026-11-16 10:00,,
P1,parts,West,P2,E3,13800138006,,2026-11-16 10:00,,
X1,repair,West,P2,E3,13800138007,,2026-11-16 10:00,,cancelled
O1,repair,West,P2,E3,13800138008,2026-11-16 10:00,,,
Z1,repair,East,P1,E1,13800138009,,2026-10-30 10:00,,
"""


@pytest.fixture
def desk(cli, tmp_path):
    cli("import", write(tmp_path / "o.csv", ORDERS))
    rec = lambda no, now, *a: cli("record", no, *a, now=now)  # noqa: E731
    rec("R1", "2026-11-03 10:00", "--outcome", "reached", "--satisfaction", "5", "--agent", "ann")       # on time
    rec("R2", "2026-11-04 10:00", "--outcome", "no_answer", "--agent", "bob")
    rec("R2", "2026-11-10 10:00", "--outcome", "reached", "--satisfaction", "2", "--agent", "bob")     # late, dissatisfied
    cli("followup", "done", "R2", "--at", "2026-11-11 10:00", now="2026-11-11 10:00")
    rec("R2", "2026-11-12 10:00", "--outcome", "reached", "--satisfaction", "4", "--agent", "bob")     # resolved
    rec("R3", "2026-11-04 10:00", "--outcome", "reached", "--satisfaction", "4", "--hours", "1200", "--agent", "ann")
    rec("I1", "2026-11-17 10:00", "--outcome", "reached", "--satisfaction", "3", "--agent", "ann")
    cli("complaint", "add", "--order", "R2", "--against", "engineer", "--text", "x", now="2026-11-05 10:00")
    cli("complaint", "add", "--order", "I1", "--against", "product", "--severity", "special", "--text", "y",
        now="2026-11-20 10:00")
    cli("complaint", "respond", "1", "--text", "ok", now="2026-11-05 12:00")
    return cli


def report(cli, *args, now="2026-11-23 10:00"):
    r = cli("report", "-f", "json", *args, now=now)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_monthly_by_region_exact(desk):
    rows = report(desk, "--from", "2026-11-01", "--to", "2026-11-30")
    assert [(r["period"], r["region"]) for r in rows] == [("2026-11", "East"), ("2026-11", "West")]
    east, west = rows
    assert {k: east[k] for k in ("orders_completed", "callbacks_due", "callbacks_done", "completion_rate", "on_time",
                                 "on_time_rate", "satisfaction_index", "very_satisfied_share", "dissatisfied",
                                 "dissatisfied_resolved", "not_genuine", "invalid_contacts", "second_visits", "missed",
                                 "complaints", "special_complaints", "overdue_complaints")} == {
        "orders_completed": 4, "callbacks_due": 4, "callbacks_done": 3, "completion_rate": 0.75, "on_time": 2,
        "on_time_rate": 0.5, "satisfaction_index": 3.67, "very_satisfied_share": 0.333, "dissatisfied": 1,
        "dissatisfied_resolved": 1, "not_genuine": 1, "invalid_contacts": 1, "second_visits": 1, "missed": 1,
        "complaints": 1, "special_complaints": 0, "overdue_complaints": 0}
    assert (west["orders_completed"], west["callbacks_due"], west["callbacks_done"], west["satisfaction_index"],
            west["complaints"], west["special_complaints"]) == (2, 1, 1, 3.0, 1, 1)


def test_the_special_complaint_without_reply_is_overdue(desk):
    west = report(desk, "--from", "2026-11-01", now="2026-11-21 10:01")[1]
    assert west["overdue_complaints"] == 1


def test_iso_weeks_and_days(desk):
    weeks = report(desk, "--period", "week", "--by", "provider", "--from", "2026-10-26", "--to", "2026-11-30")
    assert [(r["period"], r["provider"], r["orders_completed"]) for r in weeks] == [
        ("2026-W44", "P1", 1), ("2026-W45", "P1", 3), ("2026-W45", "P2", 1),
        ("2026-W46", "P1", 0),  # no order completed, but R2's calls were made that week (calls_made)
        ("2026-W47", "P2", 2)]
    days = report(desk, "--period", "day", "--by", "engineer", "--from", "2026-11-02", "--to", "2026-11-02")
    assert [(r["period"], r["engineer"], r["callbacks_due"]) for r in days] == [("2026-11-02", "E1", 2)]


def test_iso_week_at_a_year_end(cli, tmp_path):
    cli("import", write(tmp_path / "y.csv", "order_no,service_type,region,completed_at\n"
                                            "Y1,repair,E,2026-12-31 10:00\nY2,repair,E,2027-01-04 10:00\n"
                                            "Y3,repair,E,2025-12-29 10:00\n"))
    rows = report(cli, "--period", "week", now="2027-01-05 10:00")
    assert [r["period"] for r in rows] == ["2026-W01", "2026-W53", "2027-W01"]


def test_by_agent_and_by_service_type(desk):
    agents = report(desk, "--by", "agent", "--from", "2026-11-01")
    assert [(r["agent"], r["callbacks_done"]) for r in agents] == [("ann", 3), ("bob", 1), (None, 0)]
    types = report(desk, "--by", "service_type", "--from", "2026-11-01")
    assert [(r["service_type"], r["callbacks_due"]) for r in types] == [("install", 1), ("parts", 0), ("repair", 4)]


def test_empty_ranges_and_groups_give_zeros_not_errors(desk):
    assert report(desk, "--from", "2030-01-01") == []
    r = desk("report", "--from", "2030-01-01", "--to", "2030-01-31")
    assert r.exit_code == 0 and r.stderr == (
        "Warning: no order was completed from 2030-01-01 to 2030-01-31 (the desk's completions run from "
        "2026-10-30 to 2026-11-16)\nno completed orders, complaints or chases in that range\n")
    parts = [r for r in report(desk, "--by", "service_type") if r["service_type"] == "parts"][0]
    assert (parts["callbacks_due"], parts["completion_rate"], parts["satisfaction_index"]) == (0, None, None)


def test_table_has_a_total_row_and_csv_does_not(desk):
    table = desk("report", "--from", "2026-11-01", now="2026-11-23 10:00").stdout.splitlines()
    assert table[-1].split()[:6] == ["total", "6", "5", "4", "0.8", "3"]
    rows = list(csv.DictReader(io.StringIO(desk("report", "-f", "csv", "--from", "2026-11-01").stdout)))
    assert [r["period"] for r in rows] == ["2026-11", "2026-11"]


def test_chart_draws_bars(desk):
    out = desk("report", "--chart", "--from", "2026-11-01").stdout
    assert "satisfaction index (0-5)" in out and "completion rate (0-100%)" in out
    assert "  2026-11 East  " + "█" * 22 in out and "75%" in out


def test_chases_feed_the_report(desk):
    desk("chase", "--record", now="2026-11-23 10:00")
    west = [r for r in report(desk, "--from", "2026-11-01") if r["region"] == "West"][0]
    assert (west["chases"], west["late_dispatches"]) == (1, 1)  # O1: reported 11-16, other zone, 72 h


@pytest.mark.parametrize("which, today, expected", [
    ("today", "2026-11-23", ("2026-11-23", "2026-11-23")),
    ("last_week", "2026-11-23", ("2026-11-16", "2026-11-22")),   # Monday: the week before
    ("last_week", "2026-11-29", ("2026-11-16", "2026-11-22")),   # Sunday: still the week before
    ("last_month", "2026-11-23", ("2026-10-01", "2026-10-31")),
    ("last_month", "2026-01-05", ("2025-12-01", "2025-12-31")),  # across a year end
])
def test_preset_ranges(which, today, expected):
    import datetime as dt
    from callbackctl.reports import preset_range

    got = preset_range(which, dt.date.fromisoformat(today))
    assert (got[0].isoformat(), got[1].isoformat()) == expected


def test_named_provider_evaluation(desk):
    r = desk("report", "--name", "providers", "-f", "csv", now="2026-12-02 09:00")
    assert r.stderr == "providers report: 2026-11-01 to 2026-11-30\n"
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert list(rows[0]) == ["period", "provider", "orders_completed", "callbacks_due", "completion_rate",
                             "on_time_rate", "satisfaction_index", "dissatisfied", "not_genuine", "second_visits",
                             "complaints", "special_complaints", "chases", "late_dispatches"]
    assert [(x["provider"], x["orders_completed"], x["second_visits"], x["complaints"]) for x in rows] == [
        ("P1", "3", "1", "1"), ("P2", "3", "0", "1")]


def test_fault_structure(cli, tmp_path):
    cli("import", write(tmp_path / "f.csv", "工单号,服务类型,机型,更换配件,完工时间,故障描述\n"
                                            "F1,维修,SY75C,液压泵、密封件,2026-11-02 10:00,漏油\n"
                                            "F2,维修,SY75C,液压泵,2026-11-03 10:00,漏油\n"
                                            "F3,维修,SY75C,,2026-11-04 10:00,异响\n"
                                            "F4,维修,SY135C,主阀,2026-11-04 10:00,\n"))
    rows = json.loads(cli("report", "--name", "faults", "-f", "json").stdout)
    assert [(r["product"], r["kind"], r["name"], r["orders"], r["share"]) for r in rows] == [
        ("SY135C", "part", "主阀", 1, 1.0),
        ("SY75C", "fault", "漏油", 2, 0.667), ("SY75C", "fault", "异响", 1, 0.333),
        ("SY75C", "part", "液压泵", 2, 0.667), ("SY75C", "part", "密封件", 1, 0.333)]


def test_views_for_the_sqlite3_shell(desk, db_path):
    import sqlite3

    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT order_no, outcome, \"index\" FROM calls_view WHERE order_no = 'R1'").fetchall() == [
        ("R1", "reached", 5.0)]
    assert conn.execute("SELECT calls, first_index, followups FROM order_callbacks_view WHERE order_no = 'R2'").fetchall() == [
        (3, 2.0, "dissatisfied")]
    assert conn.execute("SELECT order_no, severity FROM complaints_view ORDER BY id").fetchall() == [
        ("R2", "general"), ("I1", "special")]


def test_a_sampling_rule_counts_only_the_orders_it_picks(cli, tmp_path):
    # install samples 30%, repair is called in full, parts has no rule
    rows = "".join(f"S{i:03d},install,East,P1,E1,13800138000,,2026-11-20 10:00,,\n" for i in range(100))
    rows += "R1,repair,East,P1,E1,13800138000,,2026-11-20 10:00,,\nP1,parts,East,P1,E1,13800138000,,2026-11-20 10:00,,\n"
    cli("import", write(tmp_path / "o.csv", ORDERS.splitlines()[0] + "\n" + rows))
    pol = write(tmp_path / "p.toml", "[callback.rules.install]\ncoverage = 0.3\n")
    picked = sum(zlib.crc32(f"S{i:03d}".encode()) / 2**32 < 0.3 for i in range(100))
    r = cli("report", "-f", "json", "--from", "2026-11-01", policy=pol)
    (east,) = json.loads(r.stdout)
    assert (east["orders_completed"], east["callbacks_due"]) == (102, picked + 1)
    assert 15 <= picked <= 45
    due_list = json.loads(cli("due", "-f", "json", "--until", "+30d", policy=pol).stdout)
    assert len(due_list) == east["callbacks_due"]  # the report and the due list agree on who is called


def test_a_complaint_against_a_desk_agent_counts_for_the_agent_not_the_provider_or_engineer(desk):
    desk("complaint", "add", "--order", "R1", "--against", "agent", "--target", "ann", "--text", "rude",
         now="2026-11-06 10:00")
    count = lambda rows, by: {r[by]: r["complaints"] for r in rows if r["complaints"]}  # noqa: E731
    assert count(report(desk, "--by", "agent", "--from", "2026-11-01"), "agent") == {"ann": 1, None: 2}
    # R1 is P1's and E1's order; the complaint is against the agent, not them
    assert count(report(desk, "--by", "provider", "--from", "2026-11-01"), "provider") == {None: 1, "P1": 1, "P2": 1}
    assert count(report(desk, "--by", "engineer", "--from", "2026-11-01"), "engineer") == {None: 1, "E1": 1, "E3": 1}
    assert count(report(desk, "--by", "region", "--from", "2026-11-01"), "region") == {"East": 2, "West": 1}


@pytest.mark.parametrize("by", ["region", "agent", "provider"])
def test_a_wide_range_read_in_row_order_and_on_two_connections_gives_the_same_rows(desk, monkeypatch, by):
    from callbackctl import reports

    args = ("report", "-f", "csv", "--by", by, "--from", "2026-10-01", "--to", "2026-11-23")
    narrow = desk(*args, now="2026-11-23 10:30")
    assert narrow.exit_code == 0
    threads = []
    real = reports._beside

    def beside(d, job, parallel):
        threads.append(parallel)
        return real(d, job, parallel)
    monkeypatch.setattr(reports, "_beside", beside)
    monkeypatch.setattr(reports, "_wide", lambda conn, first, last: True)
    wide = desk(*args, now="2026-11-23 10:30")
    assert threads == [True, True]  # the calls, and the providers' duties
    assert (wide.exit_code, wide.stdout) == (0, narrow.stdout)
    assert len(narrow.stdout.splitlines()) > 2


CATEGORIES = """工单号,服务类型,品类,机型,区域,完工时间
C1,维修,空调,KFR-35,华东,2026-11-20 10:00
C2,维修,挖掘机,SY75C,华东,2026-11-20 11:00
C3,安装,空调,KFR-50,华北,2026-11-21 11:00
C4,维修,,KFR-50,华北,2026-11-21 12:00
"""


def test_category_is_a_column_a_group_and_a_filter(cli, tmp_path):
    """品类 (#30): imported from its own column, `--by category`, `--category`, the forms' 品类 line."""
    assert cli("import", write(tmp_path / "c.csv", CATEGORIES), now="2026-11-23 10:00").exit_code == 0
    by = json.loads(cli("report", "--by", "category", "-f", "json", now="2026-11-23 10:00").stdout)
    assert [(r["category"], r["orders_completed"]) for r in by] == [("挖掘机", 1), ("空调", 2), (None, 1)]
    kept = json.loads(cli("report", "--category", "空调", "-f", "json", now="2026-11-23 10:00").stdout)
    assert [(r["region"], r["orders_completed"]) for r in kept] == [("华东", 1), ("华北", 1)]
    none = cli("report", "--category", "冰箱", now="2026-11-23 10:00")
    assert (none.exit_code, none.stderr.splitlines()[0]) == (
        0, "Warning: no order of category 冰箱 was completed from the start to 2026-11-23 (the desk's completions run from "
           "2026-11-20 to 2026-11-21)")
    shown = json.loads(cli("show", "C2", "-f", "json", now="2026-11-23 10:00").stdout)["order"]
    assert (shown["category"], shown["product"]) == ("挖掘机", "SY75C")
    due = json.loads(cli("due", "--category", "空调", "-f", "json", now="2026-11-23 10:00").stdout)
    assert sorted(d["order_no"] for d in due) == ["C1", "C3"]
    claimed = json.loads(cli("claim", "--agent", "王芳", "--category", "挖掘机", "-f", "json", now="2026-11-23 10:00").stdout)
    assert [c["order_no"] for c in claimed] == ["C2"]
