"""find."""

from __future__ import annotations

from typing import Annotated

import typer

from callbackctl.cli.common import Fmt, FormatOpt, emit, note, open_desk, output_options


@output_options
def find(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="A phone number in any format or its last 4+ digits, "
                                                            "part of a name, an order number or a serial number.")],
    limit: Annotated[int, typer.Option("--limit", min=0, help="At most this many orders; 0 for all.")] = 50,
    fmt: FormatOpt = Fmt.table,
):
    """Orders by phone, name, order number or serial, with what is open for each.

    The phone may be typed any way (spaces, dashes, +86, full-width digits) or
    be its last 4 or more digits; a name matches part of the customer's; an
    order number matches in any case, whole or its start; a serial matches
    whole. Columns callback, followup, complaint and chase say what is open
    now. Nothing found is an empty listing (exit 0).

    \b
    Examples:
      callbackctl find "188 3380 1412"
      callbackctl find "wang fang" -f csv > wang-fang.csv
    """
    from callbackctl import find as find_mod

    desk = open_desk(ctx, "find")
    rows, more = find_mod.find(desk, text, limit=limit)
    if more:
        note(f"more than {limit} orders match {text.strip()!r}: showing {limit} "
             "(type more of it, or --limit 0 for all)")
    emit(rows, find_mod.COLUMNS, fmt, empty=f"no order matches {text.strip()!r}")
