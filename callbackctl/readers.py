"""Reading the files users give: one reader for `import` and `record --from`.

CSV and TSV as Excel and ERP systems write them (UTF-8 with or without BOM,
UTF-16 with BOM, GBK/GB18030; `,` `;` `|` or tab found by themselves; CR, LF or
CRLF line ends; title lines above the header), JSON (an array of objects, or
an object holding one) and JSONL, and workbooks (.xlsx, .xls, .ods; see
workbooks.py). Rows stream as (line, cells), so memory stays flat in the file's
size (JSON arrays and workbooks excepted: they are read whole).

Nothing is dropped: a blank header becomes `column_N`, a repeated one
`NAME_2`; a row that cannot be read (an unclosed quote, broken JSON) comes out
as a BadRecord with its text, to be rejected whole; only rows whose cells are
all empty are skipped (Excel leaves them at the end of a sheet).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import sys
from dataclasses import dataclass, field

from callbackctl.errors import InputError
from callbackctl.vocab import INPUT_FORMATS

_SAMPLE = 1 << 16
_TITLE_ROWS = 10        # how far down the header may be
_MAX_SPAN = 50          # physical lines one quoted cell may span before it is an unclosed quote
DELIMITERS = {"csv": ",", "tsv": "\t"}
_SNIFFED = (",", "\t", ";", "|")
WORKBOOKS = ("xlsx", "xlsm", "xls", "ods")

csv.field_size_limit(1 << 24)


@dataclass
class Source:
    """An opened input: its rows, and what was found out about it."""

    name: str
    format: str
    encoding: str
    headers: list | None          # as cleaned: no blank, no repeated name; None for JSON
    rows: object                  # iterator of (line, list of cells | dict | BadRecord)
    size: int | None = None
    preamble: list = field(default_factory=list)  # (line, text) of title lines above the header
    delimiter: str | None = None
    _stream: object = field(default=None, repr=False)

    @property
    def position(self) -> int:
        """Bytes consumed so far (for progress bars)."""
        try:
            return self._stream.tell()
        except (OSError, ValueError, AttributeError):
            return 0

    def close(self):
        if self._stream is not None and self._stream is not sys.stdin.buffer:
            self._stream.close()


@dataclass
class BadRecord:
    """A row that could not be read at all; kept so it can be rejected whole."""

    text: str
    error: str


def clean_headers(cells) -> list[str]:
    """Blank headers become column_N (N counts from 1), repeated ones NAME_2, NAME_3."""
    out, seen = [], set()
    for i, cell in enumerate(cells, 1):
        name = str(cell).strip().lstrip("\ufeff") or f"column_{i}"
        base, n = name, 1
        while name in seen:
            n += 1
            name = f"{base}_{n}"
        seen.add(name)
        out.append(name)
    return out


def detect_encoding(sample: bytes, name: str) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    nul = sample.find(b"\x00")
    if nul >= 0:
        raise InputError(f"{name}: not a text file (NUL byte at offset {nul}), nor a workbook (.xlsx, .xls, .ods)")
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
            return encoding
        except UnicodeDecodeError:
            continue
    raise InputError(f"{name}: cannot tell the text encoding; pass --encoding")


def guess_format(name: str, text_start: str) -> str:
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    if ext in ("csv", "tsv", "json", "jsonl"):
        return ext
    if ext == "ndjson":
        return "jsonl"
    stripped = text_start.lstrip()
    if stripped.startswith("["):
        return "json"
    if stripped.startswith("{"):
        return "jsonl" if _is_jsonl(stripped) else "json"
    first = stripped.split("\n", 1)[0]
    return "tsv" if first.count("\t") > first.count(",") else "csv"  # ; and | are found from the lines


def _is_jsonl(text: str) -> bool:
    """One object per line, or one object (possibly holding the rows) spread over lines."""
    first = text.split("\n", 1)[0].strip()
    try:
        json.loads(first)
        return True
    except ValueError:
        return False


def _workbook_kind(path, sample: bytes) -> str | None:
    """"xlsx"/"xls"/"ods" when the file is a workbook, "tsv" for text named like one."""
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    if ext not in WORKBOOKS and not sample.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return None
    from callbackctl import workbooks

    kind = workbooks.sniff(path)
    if kind == "html":
        raise InputError(f"{path}: a web page (HTML) saved with the name .{ext}, not a workbook: "
                         "open it in Excel or WPS and save it as .xlsx or CSV")
    if kind == "text":
        return "tsv"  # ERPs write tab-separated text and call it .xls
    if kind == "binary" or kind not in WORKBOOKS:
        if ext in WORKBOOKS:
            raise InputError(f"{path}: not a workbook (a damaged or renamed file?)")
        return None
    return kind


def open_input(path: str, encoding: str = "auto", input_format: str | None = None, is_header=None,
               delimiter: str | None = None, sheet: str | None = None) -> Source:
    """Open a file ('-' for stdin) and start reading its rows.

    `is_header(cells)` lets a file start with title lines (报表名称, 导出时间)
    above its header: the first of the first ten rows it accepts is the header.
    """
    name = "<stdin>" if path == "-" else path
    if path == "-":
        raw, size = sys.stdin.buffer, None
    else:
        try:
            raw, size = open(path, "rb"), os.path.getsize(path)
        except FileNotFoundError:
            raise InputError(f"{path}: no such file") from None
        except IsADirectoryError:
            raise InputError(f"{path}: is a directory, not a file") from None
        except OSError as e:
            raise InputError(f"{path}: cannot open ({e.strerror})") from None
    sample = raw.read(_SAMPLE)
    if not sample.strip():
        raw.close() if path != "-" else None
        raise InputError(f"{name}: the file is empty")
    kind = None if path == "-" or input_format else _workbook_kind(path, sample)
    if kind in WORKBOOKS:
        raw.close()
        return _open_workbook(path, kind, size, is_header, sheet)
    if encoding == "auto":
        encoding = detect_encoding(sample, name)
    else:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputError(f"unknown encoding {encoding!r}") from None
    stream = io.BufferedReader(_Prefixed(sample, raw), buffer_size=1 << 16)
    try:
        start = sample.decode(encoding, errors="ignore")[:4096].lstrip("\ufeff")
    except LookupError:
        start = ""
    fmt = input_format or kind or guess_format(name, start)
    if fmt not in INPUT_FORMATS:
        raise InputError(f"unknown input format {fmt!r} (use {', '.join(INPUT_FORMATS)})")
    text = _lines(stream, encoding, name, cr_only=b"\r" in sample and b"\n" not in sample)
    if fmt in ("csv", "tsv"):
        if delimiter is None:
            delimiter = "\t" if fmt == "tsv" else _sniff_delimiter(start)
        fmt = "tsv" if delimiter == "\t" else "csv"
        headers, rows, preamble = _read_csv(text, name, delimiter, is_header)
        return Source(name, fmt, encoding, headers, rows, size, preamble, delimiter, _stream=stream)
    rows = _read_json(text, name) if fmt == "json" else _read_jsonl(text)
    return Source(name, fmt, encoding, None, _decode_guard(rows, name), size, _stream=stream)


def _open_workbook(path, kind, size, is_header, sheet):
    from callbackctl import workbooks

    book = workbooks.read(path, path, sheet=sheet, is_header=is_header)
    rows = ((line, cells) for line, cells in book.rows if any(c.strip() for c in cells))
    return Source(path, book.format, "", clean_headers(book.headers), rows, size, book.preamble)


class _Prefixed(io.RawIOBase):
    """A binary stream that yields `prefix` first, then the rest of `raw`."""

    def __init__(self, prefix: bytes, raw):
        self._prefix, self._raw, self._pos = prefix, raw, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        if self._prefix:
            n = min(len(buffer), len(self._prefix))
            buffer[:n], self._prefix = self._prefix[:n], self._prefix[n:]
        else:
            data = self._raw.read(len(buffer))
            n = len(data)
            buffer[:n] = data
        self._pos += n
        return n

    def tell(self):
        return self._pos

    def close(self):
        if self._raw is not sys.stdin.buffer:
            self._raw.close()
        super().close()


def _lines(stream, encoding, name, cr_only=False):
    """Decoded lines, each ending as in the file.

    Decoded line by line, so a bad byte is reported at its exact line: splitting
    bytes at b"\\n" is safe for UTF-8 and GB18030 (neither uses that byte inside
    a character). UTF-16 goes through a text wrapper; old Mac files end lines
    with CR alone and are split on it.
    """
    if codecs.lookup(encoding).name.startswith("utf-16") or cr_only:
        text = io.TextIOWrapper(stream, encoding=encoding, newline="" if not cr_only else None)
        yield from text
        return
    first, body = True, "utf-8" if encoding == "utf-8-sig" else encoding
    for n, raw in enumerate(stream, 1):
        try:
            yield raw.decode("utf-8-sig" if first and encoding == "utf-8-sig" else body)
        except UnicodeDecodeError:
            raise InputError(f"{name}: line {n}: not valid {encoding} text; pass --encoding") from None
        first = False


def _sniff_delimiter(start: str) -> str:
    """The delimiter used most in the first lines: , or tab, or ; or | (European Excel, some ERPs)."""
    lines = [ln for ln in start.splitlines()[:_TITLE_ROWS + 1] if ln.strip()]
    counts = {d: sum(_unquoted_count(ln, d) for ln in lines) for d in _SNIFFED}
    best = max(_SNIFFED, key=lambda d: counts[d])  # ties keep the earlier: , first
    return best if counts[best] else ","


def _unquoted_count(line: str, delimiter: str) -> int:
    return sum(part.count(delimiter) for part in line.split('"')[::2])


def _decode_guard(rows, name):
    """Turn a decoding error deep in a file into one clear InputError."""
    line = 0
    try:
        for line, row in rows:
            yield line, row
    except UnicodeDecodeError as e:
        raise InputError(f"{name}: line {line + 1}: not valid {e.encoding} text; pass --encoding") from None


# -- CSV and TSV ------------------------------------------------------------------

def _read_csv(text, name, delimiter, is_header):
    records = _records(text, delimiter)
    first = []  # (line, cells) read while looking for the header
    try:
        for line, cells in records:
            if isinstance(cells, BadRecord):
                continue  # a broken line above the header is not the header
            first.append((line, cells))
            if is_header is None or is_header(cells) or len(first) >= _TITLE_ROWS:
                break
    except UnicodeDecodeError as e:
        raise InputError(f"{name}: not valid {e.encoding} text; pass --encoding") from None
    if not first:
        raise InputError(f"{name}: the file is empty")
    found = next((i for i, (_, cells) in enumerate(first) if is_header is None or is_header(cells)), 0)
    header_line, headers = first[found]
    preamble = [(line, delimiter.join(cells)) for line, cells in first[:found]]
    records.width = len(headers)

    def rows():
        yield from first[found + 1:]
        yield from records

    return clean_headers(headers), _decode_guard(rows(), name), preamble


class _records:
    """(line, cells) of each non-blank row; an unclosed quote is a BadRecord, not the rest of the file.

    csv.reader reads a quoted cell over as many lines as it takes. A quote
    that never closes (`"张三 (VIP`) would swallow every later line into one
    cell, so a cell over several lines must look like one: at most _MAX_SPAN
    lines, no more cells than the header, no line inside it that looks like a
    row of its own. Else its first line is rejected and reading goes on at the
    next line. The loop is a generator with its state in locals: it runs once
    a row of a million-row import.
    """

    def __init__(self, lines, delimiter):
        self.lines, self.delimiter, self.width = iter(lines), delimiter, None
        self._rows = self._generate()

    def __iter__(self):
        return self._rows

    def __next__(self):
        return next(self._rows)

    def _generate(self):
        taken, pushed, line, delimiter = [], [], 1, self.delimiter
        while True:
            reader = csv.reader(self._tap(taken, pushed), delimiter=delimiter)
            pushed = []
            try:
                for cells in reader:
                    span = len(taken)
                    if span > 1 or cells and "\n" in cells[-1]:
                        if not self._plausible(cells, span):
                            pushed = taken[1:]
                            yield line, BadRecord(taken[0].rstrip("\r\n"), f"unclosed quote starting on line {line}")
                            line += 1
                            break
                    if cells and (cells[0].strip() or any(c.strip() for c in cells)):  # a blank row is not a row
                        yield line, cells
                    line += span
                    taken.clear()
                else:
                    return
            except csv.Error as e:  # a NUL byte, a cell over 16 MiB: that line, then the next
                pushed = taken[1:]
                yield line, BadRecord(taken[0].rstrip("\r\n") if taken else "", str(e))  # the caller names the line
                line += 1
            taken.clear()

    def _tap(self, taken, pushed):
        append = taken.append
        for line in pushed:
            append(line)
            yield line
        for line in self.lines:
            if line[-1:] != "\n":  # the last line: so that a quote left open shows as a line end
                line += "\n"
            append(line)
            yield line

    def _plausible(self, cells, span):
        if span <= 1:  # a quote left open on the last line keeps its line end in the last cell
            return not cells or "\n" not in cells[-1]
        if span > _MAX_SPAN or (self.width and len(cells) > self.width):
            return False
        # a line inside a cell with as many delimiters as a row has is a swallowed row
        row_like = max(2, (self.width or 2) // 2)
        return not any(piece.count(self.delimiter) >= row_like for c in cells for piece in c.splitlines()[1:])


# -- JSON and JSONL -----------------------------------------------------------------

def _read_jsonl(text):
    for n, line in enumerate(text, 1):
        if line.strip():
            value = _json_value(line)
            if value is not None:
                yield n, value


def _json_value(text):
    """One JSON row, or a BadRecord saying why it is not one."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        return BadRecord(text.rstrip("\r\n"), f"not valid JSON ({e.msg})")
    except RecursionError:
        return BadRecord(text.rstrip("\r\n"), "JSON nested too deeply")
    if isinstance(value, dict) and not any(v not in ("", None) for v in value.values()):
        return None  # a blank row
    return value


def _read_json(text, name):
    """An array of rows (or an object holding one, as some APIs wrap it).

    Parsed whole; when that fails, element by element, so that one broken row
    is rejected and the others are read.
    """
    whole = "".join(text)
    try:
        data = json.loads(whole)
    except (json.JSONDecodeError, RecursionError):
        data = None
    if data is None:
        yield from _elements(whole, name)
        return
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        data = lists[0] if len(lists) == 1 and all(isinstance(x, dict) for x in lists[0]) else [data]
    if not isinstance(data, list):
        raise InputError(f"{name}: expected a JSON array of objects")
    for n, row in enumerate(data, 1):
        if not (isinstance(row, dict) and not any(v not in ("", None) for v in row.values())):
            yield n, row


def _elements(text, name):
    """The top-level elements of a JSON array that does not parse whole, each on its own."""
    start = text.find("[")
    if start < 0 or text[:start].strip():
        raise InputError(f"{name}: not valid JSON (expected an array of objects)")
    n, depth, begin, in_string, escaped = 0, 0, None, False, False
    for i in range(start + 1, len(text)):
        ch = text[i]
        if in_string:
            escaped, in_string = (not escaped and ch == "\\"), in_string and (escaped or ch != '"')
            continue
        if ch == '"':
            in_string = True
            begin = i if begin is None else begin
        elif ch in "[{":
            depth += 1
            begin = i if begin is None else begin
        elif ch in "]}" and depth:
            depth -= 1
        elif ch in ",]" and depth == 0:
            if begin is not None:
                n += 1
                value = _json_value(text[begin:i])
                if value is not None:
                    yield n, value
            begin = None
            if ch == "]":
                return
        elif not ch.isspace() and begin is None:
            begin = i
    if begin is not None:  # a file cut short: its last row counts if it is whole
        value = _json_value(text[begin:])
        if isinstance(value, BadRecord):
            value = BadRecord(value.text, "not valid JSON (the array is not closed)")
        if value is not None:
            yield n + 1, value
