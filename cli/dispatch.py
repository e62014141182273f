"""chase."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from callbackctl.cli.common import Fmt, FormatOpt, emit, note, open_desk, output_options


@output_options
def chase(
    ctx: typer.Context,
    record: Annotated[bool, typer.Option("--record", help="Log one chase per listed order at now.")] = False,
    region: Annotated[Optional[str], typer.Option("--region")] = None,
    provider: Annotated[Optional[str], typer.Option("--provider")] = None,
    end_of_day: Annotated[bool, typer.Option("--end-of-day", help="The daily clean-up (日清日结): every unfinished "
                                             "order, those with no other reason as end_of_day; the next working "
                                             "day they are leftovers until chased again.")] = False,
    fmt: FormatOpt = Fmt.table,
):
    """Unfinished orders to chase: no provider feedback in time, late (拖单), chased by the customer.

    \b
    Examples:
      callbackctl chase --provider 成都蜀工机械
      callbackctl chase --record --end-of-day -f csv > chase-2026-11-23.csv
    """
    from callbackctl import dispatch
    from callbackctl.i18n import _

    desk = open_desk(ctx, "chase")
    rows = dispatch.chase_list(desk, region=region, provider=provider, end_of_day=end_of_day)
    if record and rows:
        n = dispatch.record_chases(desk, rows, end_of_day=end_of_day)
        again = len(rows) - n
        if end_of_day:
            note(_("{n} chase(s) recorded at {now}").format(n=n, now=desk.now_text) + (
                _("; {again} order(s) chased within the last {rechase_after} or since today's clean-up began, not again")
                .format(again=again, rechase_after=desk.policy.rechase_after) if again else ""))
        else:
            note(f"{n} chase(s) recorded at {desk.now_text}" + (
                f"; {again} order(s) chased within the last {desk.policy.rechase_after}, not again" if again else ""))
    emit(rows, dispatch.COLUMNS, fmt, empty="nothing to chase")
