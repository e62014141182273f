"""report."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from callbackctl import clock, vocab
from callbackctl.cli.common import Fmt, FormatOpt, choices, echo, emit, note, open_desk, output_options, warn


Period = choices("Period", vocab.PERIODS)
By = choices("By", vocab.GROUPS)
Name = choices("Name", vocab.REPORT_NAMES)


def _date(desk, text, name):
    return desk.when(text, name).date() if text else None


@output_options
def report(
    ctx: typer.Context,
    name: Annotated[Optional[Name], typer.Option("--name", help="A named report: daily (today by region, and the day's "
                                                 "calls by agent), weekly (last ISO week by region), monthly (last "
                                                 "month by region), providers (last month's provider evaluation), "
                                                 "faults (most frequent faults and parts by product); the detail "
                                                 "forms not-genuine, dissatisfied, bad-contact (today's calls that "
                                                 "found it), provider-monthly, complaints-monthly (last month). With "
                                                 "-f xlsx, all but providers and faults are the head office's forms.")
                                   ] = None,
    period: Annotated[Period, typer.Option("--period", help="day, week (ISO) or month.")] = Period.month,
    by: Annotated[By, typer.Option("--by", help="Group by (product: 机型, category: 品类) [default: region, or the "
                                                "named report's].")] = By.region,
    date_from: Annotated[Optional[str], typer.Option("--from", metavar="DATE", help="First day (completed_at).")] = None,
    date_to: Annotated[Optional[str], typer.Option("--to", metavar="DATE", help="Last day, included.")] = None,
    region: Annotated[Optional[str], typer.Option("--region", metavar="R", help="Only this region's orders "
                                                  "(and their calls, complaints and chases).")] = None,
    product: Annotated[Optional[str], typer.Option("--product", metavar="P", help="Only this product's (机型) "
                                                   "orders.")] = None,
    category: Annotated[Optional[str], typer.Option("--category", metavar="C", help="Only this 品类's orders "
                                                    "(空调, 挖掘机).")] = None,
    by_person: Annotated[Optional[str], typer.Option("--by-person", metavar="NAME", help="制表人 on a form (-f xlsx "
                                                     "of daily, weekly, monthly) [default: the policy's [desk] "
                                                     "preparer, else left blank to be signed].")] = None,
    chart: Annotated[bool, typer.Option("--chart", help="Also draw satisfaction and completion bars (table only).")] = False,
    fmt: FormatOpt = Fmt.table,
):
    """Callbacks, satisfaction, complaints and chases per period and group.

    \b
    Examples:
      callbackctl report --by provider --from 2026-11-01 --chart
      callbackctl report --name monthly -o monthly.xlsx
    """
    from callbackctl import reports

    desk = open_desk(ctx, "report", actor=by_person)
    keep = {"region": region, "product": product, "category": category}  # the orders the report keeps
    first, last = _date(desk, date_from, "from"), _date(desk, date_to, "to")
    clock.check_range(first, last)
    if name == Name.faults:
        emit(reports.fault_structure(desk, first, last, **keep), reports.FAULT_COLUMNS, fmt,
             empty="no completed orders in that range")
        return
    if name is not None and name.value in vocab.REVIEW_NAMES:
        _review(ctx, desk, name.value, first, last, keep, by_person, fmt)
        return
    by_given = getattr(ctx.get_parameter_source("by"), "name", "DEFAULT") != "DEFAULT"
    plan = reports.plan(name.value if name else None, period.value, by.value, first, last, desk.now.date(), by_given)
    if name is not None:
        note(f"{name.value} report: {plan.first or 'the start'} to {plan.last or 'now'}")
    rows = reports.report(desk, plan.period, plan.by, plan.first, plan.last, **keep)
    if not any(r["orders_completed"] for r in rows):
        warn(reports.no_orders(desk, plan.first, plan.last, **keep))
    daily_agents = name == Name.daily and plan.by != "agent"
    if name is not None and name.value in vocab.FORM_NAMES and fmt == Fmt.xlsx:
        agents = reports.report(desk, plan.period, "agent", plan.first, plan.last, **keep) if daily_agents else None
        _write_form(ctx, desk, name.value, plan, rows, agents, keep, by_person)
        return
    columns = plan.columns
    if fmt == Fmt.table and rows:
        emit(rows + [reports.total(rows, plan.by)], columns, fmt)
        if daily_agents:
            _agent_table(desk, reports, plan, keep)
        if chart:
            echo("\n" + reports.chart(rows, plan.by))  # to --output FILE too
    else:
        emit(rows, columns, fmt, empty="no completed orders, complaints or chases in that range")


def _agent_table(desk, reports, plan, keep):
    """The daily report's second table: the day's calls by agent, after the table by region."""
    import io

    agents = [r for r in reports.report(desk, plan.period, "agent", plan.first, plan.last, **keep)
              if any(r[c] for c in vocab.AGENT_COLUMNS)]
    if agents:
        text = io.StringIO()
        emit(agents + [reports.total(agents, "agent")], ["period", "agent", *vocab.AGENT_COLUMNS], Fmt.table, out=text)
        echo("\n" + text.getvalue())


def _review(ctx, desk, name, first, last, keep, by_person, fmt):
    """A detail form: its rows (provider-monthly's first table), or with -f xlsx the form."""
    from callbackctl import reports, reviews

    which = "last_month" if name.endswith("-monthly") else "today"
    if first is None and last is None:
        first, last = reports.preset_range(which, desk.now.date())
    plan = reports.Plan("month" if which == "last_month" else "day", "region", first, last, [])
    note(f"{name} report: {plan.first or 'the start'} to {plan.last or 'now'}")
    sections = reviews.sections(desk, name, first, last, **keep)
    if fmt == Fmt.xlsx:
        _write(ctx, desk, by_person, lambda forms, lang, preparer: forms.review(
            desk, name, plan, sections, **keep, preparer=preparer, lang=lang))
        return
    _title, columns, rows = sections[0]
    emit(rows, columns, fmt, empty=f"nothing for the {name} report in that range")


def _write_form(ctx, desk, name, plan, rows, agents, keep, by_person):
    _write(ctx, desk, by_person, lambda forms, lang, preparer: forms.build(
        desk, name, plan, rows, agents, **keep, preparer=preparer, lang=lang))


def _write(ctx, desk, by_person, build):
    """The form as a workbook to --output FILE: in Chinese, or in the language --lang or
    CALLBACKCTL_LANG chose (a form is a Chinese document whatever the machine's LANG)."""
    from callbackctl import forms, i18n, outfile, sheets
    from callbackctl.cli.common import _output

    chosen = ctx.find_root().params.get("lang")
    preparer = by_person or desk.policy.preparer  # a form is signed by a person, not a login (root)
    form = build(forms, i18n.pick(chosen) if chosen else "zh", preparer)
    path = _output.get().path
    with outfile.replacing(path, binary=True) as f:
        n = sheets.write_form(form, f)
    note(f"{n} row(s) written to {path}")
    if not preparer:
        warn("制表人 (prepared by) is blank: give --by-person NAME, or set [desk] preparer in the policy")
