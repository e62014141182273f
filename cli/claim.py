"""claim, release: an agent takes the next due callback; no other agent gets it meanwhile."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from callbackctl.i18n import _
from callbackctl.cli.common import CategoryOpt, Fmt, FormatOpt, OrderNoArg, emit, note, open_desk, output_options, usage


@output_options
def claim(
    ctx: typer.Context,
    agent: Annotated[str, typer.Option("--agent", help="Who is calling.")],
    region: Annotated[Optional[str], typer.Option("--region")] = None,
    provider: Annotated[Optional[str], typer.Option("--provider")] = None,
    engineer: Annotated[Optional[str], typer.Option("--engineer")] = None,
    service_type: Annotated[Optional[str], typer.Option("--type", help="Service type (install, repair, 保养, ...).")] = None,
    category: CategoryOpt = None,
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
                             service_type=service_type, category=category)
    if row is None:
        note(_("no callback due that nobody holds"))
        return
    emit([row], claims.CLAIM_COLUMNS, fmt)


def release(
    ctx: typer.Context,
    order_no: Annotated[str, OrderNoArg],
    agent: Annotated[Optional[str], typer.Option("--agent", help="Whose claim: only that agent's is ended.")] = None,
    force: Annotated[bool, typer.Option("--force", help="End another agent's live claim (a supervisor; needs --reason).")] = False,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why a claim is forced off (kept in the audit log).")] = None,
):
    """End an agent's claim on a callback, so another agent may take it.

    Another agent's live claim is refused with who holds it and until when;
    a supervisor ends it with --force --reason (audited).

    \b
    Examples:
      callbackctl release SY2026110001 --agent 王芳
      callbackctl release SY2026110001 --force --reason "王芳 下班了"
    """
    from callbackctl import duelist

    if force and not (reason or "").strip():
        usage("--force needs --reason (kept in the audit log)")
    if reason and not force:
        usage("--reason goes with --force")
    desk = open_desk(ctx, "release", actor=agent)
    held = duelist.release(desk, order_no, agent, force=reason.strip() if force else None)
    note((_("{order_no}: released (was {agent}'s)") if held else _("{order_no}: nobody held it"))
         .format(order_no=order_no, agent=held))
