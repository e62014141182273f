"""Seed 002's three forms on a week of work written out by hand: every cell of the daily,
weekly and monthly forms is a count worked out below from the script, and `report -f json`
of the same period gives the same numbers.

The week is 2026-W47 (Monday 16 to Sunday 22 November); the daily form is Wednesday the
18th at 18:00. Installs fall due the next working day at 09:30 and are late after 17:00 that
day; repairs fall due the same way and are late after the third working day's 17:00.
"""

import json

import openpyxl
import pytest

from conftest import write

ORDERS = """order_no,service_type,region,provider,engineer,phone,reported_at,dispatched_at,completed_at,category
E1,install,华东,上海冷暖,张三,13800000001,2026-11-16 09:00,2026-11-16 10:00,2026-11-17 11:00,空调
E2,repair,华东,上海冷暖,张三,13800000002,2026-11-17 08:00,2026-11-17 09:00,2026-11-17 15:00,空调
E3,repair,华东,上海冷暖,李四,13800000003,2026-11-18 08:30,2026-11-18 09:00,2026-11-18 12:00,冰箱
E4,install,华东,上海冷暖,李四,13800000004,2026-11-18 10:00,2026-11-18 11:00,,空调
E5,repair,华东,上海冷暖,张三,13800000005,2026-11-17 09:00,2026-11-17 09:30,2026-11-17 16:00,冰箱
O1,repair,华东,上海冷暖,李四,13800000006,2026-10-30 09:00,2026-10-30 10:00,2026-10-31 10:00,冰箱
N1,repair,华北,北京家电,王五,13900000001,2026-11-17 10:00,2026-11-17 10:30,2026-11-17 14:00,空调
N2,install,华北,北京家电,王五,13900000002,2026-11-16 08:00,2026-11-16 09:00,2026-11-16 16:00,空调
N3,repair,华北,北京家电,王五,13900000003,2026-11-18 09:00,2026-11-18 09:20,,冰箱
"""

# (when, order, agent, record's options): the regions' calls, then head office's spot checks
CALLS = [
    ("2026-11-18 10:00", "E1", "王芳", "--outcome", "reached", "--satisfaction", "5", "--suggestion", "希望周末也能上门"),
    ("2026-11-18 10:10", "E2", "王芳", "--outcome", "no_answer"),
    ("2026-11-18 10:20", "E5", "李娜", "--outcome", "wrong_number"),
    ("2026-11-18 10:30", "N1", "李娜", "--outcome", "reached", "--satisfaction", "2"),
    ("2026-11-18 11:00", "N2", "李娜", "--outcome", "reached", "--satisfaction", "4", "--not-genuine"),
    ("2026-11-18 15:00", "E2", "王芳", "--outcome", "reached", "--satisfaction", "3"),
]
SPOT_CALLS = [  # after `sample --rate 1` on the 19th at 10:00 picked E1, E2, N1 and N2
    ("2026-11-19 10:30", "E1", "总部", "--outcome", "reached", "--satisfaction", "5", "--not-genuine"),
    ("2026-11-19 10:40", "E2", "总部", "--outcome", "no_answer"),
    ("2026-11-19 10:50", "N1", "总部", "--outcome", "reached", "--satisfaction", "5"),   # the region heard 2
    ("2026-11-19 11:00", "N2", "总部", "--outcome", "reached", "--satisfaction", "4", "--genuine"),  # not genuine
]
# N1's second visit on the 19th, and its second callback on the 20th, satisfied: resolved
SECOND = ("2026-11-20 10:00", "N1", "李娜", "--outcome", "reached", "--satisfaction", "4")


@pytest.fixture
def week(cli, tmp_path):
    assert cli("import", write(tmp_path / "orders.csv", ORDERS), now="2026-11-18 08:00").exit_code == 0
    for at, no, agent, *options in CALLS:
        assert cli("record", no, "--agent", agent, *options, now=at).exit_code == 0, (no, at)
    r = cli("sample", "--rate", "1", "--from", "2026-11-18", "--to", "2026-11-18", "--seed", "1",
            now="2026-11-19 10:00")
    assert r.exit_code == 0, r.output
    for at, no, agent, *options in SPOT_CALLS:
        assert cli("record", no, "--agent", agent, *options, now=at).exit_code == 0, (no, at)
    assert cli("followup", "done", "N1", "--at", "2026-11-19 14:00", now="2026-11-19 14:00").exit_code == 0
    assert cli("complaint", "add", "--order", "E2", "--against", "engineer", "--target", "张三", "--text", "上门迟到",
               now="2026-11-19 09:00").exit_code == 0
    at, no, agent, *options = SECOND
    assert cli("record", no, "--agent", agent, *options, now=at).exit_code == 0
    return cli


# -- the counts, by hand -----------------------------------------------------------------

# Wednesday the 18th. 华东: dispatched E3 and E4; reported the repair E3 (E4 is an install);
# completed E3; due E1, E2 and E5 (completed the 17th), done and on time E1 and E2; called
# E1 (满意), E2 twice (一般 the second time), E5 (wrong number): 4 calls, 2 reached.
# 华北: dispatched and reported N3; none completed; due N1, done on time; called N1 (不满意) and
# N2 (满意, not genuine; due the 17th): 2 calls, 2 reached.
DAILY = {
    "华东": dict(dispatched=2, repairs_reported=1, orders_completed=1, callbacks_due_in_period=3,
                callbacks_done_in_period=2, calls_satisfied=1, calls_neutral=1, calls_dissatisfied=0,
                satisfied_rate=0.5, period_completion_rate=0.667, period_on_time_rate=0.667, calls_not_genuine=0,
                calls_wrong_contact=1, calls_made=4, calls_reached=2, contacts=0, late_replies=0, complaints=0,
                chases=0),
    "华北": dict(dispatched=1, repairs_reported=1, orders_completed=0, callbacks_due_in_period=1,
                callbacks_done_in_period=1, calls_satisfied=1, calls_neutral=0, calls_dissatisfied=1,
                satisfied_rate=0.5, period_completion_rate=1.0, period_on_time_rate=1.0, calls_not_genuine=1,
                calls_wrong_contact=0, calls_made=2, calls_reached=2, contacts=0, late_replies=0, complaints=0,
                chases=0),
    "合计": dict(dispatched=3, repairs_reported=2, orders_completed=1, callbacks_due_in_period=4,
                callbacks_done_in_period=3, calls_satisfied=2, calls_neutral=1, calls_dissatisfied=1,
                satisfied_rate=0.5, period_completion_rate=0.75, period_on_time_rate=0.75, calls_not_genuine=1,
                calls_wrong_contact=1, calls_made=6, calls_reached=4, contacts=0, late_replies=0, complaints=0,
                chases=0),
}
# 王芳 called E1, E2 and E2 (满意, 一般), 李娜 E5, N1 and N2 (不满意, 满意)
DAILY_AGENTS = [["李娜", 3, 2, 0.5, 0, 0, 0], ["王芳", 3, 2, 0.5, 0, 0, 0], ["合计", 6, 4, 0.5, 0, 0, 0]]

# The week: 华东 dispatched E1-E5, reported the repairs E2, E3 and E5, completed E1, E2, E3
# and E5; due E1, E2, E5 and E3 (the 19th), done and on time E1 and E2; the same 4 calls as
# on the 18th (head office's 2 are not the region's); the index of the first reached calls
# of its completed orders, E1 5 and E2 3: 4.0. Head office sampled E1 and E2, reached E1,
# heard what the region heard (the region checked nothing), and found it not genuine.
# 华北 dispatched N1-N3, reported the repairs N1 and N3, completed N1 and N2; due N2 (the 17th,
# called the 18th: late) and N1, both done; calls N1, N2 and N1's second (满意): 3 reached;
# index of N1 2 and N2 4: 3.0. Head office reached N1 (heard 5, not 2) and N2 (found it
# genuine, the region did not): 2 disagreements. E2's customer complained on the 19th.
WEEK = {
    "华东": dict(dispatched=5, repairs_reported=3, orders_completed=4, callbacks_due_in_period=4,
                callbacks_done_in_period=2, calls_satisfied=1, calls_neutral=1, calls_dissatisfied=0,
                satisfied_rate=0.5, period_completion_rate=0.5, period_on_time_rate=0.5, calls_not_genuine=0,
                calls_wrong_contact=1, calls_made=4, calls_reached=2, satisfaction_index=4.0, complaints=1,
                special_complaints=0, chases=0, late_contact=0, late_status=0, spot_checks=2,
                spot_checks_reached=1, spot_check_disagreements=0, spot_checks_not_genuine=1),
    "华北": dict(dispatched=3, repairs_reported=2, orders_completed=2, callbacks_due_in_period=2,
                callbacks_done_in_period=2, calls_satisfied=2, calls_neutral=0, calls_dissatisfied=1,
                satisfied_rate=0.667, period_completion_rate=1.0, period_on_time_rate=0.5, calls_not_genuine=1,
                calls_wrong_contact=0, calls_made=3, calls_reached=3, satisfaction_index=3.0, complaints=0,
                special_complaints=0, chases=0, late_contact=0, late_status=0, spot_checks=2,
                spot_checks_reached=2, spot_check_disagreements=2, spot_checks_not_genuine=0),
    "合计": dict(dispatched=8, repairs_reported=5, orders_completed=6, callbacks_due_in_period=6,
                callbacks_done_in_period=4, calls_satisfied=3, calls_neutral=1, calls_dissatisfied=1,
                satisfied_rate=0.6, period_completion_rate=0.667, period_on_time_rate=0.5, calls_not_genuine=1,
                calls_wrong_contact=1, calls_made=7, calls_reached=5, satisfaction_index=3.5, complaints=1,
                special_complaints=0, chases=0, late_contact=0, late_status=0, spot_checks=4,
                spot_checks_reached=3, spot_check_disagreements=2, spot_checks_not_genuine=1),
}
# November adds O1 to 华东: completed Saturday 31 October, due Monday 2 November, never called;
# N1 was handed back dissatisfied and resolved by its second callback; E1's call carried a suggestion.
MONTH = {
    "华东": {**WEEK["华东"], "callbacks_due_in_period": 5, "period_completion_rate": 0.4, "period_on_time_rate": 0.4,
            "dissatisfied": 0, "dissatisfied_resolved": 0, "dissatisfied_resolved_rate": None, "suggestions": 1},
    "华北": {**WEEK["华北"], "dissatisfied": 1, "dissatisfied_resolved": 1, "dissatisfied_resolved_rate": 1.0,
            "suggestions": 0},
    "合计": {**WEEK["合计"], "callbacks_due_in_period": 7, "period_completion_rate": 0.571,
            "period_on_time_rate": 0.429, "dissatisfied": 1, "dissatisfied_resolved": 1,
            "dissatisfied_resolved_rate": 1.0, "suggestions": 1},
}


def form_cells(cli, tmp_path, name, now):
    """The form's main table as {region: {column: value}}, and the workbook's sheet."""
    from callbackctl import forms, i18n

    path = tmp_path / f"{name}.xlsx"
    r = cli("--lang", "zh", "report", "--name", name, "-o", str(path), now=now)
    assert r.exit_code == 0, r.output
    ws = openpyxl.load_workbook(path).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    top = next(i for i, row in enumerate(rows) if row[0] == "区域")
    i18n.use("zh")
    try:
        assert rows[top][:len(forms.COLUMNS[name]) + 1] == [i18n.header(c) for c in ["region"] + forms.COLUMNS[name]]
    finally:
        i18n.use("en")
    table = {}
    for row in rows[top + 1:]:
        table[row[0]] = dict(zip(forms.COLUMNS[name], row[1:]))
        if row[0] == "合计":
            return table, rows


def as_json(cli, now, *args):
    r = cli("report", "-f", "json", *args, now=now)
    assert r.exit_code == 0, r.output
    return {row["region"]: row for row in json.loads(r.stdout)}


def rounded(table):
    """A form's rates are the same numbers; the workbook shows them as %."""
    return {g: {c: round(v, 3) if isinstance(v, float) else v for c, v in row.items()} for g, row in table.items()}


def test_the_daily_form_is_the_days_work(week, tmp_path):
    table, rows = form_cells(week, tmp_path, "daily", "2026-11-18 18:00")
    assert rounded(table) == DAILY
    top = next(i for i, row in enumerate(rows) if row[0] == "回访人")
    agents = [row[:7] for row in rows[top + 1:top + 4]]
    assert agents == DAILY_AGENTS
    json_rows = as_json(week, "2026-11-18 18:00", "--period", "day", "--from", "2026-11-18", "--to", "2026-11-18")
    assert {g: {c: json_rows[g][c] for c in DAILY[g]} for g in ("华东", "华北")} == {
        g: DAILY[g] for g in ("华东", "华北")}


def test_the_weekly_form_adds_head_offices_spot_checks(week, tmp_path):
    table, _rows = form_cells(week, tmp_path, "weekly", "2026-11-23 09:00")
    assert rounded(table) == WEEK
    json_rows = as_json(week, "2026-11-23 09:00", "--period", "week", "--from", "2026-11-16", "--to", "2026-11-22")
    assert {g: {c: json_rows[g][c] for c in WEEK[g]} for g in ("华东", "华北")} == {
        g: WEEK[g] for g in ("华东", "华北")}
    # the three kinds of rated call add up, and head office's calls are nowhere in the region's
    for row in json_rows.values():
        assert row["calls_satisfied"] + row["calls_neutral"] + row["calls_dissatisfied"] == row["calls_rated"]


def test_the_monthly_form_adds_resolution_and_suggestions(week, tmp_path):
    table, rows = form_cells(week, tmp_path, "monthly", "2026-12-01 09:00")
    assert rounded(table) == MONTH
    texts = [row for row in rows if "希望周末也能上门" in row]
    assert [[v for v in row if v] for row in texts] == [["2026-11-18 10:00:00", "E1", "华东", "王芳", "希望周末也能上门"]]
    json_rows = as_json(week, "2026-12-01 09:00", "--from", "2026-11-01", "--to", "2026-11-30")
    assert {g: {c: json_rows[g][c] for c in MONTH[g]} for g in ("华东", "华北")} == {
        g: MONTH[g] for g in ("华东", "华北")}


# -- the detail forms head office reviews --------------------------------------------------

def listed(cli, name, *args, now="2026-11-23 09:00"):
    r = cli("report", "--name", name, *args, "-f", "csv", now=now)
    assert r.exit_code == 0, r.output
    return r.stdout.splitlines()


def test_the_review_lists_are_the_regions_calls_that_found_it(week):
    head = ("order_no,customer,phone,region,category,product,provider,engineer,service_type,completed_at,called_at,"
            "agent,respondent,outcome,index,found,followup,followup_state,followup_at")
    week_ = ("--from", "2026-11-16", "--to", "2026-11-22")
    # N2, as the region's agent found it; head office's call on E1 (not genuine too) is its spot check's, not here
    assert listed(week, "not-genuine", *week_) == [head, (
        "N2,,13900000002,华北,空调,,北京家电,王五,install,2026-11-16 16:00:00,2026-11-18 11:00:00,李娜,,reached,4.0,,"
        "not_genuine,open,2026-11-18 11:00:00")]
    # N1's first dissatisfied call, its follow-up resolved by the second callback
    assert listed(week, "dissatisfied", *week_) == [head, (
        "N1,,13900000001,华北,空调,,北京家电,王五,repair,2026-11-17 14:00:00,2026-11-18 10:30:00,李娜,,reached,2.0,"
        '"skill 2, attitude 2, timeliness 2, parts 2, overall 2",dissatisfied,resolved,2026-11-20 10:00:00')]
    # as of the 19th, the resolution had not come yet
    assert listed(week, "dissatisfied", *week_, now="2026-11-19 18:00")[1].endswith(
        "dissatisfied,visited,2026-11-19 14:00:00")
    assert listed(week, "bad-contact", *week_) == [head, (
        "E5,,13800000005,华东,冰箱,,上海冷暖,张三,repair,2026-11-17 16:00:00,2026-11-18 10:20:00,李娜,,wrong_number,,"
        "wrong_number,invalid_contact,open,2026-11-18 10:20:00")]
    # the default range is today: on the 23rd nothing was called
    r = week("report", "--name", "bad-contact", now="2026-11-23 09:00")
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", "bad-contact report: 2026-11-23 to 2026-11-23\n"
                                                        "nothing for the bad-contact report in that range\n")


def test_the_providers_month_and_its_complaints(week, tmp_path):
    now = "2026-12-01 09:00"  # the default range: last month
    assert listed(week, "provider-monthly", now=now) == [
        "provider,engineer,orders_completed,install,repair,maintenance,other,second_visits,complaints",
        "上海冷暖,张三,3,1,2,0,0,0,1", "上海冷暖,李四,1,0,1,0,0,0,0", "北京家电,王五,2,1,1,0,0,1,0"]
    assert listed(week, "complaints-monthly", now=now) == [
        "provider,engineer,id,order_no,customer,phone,against,target,severity,status,received_at,replied_at,"
        "resolved_at,text", "上海冷暖,张三,1,E2,,13800000002,engineer,张三,general,open,2026-11-19 09:00:00,,,上门迟到"]
    # the workbook: the forms' header block, the service volume, then the repairs
    path = tmp_path / "providers.xlsx"
    r = week("--lang", "zh", "report", "--name", "provider-monthly", "--by-person", "李娜", "-o", str(path), now=now)
    assert r.exit_code == 0, r.output
    rows = [[v for v in row if v is not None] for row in openpyxl.load_workbook(path).active.iter_rows(values_only=True)]
    rows = [row for row in rows if row]
    assert rows[0] == ["服务商服务量与维修明细月报表"]
    assert rows[1] == ["区域：全部", "品类：全部", "月份：2026-11", "制表人：李娜", "制表日期：2026-12-01"]
    assert rows[2:7] == [["服务量"], ["服务商", "服务工程师", "完工量", "安装", "维修（含保内、保外）", "保养", "其他",
                                      "二次上门", "投诉"],
                         ["上海冷暖", "张三", 3, 1, 2, 0, 0, 0, 1], ["上海冷暖", "李四", 1, 0, 1, 0, 0, 0, 0],
                         ["北京家电", "王五", 2, 1, 1, 0, 0, 1, 0]]
    assert rows[7] == ["维修明细"]
    assert [row[2] for row in rows[9:13]] == ["E2", "E5", "E3", "N1"]


def test_a_detail_form_says_what_was_found_in_its_language_and_keeps_times_as_dates(week, tmp_path):
    import datetime as dt

    path = tmp_path / "dissatisfied.xlsx"
    r = week("--lang", "zh", "report", "--name", "dissatisfied", "--from", "2026-11-16", "--to", "2026-11-22",
             "-o", str(path), now="2026-11-23 09:00")
    assert r.exit_code == 0, r.output
    ws = openpyxl.load_workbook(path).active
    top = next(row[0].row for row in ws.iter_rows() if row[0].value == "工单号")
    got = {ws.cell(top, c).value: ws.cell(top + 1, c) for c in range(1, ws.max_column + 1) if ws.cell(top, c).value}
    assert got["回访发现"].value == "服务技能 2, 服务态度 2, 服务及时性 2, 配件供应 2, 服务综合 2"
    assert (got["回访结果"].value, got["回单处理"].value, got["处理状态"].value) == ("已接通", "不满意", "已解决")
    assert (got["回访时间"].value, got["回访时间"].number_format) == (dt.datetime(2026, 11, 18, 10, 30),
                                                                  "yyyy-mm-dd hh:mm:ss")


def test_a_first_day_after_the_last_is_refused(week):
    for name in ("weekly", "dissatisfied"):
        r = week("report", "--name", name, "--from", "2026-11-22", "--to", "2026-11-16", now="2026-11-23 09:00")
        assert (r.exit_code, r.stdout, r.stderr) == (
            2, "", "Error: --from: 2026-11-22 is after the last day, 2026-11-16: give the first day first\n")
