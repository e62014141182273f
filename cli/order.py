"""order set, order cancel: correcting an order, with the reason in the audit log."""

from __future__ import annotations

from typing import Annotated, List, Optional

import typer

from callbackctl.cli.common import OrderNoArg, note, open_desk, usage

order_app = typer.Typer(help="Correct an order: set or clear its fields, or cancel it (in the audit log).",
                        no_args_is_help=True, rich_markup_mode=None, add_completion=False)

Reason = Annotated[str, typer.Option("--reason", help="Why: kept in the audit log (required).")]


@order_app.command("set", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
def order_set(
    ctx: typer.Context,
    order_no: Annotated[str, OrderNoArg],
    reason: Reason,
    clear: Annotated[Optional[List[str]], typer.Option("--clear", metavar="FIELD", help="Erase a field (repeatable).")] = None,
):
    """Set fields as an import reads them (--phone, --completed-at, --engineer, ...), or --clear them.

    Any field of an order but order_no, as the import's column names it, with
    dashes or underscores (a wrong one is named with the list of fields).

    \b
    Examples:
      callbackctl order set SY2026110017 --phone 13911112222 --reason "客户来电更正号码"
      callbackctl order set SY2026110017 --clear location --reason "服务地点填错"
    """
    from callbackctl import orders

    values = _field_values(ctx.args)
    if not values and not clear:
        usage("give the fields to set (--FIELD VALUE) or to clear (--clear FIELD)")
    desk = open_desk(ctx, "order set")
    number, changed = orders.correct(desk, order_no, values, [c.replace("-", "_") for c in clear or []], reason)
    note(f"{number}: " + (", ".join(f"{k} = {v!r}" for k, v in changed.items()) if changed else "nothing to change"))


def _field_values(args) -> dict:
    """--completed-at "2026-11-20 15:00" --fee 350 -> {"completed_at": ..., "fee": ...}."""
    values, i = {}, 0
    while i < len(args):
        name = args[i]
        if not name.startswith("--") or i + 1 >= len(args):
            usage(f"expected --FIELD VALUE, got {name!r}")
        values[name[2:].replace("-", "_")] = args[i + 1]
        i += 2
    return values


@order_app.command("cancel")
def order_cancel(ctx: typer.Context, order_no: Annotated[str, OrderNoArg], reason: Reason):
    """Cancel an order (a duplicate, a mistake): it is no longer called back nor chased.

    \b
    Examples:
      callbackctl order cancel SY2026110024 --reason "重复工单"
    """
    from callbackctl import orders

    desk = open_desk(ctx, "order cancel")
    number, changed = orders.cancel(desk, order_no, reason)
    note(f"{number}: " + ("cancelled" if changed else "was cancelled already"))


@order_app.command("revert")
def order_revert(ctx: typer.Context, order_no: Annotated[str, OrderNoArg],
                 field: Annotated[str, typer.Argument(metavar="FIELD", help="The corrected field (phone, status, ...).")],
                 reason: Reason):
    """Hand a corrected field back to imports: the value the last import gave returns.

    A field changed at the desk (order set, order cancel, followup verify) is
    kept whatever later imports bring; `show ORDER` lists such corrections.

    \b
    Examples:
      callbackctl order revert SY2026110017 phone --reason "经销商系统已更正"
    """
    from callbackctl import orders

    desk = open_desk(ctx, "order revert")
    number, changed = orders.revert(desk, order_no, field, reason)
    shown = {("status" if k == "status_given" else k): v for k, v in changed.items() if k != "phone_valid"}
    note(f"{number}: {field} handed back to imports" + (
        ": " + ", ".join(f"{k} = {v!r}" for k, v in shown.items()) if shown else " (the value is the same)"))
