"""Quoted cells over several lines, with any delimiters and line ends, read as Python's
csv module reads them, by the plain reader and by the [fast] path alike (#28)."""

import csv
import io
import json
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from typer.testing import CliRunner

PIECES = st.sampled_from(["a", "备注", " ", ",", ";", "|", "\t", '"', "\n", "\r\n", "\r", "A1,repair,x", "1;2;3;4"])
CELL = st.lists(PIECES, max_size=12).map("".join)


def imported(tmp_path, text: bytes, fast: str, monkeypatch, name):
    from callbackctl import fastimport
    from callbackctl.cli import app

    path, db = tmp_path / f"{name}.csv", tmp_path / f"{name}.db"
    path.write_bytes(text)
    monkeypatch.setenv(fastimport.ENV, fast)
    r = CliRunner().invoke(app, ["--db", str(db), "--now", "2026-11-23 10:00", "import", str(path), "-f", "json"],
                           catch_exceptions=False)
    rows = sqlite3.connect(db).execute("SELECT order_no, extra FROM orders ORDER BY id").fetchall()
    return r.exit_code, json.loads(r.stdout)[0]["rejected"], [(no, json.loads(e or "{}").get("note")) for no, e in rows]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(notes=st.lists(CELL, min_size=1, max_size=6), end=st.sampled_from(["\n", "\r\n", "\r"]),
       quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]), delimiter=st.sampled_from([",", ";", "\t"]))
def test_multi_line_cells_read_as_the_csv_module_reads_them(tmp_path_factory, monkeypatch, notes, end, quoting,
                                                             delimiter):
    tmp_path = tmp_path_factory.mktemp("cells")
    def line(cells):  # csv.writer leaves a LF unquoted when its line end is CR: quote every line break
        return delimiter.join(
            '"' + c.replace('"', '""') + '"' if quoting == csv.QUOTE_ALL or any(x in c for x in (delimiter, '"', "\r", "\n"))
            else c for c in cells) + end

    text = line(["order_no", "service_type", "note"]) + "".join(line([f"P{i}", "repair", n]) for i, n in enumerate(notes))
    expected = [(row[0], row[2].strip() or None)  # the importer strips cells; an empty one is not kept
                for row in list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))[1:]]
    assert [n for n, _ in expected] == [f"P{i}" for i in range(len(notes))]  # the oracle itself reads them all
    for fast in ("0", "1"):
        code, rejected, rows = imported(tmp_path, text.encode("utf-8"), fast, monkeypatch, f"f{fast}")
        assert (code, rejected, rows) == (0, 0, expected), (fast, text)
