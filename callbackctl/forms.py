"""The head office's report forms, as the callback plan names them.

- daily: 区域售后客服回访日报表, the region's day: the day's completed orders and
  their callbacks by region, and the day's calls by agent;
- weekly: 总部客服回访情况周报表, and monthly: 总部客服回访情况月报表, head office's
  summary of the last whole ISO week or month by region.

Each is one sheet: the title, a header block (区域, 品类, the date, week or month,
制表人, 制表日期), the table with Chinese column titles and a total row, the
notes that say where each number comes from, and a native Excel chart of
completion and satisfaction per group. The numbers are `reports.report`'s
rows and `reports.total`'s totals, so the form and `report -f json` agree.

The forms are in Chinese, or in the language chosen with --lang or
CALLBACKCTL_LANG (cli/reports.py decides); this module builds a
`sheets.Form`, which sheets.write_form lays out.
"""

from __future__ import annotations

import datetime as dt

from callbackctl import i18n, reports
from callbackctl.i18n import _
from callbackctl.vocab import AGENT_COLUMNS


# The columns of each form's table, after the group's. The day's work as seed 002's forms
# count it (派单量, 送修量, 完工量, 应回访, 已回访, 用户满意, 一般, 不满意, 满意率, 完成率,
# 及时率, 不属实, 电话空号/信息错误), each by the time of its own event in the period; the
# weekly adds head office's spot checks, the monthly the dissatisfied orders' resolution
# (不满意解决率). The daily's second table (the day's calls by agent) has AGENT_COLUMNS.
DAY_OF_WORK = ["dispatched", "repairs_reported", "orders_completed", "callbacks_due_in_period",
               "callbacks_done_in_period", "calls_satisfied", "calls_neutral", "calls_dissatisfied", "satisfied_rate",
               "period_completion_rate", "period_on_time_rate", "calls_not_genuine", "calls_wrong_contact"]
SPOT_CHECKS = ["spot_checks", "spot_checks_reached", "spot_check_disagreements", "spot_checks_not_genuine"]
COLUMNS = {
    "daily": DAY_OF_WORK + ["calls_made", "calls_reached", "contacts", "late_replies", "complaints", "chases"],
    "weekly": DAY_OF_WORK + ["calls_made", "calls_reached", "satisfaction_index", "complaints", "special_complaints",
                             "chases", "late_contact", "late_status"] + SPOT_CHECKS,
}
COLUMNS["monthly"] = COLUMNS["weekly"] + ["dissatisfied", "dissatisfied_resolved", "dissatisfied_resolved_rate",
                                          "suggestions"]


def kind(column: str) -> str:
    """How a column's cells are shown: a count, a rate (0-1, as %), an index (0-5)."""
    if column.endswith(("_rate", "_share")):
        return "rate"
    if column.endswith("_index"):
        return "index"
    return "count"


def build(desk, name: str, plan, rows: list, agent_rows: list | None = None, *, region=None, product=None,
          category=None, preparer: str = "", lang: str = "zh"):
    """The form `name` (daily, weekly, monthly) of a report run, in `lang`."""
    previous = i18n.current()
    i18n.use(lang)
    try:
        return _build(desk, name, plan, rows, agent_rows, {"region": region, "product": product, "category": category},
                      preparer)
    finally:
        i18n.use(previous)


def _build(desk, name, plan, rows, agent_rows, keep, preparer):
    from callbackctl import sheets

    by = plan.by
    titles = {"daily": (_("Regional after-sales callback daily report"), _("Daily report")),
              "weekly": (_("Head office callback weekly report"), _("Weekly report")),
              "monthly": (_("Head office callback monthly report"), _("Monthly report"))}
    title, sheet = titles[name]
    several = len({r["period"] for r in rows}) > 1  # --from/--to over more than one period: say which
    columns = COLUMNS[name]
    main = _section(rows, by, columns, several)
    sections = [main]
    if name == "daily" and agent_rows is not None and by != "agent":
        busy = [r for r in agent_rows if any(r[c] for c in AGENT_COLUMNS)]  # the order-only row of no agent
        agents = _section(busy, "agent", AGENT_COLUMNS, several, totals=agent_rows)
        main.title = _("Callbacks by {group}").format(group=_column_title(by))
        agents.title = _("The day's calls by agent")
        sections.append(agents)
    if name == "monthly":  # seed 002: the month's analysis lists what customers suggested and needed
        sections.append(_suggestions(desk, plan, keep))
    header = _header(desk, plan, keep, preparer)
    notes = _notes(name, columns)
    label_col = 1 if several else 0
    has_index = "satisfaction_index" in columns and any(r["satisfaction_index"] is not None for r in rows)
    chart = sheets.FormChart(
        title=_("Completion and satisfaction by {group}").format(group=_column_title(by).lower()),
        labels=label_col,
        bars=[label_col + 1 + columns.index(c) for c in ("period_completion_rate", "satisfied_rate")],
        line=label_col + 1 + columns.index("satisfaction_index") if has_index else None)
    return sheets.Form(
        title=title, sheet=sheet, header=header, sections=sections, notes_title=_("Notes"),
        notes=[f"{i}. {text}" for i, text in enumerate(notes, 1)], chart=chart if rows else None,
        subtitle=desk.policy.company, font="Microsoft YaHei" if i18n.current() == "zh" else "Calibri")


def _header(desk, plan, keep, preparer) -> list[str]:
    """The block under the title: 区域, 品类 (and 机型 when one was asked for), the period, 制表人, 制表日期."""
    item = lambda label, value: _("{label}: {value}").format(label=label, value=value)  # noqa: E731
    header = [item(_("Region"), _only(keep["region"])), item(_("Category"), _only(keep["category"]))]
    if keep["product"]:
        header.append(item(_("Model"), keep["product"]))
    return header + [item(*_period_item(plan, desk.now.date())), item(_("Prepared by"), preparer),
                     item(_("Prepared on"), desk.now.date().isoformat())]


# the detail forms (vocab.REVIEW_NAMES): their titles, and the columns whose values are words
REVIEW_TITLES = {"not-genuine": lambda: _("Not genuine report"), "dissatisfied": lambda: _("Dissatisfied customers report"),
                 "bad-contact": lambda: _("Wrong telephone and customer data report"),
                 "provider-monthly": lambda: _("Monthly service volume and repair details by provider"),
                 "complaints-monthly": lambda: _("Monthly customer complaints report by provider")}
SECTION_TITLES = {"volume": lambda: _("Service volume"), "repairs": lambda: _("Repair details")}
_WORD_COLUMNS = {"service_type", "outcome", "followup", "followup_state", "against", "severity", "status"}


def review(desk, name: str, plan, sections: list, *, region=None, product=None, category=None, preparer: str = "",
           lang: str = "zh"):
    """A detail form (vocab.REVIEW_NAMES): the header block of the three forms, then each section,
    (title or None, columns, rows as dicts); one sheet, no chart."""
    previous = i18n.current()
    i18n.use(lang)
    try:
        from callbackctl import sheets

        keep = {"region": region, "product": product, "category": category}
        title = REVIEW_TITLES[name]()
        parts = []
        for heading, columns, rows in sections:
            part = sheets.FormSection(
                headers=[_column_title(c) for c in columns],
                kinds=[_kind_of(_first(rows, c)) for c in columns],
                rows=[[_cell(c, r) for c in columns] for r in rows])
            part.title = SECTION_TITLES[heading]() if heading else None
            parts.append(part)
        return sheets.Form(title=title, sheet=title[:31], header=_header(desk, plan, keep, preparer), sections=parts,
                           subtitle=desk.policy.company, font="Microsoft YaHei" if i18n.current() == "zh" else "Calibri")
    finally:
        i18n.use(previous)


def _first(rows, column):
    """The column's first value that is not empty."""
    return next((r[column] for r in rows if r[column] is not None), None)


def _kind_of(value) -> str:
    """A detail form's column by its values: whole numbers are counts, others (an index,
    a fee) two decimals, stored times date cells, the rest text."""
    from callbackctl import sheets

    if isinstance(value, str) and len(value) == 19 and sheets.as_time(value):
        return "time"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "text"
    return "count" if isinstance(value, int) else "index"


def _cell(column, row):
    """A detail form's cell in the form's language: its words, and what a call found."""
    value = row[column]
    if column == "found" and "_found" in row:
        from callbackctl import reviews

        return reviews.found_text(row["_found"], i18n.word, _column_title)
    if value is None or column not in _WORD_COLUMNS:
        return value
    return i18n.word(value)


def _notes(name, columns) -> list[str]:
    """Where each number comes from; the monthly's first two are seed 002's own 备注."""
    notes = [_("Dispatched, repairs reported and orders completed are counted from the service department's "
               "dispatch and hand-in records, and the data provided is accurate."),
             _("Satisfied and dissatisfied customers are counted from the callback records, and are true and "
               "reliable.")] if name == "monthly" else []
    notes += [
        _("Each number counts the events of the period: orders dispatched (dispatched_at), repairs reported "
          "(reported_at), orders completed (completed_at), callbacks due (their first callback fell due) and, of "
          "those, done (reached) and on time (reached by the deadline); completion rate = done / due."),
        _("Calls made and reached: the callback calls of the period, whenever their order was completed; each rated "
          "call is satisfied (index 3.5 or more), neutral, or dissatisfied (an index under the policy's "
          "dissatisfied_below, or any score of 2 or less), so the three add up to the rated calls; satisfied rate "
          "= satisfied / rated. Not genuine and wrong number or person: what the period's calls found.")]
    if "satisfaction_index" in columns:
        notes.append(_("Satisfaction index: the mean of the five scores (skill, attitude, timeliness, parts, overall; "
                       "1-5) of the first reached callback of each order completed in the period."))
    if "contacts" in columns:  # the daily form: the day's inbound calls beside its callbacks
        notes.append(_("Inbound calls: the calls the desk took in the period (consultations, service, complaints, "
                       "customers chasing a repair); late replies: those a reply was owed to, replied after its "
                       "deadline or still owed past it."))
    if "spot_checks" in columns:
        notes.append(_("Spot checks: the region's callbacks head office sampled in the period and called again; "
                       "reached, not agreeing with the region's record (satisfaction or genuineness), and not "
                       "genuine are what head office's calls found. They never count in the region's calls."))
    if "dissatisfied_resolved_rate" in columns:
        notes.append(_("Dissatisfied orders: the orders completed in the period handed back as dissatisfied; "
                       "resolution rate = those resolved / the dissatisfied orders."))
    return notes


def _section(rows, by, columns, several, totals=None):
    from callbackctl import sheets

    lead = (["period"] if several else []) + [by]
    body = [[r["period"]] * several + [_group_label(by, r[by])] + [r[c] for c in columns] for r in rows]
    total = reports.total(totals if totals is not None else rows, by)
    total_row = [""] * several + [_column_title("total")] + [total[c] for c in columns]
    return sheets.FormSection(headers=[_column_title(c) for c in lead + columns],
                              kinds=["text"] * len(lead) + [kind(c) for c in columns], rows=body, total=total_row)


def _suggestions(desk, plan, keep):
    from callbackctl import sheets

    columns = reports.SUGGESTION_COLUMNS
    rows = [[r[c] for c in columns] for r in reports.suggestions_in(desk, plan.first, plan.last, **keep)]
    section = sheets.FormSection(headers=[_column_title(c) for c in columns], kinds=["text"] * len(columns),
                                 rows=rows)
    section.title = _("Customers' suggestions and needs")
    return section


def _column_title(column: str) -> str:
    """The column's title: its Chinese name, or in English the name in words."""
    if i18n.current() == "zh":
        return i18n.header(column)
    return column.replace("_", " ").capitalize()


def _group_label(by, value) -> str:
    if value is None:
        return _("(none)")
    if by == "service_type":
        return i18n.word(value)
    return str(value)


def _only(given) -> str:
    """The header's region or product: the one asked for (--region, --product), else all."""
    return given or _("all")


def _period_item(plan, today: dt.date) -> tuple[str, str]:
    """The header's period: a day, an ISO week with its days, a month, or a range of days."""
    first, last = plan.first, plan.last
    if first is not None and last is not None:
        if plan.period == "day" and first == last:
            return _("Date"), first.isoformat()
        if plan.period == "week" and first.weekday() == 0 and last == first + dt.timedelta(days=6):
            year, week, _day = first.isocalendar()
            days = _("{first} to {last}").format(first=first.isoformat(), last=last.isoformat())
            return _("Week"), f"{year}-W{week:02d} ({days})"
        if (plan.period == "month" and first.day == 1 and (last + dt.timedelta(days=1)).day == 1
                and (first.year, first.month) == (last.year, last.month)):
            return _("Month"), first.strftime("%Y-%m")
    start = first.isoformat() if first else _("the start")
    return _("Period"), _("{first} to {last}").format(first=start, last=(last or today).isoformat())
