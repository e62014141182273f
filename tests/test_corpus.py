"""Real dealer files (tests/corpus/): nothing silently lost, mixed or guessed (#14).

Table-driven over tests/corpus_expected.py, through the real command (`import ... -f
csv` in a fresh desk at a fixed now): the exit code, the summary row, every stderr
line, the rejects and every stored order. Then: importing the file again changes
nothing, and a property over every file: read = inserted + updated + unchanged +
rejected, and every non-empty cell of the file is found afterwards in a stored field
(compared through callbackctl.normalize's parsers), in the order's extra under its
header, in a reject's raw row under its header, or among the title lines kept in the
import's audit event. The file's cells come from this module's own reader (the csv
and json modules, python-calamine's grid), not from callbackctl's.

Also: several files in one command (the second missing), and `record --from` of the
same call log twice.
"""

import csv
import datetime
import io
import json
import os
import shutil
import sqlite3
import sys
import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from corpus_expected import CASES

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
NOW = "2026-11-23 10:00"
TZ = ZoneInfo("Asia/Shanghai")
FIELDS = ("service_type", "customer", "phone", "phone_valid", "address", "zone", "region", "provider", "engineer",
          "product", "serial_no", "reported_at", "dispatched_at", "feedback_at", "appointment_at", "arrived_at",
          "completed_at", "machine_hours", "parts_replaced", "fee", "location", "warranty", "vip", "status_given")
SUMMARY = ("file", "read", "inserted", "updated", "unchanged", "rejected", "error")


# -- running the command ---------------------------------------------------------------

def invoke(folder, db, args, policy=None):
    """callbackctl in-process, in `folder` (so that files are named as a user names them)."""
    from callbackctl.cli import app

    argv = ["--db", str(db), "--now", NOW] + (["--policy", str(policy)] if policy else []) + list(args)
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        return CliRunner().invoke(app, argv, catch_exceptions=False)
    finally:
        os.chdir(cwd)


def new_desk(folder):
    """A desk file made beforehand, so that no command announces a new file."""
    from callbackctl import desk

    db = folder / "desk.db"
    desk.open_desk(str(db), now=NOW).conn.close()
    return db


def query(db, sql, *params):
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def stored_orders(db):
    """order_no -> every stored field that is not empty, and extra as a dict."""
    out = {}
    for row in query(db, f"SELECT order_no, {', '.join(FIELDS)}, extra FROM orders"):
        fields = {k: v for k, v in row.items() if k not in ("order_no", "extra") and v is not None}
        if row["extra"]:
            fields["extra"] = json.loads(row["extra"])
        out[row["order_no"]] = fields
    return out


def summary_rows(result):
    return [{k: r[k] for k in SUMMARY} for r in csv.DictReader(io.StringIO(result.stdout))]


def batch_rejects(db, batch):
    """A batch's rejects; a re-import's point at the rows its file's first import stored."""
    return [(r["line"], r["error"], json.loads(r["raw"])) for r in
            query(db, "SELECT r.line, r.error, coalesce(f.raw, r.raw) AS raw FROM import_rejects r "
                      "LEFT JOIN import_rejects f ON f.id = r.repeat_of WHERE r.batch_id = ? ORDER BY r.line, r.id",
                  batch)]


def last_batch(db):
    return query(db, "SELECT coalesce(max(id), 0) AS n FROM import_batches")[0]["n"]


def count_events(db, kind):
    return query(db, "SELECT count(*) AS n FROM events WHERE kind = ?", kind)[0]["n"]


class Run:
    """One case imported twice into a fresh desk, and what each import left."""

    def __init__(self, case, folder):
        self.case, self.folder = case, folder
        for name in [case.file, *case.before]:
            shutil.copyfile(CORPUS / name, folder / Path(name).name)
        policy = None
        if case.policy:
            policy = folder / "policy.toml"
            policy.write_text(case.policy, encoding="utf-8")
        self.policy = policy
        self.db = db = new_desk(folder)
        for name in case.before:
            assert invoke(folder, db, ["import", Path(name).name], policy).exit_code == 0
        self.args = ["import", case.name, *case.args, "-f", "csv"]
        self.updates_before = count_events(db, "order_updated")
        self.first = invoke(folder, db, self.args, policy)
        self.batch = last_batch(db)
        self.rejects = batch_rejects(db, self.batch)
        self.orders = stored_orders(db)
        self.rows = query(db, "SELECT * FROM orders ORDER BY id")
        self.event = next((json.loads(e["detail"]) for e in query(db, "SELECT detail FROM events WHERE kind = 'import'")
                           if json.loads(e["detail"]).get("batch") == self.batch), None)
        self.updates_after_first = count_events(db, "order_updated")
        self.second = invoke(folder, db, self.args, policy)
        self.second_batch = last_batch(db)
        self.second_rejects = batch_rejects(db, self.second_batch) if self.second_batch != self.batch else []
        self.rows_after_second = query(db, "SELECT * FROM orders ORDER BY id")
        self.updates_after_second = count_events(db, "order_updated")


@pytest.fixture(scope="session")
def runs(tmp_path_factory):
    cache = {}

    def get(key):
        if key not in cache:
            cache[key] = Run(CASES[key], tmp_path_factory.mktemp(key))
        return cache[key]

    return get


def cases(test):
    """The case keys as parameters, xfail(strict=True) where the code disagrees with the contract."""
    params = []
    for key, case in CASES.items():
        marks = [pytest.mark.xfail(strict=True, reason=case.xfail[test])] if test in case.xfail else []
        params.append(pytest.param(key, id=key, marks=marks))
    return params


def expected_stderr(case):
    """Every stderr line the import should print, in order."""
    if case.error:
        return [f"Error: {case.error}"]
    lines = [f"{case.name}: line {line} is above the header, read as a title: {text!r}" for line, text in case.titles]
    if case.unknown:
        lines.append(f"Warning: {case.name}: kept with each order but matching no field: {', '.join(case.unknown)} "
                     "(if one is a field, say so with --map 'HEADER=FIELD')")
    lines += [f"Warning: {case.name}: {text}" for text in case.warnings]
    lines += [f"{case.name}: line {line}: {error}" for line, error in case.rejects[:5]]
    if case.strict and case.rejected:
        lines.append(f"{case.name}: --strict: {case.rejected} row(s) rejected, nothing imported")
    if len(case.rejects) > 5:
        lines.append(f"... {len(case.rejects) - 5} more rejected row(s): see `callbackctl rejects`")
    return lines


def test_the_corpus_has_forty_files_or_more():
    files = [p for p in CORPUS.iterdir() if p.suffix != ".py"]
    assert len(files) >= 40
    used = {c.file for c in CASES.values()} | {b for c in CASES.values() for b in c.before}
    # every file is a case's, except the call logs (test_record_from_the_same_call_log_twice)
    assert {p.name for p in files} - used == {"calls_gbk.csv", "calls_gbk_title.csv"}


@pytest.mark.parametrize("key", cases("import"))
def test_import(runs, key):
    """Exit code, summary row, stderr lines, rejects and stored orders, as the contract says."""
    run, case = runs(key), CASES[key]
    r = run.first
    assert r.exit_code == case.exit, r.stderr
    assert summary_rows(r) == [{"file": case.name, "read": str(case.read), "inserted": str(case.inserted),
                                "updated": str(case.updated), "unchanged": str(case.unchanged),
                                "rejected": str(case.rejected), "error": case.error}]
    assert r.stderr.splitlines() == expected_stderr(case)
    assert [(line, error) for line, error, _ in run.rejects] == case.rejects
    raws = {line: raw for line, _, raw in run.rejects}
    for line, raw in case.raws.items():
        assert raws[line] == raw
    assert run.orders == case.orders
    if case.titles:
        assert [tuple(t) for t in run.event["title_lines"]] == case.titles


@pytest.mark.parametrize("key", cases("again"))
def test_importing_the_same_file_again_changes_nothing(runs, key):
    run, case = runs(key), CASES[key]
    first, second = summary_rows(run.first), summary_rows(run.second)
    assert run.second.exit_code == run.first.exit_code
    if case.error or case.strict:
        assert second == first
    else:
        assert second == [{**first[0], "inserted": "0", "updated": "0",
                           "unchanged": str(int(first[0]["read"]) - int(first[0]["rejected"]))}]
        assert [(line, error) for line, error, _ in run.second_rejects] == \
               [(line, error) for line, error, _ in run.rejects]
    assert run.rows_after_second == run.rows
    assert run.updates_after_second == run.updates_after_first


# -- the property: every cell is somewhere ---------------------------------------------------

def clean_headers(cells):
    """The contract's rule, written again here: blank -> column_N, repeated -> NAME_2."""
    out = []
    for i, cell in enumerate(cells, 1):
        name = str(cell).strip() or f"column_{i}"
        base, n = name, 1
        while name in out:
            n += 1
            name = f"{base}_{n}"
        out.append(name)
    return out


def workbook_text(value):
    """A workbook cell as the text the dealer saw (a number cell holding a phone: digits)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat() + " 00:00:00"
    if isinstance(value, datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        minutes, seconds = divmod(int(value.total_seconds()), 60)
        return f"{minutes // 60}:{minutes % 60:02}:{seconds:02}"
    return str(value)


def json_text(value):
    if isinstance(value, str):
        return value
    return "" if value is None else deep(json.dumps, value, ensure_ascii=False)


def deep(function, *args, **kwargs):
    """json.loads or json.dumps of a value nested deeper than Python's default recursion limit."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20000))
    try:
        return function(*args, **kwargs)
    finally:
        sys.setrecursionlimit(limit)


def repeated_keys_kept(pairs):
    """A repeated key's values all kept, the second as NAME_2 (as a repeated CSV header)."""
    out = {}
    for key, value in pairs:
        name, n = key, 1
        while name in out:
            n += 1
            name = f"{key}_{n}"
        out[name] = value
    return out


def records(case, path):
    """(line, cells) of every row of the file, or (line, None) with the line's text when it is not one."""
    if case.read_as in ("json", "jsonl"):
        text = path.read_text(encoding="utf-8")
        if case.read_as == "jsonl":
            for n, line in enumerate(text.splitlines(), 1):
                if line.strip():
                    try:
                        yield n, deep(json.loads, line)
                    except ValueError:
                        yield n, line
            return
        data = deep(json.loads, text, object_pairs_hook=repeated_keys_kept)
        if isinstance(data, dict):
            data = next(v for v in data.values() if isinstance(v, list))
        yield from enumerate(data, 1)
        return
    if case.read_as == "workbook" or case.read_as[0] == "workbook":
        from python_calamine import CalamineWorkbook

        with open(path, "rb") as f:
            book = CalamineWorkbook.from_filelike(f)
            sheet = book.get_sheet_by_name(case.read_as[1]) if case.read_as != "workbook" else book.get_sheet_by_index(0)
            grid = sheet.to_python(skip_empty_area=False)
        for n, row in enumerate(grid, 1):
            yield n, [workbook_text(v) for v in row]
        return
    encoding, delimiter = case.read_as
    text = path.read_bytes().decode(encoding).lstrip("\ufeff")
    if case.lines:  # each physical line alone: an unclosed quote stays on its line
        for n, line in enumerate(text.splitlines(), 1):
            yield n, (line if line.count('"') % 2 else next(csv.reader([line], delimiter=delimiter), []))
        return
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    for cells in reader:
        yield start, cells
        start = reader.line_num + 1


def header_field(case):
    mapping = {}
    for i, arg in enumerate(case.args):
        if arg == "--map":
            header, _, name = case.args[i + 1].partition("=")
            mapping[header] = name
    if case.policy:
        mapping.update(tomllib.loads(case.policy)["import"]["columns"])

    def field_of(header):
        from callbackctl import normalize

        return mapping.get(header) or normalize.canonical_header(header)

    return field_of


def same_value(field, text, stored, date_order):
    """The cell, read by the importer's own parser, is the stored value."""
    from callbackctl import normalize

    if stored is None:
        return False
    try:
        if field == "phone":
            return normalize.phone(text)[0] == stored
        if field.endswith("_at"):
            return normalize.datetime(text, tz=TZ, date_order=date_order) == stored
        if field in ("machine_hours", "fee"):
            return normalize.number(text) == stored
        if field in ("warranty", "vip"):
            return normalize.boolean(text) == bool(stored)
        if field == "parts_replaced":
            return normalize.parts(text) <= normalize.parts(stored)
        parse = {"service_type": normalize.service_type, "zone": normalize.zone, "status": normalize.status}.get(field)
        return (parse(text) if parse else text) == stored
    except ValueError:
        return False


def missing_cells(run):
    """Every non-empty cell of the file that cannot be found afterwards, with where it was."""
    case, db = run.case, run.db
    field_of = header_field(case)
    date_order = case.args[case.args.index("--date-order") + 1] if "--date-order" in case.args else None
    stored = {r["order_no"]: r for r in query(db, "SELECT * FROM orders")}
    rejects = {line: raw for line, _, raw in run.rejects}
    titles = " | ".join(text for _, text in (run.event or {}).get("title_lines", []))
    missing = []

    def found_in_raw(raw, header, text):
        if "_line" in raw:
            return text in raw["_line"]
        return json_text(raw.get(header)).strip() == text

    headers = None
    for line, row in records(case, CORPUS / case.file):
        if isinstance(row, dict):
            cells = {k: json_text(v).strip() for k, v in row.items()}
        elif isinstance(row, str):  # a line that is not a row: kept whole in its reject
            if not (line in rejects and found_in_raw(rejects[line], None, row.strip())):
                missing.append((line, None, row[:80]))
            continue
        elif headers is None:  # titles until the header, which names the order number
            if any(field_of(c) == "order_no" for c in row):
                headers = clean_headers(row)
            else:
                missing += [(line, "title", c) for c in row if c.strip() and c.strip() not in titles]
            continue
        else:
            cells = {h: c.strip() for h, c in zip(headers, row)}
            cells.update({f"column_{i + 1}": c.strip() for i, c in enumerate(row) if i >= len(headers)})
        if not any(cells.values()):
            continue
        if line in rejects:
            missing += [(line, h, t) for h, t in cells.items() if t and not found_in_raw(rejects[line], h, t)]
            continue
        number = next((t for h, t in cells.items() if field_of(h) == "order_no" and t), None)
        order = stored.get(number)
        if order is None:
            missing += [(line, h, t) for h, t in cells.items() if t]
            continue
        extra = json.loads(order["extra"] or "{}")
        for h, t in cells.items():
            if not t or extra.get(h) == t:
                continue
            name = field_of(h)
            if name == "order_no":
                ok = t == order["order_no"]
            elif name == "status":
                ok = same_value("status", t, order["status"], date_order)
            else:
                ok = name is not None and same_value(name, t, order.get(name), date_order)
            if not ok:
                missing.append((line, h, t))
    return missing


@pytest.mark.parametrize("key", cases("property"))
def test_every_cell_of_every_file_is_found_afterwards(runs, key):
    run, case = runs(key), CASES[key]
    if case.error or case.strict:
        pytest.skip("a file refused whole, or --strict: nothing of it is imported, by design")
    (row,) = summary_rows(run.first)
    assert int(row["read"]) == sum(int(row[k]) for k in ("inserted", "updated", "unchanged", "rejected"))
    assert missing_cells(run) == []


# -- several files, and record --from -------------------------------------------------------

def test_several_files_each_get_a_summary_and_every_file_is_tried(tmp_path):
    for name in ("blank_header.csv", "dup_conflict.csv"):
        shutil.copyfile(CORPUS / name, tmp_path / name)
    db = new_desk(tmp_path)
    r = invoke(tmp_path, db, ["import", "blank_header.csv", "missing.csv", "dup_conflict.csv",
                              "--rejects", "rejects.csv", "-f", "csv"])
    assert r.exit_code == 1
    assert summary_rows(r) == [
        {"file": "blank_header.csv", "read": "2", "inserted": "1", "updated": "0", "unchanged": "0",
         "rejected": "1", "error": ""},
        {"file": "missing.csv", "read": "0", "inserted": "0", "updated": "0", "unchanged": "0",
         "rejected": "0", "error": "missing.csv: no such file"},
        {"file": "dup_conflict.csv", "read": "6", "inserted": "3", "updated": "0", "unchanged": "0",
         "rejected": "3", "error": ""},
    ]
    assert "Error: missing.csv: no such file" in r.stderr.splitlines()
    assert sorted(stored_orders(db)) == ["SY2026110091", "SY2026110201", "SY2026110202", "SY2026110203"]
    with open(tmp_path / "rejects.csv", encoding="utf-8-sig", newline="") as f:
        kept = list(csv.DictReader(f))
    assert [(k["file"], k["line"], k["error"]) for k in kept] == [
        ("blank_header.csv", "3", "服务类型 (service_type): unknown service type '拆机'"),
        ("dup_conflict.csv", "3", "order_no SY2026110201 also on line 2 with a different phone"),
        ("dup_conflict.csv", "5", "order_no SY2026110202 also on line 4 with a different 备注"),
        ("dup_conflict.csv", "7", "order_no SY2026110203 also on line 6 with a different service_type"),
    ]
    assert kept[0]["column_3"] == "普通" and kept[2]["备注"] == "下午"  # the raw rows, whole


def test_a_phone_in_scientific_notation_is_followed_up_with_that_reason(tmp_path):
    shutil.copyfile(CORPUS / "phone_scientific.csv", tmp_path / "phone_scientific.csv")
    db = new_desk(tmp_path)
    assert invoke(tmp_path, db, ["import", "phone_scientific.csv"]).exit_code == 0
    r = invoke(tmp_path, db, ["followup", "list", "-f", "csv"])
    (row,) = list(csv.DictReader(io.StringIO(r.stdout)))
    assert (row["order_no"], row["reason"]) == ("SN01", "invalid_contact")
    assert "scientific notation" in row["detail"]


def _calls(db):
    return query(db, "SELECT o.order_no, c.called_at, c.outcome, c.agent, c.note FROM callbacks c "
                     "JOIN orders o ON o.id = c.order_id ORDER BY c.called_at")


def test_record_from_the_same_call_log_twice_records_each_call_once(tmp_path):
    for name in ("gbk_title_crlf.csv", "calls_gbk.csv"):
        shutil.copyfile(CORPUS / name, tmp_path / name)
    db = new_desk(tmp_path)
    assert invoke(tmp_path, db, ["import", "gbk_title_crlf.csv"]).exit_code == 0
    first = invoke(tmp_path, db, ["record", "--from", "calls_gbk.csv", "-f", "csv"])
    assert first.exit_code == 0, first.stderr
    calls = _calls(db)
    assert [(c["order_no"], c["called_at"], c["outcome"], c["agent"]) for c in calls] == [
        ("SY2026110001", "2026-11-23 09:40:00", "reached", "小王"),
        ("SY2026110002", "2026-11-23 09:45:00", "no_answer", "小王"),
        ("SY2026110003", "2026-11-23 09:50:00", "reached", "小李"),
    ]
    assert calls[0]["note"] == "客户很满意"
    again = invoke(tmp_path, db, ["record", "--from", "calls_gbk.csv", "-f", "csv"])
    assert again.exit_code == 0, again.stderr
    assert list(csv.DictReader(io.StringIO(again.stdout))) == []
    assert _calls(db) == calls


def test_record_from_a_call_log_with_a_title_row(tmp_path):
    for name in ("gbk_title_crlf.csv", "calls_gbk_title.csv"):
        shutil.copyfile(CORPUS / name, tmp_path / name)
    db = new_desk(tmp_path)
    assert invoke(tmp_path, db, ["import", "gbk_title_crlf.csv"]).exit_code == 0
    r = invoke(tmp_path, db, ["record", "--from", "calls_gbk_title.csv", "-f", "csv"])
    assert r.exit_code == 0, r.stderr
    assert [(c["order_no"], c["outcome"]) for c in _calls(db)] == [("SY2026110001", "reached")]
