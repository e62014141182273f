"""claim, release: an agent takes the next due callback; no other agent gets it meanwhile."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from callbackctl.i18n import _
from callbackctl.cli.common import Fmt, FormatOpt, OrderNoArg, emit, note, open_desk, output_options


@output_options
def claim(
    ctx: typer.Context,
    agent: Annotated[str, typer.Option("--agent", help="Who is calling.")],
    region: Annotated[Optional[str], typer.Option("--region")] = None,
    provider: Annotated[Optional[str], typer.Option("--provider")] = None,
    engineer: Annotated[Optional[str], typer.Option("--engineer")] = None,
    service_type: Annotated[Optional[str], typer.Option("--type", help="Service type (install, repair, 保养, ...).")] = None,
    fmt: FormatOpt = Fmt.table,
):
    """Claim the next due callback for an agent and print it (until callback.claim_for lapses).

    The agent's own claim comes first, then the first callback nobody holds, in
    the due list's order. Recording a call on the order, or `release`, ends it.

    \b
    Examples:
      callbackctl claim --agent 王芳
      callbackctl claim --agent 王芳 --region 华北 -f json
    """
    from callbackctl import claims, duelist, normalize

    desk = open_desk(ctx, "claim", actor=agent)
    if service_type is not None:
        try:
            service_type = normalize.service_type(service_type)
        except ValueError as e:
            raise typer.BadParameter(str(e), param_hint="--type")
    row = duelist.claim_next(desk, agent, region=region, provider=provider, engineer=engineer,
                             service_type=service_type)
    if row is None:
        note(_("no callback due that nobody holds"))
        return
    emit([row], claims.CLAIM_COLUMNS, fmt)


def release(ctx: typer.Context, order_no: Annotated[str, OrderNoArg]):
    """End the claim on a callback, so another agent may take it.

    \b
    Examples:
      callbackctl release SY2026110001
    """
    from callbackctl import duelist

    desk = open_desk(ctx, "release")
    held = duelist.release(desk, order_no)
    note((_("{order_no}: released (was {agent}'s)") if held else _("{order_no}: nobody held it"))
         .format(order_no=order_no, agent=held))
