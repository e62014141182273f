"""contact add, list, reply: the desk's inbound calls (来电登记, 首问制) and the replies they owe."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from callbackctl import vocab
from callbackctl.cli.common import Fmt, FormatOpt, choices, emit, note, open_desk, output_options, usage
from callbackctl.i18n import _

contact_app = typer.Typer(help="Inbound calls (来电登记): register each one, list them, give the reply owed.",
                          no_args_is_help=True, rich_markup_mode=None, add_completion=False)

Against = choices("Against", vocab.COMPLAINT_AGAINST)
Severity = choices("Severity", vocab.SEVERITIES)
KindHelp = "consultation, service, complaint or chase (also 咨询, 服务, 投诉, 催单)."


@contact_app.command("add")
def add(
    ctx: typer.Context,
    phone: Annotated[str, typer.Option("--phone", help="The caller's number (find their orders first: `find`).")],
    kind: Annotated[str, typer.Option("--kind", metavar="KIND", help=KindHelp + " A complaint is also filed; a chase "
                                      "puts the order on the chase list (reason customer).")],
    text: Annotated[str, typer.Option("--text", help="What the caller said.")],
    order: Annotated[Optional[str], typer.Option("--order", metavar="ORDER_NO", help="The order the call is about "
                                                 "(required for a chase).")] = None,
    answered: Annotated[bool, typer.Option("--answered", help="Answered on the spot: no reply is owed.")] = False,
    customer: Annotated[Optional[str], typer.Option("--customer", help="The caller's name [default: the order's "
                                                    "customer].")] = None,
    agent: Annotated[Optional[str], typer.Option("--agent", help="Who took the call (首问: they own it).")] = None,
    against: Annotated[Optional[Against], typer.Option("--against", help="A complaint: who or what it is about.")] = None,
    severity: Annotated[Optional[Severity], typer.Option("--severity", help="A complaint: special for property loss, "
                                                         "injury, media [default: general].")] = None,
    target: Annotated[Optional[str], typer.Option("--target", metavar="NAME", help="A complaint: the engineer, provider "
                                                  "or agent named.")] = None,
    vip: Annotated[bool, typer.Option("--vip", help="A complaint: a high-value customer.")] = False,
):
    """Register an inbound call; prints its id. Without --answered a reply is owed within contact.reply_within.

    \b
    Examples:
      callbackctl contact add --phone 13222029729 --order SY2026110009 --kind chase --text "师傅还没联系"
      callbackctl contact add --phone "139 1111 2222" --kind consultation --text "保养周期多久" --answered
    """
    from callbackctl import contacts

    kind = contacts.kind_of(kind)  # a bad kind is refused before the desk is opened
    if kind != "complaint" and (against or severity or target or vip):
        usage(f"--against, --severity, --target and --vip are a complaint's: give --kind complaint, not {kind}")
    complaint = ({"against": against.value if against else None, "severity": severity.value if severity else None,
                  "target": target, "vip": vip} if kind == "complaint" else None)
    desk = open_desk(ctx, "contact add", actor=agent)
    row = contacts.add(desk, phone, kind, text, order_no=order, answered=answered, customer=customer, agent=agent,
                       complaint=complaint)
    typer.echo(row["id"])
    if row["complaint_id"]:
        note(_("complaint {id} filed (callbackctl complaint list)").format(id=row["complaint_id"]))
    if kind == "chase":
        note(_("{order_no} is on the chase list (reason customer) until the provider's next feedback")
             .format(order_no=row["order_no"]))
    if not row["answered"]:
        note(_("{key}: a reply is owed by {deadline}").format(key=row["key"], deadline=row["reply_due"]))


@contact_app.command("list")
@output_options
def list_(
    ctx: typer.Context,
    open_: Annotated[bool, typer.Option("--open", help="Only the replies still owed.")] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only owed replies past their deadline.")] = False,
    kind: Annotated[Optional[str], typer.Option("--kind", metavar="KIND", help=KindHelp)] = None,
    fmt: FormatOpt = Fmt.table,
):
    """List inbound calls with the reply each owes and its deadline.

    \b
    Examples:
      callbackctl contact list --open
      callbackctl contact list --kind chase -f csv > chases-by-customers.csv
    """
    from callbackctl import contacts

    if kind is not None:
        contacts.kind_of(kind)
    desk = open_desk(ctx, "contact list")
    emit(contacts.listing(desk, open_only=open_, overdue_only=overdue, kind=kind), vocab.CONTACT_COLUMNS, fmt,
         empty="no inbound calls")


@contact_app.command("reply")
def reply(
    ctx: typer.Context,
    contact_id: Annotated[str, typer.Argument(metavar="ID", help="As `contact add` printed it, or its key C-12.")],
    text: Annotated[str, typer.Option("--text", help="What the caller was told.")],
    agent: Annotated[Optional[str], typer.Option("--agent", help="Who called back.")] = None,
):
    """Record the reply owed to an inbound call (a call that reached the caller); it closes it.

    \b
    Examples:
      callbackctl contact reply 3 --text "已查到附近网点地址，短信发给客户"
    """
    from callbackctl import contacts

    number = contacts.number(contact_id)
    desk = open_desk(ctx, "contact reply", actor=agent)
    row, before = contacts.reply(desk, number, text, agent=agent)
    if before:
        note(_("{key} was replied to already, at {at}; nothing changed").format(key=row["key"], at=before))
    elif row["overdue"] or (row["replied_at"] or "") > (row["reply_due"] or ""):
        note(_("{key}: replied at {at}, late (due {deadline})").format(key=row["key"], at=row["replied_at"],
                                                                       deadline=row["reply_due"]))
    else:
        note(_("{key}: replied at {at}").format(key=row["key"], at=row["replied_at"]))
