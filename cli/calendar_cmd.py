"""calendar [YEAR], calendar load FILE."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from callbackctl.cli.common import Fmt, FormatOpt, emit, note, open_desk, output_options, reads, usage


@output_options
def calendar(
    ctx: typer.Context,
    year: Annotated[Optional[str], typer.Argument(metavar="[YEAR | load]", show_default=False,
                                                  help="The year [default: the year of --now], or `load` and "
                                                       "the State Council's notice.")] = None,
    file: Annotated[Optional[str], typer.Argument(metavar="[FILE]", show_default=False,
                                                  help="The notice, after `load`.")] = None,
    fmt: FormatOpt = Fmt.table,
):
    """The year's days off on weekdays and working days on weekends, with their source;
    or load a year's holiday notice.

    Columns: date, weekday, kind (day_off or workday), name (元旦, 春节, ... where known)
    and source: official (the chinesecalendar package), official (loaded) (a notice the
    desk loaded), policy ([calendar] holidays and workdays) or predicted (a statutory
    holiday of a year without official data yet).

    `calendar load FILE` reads the State Council's notice (国务院办公厅关于YYYY年部分节假日
    安排的通知) as published, the text or the page saved from the government's site, and
    stores that year's days off and make-up working days in the desk. It prints the
    days it read; a text it cannot read whole is refused and nothing is loaded.

    \b
    Examples:
      callbackctl calendar 2027 -f csv
      callbackctl calendar load 2026.txt
    """
    from callbackctl.calendar import EXCEPTION_COLUMNS

    if year == "load":
        return _load(ctx, file, fmt)
    if file is not None:
        usage(f"calendar takes one year, or `load FILE` (got {year} {file})")
    if year is not None and not (year.isdigit() and 1900 <= int(year) <= 2200):
        usage(f"calendar: {year!r} is not a year between 1900 and 2200, nor `load FILE`")
    desk = open_desk(ctx, "calendar")
    year = int(year) if year else desk.now.year
    emit(desk.cal.exceptions(year), EXCEPTION_COLUMNS, fmt,
         empty=f"{year}: no days off on weekdays and no working days on weekends")


def _load(ctx, path, fmt):
    from callbackctl import notices
    from callbackctl.notice import ROW_COLUMNS

    if path is None:
        usage("calendar load: name the notice's file (text, or the page saved as HTML)")
    reads(ctx, path)
    read = notices.read(path)
    desk = open_desk(ctx, "calendar")
    changed = notices.store(desk, read, path)
    desk.reload_calendar()
    emit(read.rows(), ROW_COLUMNS, fmt)
    said = f"{read.year}: {len(read.days_off)} days off, {len(read.workdays)} make-up working days"
    note(f"loaded {said}" if changed else f"{said}: loaded already, unchanged")
