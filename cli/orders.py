"""import, rejects, export."""

from __future__ import annotations

import sys
import time
from typing import Annotated, List, Optional

import typer

from callbackctl import vocab
from callbackctl.cli.common import (
    DateOrderOpt, DelimiterOpt, EncodingOpt, Fmt, FormatOpt, InputFormatOpt, MapOpt, SheetOpt, choices, emit, is_tty,
    note, open_desk, open_private, output_options, reader_options, warn,
)

ExportFmt = choices("ExportFmt", vocab.EXPORT_FORMATS)
Table = choices("Table", vocab.EXPORT_TABLES)


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


@output_options
def import_cmd(
    ctx: typer.Context,
    files: Annotated[List[str], typer.Argument(metavar="FILE", help="CSV/TSV/JSON/JSONL files or workbooks (.xlsx, .xls, .ods); - for stdin.")],
    input_format: InputFormatOpt = None,
    encoding: EncodingOpt = "auto",
    delimiter: DelimiterOpt = None,
    sheet: SheetOpt = None,
    mapping: MapOpt = None,
    date_order: DateOrderOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and count; write nothing.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="One rejected row means nothing from that file is imported.")] = False,
    rejects: Annotated[Optional[str], typer.Option("--rejects", metavar="PATH", help="Also write rejected rows as CSV with an error column.")] = None,
    fmt: FormatOpt = Fmt.table,
):
    """Import work orders, upserting by order_no. Exit 1 when any row or file failed.

    \b
    Examples:
      callbackctl import dealer_export_gbk.csv service_orders_utf8bom.csv --rejects rejected-rows.csv
      callbackctl import --dry-run --strict dealer_export_gbk.csv
    """
    from callbackctl import batches, orders
    from callbackctl.errors import InputError

    options = reader_options(input_format, encoding, delimiter, sheet, mapping, date_order, orders.FIELDS)
    desk = open_desk(ctx, "import")
    rejects_file = open_private(rejects) if rejects else None  # fail before importing
    results, rejected_rows = [], []
    for path in files:  # every file is tried, each in its own transaction
        progress = _progress(path) if is_tty(sys.stderr) and path != "-" else None
        try:
            result = orders.import_file(desk, path, dry_run=dry_run, strict=strict, progress=progress, **options)
        except InputError as e:
            results.append(batches.Summary(path, error=str(e)))
            sys.stderr.write(f"Error: {e}\n")
            continue
        results.append(result)
        _tell(result, rejected_rows)
    emit([r.row() for r in results], batches.SUMMARY_COLUMNS, fmt)
    total = sum(r.rejected for r in results)
    if total > 5:
        note(f"... {total - 5} more rejected row(s): see `callbackctl rejects`")
    if rejects_file:
        from callbackctl import io

        columns, rows = batches.rejects_as_rows(["file"], rejected_rows)
        with rejects_file:
            io.write(rows, columns, rejects_file, "csv")
    if dry_run:
        note("dry run: nothing was written")
    if total or any(r.error for r in results):
        raise typer.Exit(1)


def _tell(result, rejected_rows):
    """What a user should know about one file: titles skipped, columns kept unmapped, rejects."""
    for line, text in result.preamble:
        note(f"{result.file}: line {line} is above the header, read as a title: {text!r}")
    if result.unknown:
        warn(f"{result.file}: kept with each order but matching no field: {', '.join(result.unknown)} "
             "(if one is a field, say so with --map 'HEADER=FIELD')")
    for line, error, raw in result.rejects:
        rejected_rows.append((line, error, {"file": result.file, **raw}))
        if len(rejected_rows) <= 5:
            note(f"{result.file}: line {line}: {error}")
    if result.strict_failed:
        note(f"{result.file}: --strict: {result.rejected} row(s) rejected, nothing imported")


@output_options
def rejects_cmd(
    ctx: typer.Context,
    batch: Annotated[Optional[int], typer.Option("--batch", help="Only this import batch.")] = None,
    fmt: FormatOpt = Fmt.table,
):
    """List rejected import rows, kept whole with file, line and reason.

    \b
    Examples:
      callbackctl rejects --batch 1
      callbackctl rejects -f csv > rejected-rows.csv
    """
    from callbackctl import batches

    desk = open_desk(ctx, "rejects")
    emit(batches.rejects(desk.conn, batch), batches.REJECT_COLUMNS, fmt, empty="no rejected rows")


@output_options
def export_cmd(
    ctx: typer.Context,
    table: Annotated[Table, typer.Argument(help="What to export.")],
    fmt: Annotated[ExportFmt, typer.Option("--format", "-f", help="Output format (xlsx: a workbook, with --output FILE).")] = ExportFmt.csv,
    mask_phone: Annotated[bool, typer.Option("--mask-phone", help="Show phones as 138****5678 for sharing outside the desk.")] = False,
):
    """Export a whole table (orders keep their unknown columns as columns).

    \b
    Examples:
      callbackctl export callbacks --excel -o callbacks.csv
      callbackctl export orders --mask-phone -o orders.xlsx
    """
    from callbackctl import export

    desk = open_desk(ctx, "export")
    columns, rows = export.table(desk.conn, table.value, mask_phone=mask_phone)
    emit(rows, columns, fmt)
