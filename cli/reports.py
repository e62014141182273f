"""report."""

from __future__ import annotations

import enum
from typing import Annotated, Optional

import typer

from callbackctl.cli.common import Fmt, FormatOpt, emit, open_desk


class Period(str, enum.Enum):
    day = "day"
    week = "week"
    month = "month"


class By(str, enum.Enum):
    region = "region"
    provider = "provider"
    engineer = "engineer"
    service_type = "service_type"
    agent = "agent"


def _date(desk, text, name):
    return desk.when(text, name).date() if text else None


def report(
    ctx: typer.Context,
    period: Annotated[Period, typer.Option("--period", help="day, week (ISO) or month.")] = Period.month,
    by: Annotated[By, typer.Option("--by", help="Group by.")] = By.region,
    date_from: Annotated[Optional[str], typer.Option("--from", metavar="DATE", help="First day (completed_at).")] = None,
    date_to: Annotated[Optional[str], typer.Option("--to", metavar="DATE", help="Last day, included.")] = None,
    chart: Annotated[bool, typer.Option("--chart", help="Also draw satisfaction and completion bars (table only).")] = False,
    fmt: FormatOpt = Fmt.table,
):
    """Callbacks, satisfaction, complaints and chases per period and group."""
    from callbackctl import reports

    desk = open_desk(ctx, "report")
    rows = reports.report(desk, period.value, by.value, _date(desk, date_from, "--from"), _date(desk, date_to, "--to"))
    if fmt == Fmt.table and rows:
        emit(rows + [reports.total(rows, by.value)], reports.columns(by.value), fmt)
        if chart:
            typer.echo("\n" + reports.chart(rows, by.value), nl=False)
    else:
        emit(rows, reports.columns(by.value), fmt, empty="no completed orders, complaints or chases in that range")


def register(app: typer.Typer):
    app.command("report")(report)
