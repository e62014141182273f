"""Reading workbooks (.xlsx, .xls, .ods) with python-calamine, as rows of text.

Cells become the text the dealer saw, so the importer parses workbooks and CSV alike.
`sniff` tells what a file holds whatever its name: ERPs write TSV or HTML and call it .xls.
"""

from __future__ import annotations

import codecs
import datetime
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from python_calamine import CalamineWorkbook, PasswordError

from callbackctl.errors import InputError

WORKBOOK_FORMATS = ("xlsx", "xls", "ods")
_TITLE_ROWS = 10  # the header is looked for among the first ten non-empty rows, as in CSV
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS = b"application/vnd.oasis.opendocument.spreadsheet"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")  # the stream an xlsx with a password is in
_WHAT = {
    "html": "is HTML or XML Spreadsheet 2003 (a web export), not a workbook; open it in Excel and save it as .xlsx",
    "text": "is text (TSV or CSV), not a workbook",
    "binary": "is not a workbook (binary data of an unknown kind)",
    "zip": "is a zip archive but not an xlsx or ods workbook",
}


@dataclass
class Sheet:
    headers: list[str]  # the header row's cells, as in the sheet
    rows: Iterator[tuple[int, list[str]]]  # (line as Excel shows it, cells), non-empty rows only
    preamble: list[tuple[int, str]] = field(default_factory=list)  # title rows above the header
    sheet_name: str = ""
    format: str = ""  # xlsx, xls or ods
    warnings: list = field(default_factory=list)  # filled while the rows are read: error cells kept


def sniff(path: str, name: str | None = None) -> str:
    """xlsx, ods, xls, html, text or binary: what the file holds, from its bytes, not its name."""
    name = name or path
    try:
        with open(path, "rb") as f:
            head = f.read(1 << 16)
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except OSError as e:  # a directory, no permission
        raise InputError(f"{name}: cannot open ({e.strerror})") from None
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
                if "xl/workbook.xml" in names:
                    return "xlsx"
                if "mimetype" in names and z.read("mimetype").strip().startswith(_ODS):
                    return "ods"
                return "binary"
        except (zipfile.BadZipFile, OSError, KeyError):
            # A damaged zip: judge by its first entries, so that the reader names the damage.
            if head[30:38] == b"mimetype" and head[38:].startswith(_ODS):
                return "ods"
            return "xlsx" if b"[Content_Types].xml" in head[:200] or b"xl/" in head else "binary"
    if head.startswith(_OLE2):
        return "xls"  # also an encrypted xlsx: Office wraps those in OLE2 (see `read`)
    text = _decode(head)
    return "binary" if text is None else "html" if text.lstrip("\ufeff \t\r\n").startswith("<") else "text"


def _decode(sample: bytes) -> str | None:
    """The sample as text, or None: a NUL byte (outside UTF-16), or no encoding fits."""
    utf16 = sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))  # Excel's "Unicode text"
    for encoding in ("utf-16",) if utf16 else () if b"\x00" in sample else ("utf-8-sig", "gb18030"):
        try:  # not final: the sample may end inside a character
            return codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
    return None


_ISO_DURATION = re.compile(r"^PT(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?$")


def cell_text(value, ods: bool = False) -> str:
    """A calamine cell value as the text the importer parses; `ods`: a duration cell comes
    as its ISO text (PT27H17M54S), shown as xlsx shows one."""
    if isinstance(value, str):
        if ods and value[:2] == "PT":
            found = _ISO_DURATION.match(value)
            if found and any(found.groups()):
                h, m, sec = (float(x or 0) for x in found.groups())
                total = round(h * 3600 + m * 60 + sec)
                return f"{total // 3600}:{total // 60 % 60:02}:{total % 60:02}"
        return value
    if isinstance(value, bool):  # before int: a bool is an int
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Excel stores every number as a float: a phone 13800138000 must not gain ".0",
        # and shows 15 significant digits: 68.665, not the binary 68.66499999999999.
        if value.is_integer():
            return str(int(value))
        shown = float(f"{value:.15g}")
        return str(int(shown)) if shown.is_integer() else repr(shown)

    if isinstance(value, datetime.datetime):  # before date: a datetime is a date
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, datetime.date):  # calamine gives a date when the time is 00:00
        return value.isoformat() + " 00:00:00"
    if isinstance(value, datetime.time):  # a serial below 1: a time of day only
        return value.isoformat(timespec="seconds")
    if isinstance(value, datetime.timedelta):  # an [h]:mm:ss duration in xlsx
        minutes, seconds = divmod(int(value.total_seconds()), 60)
        return f"{minutes // 60}:{minutes % 60:02}:{seconds:02}"
    return str(value)


def _load(path: str, name: str, kind: str, sheet: str | None):
    """The sheet's cells; calamine parses a sheet only when asked, so its errors come here too."""
    try:
        if os.path.splitext(path)[1].lower() == "." + kind:
            book = CalamineWorkbook.from_path(path)  # picks its reader by the name: clearer errors
        else:  # misnamed (an xlsx called .xls): let calamine tell the format from the bytes
            with open(path, "rb") as f:
                book = CalamineWorkbook.from_filelike(f)
        if sheet is None:
            return book.get_sheet_by_index(0)
        if sheet in book.sheet_names:
            return book.get_sheet_by_name(sheet)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # any calamine error, also a Rust panic (a BaseException)
        reason = str(e) or type(e).__name__
        if isinstance(e, PasswordError) or (kind == "xls" and _ENCRYPTED in Path(path).read_bytes()):
            reason = "it is password-protected; remove the password in Excel and save it again"
        raise InputError(f"{name}: cannot read the workbook ({reason})") from None
    raise InputError(f"{name}: no sheet {sheet!r} (sheets: {', '.join(map(repr, book.sheet_names))})")


def read(path: str, name: str, sheet: str | None = None, is_header=None) -> Sheet:
    """Open a workbook's sheet (the first one unless `sheet` names one) and start reading its rows.

    `is_header(cells)` picks the header among the first ten non-empty rows (else the first
    one); the rows above it (a merged title, an export date) are the preamble.
    """
    kind = sniff(path, name)
    if kind not in WORKBOOK_FORMATS:
        if os.path.getsize(path) == 0:
            raise InputError(f"{name}: the file is empty")
        raise InputError(f"{name}: {_WHAT['zip' if zipfile.is_zipfile(path) else kind]}")
    data = _load(path, name, kind, sheet)
    errors = _ERROR_READERS[kind](path, data.name)
    warnings = []
    # iter_rows() yields empty rows for those above `data.start` (python-calamine 0.9), so the
    # n-th row is Excel's row n; columns left of `start` are left out, in every row alike.
    ods = kind == "ods"
    cells_of = enumerate(([cell_text(v, ods) for v in row] for row in data.iter_rows()), 1)
    if errors:
        cells_of = _with_errors(cells_of, errors, data.start[1], name, warnings,
                                "the spreadsheet's" if ods else "Excel's")
    numbered = (
        (line, cells)
        for line, cells in cells_of
        if any(cells)  # Excel leaves empty (formatted) rows at the end: not rows
    )
    first = []
    for line, cells in numbered:
        first.append((line, cells))
        if is_header is None or is_header(cells) or len(first) >= _TITLE_ROWS:
            break
    if not first:
        raise InputError(f"{name}: sheet {data.name!r} is empty")
    found = next((i for i, (_, cells) in enumerate(first) if is_header is None or is_header(cells)), 0)
    preamble = [(line, " ".join(c for c in cells if c)) for line, cells in first[:found]]

    def rows():
        yield from first[found + 1:]
        yield from numbered

    return Sheet(first[found][1], rows(), preamble, data.name, kind, warnings)


def _with_errors(numbered, errors: dict, first_column: int, name: str, warnings: list, whose: str):
    """Excel's error cells (#N/A, #DIV/0!) as their text, each said in a warning: calamine
    reads them as empty cells, which would lose what the dealer's sheet showed."""
    by_row = {}
    for (row, column), text in sorted(errors.items()):
        by_row.setdefault(row, []).append((column, text))
    for line, cells in numbered:
        for column, text in by_row.get(line, ()):
            index = column - first_column
            cells.extend([""] * (index + 1 - len(cells)))
            cells[index] = text
            warnings.append(f"{name}: line {line}: cell {_column_name(column)}{line} is {whose} error {text}: "
                            "kept as that text")
        yield line, cells


def _column_name(index: int) -> str:
    """0 -> A, 27 -> AB."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


def _xlsx_errors(path: str, sheet_name: str) -> dict:
    """{(row, column from 0): '#N/A'} of an xlsx sheet's error cells (t="e"), read from its XML
    only when it has any."""
    import xml.etree.ElementTree as ET

    try:
        with zipfile.ZipFile(path) as z:
            target = _sheet_part(z, sheet_name)
            if target is None:
                return {}
            data = z.read(target)
    except (zipfile.BadZipFile, KeyError, OSError, ET.ParseError):
        return {}
    if b't="e"' not in data:
        return {}
    found = {}
    for _, element in ET.iterparse(io.BytesIO(data)):
        if element.tag.endswith("}c") and element.get("t") == "e":
            ref = element.get("r", "")
            letters = ref.rstrip("0123456789")
            value = next((e.text for e in element if e.tag.endswith("}v")), None)
            if letters and value:
                column = 0
                for ch in letters:
                    column = column * 26 + ord(ch) - 64
                found[(int(ref[len(letters):]), column - 1)] = value
        if element.tag.endswith("}row"):
            element.clear()
    return found


def _sheet_part(z, sheet_name: str) -> str | None:
    """The zip member of the sheet named so, by xl/workbook.xml and its relationships."""
    import xml.etree.ElementTree as ET

    rid = next((s.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
                for s in ET.fromstring(z.read("xl/workbook.xml")).iter() if s.tag.endswith("}sheet")
                and s.get("name") == sheet_name), None)
    for rel in ET.fromstring(z.read("xl/_rels/workbook.xml.rels")).iter():
        if rel.get("Id") == rid:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    return None


_ODS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"


def _ods_errors(path: str, sheet_name: str) -> dict:
    """An ods sheet's error cells, as LibreOffice saves them: the value 0 (what calamine
    gives) with calcext:value-type="error" and the error's text as the cell's text."""
    import xml.etree.ElementTree as ET

    try:
        with zipfile.ZipFile(path) as z:
            data = z.read("content.xml")
    except (zipfile.BadZipFile, KeyError, OSError):
        return {}
    if b'value-type="error"' not in data:
        return {}
    found, row, column, inside = {}, 0, 0, False
    repeat = lambda e, what: int(e.get(f"{{{_ODS_TABLE}}}number-{what}-repeated", "1"))  # noqa: E731
    try:
        for event, e in ET.iterparse(io.BytesIO(data), ("start", "end")):
            tag = e.tag.rpartition("}")[2]
            if tag == "table" and event == "start":
                inside = e.get(f"{{{_ODS_TABLE}}}name") == sheet_name
            elif not inside:
                continue
            elif tag == "table-row" and event == "start":
                column = 0
            elif tag == "table-row":
                row += repeat(e, "rows")
                e.clear()
            elif tag in ("table-cell", "covered-table-cell") and event == "end":
                if e.get(f"{{{_CALCEXT}}}value-type") == "error":
                    text = "".join(e.itertext()).strip() or "#ERROR"
                    for k in range(repeat(e, "columns")):
                        found[(row + 1, column + k)] = text
                column += repeat(e, "columns")
            elif tag == "table" and event == "end":
                break
    except ET.ParseError:
        return {}
    return found


_XLS_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
               0x2A: "#N/A", 0x2B: "#GETTING_DATA"}


def _xls_errors(path: str, sheet_name: str) -> dict:
    """An xls sheet's error cells (a BOOLERR record, or a formula whose cached result is an
    error), read from the BIFF8 records of the file's Workbook stream."""
    import struct

    try:
        stream = _cfb_stream(Path(path).read_bytes(), ("Workbook", "Book"))
    except (ValueError, IndexError, struct.error, OSError):
        return {}
    if stream is None:
        return {}
    records = []
    at = 0
    while at + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, at)
        records.append((at, kind, stream[at + 4:at + 4 + size]))
        at += 4 + size
    sheets = {}
    for _, kind, body in records:
        if kind == 0x0085 and len(body) >= 8:  # BOUNDSHEET8: the sheet's BOF offset and name
            count, flags = body[6], body[7]
            name = body[8:8 + count * 2].decode("utf-16-le", "replace") if flags & 1 else \
                body[8:8 + count].decode("latin-1")
            sheets[name] = struct.unpack_from("<I", body)[0]
    start = sheets.get(sheet_name)
    if start is None:
        return {}
    found, inside = {}, False
    for at, kind, body in records:
        if at == start:
            inside = True
        elif not inside:
            continue
        if kind == 0x000A:  # EOF of the sheet
            break
        if kind == 0x0205 and len(body) >= 8 and body[7] == 1:  # BOOLERR holding an error
            row, column = struct.unpack_from("<HH", body)
            found[(row + 1, column)] = _XLS_ERRORS.get(body[6], "#ERROR")
        elif kind == 0x0006 and len(body) >= 14 and body[6] == 2 and body[12:14] == b"\xff\xff":
            row, column = struct.unpack_from("<HH", body)  # FORMULA whose cached result is an error
            found[(row + 1, column)] = _XLS_ERRORS.get(body[8], "#ERROR")
    return found


def _cfb_stream(data: bytes, names) -> bytes | None:
    """A stream of an OLE2 compound file (what .xls is): its bytes, by the first of `names`
    the directory holds; None when none. ValueError when it is no compound file."""
    import struct

    if data[:8] != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ValueError("not a compound file")
    shift, mini_shift = struct.unpack_from("<HH", data, 30)
    size = 1 << shift
    fat_count, directory_start = struct.unpack_from("<II", data, 44)
    mini_cutoff, mini_fat_start = struct.unpack_from("<II", data, 56)
    difat_start, difat_count = struct.unpack_from("<II", data, 68)
    sector = lambda n: data[(n + 1) * size:(n + 2) * size]  # noqa: E731
    fat_sectors = list(struct.unpack_from("<109I", data, 76))
    while difat_count and difat_start < 0xFFFFFFFA:
        block = struct.unpack(f"<{size // 4}I", sector(difat_start))
        fat_sectors += block[:-1]
        difat_start, difat_count = block[-1], difat_count - 1
    fat = []
    for n in fat_sectors[:fat_count]:
        fat += struct.unpack(f"<{size // 4}I", sector(n))

    def chain(first, table, read, unit):
        out, n, seen = [], first, 0
        while n < 0xFFFFFFFA and seen <= len(table):
            out.append(read(n, unit))
            n, seen = table[n], seen + 1
        return b"".join(out)

    big = lambda n, unit: sector(n)  # noqa: E731
    directory = chain(directory_start, fat, big, size)
    entries = [directory[i:i + 128] for i in range(0, len(directory), 128)]
    root = entries[0]
    for wanted in names:
        for entry in entries:
            length = struct.unpack_from("<H", entry, 64)[0]
            if entry[66] == 2 and entry[:max(length - 2, 0)].decode("utf-16-le", "replace") == wanted:
                first, stream_size = struct.unpack_from("<II", entry, 116)
                if stream_size >= mini_cutoff:
                    return chain(first, fat, big, size)[:stream_size]
                mini_fat = struct.unpack(f"<{len(b) // 4}I", b) if (b := chain(mini_fat_start, fat, big, size)) else ()
                mini_data = chain(struct.unpack_from("<I", root, 116)[0], fat, big, size)
                mini = 1 << mini_shift
                small = lambda n, unit: mini_data[n * mini:(n + 1) * mini]  # noqa: E731
                return chain(first, mini_fat, small, mini)[:stream_size]
    return None


_ERROR_READERS = {"xlsx": _xlsx_errors, "ods": _ods_errors, "xls": _xls_errors}
