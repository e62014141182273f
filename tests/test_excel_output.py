"""Every listing for Excel (--excel, -f xlsx --output FILE), and output that never fails on a character.

The installed command runs as a subprocess with PYTHONIOENCODING=gbk, as on a
Chinese Windows: names outside GBK (䶮, an emoji) must come out of csv, tsv,
json and jsonl as UTF-8, and a table must not stop the command. The desk is
the demo's, at its fixed now, with two orders of such names added.
"""

import csv
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from datetime import datetime

import pytest
from typer.testing import CliRunner

from callbackctl.cli import app
from callbackctl.io import write

NOW = "2026-11-23 10:00"
EXE = os.path.join(os.path.dirname(sys.executable), "callbackctl")
if not os.path.exists(EXE):
    EXE = shutil.which("callbackctl")
BOM = "\ufeff".encode()

ORDERS = ("order_no,service_type,customer,phone,region,provider,completed_at\n"
          "UX20261101,repair,王䶮,13800138000,华北,石家庄鑫源机械,2026-11-20 10:00\n"
          "UX20261102,repair,😀 Li,057188886666,华东,=1+1,2026-11-20 11:00\n")
FIND_HEADER = "order_no,customer,phone,service_type,status,completed_at,region,provider,callback,followup,complaint,chase,matched\n"
FIND_CSV = (FIND_HEADER
            + "UX20261102,😀 Li,057188886666,repair,completed,2026-11-20 11:00:00,华东,=1+1,due now until 2026-11-25 17:00,,,,order_no\n"
            + "UX20261101,王䶮,13800138000,repair,completed,2026-11-20 10:00:00,华北,石家庄鑫源机械,due now until 2026-11-25 17:00,,,,order_no\n")
FIND_ROWS = [
    {"order_no": "UX20261102", "customer": "😀 Li", "phone": "057188886666", "service_type": "repair",
     "status": "completed", "completed_at": "2026-11-20 11:00:00", "region": "华东", "provider": "=1+1",
     "callback": "due now until 2026-11-25 17:00", "followup": None, "complaint": None, "chase": None,
     "matched": "order_no"},
    {"order_no": "UX20261101", "customer": "王䶮", "phone": "13800138000", "service_type": "repair",
     "status": "completed", "completed_at": "2026-11-20 10:00:00", "region": "华北", "provider": "石家庄鑫源机械",
     "callback": "due now until 2026-11-25 17:00", "followup": None, "complaint": None, "chase": None,
     "matched": "order_no"},
]
DUE_COLUMNS = ["order_no", "customer", "phone", "service_type", "region", "provider", "engineer", "completed_at",
               "due_at", "deadline", "attempts", "last_outcome", "reason", "overdue", "claimed_by"]


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    folder = tmp_path_factory.mktemp("excel")
    db = str(folder / "desk.db")
    subprocess.run([EXE, "--db", db, "demo"], check=True, capture_output=True, cwd=folder, env=environment("utf-8"))
    (folder / "u.csv").write_text(ORDERS, encoding="utf-8")
    r = subprocess.run([EXE, "--db", db, "--now", NOW, "import", str(folder / "u.csv")], capture_output=True,
                       env=environment("utf-8"))
    assert r.returncode == 0, r.stderr.decode()
    return db


def environment(encoding):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLBACKCTL_")}
    env["PYTHONIOENCODING"] = encoding
    return env


def run(db, *args, encoding="gbk", cwd=None):
    return subprocess.run([EXE, "--db", db, "--now", NOW, *args], capture_output=True, env=environment(encoding),
                          cwd=cwd, stdin=subprocess.DEVNULL, timeout=60)


# -- the bug: a GBK locale and names GBK has no code for ------------------------------

def test_the_names_are_outside_gbk():
    for name in ("䶮", "😀"):
        with pytest.raises(UnicodeEncodeError):
            name.encode("gbk")


def test_csv_is_utf8_on_a_gbk_locale(desk):
    r = run(desk, "find", "UX2026", "-f", "csv")
    assert (r.returncode, r.stderr) == (0, b"")
    assert r.stdout == FIND_CSV.encode("utf-8")


def test_tsv_is_utf8_on_a_gbk_locale(desk):
    r = run(desk, "find", "UX2026", "-f", "tsv")
    assert (r.returncode, r.stderr) == (0, b"")
    assert r.stdout == FIND_CSV.replace(",", "\t").encode("utf-8")


def test_json_and_jsonl_are_utf8_on_a_gbk_locale(desk):
    r = run(desk, "find", "UX2026", "-f", "json")
    assert (r.returncode, r.stderr) == (0, b"")
    lines = [json.dumps(row, ensure_ascii=False) for row in FIND_ROWS]
    assert r.stdout.decode("utf-8") == "[\n " + ",\n ".join(lines) + "\n]\n"
    r = run(desk, "find", "UX2026", "-f", "jsonl")
    assert (r.returncode, r.stderr) == (0, b"")
    assert r.stdout.decode("utf-8") == "".join(line + "\n" for line in lines)


def test_export_csv_redirected_on_a_gbk_locale(desk):
    r = run(desk, "export", "orders", "-f", "csv")
    assert (r.returncode, r.stderr) == (0, b"")
    rows = list(csv.DictReader(io.StringIO(r.stdout.decode("utf-8"))))
    assert {row["order_no"]: row["customer"] for row in rows if row["order_no"].startswith("UX")} == {
        "UX20261101": "王䶮", "UX20261102": "😀 Li"}


def test_a_table_on_a_gbk_console_shows_what_it_can_and_stays_aligned(desk):
    r = run(desk, "find", "UX2026")
    assert (r.returncode, r.stderr) == (0, b"")
    assert r.stdout.decode("gbk") == (
        "order_no    customer    phone         service_type    status     completed_at         region    provider        callback                        followup    complaint    chase    matched\n"
        "----------  ----------  ------------  --------------  ---------  -------------------  --------  --------------  ------------------------------  ----------  -----------  -------  ---------\n"
        "UX20261102  ? Li        057188886666  repair          completed  2026-11-20 11:00:00  华东      =1+1            due now until 2026-11-25 17:00                                    order_no\n"
        "UX20261101  王?         13800138000   repair          completed  2026-11-20 10:00:00  华北      石家庄鑫源机械  due now until 2026-11-25 17:00                                    order_no\n")


def test_a_table_on_a_utf8_console_keeps_every_character(desk):
    r = run(desk, "find", "UX2026", encoding="utf-8")
    assert r.returncode == 0
    lines = r.stdout.decode("utf-8").splitlines()
    assert lines[2].startswith("UX20261102  😀 Li       057188886666  ")
    assert lines[3].startswith("UX20261101  王䶮        13800138000   ")


def test_show_on_a_gbk_console(desk):
    r = run(desk, "show", "UX20261101")
    assert (r.returncode, r.stderr) == (0, b"")
    text = r.stdout.decode("gbk")
    assert text.startswith("== order\nfield           value\n--------------  -------------------\n"
                           "order_no        UX20261101\nservice_type    repair\ncustomer        王?\n"
                           "phone           13800138000\n")
    r = run(desk, "show", "UX20261102", "-f", "json")
    assert (r.returncode, r.stderr) == (0, b"")
    assert b'\n    "customer": "\xf0\x9f\x98\x80 Li",\n' in r.stdout
    assert json.loads(r.stdout.decode("utf-8"))["order"]["customer"] == "😀 Li"
    r = run(desk, "show", "UX20261101", "-f", "jsonl")
    assert json.loads(r.stdout.decode("utf-8"))["order"]["customer"] == "王䶮"


def test_an_error_naming_a_character_outside_gbk(desk):
    r = run(desk, "show", "䶮X")
    assert (r.returncode, r.stdout, r.stderr) == (1, b"", b"Error: unknown order '\\u4daeX'\n")
    r = run(desk, "show", "䶮X", encoding="gbk:strict")
    assert (r.returncode, r.stdout, r.stderr) == (1, b"", b"Error: unknown order '\\u4daeX'\n")


def test_show_has_no_xlsx(desk):
    r = run(desk, "show", "UX20261101", "-f", "xlsx")
    assert r.returncode == 2
    assert b"'xlsx' is not one of 'table', 'csv', 'tsv', 'json', 'jsonl'" in r.stderr


# -- --excel ------------------------------------------------------------------------

def test_due_excel_csv_has_a_bom_and_keeps_phones_as_text(desk):
    r = run(desk, "due", "--excel", "-f", "csv")
    assert (r.returncode, r.stderr) == (0, b"")
    assert r.stdout.startswith(BOM + b"order_no,customer,phone,service_type,")
    text = r.stdout.decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    plain = list(csv.DictReader(io.StringIO(run(desk, "due", "-f", "csv").stdout.decode("utf-8"))))
    assert len(rows) == len(plain) == 29  # 26 orders' callbacks, and 2 customers' recurring ones (R-...)
    first = rows[0]
    assert first["order_no"] == "SY2026110001" and first["phone"] == "\t15186091390"  # a tab: Excel keeps it text
    assert first["due_at"] == "2026-11-17 15:50:00"  # a time stays a time for Excel to read
    by_order = {row["order_no"]: row for row in rows}
    assert by_order["UX20261102"]["phone"] == "\t057188886666"  # the leading 0 is kept
    assert by_order["UX20261102"]["customer"] == "😀 Li"
    assert by_order["UX20261102"]["provider"] == "'=1+1"  # not a formula
    assert [row["phone"].lstrip("\t") for row in rows] == [row["phone"] for row in plain]
    assert "\t15186091390," in text.splitlines()[1]  # no quotes around it


@pytest.mark.parametrize("value, cell", [
    ("13800138000", "\t13800138000"),
    ("057188886666", "\t057188886666"),
    ("057188886666,123", '"\t057188886666,123"'),  # an extension
    ("1.38001E+10", "\t1.38001E+10"),  # a phone Excel had already spoilt, kept as typed
    ("2026110001", "\t2026110001"),  # an order number of digits
    ("SY2026110001", "SY2026110001"),
    ("2026-11-23 10:00:00", "2026-11-23 10:00:00"),
    ("-5", "'-5"),
    ("=1+1", "'=1+1"),
    ("林工", "林工"),
    (13800138000, "13800138000"),  # a number is a number
])
def test_excel_csv_keeps_number_like_text_as_text(value, cell):
    buf = io.StringIO()
    assert write([{"id": "A", "v": value}], ["id", "v"], buf, "csv", excel=True) == 1
    assert buf.getvalue() == f"\ufeffid,v\nA,{cell}\n"
    buf = io.StringIO()
    write([{"id": "A", "v": value}], ["id", "v"], buf, "csv")
    assert buf.getvalue() == f"id,v\nA,{value}\n".replace("057188886666,123", '"057188886666,123"')


def test_excel_with_a_table_is_a_usage_error(desk):
    r = run(desk, "due", "--excel")
    assert (r.returncode, r.stdout) == (2, b"")
    assert r.stderr == b"Error: --excel is for a file Excel opens: give -f csv, or -f xlsx --output FILE.xlsx\n"


# -- -f xlsx --output FILE -------------------------------------------------------------

def test_due_as_a_workbook(desk, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "due.xlsx"
    path.write_bytes(b"old")
    os.chmod(path, 0o644)  # a file that was there: it gets no wider mode than 0600
    r = run(desk, "due", "-f", "xlsx", "--output", str(path))
    assert (r.returncode, r.stdout, r.stderr) == (0, b"", f"29 row(s) written to {path}\n".encode())
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    csv_rows = list(csv.reader(io.StringIO(run(desk, "due", "-f", "csv").stdout.decode("utf-8"))))
    ws = openpyxl.load_workbook(path).active
    assert ws.title == "due"
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == len(csv_rows) == 30  # the header, 26 orders' callbacks and 2 customers' recurring ones
    assert list(rows[0]) == DUE_COLUMNS == csv_rows[0]
    assert all(cell.font.b for cell in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:O30"
    first = dict(zip(DUE_COLUMNS, ws[2]))
    assert (first["order_no"].value, first["order_no"].data_type) == ("SY2026110001", "s")
    assert (first["phone"].value, first["phone"].data_type) == ("15186091390", "s")  # text, not 1.5E+10
    assert first["completed_at"].value == datetime(2026, 11, 17, 15, 20)  # a date cell
    assert first["completed_at"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert first["due_at"].is_date and first["deadline"].value == datetime(2026, 11, 18, 11, 20)
    assert (first["attempts"].value, first["attempts"].data_type) == (0, "n")
    assert (first["overdue"].value, first["overdue"].data_type) == (True, "b")
    assert first["last_outcome"].value is None
    by_order = {row[0]: dict(zip(DUE_COLUMNS, row)) for row in rows[1:]}
    assert by_order["UX20261102"]["phone"] == "057188886666"
    assert by_order["UX20261102"]["customer"] == "😀 Li"
    assert by_order["UX20261102"]["provider"] == "=1+1"  # a text cell, never a formula
    assert by_order["UX20261101"]["customer"] == "王䶮"
    # each row as in the csv: the same cells, times and numbers as their text
    as_text = [["" if v is None else f"{v:%Y-%m-%d %H:%M:%S}" if isinstance(v, datetime)
                else str(int(v)) if isinstance(v, bool) else str(v) for v in row] for row in rows[1:]]
    assert as_text == csv_rows[1:]


def test_workbook_columns_fit_chinese(desk, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "find.xlsx"
    assert run(desk, "find", "UX2026", "--output", str(path)).returncode == 0  # the format from the name
    ws = openpyxl.load_workbook(path).active
    from openpyxl.utils import get_column_letter

    widths = {get_column_letter(i): int(d.width)  # Excel adds 0.71; columns of one width are one <col> element
              for d in ws.column_dimensions.values() for i in range(d.min, d.max + 1)}
    # provider: 石家庄鑫源机械 is 7 characters, 14 columns on screen (+ 1)
    assert widths["H"] == 15
    # callback: "due now until 2026-11-25 17:00" is 30 (+ 1)
    assert widths["I"] == 31
    # customer: the header's 8 and the filter's button (+ 2, + 1)
    assert widths["B"] == 11


def test_export_as_a_workbook_keeps_every_cell_inert(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    from conftest import Cli, write as write_file

    cli = Cli(str(tmp_path / "d.db"))
    names = ["=HYPERLINK(\"http://x\")", "<r></r></is></c><c><f>1+1</f></c><c><is><r></r>", "@SUM(A1)", "a\tb"]
    rows = "".join(f"E{i},repair,\"{n.replace(chr(34), chr(34) * 2)}\",00{i}\n" for i, n in enumerate(names))
    assert cli("import", write_file(tmp_path / "e.csv", "order_no,type,customer,phone\n" + rows)).exit_code == 0
    r = cli("export", "orders", "-o", str(tmp_path / "orders.xlsx"))
    assert r.exit_code == 0, r.output
    assert r.stderr == f"4 row(s) written to {tmp_path / 'orders.xlsx'}\n"
    ws = openpyxl.load_workbook(tmp_path / "orders.xlsx").active
    header = [c.value for c in ws[1]]
    got = [dict(zip(header, (c.value for c in row))) for row in ws.iter_rows(min_row=2)]
    assert [g["customer"] for g in got] == names
    assert [g["phone"] for g in got] == ["000", "001", "002", "003"]
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_workbook_cells_by_kind():
    openpyxl = pytest.importorskip("openpyxl")
    from datetime import date

    from callbackctl import sheets

    row = {"day": "2026-11-30", "minute": "2026-11-30 09:30", "second": "2026-11-30 09:30:05",
           "impossible": "2026-02-30", "early": "1899-12-31", "week": "2026-W48", "date": date(2026, 11, 30),
           "count": 3, "index": 3.6, "big": 12345678901234567, "nan": float("nan"), "yes": False,
           "parts": ["滤芯", "机油"], "extra": {"故障": "漏油"}, "formula": "=1+1", "none": None}
    buf = io.BytesIO()
    assert sheets.write([row], list(row), buf, "a/b:c[d]?*e\\f that is longer than 31 characters") == 1
    buf.seek(0)
    ws = openpyxl.load_workbook(buf).active
    assert ws.title == "a b c d   e f that is longer th"
    got = {k: (c.value, c.data_type) for k, c in zip(row, ws[2])}
    assert got == {
        "day": (datetime(2026, 11, 30), "d"), "minute": (datetime(2026, 11, 30, 9, 30), "d"),
        "second": (datetime(2026, 11, 30, 9, 30, 5), "d"), "impossible": ("2026-02-30", "s"),
        "early": ("1899-12-31", "s"), "week": ("2026-W48", "s"), "date": (datetime(2026, 11, 30), "d"),
        "count": (3, "n"), "index": (3.6, "n"), "big": ("12345678901234567", "s"), "nan": ("nan", "s"),
        "yes": (False, "b"), "parts": ("滤芯; 机油", "s"), "extra": ('{"故障": "漏油"}', "s"),
        "formula": ("=1+1", "s"), "none": (None, "n")}
    assert [c.number_format for c in ws[2]][:3] == ["yyyy-mm-dd", "yyyy-mm-dd hh:mm", "yyyy-mm-dd hh:mm:ss"]


def test_xlsx_without_output_is_a_usage_error(desk, tmp_path):
    r = run(desk, "due", "-f", "xlsx", cwd=tmp_path)
    assert (r.returncode, r.stdout, r.stderr) == (2, b"", b"Error: -f xlsx writes a workbook: give --output FILE.xlsx\n")
    assert os.listdir(tmp_path) == []


def test_a_workbook_named_otherwise_is_written_with_a_warning(desk, tmp_path):
    path = tmp_path / "due.dat"
    r = run(desk, "due", "-f", "xlsx", "--output", str(path))
    assert r.returncode == 0
    assert r.stderr == (f"Warning: {path}: Excel opens a workbook by its name: call it {tmp_path}/due.xlsx\n"
                        f"29 row(s) written to {path}\n").encode()
    assert path.read_bytes().startswith(b"PK")


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "jsonl", "table"])
def test_output_writes_the_format_to_the_file(desk, tmp_path, fmt):
    path = tmp_path / "find.out"
    r = run(desk, "find", "UX2026", "-f", fmt, "--output", str(path))
    assert (r.returncode, r.stdout, r.stderr) == (0, b"", f"2 row(s) written to {path}\n".encode())
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert path.read_bytes() == run(desk, "find", "UX2026", "-f", fmt, encoding="utf-8").stdout


def test_output_takes_the_format_from_the_name_when_f_is_not_given(desk, tmp_path):
    r = run(desk, "find", "UX2026", "-o", str(tmp_path / "f.csv"))
    assert r.returncode == 0 and (tmp_path / "f.csv").read_text(encoding="utf-8") == FIND_CSV
    r = run(desk, "find", "UX2026", "-f", "json", "-o", str(tmp_path / "g.csv"))  # -f wins
    assert json.loads((tmp_path / "g.csv").read_text(encoding="utf-8")) == FIND_ROWS
    r = run(desk, "find", "UX2026", "--excel", "-o", str(tmp_path / "h.csv"))
    assert (tmp_path / "h.csv").read_bytes().startswith(BOM + FIND_HEADER.encode())


def test_output_in_a_missing_folder_fails_before_the_command_runs(desk, tmp_path):
    import sqlite3

    def chases():
        conn = sqlite3.connect(desk)
        try:
            return conn.execute("SELECT count(*) FROM chases").fetchone()[0]
        finally:
            conn.close()

    before = chases()
    r = run(desk, "chase", "--record", "-f", "csv", "--output", str(tmp_path / "no" / "chase.csv"))
    assert (r.returncode, r.stdout) == (2, b"")
    assert r.stderr == f"Error: --output: cannot write {tmp_path}/no/chase.csv: no such folder\n".encode()
    assert chases() == before  # nothing was recorded
    r = run(desk, "due", "--output", str(tmp_path))
    assert (r.returncode, r.stderr) == (2, f"Error: --output: {tmp_path} is a folder: give a file to write\n".encode())


def test_report_chart_goes_to_the_output_file(desk, tmp_path):
    path = tmp_path / "report.txt"
    r = run(desk, "report", "--chart", "--output", str(path))
    assert (r.returncode, r.stdout) == (0, b"")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("period    region") and "satisfaction index (0-5)" in text


def test_a_workbook_too_long_for_a_sheet_leaves_no_file(cli, tmp_path, monkeypatch):
    from callbackctl import demo, sheets

    monkeypatch.setattr(sheets, "MAX_ROWS", 3)
    scratch = tmp_path / "scratch"  # where XlsxWriter keeps the rows until the workbook is put together
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    assert cli("import", demo.fixture_path("dealer_export_gbk.csv")).exit_code == 1  # three bad rows
    path = tmp_path / "orders.xlsx"
    r = cli("export", "orders", "-o", str(path))
    assert (r.exit_code, r.stderr) == (1, "Error: a sheet holds at most 3 rows: write more with -f csv\n")
    assert not path.exists()
    assert os.listdir(scratch) == []  # the rows written so far (phone numbers) are gone too


# -- every listing has the options -----------------------------------------------------

def _commands():
    import typer

    root = typer.main.get_command(app)
    ctx = root.make_context("callbackctl", ["--help"], resilient_parsing=True)

    def walk(group, prefix):
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            if hasattr(command, "list_commands"):
                yield from walk(command, prefix + [name])
            else:
                yield " ".join(prefix + [name]), command

    return dict(walk(root, []))


def test_every_listing_takes_output_and_excel():
    listings = []
    for path, command in _commands().items():
        params = {p.name: p for p in command.params}
        fmt = params.get("fmt")
        if fmt is None or "xlsx" not in getattr(fmt.type, "choices", ()):
            continue
        listings.append(path)
        assert {"output", "excel"} <= set(params), path
        assert "--output" in params["output"].opts, path
        assert params["excel"].opts == ["--excel"], path
    assert {"due", "claim", "find", "followup list", "complaint list", "apology list", "apology due", "chase",
            "report", "export", "sample", "spot-checks", "rejects", "import", "record", "info", "calendar",
            "merge", "apology open", "apology record", "apology sms"} <= set(listings)
    assert "show" not in listings
    commands = _commands()
    record = {p.name: p for p in commands["record"].params}
    assert record["output"].opts == ["--output"] and record["outcome"].opts == ["--outcome", "-o"]
    assert {p.name: p for p in commands["due"].params}["output"].opts == ["--output", "-o"]


def test_help_stays_free_of_xlsxwriter():
    code = ("import sys\nfrom callbackctl.cli import main\nsys.argv = ['callbackctl', 'due', '--help']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('xlsxwriter' in sys.modules, 'callbackctl.sheets' in sys.modules, file=sys.stderr)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment("utf-8"))
    assert r.stderr.splitlines()[-1] == "False False"


def test_in_process_runs_leave_no_output_behind(cli, tmp_path):
    # the --output of one run is not the next run's (the runner shares a process)
    from callbackctl import demo

    cli("import", demo.fixture_path("dealer_export_gbk.csv"))
    assert cli("due", "-f", "csv", "--output", str(tmp_path / "a.csv")).stdout == ""
    r = CliRunner().invoke(app, ["--db", cli.db_path, "--now", NOW, "due", "-f", "csv"])
    assert r.stdout.startswith("order_no,customer,phone")
