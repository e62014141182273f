"""call void: take a call entered by mistake out of every count, with the reason."""

from __future__ import annotations

from typing import Annotated

import typer

from callbackctl.cli.common import note, open_desk

call_app = typer.Typer(help="Correct a recorded call.", no_args_is_help=True, rich_markup_mode=None,
                       add_completion=False)


@call_app.callback()
def call_group():
    """Correct a recorded call."""


@call_app.command("void")
def call_void(
    ctx: typer.Context,
    call_id: Annotated[str, typer.Argument(metavar="CALL_ID", help="As `record` prints it (call_id) and `show` lists it: a number, or R12 for a recurring call.")],
    reason: Annotated[str, typer.Option("--reason", help="Why: kept in the audit log (required).")],
):
    """Void a call entered by mistake: it counts nowhere, and `show` lists it as voided.

    \b
    Examples:
      callbackctl call void 3 --reason "录错工单"
    """
    from callbackctl import calls

    call_id = calls.call_id(call_id)
    desk = open_desk(ctx, "call void")
    call = calls.void(desk, call_id, reason)
    if call["voided_before"]:
        note(f"call {call_id} ({call['order_no']}) was voided already, at {call['voided_before']}")
    else:
        note(f"call {call_id} ({call['order_no']}, {call['called_at']}, {call['outcome']}) voided")
