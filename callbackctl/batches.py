"""Files read into the desk: one transaction per file, every rejected row kept.

Owns `import_batches` and `import_rejects`. `import` and `record --from` hand
`run` an opened source and a writer; the loop here reads the rows in chunks,
lets the writer convert and store them, keeps each row it rejects whole with
its line and reason, and records the batch. With `strict`, one rejected row
undoes every write of the file (the batch and its rejects are still kept).
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field

from callbackctl import db
from callbackctl.store import batches as table
from callbackctl.readers import BadRecord

SUMMARY_COLUMNS = ["file", "read", "inserted", "updated", "unchanged", "rejected", "error"]
REJECT_COLUMNS = ["batch", "file", "line", "error", "raw", "imported_at"]
CHUNK_ROWS = 5000


class RowError(ValueError):
    """Why one input row is rejected; `raw` is the row as kept, when not the row itself."""

    def __init__(self, message, raw=None):
        super().__init__(message)
        self.raw = raw


@dataclass
class Summary:
    """One file's batch: what was read and what became of it."""

    file: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    batch_id: int | None = None
    format: str = ""
    encoding: str = ""
    strict_failed: bool = False
    error: str | None = None       # why the file could not be read at all
    unknown: list = field(default_factory=list)  # headers that match no field (kept)
    preamble: list = field(default_factory=list)
    rejects: list = field(default_factory=list, repr=False)  # (line, error, raw) in file order
    kept: list = field(default_factory=list, repr=False)  # (line, order_no, field, corrected_at, file's value)
    warnings: list = field(default_factory=list, repr=False)  # the reader's, filled as it reads

    def row(self):
        return {k: getattr(self, k) for k in SUMMARY_COLUMNS}


def raw_row(source, row):
    """A row as it was read, header -> cell, for keeping it whole."""
    if isinstance(row, BadRecord):
        return {"_line": row.text}
    if isinstance(row, dict):
        return row
    names = source.headers
    if not isinstance(row, list) or names is None:  # JSON that is not an object
        return {"_value": row}
    raw = dict(zip(names, row))
    raw.update({f"column_{i + 1}": c for i, c in enumerate(row) if i >= len(names)})
    return raw


def run(desk, source, write_chunk, *, kind="", strict=False, dry_run=False, event=None,
        progress=None, chunk_rows=CHUNK_ROWS, finish=None) -> Summary:
    """Read `source` into the desk in one transaction; returns its Summary.

    `write_chunk(rows, summary, write)` gets [(line, row)] and returns the
    rejects [(line, error, raw)] among them; it counts what it stored in
    `summary` and writes nothing when `write` is false (a dry run, or a
    strict file that already has a reject). `event`: the audit log's kind
    for the batch, if it gets one. `finish()`, when given, runs in the same
    transaction after the last chunk (work done once per file, not per chunk).
    """
    summary = Summary(source.name, format=source.format, encoding=source.encoding, preamble=source.preamble,
                      warnings=source.warnings)
    if dry_run:
        _read(source, write_chunk, summary, strict, progress, chunk_rows, store=None, write=False)
        return summary
    conn = desk.conn
    with db.transaction(conn):
        summary.batch_id = table.open_batch(conn, source.name, kind + source.format, source.encoding, desk.now_text,
                                           desk.actor, strict)
        earlier = _Earlier(conn, source.name)
        store = (lambda rejects: _store(conn, summary.batch_id, rejects, earlier)) if not strict else None
        # Only --strict needs the rows' writes in a savepoint of their own, to undo them
        # and keep the batch. Without it, a writer's savepoint for each row (record --from)
        # nested in one for the file made each release slower than the last: 10k calls
        # took 35 s on the 1M-order desk instead of 3 s.
        with db.transaction(conn) if strict else contextlib.nullcontext():
            _read(source, write_chunk, summary, strict, progress, chunk_rows, store, write=True)
            if finish is not None:
                finish()
            if strict and summary.rejects:
                summary.strict_failed = True
                summary.inserted = summary.updated = summary.unchanged = 0
                raise db.Rollback
        if strict:
            _store(conn, summary.batch_id, summary.rejects, earlier)
        table.close_batch(conn, summary.batch_id, summary.read, summary.inserted, summary.updated, summary.unchanged,
                         summary.rejected)
        if event:
            desk.log(event, detail={"batch": summary.batch_id, **summary.row(), "strict_failed": summary.strict_failed,
                                    "title_lines": source.preamble,
                                    "corrections_kept": [{"line": line, "order_no": no, "field": f, "file_has": v}
                                                         for line, no, f, _, v in summary.kept[:1000]]})
    return summary


def _read(source, write_chunk, summary, strict, progress, chunk_rows, store, write):
    """The loop: chunks to the writer, rejects kept (and stored as they come unless strict)."""
    pending = []  # rejects not yet stored

    def flush(rows):
        nonlocal pending
        if not rows:
            return
        found = write_chunk(rows, summary, write and not (strict and summary.rejected))
        pending += found
        summary.rejected += len(found)
        if store and len(pending) >= chunk_rows:
            store(pending)
            summary.rejects += pending
            pending = []
        if progress:
            progress(source.position, source.size)

    rows = []
    for line, row in source.rows:
        summary.read += 1
        if isinstance(row, BadRecord):
            pending.append((line, row.error, raw_row(source, row)))
            summary.rejected += 1
            continue
        rows.append((line, row))
        if len(rows) >= chunk_rows:
            flush(rows)
            rows = []
    flush(rows)
    if store:
        store(pending)
    summary.rejects += pending
    # A row can fail only when its chunk is written (a new order without a
    # service type), after later rows failed on reading: give file order.
    summary.rejects.sort(key=lambda r: r[0])
    if progress:
        progress(source.size or source.position, source.size)


class _Earlier:
    """The rejects earlier batches of the same file stored: (line, error, raw) -> the first
    one's id. Read once, at the file's first reject."""

    def __init__(self, conn, file):
        self.conn, self.file, self.ids = conn, file, None

    def get(self, key):
        if self.ids is None:
            self.ids = {(line, error, raw): rid for rid, line, error, raw in table.first_rejects(self.conn, self.file)}
        return self.ids.get(key)


def _store(conn, batch_id, rejects, earlier):
    """The rejects of a batch; one the same file's earlier batch stored points at it, raw left empty."""
    kept = []
    for line, error, raw in rejects:
        text = _raw_json(raw)
        first = earlier.get((line, error, text))
        kept.append((batch_id, line, error, "" if first else text, first))
    table.add_rejects(conn, kept)


def _raw_json(raw) -> str:
    """A rejected row as JSON text; broken text (a lone surrogate) kept as its \\u escape."""
    text = json.dumps(raw, ensure_ascii=False, default=str)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(raw, default=str)
    return text


def rejects(conn, batch_id: int | None = None) -> list[dict]:
    """One batch's rejects, or every kept reject once: the same bad row of the same
    file read again (a cron job's repeat) is listed with the last batch that read it."""
    if batch_id is not None:
        return [dict(r) for r in table.rejects_of(conn, batch_id)]
    return [dict(r) for r in table.every_reject(conn)]


def rejects_as_rows(headers, rejected):
    """Rejected rows in their original columns plus `line` and `error`, for --rejects."""
    columns = list(headers or [])
    for _, _, raw in rejected:
        for key in raw:
            if key not in columns:
                columns.append(key)
    rows = [{**raw, "line": line, "error": error} for line, error, raw in rejected]
    return columns + ["line", "error"], rows


def imported_before(desk_path: str, path: str) -> int | None:
    """The last batch that imported `path` (the same file, however named) into the desk file at
    `desk_path`, read without opening the desk for writing; None when none did, or the
    desk is not there yet. A file a dealer gave is never an output (outfile.check)."""
    import os

    if not desk_path or desk_path == ":memory:" or not os.path.isfile(desk_path):
        return None
    files = table.files_read(desk_path) or []
    for batch, file in files:  # kept as typed: a relative name is taken from here, as a cron job runs
        if file not in ("-", "") and os.path.exists(file) and os.path.samefile(file, path):
            return batch
    return None

