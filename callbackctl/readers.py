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
import re
import sys
from dataclasses import dataclass, field

from callbackctl.errors import InputError
from callbackctl.vocab import INPUT_FORMATS

_SAMPLE = 1 << 16
_TITLE_ROWS = 10        # how far down the header may be
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
    warnings: list = field(default_factory=list)  # said once the file is read (a workbook's error cells)
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
    if nul >= 0 and _utf16_without_bom(sample):
        raise InputError(f"{name}: UTF-16 text without a byte-order mark: pass --encoding utf-16-le "
                         "(or utf-16-be)")
    if nul >= 0 and sample.count(b"\x00") * 100 > len(sample):  # a NUL cell or two is a row's problem
        raise InputError(f"{name}: not a text file (NUL byte at offset {nul}), nor a workbook (.xlsx, .xls, .ods)")
    if re.search(rb"\x1b[$(][@BJ]", sample):
        raise InputError(f"{name}: Japanese text in ISO-2022-JP (JIS): pass --encoding iso2022_jp")
    texts = {}
    for encoding in ("utf-8", "gb18030", "big5"):
        try:
            texts[encoding] = codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8":
            return encoding
    if not texts:
        raise InputError(f"{name}: cannot tell the text encoding; pass --encoding")
    return _chinese_encoding(texts, name)


# Where the common characters of each encoding are: GB2312's level 1 (the 3755 most
# used hanzi, lead bytes B0-D7) and punctuation (A1-A9); Big5's frequently used
# characters (A4-C6) and symbols (A1-A3). Text read in the wrong one of the two is
# mostly rare characters: a Big5 file read as GB18030 was 52% common, GBK files 85-100%.
_COMMON = {"gb18030": ("gb2312", ((0xA1, 0xA9), (0xB0, 0xD7))), "big5": ("big5", ((0xA1, 0xA3), (0xA4, 0xC6)))}
_SURE = 0.8


def _common(c: str, encoding: str) -> bool:
    table, ranges = _COMMON[encoding]
    try:
        b = c.encode(table)
    except UnicodeEncodeError:
        return False
    return len(b) == 2 and any(lo <= b[0] <= hi for lo, hi in ranges)


def _common_share(text: str, encoding: str) -> float:
    chars = [c for c in text if ord(c) > 0x7F]
    return sum(_common(c, encoding) for c in chars) / len(chars) if chars else 1.0


def _utf16_without_bom(sample: bytes) -> bool:
    """ASCII in UTF-16: every other byte of the start is NUL."""
    head = sample[:200]
    return len(head) >= 4 and (head[1::2].count(0) * 10 >= len(head[1::2]) * 9
                               or head[0::2].count(0) * 10 >= len(head[0::2]) * 9)


def _chinese_encoding(texts: dict, name: str) -> str:
    """GB18030, or Big5 (Taiwan, Hong Kong) when that reads as common characters and
    GB18030 does not. Rare characters alone (生僻字 in names) are still GB18030; but text
    whose rare "characters" are mostly a high byte before an ASCII letter (José, Müller:
    Latin-1 read as GBK's extension) is refused rather than guessed."""
    gb = texts["gb18030"]
    if _kana_share(gb) >= 0.1:  # EUC-JP: its kana are GB2312's too, and Chinese text has none
        raise InputError(f"{name}: this looks like Japanese (EUC-JP): pass --encoding euc_jp, or --encoding "
                         "gb18030 if it is Chinese")
    shares = {e: _common_share(t, e) for e, t in texts.items()}
    if shares.get("big5", 0) >= _SURE and shares["big5"] > shares["gb18030"]:
        return "big5"
    if shares["gb18030"] >= _SURE or not (_latin_like(gb) or _many_rare(gb, shares["gb18030"])):
        return "gb18030"
    if _traditional(gb):
        return "gb18030"
    raise InputError(f"{name}: cannot tell the text encoding (as GB18030 it reads as rare characters); pass "
                     "--encoding, e.g. --encoding gb18030, --encoding big5, --encoding latin-1 or "
                     "--encoding shift_jis")


def _traditional(text: str) -> bool:
    """Traditional Chinese saved as GBK: rare in GB2312, common once made simplified (OpenCC),
    and many characters, not the one or two a Latin-1 accent before a letter makes (Année
    reads as 閑 over and over, which is 闲 made simplified)."""
    from callbackctl import normalize

    if len({c for c in text if ord(c) > 0x7F}) < 8:
        return False
    simple = normalize.simplified(text)
    return simple is not None and _common_share(simple, "gb18030") >= _SURE


def _kana_share(text: str) -> float:
    chars = [c for c in text if ord(c) > 0x7F]
    return sum(1 for c in chars if "\u3040" <= c <= "\u30ff") / len(chars) if chars else 0.0


def _many_rare(text: str, share: float) -> bool:
    """Enough characters to judge, and most of them rare: not Chinese in GB18030 (a name
    or two with 生僻字 are few and stay GB18030)."""
    return sum(1 for c in text if ord(c) > 0x7F) >= 8 and share < 0.5


def _latin_like(text: str) -> bool:
    rare = [c.encode("gb18030") for c in text if ord(c) > 0x7F and not _common(c, "gb18030")]
    before_letter = sum(1 for b in rare if len(b) == 2 and b[1] < 0x80)
    return bool(rare) and before_letter * 2 >= len(rare)


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
    detected = encoding == "auto"
    if detected:
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
    text = _lines(stream, encoding, name, cr_only=re.search(rb"\r(?!\n)", sample) is not None,
                  mixed_check=detected and encoding in ("gb18030", "big5"))
    if fmt in ("csv", "tsv"):
        if delimiter is None:
            delimiter = "\t" if fmt == "tsv" else _sniff_delimiter(start)
        fmt = "tsv" if delimiter == "\t" else "csv"
        headers, rows, preamble = _read_csv(text, name, delimiter, is_header)
        return Source(name, fmt, encoding, headers, rows, size, preamble, delimiter, _stream=stream)
    warnings = []
    rows = _read_json(text, name, warnings) if fmt == "json" else _read_jsonl(text)
    return Source(name, fmt, encoding, None, _decode_guard(rows, name), size, _stream=stream, warnings=warnings)


def _open_workbook(path, kind, size, is_header, sheet):
    from callbackctl import workbooks

    book = workbooks.read(path, path, sheet=sheet, is_header=is_header)
    rows = ((line, cells) for line, cells in book.rows if any(c.strip() for c in cells))
    return Source(path, book.format, "", clean_headers(book.headers), rows, size, book.preamble,
                  warnings=book.warnings)


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


def _utf8(raw: bytes) -> bool:
    """A line that is Chinese in UTF-8: it decodes so, to CJK characters (a GBK line may
    decode as UTF-8 by chance, 毛女士 as 'ëŮʿ', but not to those)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return any("\u4e00" <= c <= "\u9fff" for c in text)


_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)")


def _any_line_end(stream):
    """Byte lines ending at CR, LF or CRLF, each kept as it is (no byte of a multi-byte
    character in UTF-8, GB18030 or Big5 is a CR or LF), so each is decoded on its own
    and a bad byte is named at its line. Linear in the file: a chunk's bytes after its
    last line end wait, unscanned, for the chunk that ends their line (a 64 KB cell
    rescanned from each of its bytes took 99 s)."""
    pending = []  # the pieces of a line not ended yet
    for chunk in iter(lambda: stream.read(1 << 16), b""):
        end = _last_line_end(chunk)
        if end is None:
            pending.append(chunk)
            continue
        data = b"".join(pending) + chunk[:end]  # whole lines only
        pending = [chunk[end:]] if end < len(chunk) else []
        yield from (m.group() for m in _LINE.finditer(data))
    rest, at = b"".join(pending), 0
    for m in _LINE.finditer(rest):  # the end of the file: a last CR is a line end after all
        yield m.group()
        at = m.end()
    if at < len(rest):  # a last line without one
        yield rest[at:]


def _last_line_end(chunk: bytes) -> int | None:
    """Just after the chunk's last line end, None if it has none for sure: a CR at its very
    end may be the first half of a CRLF split between two chunks."""
    at = max(chunk.rfind(b"\n"), chunk.rfind(b"\r"))
    if at == len(chunk) - 1 and chunk[at] == 0x0D:
        at = max(chunk.rfind(b"\n", 0, at), chunk.rfind(b"\r", 0, at))
    return at + 1 if at >= 0 else None


def _lines(stream, encoding, name, cr_only=False, mixed_check=False):
    """Decoded lines, each ending as in the file.

    Decoded line by line, so a bad byte is reported at its exact line: splitting
    bytes at b"\\n" is safe for UTF-8 and GB18030 (neither uses that byte inside
    a character). UTF-16 goes through a text wrapper, and so does a file with a
    CR alone (old Mac files end lines so, and a cell may hold one): it splits
    lines at CR, LF and CRLF and keeps each as it is, so a CR inside a quoted
    cell stays a CR. `mixed_check`: the encoding was detected as a Chinese one,
    and a line that is UTF-8 (Chinese in UTF-8 reads as rare GB characters) is
    refused, not stored garbled.
    """
    if codecs.lookup(encoding).name.startswith("utf-16"):
        text = io.TextIOWrapper(stream, encoding=encoding, newline="")
        yield from text
        return
    first, body = True, "utf-8" if encoding == "utf-8-sig" else encoding
    for n, raw in enumerate(_any_line_end(stream) if cr_only else stream, 1):
        try:
            line = raw.decode("utf-8-sig" if first and encoding == "utf-8-sig" else body)
        except UnicodeDecodeError:
            raise InputError(f"{name}: line {n}: not valid {encoding} text; pass --encoding") from None
        if mixed_check and not raw.isascii() and _utf8(raw):
            raise InputError(f"{name}: line {n} is UTF-8 text in a {encoding} file: convert the file to one "
                             f"encoding (or pass --encoding {encoding} to read it all as {encoding})")
        yield line
        first = False


def _sniff_delimiter(start: str) -> str:
    """The delimiter of the first lines: , or tab, or ; or | (European Excel, some ERPs).

    Only what is outside quotes counts, a quoted cell over several lines included
    (the text between the 1st and 2nd quote, 3rd and 4th, ... is inside one). The
    one that splits the most lines into the same number of cells wins, then the one
    used most; a tie keeps the earlier (`,` first)."""
    outside = "".join(start.split('"')[::2])
    lines = [ln for ln in outside.splitlines() if ln][:_TITLE_ROWS + 1]  # "\t\t" is a row of quoted cells

    def score(d):
        counts = [ln.count(d) for ln in lines]
        used = [c for c in counts if c]
        return (max(map(used.count, used)), sum(used)) if used else (0, 0)

    scores = {d: score(d) for d in _SNIFFED}
    best = max(_SNIFFED, key=lambda d: scores[d])
    return best if scores[best][1] else ","


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
    cell. A record over several lines is taken as it is when its quotes are
    well formed: it ends before the end of the file (a quote still open there
    never closed), it parses under csv's strict rules (a stray quote that
    closed it early does not), and it has no more cells than the header. Else
    its first line is rejected and reading goes on at the next line. A valid
    cell is never cut, however many lines or delimiters it holds. The loop is a
    generator with its state in locals: it runs once a row of a million-row import.
    """

    def __init__(self, lines, delimiter):
        self.lines, self.delimiter, self.width = iter(lines), delimiter, None
        self.ended = False  # the lines ran out while the reader asked for more
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
                    if span > 1 or self.ended or cells and "\n" in cells[-1]:
                        if not self._plausible(cells, taken):
                            pushed = taken[1:]
                            self.ended = False
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
                self.ended = False
                yield line, BadRecord(taken[0].rstrip("\r\n") if taken else "", str(e))  # the caller names the line
                line += 1
            taken.clear()

    def _tap(self, taken, pushed):
        append = taken.append
        for line in pushed:
            append(line)
            yield line
        for line in self.lines:
            if line[-1:] not in ("\n", "\r"):  # the last line: so that a quote left open shows as a line end
                line += "\n"
            append(line)
            yield line
        self.ended = True

    def _plausible(self, cells, taken):
        """Whether a record whose cell holds a line break is one, not an open quote's swallow."""
        if self.ended and cells and cells[-1].endswith("\n"):
            return False  # the file ended inside the quote: it never closed
        if len(taken) <= 1:
            return True
        if self.width and len(cells) > self.width:
            return False
        try:
            for _ in csv.reader(taken, delimiter=self.delimiter, strict=True):
                pass
        except csv.Error:
            return False  # a quote closed by a stray one further down, with text after it
        return True


# -- JSON and JSONL -----------------------------------------------------------------

def _read_jsonl(text):
    for n, line in enumerate(text, 1):
        if line.strip():
            value = _json_value(line)
            if value is not None:
                yield n, value


def _pairs(pairs) -> dict:
    """A JSON object whose repeated keys are all kept, as a CSV's repeated headers are: NAME, NAME_2, ..."""
    out = {}
    for key, value in pairs:
        name, n = key, 1
        while name in out:
            n += 1
            name = f"{key}_{n}"
        out[name] = value
    return out


def _json_value(text):
    """One JSON row, or a BadRecord saying why it is not one."""
    try:
        value = json.loads(text, object_pairs_hook=_pairs)
    except json.JSONDecodeError as e:
        return BadRecord(text.rstrip("\r\n"), f"not valid JSON ({e.msg})")
    except RecursionError:
        return BadRecord(text.rstrip("\r\n"), "JSON nested too deeply")
    if isinstance(value, dict) and not any(v not in ("", None) for v in value.values()):
        return None  # a blank row
    return value


def _read_json(text, name, warnings):
    """An array of rows (or an object holding one, as some APIs wrap it: its other
    members are named in `warnings`, not dropped unsaid).

    Parsed whole; when that fails, element by element, so that one broken row
    is rejected and the others are read.
    """
    whole = "".join(text)
    try:
        data = json.loads(whole, object_pairs_hook=_pairs)
    except (json.JSONDecodeError, RecursionError):
        data = _BROKEN
    if data is _BROKEN:
        start = whole.lstrip().lstrip("\ufeff")
        if start.startswith("{") and _is_jsonl(start):
            raise InputError(f"{name}: this is JSON Lines (one object a line), not one JSON document: "
                             "pass --input-format jsonl")
        yield from _elements(whole, name)
        return
    if isinstance(data, dict):
        lists = [k for k, v in data.items() if isinstance(v, list)]
        if len(lists) == 1 and all(isinstance(x, dict) for x in data[lists[0]]):
            others = {k: v for k, v in data.items() if k != lists[0]}
            if others:
                said = json.dumps(others, ensure_ascii=False)
                warnings.append(f"{name}: the rows are {lists[0]!r}; the file's other members are not rows and "
                                f"were not imported: {said if len(said) <= 300 else said[:300] + ' ...'}")
            data = data[lists[0]]
        else:
            data = [data]
    if not isinstance(data, list):
        raise InputError(f"{name}: expected a JSON array of objects")
    for n, row in enumerate(data, 1):
        if not (isinstance(row, dict) and not any(v not in ("", None) for v in row.values())):
            yield n, row


_BROKEN = object()  # a document that does not parse (null parses: as no rows)


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
