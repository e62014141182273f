"""report."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from callbackctl import vocab
from callbackctl.cli.common import Fmt, FormatOpt, choices, echo, emit, note, open_desk, output_options


Period = choices("Period", vocab.PERIODS)
By = choices("By", vocab.GROUPS)
Name = choices("Name", vocab.REPORT_NAMES)


def _date(desk, text, name):
    return desk.when(text, name).date() if text else None


@output_options
def report(
    ctx: typer.Context,
    name: Annotated[Optional[Name], typer.Option("--name", help="A named report: daily (today by region), weekly "
                                                 "(last ISO week by region), providers (last month's provider "
                                                 "evaluation), faults (most frequent faults and parts by product).")] = None,
    period: Annotated[Period, typer.Option("--period", help="day, week (ISO) or month.")] = Period.month,
    by: Annotated[By, typer.Option("--by", help="Group by.")] = By.region,
    date_from: Annotated[Optional[str], typer.Option("--from", metavar="DATE", help="First day (completed_at).")] = None,
    date_to: Annotated[Optional[str], typer.Option("--to", metavar="DATE", help="Last day, included.")] = None,
    chart: Annotated[bool, typer.Option("--chart", help="Also draw satisfaction and completion bars (table only).")] = False,
    fmt: FormatOpt = Fmt.table,
):
    """Callbacks, satisfaction, complaints and chases per period and group.

    \b
    Examples:
      callbackctl report --by provider --from 2026-11-01 --chart
      callbackctl report --name weekly -f csv > weekly.csv
    """
    from callbackctl import reports

    desk = open_desk(ctx, "report")
    first, last = _date(desk, date_from, "from"), _date(desk, date_to, "to")
    if name == Name.faults:
        emit(reports.fault_structure(desk, first, last), reports.FAULT_COLUMNS, fmt, empty="no completed orders in that range")
        return
    plan = reports.plan(name.value if name else None, period.value, by.value, first, last, desk.now.date())
    if name is not None:
        note(f"{name.value} report: {plan.first or 'the start'} to {plan.last or 'now'}")
    rows = reports.report(desk, plan.period, plan.by, plan.first, plan.last)
    columns = plan.columns
    if fmt == Fmt.table and rows:
        emit(rows + [reports.total(rows, plan.by)], columns, fmt)
        if chart:
            echo("\n" + reports.chart(rows, plan.by))  # to --output FILE too
    else:
        emit(rows, columns, fmt, empty="no completed orders, complaints or chases in that range")
