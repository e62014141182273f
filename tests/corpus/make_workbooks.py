"""Rebuild the workbooks of the corpus (tests/corpus/*.xlsx and xlsx_saved_as.csv).

The generated files are committed, so the tests do not need XlsxWriter to run. From the
repository root, with XlsxWriter installed (`pip install -e '.[test]'`):

    python tests/corpus/make_workbooks.py

What each holds is in tests/corpus_expected.py, beside the expected rows.
"""

import datetime
import os

import xlsxwriter

HERE = os.path.dirname(os.path.abspath(__file__))


def _book(path):
    # A fixed creation time, so that rebuilding gives the same bytes.
    book = xlsxwriter.Workbook(path)
    book.set_properties({"created": datetime.datetime(2026, 11, 23, 8, 30)})
    return book


def make_workbook(path):
    """A dealer's workbook: merged title, export time, typed cells, trailing formatted rows, two sheets."""
    book = _book(path)
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    text = book.add_format({"num_format": "@"})
    general = book.add_format({"num_format": "General"})
    sheet = book.add_worksheet("工单")
    sheet.merge_range("A1:I1", "2026年11月服务工单（华东区）", book.add_format({"bold": True, "align": "center"}))
    sheet.write_string("A2", "导出时间")
    sheet.write_datetime("B2", datetime.datetime(2026, 11, 23, 8, 30), stamp)
    sheet.write_row("A3", ["工单号", "服务类型", "客户", "电话", "出厂编号", "完工时间", "费用", "保内", "备注"])
    # row 4: a phone typed as a number, a serial with leading zeros as text, a datetime cell, a bool cell
    sheet.write_row("A4", ["WB01", "安装", "林工"])
    sheet.write_number("D4", 13800138401)
    sheet.write_string("E4", "00123", text)
    sheet.write_datetime("F4", datetime.datetime(2026, 11, 20, 14, 5), stamp)
    sheet.write_number("G4", 1240.5)
    sheet.write_boolean("H4", True)
    sheet.write_string("I4", "首保")
    # row 5: no customer, a phone as text, a date-only cell
    sheet.write_row("A5", ["WB02", "维修"])
    sheet.write_string("D5", "0571-88886666", text)
    sheet.write_string("E5", "007", text)
    sheet.write_datetime("F5", datetime.datetime(2026, 11, 21), date)
    sheet.write_number("G5", 300)
    sheet.write_boolean("H5", False)
    # row 6: a date typed as text
    sheet.write_row("A6", ["WB03", "保养", "王女士"])
    sheet.write_number("D6", 13800138403)
    sheet.write_string("E6", "SY0075C", text)
    sheet.write_string("F6", "2026/11/22 09:30")
    sheet.write_number("G6", 45000)
    # row 7: a completion time that is a plain number cell (a serial without a date format)
    sheet.write_row("A7", ["WB04", "维修", "孙工"])
    sheet.write_number("D7", 13800138404)
    sheet.write_number("F7", 46346, general)
    for row in range(7, 12):  # rows 8-12: empty but formatted, as Excel leaves them
        for col in range(9):
            sheet.write_blank(row, col, None, date)
    more = book.add_worksheet("补录")
    more.write_row("A1", ["工单号", "服务类型", "完工时间"])
    more.write_row("A2", ["WB11", "交机"])
    more.write_datetime("C2", datetime.datetime(2026, 11, 19, 10, 0), stamp)
    book.close()


def make_offset(path):
    """A sheet whose table starts at B3 under a merged title; a bad row keeps Excel's row number."""
    book = _book(path)
    stamp = book.add_format({"num_format": "yyyy/m/d h:mm"})
    sheet = book.add_worksheet("Sheet1")
    sheet.merge_range("B1:E1", "服务工单", book.add_format({"bold": True}))
    sheet.write_row("B3", ["工单号", "服务类型", "电话", "完工时间"])
    sheet.write_row("B4", ["WO01", "维修"])
    sheet.write_number("D4", 13800138411)
    sheet.write_datetime("E4", datetime.datetime(2026, 11, 18, 9, 15), stamp)
    sheet.write_row("B6", ["WO02", "拆机", "13800138412"])  # row 5 left empty
    sheet.write_row("B7", ["WO03", "安装", "13800138413"])
    sheet.write_datetime("E7", datetime.datetime(2026, 11, 18, 16, 0), stamp)
    book.close()


def make_saved_as_csv(path):
    """An .xlsx workbook that someone renamed to .csv."""
    book = _book(path)
    sheet = book.add_worksheet()
    sheet.write_row("A1", ["工单号", "服务类型", "电话"])
    sheet.write_row("A2", ["XC01", "维修"])
    sheet.write_number("C2", 13800138421)
    book.close()


if __name__ == "__main__":
    make_workbook(os.path.join(HERE, "workbook.xlsx"))
    make_offset(os.path.join(HERE, "workbook_offset.xlsx"))
    make_saved_as_csv(os.path.join(HERE, "xlsx_saved_as.csv"))
    for name in ("workbook.xlsx", "workbook_offset.xlsx", "xlsx_saved_as.csv"):
        print(name, os.path.getsize(os.path.join(HERE, name)), "bytes")
