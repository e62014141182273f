"""customer import, set, list: who is called back on a schedule (contracts, projects, dormant)."""

from __future__ import annotations

from typing import Annotated, List, Optional

import typer

from callbackctl.cli.common import (
    DateOrderOpt, DelimiterOpt, EncodingOpt, Fmt, FormatOpt, InputFormatOpt, MapOpt, SheetOpt, emit, note, open_desk,
    output_options, reader_options,
)
from callbackctl.cli.importing import DryRunOpt, RejectsOpt, StrictOpt

customer_app = typer.Typer(help="Customers called back on a schedule: contract classes, projects, dormant customers.",
                           no_args_is_help=True, rich_markup_mode=None, add_completion=False)


@customer_app.command("import")
@output_options
def customer_import(
    ctx: typer.Context,
    files: Annotated[List[str], typer.Argument(metavar="FILE", help="CSV/TSV/JSON/JSONL files or workbooks; - for stdin.")],
    input_format: InputFormatOpt = None,
    encoding: EncodingOpt = "auto",
    delimiter: DelimiterOpt = None,
    sheet: SheetOpt = None,
    mapping: MapOpt = None,
    date_order: DateOrderOpt = None,
    dry_run: DryRunOpt = False,
    strict: StrictOpt = False,
    rejects: RejectsOpt = None,
    fmt: FormatOpt = Fmt.table,
):
    """Import customers (phone or customer_id, customer, class, contract_until, project). Exit 1 when any row failed.

    Read as `import` reads orders: any encoding and format, Chinese headers
    (电话, 客户编号, 客户等级, 合同到期, 工程项目), an empty cell never erases a value.

    \b
    Examples:
      callbackctl customer import contract_customers.csv
      callbackctl customer import --dry-run contract_customers.csv
    """
    from callbackctl import customers
    from callbackctl.cli.importing import check_files, import_files

    options = reader_options(input_format, encoding, delimiter, sheet, mapping, date_order, customers.FIELDS)
    check_files(ctx, files, rejects)
    desk = open_desk(ctx, "customer import")
    import_files(files, lambda path, progress: customers.import_file(desk, path, dry_run=dry_run, strict=strict,
                                                                     **options),
                 what="customer", rejects=rejects, dry_run=dry_run, fmt=fmt)


@customer_app.command("set")
def customer_set(
    ctx: typer.Context,
    phone: Annotated[str, typer.Argument(metavar="PHONE", help="The customer's phone (a new one adds them), or customer_id.")],
    cls: Annotated[Optional[str], typer.Option("--class", metavar="A|B|none", help="Contract class; none ends it.")] = None,
    contract_from: Annotated[Optional[str], typer.Option("--contract-from", metavar="DATE", help="The contract's first day: periods count from it [default: when the class is given].")] = None,
    contract_until: Annotated[Optional[str], typer.Option("--contract-until", metavar="DATE", help="The contract's last day (none: no end).")] = None,
    project: Annotated[Optional[str], typer.Option("--project", metavar="yes|no", help="A project customer (工程项目).")] = None,
    name: Annotated[Optional[str], typer.Option("--customer", metavar="NAME", help="The customer's name.")] = None,
):
    """Set a customer's contract class, contract end or project (in the audit log).

    \b
    Examples:
      callbackctl customer set 13800138001 --class A --contract-until 2027-12-31
      callbackctl customer set 13800138001 --class none
    """
    from callbackctl import customers

    given = {k: v for k, v in dict(cls=cls, contract_from=contract_from, contract_until=contract_until,
                                   project=project, customer=name).items() if v is not None}
    if not given:
        from callbackctl.cli.common import usage

        usage("give what to set: --class, --contract-from, --contract-until, --project or --customer")
    desk = open_desk(ctx, "customer set")
    key, changed, new = customers.set_customer(desk, phone, **given)
    said = ", ".join(f"{k} = {v!r}" for k, v in changed.items() if k not in ("class_since", "project_since"))
    note(f"{key}: " + ("added" + (f", {said}" if said else "") if new else said or "nothing to change"))


@customer_app.command("list")
@output_options
def customer_list(ctx: typer.Context, fmt: FormatOpt = Fmt.table):
    """Customers, each with their last completed order and next recurring callback.

    \b
    Examples:
      callbackctl customer list
      callbackctl customer list -f csv > customers.csv
    """
    from callbackctl import customers, recurring

    desk = open_desk(ctx, "customer list")
    emit(recurring.customer_rows(desk), customers.LIST_COLUMNS, fmt, empty="no customers")
