import csv
import io
import json
import sqlite3

import pytest

from conftest import write

HEADER = "order_no,service_type,customer,phone,completed_at,region\n"


def rows(db_path, sql, *params):
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def summary(result):
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_gbk_dealer_export_with_chinese_headers(cli, db_path, fixture_file):
    path = fixture_file("dealer_export_gbk.csv")
    r = cli("import", path, "-f", "csv")
    assert r.exit_code == 1  # three bad rows
    assert summary(r) == [{"file": path, "read": "39", "inserted": "36", "updated": "0", "unchanged": "0", "rejected": "3", "error": ""}]
    assert f"{path}: line 38: 服务类型 (service_type): unknown service type '拆机'" in r.stderr
    order = rows(db_path, "SELECT * FROM orders WHERE order_no = 'SY2026110001'")[0]
    assert order["service_type"] == "maintenance"
    assert order["customer"] == "林工"
    assert order["phone"] == "15186091390"  # dashes removed
    assert order["completed_at"] == "2026-11-17 15:20:00"
    assert order["zone"] == "urban" and order["status"] == "completed" and order["warranty"] == 1
    assert order["vip"] == 0 and order["machine_hours"] == 1344


def test_reimporting_the_same_file_changes_nothing(cli, db_path, fixture_file):
    path = fixture_file("dealer_export_gbk.csv")
    cli("import", path)
    before = rows(db_path, "SELECT * FROM orders ORDER BY id")
    r = cli("import", path, "-f", "csv")
    assert summary(r)[0] | {"file": ""} == {"file": "", "read": "39", "inserted": "0", "updated": "0", "unchanged": "36", "rejected": "3", "error": ""}
    assert rows(db_path, "SELECT * FROM orders ORDER BY id") == [
        {**o, "batch_id": o["batch_id"]} for o in before
    ]


def test_utf8_bom_english_export(cli, db_path, fixture_file):
    path = fixture_file("service_orders_utf8bom.csv")
    r = cli("import", path, "-f", "csv")
    assert r.exit_code == 1
    assert summary(r)[0]["inserted"] == "20" and summary(r)[0]["rejected"] == "2"
    o = rows(db_path, "SELECT phone, status, zone, extra, reported_at FROM orders WHERE order_no = 'AP-2611007'")[0]
    assert o["status"] == "cancelled"
    assert json.loads(o["extra"]) == {"channel": "app"}  # an unknown column is kept


def test_an_empty_cell_never_erases_and_updates_are_audited(cli, db_path, tmp_path):
    first = write(tmp_path / "a.csv", HEADER + "A1,维修,Li Na,13800138000,2026-11-20 15:00,East\n")
    second = write(tmp_path / "b.csv", "order_no,customer,engineer,region\nA1,,Wang Wu,North\n")
    assert cli("import", first).exit_code == 0
    r = cli("import", second, "-f", "csv")
    assert r.exit_code == 0
    assert summary(r)[0]["updated"] == "1"
    o = rows(db_path, "SELECT customer, engineer, region, service_type FROM orders")[0]
    assert o == {"customer": "Li Na", "engineer": "Wang Wu", "region": "North", "service_type": "repair"}
    ev = rows(db_path, "SELECT kind, order_no, detail FROM events WHERE kind = 'order_updated'")
    assert len(ev) == 1 and ev[0]["order_no"] == "A1"
    assert json.loads(ev[0]["detail"])["before"] == {"engineer": None, "region": "East"}
    assert json.loads(ev[0]["detail"])["after"] == {"engineer": "Wang Wu", "region": "North"}


def test_the_same_order_twice_in_one_file(cli, db_path, tmp_path):
    path = write(tmp_path / "dup.csv", HEADER + "A1,安装,Li,,,\nA1,安装,,13800138000,,\nA1,安装,,,,\n")
    r = cli("import", path, "-f", "csv")
    assert summary(r)[0] | {"file": ""} == {"file": "", "read": "3", "inserted": "1", "updated": "1", "unchanged": "1", "rejected": "0", "error": ""}
    assert rows(db_path, "SELECT customer, phone FROM orders") == [{"customer": "Li", "phone": "13800138000"}]


def test_a_status_that_only_repeats_what_completion_implies_changes_nothing(cli, db_path, tmp_path):
    text = ("order_no,type,completed_at,status\nA1,安装,2026-11-20 10:00,\nA1,安装,2026-11-20 10:00,已完工\n"
            "A1,安装,2026-11-20 10:00,已取消\n")
    r = cli("import", write(tmp_path / "s.csv", text), "-f", "csv")
    # 已完工 repeats what the completion time says; 已取消 on a third row for the
    # same order contradicts the row before it, so it is rejected, not mixed in.
    assert summary(r)[0] | {"file": ""} == {"file": "", "read": "3", "inserted": "1", "updated": "0", "unchanged": "1", "rejected": "1", "error": ""}
    assert "line 4: order_no A1 also on line 2 with a different status" in r.stderr
    assert rows(db_path, "SELECT status, status_given FROM orders") == [{"status": "completed", "status_given": None}]


def test_invalid_phone_flags_the_order_but_keeps_it(cli, db_path, tmp_path):
    path = write(tmp_path / "p.csv", HEADER + "A1,repair,Li,12345,,\nA2,repair,Li,,,\n")
    assert cli("import", path).exit_code == 0
    assert rows(db_path, "SELECT order_no, phone, phone_valid FROM orders ORDER BY order_no") == [
        {"order_no": "A1", "phone": "12345", "phone_valid": 0},
        {"order_no": "A2", "phone": None, "phone_valid": None},
    ]


def test_dry_run_writes_nothing(cli, db_path, fixture_file):
    r = cli("import", "--dry-run", fixture_file("dealer_export_gbk.csv"), "-f", "csv")
    assert r.exit_code == 1
    assert summary(r)[0]["inserted"] == "36"
    assert "dry run: nothing was written" in r.stderr
    assert rows(db_path, "SELECT count(*) AS n FROM orders") == [{"n": 0}]
    assert rows(db_path, "SELECT count(*) AS n FROM import_batches") == [{"n": 0}]


def test_strict_imports_nothing_but_keeps_the_rejects(cli, db_path, fixture_file):
    path = fixture_file("dealer_export_gbk.csv")
    r = cli("import", "--strict", path, "-f", "csv")
    assert r.exit_code == 1
    assert f"{path}: --strict: 3 row(s) rejected, nothing imported" in r.stderr
    assert rows(db_path, "SELECT count(*) AS n FROM orders") == [{"n": 0}]
    assert rows(db_path, "SELECT count(*) AS n FROM import_rejects") == [{"n": 3}]


def test_rejects_are_stored_whole_and_written_as_csv(cli, db_path, tmp_path):
    path = write(tmp_path / "bad.csv", HEADER + "A1,拆机,Li,,,\n,repair,Wu,,,\nA3,repair,Ma,,2026-02-30,\nA4,repair,Xu,,,,extra cell\n")
    out = tmp_path / "rejects.csv"
    r = cli("import", path, "--rejects", out)
    assert r.exit_code == 1
    with open(out, encoding="utf-8-sig") as f:
        got = list(csv.DictReader(f))
    assert [(g["order_no"], g["line"], g["error"]) for g in got] == [
        ("A1", "2", "service_type: unknown service type '拆机'"),
        ("", "3", "order_no is empty"),
        ("A3", "4", "completed_at: impossible date '2026-02-30'"),
        ("A4", "5", "row has 7 cells but the header has 6"),
    ]
    assert got[3]["column_7"] == "extra cell"
    listed = cli("rejects", "-f", "json")
    stored = json.loads(listed.stdout)
    assert [s["line"] for s in stored] == [2, 3, 4, 5]
    assert json.loads(stored[0]["raw"]) == {"order_no": "A1", "service_type": "拆机", "customer": "Li", "phone": "",
                                            "completed_at": "", "region": ""}


def test_rejects_are_reported_in_file_order(cli, db_path, tmp_path):
    # line 2 fails only when its batch is applied (new order, no type); line 3 on a cell
    path = write(tmp_path / "o.csv", HEADER + "A1,,Li,,,\nA2,repair,Wu,,2026-02-30,\n")
    out = tmp_path / "rejects.csv"
    r = cli("import", path, "--rejects", out)
    assert [line.split(": ", 2)[1] for line in r.stderr.splitlines()[-2:]] == ["line 2", "line 3"]
    with open(out, encoding="utf-8-sig") as f:
        assert [g["line"] for g in csv.DictReader(f)] == ["2", "3"]


def test_a_new_order_needs_a_service_type_but_an_update_does_not(cli, db_path, tmp_path):
    cli("import", write(tmp_path / "a.csv", HEADER + "A1,repair,Li,,,\n"))
    r = cli("import", write(tmp_path / "b.csv", "工单号,首次反馈时间\nA1,2026-11-20 10:00\nB9,2026-11-20 10:00\n"), "-f", "csv")
    assert r.exit_code == 1
    assert "line 3: service_type is empty (required for a new order)" in r.stderr
    assert rows(db_path, "SELECT order_no, feedback_at FROM orders") == [{"order_no": "A1", "feedback_at": "2026-11-20 10:00:00"}]


@pytest.mark.parametrize("name, text, fmt", [
    ("o.json", '[{"工单号": "J1", "类型": "维修", "费用": 120, "ok": true}]', None),
    ("o.jsonl", '{"order_no": "J1", "type": "repair", "fee": "120", "ok": "true"}\n\n', None),
    ("o.tsv", "order_no\ttype\tfee\tok\nJ1\trepair\t120\ttrue\n", None),
    ("o.txt", "order_no\ttype\tfee\tok\nJ1\trepair\t120\ttrue\n", "tsv"),
])
def test_other_input_formats(cli, db_path, tmp_path, name, text, fmt):
    args = ["import", write(tmp_path / name, text)] + (["--input-format", fmt] if fmt else [])
    assert cli(*args).exit_code == 0
    assert rows(db_path, "SELECT order_no, service_type, fee, extra FROM orders") == [
        {"order_no": "J1", "service_type": "repair", "fee": 120, "extra": '{"ok": "true"}'}
    ]


def test_stdin_with_gbk_bytes(cli, db_path):
    data = "工单号,服务类型,客户\nS1,安装,张三\n".encode("gbk")
    r = cli("import", "-", "-f", "csv", input=data)
    assert r.exit_code == 0
    assert summary(r)[0]["file"] == "<stdin>"
    assert rows(db_path, "SELECT customer FROM orders") == [{"customer": "张三"}]


def test_bad_jsonl_line_is_rejected_not_fatal(cli, db_path, tmp_path):
    path = write(tmp_path / "x.jsonl", '{"order_no": "J1", "type": "repair"}\n{oops\n[1, 2]\n')
    r = cli("import", path, "-f", "csv")
    assert r.exit_code == 1
    assert "line 2: not valid JSON" in r.stderr and "line 3: not a JSON object" in r.stderr
    assert summary(r)[0]["inserted"] == "1"


@pytest.mark.parametrize("content, message", [
    (None, "Error: {path}: no such file"),
    (b"", "Error: {path}: the file is empty"),
    (b"a,b\n1,2\n", "Error: {path}: no order_no column (looked for order_no, 工单号, 单号, 服务单号, order, ...); the header is: a, b"),
    (b"PK\x03\x04\x14\x00\x00\x00garbage", "Error: {path}: not a text file (NUL byte at offset 5), nor a workbook (.xlsx, .xls, .ods)"),
])
def test_unreadable_input_is_one_error_line(cli, db_path, tmp_path, content, message):
    path = tmp_path / "in.csv"
    if content is not None:
        path.write_bytes(content)
    r = cli("import", path)
    assert r.exit_code == 1
    assert r.stderr == f"created desk file {db_path}\n" + message.format(path=path) + "\n"
    assert rows(db_path, "SELECT count(*) AS n FROM import_batches") == [{"n": 0}]


def test_a_broken_json_array_costs_only_its_broken_rows(cli, db_path, tmp_path):
    path = write(tmp_path / "in.json", '[{"order_no": "J1", "type": "repair"}, {"order_no": "J2", "type": oops},\n'
                                       ' {"order_no": "J3", "type": "repair"}')
    r = cli("import", path, "-f", "csv")
    assert r.exit_code == 1
    assert summary(r)[0] | {"file": ""} == {"file": "", "read": "3", "inserted": "2", "updated": "0", "unchanged": "0",
                                            "rejected": "1", "error": ""}
    assert r.stderr.splitlines() == [f"created desk file {db_path}", f"{path}: line 2: not valid JSON (Expecting value)"]
    assert rows(db_path, "SELECT order_no FROM orders ORDER BY order_no") == [{"order_no": "J1"}, {"order_no": "J3"}]


def test_a_decoding_error_late_in_the_file_imports_nothing(cli, db_path, tmp_path):
    body = "".join(f"A{i},repair,Li,,,\n" for i in range(6000))
    path = tmp_path / "late.csv"
    path.write_bytes((HEADER + body).encode() + "B1,维修,张三,,,\n".encode("gbk"))
    r = cli("import", path, "--encoding", "utf-8")
    assert r.exit_code == 1
    assert r.stderr == f"created desk file {db_path}\nError: {path}: line 6002: not valid utf-8 text; pass --encoding\n"
    assert rows(db_path, "SELECT count(*) AS n FROM orders") == [{"n": 0}]


def test_utc_offsets_become_the_database_zone(cli, db_path, tmp_path):
    cli("import", write(tmp_path / "z.csv", "order_no,type,completed_at\nZ1,repair,2026-11-20T07:00:00Z\n"))
    assert rows(db_path, "SELECT completed_at FROM orders") == [{"completed_at": "2026-11-20 15:00:00"}]


def test_import_is_logged_with_its_counts(cli, db_path, fixture_file):
    cli("import", fixture_file("service_orders_utf8bom.csv"))
    ev = rows(db_path, "SELECT kind, command, at, detail FROM events WHERE kind = 'import'")
    assert len(ev) == 1 and ev[0]["command"] == "import" and ev[0]["at"] == "2026-11-23 10:00:00"
    assert json.loads(ev[0]["detail"])["inserted"] == 20


def test_title_lines_above_the_header_are_reported_not_imported(cli, db_path, tmp_path):
    path = tmp_path / "titled.csv"
    path.write_bytes("服务工单导出\n导出时间：2026-11-20\n工单号,服务类型,完工时间\nT1,维修,2026/11/20 下午 2:05\n".encode("gbk"))
    r = cli("import", path, "-f", "csv")
    assert r.exit_code == 0
    assert r.stderr == (f"created desk file {db_path}\n"
                        f"{path}: line 1 is above the header, read as a title: '服务工单导出'\n"
                        f"{path}: line 2 is above the header, read as a title: '导出时间：2026-11-20'\n")
    assert rows(db_path, "SELECT order_no, completed_at FROM orders") == [{"order_no": "T1", "completed_at": "2026-11-20 14:05:00"}]
    detail = json.loads(rows(db_path, "SELECT detail FROM events WHERE kind = 'import'")[0]["detail"])
    assert detail["title_lines"] == [[1, "服务工单导出"], [2, "导出时间：2026-11-20"]]


def test_progress_meter_goes_to_stderr(monkeypatch):
    import io as stdio
    import sys

    from callbackctl.cli.importing import _progress

    err = stdio.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    show = _progress("big.csv")
    show(50, 200)
    show(200, 200)
    assert err.getvalue() == "\rimporting big.csv:  25%\rimporting big.csv: 100%\n"


def test_the_same_order_in_chunks_far_apart_is_checked_against_its_first_row(cli, db_path, tmp_path):
    # 5000 rows a chunk: the second and third rows of D1 come in later chunks, after it was stored
    body = ["order_no,type,customer,phone,engineer", "D1,repair,Li,13800138000,"]
    body += [f"F{i},repair,Wu,,E" for i in range(7000)]
    body += ["D1,repair,Li,,王工", "D1,repair,Zhang,,"]
    path = write(tmp_path / "far.csv", "\n".join(body) + "\n")
    r = cli("import", path, "-f", "csv")
    assert summary(r)[0] | {"file": ""} == {"file": "", "read": "7003", "inserted": "7001", "updated": "1",
                                            "unchanged": "0", "rejected": "1", "error": ""}
    assert f"{path}: line 7004: order_no D1 also on line 2 with a different customer" in r.stderr
    assert rows(db_path, "SELECT customer, phone, engineer FROM orders WHERE order_no = 'D1'") == [
        {"customer": "Li", "phone": "13800138000", "engineer": "王工"}]
    again = cli("import", path, "-f", "csv")
    assert summary(again)[0] | {"file": ""} == {"file": "", "read": "7003", "inserted": "0", "updated": "0",
                                                "unchanged": "7002", "rejected": "1", "error": ""}


def test_a_new_orders_rejected_first_row_takes_its_later_rows_with_it(cli, db_path, tmp_path):
    """Else the later row makes the order, and the same file imported again updates it with
    the row rejected the first time (found by the torture rerun, #28)."""
    path = write(tmp_path / "dup.csv", "order_no,service_type,customer\nX1,,A\nX1,repair,B\nX2,repair,C\n")
    for expected in (["dup.csv", "3", "1", "0", "0", "2", ""], ["dup.csv", "3", "0", "0", "1", "2", ""]):
        r = cli("import", path, "-f", "csv")
        assert r.exit_code == 1
        assert r.stdout.splitlines()[1].split(",")[1:] == expected[1:]
        assert r.stderr.splitlines()[-2:] == [
            f"{path}: line 2: service_type is empty (required for a new order)",
            f"{path}: line 3: order_no X1 is new and its row on line 2 was rejected: this row is not imported without it"]
        assert rows(db_path, "SELECT order_no, customer FROM orders") == [{"order_no": "X2", "customer": "C"}]


def test_a_desks_own_values_are_mapped_on_import(cli, db_path, tmp_path, monkeypatch):
    """[import.values] and --map-value (#30): East and 华东 one region, 移机 a type the policy
    names; the option wins for a value both name, the fast path leaves such a file to the plain one."""
    monkeypatch.setenv("CALLBACKCTL_FAST", "1")
    policy = write(tmp_path / "p.toml", '[import.values]\nregion = { East = "华东", West = "西部" }\n')
    path = write(tmp_path / "m.csv", "工单号,服务类型,区域\nM1,移机,East\nM2,维修,华东\nM3,维修, West \nM4,维修,North\n")
    r = cli("import", path, "--map-value", "service_type:移机=install", "--map-value", "region:West=西南",
            policy=policy)
    assert r.exit_code == 0, r.output
    assert rows(db_path, "SELECT order_no, service_type, region FROM orders ORDER BY id") == [
        {"order_no": "M1", "service_type": "install", "region": "华东"},
        {"order_no": "M2", "service_type": "repair", "region": "华东"},
        {"order_no": "M3", "service_type": "repair", "region": "西南"},
        {"order_no": "M4", "service_type": "repair", "region": "North"}]
    empty = cli("import", path, "--map-value", "region:North=")  # would erase a stored region
    assert (empty.exit_code, empty.stderr.split(" is not")[0]) == (2, "Error: --map-value: 'region:North='")
    bad = cli("import", path, "--map-value", "order_no:M1=M9")
    assert bad.exit_code == 2
    assert bad.stderr.startswith("Error: --map-value: 'order_no:M1=M9' is not FIELD:FROM=TO with a field of "
                                 "service_type, customer,")
