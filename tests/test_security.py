"""Quotes and SQL in every text field and filter are just text; exports are inert in Excel."""

import csv
import io
import json
import sqlite3

from conftest import write

EVIL = "x'); DROP TABLE orders; --"
QUOTE = 'O\'Brien "Bob" 王\'s'


def test_sql_in_every_field_and_filter_is_only_text(cli, db_path, tmp_path):
    header = "order_no,service_type,customer,phone,address,region,provider,engineer,product,location,parts_replaced,completed_at,reported_at,备注\n"
    row = [EVIL, "repair", QUOTE, "13800138000", EVIL, EVIL, QUOTE, EVIL, EVIL, EVIL, EVIL, "2026-11-20 10:00",
           "2026-11-16 10:00", EVIL]
    buf = io.StringIO()
    csv.writer(buf).writerow(row)
    assert cli("import", write(tmp_path / "evil.csv", header + buf.getvalue())).exit_code == 0
    for args in (["due", "--region", EVIL], ["due", "--provider", QUOTE], ["due", "--engineer", "' OR '1'='1"],
                 ["chase", "--region", EVIL], ["chase", "--provider", "' OR 1=1 --"]):
        r = cli(*args, "-f", "json", now="2026-11-23 10:00")
        assert r.exit_code == 0, r.output
    assert [d["order_no"] for d in json.loads(cli("due", "-f", "json", "--region", EVIL, now="2026-11-23 10:00").stdout)] == [EVIL]
    assert json.loads(cli("due", "-f", "json", "--engineer", "' OR '1'='1").stdout) == []
    assert cli("record", EVIL, "--outcome", "reached", "--satisfaction", "4", "--note", EVIL, "--agent", QUOTE,
               "--location", EVIL).exit_code == 0
    assert cli("complaint", "add", "--order", EVIL, "--against", "agent", "--target", QUOTE, "--text", EVIL).exit_code == 0
    doc = json.loads(cli("show", EVIL, "-f", "json").stdout)
    assert doc["order"]["customer"] == QUOTE and doc["order"]["备注"] == EVIL
    for by in ("region", "provider", "engineer", "agent"):
        assert cli("report", "--by", by, "-f", "json").exit_code == 0
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM orders").fetchone() == (1,)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_excel_exports_have_no_live_formula(cli, tmp_path):
    cli("import", write(tmp_path / "f.csv", "order_no,service_type,customer,address,region\n"
                                            "F1,repair,=cmd|'/c calc'!A1,+1-2,@SUM(1)\nF2,repair,-3+3,\tTAB,ok\n"))
    cli("record", "F1", "--outcome", "reached", "--satisfaction", "4", "--note", "=1+1", now="2026-11-23 10:00")
    for table in ("orders", "callbacks"):
        text = cli("export", table, "--excel").stdout
        assert text.startswith("\ufeff")
        for cell in (c for r in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for c in r):
            assert not cell.startswith(("=", "+", "-", "@", "\t")), (table, cell)
