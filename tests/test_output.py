"""io.write: what each output format prints for each kind of cell."""

import io

import pytest

from callbackctl.io import write


def out(rows, columns, fmt, **kw):
    buf = io.StringIO()
    n = write(rows, columns, buf, fmt, **kw)
    return n, buf.getvalue()


ROWS = [
    {"order_no": "W1", "fee": 12.5, "attempts": 0, "overdue": True, "parts": ["pump", "seal"], "note": None},
    {"order_no": "W2", "fee": 1.0, "attempts": 3, "overdue": False, "parts": [], "note": "a,b"},
    {"order_no": "W3"},  # missing keys are empty cells
]
COLUMNS = ["order_no", "fee", "attempts", "overdue", "parts", "note"]


@pytest.mark.parametrize("fmt, expected", [
    ("csv", "order_no,fee,attempts,overdue,parts,note\n"
            "W1,12.5,0,1,pump; seal,\n"
            'W2,1.0,3,0,,"a,b"\n'
            "W3,,,,,\n"),
    ("tsv", "order_no\tfee\tattempts\toverdue\tparts\tnote\n"
            "W1\t12.5\t0\t1\tpump; seal\t\n"
            "W2\t1.0\t3\t0\t\ta,b\n"
            "W3\t\t\t\t\t\n"),
])
def test_delimited_cells(fmt, expected):
    assert out(ROWS, COLUMNS, fmt) == (3, expected)


def test_plain_rows_and_one_column():
    rows = [{"a": "x", "b": 2}, {"a": None, "b": 2.25}]
    assert out(rows, ["b", "a"], "csv") == (2, "b,a\n2,x\n2.25,\n")
    assert out(rows, ["a"], "csv") == (2, 'a\nx\n""\n')  # a lone empty cell is quoted, not a blank line


def test_excel_csv_neutralises_formulas_and_keeps_booleans_as_digits():
    rows = [{"customer": "=HYPERLINK(1)", "vip": True, "n": -3}]
    assert out(rows, ["customer", "vip", "n"], "csv", excel=True) == (1, "\ufeffcustomer,vip,n\n'=HYPERLINK(1),1,-3\n")


def test_json_keeps_types():
    assert out(ROWS[:1], ["order_no", "overdue", "parts", "note"], "jsonl") == (
        1, '{"order_no": "W1", "overdue": true, "parts": ["pump", "seal"], "note": null}\n')


TRICKY = ["plain", "", "a,b", "a\tb", 'say "hi"', "two\nlines", "cr\rhere", "crlf\r\n", " spaced ", "中文，全角",
          "'quoted'", "=1+1", "trailing,", ",", '"', None, 0, -7, 2.5, 1e-7, float("nan"), True, False, ["x", "y,z"]]


@pytest.mark.parametrize("fmt, delimiter", [("csv", ","), ("tsv", "\t")])
def test_delimited_lines_match_the_csv_module_cell_by_cell(fmt, delimiter):
    # Most lines are joined without the csv module; every kind of cell must
    # come out as the module writes it, quoting included, wherever it sits.
    import csv

    # A lone CR is quoted too (as the module quotes with a \r\n terminator), and
    # every line ends with \n.
    rows = [{"a": v, "b": w, "c": "end"} for v in TRICKY for w in TRICKY]

    def line(cells):
        one = io.StringIO()
        csv.writer(one, delimiter=delimiter, lineterminator="\r\n").writerow(cells)
        return one.getvalue()[:-2] + "\n"

    expected = line(["a", "b", "c"]) + "".join(
        line(["" if v is None else ("1" if v else "0") if isinstance(v, bool)
              else "; ".join(v) if isinstance(v, list) else v for v in r.values()]) for r in rows)
    assert out(rows, ["a", "b", "c"], fmt) == (len(rows), expected)


def test_excel_makes_header_cells_inert_too():
    columns = ["order_no", "=HYPERLINK(\"http://x\")"]
    assert out([{"order_no": "W1", columns[1]: "@SUM(A1)"}], columns, "csv", excel=True) == (
        1, '\ufefforder_no,"\'=HYPERLINK(""http://x"")"\nW1,\'@SUM(A1)\n')
