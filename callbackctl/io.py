"""Writing listings in every output format (reading files is readers.py).

table (tabulate), csv, tsv, json (one array), jsonl; xlsx is sheets.py.
Booleans are true/false in JSON and 1/0 in CSV; None is null or an empty cell.
These functions write text: the caller gives a stream in UTF-8 for csv, tsv,
json and jsonl (cli/common.py's stdout() and outfile.replacing() do).
"""

from __future__ import annotations

import csv
import json
import operator
import re

from callbackctl.vocab import OUTPUT_FORMATS

_INERT = ("=", "+", "-", "@", "\t", "\r")
# Text Excel would read as a number when it opens a CSV: a phone (13800138000
# shown as 1.38E+10, its last digits lost past 15), a number with a leading 0
# (0571..., 00123), an order or serial number of digits, a phone kept as typed
# (1.38001E+10). Under --excel a tab goes in front: Excel keeps such a cell as
# text, and a tab followed by digits is no formula for any program.
_NUMBER_LIKE = re.compile(r"[0-9][0-9,]*(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?%?[ ]*\Z")


def _cell(value, fmt, excel=False):
    kind = type(value)
    if kind is str:
        if excel:
            if value.startswith(_INERT):
                return "'" + value
            if _NUMBER_LIKE.match(value):
                return "\t" + value
        return value
    if value is None:
        return ""
    if kind is bool:
        if fmt == "table":
            return "yes" if value else "no"
        return "1" if value else "0"
    if kind in (list, tuple, frozenset, set):
        return "; ".join(str(v) for v in value)
    if kind is dict:
        return json.dumps(value, ensure_ascii=False)
    return value


class _Batched:
    """Text gathered and written to `out` a few hundred pieces at a time.

    One write per line is one system call per line when stdout is unbuffered
    (PYTHONUNBUFFERED=1, common in containers): exporting 931k calls through
    a pipe took 19.0 s that way against 13.5 s in batches. Listings still
    stream: memory holds one batch.
    """

    SIZE = 512

    def __init__(self, out):
        self.out, self.pieces = out, []
        self.write = self.pieces.append  # for the loops below and csv.writer

    def flush(self, when_full=False):
        if self.pieces and (not when_full or len(self.pieces) >= self.SIZE):
            self.out.write("".join(self.pieces))
            self.pieces.clear()


def write(rows, columns, out, fmt="table", excel=False, titles=None):
    """Write `rows` (an iterable of dicts) with `columns` in the given format.

    Streams for csv/tsv/json/jsonl; `table` needs every row first, and heads
    its columns with `titles` when given (the interface's language; files
    keep the column names scripts rely on). Returns the number of rows written.
    """
    if fmt not in OUTPUT_FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    encoding = getattr(out, "encoding", None) if fmt == "table" else None
    out = _Batched(out)
    if excel:
        out.write("\ufeff")
    n = 0
    if fmt in ("csv", "tsv"):
        n = _write_delimited(rows, columns, out, "," if fmt == "csv" else "\t", excel)
    elif fmt == "jsonl":
        for row in rows:
            out.write(_json_row({c: row.get(c) for c in columns}) + "\n")
            n += 1
            out.flush(when_full=True)
    elif fmt == "json":
        out.write("[")
        for row in rows:
            out.write(",\n " if n else "\n ")
            out.write(_json_row({c: row.get(c) for c in columns}))
            n += 1
            out.flush(when_full=True)
        out.write("\n]\n" if n else "]\n")
    else:
        from tabulate import tabulate

        rows = list(rows)
        data = [[_cell(row.get(c), fmt) for c in columns] for row in rows]
        n = len(data)
        if n:
            align = ["right" if _numeric(rows, c) else "left" for c in columns]
            headers = titles or columns
            if encoding:
                headers, data = _showable([headers, *data], encoding)
            out.write(tabulate(data, headers=headers, tablefmt="simple", disable_numparse=True, colalign=align) + "\n")
    out.flush()
    return n


def write_document(doc, out, fmt="json"):
    """One JSON document (show's): indented for json, one line for jsonl."""
    if fmt not in ("json", "jsonl"):
        raise ValueError(f"a document is written as json or jsonl, not {fmt!r}")
    text = _json_row(doc) if fmt == "jsonl" else json.dumps(doc, ensure_ascii=False, indent=2, default=_json_default)
    out.write(text + "\n")


def _write_delimited(rows, columns, out: _Batched, delimiter, excel):
    """CSV or TSV, as the csv module writes it (minimal quoting, \\n line ends).

    Most lines need no quoting: they are joined here, 2-3x faster than the csv
    module's writer, which looks up every character of every cell. A line with
    a quote, a line break or a delimiter inside a cell goes through the csv
    module instead; so does every line for Excel, and for a single column
    (where csv writes a lone empty cell as "").
    """
    # The csv module quotes a cell holding a character of its line terminator:
    # with \r\n it quotes a lone CR too (a reader would split the row there),
    # and _LineFeed writes the row's end as \n.
    w = csv.writer(_LineFeed(out), delimiter=delimiter, lineterminator="\r\n")
    fmt = "csv" if delimiter == "," else "tsv"
    w.writerow([_cell(c, fmt, excel) for c in columns])  # a header can be a formula too
    pick, fast, delimiters = operator.itemgetter(*columns), not excel and len(columns) > 1, len(columns) - 1
    write, n = out.write, 0
    for n, row in enumerate(rows, 1):
        try:
            values = pick(row) if delimiters else (pick(row),)
        except KeyError:
            values = [row.get(c) for c in columns]
        line = None
        if fast:
            # the common kinds of cell inline: a call per cell would cost as much as the csv module
            line = delimiter.join([v if v.__class__ is str else "" if v is None
                                   else str(v) if v.__class__ is int or v.__class__ is float
                                   else "1" if v is True else "0" if v is False else str(_cell(v, fmt))
                                   for v in values])
            if line.count(delimiter) != delimiters or '"' in line or "\n" in line or "\r" in line:
                line = None
        if line is None:
            w.writerow([_cell(v, fmt, excel) for v in values])
        else:
            write(line + "\n")
        out.flush(when_full=True)
    return n


class _LineFeed:
    """Writes each csv row with \n in place of its \r\n terminator."""

    def __init__(self, out):
        self.out = out

    def write(self, text):
        return self.out.write(text[:-2] + "\n" if text.endswith("\r\n") else text)


def _showable(lines, encoding):
    """A table's cells as a console in `encoding` shows them: on a GBK console 䶮 or an
    emoji becomes ?, here rather than when the stream writes it, so that the columns
    are aligned on what is shown. The first line is the header."""
    import codecs

    try:
        if codecs.lookup(encoding).name == "utf-8":
            return lines[0], lines[1:]
        "\x1f".join(str(c) for line in lines for c in line).encode(encoding)
        return lines[0], lines[1:]
    except UnicodeEncodeError:
        pass
    except LookupError:  # not a codec Python knows: let the stream say
        return lines[0], lines[1:]
    fitted = [[c.encode(encoding, "replace").decode(encoding) if isinstance(c, str) else c for c in line]
              for line in lines]
    return fitted[0], fitted[1:]


def _numeric(rows, column):
    values = [r.get(column) for r in rows if r.get(column) is not None]
    return bool(values) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def _json_default(value):
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value)
    return str(value)


# One encoder for every row: json.dumps() with options builds a new one per call.
_json_row = json.JSONEncoder(ensure_ascii=False, default=_json_default).encode
