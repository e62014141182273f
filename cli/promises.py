"""promises: every promise the desk made and has not kept yet."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from callbackctl import vocab
from callbackctl.cli.common import Fmt, FormatOpt, choices, emit, open_desk, output_options

PromiseKind = choices("PromiseKind", vocab.PROMISE_KINDS)


@output_options
def promises(
    ctx: typer.Context,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only those whose time has passed.")] = False,
    kind: Annotated[Optional[PromiseKind], typer.Option("--kind", help="reply (an inbound call's), callback (a time "
                                                        "promised to a customer) or complaint (its reply).")] = None,
    fmt: FormatOpt = Fmt.table,
):
    """Every promise not yet kept: replies owed to callers, promised call-backs, complaint replies.

    \b
    Examples:
      callbackctl promises
      callbackctl promises --overdue -f csv > broken-promises.csv
    """
    from callbackctl import promises as promises_mod

    desk = open_desk(ctx, "promises")
    emit(promises_mod.promises(desk, overdue_only=overdue, kind=kind.value if kind else None), promises_mod.COLUMNS,
         fmt, empty="no promises to keep")
