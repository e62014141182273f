"""calendar."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from callbackctl.cli.common import Fmt, FormatOpt, emit, open_desk, output_options


@output_options
def calendar(
    ctx: typer.Context,
    year: Annotated[Optional[int], typer.Argument(metavar="[YEAR]", min=1900, max=2200,
                                                  help="The year [default: the year of --now].")] = None,
    fmt: FormatOpt = Fmt.table,
):
    """The year's days off on weekdays and working days on weekends, with their source.

    Columns: date, weekday, kind (day_off or workday), name (元旦, 春节, ... where known)
    and source: official (the chinesecalendar package), policy ([calendar] holidays and
    workdays) or predicted (a statutory holiday of a year without official data yet).

    \b
    Examples:
      callbackctl calendar
      callbackctl calendar 2027 -f csv
    """
    from callbackctl.calendar import EXCEPTION_COLUMNS

    desk = open_desk(ctx, "calendar")
    year = year or desk.now.year
    emit(desk.cal.exceptions(year), EXCEPTION_COLUMNS, fmt,
         empty=f"{year}: no days off on weekdays and no working days on weekends")
