"""complaint and apology."""

from __future__ import annotations

import sys
from typing import Annotated, List, Optional

import typer

from callbackctl import vocab
from callbackctl.cli.common import Fmt, FormatOpt, choices, emit, note, open_desk, output_options, usage

complaint_app = typer.Typer(help="Complaints (投诉): add, list, escalate, respond, resolve, close.", no_args_is_help=True, rich_markup_mode=None,
                   add_completion=False)
apology_app = typer.Typer(help="Apology calls (致歉) by a desk agent found at fault.", no_args_is_help=True, rich_markup_mode=None,
                   add_completion=False)


Against = choices("Against", vocab.COMPLAINT_AGAINST)
Severity = choices("Severity", vocab.SEVERITIES)
ApologyOutcome = choices("ApologyOutcome", vocab.APOLOGY_OUTCOMES)


Id = Annotated[int, typer.Argument(metavar="ID")]


@complaint_app.command("add")
def add(
    ctx: typer.Context,
    against: Annotated[Against, typer.Option("--against", help="Who or what the complaint is about.")],
    text: Annotated[str, typer.Option("--text", help="What the customer said.")],
    order: Annotated[Optional[str], typer.Option("--order", metavar="ORDER_NO")] = None,
    phone: Annotated[Optional[str], typer.Option("--phone", help="When there is no order.")] = None,
    severity: Annotated[Severity, typer.Option("--severity", help="special: property loss, injury, media (straight to the manager).")] = Severity.general,
    target: Annotated[Optional[str], typer.Option("--target", metavar="NAME", help="The engineer, provider or agent named.")] = None,
    customer: Annotated[Optional[str], typer.Option("--customer")] = None,
    vip: Annotated[bool, typer.Option("--vip", help="A high-value customer (taken from the order when there is one).")] = False,
):
    """File a complaint; prints its id.

    \b
    Examples:
      callbackctl complaint add --order SY2026110017 --against agent --target 小王 --text "客服语气生硬"
      callbackctl complaint add --phone 13912345678 --against provider --target 成都蜀工机械 --severity special --text "维修时碰坏了液压管"
    """
    from callbackctl import complaints

    if bool(order) == bool(phone):
        usage("give --order ORDER_NO or --phone PHONE")
    desk = open_desk(ctx, "complaint add")
    typer.echo(complaints.add(desk, against.value, severity.value, text, order_no=order, phone=phone,
                              target=target, customer=customer, vip=vip))


@complaint_app.command("list")
@output_options
def list_(
    ctx: typer.Context,
    open_: Annotated[bool, typer.Option("--open", help="Only complaints not closed.")] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only those whose reply is late.")] = False,
    fmt: FormatOpt = Fmt.table,
):
    """List complaints with their reply deadline.

    \b
    Examples:
      callbackctl complaint list --open
      callbackctl complaint list --overdue -f csv > overdue-complaints.csv
    """
    from callbackctl import complaints

    desk = open_desk(ctx, "complaint list")
    emit(complaints.listing(desk, open_only=open_, overdue_only=overdue), complaints.COLUMNS, fmt,
         empty="no complaints")


def _step(action, doc):
    def command(ctx: typer.Context, complaint_id: Id,
                text: Annotated[Optional[str], typer.Option("--text", help="What was answered or done.")] = None):
        from callbackctl import complaints

        desk = open_desk(ctx, f"complaint {action}")
        c = complaints.step(desk, complaint_id, action, text)
        note(f"complaint {complaint_id}: {c['status']}")

    command.__doc__ = doc
    return command


complaint_app.command("escalate")(_step("escalate", "Hand a complaint to the team lead and the region's engineer.\n\n"
                                                   "\b\nExamples:\n"
                                                   "  callbackctl complaint escalate 1 --text \"转组长和华北区域工程师\"\n"))
complaint_app.command("respond")(_step("respond", "Record the engineer's answer (due within reply_within).\n\n"
                                                 "\b\nExamples:\n"
                                                 "  callbackctl complaint respond 1 --text \"已核实，工程师明天上门\"\n"))
complaint_app.command("resolve")(_step("resolve", "Record that the problem was settled.\n\n"
                                                 "\b\nExamples:\n"
                                                 "  callbackctl complaint resolve 1 --text \"已向客户道歉并回访\"\n"))


@complaint_app.command("close")
def close(
    ctx: typer.Context,
    complaint_id: Id,
    satisfied: Annotated[Optional[bool], typer.Option("--satisfied/--unsatisfied", help="The customer's word in the closing callback.")] = None,
):
    """Close after a callback in which the customer is satisfied; --unsatisfied reopens.

    \b
    Examples:
      callbackctl complaint close 1 --satisfied
    """
    from callbackctl import complaints

    if satisfied is None:
        raise typer.BadParameter("say --satisfied or --unsatisfied (what the customer said in the callback)")
    desk = open_desk(ctx, "complaint close")
    c = complaints.step(desk, complaint_id, "close" if satisfied else "reopen")
    note(f"complaint {complaint_id}: {c['status']}" + ("" if satisfied else " again (reopened)"))


@apology_app.command("open")
@output_options
def apology_open(ctx: typer.Context, complaint_id: Annotated[int, typer.Argument(metavar="COMPLAINT_ID")],
                 fmt: FormatOpt = Fmt.table):
    """Start an apology for a complaint against an agent found at fault, or record why none is made.

    \b
    Examples:
      callbackctl apology open 1
    """
    from callbackctl import complaints

    desk = open_desk(ctx, "apology open")
    a = complaints.open_apology(desk, complaint_id)
    emit([a], complaints.APOLOGY_COLUMNS, fmt)
    if a["skip_reason"]:
        note(f"no apology call: {a['skip_reason']}")


@apology_app.command("due")
@output_options
def apology_due(ctx: typer.Context, fmt: FormatOpt = Fmt.table):
    """Apology calls allowed now (inside the windows, attempts left).

    \b
    Examples:
      callbackctl apology due
    """
    from callbackctl import complaints

    desk = open_desk(ctx, "apology due")
    emit(complaints.due_apologies(desk), complaints.DUE_COLUMNS, fmt, empty="no apology calls allowed now")


@apology_app.command("record")
@output_options
def apology_record(
    ctx: typer.Context,
    apology_id: Id,
    outcome: Annotated[ApologyOutcome, typer.Option("--outcome")],
    note_text: Annotated[Optional[str], typer.Option("--note", help="Why, when refused or hung up.")] = None,
    fmt: FormatOpt = Fmt.table,
):
    """Record an apology call; a refusal, a hang-up or the last attempt queues an SMS.

    \b
    Examples:
      callbackctl apology record 1 --outcome accepted
      callbackctl apology record 1 --outcome hung_up --note "客户挂断"
    """
    from callbackctl import complaints

    desk = open_desk(ctx, "apology record")
    emit([complaints.record_apology(desk, apology_id, outcome.value, note_text)], complaints.APOLOGY_COLUMNS, fmt)


@apology_app.command("sms")
@output_options
def apology_sms(
    ctx: typer.Context,
    mark_sent: Annotated[bool, typer.Option("--mark-sent", hidden=True)] = False,
    fmt: FormatOpt = Fmt.table,
):
    """Apology messages to send: id, phone, text (mark them with `apology sent`).

    \b
    Examples:
      callbackctl apology sms -f csv > apology-sms.csv
    """
    from callbackctl import complaints

    if mark_sent:
        usage("--mark-sent would also mark a message queued after you listed them: mark the ones your gateway "
              "sent with `callbackctl apology sent ID...` (or `apology sent -` with the CSV `sms` wrote)")
    desk = open_desk(ctx, "apology sms")
    emit(complaints.sms(desk), complaints.SMS_COLUMNS, fmt, empty="no apology messages to send")


@apology_app.command("sent")
def apology_sent(
    ctx: typer.Context,
    ids: Annotated[List[str], typer.Argument(metavar="ID...", help="Apology ids, or - to read them (or the CSV `apology sms` wrote) from stdin.")],
):
    """Mark exactly these apology messages as sent (a message queued since stays to send).

    With -, the ids are read from stdin, or the CSV `apology sms -f csv` wrote:
    `callbackctl apology sent - < apology-sms.csv`.

    \b
    Examples:
      callbackctl apology sent 1
    """
    from callbackctl import complaints

    numbers = _ids(sys.stdin.read() if ids == ["-"] else " ".join(ids))
    desk = open_desk(ctx, "apology sent")
    marked, before = complaints.sms_sent(desk, numbers)
    note(f"{len(marked)} apology message(s) marked sent" + (f"; sent before: {', '.join(map(str, before))}" if before else ""))


def _ids(text: str) -> list[int]:
    """Ids as typed (1 2, 1,2, one a line) or the `id` column of the CSV `apology sms` wrote."""
    lines = text.strip().splitlines()
    if lines and lines[0].split(",")[0].strip().lstrip("\ufeff") == "id":
        import csv

        words = [row["id"] for row in csv.DictReader(lines, skipinitialspace=True) if row.get("id")]
    else:
        words = text.replace(",", " ").split()
    if not words:
        usage("no apology ids given")
    bad = [w for w in words if not w.strip().isdigit()]
    if bad:
        usage(f"{bad[0]!r} is not an apology id")
    return [int(w) for w in words]


@apology_app.command("list")
@output_options
def apology_list(ctx: typer.Context, fmt: FormatOpt = Fmt.table):
    """Every apology with its state and whether it missed close_within.

    \b
    Examples:
      callbackctl apology list
    """
    from callbackctl import complaints

    desk = open_desk(ctx, "apology list")
    emit(complaints.apologies(desk), complaints.APOLOGY_COLUMNS, fmt, empty="no apologies")
