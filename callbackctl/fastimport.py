"""The `[fast]` extra: a bulk order file read and converted by polars, written by SQLite in bulk.

`pip install 'callbackctl[fast]'` (polars, adbc-driver-sqlite). The import command
calls `import_file` here, which hands orders.import_file (the plain path) anything
but a bulk file: stdin, workbooks, JSON, GBK/UTF-16 text, title
lines above the header, two columns for one field, a quote that spans lines (the
reader's own rules for those are not redone here). CALLBACKCTL_FAST=0 turns this
path off, =1 takes it for a file of any size (the tests); else from FAST_MIN_BYTES.

The result is the plain path's, row for row (tests/test_fast_import.py compares
the two over the messy-file corpus): the same orders with the same ids, the same
batch, rejects, audit events, summary and messages. How:

1. Scan (before the transaction): the file is read in blocks of lines; polars
   splits the cells, strips them and converts each column vectorised only where
   the result provably equals normalize's for that cell (ISO and 年月日 times,
   11-digit phones, plain numbers, vocabulary words looked up by normalize's own
   functions once per distinct word). Each row gets its ordinal among the rows
   the plain reader yields (blank rows are skipped as it skips them), so its
   chunk of batches.CHUNK_ROWS is known. The rows every cell of which was
   vouched for go to a scratch SQLite file through ADBC (Arrow columns bound in
   C: Python's sqlite3 binding alone cost 6.4 s per million rows of 28 cells).
   A row not vouched for, one with too few or too many cells, and every row of an
   order number the file holds twice is "Python's".
2. Import (one transaction of the desk's own sqlite3 connection, through
   batches.run, so the batch, rejects, audit event and strict/dry-run rules are
   batches.run's): the scratch file is ATTACHed; stored orders the file names
   are compared with their rows in SQL, and a row that would change one is
   Python's too. batches.run is handed one item per chunk: a chunk holding any
   Python row is read again from the file and goes, whole, through the plain
   path's orders._write_chunk (conversion, duplicates, updates, rejects with
   their messages, exactly as without the extra); the other chunks' new orders
   are one INSERT ... SELECT from the scratch file in file order (so they take
   the ids the plain path gives them), their stored orders counted unchanged.

Only the desk's sqlite3 connection ever opens the desk: ADBC bundles its own
SQLite, and a second SQLite library opening the same file in one process drops
the first one's POSIX locks when it closes it. ADBC writes only the scratch
file and has closed it before sqlite3 attaches it. A kill during the import
leaves the desk as it was (the transaction is not committed) and a scratch
folder in the temporary directory, which the next bulk import removes.

Library code: never prints, never imports typer; polars is imported only here,
only when a file is imported.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor

from callbackctl import batches, corrections, customers, normalize, orders, outfile
from callbackctl.errors import InputError
from callbackctl.readers import clean_headers, open_input

ENV = "CALLBACKCTL_FAST"
FAST_MIN_BYTES = 4 << 20   # below this the plain path is as quick (polars' import alone is ~0.2 s)
BLOCK_BYTES = 8 << 20      # read and converted at a time: ~40k rows, ~50 MB of polars columns at most
# What str.strip() strips (str.isspace()); polars' own default differs (\x1c-\x1f).
PY_SPACES = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
             "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")

# What the last import_file call did, for the tests (a path that always fell back would pass them).
last = {"path": None, "fast_rows": 0, "python_rows": 0, "why": ""}

_VOCAB = {"service_type": normalize.service_type, "zone": normalize.zone, "status": normalize.status,
          "warranty": normalize.boolean, "vip": normalize.boolean}
_NUMBERS = ("machine_hours", "fee")
_FLAGS = ("warranty", "vip", "phone_valid")
# The scratch table: every stored field (status as given, before _explicit_status), the extra JSON.
_STAGED = tuple("status" if f == "status_given" else f for f in orders.STORED) + ("extra",)
_ISO16 = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}$"
_ISO19 = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}$"
_CHINESE = r"^([0-9]{4})年([0-9]{2})月([0-9]{2})日 ([0-9]{2}):([0-9]{2})$"
_PHONE_VALID = r"^1[3-9][0-9]{9}$|^0[0-9]{9,11}$"   # normalize._MOBILE, _LANDLINE for 11 ASCII digits
_PLAIN_NUMBER = r"^[0-9]{1,12}(\.[0-9]{1,15})?$"     # below normalize.LARGEST, no junk to clean


class _NotBulk(Exception):
    """The file is not one this path vouches for: the plain path imports it."""


def _mode() -> str:
    return os.environ.get(ENV, "").strip()


def _polars():
    try:
        import adbc_driver_manager  # noqa: F401
        import adbc_driver_sqlite  # noqa: F401
        import polars
    except ImportError:
        return None
    return polars


def import_file(desk, path, encoding="auto", input_format=None, dry_run=False, strict=False, progress=None,
                columns=None, date_order=None, delimiter=None, sheet=None, values=None):
    """Import one orders file as orders.import_file does (its arguments, its summary):
    a bulk file the way described above, any other file by orders.import_file (also a
    file whose values the desk maps: [import.values], --map-value)."""
    options = dict(encoding=encoding, input_format=input_format, dry_run=dry_run, strict=strict, progress=progress,
                   columns=columns, date_order=date_order, delimiter=delimiter, sheet=sheet)
    if values or desk.policy.import_values:
        return orders.import_file(desk, path, values=values, **options)
    summary = _bulk_import(desk, path, **options)
    return summary if summary is not None else orders.import_file(desk, path, **options)


def _bulk_import(desk, path, encoding, input_format, dry_run, strict, progress, columns, date_order, delimiter,
                 sheet):
    """The summary of a bulk file's import, or None when the plain path is to import it."""
    last.update(path="plain", fast_rows=0, python_rows=0, why="")
    mode = _mode()
    if mode == "0" or path == "-" or sheet is not None or getattr(desk.conn, "read_only", None):
        return None
    try:
        if os.path.getsize(path) < FAST_MIN_BYTES and mode != "1":
            return None
    except OSError:
        return None
    pl = _polars()
    if pl is None:
        return None
    conv = orders.RowConverter(desk.tz, {**desk.policy.import_columns, **(columns or {})}, date_order)
    try:
        source = open_input(path, encoding, input_format, is_header=conv.is_header, delimiter=delimiter, sheet=sheet)
    except InputError:
        return None  # the plain path says why, in its own words
    folder = None
    try:
        try:
            plan = _bulk_plan(source, conv, path)
            folder = _scratch_folder()
            scan = _Scan(pl, path, source, plan, os.path.join(folder, "rows.db"))
            scan.run()
        except _NotBulk as e:
            last["why"] = str(e)
            return None
        return _import(desk, source, conv, scan, dry_run, strict, progress)
    finally:
        source.close()
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


SCRATCH_PREFIX = "callbackctl-import-"


def _scratch_folder() -> str:
    """A new scratch folder (0700: the rows hold phone numbers), named for this process,
    after removing the ones an import killed mid-way left behind (their process is gone)."""
    top = tempfile.gettempdir()
    for name in os.listdir(top):
        if name.startswith(SCRATCH_PREFIX) and not outfile.alive(name[len(SCRATCH_PREFIX):].split("-", 1)[0]):
            shutil.rmtree(os.path.join(top, name), ignore_errors=True)
    return tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-")


def _bulk_plan(source, conv, path):
    """The file's Plan if this path can read the file as the plain reader does; else _NotBulk."""
    if source.format not in ("csv", "tsv") or source.encoding not in ("utf-8", "utf-8-sig"):
        raise _NotBulk(f"{source.format} in {source.encoding}")
    if source.preamble or source.headers is None or len(source.delimiter or "") != 1:
        raise _NotBulk("title lines above the header")
    with open(path, "rb") as f:
        first = f.readline()
    if not first.endswith(b"\n") or b"\r" in first[:-2] or b"\x00" in first:
        raise _NotBulk("the header is not the first line")
    text = first.decode("utf-8-sig" if source.encoding == "utf-8-sig" else "utf-8", errors="strict")
    cells = next(csv.reader([text], delimiter=source.delimiter), [])
    if clean_headers(cells) != source.headers or '"' in text and not re.fullmatch(_well_formed(source.delimiter), text.rstrip("\r\n")):
        raise _NotBulk("the header is not the first line")
    plan = conv.plan(source.headers)
    if plan.spare:
        raise _NotBulk("two columns for one field")
    if "order_no" not in {f for _, f in plan.known}:
        raise _NotBulk("no order_no column")
    plan.header_bytes = len(first)
    return plan


def _well_formed(delimiter) -> str:
    """A line whose every cell is bare (no quote) or wholly quoted: the plain reader and polars agree on it."""
    d = {"|": r"\|", "\t": r"\t"}.get(delimiter, delimiter)  # the same text for re and polars' regex
    cell = f'(?:"(?:[^"]|"")*"|[^"{d}\\r\\n]*)'
    return f"{cell}(?:{d}{cell})*\\r?"


class _Scan:
    """Step 1: the file read, checked and converted in blocks; vouched rows into the scratch file."""

    def __init__(self, pl, path, source, plan, scratch):
        self.pl, self.path, self.source, self.plan, self.scratch = pl, path, source, plan, scratch
        self.delimiter = source.delimiter
        self.width = plan.width
        self.names = [f"c{i}" for i in range(self.width)]
        self.rows = 0              # rows the plain reader yields (blank ones are not rows)
        self.python = set()        # ordinals of the rows Python converts
        self.starts = []           # each chunk's first row: (line, (offset, first line) of its block)
        self.staged = 0
        self._numbers = []         # order numbers of all rows, by ordinal (for the file's repeats)

    def run(self):
        import adbc_driver_manager as adbc
        import adbc_driver_sqlite

        database = adbc_driver_sqlite.connect(self.scratch)
        conn = adbc.AdbcConnection(database)
        stmt = adbc.AdbcStatement(conn)
        try:
            for sql in ("PRAGMA journal_mode = OFF", "PRAGMA synchronous = OFF",
                        "CREATE TABLE rows (seq INTEGER PRIMARY KEY, "
                        + ", ".join(f"{c} {_sql_type(c)}" for c in _STAGED) + ")"):
                stmt.set_sql_query(sql)
                stmt.execute_update()
            # ADBC binds a block in a thread of its own while polars converts the next (both let go of the GIL).
            with ThreadPoolExecutor(1) as pool:
                pending, first = None, True
                for offset, line, block, lines_in in self._blocks():
                    frame = self._block(offset, line, block, lines_in)
                    if first:
                        first = False
                        self._give_up_if_messy()
                    if pending is not None:
                        pending.result()
                        pending = None
                    if frame is not None and frame.height:
                        pending = pool.submit(_ingest, adbc, stmt, frame)
                        self.staged += frame.height
                if pending is not None:
                    pending.result()
        finally:
            stmt.close()
            conn.close()
            database.close()
        if self._numbers:
            numbers = self.pl.concat(self._numbers)
            self._numbers = None
            frame = self.pl.DataFrame({"no": numbers}).with_row_index("seq")
            self.python.update(frame.filter(self.pl.col("no").is_not_null() & self.pl.col("no").is_duplicated())
                               ["seq"].to_list())

    MESSY_CHUNKS = 4

    def _give_up_if_messy(self):
        """After the first block: when each of its (several) chunks holds a row Python must
        convert, the file is most likely messy throughout, and every chunk would go to
        Python after all: the plain path reads it now, not after a wasted scan (which made
        such a file 30% slower than without the extra, a new user found)."""
        size = batches.CHUNK_ROWS
        whole = self.rows // size  # the chunks the first block holds whole
        if whole >= self.MESSY_CHUNKS and {seq // size for seq in self.python} >= set(range(whole)):
            raise _NotBulk(f"a row Python must convert in each of the first {whole} chunks")

    def _blocks(self):
        """(byte offset, first line number, bytes, LFs in them) of whole lines, BLOCK_BYTES at a time."""
        with open(self.path, "rb") as f:
            f.seek(self.plan.header_bytes)
            offset, line, rest = self.plan.header_bytes, 2, b""
            while True:
                data = f.read(BLOCK_BYTES)
                buf = rest + data
                if not data:
                    if buf:
                        yield offset, line, buf, buf.count(b"\n")
                    return
                cut = buf.rfind(b"\n") + 1
                if not cut:
                    rest = buf
                    continue
                block, rest = buf[:cut], buf[cut:]
                count = block.count(b"\n")
                yield offset, line, block, count
                offset += len(block)
                line += count

    def _block(self, offset, first_line, block, lines_in):
        pl = self.pl
        try:
            block.decode("utf-8")
        except UnicodeDecodeError:
            raise _NotBulk("not valid UTF-8 text") from None
        if b"\x00" in block or block.endswith(b"\r"):
            raise _NotBulk("a NUL byte or a line ending in CR alone")
        n = lines_in + (not block.endswith(b"\n"))
        schema = {c: pl.String for c in self.names}
        try:
            cells = pl.read_csv(block, has_header=False, separator=self.delimiter, quote_char='"',
                                truncate_ragged_lines=True, schema=schema)
            # The lines whole (CR dropped): a NUL never occurs in the text, so each line is one cell.
            lines = pl.read_csv(block, has_header=False, separator="\x00", quote_char=None,
                                schema={"text": pl.String})["text"].fill_null("")
        except pl.exceptions.PolarsError as e:  # an unclosed quote, say: the plain reader's rules apply
            raise _NotBulk(f"polars: {str(e)[:80]}") from None
        if cells.height != n or len(lines) != n:
            raise _NotBulk("a quoted cell over several lines")
        if lines.str.len_bytes().max() > csv.field_size_limit():  # the plain reader rejects such a cell
            raise _NotBulk("a line longer than the csv module's cell limit")
        if b"\r" in block and lines.str.contains("\r", literal=True).any():  # polars drops CR only before LF
            raise _NotBulk("a CR alone inside a line")
        d = self.delimiter
        count = lines.str.count_matches(d, literal=True)
        quoted = lines.str.contains('"', literal=True).arg_true()
        if len(quoted):  # cells wholly quoted or not at all (else the readers may differ); delimiters outside quotes
            some = lines.gather(quoted)
            if not some.str.contains(f"^{_well_formed(d)}$").all():
                raise _NotBulk("a quote inside a cell")
            count = count.scatter(quoted, some.str.replace_all('"(?:[^"]|"")*"', "").str.count_matches(d, literal=True))
        cells = cells.with_columns(pl.Series("n", count + 1), pl.Series("text", lines)).with_row_index("i")
        # str.strip() where a cell starts or ends with what it strips (\s and \x1c-\x1f: str.isspace());
        # else only a quoted empty cell ("") to make null
        edges = cells.select(pl.col(c).str.contains(r"^[\s\x1c-\x1f]|[\s\x1c-\x1f]$").any() for c in self.names).row(0)
        empty = cells.select((pl.col(c) == "").any() for c in self.names).row(0)
        cells = cells.with_columns([_strip(pl, pl.col(c)).alias(c) for c, e in zip(self.names, edges) if e]
                                   + [pl.when(pl.col(c) != "").then(pl.col(c)).alias(c)
                                      for c, e, x in zip(self.names, edges, empty) if x and not e])
        even = pl.col("n") == self.width
        blank = even & pl.all_horizontal(pl.col(c).is_null() for c in self.names)
        # Rows with more or fewer cells than the header: the plain reader's cells, by Python's csv.
        keep_ragged = {}
        for i, line_text in cells.filter(~even).select("i", "text").iter_rows():
            row = next(csv.reader([line_text + "\n"], delimiter=d), [])
            if row and (row[0].strip() or any(c.strip() for c in row)):
                keep_ragged[i] = self._ragged_number(row)
        frame = cells.filter(~blank & (even | pl.col("i").is_in(list(keep_ragged))))
        if not frame.height:
            return None
        frame = frame.with_columns((pl.int_range(pl.len(), dtype=pl.Int64) + self.rows).alias("seq"),
                                   (pl.col("i").cast(pl.Int64) + first_line).alias("line"))
        self.starts += [(line, (offset, first_line)) for line in
                        frame.filter(pl.col("seq") % batches.CHUNK_ROWS == 0)["line"].to_list()]
        order_no = f"c{self._order_no_index()}"
        numbers = frame.select(
            pl.when(even).then(pl.col(order_no))
            .otherwise(pl.col("i").replace_strict(list(keep_ragged), list(keep_ragged.values()), default=None,
                                                  return_dtype=pl.String))
            if keep_ragged else pl.col(order_no)).to_series()
        self._numbers.append(numbers)
        self.rows += frame.height
        self.python.update(frame.filter(~even)["seq"].to_list())
        converted = self._convert(frame.filter(even))
        self.python.update(converted.filter(~pl.col("ok"))["seq"].to_list())
        return converted.filter(pl.col("ok")).select("seq", *_STAGED)

    def _order_no_index(self):
        return next(i for i, f in self.plan.known if f == "order_no")

    def _ragged_number(self, row):
        i = self._order_no_index()
        return row[i].strip() or None if i < len(row) else None

    def _convert(self, frame):
        """The stored values of each row, and whether every cell of it was vouched for ("ok")."""
        pl = self.pl
        out, oks = {}, [pl.col("c%d" % self._order_no_index()).is_not_null()]
        vocab = {}
        for i, field in self.plan.known:
            if field in _VOCAB:
                words = frame[f"c{i}"].drop_nulls().unique().to_list()
                known = {}
                for word in words:
                    try:
                        known[word] = _VOCAB[field](word)
                    except ValueError:
                        pass
                vocab[field] = known
        times = {i: f"t{i}" for i, field in self.plan.known if field in normalize.TIME_COLUMNS}
        if times:  # in two steps: an expression used twice is worked out twice
            frame = frame.with_columns(_time_text(pl, pl.col(f"c{i}")).alias(t) for i, t in times.items())
        for i, field in self.plan.known:
            v = pl.col(f"c{i}")
            if field in normalize.TIME_COLUMNS:
                value, ok = _time(pl, v, pl.col(times[i]))
            elif field == "phone":
                plain = v.str.contains(r"^[0-9]{11}$")
                value, ok = pl.when(plain).then(v), v.is_null() | plain
                out["phone_valid"] = pl.when(plain).then(v.str.contains(_PHONE_VALID).cast(pl.Int64))
            elif field in _NUMBERS:  # 999999999999.99999 rounds to 1e12: normalize.number refuses it
                number = v.cast(pl.Float64, strict=False)
                plain = v.str.contains(_PLAIN_NUMBER) & (number < normalize.LARGEST)
                value, ok = pl.when(plain).then(number), v.is_null() | plain
            elif field in _VOCAB:
                known = vocab[field]
                words, values = list(known), list(known.values())
                dtype = pl.Int64 if field in _FLAGS else pl.String
                if dtype is pl.Int64:
                    values = [int(x) for x in values]
                value = v.replace_strict(words, values, default=None, return_dtype=dtype) if words else pl.lit(None, dtype)
                ok = v.is_null() | v.is_in(words) if words else v.is_null()
            else:
                value, ok = v, pl.lit(True)
            out[field] = value
            oks.append(ok)
        pieces = []  # orders._extra_json: {"header": "cell", ...} as json's encoder writes it
        for i, header in self.plan.extra:
            v = pl.col(f"c{i}")
            escaped = v.str.replace_all("\\", "\\\\", literal=True).str.replace_all('"', '\\"', literal=True)
            pieces.append(pl.concat_str([pl.lit(orders._to_json(header) + ': "'), escaped, pl.lit('"')]))
            oks.append(v.is_null() | ~v.str.contains(r"[\x00-\x1f]"))
        if pieces:
            joined = pl.concat_str(pieces, separator=", ", ignore_nulls=True)
            out["extra"] = pl.when(joined != "").then(pl.concat_str([pl.lit("{"), joined, pl.lit("}")]))
        columns = [(out.get(c, pl.lit(None)).cast(_polars_type(pl, c))).alias(c) for c in _STAGED]
        return frame.select("seq", *columns, pl.all_horizontal(oks).alias("ok"))


def _ingest(adbc, stmt, frame):
    stmt.set_options(**{adbc.INGEST_OPTION_TARGET_TABLE: "rows", adbc.INGEST_OPTION_MODE: adbc.INGEST_OPTION_MODE_APPEND})
    stmt.bind_stream(frame)
    stmt.execute_update()


def _strip(pl, v):
    s = v.str.strip_chars(PY_SPACES)
    return pl.when(s != "").then(s)


def _time_text(pl, v):
    """The text normalize.datetime gives for 'YYYY-MM-DD HH:MM[:SS]' (or T) and 'YYYY年MM月DD日 HH:MM',
    if the time is real (checked by _time); null for other spellings."""
    return (pl.when(v.str.contains(_ISO16)).then(pl.concat_str([v.str.replace("T", " ", literal=True), pl.lit(":00")]))
            .when(v.str.contains(_ISO19)).then(v.str.replace("T", " ", literal=True))
            .when(v.str.contains(_CHINESE)).then(v.str.replace(_CHINESE, "${1}-${2}-${3} ${4}:${5}:00")))


def _time(pl, v, text):
    """(value, vouched): the time where it is a real one within normalize's years (as fromisoformat and
    datetime() check it), else null, left to Python. Seconds of 60 are refused here: polars would roll them over."""
    year = text.str.slice(0, 4)
    good = (text.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False).is_not_null()
            & (text.str.slice(17, 2) < "60") & (year >= str(normalize.FIRST_YEAR))
            & (year <= str(normalize.LAST_YEAR))).fill_null(False)
    return pl.when(good).then(text), v.is_null() | good


def _sql_type(column) -> str:
    if column in _NUMBERS:
        return "REAL"
    return "INTEGER" if column in _FLAGS else "TEXT"


def _polars_type(pl, column):
    if column in _NUMBERS:
        return pl.Float64
    return pl.Int64 if column in _FLAGS else pl.String


# -- step 2: the import --------------------------------------------------------

class _Chunks:
    """What batches.run reads: one item a chunk (its first line, its number), the file's facts."""

    def __init__(self, source, scan):
        self.name, self.format, self.encoding = source.name, source.format, source.encoding
        self.preamble, self.headers, self.size = source.preamble, source.headers, source.size
        self.delimiter, self.warnings = source.delimiter, source.warnings
        self._scan, self._done = scan, 0

    @property
    def position(self) -> int:
        return self._done

    @property
    def rows(self):
        for k, (line, _at) in enumerate(self._scan.starts):
            yield line, k

    def finished(self, k):
        starts = self._scan.starts
        self._done = starts[k + 1][1][0] if k + 1 < len(starts) else (self.size or 0)


# The stored values of an order a vouched row names would change (or might: Python decides).
def _changed_sql(columns, kept=False) -> str:
    """Whether a staged row (s) would change its stored order (o). `kept`: the desk holds
    corrections, each order's imported values in fast_stage.kept (k): a corrected field
    is compared with the value the import gave before, as orders._keep_corrected does."""
    terms = []
    for c in columns:
        if c in ("order_no", "extra"):
            if c == "extra":
                terms.append("(s.extra IS NOT NULL AND s.extra IS NOT o.extra)")
            continue
        column = "status_given" if c == "status" else c
        have = f"o.{column}"
        if kept:
            field = corrections.field_of(column)
            have = (f"(CASE WHEN k.imp IS NULL OR json_type(k.imp, '$.\"{field}\"') IS NULL THEN o.{column} "
                    f"ELSE json_extract(k.imp, '$.\"{field}\".\"{column}\"') END)")
        if c == "status":
            implied = "CASE WHEN coalesce(s.completed_at, o.completed_at) IS NULL THEN 'open' ELSE 'completed' END"
            terms.append(f"(s.status IS NOT NULL AND (CASE WHEN s.status = {implied} THEN NULL ELSE s.status END) "
                         f"IS NOT {have})")
        else:
            terms.append(f"(s.{c} IS NOT NULL AND s.{c} IS NOT {have})")
    return " OR ".join(terms)


def _stage_corrections(conn) -> bool:
    """The desk's corrections, one row an order with its imported values as JSON, in
    fast_stage.kept for _changed_sql; whether there are any."""
    if not corrections.any_kept(conn):
        return False
    conn.execute("CREATE TABLE fast_stage.kept (order_id INTEGER PRIMARY KEY, imp TEXT)")
    conn.execute("INSERT INTO fast_stage.kept SELECT order_id, json_group_object(field, json(imported)) "
                 "FROM main.corrections GROUP BY order_id")
    return True


def _import(desk, source, conv, scan, dry_run, strict, progress):
    conn = desk.conn
    size = batches.CHUNK_ROWS
    counts = [size] * (scan.rows // size) + ([scan.rows % size] if scan.rows % size else [])
    chunks = _Chunks(source, scan)
    previous = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = -{orders.IMPORT_CACHE_KIB}")
    threads = conn.execute("PRAGMA threads").fetchone()[0]
    conn.execute(f"PRAGMA threads = {min(4, os.cpu_count() or 1)}")  # sorts for the indexes built again
    conn.execute("ATTACH ? AS fast_stage", (scan.scratch,))
    python_chunks = {seq // size for seq in scan.python}
    kept = _stage_corrections(conn)
    changed = _changed_sql(_STAGED, kept)
    try:
        before = conn.execute("SELECT coalesce(max(id), 0) FROM orders").fetchone()[0]
        # As the plain path: orders' secondary indexes dropped while a large file lands in a small
        # table, built again at the end; decided here on the file's exact row count.
        indexes = orders.BulkIndexes(conn, before)
        write_python = _python_writer(desk, source, conv, scan, indexes)
        empty = [None]  # whether the desk had no order when the transaction began

        def finish():
            indexes.restore()
            customers.link_new_orders(conn, before)

        def write_chunk(items, summary, write):
            (_line, k), = items
            summary.read += counts[k] - 1
            if write:
                indexes.consider(scan.rows)
            start, stop = k * size, k * size + counts[k]
            if empty[0] is None:
                empty[0] = conn.execute("SELECT max(id) FROM orders").fetchone()[0] is None
            try:
                existing = 0
                python = k in python_chunks
                if not python and not empty[0]:  # a stored order the row would change (or might): Python's
                    existing, changes = conn.execute(
                        f"SELECT count(*), count(CASE WHEN {changed} THEN 1 END) FROM fast_stage.rows s "
                        "JOIN main.orders o ON o.order_no = s.order_no "
                        + ("LEFT JOIN fast_stage.kept k ON k.order_id = o.id " if kept else "")
                        + "WHERE s.seq >= ? AND s.seq < ?",
                        (start, stop)).fetchone()
                    python = changes > 0
                if not python and existing < counts[k]:  # a new order needs its service type (Python says so)
                    python = conn.execute(
                        "SELECT 1 FROM fast_stage.rows s WHERE s.seq >= ? AND s.seq < ? AND s.service_type IS NULL"
                        + ("" if empty[0] else " AND NOT EXISTS (SELECT 1 FROM main.orders o WHERE o.order_no = s.order_no)")
                        + " LIMIT 1", (start, stop)).fetchone() is not None
                if python:
                    last["python_rows"] += counts[k]
                    return write_python(k, summary, write)
                summary.inserted += counts[k] - existing
                summary.unchanged += existing
                last["fast_rows"] += counts[k]
                if write and existing < counts[k]:
                    orders.insert_staged(desk, "fast_stage.rows", _STAGED, summary.batch_id, start, stop,
                                         empty[0])
                return []
            finally:
                chunks.finished(k)

        summary = batches.run(desk, chunks, write_chunk, strict=strict, dry_run=dry_run, event="import",
                              progress=progress, chunk_rows=1,
                              finish=finish)
        summary.unknown = conv.unknown
        last["path"] = "fast"
        return summary
    finally:
        conn.execute("DETACH fast_stage")
        conn.execute(f"PRAGMA cache_size = {previous}")
        conn.execute(f"PRAGMA threads = {threads}")


def _python_writer(desk, source, conv, scan, indexes):
    """A chunk the plain path writes: its rows read again from the file, with the plain reader's cells."""
    size = batches.CHUNK_ROWS

    cursor = {"line": None, "at": None}  # where the last chunk read stopped: chunks come in file order

    def write(k, summary, write):
        line, (offset, block_line) = scan.starts[k]
        want = min(size, scan.rows - k * size)
        rows = []
        with open(scan.path, "rb") as f:
            if cursor["line"] is not None and block_line <= cursor["line"] <= line:
                at, skip = cursor["at"], line - cursor["line"]
            else:
                at, skip = offset, line - block_line
            f.seek(at)
            for _ in range(skip):
                f.readline()
            while len(rows) < want:
                raw = f.readline()
                if not raw:
                    break
                cells = next(csv.reader([raw.decode("utf-8")], delimiter=scan.delimiter), [])
                if cells and (cells[0].strip() or any(c.strip() for c in cells)):
                    rows.append((line, cells))
                line += 1
            cursor.update(line=line, at=f.tell())
        if len(rows) != want:
            raise InputError(f"{source.name}: the file changed while it was being imported; nothing was imported")
        return orders._write_chunk(desk, source, conv, indexes, rows, summary, write)

    return write
