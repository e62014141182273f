"""due, record, followup."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from callbackctl import vocab
from callbackctl.i18n import _
from callbackctl.cli.common import (
    CategoryOpt, DateOrderOpt, DelimiterOpt, EncodingOpt, Fmt, FormatOpt, InputFormatOpt, MapOpt, OrderNoArg, SheetOpt, choices,
    emit, note, open_desk, output_options, reader_options, usage, warn,
)


Reason = choices("Reason", vocab.CALLBACK_REASONS)


Score = lambda name, label: typer.Option(f"--{name}", min=1, max=5, help=f"{label} score, 1-5.")  # noqa: E731


@output_options
def due(
    ctx: typer.Context,
    until: Annotated[Optional[str], typer.Option("--until", metavar="TIME", help="Also what falls due by then ('tomorrow 17:00', '+1d').")] = None,
    region: Annotated[Optional[str], typer.Option("--region")] = None,
    provider: Annotated[Optional[str], typer.Option("--provider")] = None,
    engineer: Annotated[Optional[str], typer.Option("--engineer")] = None,
    service_type: Annotated[Optional[str], typer.Option("--type", help="Service type (install, repair, 保养, ...).")] = None,
    category: CategoryOpt = None,
    reason: Annotated[Optional[Reason], typer.Option("--reason")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only callbacks past their deadline.")] = False,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1)] = None,
    fmt: FormatOpt = Fmt.table,
):
    """Customer callbacks due now (or by --until), soonest deadline first.

    \b
    Examples:
      callbackctl due --region 华北 --limit 20
      callbackctl due --until "tomorrow 17:00" -f csv > due-tomorrow.csv
    """
    from callbackctl import duelist

    desk = open_desk(ctx, "due")
    if service_type is not None:
        from callbackctl import normalize

        try:
            service_type = normalize.service_type(service_type)
        except ValueError as e:
            raise typer.BadParameter(str(e), param_hint="--type")
    rows = duelist.due(
        desk, until=_until(desk, until), region=region, provider=provider,
        engineer=engineer, service_type=service_type, category=category, reason=reason.value if reason else None,
        overdue_only=overdue, limit=limit,
    )
    emit(rows, vocab.DUE_COLUMNS, fmt, empty="no callbacks due")


def _until(desk, text):
    if not text:
        return None
    until = desk.when(text, "until")
    if until < desk.now:
        usage(f"--until: {until:%Y-%m-%d %H:%M:%S} is before now ({desk.now_text}): due lists what is due by then")
    return until


@output_options
def record(
    ctx: typer.Context,
    order_no: Annotated[Optional[str], OrderNoArg] = None,
    outcome: Annotated[Optional[str], typer.Option("--outcome", "-o", metavar="OUTCOME", help="reached, no_answer, busy, hung_up, refused, wrong_number, wrong_person; or as a call log says it: 已接通, 未接通, 占线, 挂断, 拒访, 空号, 非本人.")] = None,
    skill: Annotated[Optional[int], Score("skill", "Service skill 服务技能")] = None,
    attitude: Annotated[Optional[int], Score("attitude", "Attitude 服务态度")] = None,
    timeliness: Annotated[Optional[int], Score("timeliness", "Timeliness 服务及时性")] = None,
    parts: Annotated[Optional[int], Score("parts", "Parts supply 配件供应")] = None,
    overall: Annotated[Optional[int], Score("overall", "Overall 服务综合")] = None,
    satisfaction: Annotated[Optional[str], typer.Option("--satisfaction", "-s", metavar="PHRASE", help="Fill the scores not given: 1-5 (or 4分), 非常满意 .. 非常不满意, 挺好, 还行, very satisfied .. very dissatisfied.")] = None,
    no_rating: Annotated[Optional[str], typer.Option("--no-rating", metavar="REASON", help="A reached customer who gave no rating, and why (declined, no time).")] = None,
    hours: Annotated[Optional[float], typer.Option("--hours", help="Machine hours the customer reads out.")] = None,
    location: Annotated[Optional[str], typer.Option("--location", help="Where the machine works now.")] = None,
    parts_said: Annotated[Optional[str], typer.Option("--parts-replaced", help="Parts the customer says were replaced.")] = None,
    respondent: Annotated[Optional[str], typer.Option("--respondent", metavar="WHO", help="Who answered (受访人): on_site 在现场, aware 知晓服务过程, other 其他 (then the callback stays due).")] = None,
    arrived: Annotated[Optional[str], typer.Option("--arrived", metavar="TIME", help="When the engineer arrived, as the customer says.")] = None,
    finished: Annotated[Optional[str], typer.Option("--finished", metavar="TIME", help="When the engineer finished, as the customer says.")] = None,
    recording: Annotated[Optional[str], typer.Option("--recording", metavar="REF", help="The call recording's id or file (录音).")] = None,
    suggestion: Annotated[Optional[str], typer.Option("--suggestion", metavar="TEXT", help="The customer's suggestions and needs (用户建议).")] = None,
    fee: Annotated[Optional[float], typer.Option("--fee", help="What the customer paid.")] = None,
    genuine: Annotated[Optional[bool], typer.Option("--genuine/--not-genuine", help="Override the checks.")] = None,
    note_text: Annotated[Optional[str], typer.Option("--note")] = None,
    agent: Annotated[Optional[str], typer.Option("--agent", help="Who called [default: your user name].")] = None,
    callback_at: Annotated[Optional[str], typer.Option("--callback-at", metavar="TIME", help="A call-back time promised to the customer.")] = None,
    from_file: Annotated[Optional[str], typer.Option("--from", metavar="FILE", help="Record a batch of calls from CSV/TSV/JSON/JSONL or a workbook (- for stdin).")] = None,
    input_format: InputFormatOpt = None,
    encoding: EncodingOpt = "auto",
    delimiter: DelimiterOpt = None,
    sheet: SheetOpt = None,
    mapping: MapOpt = None,
    date_order: DateOrderOpt = None,
    rejects: Annotated[Optional[str], typer.Option("--rejects", metavar="PATH", help="With --from: also write rejected rows as CSV with an error column.")] = None,
    fmt: FormatOpt = Fmt.table,
):
    """Record a callback: outcome, the five scores and the authenticity checks.

    \b
    Examples:
      callbackctl record SY2026110002 --outcome reached --satisfaction 非常满意 --hours 1240 --location 鹿泉采石场
      callbackctl record SY2026110001 --outcome no_answer --callback-at 15:00
    """
    from callbackctl import calls

    if from_file:
        if order_no or outcome:
            raise typer.BadParameter("give either ORDER_NO --outcome ... or --from FILE, not both")
        from callbackctl import vocab
        from callbackctl.cli.importing import check_files, more_rejected, tell_reading, write_rejects

        options = reader_options(input_format, encoding, delimiter, sheet, mapping, date_order,
                                 tuple(vocab.CALL_COLUMNS))
        check_files(ctx, [from_file], rejects)
        desk = open_desk(ctx, "record", actor=agent)
        done, summary = calls.record_file(desk, from_file, **options)
        emit(done, calls.RECORD_COLUMNS, fmt)
        tell_reading(summary, "call", " (in the audit log)")
        for line, error, _raw in summary.rejects[:5]:
            note(f"{from_file}: line {line}: {error}")
        more_rejected(summary.rejected)
        if rejects:
            write_rejects(rejects, [(line, error, {"file": from_file, **raw}) for line, error, raw in summary.rejects])
        again = _(", {n} recorded before").format(n=summary.unchanged) if summary.unchanged else ""
        note(_("{n} call(s) recorded").format(n=len(done)) + again
             + _(", {n} rejected (batch {batch})").format(n=summary.rejected, batch=summary.batch_id))
        if summary.rejected:
            raise typer.Exit(1)
        return
    if not order_no or outcome is None:
        raise typer.BadParameter("give ORDER_NO and --outcome (or --from FILE)")
    if rejects:
        usage("--rejects goes with --from FILE")
    from callbackctl import normalize, vocab

    try:
        said = normalize.typed_outcome(outcome)
    except ValueError as e:
        usage(f"--outcome: {e}")
    scores = {k: v for k, v in dict(skill=skill, attitude=attitude, timeliness=timeliness, parts=parts,
                                    overall=overall).items() if v is not None}
    if (scores or satisfaction) and said != "reached":
        usage(f"scores need --outcome reached (not {said})")
    from callbackctl import contacts

    if respondent is not None:
        try:
            respondent = normalize.respondent(respondent)
        except ValueError as e:
            usage(f"--respondent: {e}")
    if said == "reached" and respondent != "other" and not (scores or satisfaction or no_rating) \
            and not contacts.is_key(order_no):
        usage("--outcome reached needs the customer's rating: --satisfaction PHRASE or the five scores, "
              "or --no-rating REASON when they gave none")
    desk = open_desk(ctx, "record", actor=agent)
    desk.policy.check_agent(agent)
    call = calls.Call(
        order_no=order_no, outcome=said, scores=scores, satisfaction=satisfaction, hours=hours,
        location=location, parts=parts_said, fee=fee, genuine=genuine, note=note_text, agent=agent,
        callback_at=desk.when(callback_at, "callback_at") if callback_at else None, no_rating=no_rating,
        respondent=respondent, arrived=desk.when(arrived, "arrived") if arrived else None,
        finished=desk.when(finished, "finished") if finished else None, recording=recording, suggestion=suggestion,
    )
    if calls.already_recorded(desk, call):  # the same command again (a shell's CALLBACKCTL_NOW, a retried script)
        note(_("{order_no}: this call ({outcome} at {at}) was recorded before; nothing changed")
             .format(order_no=order_no.strip(), outcome=said, at=desk.now_text))
        return
    row = calls.record(desk, call)
    for warning in row.pop("warnings", []):
        warn(warning)
    emit([row], calls.RECORD_COLUMNS, fmt)


followup_app = typer.Typer(help="Orders handed back for a second visit or a contact check.", no_args_is_help=True, rich_markup_mode=None,
                   add_completion=False)


@followup_app.command("list")
@output_options
def followup_list(ctx: typer.Context, fmt: FormatOpt = Fmt.table):
    """Open follow-ups: dissatisfied, not genuine, invalid contact, unreachable.

    \b
    Examples:
      callbackctl followup list
      callbackctl followup list -f csv > followups.csv
    """
    from callbackctl import followups

    desk = open_desk(ctx, "followup list")
    emit(followups.followups(desk), followups.FOLLOWUP_COLUMNS, fmt, empty="no open follow-ups")


@followup_app.command("done")
def followup_done(
    ctx: typer.Context,
    order_no: Annotated[str, OrderNoArg],
    at: Annotated[Optional[str], typer.Option("--at", metavar="TIME", help="When the second visit was [default: now].")] = None,
):
    """Record the second visit (二次服务); a second callback falls due after it.

    \b
    Examples:
      callbackctl followup done SY2026110017
      callbackctl followup done SY2026110017 --at "today 10:20"
    """
    from callbackctl import followups

    desk = open_desk(ctx, "followup done")
    n, before = followups.followup_done(desk, order_no, desk.when(at, "at") if at else None)
    if before:
        note(f"{order_no}: the second visit was recorded already, at {before}; nothing changed")
    else:
        note(_("{order_no}: {n} follow-up(s) done; a second callback falls due").format(order_no=order_no, n=n))


@followup_app.command("verify")
def followup_verify(
    ctx: typer.Context,
    order_no: Annotated[str, OrderNoArg],
    phone: Annotated[str, typer.Option("--phone", help="The checked, correct number.")],
    reason: Annotated[str, typer.Option("--reason", help="How it was checked: kept in the audit log.")],
):
    """Record a checked phone number (contact verification, not a second visit).

    \b
    Examples:
      callbackctl followup verify SY2026110017 --phone 13911112222 --reason "经销商核实"
    """
    from callbackctl import followups

    desk = open_desk(ctx, "followup verify")
    number = followups.verify_contact(desk, order_no, phone, reason)
    note(f"{order_no}: phone {number} verified; the invalid contact stays counted where it was found")
