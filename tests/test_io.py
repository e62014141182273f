"""io: what write() prints in each format, and what open_input() makes of small files.

The input side is tested through what a user sees (headers, rows with their line
numbers, errors), not through the reader's helpers, which are about to change.
"""

import codecs
import io
import json
import re
import sys

import pytest

from callbackctl.errors import InputError
from callbackctl.io import write
from callbackctl.readers import BadRecord, detect_encoding, guess_format, open_input


def exactly(message):
    return f"^{re.escape(message)}$"


def out(rows, columns, fmt, **kw):
    buf = io.StringIO()
    n = write(rows, columns, buf, fmt, **kw)
    return n, buf.getvalue()


# -- write ---------------------------------------------------------------------------

ROWS = [
    {"order_no": "SY1", "customer": "林工", "fee": 12.5, "overdue": True, "parts": ["滤芯", "机油"], "note": None},
    {"order_no": "SY2", "customer": 'Wang, "Jr"', "fee": 3, "overdue": False, "parts": [], "note": "two\nlines"},
    {"order_no": "SY3", "customer": "=SUM(A1)", "fee": -1.25, "overdue": None, "parts": ("a",)},  # no note key
]
COLUMNS = ["order_no", "customer", "fee", "overdue", "parts", "note"]

EXPECTED = {
    "csv": (
        "order_no,customer,fee,overdue,parts,note\n"
        "SY1,林工,12.5,1,滤芯; 机油,\n"
        'SY2,"Wang, ""Jr""",3,0,,"two\nlines"\n'
        "SY3,=SUM(A1),-1.25,,a,\n"
    ),
    "tsv": (
        "order_no\tcustomer\tfee\toverdue\tparts\tnote\n"
        "SY1\t林工\t12.5\t1\t滤芯; 机油\t\n"
        'SY2\t"Wang, ""Jr"""\t3\t0\t\t"two\nlines"\n'
        "SY3\t=SUM(A1)\t-1.25\t\ta\t\n"
    ),
    "json": (
        "[\n"
        ' {"order_no": "SY1", "customer": "林工", "fee": 12.5, "overdue": true, "parts": ["滤芯", "机油"], "note": null},\n'
        ' {"order_no": "SY2", "customer": "Wang, \\"Jr\\"", "fee": 3, "overdue": false, "parts": [], "note": "two\\nlines"},\n'
        ' {"order_no": "SY3", "customer": "=SUM(A1)", "fee": -1.25, "overdue": null, "parts": ["a"], "note": null}\n'
        "]\n"
    ),
    "jsonl": (
        '{"order_no": "SY1", "customer": "林工", "fee": 12.5, "overdue": true, "parts": ["滤芯", "机油"], "note": null}\n'
        '{"order_no": "SY2", "customer": "Wang, \\"Jr\\"", "fee": 3, "overdue": false, "parts": [], "note": "two\\nlines"}\n'
        '{"order_no": "SY3", "customer": "=SUM(A1)", "fee": -1.25, "overdue": null, "parts": ["a"], "note": null}\n'
    ),
    # booleans yes/no; numbers right-aligned; Chinese text aligned by its display width
    "table": (
        "order_no    customer      fee  overdue    parts       note\n"
        "----------  ----------  -----  ---------  ----------  ------\n"
        "SY1         林工         12.5  yes        滤芯; 机油\n"
        'SY2         Wang, "Jr"      3  no                     two\n'
        "                                                      lines\n"
        "SY3         =SUM(A1)    -1.25             a\n"
    ),
}


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "jsonl"])
def test_write_each_format(fmt):
    assert out(ROWS, COLUMNS, fmt) == (3, EXPECTED[fmt])


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "jsonl"])
def test_write_streams_from_a_generator(fmt):
    assert out((dict(r) for r in ROWS), COLUMNS, fmt) == (3, EXPECTED[fmt])


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_output_reads_back(fmt):
    text = out(ROWS, COLUMNS, fmt)[1]
    data = json.loads(text) if fmt == "json" else [json.loads(line) for line in text.splitlines()]
    assert data == [
        {"order_no": "SY1", "customer": "林工", "fee": 12.5, "overdue": True, "parts": ["滤芯", "机油"], "note": None},
        {"order_no": "SY2", "customer": 'Wang, "Jr"', "fee": 3, "overdue": False, "parts": [], "note": "two\nlines"},
        {"order_no": "SY3", "customer": "=SUM(A1)", "fee": -1.25, "overdue": None, "parts": ["a"], "note": None},
    ]


def test_csv_output_reads_back_cell_by_cell():
    import csv

    assert list(csv.reader(io.StringIO(EXPECTED["csv"]))) == [
        COLUMNS,
        ["SY1", "林工", "12.5", "1", "滤芯; 机油", ""],
        ["SY2", 'Wang, "Jr"', "3", "0", "", "two\nlines"],
        ["SY3", "=SUM(A1)", "-1.25", "", "a", ""],
    ]


@pytest.mark.parametrize("fmt, expected", [
    ("table", ""),
    ("csv", "a,b\n"),
    ("tsv", "a\tb\n"),
    ("json", "[]\n"),
    ("jsonl", ""),
])
def test_write_no_rows(fmt, expected):
    assert out([], ["a", "b"], fmt) == (0, expected)


@pytest.mark.parametrize("value, csv_text, json_text", [
    (None, "", "null"),
    (True, "1", "true"),
    (False, "0", "false"),
    (0, "0", "0"),
    (-7, "-7", "-7"),
    (2.5, "2.5", "2.5"),
    (0.1, "0.1", "0.1"),
    (1e-07, "1e-07", "1e-07"),
    ("", "", '""'),
    ("中文，全角", "中文，全角", '"中文，全角"'),
    ("a,b", '"a,b"', '"a,b"'),
    ('say "hi"', '"say ""hi"""', '"say \\"hi\\""'),
    ("crlf\r\n", '"crlf\r\n"', '"crlf\\r\\n"'),
    (" spaced ", " spaced ", '" spaced "'),
    (["x", "y,z"], '"x; y,z"', '["x", "y,z"]'),
    ([], "", "[]"),
    ({"k": "中"}, '"{""k"": ""中""}"', '{"k": "中"}'),
])
def test_one_cell_in_csv_and_json(value, csv_text, json_text):
    rows = [{"id": 1, "v": value}]
    assert out(rows, ["id", "v"], "csv") == (1, f"id,v\n1,{csv_text}\n")
    assert out(rows, ["id", "v"], "jsonl") == (1, f'{{"id": 1, "v": {json_text}}}\n')


@pytest.mark.parametrize("fmt, delimiter, excel, value", [
    ("csv", ",", False, "cr\rhere"),
    ("tsv", "\t", False, "cr\rhere"),
    ("csv", ",", True, "cr\rhere"),
    ("csv", ",", False, "ends with cr\r"),
])
def test_a_cell_with_a_carriage_return_reads_back_as_one_cell(fmt, delimiter, excel, value):
    import csv

    text = out([{"id": "SY1", "v": value, "w": "x"}], ["id", "v", "w"], fmt, excel=excel)[1].lstrip("\ufeff")
    assert list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)) == [["id", "v", "w"], ["SY1", value, "x"]]


def test_a_single_empty_column_is_quoted_not_a_blank_line():
    assert out([{"a": None}, {"a": "x"}], ["a"], "csv") == (2, 'a\n""\nx\n')


def test_columns_choose_and_order_the_cells():
    rows = [{"a": 1, "b": 2, "c": 3}]
    assert out(rows, ["c", "a"], "csv") == (1, "c,a\n3,1\n")
    assert out(rows, ["c", "a"], "json") == (1, '[\n {"c": 3, "a": 1}\n]\n')


def test_table_alignment_and_an_empty_row():
    rows = [{"n": 1, "b": True, "s": "x", "m": 1}, {"n": 22.5, "b": False, "s": "yy", "m": "z"},
            {"n": None, "b": None, "s": None, "m": None}]
    # a column of numbers (None aside) is right-aligned; booleans and mixed columns are not
    assert out(rows, ["n", "b", "s", "m"], "table") == (3, (
        "   n  b    s    m\n"
        "----  ---  ---  ---\n"
        "   1  yes  x    1\n"
        "22.5  no   yy   z\n"
        "\n"
    ))


def test_unknown_format():
    with pytest.raises(ValueError, match=exactly("unknown format 'xml'")):
        write([], ["a"], io.StringIO(), "xml")


def test_many_rows_stream_in_batches():
    rows = ({"n": i, "s": f"r{i}"} for i in range(1200))
    n, text = out(rows, ["n", "s"], "csv")
    assert n == 1200
    assert text == "n,s\n" + "".join(f"{i},r{i}\n" for i in range(1200))


# -- excel=True ----------------------------------------------------------------------

@pytest.mark.parametrize("value, cell", [
    ("=1+1", "'=1+1"),
    ("=HYPERLINK(\"http://x\")", '"\'=HYPERLINK(""http://x"")"'),
    ("+86 138", "'+86 138"),
    ("-5", "'-5"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"),
    ("a=b", "a=b"),
    ("林工", "林工"),
    ("", ""),
    (-3, "-3"),  # numbers are numbers, not formulas
    (-1.5, "-1.5"),
    (True, "1"),
    (None, ""),
])
def test_excel_csv_makes_formula_cells_inert(value, cell):
    assert out([{"id": "SY1", "v": value}], ["id", "v"], "csv", excel=True) == (1, f"\ufeffid,v\nSY1,{cell}\n")


def test_excel_tsv():
    rows = [{"id": "SY1", "v": "=1+1", "w": "中文"}]
    assert out(rows, ["id", "v", "w"], "tsv", excel=True) == (1, "\ufeffid\tv\tw\nSY1\t'=1+1\t中文\n")


def test_excel_csv_of_the_sample_rows():
    assert out(ROWS, COLUMNS, "csv", excel=True) == (3, "\ufeff" + EXPECTED["csv"].replace("=SUM(A1)", "'=SUM(A1)"))


@pytest.mark.parametrize("fmt", ["json", "jsonl", "table"])
def test_excel_elsewhere_adds_only_the_bom(fmt):
    assert out(ROWS, COLUMNS, fmt, excel=True) == (3, "\ufeff" + EXPECTED[fmt])


def test_excel_with_no_rows():
    assert out([], ["a", "b"], "csv", excel=True) == (0, "\ufeffa,b\n")


# -- detect_encoding and guess_format --------------------------------------------------

@pytest.mark.parametrize("sample, encoding", [
    (b"order_no,customer\nW1,Lin\n", "utf-8"),
    ("工单号,客户\nW1,林工\n".encode("utf-8"), "utf-8"),
    ("工单号,客户".encode("utf-8")[:-1], "utf-8"),  # a sample cut inside a character
    (codecs.BOM_UTF8 + "工单号,客户\n".encode("utf-8"), "utf-8-sig"),
    ("工单号\t客户\r\n".encode("utf-16"), "utf-16"),
    (codecs.BOM_UTF16_LE + "工单号".encode("utf-16-le"), "utf-16"),
    (codecs.BOM_UTF16_BE + "工单号".encode("utf-16-be"), "utf-16"),
    ("工单号,服务类型,客户\nW1,维修,林工\n".encode("gbk"), "gb18030"),
    ("䶮,€".encode("gb18030"), "gb18030"),
    (b"", "utf-8"),
])
def test_detect_encoding(sample, encoding):
    assert detect_encoding(sample, "f.csv") == encoding


@pytest.mark.parametrize("sample, message", [
    (b"a,b\x00c", "f.csv: not a text file (NUL byte at offset 3), nor a workbook (.xlsx, .xls, .ods)"),
    (b"PK\x03\x04\x14\x00", "f.csv: not a text file (NUL byte at offset 5), nor a workbook (.xlsx, .xls, .ods)"),
    ("ab".encode("utf-16-le"), "f.csv: UTF-16 text without a byte-order mark: pass --encoding utf-16-le (or utf-16-be)"),
    (b"a\xff\xffb", "f.csv: cannot tell the text encoding; pass --encoding"),
])
def test_detect_encoding_refuses(sample, message):
    with pytest.raises(InputError, match=exactly(message)):
        detect_encoding(sample, "f.csv")


@pytest.mark.parametrize("name, start, fmt", [
    ("a.csv", "", "csv"),
    ("A.CSV", "[", "csv"),  # the extension wins
    ("a.tsv", "", "tsv"),
    ("a.json", "", "json"),
    ("a.jsonl", "", "jsonl"),
    ("a.ndjson", "", "jsonl"),
    ("a.txt", '[{"a": 1}]', "json"),
    ("a.txt", '  \n{"a": 1}', "jsonl"),
    ("-", "a\tb,c\td\n1,2,3", "tsv"),
    ("-", "a,b\tc\n1\t2\t3", "csv"),
    ("export.dat", "a,b", "csv"),
    ("export", "", "csv"),
])
def test_guess_format(name, start, fmt):
    assert guess_format(name, start) == fmt


# -- open_input on small files ---------------------------------------------------------

def make(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def read(path, **kw):
    source = open_input(path, **kw)
    try:
        return source, list(source.rows)
    finally:
        source.close()


@pytest.mark.parametrize("name, data, fmt, encoding, headers, rows", [
    ("a.csv", b'order_no,customer\nW1,Lin\n\nW2,"Wang, Jr"\n', "csv", "utf-8",
     ["order_no", "customer"], [(2, ["W1", "Lin"]), (4, ["W2", "Wang, Jr"])]),
    ("crlf.csv", b'order_no,customer\r\nW1,Lin\r\n\r\nW2,"two\r\nlines"\r\nW3,x\r\n', "csv", "utf-8",
     ["order_no", "customer"], [(2, ["W1", "Lin"]), (4, ["W2", "two\r\nlines"]), (6, ["W3", "x"])]),
    ("no_newline_at_end.csv", b"a,b\n1,2", "csv", "utf-8", ["a", "b"], [(2, ["1", "2"])]),
    ("header_only.csv", b"a,b\n", "csv", "utf-8", ["a", "b"], []),
    ("gbk.csv", "工单号,客户\nW1,林工\n".encode("gbk"), "csv", "gb18030", ["工单号", "客户"], [(2, ["W1", "林工"])]),
    ("bom.csv", codecs.BOM_UTF8 + "工单号,客户\nW1,林工\n".encode(), "csv", "utf-8-sig",
     ["工单号", "客户"], [(2, ["W1", "林工"])]),
    ("unicode.txt", "工单号\t客户\r\nW1\t林工\r\n".encode("utf-16"), "tsv", "utf-16",
     ["工单号", "客户"], [(2, ["W1", "林工"])]),
    ("t.tsv", b"a\tb\n1\t2,3\n\n4\t\n", "tsv", "utf-8", ["a", "b"], [(2, ["1", "2,3"]), (4, ["4", ""])]),
    ("j.json", b'[{"order_no": "W1", "n": 1},\n {"order_no": "W2"}]', "json", "utf-8",
     None, [(1, {"order_no": "W1", "n": 1}), (2, {"order_no": "W2"})]),
    ("one.json", b'{"order_no": "W1"}', "json", "utf-8", None, [(1, {"order_no": "W1"})]),
    ("bom.json", codecs.BOM_UTF8 + '[{"客户": "林工"}]'.encode(), "json", "utf-8-sig", None, [(1, {"客户": "林工"})]),
    ("l.jsonl", b'{"order_no": "W1"}\n\n{"order_no": "W3", "fee": 1.5}\r\n', "jsonl", "utf-8",
     None, [(1, {"order_no": "W1"}), (3, {"order_no": "W3", "fee": 1.5})]),
    ("gbk.jsonl", '{"客户": "林工"}\n'.encode("gbk"), "jsonl", "gb18030", None, [(1, {"客户": "林工"})]),
    ("u16.jsonl", '{"客户": "林工"}\n{"a": 1}\n'.encode("utf-16"), "jsonl", "utf-16",
     None, [(1, {"客户": "林工"}), (2, {"a": 1})]),
    ("rows.txt", b'[{"a": 1}]', "json", "utf-8", None, [(1, {"a": 1})]),
    ("rows.txt", b'{"a": 1}\n{"a": 2}\n', "jsonl", "utf-8", None, [(1, {"a": 1}), (2, {"a": 2})]),
])
def test_open_input(tmp_path, name, data, fmt, encoding, headers, rows):
    path = make(tmp_path, name, data)
    source, got = read(path)
    assert (source.name, source.format, source.encoding, source.headers, source.size, source.preamble) == (
        path, fmt, encoding, headers, len(data), [])
    assert got == rows


def test_bad_jsonl_lines_are_bad_records(tmp_path):
    path = make(tmp_path, "l.jsonl", b'{"order_no": "W1"}\n{"order_no": \n\n[1, 2\n{"order_no": "W5"}\n')
    assert read(path)[1] == [
        (1, {"order_no": "W1"}),
        (2, BadRecord('{"order_no": ', "not valid JSON (Expecting value)")),
        (4, BadRecord("[1, 2", "not valid JSON (Expecting ',' delimiter)")),
        (5, {"order_no": "W5"}),
    ]


@pytest.mark.parametrize("data, is_header, headers, preamble, rows", [
    # title lines above the header are kept as the preamble with their line numbers
    (b"Callbacks report\nexported 2026-11-23,\n\norder_no,customer\nW1,Lin\n\nW2,Wang\n",
     lambda cells: "order_no" in cells, ["order_no", "customer"],
     [(1, "Callbacks report"), (2, "exported 2026-11-23,")], [(5, ["W1", "Lin"]), (7, ["W2", "Wang"])]),
    ("区域售后回访\n工单号,客户\nW1,林工\n".encode("gbk"), lambda cells: "工单号" in cells, ["工单号", "客户"],
     [(1, "区域售后回访")], [(3, ["W1", "林工"])]),
    # no is_header: the first row is the header
    (b"Callbacks report\norder_no,customer\nW1,Lin\n", None, ["Callbacks report"],
     [], [(2, ["order_no", "customer"]), (3, ["W1", "Lin"])]),
    # the header on the first line
    (b"order_no,customer\nW1,Lin\n", lambda cells: "order_no" in cells, ["order_no", "customer"],
     [], [(2, ["W1", "Lin"])]),
    # no header in the first ten rows: the first row is the header
    (b"".join(b"r%d\n" % i for i in range(1, 13)), lambda cells: "order_no" in cells, ["r1"],
     [], [(i, [f"r{i}"]) for i in range(2, 13)]),
])
def test_title_lines_above_the_header(tmp_path, data, is_header, headers, preamble, rows):
    source, got = read(make(tmp_path, "titled.csv", data), is_header=is_header)
    assert (source.headers, source.preamble, got) == (headers, preamble, rows)


def test_title_lines_of_a_tsv_keep_their_tabs(tmp_path):
    data = "报表\t\n导出时间\t2026-11-23\n工单号\t客户\nW1\t林工\n".encode()
    source, got = read(make(tmp_path, "titled.tsv", data), is_header=lambda cells: "工单号" in cells)
    assert (source.headers, source.preamble, got) == (
        ["工单号", "客户"], [(1, "报表\t"), (2, "导出时间\t2026-11-23")], [(4, ["W1", "林工"])])


@pytest.mark.parametrize("input_format, fmt, headers, rows", [
    ("tsv", "tsv", ["a,b", "c"], [(2, ["1,2", "3"])]),
    ("jsonl", "jsonl", None, [(1, BadRecord("a,b\tc", "not valid JSON (Expecting value)")),
                              (2, BadRecord("1,2\t3", "not valid JSON (Extra data)"))]),
])
def test_input_format_overrides_the_guess(tmp_path, input_format, fmt, headers, rows):
    path = make(tmp_path, "x.csv", b'a,b\tc\n1,2\t3\n')
    source, got = read(path, input_format=input_format)
    assert (source.format, source.headers, got) == (fmt, headers, rows)


def test_an_encoding_given_is_used(tmp_path):
    path = make(tmp_path, "x.csv", "工单号\nW1\n".encode("gbk"))
    source, got = read(path, encoding="gbk")
    assert (source.encoding, source.headers, got) == ("gbk", ["工单号"], [(2, ["W1"])])


def test_stdin(tmp_path, monkeypatch):
    class Stdin:
        buffer = io.BytesIO("工单号,客户\nW1,林工\n".encode("gbk"))

    monkeypatch.setattr(sys, "stdin", Stdin)
    source, got = read("-")
    assert (source.name, source.format, source.encoding, source.headers, source.size, got) == (
        "<stdin>", "csv", "gb18030", ["工单号", "客户"], None, [(2, ["W1", "林工"])])


def test_position_reaches_the_size(tmp_path):
    path = make(tmp_path, "a.csv", b"a,b\n1,2\n3,4\n")
    source = open_input(path)
    list(source.rows)
    assert source.position == source.size == 12
    source.close()


@pytest.mark.parametrize("name, data, kw, message", [
    ("empty.csv", b"", {}, "{path}: the file is empty"),
    ("blank.csv", b"  \r\n\n\t\n", {}, "{path}: the file is empty"),
    ("blank.json", b"\n", {}, "{path}: the file is empty"),
    ("nul.csv", b"a,b\n\x00\x01", {}, "{path}: not a text file (NUL byte at offset 4), nor a workbook (.xlsx, .xls, .ods)"),
    ("book.xlsx", b"PK\x03\x04\x14\x00\x06\x00", {}, "{path}: not a workbook (a damaged or renamed file?)"),
    ("mixed.csv", b"a,b\n1,2\n\xff\xfe,3\n", {}, "{path}: cannot tell the text encoding; pass --encoding"),
    ("x.csv", b"a,b\n", {"encoding": "klingon"}, "unknown encoding 'klingon'"),
    ("x.csv", b"a,b\n", {"input_format": "xml"}, "unknown input format 'xml' (use csv, tsv, json, jsonl)"),
    ("scalar.json", b'"hello"', {}, "{path}: expected a JSON array of objects"),
])
def test_open_input_refuses(tmp_path, name, data, kw, message):
    path = make(tmp_path, name, data)
    with pytest.raises(InputError, match=exactly(message.format(path=path))):
        read(path, **kw)


def test_missing_file(tmp_path):
    path = str(tmp_path / "nope.csv")
    with pytest.raises(InputError, match=exactly(f"{path}: no such file")):
        open_input(path)


def test_a_directory(tmp_path):
    with pytest.raises(InputError, match=exactly(f"{tmp_path}: is a directory, not a file")):
        open_input(str(tmp_path))


def test_empty_stdin(monkeypatch):
    class Stdin:
        buffer = io.BytesIO(b"")

    monkeypatch.setattr(sys, "stdin", Stdin)
    with pytest.raises(InputError, match=exactly("<stdin>: the file is empty")):
        open_input("-")


@pytest.mark.parametrize("name, lines, bad", [
    # a byte that is not UTF-8 after the sampled start is reported at its line
    ("late.csv", [b"order_no,x\n"] + [b"W%05d,abcdefghij\n" % i for i in range(4000)], "W9,林工\n".encode("gbk")),
    ("late.jsonl", [b'{"a": 1}\n'] * 8000, '{"a": "林工"}\n'.encode("gbk")),
    ("late.json", [b"["] + [b'{"a": 1},\n'] * 8000, '{"a": "林工"}]\n'.encode("gbk")),
])
def test_a_bad_byte_past_the_sample_names_its_line(tmp_path, name, lines, bad):
    data = b"".join(lines) + bad
    assert len(data) > 1 << 16
    path = make(tmp_path, name, data)
    line = data.count(b"\n")  # the bad text is on the last line
    with pytest.raises(InputError, match=exactly(f"{path}: line {line}: not valid utf-8 text; pass --encoding")):
        read(path)


def test_a_broken_element_of_a_json_array_is_one_bad_record(tmp_path):
    path = make(tmp_path, "bad.json", b'[{"a": 1},\n  oops, {"a": 3}]')
    assert read(path)[1] == [(1, {"a": 1}), (2, BadRecord("oops", "not valid JSON (Expecting value)")),
                             (3, {"a": 3})]


@pytest.mark.parametrize("at", [65534, 65535, 65536, 65537, 131072])
def test_line_ends_split_between_the_readers_chunks(at):
    """CR, LF and CRLF lines, a CRLF falling across the 64 KiB chunks the reader takes."""
    from callbackctl.readers import _any_line_end

    data = b"a" * (at - 1) + b"\r\n" + b"b\rc\n" + b"x" * 300_000 + b"\rd"  # and a cell far longer than a chunk
    assert list(_any_line_end(io.BytesIO(data))) == [b"a" * (at - 1) + b"\r\n", b"b\r", b"c\n", b"x" * 300_000 + b"\r",
                                                     b"d"]
