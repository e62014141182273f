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
    when = as_time(text)
    if when is None:
        return False
    ws.write_datetime(row, col, when, formats[len(text)])
    return True


def as_time(text: str) -> datetime | None:
    """A stored time or day (2026-11-23, 2026-11-23 10:00[:00]) as Excel can hold it; None
    for any other text, an impossible date (2026-02-30: kept as typed) or one before 1900."""
    if len(text) not in _DATE_FORMATS:
        return None
    m = _TIME.match(text)
    if not m:
        return None
    try:
        when = datetime(*(int(g) for g in m.groups() if g is not None))
    except ValueError:
        return None
    return when if when.year >= 1900 else None  # Excel's first day


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


# -- the head office's forms: a titled, printable sheet (report --name daily|weekly|monthly) --

from dataclasses import dataclass, field  # noqa: E402


@dataclass
class FormSection:
    """One table of a form: column titles, what each column holds (text, count,
    rate 0-1, index 0-5), its rows (lists of values) and its total row."""

    headers: list
    kinds: list
    rows: list
    total: list | None = None
    title: str | None = None


@dataclass
class FormChart:
    """A column chart of the first section: `bars` (column numbers of rates, 0-100%)
    per row, and `line` (a column of an index, 0-5, on the right-hand axis)."""

    title: str
    labels: int
    bars: list
    line: int | None = None
    line_max: float = 5


@dataclass
class Form:
    title: str
    header: list                       # "区域：华北", ... : the block under the title
    sections: list
    notes_title: str = ""
    notes: list = field(default_factory=list)
    chart: FormChart | None = None
    subtitle: str = ""                 # the company, when the policy names it
    sheet: str = ""
    font: str = "Calibri"              # Microsoft YaHei for a Chinese form


# `_ ` leaves a space's width after a number: right-aligned, it keeps off the border
_KIND_FORMATS = {"count": "#,##0_ ", "rate": "0.0%_ ", "index": "0.00_ ", "text": "@", "time": "yyyy-mm-dd hh:mm:ss"}
_PX_PER_UNIT = 7  # a column of width 1 is about 7 pixels (Calibri 11)
_PAGE_WIDTH_PT = (11.69 - 0.8) * 72  # A4 landscape, less the margins
_PAGE_HEIGHT_PT = (8.27 - 1.0 - 0.6) * 72  # less the margins and the header and footer


def write_form(form: Form, out) -> int:
    """Write a form as a one-sheet workbook to `out` (a binary file): the title, the
    header block, each section with its bold total row, the notes and the chart,
    laid out for A4 landscape, one page wide. The number of data rows."""
    import xlsxwriter
    import xlsxwriter.exceptions

    book = xlsxwriter.Workbook(out, {"in_memory": True})  # a form is small: no temporary files
    try:
        n = _lay_out(book, form)
    except BaseException:
        book.fileclosed = True
        raise
    try:
        book.close()
    except xlsxwriter.exceptions.XlsxWriterException as e:
        raise CallbackctlError(f"cannot write the workbook: {e}") from None
    return n


def _lay_out(book, form: Form) -> int:
    ws = book.add_worksheet(sheet_name(form.sheet or form.title))
    name = ws.get_name()
    ncols = max(len(s.headers) for s in form.sections)
    base = {"font_name": form.font, "font_size": 10, "valign": "vcenter"}
    fmt = lambda **k: book.add_format({**base, **k})  # noqa: E731
    title_f = fmt(bold=True, font_size=16, align="center")
    subtitle_f = fmt(font_size=11, align="center", font_color="#404040")
    header_item_f = fmt(align="left")
    section_f = fmt(bold=True, font_size=11)
    head_f = fmt(bold=True, align="center", text_wrap=True, border=1, bg_color="#DDEBF7")
    cell_f = {kind: fmt(num_format=f, border=1, **({"align": "left", "indent": 1} if kind == "text" else {}))
              for kind, f in _KIND_FORMATS.items()}
    total_f = {kind: fmt(num_format=f, border=1, bold=True, bg_color="#F2F2F2", top=2,
                         **({"align": "center"} if kind == "text" else {}))
               for kind, f in _KIND_FORMATS.items()}
    notes_title_f = fmt(bold=True)
    note_f = fmt(text_wrap=True, align="left", valign="top")

    widths = _form_widths(form, ncols)
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)

    heights = []  # of each row, in points: to tell whether the form fits one page

    def height(row, points):
        ws.set_row(row, points)
        heights.append(points)

    def across(row, text, f, points):
        if ncols > 1:
            ws.merge_range(row, 0, row, ncols - 1, text, f)
        else:
            ws.write_string(row, 0, text, f)
        height(row, points)

    row = 0
    across(row, form.title, title_f, 34)
    row += 1
    if form.subtitle:
        across(row, form.subtitle, subtitle_f, 18)
        row += 1
    row = _header_block(ws, row, form.header, ncols, header_item_f)
    heights += [20, 12]
    ws.set_row(row, 12)
    row += 1
    n, first_rows = 0, None
    for section in form.sections:
        if section.title:
            across(row, section.title, section_f, 22)
            row += 1
        for c, text in enumerate(section.headers):
            ws.write_string(row, c, text, head_f)
        height(row, 14 * max(_lines(text, widths[c]) for c, text in enumerate(section.headers)) + 8)
        row += 1
        top = row
        for values in section.rows:
            _form_row(ws, row, values, section.kinds, cell_f)
            height(row, 18)
            row += 1
            n += 1
        if first_rows is None:
            first_rows = (top, row - 1)
        if section.total is not None:
            _form_row(ws, row, section.total, section.kinds, total_f)
            height(row, 20)
            row += 1
        height(row, 15)
        row += 1
    if form.notes:
        ws.write_string(row, 0, form.notes_title, notes_title_f)
        height(row, 18)
        row += 1
        room = sum(widths)
        for note in form.notes:
            across(row, note, note_f, 14 * _lines(note, room) + 4)
            row += 1
        height(row, 15)
        row += 1
    chart = form.chart
    width_pt = sum(int(w * _PX_PER_UNIT + 5) for w in widths) * 0.75
    height_pt = sum(heights)
    if chart is not None and first_rows and first_rows[1] >= first_rows[0]:
        height_pt += _form_chart(book, ws, name, chart, first_rows, row, form.sections[0]) * 0.75 + 10
    # One A4 landscape page when that leaves the text at half its size or more; a
    # longer form is one page wide, and its chart begins a page rather than being cut.
    if min(_PAGE_WIDTH_PT / width_pt, _PAGE_HEIGHT_PT / height_pt) >= 0.5:
        ws.fit_to_pages(1, 1)
    else:
        ws.fit_to_pages(1, 0)
        if chart is not None:
            ws.set_h_pagebreaks([row])
    ws.hide_gridlines(2)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.center_horizontally()
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    return n


def _header_block(ws, row, items, ncols, f) -> int:
    """The header items side by side in equal blocks of columns (one a row on a narrow form)."""
    if not items:
        return row
    if ncols < 2 * len(items):
        for item in items:
            ws.write_string(row, 0, item, f)
            row += 1
        return row
    step = ncols // len(items)
    for i, item in enumerate(items):
        first = i * step
        last = ncols - 1 if i == len(items) - 1 else first + step - 1
        ws.merge_range(row, first, row, last, item, f)
    ws.set_row(row, 20)
    return row + 1


def _form_row(ws, row, values, kinds, formats):
    for c, (value, kind) in enumerate(zip(values, kinds)):
        f = formats[kind]
        if value is None or value == "":
            ws.write_blank(row, c, None, f)
        elif kind == "time" and as_time(value):
            ws.write_datetime(row, c, as_time(value), f)
        elif isinstance(value, str):
            ws.write_string(row, c, value, f)
        else:
            ws.write_number(row, c, value, f)


def _form_widths(form, ncols) -> list:
    """A text column as wide as its widest cell; a number column as its widest number,
    its title wrapped onto two or three lines."""
    widths = [0.0] * ncols
    for section in form.sections:
        for c, (head, kind) in enumerate(zip(section.headers, section.kinds)):
            cells = [r[c] for r in section.rows] + ([section.total[c]] if section.total else [])
            if kind == "text":
                need = max([_width(head)] + [_width(str(v)) for v in cells if v is not None]) + 3  # and the indent
                widths[c] = max(widths[c], min(need, 30))
            else:
                words = head.split()
                title = max(max(_width(w) for w in words) if words else 0, (_width(head) + 2) // 3)
                digits = max([len(f"{v:,}") if isinstance(v, int) else 6 for v in cells if v is not None] + [0])
                widths[c] = max(widths[c], title + 1, digits + 3, 7)  # and the space after it
    return [w or 8 for w in widths]


def _lines(text: str, width: float) -> int:
    """How many lines `text` wraps to in a cell `width` wide (a guess: Excel does not say)."""
    room = max(int(width) - 1, 1)
    lines = 0
    for part in text.split("\n"):
        words, line = part.split(" ") if part.isascii() else list(part), 0
        count = 1
        for w in words:
            size = _width(w) + (1 if part.isascii() else 0)
            if line + size > room and line:
                count, line = count + 1, 0
            line += size
        lines += count
    return lines


def _form_chart(book, ws, name, spec, rows, at_row, section) -> int:
    """The chart under the notes; its height in pixels."""
    first, last = rows
    # the groups' labels; with a period column before them, period and group as two levels
    categories = [name, first, 0, last, spec.labels]
    bars = book.add_chart({"type": "column"})
    colors = ["#4472C4", "#70AD47", "#ED7D31"]
    for i, c in enumerate(spec.bars):
        bars.add_series({
            "name": section.headers[c],
            "categories": categories,
            "values": [name, first, c, last, c],
            "fill": {"color": colors[i % len(colors)]},
            "border": {"none": True},
            "gap": 80,
            "data_labels": {"value": True, "num_format": "0%", "font": {"size": 8}},
        })
    bars.set_y_axis({"min": 0, "max": 1, "num_format": "0%", "major_gridlines": {"visible": True,
                                                                              "line": {"color": "#D9D9D9"}},
                     "num_font": {"size": 9}})
    bars.set_x_axis({"num_font": {"size": 9}})
    if spec.line is not None:
        line = book.add_chart({"type": "line"})
        line.add_series({
            "name": section.headers[spec.line],
            "categories": categories,
            "values": [name, first, spec.line, last, spec.line],
            "y2_axis": True,
            "line": {"color": colors[2], "width": 2},
            "marker": {"type": "circle", "size": 6, "fill": {"color": colors[2]}, "border": {"color": colors[2]}},
        })
        line.set_y2_axis({"min": 0, "max": spec.line_max, "num_format": "0", "num_font": {"size": 9}})
        bars.combine(line)
    bars.set_title({"name": spec.title, "name_font": {"size": 12, "bold": True}})
    bars.set_legend({"position": "bottom", "font": {"size": 9}})
    width = min(max(120 * (last - first + 1) + 160, 560), 960)  # bars about as wide whatever the groups
    bars.set_size({"width": width, "height": _CHART_HEIGHT})
    ws.insert_chart(at_row, 0, bars, {"x_offset": 2, "y_offset": 4, "object_position": 3})
    return _CHART_HEIGHT


_CHART_HEIGHT = 340  # pixels
