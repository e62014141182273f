"""import, rejects, export."""

from __future__ import annotations

from typing import Annotated, List, Optional

import typer

from callbackctl import vocab
from callbackctl.cli.importing import DryRunOpt, RejectsOpt, StrictOpt
from callbackctl.cli.common import (
    DateOrderOpt, DelimiterOpt, EncodingOpt, Fmt, FormatOpt, InputFormatOpt, MapOpt, SheetOpt, choices, emit, open_desk,
    output_options, reader_options, usage,
)

ExportFmt = choices("ExportFmt", vocab.EXPORT_FORMATS)
Table = choices("Table", vocab.EXPORT_TABLES)


@output_options
def import_cmd(
    ctx: typer.Context,
    files: Annotated[List[str], typer.Argument(metavar="FILE", help="CSV/TSV/JSON/JSONL files or workbooks (.xlsx, .xls, .ods); - for stdin.")],
    input_format: InputFormatOpt = None,
    encoding: EncodingOpt = "auto",
    delimiter: DelimiterOpt = None,
    sheet: SheetOpt = None,
    mapping: MapOpt = None,
    value_maps: Annotated[Optional[List[str]], typer.Option(
        "--map-value", metavar="FIELD:FROM=TO", help="Read a value of your own as another (repeatable): "
        "--map-value region:East=华东, --map-value service_type:移机=install.")] = None,
    date_order: DateOrderOpt = None,
    dry_run: DryRunOpt = False,
    strict: StrictOpt = False,
    rejects: RejectsOpt = None,
    fmt: FormatOpt = Fmt.table,
):
    """Import work orders, upserting by order_no. Exit 1 when any row or file failed.

    \b
    Examples:
      callbackctl import dealer_export_gbk.csv service_orders_utf8bom.csv --rejects rejected-rows.csv
      callbackctl import --dry-run --strict dealer_export_gbk.csv
    """
    from callbackctl import fastimport, orders
    from callbackctl.cli.importing import check_files, import_files

    options = reader_options(input_format, encoding, delimiter, sheet, mapping, date_order, orders.FIELDS)
    options["values"] = _value_maps(value_maps or [], orders.FIELDS)
    check_files(ctx, files, rejects)
    desk = open_desk(ctx, "import")
    # fastimport: a bulk file through the [fast] extra when it is installed, any other as orders.import_file
    import_files(files, lambda path, progress: fastimport.import_file(desk, path, dry_run=dry_run, strict=strict,
                                                                      progress=progress, **options),
                 what="order", rejects=rejects, dry_run=dry_run, fmt=fmt, progress=True)


def _value_maps(items, fields) -> dict:
    """--map-value FIELD:FROM=TO, repeated: {field: {from: to}}; a bad one exits 2."""
    out = {}
    for item in items:
        field, colon, rest = item.partition(":")
        given, equals, wanted = rest.partition("=")
        if (not colon or not equals or field.strip() not in fields or field.strip() == "order_no" or not given.strip()
                or not wanted.strip()):  # an empty value would erase a stored one
            usage(f"--map-value: {item!r} is not FIELD:FROM=TO with a field of "
                  f"{', '.join(f for f in fields if f != 'order_no')}")
        out.setdefault(field.strip(), {})[given.strip()] = wanted.strip()
    return out


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
