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
    fmt: FormatOpt = Fmt.table,
):
    """Unfinished orders to chase: no provider feedback in time, or late (拖单).

    \b
    Examples:
      callbackctl chase --provider 成都蜀工机械
      callbackctl chase --record -f csv > chase-2026-11-23.csv
    """
    from callbackctl import dispatch

    desk = open_desk(ctx, "chase")
    rows = dispatch.chase_list(desk, region=region, provider=provider)
    if record and rows:
        n = dispatch.record_chases(desk, rows)
        again = len(rows) - n
        note(f"{n} chase(s) recorded at {desk.now_text}" + (
            f"; {again} order(s) chased within the last {desk.policy.rechase_after}, not again" if again else ""))
    emit(rows, dispatch.COLUMNS, fmt, empty="nothing to chase")
