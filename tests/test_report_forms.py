"""The report's call columns and the head office's forms (report --name daily|weekly|monthly -f xlsx).

A hand-made desk at fixed times with exact numbers; the workbooks are read
back with openpyxl (the title, the header block, cell types, the total row
against `report -f json`, the chart), and the README's nightly job is run as
cron runs it.
"""

import csv
import io
import json
import os
import re
import shutil
import stat
import subprocess
import zipfile

import openpyxl
import pytest

from conftest import write

# Nov 2026: 华北 A1, A2 (repairs); 华东 A3 (repair), A4 (install), A5 (parts: no callback).
# B1 is completed on 2026-12-01.
ORDERS = """order_no,service_type,region,provider,engineer,product,phone,completed_at
A1,repair,华北,P1,E1,SY75C,13800138001,2026-11-02 10:00
A2,repair,华北,P1,E1,SY135C,13800138002,2026-11-02 10:00
A3,repair,华东,P2,E2,SY75C,13800138003,2026-11-03 10:00
A4,install,华东,P2,E2,SY75C,13800138004,2026-11-16 10:00
A5,parts,华东,P2,E2,SY135C,13800138005,2026-11-16 10:00
B1,repair,华北,P1,E1,SY75C,13800138006,2026-12-01 10:00
"""
DAY = "2026-12-02 18:00"  # the daily report's evening; the monthly one is November's


@pytest.fixture
def desk(cli, tmp_path):
    assert cli("import", write(tmp_path / "o.csv", ORDERS)).exit_code == 0
    calls = [("A1", "2026-11-03 10:00", "王芳", "--outcome", "reached", "--satisfaction", "5"),
             ("A2", "2026-11-03 10:30", "李娜", "--outcome", "no_answer"),
             ("A2", "2026-11-04 10:00", "李娜", "--outcome", "reached", "--satisfaction", "2"),
             ("A3", "2026-11-04 11:00", "王芳", "--outcome", "reached", "--satisfaction", "4"),
             ("A4", "2026-11-17 10:00", "王芳", "--outcome", "reached", "--no-rating", "no time"),
             # the evening's day: a December order, and a November one called again after its second visit
             ("B1", "2026-12-02 10:00", "王芳", "--outcome", "reached", "--satisfaction", "3"),
             ("A2", "2026-12-02 09:40", "李娜", "--outcome", "reached", "--satisfaction", "4")]
    for no, at, agent, *args in calls:
        if no == "A2" and at.startswith("2026-12"):
            assert cli("followup", "done", "A2", "--at", "2026-11-20 10:00", now="2026-11-20 10:00").exit_code == 0
        r = cli("record", no, "--agent", agent, *args, now=at)
        assert r.exit_code == 0, r.output
    return cli


def report(cli, *args, now=DAY):
    r = cli("report", "-f", "json", *args, now=now)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def pick(rows, by, *columns):
    return {r[by]: tuple(r[c] for c in columns) for r in rows}


# -- the new columns ------------------------------------------------------------------

def test_calls_made_reached_and_the_satisfied_rate_by_region(desk):
    rows = report(desk, "--from", "2026-11-01", "--to", "2026-11-30")
    assert pick(rows, "region", "orders_completed", "callbacks_done", "calls_made", "calls_reached",
                "satisfied_rate", "satisfaction_index") == {
        "华北": (2, 2, 3, 2, 0.5, 3.5),   # A1 5 (very satisfied), A2 2: one of two rated calls
        "华东": (3, 2, 2, 2, 1.0, 4.0)}   # A3 4 (satisfied); A4 reached without a rating
    columns = list(rows[0])  # after the old columns (and before the inbound calls' of #20)
    assert columns[columns.index("spot_disagreements") + 1:][:3] == ["satisfied_rate", "calls_made", "calls_reached"]


def test_the_total_recomputes_the_rates_from_the_counts(desk):
    from callbackctl import desk as desk_mod, reports

    d = desk_mod.open_desk(desk.db_path, now=DAY)
    import datetime as dt
    rows = reports.report(d, "month", "region", dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    total = reports.total(rows, "region")
    # 3 rated first calls (5, 2, 4): 3.67, not 3.75 as weighting each region's index by its done calls gave
    assert (total["satisfaction_index"], total["satisfied_rate"], total["calls_made"], total["calls_reached"],
            total["very_satisfied_share"]) == (3.67, 0.667, 5, 4, 0.333)
    assert not [k for r in report(desk, "--from", "2026-11-01") for k in r if k.startswith("_")]


def test_a_daily_report_shows_the_days_calls(desk):
    # No order was completed on 12-02, but the desk made two calls that day.
    rows = report(desk, "--name", "daily")
    assert pick(rows, "region", "orders_completed", "calls_made", "calls_reached", "satisfied_rate") == {
        "华北": (0, 2, 2, 0.5)}
    agents = report(desk, "--period", "day", "--by", "agent", "--from", "2026-12-02", "--to", "2026-12-02")
    assert pick(agents, "agent", "calls_made", "calls_reached", "satisfied_rate") == {
        "李娜": (1, 1, 1.0), "王芳": (1, 1, 0.0)}


def test_a_voided_call_is_no_call_made(desk):
    import sqlite3

    (call_id,) = sqlite3.connect(desk.db_path).execute(
        "SELECT c.id FROM callbacks c JOIN orders o ON o.id = c.order_id WHERE o.order_no = 'B1'").fetchone()
    assert desk("call", "void", str(call_id), "--reason", "录错工单", now=DAY).exit_code == 0
    assert pick(report(desk, "--name", "daily"), "region", "calls_made", "satisfied_rate") == {"华北": (1, 1.0)}


def test_by_product_and_the_region_and_product_filters(desk):
    products = report(desk, "--by", "product", "--from", "2026-11-01", "--to", "2026-11-30")
    assert pick(products, "product", "orders_completed", "callbacks_due", "calls_made") == {
        "SY135C": (2, 1, 2), "SY75C": (3, 3, 3)}
    north = report(desk, "--region", "华北", "--from", "2026-11-01", "--to", "2026-11-30")
    assert pick(north, "region", "orders_completed", "calls_made") == {"华北": (2, 3)}
    small = report(desk, "--product", "SY135C", "--by", "product", "--from", "2026-11-01", "--to", "2026-11-30")
    assert pick(small, "product", "orders_completed") == {"SY135C": (2,)}


def test_named_monthly_is_last_month_in_every_text_format(desk):
    r = desk("report", "--name", "monthly", "-f", "csv", now=DAY)
    assert r.stderr == "monthly report: 2026-11-01 to 2026-11-30\n"
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [(x["period"], x["region"], x["calls_made"]) for x in rows] == [("2026-11", "华东", "2"), ("2026-11", "华北", "3")]
    table = desk("report", "--name", "monthly", now=DAY).stdout
    assert table.splitlines()[-1].split()[0] == "total"


def test_a_named_report_takes_a_given_grouping(desk):
    rows = report(desk, "--name", "monthly", "--by", "product")
    assert [r["product"] for r in rows] == ["SY135C", "SY75C"]


def test_the_daily_table_adds_the_days_calls_by_agent(desk):
    out = desk("report", "--name", "daily", now=DAY).stdout
    region_table, agent_table = out.split("\n\n")
    assert region_table.splitlines()[-1].split()[0] == "total"
    # the same columns as the form's table of agents
    assert agent_table.splitlines()[0].split() == ["period", "agent", "calls_made", "calls_reached", "satisfied_rate",
                                                   "recurring_calls_made", "recurring_calls_reached", "complaints"]
    assert [line.split()[:4] for line in agent_table.splitlines()[2:]] == [
        ["2026-12-02", "李娜", "1", "1"], ["2026-12-02", "王芳", "1", "1"], ["total", "2", "2", "0.5"]]
    # csv stays one listing, by region
    assert "agent" not in desk("report", "--name", "daily", "-f", "csv", now=DAY).stdout.splitlines()[0].split(",")


# -- the forms -----------------------------------------------------------------------

def form(cli, tmp_path, *args, name="monthly", lang="zh", now=DAY, file="form.xlsx", policy=None):
    path = tmp_path / file
    argv = (["--lang", lang] if lang else []) + ["--now", now]
    from callbackctl.cli import app

    base = ["--db", cli.db_path] + (["--policy", policy] if policy else [])
    r = cli.runner.invoke(app, base + argv + ["report", "--name", name, *args, "-o", str(path)],
                          catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return path, r


def cells(ws):
    return [[c.value for c in row] for row in ws.iter_rows()]


def find_row(ws, first):
    return next(i for i, row in enumerate(ws.iter_rows(), 1) if row[0].value == first)


def table(ws, header_first, total_first):
    """The header titles, the rows and the total row of the table whose header starts with header_first."""
    top = find_row(ws, header_first)
    headers = [c.value for c in ws[top] if c.value is not None]
    rows, r = [], top + 1
    while ws.cell(r, 1).value != total_first:
        rows.append(ws[r][:len(headers)])
        r += 1
    return headers, rows, ws[r][:len(headers)]


def test_the_monthly_form_in_chinese(desk, tmp_path):
    from callbackctl import forms, i18n

    path, r = form(desk, tmp_path, "--by-person", "王芳")
    assert r.stderr == f"monthly report: 2026-11-01 to 2026-11-30\n2 row(s) written to {path}\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["月报表"]
    ws = book.active
    assert ws["A1"].value == "总部客服回访情况月报表" and ws["A1"].font.b
    header_block = [v for v in cells(ws)[1] if v]
    assert header_block == ["区域：全部", "品类：全部", "月份：2026-11", "制表人：王芳", "制表日期：2026-12-02"]
    headers, rows, total = table(ws, "区域", "合计")
    try:
        i18n.use("zh")
        columns = ["region"] + forms.COLUMNS["monthly"]
        assert headers == [i18n.header(c) for c in columns]
    finally:
        i18n.use("en")
    assert headers[:14] == ["区域", "派单量", "送修量", "完工量", "应回访", "已回访", "用户满意", "一般", "不满意", "满意率",
                            "完成率", "及时率", "不属实", "电话空号/信息错误"]
    assert headers[-8:] == ["抽访量", "抽访接通", "与区域记录不符", "抽访不属实", "不满意工单", "不满意已解决", "不满意解决率",
                            "用户建议"]
    # cell types: the group is text, counts are whole numbers, rates are numbers shown as %, the index as 0.00
    json_rows = report(desk, "--from", "2026-11-01", "--to", "2026-11-30")
    for cells_, want in zip(rows, json_rows):
        got = dict(zip(columns, cells_))
        assert got["region"].data_type == "s" and got["region"].value == want["region"]
        for c in columns[1:]:
            assert got[c].value == want[c], c
            if want[c] is not None:
                assert got[c].data_type == "n"
        assert got["orders_completed"].number_format == "#,##0_ "
        assert got["period_completion_rate"].number_format == "0.0%_ "
        assert got["satisfaction_index"].number_format == "0.00_ "
    # the total row: json's counts added up, the rates from the counts
    total = dict(zip(columns, total))
    assert total["region"].value == "合计" and total["region"].font.b
    for c in columns[1:]:
        if not c.endswith(("_rate", "_index")):
            assert total[c].value == sum(r[c] for r in json_rows), c
    assert total["period_completion_rate"].value == round(sum(r["callbacks_done_in_period"] for r in json_rows)
                                                          / sum(r["callbacks_due_in_period"] for r in json_rows), 3)
    assert (total["satisfaction_index"].value, total["satisfied_rate"].value) == (3.67, 0.667)
    # the notes, and the chart
    text = "\n".join(str(v) for row in cells(ws) for v in row if v)
    assert "说明：" in text and "满意率 = 用户满意 / 有评价的回访" in text
    assert "1. 派单量、送修量、完工量以服务部派工、缴单为依据提供统计，提供的数据准确无误；" in text  # seed 002's 备注
    assert len(ws._charts) == 1
    chart = zipfile.ZipFile(path).read("xl/charts/chart1.xml").decode()
    assert "<c:barChart>" in chart and "<c:lineChart>" in chart
    assert "各区域回访完成率与满意度" in chart
    # the chart's series are the table's completion and satisfied rates, its categories the regions
    first, last = rows[0][0].row, rows[-1][0].row
    col = lambda name: openpyxl.utils.get_column_letter(columns.index(name) + 1)  # noqa: E731
    for name in ("period_completion_rate", "satisfied_rate", "satisfaction_index"):
        assert f"${col(name)}${first}:${col(name)}${last}" in chart
    assert f"$A${first}:$A${last}" in chart
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9


def test_the_form_in_english_and_in_chinese_whatever_the_locale(desk, tmp_path, monkeypatch):
    path, _r = form(desk, tmp_path, name="weekly", lang="en", now="2026-11-23 10:00")
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == "Head office callback weekly report"
    assert [v for v in cells(ws)[1] if v][:3] == ["Region: all", "Category: all",
                                                  "Week: 2026-W47 (2026-11-16 to 2026-11-22)"]
    headers, rows, total = table(ws, "Region", "Total")
    assert headers[:6] == ["Region", "Dispatched", "Repairs reported", "Orders completed", "Callbacks due in period",
                           "Callbacks done in period"]
    assert [row[0].value for row in rows] == ["华东"]  # A4 and A5, completed 11-16
    # no --lang and no CALLBACKCTL_LANG: Chinese, whatever LANG says (a form is a Chinese document)
    monkeypatch.delenv("CALLBACKCTL_LANG")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    path, _r = form(desk, tmp_path, name="weekly", lang=None, now="2026-11-23 10:00", file="zh.xlsx")
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == "总部客服回访情况统计周报表"
    assert "周次：2026-W47 (2026-11-16 至 2026-11-22)" in cells(ws)[1]


def test_the_daily_form_has_the_days_calls_by_region_and_agent(desk, tmp_path):
    policy = write(tmp_path / "p.toml", '[desk]\ncompany = "鑫源工程机械"\npreparer = "李娜"\n')
    path, _r = form(desk, tmp_path, "--region", "华北", name="daily", policy=policy)
    book = openpyxl.load_workbook(path)
    ws = book.active
    assert book.sheetnames == ["日报表"]
    assert (ws["A1"].value, ws["A2"].value) == ("区域售后客服回访日报表", "鑫源工程机械")
    assert [v for v in cells(ws)[2] if v] == ["区域：华北", "品类：全部", "日期：2026-12-02", "制表人：李娜",
                                             "制表日期：2026-12-02"]
    texts = [row[0] for row in cells(ws)]
    assert "回访情况（按区域）" in texts and "当日回访电话（按回访人）" in texts
    headers, rows, total = table(ws, "区域", "合计")
    got = {h: c.value for h, c in zip(headers, rows[0])}
    assert (got["区域"], got["拨打次数"], got["接通次数"], got["满意率"], got["完工量"]) == ("华北", 2, 2, 0.5, 0)
    headers, rows, total = table(ws, "回访人", "合计")
    assert headers == ["回访人", "拨打次数", "接通次数", "满意率", "定期回访拨打", "定期回访接通", "投诉"]
    assert [[c.value for c in row] for row in rows] == [["李娜", 1, 1, 1, 0, 0, 0], ["王芳", 1, 1, 0, 0, 0, 0]]
    assert [c.value for c in total] == ["合计", 2, 2, 0.5, 0, 0, 0]
    assert len(ws._charts) == 1


def test_an_empty_form_is_still_a_form(desk, tmp_path):
    path, r = form(desk, tmp_path, now="2026-10-05 10:00")  # September: nothing
    assert r.stderr.splitlines()[1:] == [
        "Warning: no order was completed from 2026-09-01 to 2026-09-30: the desk holds no completed order yet",
        f"0 row(s) written to {path}",  # as of 2026-10-05: its orders were completed in November
        "Warning: 制表人 (prepared by) is blank: give --by-person NAME, or set [desk] preparer in the policy"]
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == "总部客服回访情况月报表"
    headers, rows, total = table(ws, "区域", "合计")
    assert rows == [] and [c.value for c in total][1:4] == [0, 0, 0]
    assert ws._charts == []


def test_a_form_needs_a_file(desk):
    r = desk("report", "--name", "monthly", "-f", "xlsx")
    assert r.exit_code == 2 and "give --output FILE.xlsx" in r.stderr


def test_other_reports_in_xlsx_are_the_plain_listing(desk, tmp_path):
    path = tmp_path / "p.xlsx"
    assert desk("report", "--name", "providers", "-o", str(path), now=DAY).exit_code == 0
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == "period" and ws._charts == []


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_libreoffice_opens_the_form(desk, tmp_path):
    path, _r = form(desk, tmp_path, name="daily")
    profile = f"-env:UserInstallation=file://{tmp_path}/lo-profile"
    r = subprocess.run(["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and (tmp_path / "form.pdf").stat().st_size > 10_000, r.stderr


# -- the README's nightly job, as cron runs it -----------------------------------------

README = os.path.join(os.path.dirname(__file__), "..", "README.md")


def nightly_job():
    """The nightly script and the crontab lines, as the README gives them."""
    text = open(README, encoding="utf-8").read()
    section = text[text.index("## The nightly job"):]
    section = section[:section.index("\n## ", 3)]
    script = re.search(r"```sh\n(.*?)```", section, flags=re.S).group(1)
    crontab = re.search(r"```cron\n(.*?)```", section, flags=re.S).group(1)
    lines = [line.split(None, 5) for line in crontab.splitlines() if line.strip() and not line.startswith("#")]
    return script, [(fields[:5], fields[5]) for fields in lines]


def cron(command, now, srv):
    """One crontab command as cron runs it: `\\%` is `%`, a bare environment, sh, no terminal."""
    command = command.replace("\\%", "%")
    return subprocess.run(["env", "-i", "PATH=/usr/bin:/bin", f"CALLBACKCTL_NOW={now}", "sh", "-c", command],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, cwd=srv)


def test_the_nightly_job_in_a_bare_environment(tmp_path):
    exe = shutil.which("callbackctl")
    assert exe, "callbackctl must be installed (pip install -e .)"
    srv = tmp_path / "srv"
    (srv / ".venv" / "bin").mkdir(parents=True)
    os.symlink(exe, srv / ".venv" / "bin" / "callbackctl")
    subprocess.run([exe, "--db", str(srv / "desk.db"), "demo"], check=True, capture_output=True, cwd=srv)
    script, entries = nightly_job()
    (srv / "nightly.sh").write_text(script.replace("/srv/desk", str(srv)), encoding="utf-8")
    os.chmod(srv / "nightly.sh", 0o755)
    (nightly, run), (monthly, run_monthly) = entries
    assert nightly == ["30", "18", "*", "*", "1-6"] and monthly == ["0", "7", "1", "*", "*"]

    r = cron(run.replace("/srv/desk", str(srv)), "2026-11-23 18:30", srv)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")  # nothing for cron to mail
    r = cron(run_monthly.replace("/srv/desk", str(srv)), "2026-12-01 07:00", srv)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    log = (srv / "nightly.log").read_text(encoding="utf-8")
    assert "row(s) written to" in log and "Error" not in log

    files = {name.split("-")[0]: srv / name for name in os.listdir(srv) if name.endswith((".xlsx", ".csv"))}
    assert {"due", "chase", "daily", "monthly"} <= set(files)
    for path in files.values():
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    # the due list: a workbook whose phones are text
    ws = openpyxl.load_workbook(files["due"]).active
    header = [c.value for c in ws[1]]
    assert header[:3] == ["order_no", "customer", "phone"] and ws.max_row > 1
    assert all(ws.cell(r, 3).data_type == "s" for r in range(2, ws.max_row + 1) if ws.cell(r, 3).value)
    # the chase list: a CSV as Excel opens it, a BOM then UTF-8, Chinese intact
    raw = files["chase"].read_bytes()
    assert raw.startswith("\ufeff".encode())
    chased = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert chased and all(c["chases"] == "1" for c in chased)
    assert any("机械" in c["provider"] for c in chased)
    # the forms: in Chinese under cron (no locale), with their chart
    daily = openpyxl.load_workbook(files["daily"]).active
    assert daily["A1"].value == "区域售后客服回访日报表" and "日期：2026-11-23" in cells(daily)[2]
    assert len(daily._charts) == 1
    month = openpyxl.load_workbook(files["monthly"]).active
    assert month["A1"].value == "总部客服回访情况月报表" and "月份：2026-11" in cells(month)[2]

    # a failing night is mailed: the last lines of the log on stdout
    r = cron(run.replace("/srv/desk", str(srv)), "not a time", srv)
    assert r.returncode == 0 and "Error: --now" in r.stdout
