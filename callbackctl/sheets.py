"""Workbooks for the desks that live in Excel: one listing as one .xlsx sheet.

Cells keep what they are, so that nothing has to be fixed by hand in Excel:
text stays text (a phone or order number of digits is never shown as
1.38E+10 nor loses a leading 0, and a value starting with = is never a
formula), a time written `YYYY-MM-DD HH:MM[:SS]` or a day `YYYY-MM-DD` is a
date cell, a number is a number (one past Excel's 15 digits, NaN or infinity is text),
a boolean TRUE/FALSE, None an empty cell.
The header row is bold and frozen, with an autofilter over the rows, and each
column is as wide as its widest cell by display width (a Chinese character
counts two), up to MAX_WIDTH.

Written with XlsxWriter in its constant_memory mode: each row goes to a
temporary file (0600, removed when done) as it comes, so a listing of any
length streams in flat memory. XlsxWriter is imported here only, when a
workbook is asked for: `callbackctl --help` does not pay for it.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from math import isfinite

from callbackctl.errors import CallbackctlError

MAX_ROWS = 1_048_576 - 1  # a sheet's rows, less the header
MAX_WIDTH = 50  # columns wider than this wrap nothing: the cell shows its start
_TIME = re.compile(r"(\d{4})-(\d\d)-(\d\d)(?: (\d\d):(\d\d)(?::(\d\d))?)?\Z")
_BAD_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
_DATE_FORMATS = {10: "yyyy-mm-dd", 16: "yyyy-mm-dd hh:mm", 19: "yyyy-mm-dd hh:mm:ss"}


def write(rows, columns, out, sheet: str = "callbackctl") -> int:
    """Write `rows` (dicts) with `columns` as a workbook to `out` (a binary file); the number of rows."""
    import xlsxwriter
    import xlsxwriter.exceptions

    from callbackctl.io import _cell

    book = xlsxwriter.Workbook(out, {"constant_memory": True})
    try:
        ws = book.add_worksheet(sheet_name(sheet))
        header = book.add_format({"bold": True})
        formats = {n: book.add_format({"num_format": f}) for n, f in _DATE_FORMATS.items()}
        for c, name in enumerate(columns):
            ws.write_string(0, c, str(name), header)
        widths = [_width(str(name)) + 2 for name in columns]  # + the filter's drop-down button
        n, last = 0, len(columns) - 1
        for n, row in enumerate(rows, 1):
            if n > MAX_ROWS:
                raise CallbackctlError(f"a sheet holds at most {MAX_ROWS} rows: write more with -f csv")
            for c, name in enumerate(columns):
                value = row.get(name)
                if value is None:
                    continue
                kind = value.__class__
                if kind is str:
                    text = value
                elif kind is bool:
                    ws.write_boolean(n, c, value)
                    continue
                elif (kind is int and -10**15 < value < 10**15) or (kind is float and isfinite(value)):  # 15 digits
                    ws.write_number(n, c, value)
                    text = repr(value) if widths[c] < MAX_WIDTH else ""
                    widths[c] = max(widths[c], len(text))
                    continue
                elif isinstance(value, datetime):
                    text = value.isoformat(" ")[:19]
                elif isinstance(value, date):
                    text = value.isoformat()
                else:
                    text = str(_cell(value, "csv"))
                if not _write_time(ws, n, c, text, formats):
                    _write_text(ws, n, c, text)
                if 2 * len(text) > widths[c] < MAX_WIDTH:  # a character is at most 2 wide
                    widths[c] = max(widths[c], _width(text))
        for c, width in enumerate(widths):
            ws.set_column(c, c, min(width, MAX_WIDTH) + 1)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, n, last)
    except BaseException:
        _abandon(book)
        raise
    try:
        book.close()
    except xlsxwriter.exceptions.XlsxWriterException as e:  # FileCreateError: a full disk
        _abandon(book)
        raise CallbackctlError(f"cannot write the workbook: {e}") from None
    return n


def _abandon(book):
    """A workbook that will not be finished: its rows' temporary files go (they hold phone numbers)."""
    book.fileclosed = True
    for ws in book.worksheets():
        fh, name = getattr(ws, "row_data_fh", None), getattr(ws, "row_data_filename", None)
        if fh is not None:
            fh.close()
        if name and os.path.exists(name):
            os.unlink(name)


def sheet_name(title: str) -> str:
    """A name Excel takes for a sheet: at most 31 characters, none of []:*?/\\ , not quoted."""
    name = _BAD_SHEET_NAME.sub(" ", title).strip().strip("'")[:31].strip()
    return name or "callbackctl"


def _write_time(ws, row, col, text, formats) -> bool:
    """A time or a day as a date cell; False for any other text (and impossible dates)."""
    if len(text) not in _DATE_FORMATS:
        return False
    m = _TIME.match(text)
    if not m:
        return False
    try:
        when = datetime(*(int(g) for g in m.groups() if g is not None))
    except ValueError:  # 2026-02-30: text as it was typed
        return False
    if when.year < 1900:  # before Excel's first day
        return False
    ws.write_datetime(row, col, when, formats[len(text)])
    return True


def _write_text(ws, row, col, text):
    if text.startswith("<r>") and text.endswith("</r>"):
        # constant_memory mode writes such a string as ready-made rich text XML,
        # unescaped: the same text as three plain fragments is escaped as usual.
        ws.write_rich_string(row, col, text[:1], text[1:2], text[2:])
    elif text:
        ws.write_string(row, col, text)


def _width(text: str) -> int:
    """Display width of the longest line: a Chinese character counts two."""
    if text.isascii():
        return max(map(len, text.split("\n"))) if "\n" in text else len(text)
    from wcwidth import wcswidth

    return max((w if (w := wcswidth(line)) >= 0 else 2 * len(line)) for line in text.split("\n"))
