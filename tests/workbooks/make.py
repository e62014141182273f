"""Rebuild the workbooks in this folder that the tests cannot write themselves.

XlsxWriter (installed with the tests) writes .xlsx only, so the .xls, the .ods and the
password-protected .xlsx are made here once and kept. The writers are not project
dependencies; install them aside and run from the repository root:

    pip install --target /tmp/wbtools xlwt odfpy msoffcrypto-tool XlsxWriter
    PYTHONPATH=/tmp/wbtools python tests/workbooks/make.py

dealer.xls and dealer.ods hold the same sheet as the xlsx built in test_workbooks.py:
a merged title row, an export-date row, the header on row 3, three orders whose cells
are typed (date, datetime, time, phone as a number and as text, fee, bool, an empty cell
in the middle), two trailing empty formatted rows, and a second sheet "说明".
"""

import datetime
import io
import os

HERE = os.path.dirname(os.path.abspath(__file__))
HEADERS = ["工单号", "服务类型", "客户", "电话", "完工时间", "费用", "备注"]
TITLE = "2026年11月服务工单"
EXPORTED = datetime.datetime(2026, 11, 23, 8, 30)
ORDERS = [  # None: an empty cell
    ["SY2026110001", "安装", "林工", 13800138000, datetime.datetime(2026, 11, 20, 14, 5), 1240.5, True],
    ["SY2026110002", "维修", None, "0571-88886666", datetime.date(2026, 11, 21), 300, "00123"],
    ["SY2026110003", "保养", "王女士", 1.38001e10, datetime.time(9, 30), 45000, False],
]


def make_xls(path):
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("工单")
    formats = {
        datetime.datetime: xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm"),
        datetime.date: xlwt.easyxf(num_format_str="yyyy-mm-dd"),
        datetime.time: xlwt.easyxf(num_format_str="hh:mm:ss"),
    }
    sheet.write_merge(0, 0, 0, 6, TITLE)
    sheet.write(1, 0, "导出时间")
    sheet.write(1, 1, EXPORTED, formats[datetime.datetime])
    for col, header in enumerate(HEADERS):
        sheet.write(2, col, header)
    for row, order in enumerate(ORDERS, 3):
        for col, value in enumerate(order):
            if value is not None:
                sheet.write(row, col, value, formats.get(type(value), xlwt.Style.default_style))
    for row in (6, 7):  # empty but formatted, as Excel leaves them
        for col in range(7):
            sheet.write(row, col, None, formats[datetime.date])
    book.add_sheet("说明").write(0, 0, "本表由系统导出")
    book.save(path)


def make_ods(path):
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableCellProperties
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    shaded = Style(name="shaded", family="table-cell")
    shaded.addElement(TableCellProperties(backgroundcolor="#ffff00"))
    doc.automaticstyles.addElement(shaded)

    def cell(value):
        if value is None:
            return TableCell()
        if isinstance(value, bool):
            c = TableCell(valuetype="boolean", booleanvalue=str(value).lower())
        elif isinstance(value, (int, float)):
            c = TableCell(valuetype="float", value=repr(value))
        elif isinstance(value, datetime.time):
            c = TableCell(valuetype="time", timevalue=value.strftime("PT%HH%MM%SS"))
        elif isinstance(value, datetime.date):  # also a datetime
            c = TableCell(valuetype="date", datevalue=value.isoformat())
        else:  # a cell without value-type is empty to a reader, whatever its text
            c = TableCell(valuetype="string")
        c.addElement(P(text=str(value)))
        return c

    def row(values):
        r = TableRow()
        for value in values:
            r.addElement(cell(value))
        return r

    table = Table(name="工单")
    title = TableRow()
    title.addElement(TableCell(valuetype="string", numbercolumnsspanned=7))
    title.firstChild.addElement(P(text=TITLE))
    for _ in range(6):
        title.addElement(CoveredTableCell())
    table.addElement(title)
    table.addElement(row(["导出时间", EXPORTED]))
    table.addElement(row(HEADERS))
    for order in ORDERS:
        table.addElement(row(order))
    # LibreOffice ends a sheet with formatted empty rows repeated to the sheet's end.
    blank = TableRow(numberrowsrepeated=1048570)
    blank.addElement(TableCell(stylename=shaded, numbercolumnsrepeated=7))
    table.addElement(blank)
    doc.spreadsheet.addElement(table)
    notes = Table(name="说明")
    notes.addElement(row(["本表由系统导出"]))
    doc.spreadsheet.addElement(notes)
    doc.save(path)


def make_encrypted_xlsx(path):
    import msoffcrypto.format.ooxml
    import xlsxwriter

    plain = io.BytesIO()
    book = xlsxwriter.Workbook(plain, {"in_memory": True})
    book.add_worksheet().write_row(0, 0, HEADERS)
    book.close()
    plain.seek(0)
    with open(path, "wb") as out:
        msoffcrypto.format.ooxml.OOXMLFile(plain).encrypt("secret", out)


def make_errors_xls(path):
    """Two error cells of an xls: E1's note a formula whose cached result is #N/A (xlwt
    writes no cached results, so the record's bytes are patched), E2's fee a plain #DIV/0!."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("工单")
    for column, header in enumerate(["order_no", "service_type", "fee", "note"]):
        sheet.write(0, column, header)
    sheet.write(1, 0, "E1"), sheet.write(1, 1, "repair"), sheet.write(1, 2, 10)
    sheet.write(1, 3, xlwt.Formula("NA()"))
    sheet.write(2, 0, "E2"), sheet.write(2, 1, "repair")
    sheet.row(2).set_cell_error(2, "#DIV/0!")
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    empty = bytes([1, 0, 3, 0]) + data[data.index(bytes([1, 0, 3, 0])) + 4:][:2] + bytes.fromhex("030000000000ffff")
    at = data.index(empty)
    data = data[:at + 6] + bytes.fromhex("02002a000000ffff") + data[at + 14:]
    with open(path, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    make_errors_xls(os.path.join(HERE, "errors.xls"))
    make_xls(os.path.join(HERE, "dealer.xls"))
    make_ods(os.path.join(HERE, "dealer.ods"))
    make_encrypted_xlsx(os.path.join(HERE, "encrypted.xlsx"))
    for name in ("errors.xls", "dealer.xls", "dealer.ods", "encrypted.xlsx"):
        print(name, os.path.getsize(os.path.join(HERE, name)), "bytes")
