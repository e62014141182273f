"""Reading files into the desk, as `import` and `customer import` tell it: one summary
row a file, the first rejected rows, the rest in `callbackctl rejects`, exit 1 when
any row or file failed."""

from __future__ import annotations

import sys
import time
from typing import Annotated, Optional

import typer

from callbackctl.cli.common import check_output, emit, is_tty, note, reads, warn

DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Validate and count; write nothing.")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="One rejected row means nothing from that file is imported.")]
RejectsOpt = Annotated[Optional[str], typer.Option("--rejects", metavar="PATH",
                                                   help="Also write rejected rows as CSV with an error column.")]


def check_files(ctx, files, rejects=None):
    """Before the desk is opened: no output of the command may be the desk or one of its files."""
    reads(ctx, *files)
    if rejects:
        check_output(ctx, rejects, "rejects")


def import_files(files, import_one, *, what: str, rejects=None, dry_run=False, fmt=None, progress=False):
    """Each file through `import_one(path, progress)` in its own transaction; `what` the
    rows are (order, customer), for the messages. The caller ran check_files first."""
    from callbackctl import batches
    from callbackctl.errors import InputError

    results, rejected_rows = [], []
    for path in files:  # every file is tried, each in its own transaction
        meter = _progress(path) if progress and is_tty(sys.stderr) and path != "-" else None
        try:
            result = import_one(path, meter)
        except InputError as e:
            results.append(batches.Summary(path, error=str(e)))
            sys.stderr.write(f"Error: {e}\n")
            continue
        results.append(result)
        _tell(result, rejected_rows, what)
    emit([r.row() for r in results], batches.SUMMARY_COLUMNS, fmt)
    total = sum(r.rejected for r in results)
    more_rejected(total)
    if rejects:
        write_rejects(rejects, rejected_rows)
    if dry_run:
        note("dry run: nothing was written")
    if total or any(r.error for r in results):
        raise typer.Exit(1)


def write_rejects(path: str, rejected_rows):
    """--rejects: the rejected rows as CSV with their line and error (0600, UTF-8 with a BOM for Excel)."""
    from callbackctl import batches, io, outfile

    columns, rows = batches.rejects_as_rows(["file"], rejected_rows)
    with outfile.replacing(path, encoding="utf-8-sig") as f:
        io.write(rows, columns, f, "csv")


def more_rejected(total: int, shown: int = 5):
    """After the first rejected rows: how many more there are, and where to see them."""
    if total > shown:
        note(f"... {total - shown} more rejected row(s): see `callbackctl rejects`")


def tell_reading(result, what, where=""):
    """The reader's words on a file, for import and record --from alike: the columns kept
    unmapped (the first 50 named) and its warnings (a workbook's error cells)."""
    if result.unknown:
        named = ", ".join(result.unknown[:UNKNOWN_SHOWN]) + (
            f" and {len(result.unknown) - UNKNOWN_SHOWN} more" if len(result.unknown) > UNKNOWN_SHOWN else "")
        warn(f"{result.file}: kept with each {what}{where} but matching no field: {named} "
             "(if one is a field, say so with --map 'HEADER=FIELD')")
    for text in result.warnings[:KEPT_SHOWN]:
        warn(text)
    if len(result.warnings) > KEPT_SHOWN:
        warn(f"{result.file}: {len(result.warnings) - KEPT_SHOWN} more such cell(s)")


def _tell(result, rejected_rows, what):
    """What a user should know about one file: titles skipped, columns kept unmapped, rejects."""
    for line, text in result.preamble:
        note(f"{result.file}: line {line} is above the header, read as a title: {text!r}")
    tell_reading(result, what)
    _tell_kept(result)
    for line, error, raw in result.rejects:
        rejected_rows.append((line, error, {"file": result.file, **raw}))
        if len(rejected_rows) <= 5:
            note(f"{result.file}: line {line}: {error}")
    if result.strict_failed:
        note(f"{result.file}: --strict: {result.rejected} row(s) rejected, nothing imported")


KEPT_SHOWN = 20  # corrections kept, one warning each; past that, how many more
UNKNOWN_SHOWN = 50  # headers named in the warning; a file of 200k columns says how many more


def _tell_kept(result):
    """The desk's corrections a file would have overwritten: kept, and said."""
    from callbackctl import corrections, normalize

    for line, order_no, field, at, value in result.kept[:KEPT_SHOWN]:
        shown = normalize.plain(value) if isinstance(value, float) else value
        warn(f"{result.file}: line {line}: {order_no} {field} kept as corrected on {corrections.on_date(at)} "
             f"(the file has {'nothing' if shown is None else shown})")
    if len(result.kept) > KEPT_SHOWN:
        warn(f"{result.file}: {len(result.kept) - KEPT_SHOWN} more corrected field(s) kept "
             "(`callbackctl show ORDER` lists an order's corrections)")


def _progress(name):
    """A one-line progress meter on stderr, at most a few updates a second."""
    last = [0.0]

    def show(done, total):
        now = time.monotonic()
        if total and (now - last[0] > 0.25 or done >= total):
            last[0] = now
            sys.stderr.write(f"\rimporting {name}: {min(100, done * 100 // total):3d}%")
            if done >= total:
                sys.stderr.write("\n")
            sys.stderr.flush()

    return show
