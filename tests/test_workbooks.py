"""Reading workbooks: typed cells as text, line numbers, title rows, sheets, misnamed files.

The xlsx files are written here with XlsxWriter; .xls, .ods and a password-protected
.xlsx come from tests/workbooks/ (rebuilt by tests/workbooks/make.py).
"""

import datetime
import os
import random
import shutil
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from callbackctl.errors import InputError
from callbackctl.workbooks import cell_text, read, sniff

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "workbooks")
HEADERS = ["工单号", "服务类型", "客户", "电话", "完工时间", "费用", "备注"]
ROWS = [
    (4, ["SY2026110001", "安装", "林工", "13800138000", "2026-11-20 14:05:00", "1240.5", "true"]),
    (5, ["SY2026110002", "维修", "", "0571-88886666", "2026-11-21 00:00:00", "300", "00123"]),
    (6, ["SY2026110003", "保养", "王女士", "13800100000", "09:30:00", "45000", "false"]),
]
PREAMBLE = [(1, "2026年11月服务工单"), (2, "导出时间 2026-11-23 08:30:00")]


def is_header(cells):
    return "工单号" in cells


@pytest.fixture(scope="module")
def dealer_xlsx(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("wb") / "dealer.xlsx")
    book = xlsxwriter.Workbook(path)
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    clock = book.add_format({"num_format": "hh:mm:ss"})
    text = book.add_format({"num_format": "@"})
    sheet = book.add_worksheet("工单")
    sheet.merge_range("A1:G1", "2026年11月服务工单", book.add_format({"bold": True, "align": "center"}))
    sheet.write_string("A2", "导出时间")
    sheet.write_datetime("B2", datetime.datetime(2026, 11, 23, 8, 30), stamp)
    sheet.write_row("A3", HEADERS)
    sheet.write_row("A4", ["SY2026110001", "安装", "林工"])
    sheet.write_number("D4", 13800138000)  # a phone typed as a number
    sheet.write_datetime("E4", datetime.datetime(2026, 11, 20, 14, 5), stamp)
    sheet.write_number("F4", 1240.5)
    sheet.write_boolean("G4", True)
    sheet.write_row("A5", ["SY2026110002", "维修"])  # C5 left empty: a gap mid-row
    sheet.write_string("D5", "0571-88886666", text)
    sheet.write_datetime("E5", datetime.datetime(2026, 11, 21), date)
    sheet.write_number("F5", 300)
    sheet.write_string("G5", "00123", text)
    sheet.write_row("A6", ["SY2026110003", "保养", "王女士"])
    sheet.write_number("D6", 1.38001e10)  # shown as 1.38001E+10: the digits are lost
    sheet.write_datetime("E6", datetime.datetime(1899, 12, 31, 9, 30), clock)  # time only
    sheet.write_number("F6", 45000)  # a number the size of a date serial stays a number
    sheet.write_boolean("G6", False)
    for row in (6, 7):  # rows 7 and 8: empty but formatted, as Excel leaves them
        for col in range(7):
            sheet.write_blank(row, col, None, date)
    notes = book.add_worksheet("说明")  # starts at B3: lines must still be Excel's
    notes.write_row("B3", [" 字段 ", "说明"])
    notes.write_row("B4", ["电话", "手机或座机"])
    notes.write_row("B6", ["时长", ""])
    notes.write_number("C6", 1.5, book.add_format({"num_format": "[h]:mm:ss"}))
    book.add_worksheet("空白")
    book.close()
    return path


def make_xlsx(path, rows):
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    book.close()
    return str(path)


def test_xlsx_headers_rows_and_title_rows(dealer_xlsx):
    sheet = read(dealer_xlsx, "dealer.xlsx", is_header=is_header)
    assert sheet.headers == HEADERS
    assert list(sheet.rows) == ROWS
    assert sheet.preamble == PREAMBLE
    assert (sheet.sheet_name, sheet.format) == ("工单", "xlsx")


def test_without_is_header_the_first_non_empty_row_is_the_header(dealer_xlsx):
    sheet = read(dealer_xlsx, "dealer.xlsx")
    assert sheet.headers == ["2026年11月服务工单", "", "", "", "", "", ""]
    assert sheet.preamble == []
    assert [line for line, _ in sheet.rows] == [2, 3, 4, 5, 6]


def test_header_is_looked_for_in_the_first_ten_non_empty_rows_only(tmp_path):
    rows = [[f"标题{i}"] for i in range(1, 11)] + [["工单号"], ["SY1"]]
    sheet = read(make_xlsx(tmp_path / "t.xlsx", rows), "t.xlsx", is_header=is_header)
    assert (sheet.headers, sheet.preamble) == (["标题1"], [])
    assert list(sheet.rows)[:1] == [(2, ["标题2"])]
    rows = [[f"标题{i}"] for i in range(1, 10)] + [["工单号"], ["SY1"]]
    sheet = read(make_xlsx(tmp_path / "u.xlsx", rows), "u.xlsx", is_header=is_header)
    assert sheet.headers == ["工单号"]
    assert len(sheet.preamble) == 9
    assert list(sheet.rows) == [(11, ["SY1"])]


def test_sheet_by_name_keeps_excel_line_numbers_when_the_data_starts_lower(dealer_xlsx):
    sheet = read(dealer_xlsx, "dealer.xlsx", sheet="说明")
    assert sheet.sheet_name == "说明"
    assert sheet.headers == [" 字段 ", "说明"]  # as in the sheet, not cleaned
    assert list(sheet.rows) == [(4, ["电话", "手机或座机"]), (6, ["时长", "36:00:00"])]


def test_unknown_sheet_names_the_sheets_there_are(dealer_xlsx):
    with pytest.raises(InputError) as e:
        read(dealer_xlsx, "dealer.xlsx", sheet="Sheet1")
    assert str(e.value) == "dealer.xlsx: no sheet 'Sheet1' (sheets: '工单', '说明', '空白')"


def test_empty_sheet(dealer_xlsx):
    with pytest.raises(InputError, match=r"^dealer.xlsx: sheet '空白' is empty$"):
        read(dealer_xlsx, "dealer.xlsx", sheet="空白")


@pytest.mark.parametrize("name, kind", [("dealer.xls", "xls"), ("dealer.ods", "ods")])
def test_xls_and_ods_read_like_xlsx(name, kind):
    path = os.path.join(HERE, name)
    assert sniff(path) == kind
    sheet = read(path, name, is_header=is_header)
    assert (sheet.headers, list(sheet.rows), sheet.preamble) == (HEADERS, ROWS, PREAMBLE)
    assert (sheet.sheet_name, sheet.format) == ("工单", kind)
    notes = read(path, name, sheet="说明")
    assert (notes.headers, list(notes.rows)) == (["本表由系统导出"], [])


def test_a_workbook_with_the_wrong_extension_is_read_by_its_content(dealer_xlsx, tmp_path):
    for source, target, kind in [(dealer_xlsx, "export.xls", "xlsx"), (os.path.join(HERE, "dealer.xls"), "export.xlsx", "xls")]:
        path = shutil.copy(source, tmp_path / target)
        sheet = read(str(path), target, is_header=is_header)
        assert (sheet.format, sheet.headers, list(sheet.rows)) == (kind, HEADERS, ROWS)


@pytest.mark.parametrize(
    "value, text",
    [
        ("00123", "00123"),
        ("", ""),
        (True, "true"),
        (False, "false"),
        (7, "7"),
        (13800138000.0, "13800138000"),
        (1e20, "100000000000000000000"),
        (-0.0, "0"),
        (1240.5, "1240.5"),
        (0.1, "0.1"),
        (datetime.datetime(2026, 11, 20, 14, 5, 9), "2026-11-20 14:05:09"),
        (datetime.date(2026, 11, 21), "2026-11-21 00:00:00"),
        (datetime.time(9, 30), "09:30:00"),
        (datetime.timedelta(days=1, hours=12, seconds=5), "36:00:05"),
    ],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


@pytest.fixture(scope="module")
def odd_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("odd")
    with zipfile.ZipFile(d / "photos.xlsx", "w") as z:
        z.writestr("readme.txt", "not a workbook")
    (d / "report.xls").write_text("<html><body><table><tr><td>工单号</td></tr></table></body></html>")
    (d / "xml2003.xls").write_bytes(b"\xef\xbb\xbf\r\n  <?xml version=\"1.0\"?>\n<Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\">")
    (d / "tsv.xls").write_bytes("工单号\t客户\nSY1\t林工\n".encode("gbk"))
    (d / "unicode.xls").write_bytes("工单号\t客户\r\n".encode("utf-16"))  # Excel's "Unicode text"
    (d / "noise.xlsx").write_bytes(random.Random(7).randbytes(4096))
    (d / "empty.xlsx").write_bytes(b"")
    (d / "folder.xlsx").mkdir()
    return d


@pytest.mark.parametrize(
    "name, kind",
    [
        ("photos.xlsx", "binary"),
        ("report.xls", "html"),
        ("xml2003.xls", "html"),
        ("tsv.xls", "text"),
        ("unicode.xls", "text"),
        ("noise.xlsx", "binary"),
        ("empty.xlsx", "text"),
    ],
)
def test_sniff(odd_files, name, kind):
    assert sniff(str(odd_files / name)) == kind


def test_sniff_workbooks(dealer_xlsx):
    assert sniff(dealer_xlsx) == "xlsx"
    assert sniff(os.path.join(HERE, "encrypted.xlsx")) == "xls"  # Office wraps it in OLE2


@pytest.mark.parametrize(
    "name, message",
    [
        ("photos.xlsx", "is a zip archive but not an xlsx or ods workbook"),
        ("report.xls", "is HTML or XML Spreadsheet 2003 (a web export), not a workbook; open it in Excel and save it as .xlsx"),
        ("xml2003.xls", "is HTML or XML Spreadsheet 2003 (a web export), not a workbook; open it in Excel and save it as .xlsx"),
        ("tsv.xls", "is text (TSV or CSV), not a workbook"),
        ("noise.xlsx", "is not a workbook (binary data of an unknown kind)"),
        ("empty.xlsx", "the file is empty"),
        ("missing.xlsx", "no such file"),
        ("folder.xlsx", "cannot open (Is a directory)"),
    ],
)
def test_not_a_workbook(odd_files, name, message):
    with pytest.raises(InputError) as e:
        read(str(odd_files / name), name)
    assert str(e.value) == f"{name}: {message}"


def test_password_protected_workbook(tmp_path):
    # Named .xlsx, calamine is handed the bytes (they are OLE2); named .xls, it opens the path.
    for name in ("encrypted.xlsx", "encrypted.xls"):
        path = shutil.copy(os.path.join(HERE, "encrypted.xlsx"), tmp_path / name)
        with pytest.raises(InputError) as e:
            read(str(path), name)
        assert str(e.value) == (
            f"{name}: cannot read the workbook (it is password-protected; remove the password in Excel and save it again)"
        )


def test_corrupt_workbooks(dealer_xlsx, tmp_path):
    data = Path(dealer_xlsx).read_bytes()
    (tmp_path / "cut.xlsx").write_bytes(data[: len(data) // 2])
    assert sniff(str(tmp_path / "cut.xlsx")) == "xlsx"
    with pytest.raises(InputError, match=r"^cut.xlsx: cannot read the workbook \(.*Zip.*\)$"):
        read(str(tmp_path / "cut.xlsx"), "cut.xlsx")
    xls = Path(HERE, "dealer.xls").read_bytes()
    (tmp_path / "cut.xls").write_bytes(xls[:2048])
    with pytest.raises(InputError, match=r"^cut.xls: cannot read the workbook \(.+\)$"):
        read(str(tmp_path / "cut.xls"), "cut.xls")
    with zipfile.ZipFile(dealer_xlsx) as z, zipfile.ZipFile(tmp_path / "bad.xlsx", "w") as out:
        for item in z.namelist():
            body = z.read(item)
            if item == "xl/worksheets/sheet1.xml":
                body = body.replace(b"<v>0</v>", b"<v>999</v>", 1)  # a string index past the table
            out.writestr(item, body)
    with pytest.raises(InputError, match=r"^bad.xlsx: cannot read the workbook \(.*shared strings.*\)$"):
        read(str(tmp_path / "bad.xlsx"), "bad.xlsx")


@pytest.mark.parametrize("value, text", [
    (68.66499999999999, "68.665"),       # as Excel shows it: 15 significant digits
    (0.1 + 0.2, "0.3"),
    (1234567.891, "1234567.891"),
    (13800138000.0, "13800138000"),
    (1e-07, "1e-07"),
])
def test_numbers_as_the_sheet_shows_them(value, text):
    assert cell_text(value) == text


@pytest.mark.parametrize("value, ods, text", [
    ("PT27H17M54S", True, "27:17:54"),    # an ODS duration, as xlsx's [h]:mm:ss
    ("PT0H5M0.4S", True, "0:05:00"),
    ("PTx", True, "PTx"),                 # text that only starts like one
    ("PT", True, "PT"),
    ("PT5M", False, "PT5M"),              # an xlsx text cell is text
])
def test_ods_durations_as_xlsx_shows_them(value, ods, text):
    assert cell_text(value, ods) == text


def errors_xlsx(tmp_path):
    path = tmp_path / "errors.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("工单")
    sheet.write_row(0, 0, ["order_no", "service_type", "fee", "note"])
    sheet.write_row(1, 0, ["E1", "repair", 10])
    sheet.write_formula(1, 3, "=NA()", None, "#N/A")
    sheet.write_row(2, 0, ["E2", "repair"])
    sheet.write_formula(2, 2, "=1/0", None, "#DIV/0!")
    book.close()
    return path


@pytest.mark.parametrize("make", [errors_xlsx, lambda tmp_path: shutil.copy(os.path.join(HERE, "errors.xls"), tmp_path)],
                         ids=["xlsx", "xls"])
def test_excel_error_cells_are_kept_as_their_text_and_said(tmp_path, cli, make):
    """A formula's cached error and a plain error cell: calamine reads both as empty."""
    path = make(tmp_path)
    r = cli("import", path)
    assert r.exit_code == 1
    assert r.stderr.splitlines()[2:] == [
        f"Warning: {path}: line 2: cell D2 is Excel's error #N/A: kept as that text",
        f"Warning: {path}: line 3: cell C3 is Excel's error #DIV/0!: kept as that text",
        f"{path}: line 3: fee: not a number: '#DIV/0!'"]
    assert '"note": "#N/A"' in cli("show", "E1", "-f", "json").stdout


def ods(path, rows):
    """A one-sheet .ods of `rows` of cell XML, as LibreOffice lays it out."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
        '<office:spreadsheet><table:table table:name="S">'
        + "".join(f"<table:table-row{a}>{r}</table:table-row>" for a, r in rows)
        + "</table:table></office:spreadsheet></office:body></office:document-content>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                   'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                   '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                   '</manifest:manifest>')
        z.writestr("content.xml", content)
    return path


def text_cell(text, repeat=1):
    rep = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="string"{rep}><text:p>{text}</text:p></table:table-cell>'


def error_cell(text):
    return ('<table:table-cell table:formula="of:=1/0" office:value-type="float" office:value="0" '
            f'calcext:value-type="error"><text:p>{text}</text:p></table:table-cell>')


def test_ods_error_cells_are_their_text_not_zero(tmp_path, cli):
    """LibreOffice saves an error cell as the value 0 with its text: calamine gives 0."""
    path = ods(tmp_path / "errors.ods", [
        ("", "".join(map(text_cell, ["order_no", "service_type", "fee", "note"]))),
        (' table:number-rows-repeated="2"', "<table:table-cell/>"),
        ("", text_cell("E1") + text_cell("repair") + error_cell("#DIV/0!") + text_cell("ok")),
        ("", text_cell("E2") + text_cell("repair") + "<table:table-cell/>" + error_cell("Err:502")),
        ("", text_cell("E3") + '<table:table-cell table:number-columns-repeated="2"/>' + error_cell("#N/A")),
    ])
    r = cli("import", path)
    assert r.exit_code == 1
    assert r.stderr.splitlines()[2:] == [
        f"Warning: {path}: line 4: cell C4 is the spreadsheet's error #DIV/0!: kept as that text",
        f"Warning: {path}: line 5: cell D5 is the spreadsheet's error Err:502: kept as that text",
        f"Warning: {path}: line 6: cell D6 is the spreadsheet's error #N/A: kept as that text",
        f"{path}: line 4: fee: not a number: '#DIV/0!'",
        f"{path}: line 6: service_type is empty (required for a new order)"]
    assert '"note": "Err:502"' in cli("show", "E2", "-f", "json").stdout


def test_an_ods_duration_and_number_read_as_xlsx_shows_them(tmp_path):
    """calamine gives an ODS time cell as its ISO text (PT27H17M54S) and a float as its binary value."""
    path = ods(tmp_path / "d.ods", [
        ("", "".join(map(text_cell, ["工单号", "工时", "费用"]))),
        ("", text_cell("D1") + '<table:table-cell office:value-type="time" office:time-value="PT27H17M54S">'
             '<text:p>27:17:54</text:p></table:table-cell><table:table-cell office:value-type="float" '
             'office:value="68.66499999999999"><text:p>68.665</text:p></table:table-cell>')])
    sheet = read(str(path), "d.ods")
    assert list(sheet.rows) == [(2, ["D1", "27:17:54", "68.665"])]
