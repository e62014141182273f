"""Summary tables per period and group, as SQL over the tables.

An order counts in the period of its completed_at; complaints and chases in
the period of their own time, grouped by their order. Each first-round
deadline comes from calendar.py: rules counted in days depend only on the
completion date, so they are a small lookup table; rules counted in minutes
go through a cached SQL function.

Definitions (contract.md):
- callbacks_due: completed orders the policy selects (a rule, in coverage);
- callbacks_done: of those, orders with a `reached` call;
- on_time: reached (first round) by the first-round deadline;
- rates: done / due and on_time / due, three decimals, empty when nothing is due;
- satisfaction_index: mean index of each order's first reached call;
- calls_made / calls_reached: calls (voided ones aside) whose time falls in the
  period, whenever their order was completed, so a daily report shows the day's
  work; under --by agent, the agent who made them;
- satisfied_rate: of those calls, the reached ones with a rating, the share
  rated satisfied or very satisfied (an index of 3.5 or more: 满意 or 非常满意);
- dissatisfied / not_genuine / second_visits: orders with such a follow-up;
- dissatisfied_resolved: dissatisfied orders a later callback found satisfied;
- missed: due orders never reached and past deadline + give_up_after;
- recurring_calls_made / recurring_calls_reached: customers' recurring calls
  (contract, project, dormant) in the period, apart from the orders' calls;
  under --by agent the agent's, else in the row without a group;
- contacts: inbound calls received in the period, and contacts_<kind> those of
  each kind; under --by agent, the agent who took them; late_replies: of
  those that owed a reply, the ones replied after its deadline, or not
  replied by now and past it.
- late_contact / late_status: orders dispatched in the period whose provider
  contacted the customer, or first reported the repair's status (feedback_at),
  later than [dispatch] contact_within / status_within of desk time after the
  dispatch (seed 003); a time not recorded is not counted.
- suggestions: calls of the period (voided ones aside) that carried the
  customer's suggestion or need (用户建议, seed 002); under --by agent, the
  agent's.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache

from callbackctl import clock, db, fastreport, schedule
from callbackctl.errors import one_of
from callbackctl.vocab import FAULT_HEADERS
from callbackctl.vocab import GROUPS, PERIODS
from callbackctl.vocab import CONTACT_KINDS, REPAIR_TYPES

METRICS = ["orders_completed", "callbacks_due", "callbacks_done", "completion_rate", "on_time", "on_time_rate",
           "satisfaction_index", "very_satisfied_share", "dissatisfied", "dissatisfied_resolved", "not_genuine",
           "invalid_contacts", "second_visits", "missed", "complaints", "special_complaints", "overdue_complaints",
           "chases", "late_dispatches", "spot_checks", "spot_disagreements",
           # added in the second release, at the end so that positions stay as they were
           "satisfied_rate", "calls_made", "calls_reached",
           # inbound calls (contacts.py): received in the period, per kind, and the replies made late
           "contacts", *(f"contacts_{kind}" for kind in CONTACT_KINDS), "late_replies",
           # customers' recurring callbacks (recurring.py), apart from the orders' calls above
           "recurring_calls_made", "recurring_calls_reached",
           # the provider's duties after a dispatch (dispatch.DUTIES), by the dispatch's time
           "late_contact", "late_status",
           # calls that carried the customer's suggestions and needs (record --suggestion)
           "suggestions",
           # the head office's forms (seed 002), each counted by the time of its own event: 派单量
           # (dispatched_at), 送修量 (a repair's reported_at), the callbacks that fell due in the period
           # (due_at) and of those the reached and on time ones, and the period's calls by what they found
           "dispatched", "repairs_reported", "callbacks_due_in_period", "callbacks_done_in_period",
           "callbacks_on_time_in_period", "period_completion_rate", "period_on_time_rate",
           "calls_rated", "calls_satisfied", "calls_neutral", "calls_dissatisfied", "calls_not_genuine",
           "calls_wrong_contact", "dissatisfied_resolved_rate",
           # head office's spot checks: its calls reached, those not agreeing with the region's, not genuine
           "spot_checks_reached", "spot_check_disagreements", "spot_checks_not_genuine"]
# spot_disagreements, the second release's name of spot_check_disagreements, is kept for scripts
RENAMED = {"spot_disagreements": "spot_check_disagreements"}
_COUNTS = [m for m in METRICS if not m.endswith(("_rate", "_index", "_share")) and m not in RENAMED]
# The counts behind the rates, kept in each row under these keys (no listing
# writes them: they are not columns) so that a total recomputes its rates exactly.
_HIDDEN = ("_index_sum", "_rated", "_very_satisfied")
SATISFIED = 3.5  # an index that rounds to 4 (满意) or 5 (非常满意)
VERY_SATISFIED = 4.5


def call_flags(policy) -> list[tuple[str, str]]:
    """(count, SQL flag of a call `c`) of the calls a report counts. A rated call is one of
    满意, 一般 or 不满意, so the three add up to calls_rated. 不满意 is one rule with the
    dissatisfied follow-up (calls._outcome_effects): an index under dissatisfied_below, or any
    score of 2 or less whatever the index (m022 keeps the lowest score in callbacks_order)."""
    reached = "c.outcome = 'reached'"
    rated = f"{reached} AND c.satisfaction IS NOT NULL"
    unhappy = f"(c.satisfaction < {float(policy.dissatisfied_below)} OR coalesce(c.lowest, 9) <= 2)"
    happy = f"c.satisfaction >= {SATISFIED} AND NOT {unhappy}"
    return [("calls_made", "1"), ("calls_reached", reached), ("calls_rated", rated),
            ("calls_satisfied", f"{rated} AND {happy}"), ("calls_neutral", f"{rated} AND NOT {happy} AND NOT {unhappy}"),
            ("calls_dissatisfied", f"{rated} AND {unhappy}"), ("calls_not_genuine", f"{reached} AND c.genuine = 0"),
            ("calls_wrong_contact", "c.outcome IN ('wrong_number', 'wrong_person')")]


def columns(by: str) -> list[str]:
    return ["period", by] + METRICS


def period_of(period: str, at: str) -> str:
    """period_sql in Python, of a stored time."""
    if period == "day":
        return at[:10]
    if period == "month":
        return at[:7]
    year, week, _day = dt.date.fromisoformat(at[:10]).isocalendar()
    return f"{year}-W{week:02d}"


def period_sql(period: str, column: str) -> str:
    """SQL for the period label of a time column: 2026-11-23, 2026-W48 (ISO), 2026-11."""
    if period == "day":
        return f"substr({column}, 1, 10)"
    if period == "month":
        return f"substr({column}, 1, 7)"
    # ISO week: the Thursday of the week decides the year and the week number.
    thursday = f"date({column}, '-3 days', 'weekday 4')"
    return (f"strftime('%Y', {thursday}) || '-W' || "
            f"printf('%02d', (CAST(strftime('%j', {thursday}) AS INTEGER) - 1) / 7 + 1)")


def _setup(desk, lo: str, hi: str):
    """The deadline bounds table and SQL functions for one report run; returns the
    table's rows (key, first, last, first due, last due) and the due and deadline
    functions.

    report_deadlines holds the deadlines of a round started at the first and
    last second of each hour of the range, for each rule counted in minutes.
    A deadline never moves back as the start moves on (calendar.py), so every
    start in the hour has its deadline between the two: a call before the
    first is on time, one after the last is late, and only those between go
    through cb_deadline. A rule counted in days has one deadline a day. The
    table covers the last _BOUNDS_DAYS of the range; an order before them
    (a typing error's year 1900) goes through cb_deadline. The round's due
    time is kept the same way (due_lo, due_hi; cb_due).
    """
    policy = desk.policy
    first, last = dt.date.fromisoformat(lo[:10]), dt.date.fromisoformat(hi[:10])
    sched = schedule.Scheduler(desk, span=(first - dt.timedelta(days=1), last + dt.timedelta(days=60)))

    def times(rule, t: dt.datetime) -> tuple[str, str]:
        return tuple(map(clock.fmt, sched.round_times(rule, t)))

    bounds, keys = [], _DeadlineKeys.of_policy(policy)  # (rule's place, start of its hour or day, first, last)
    day = max(first, last - dt.timedelta(days=_BOUNDS_DAYS))
    while day <= last:
        midnight = dt.datetime.combine(day, dt.time())
        for place, rule in enumerate(policy.rules.values()):
            if rule.delay.days:
                due, deadline_ = times(rule, midnight)
                bounds.append((place, midnight, deadline_, deadline_, due, due))
                continue
            for t in (midnight + h * _HOUR for h in range(24)):
                (due_lo, lo_), (due_hi, hi_) = times(rule, t), times(rule, t + _HOUR_END)
                bounds.append((place, t, lo_, hi_, due_lo, due_hi))
        day += dt.timedelta(days=1)
    rows = [(keys.of(place, t), *times_) for place, t, *times_ in bounds]

    def at(which: int):
        @lru_cache(maxsize=200_000)
        def of(stype, completed_at):
            rule = policy.rules.get(stype)
            if rule is None or completed_at is None:
                return None
            return times(rule, clock.parse(completed_at))[which]
        return of

    due, deadline = at(0), at(1)

    def selected(stype, order_no):
        return int(sched.rule_for(stype, order_no) is not None)

    conn = desk.conn
    conn.execute("DROP TABLE IF EXISTS temp.report_deadlines")
    conn.execute("CREATE TEMP TABLE report_deadlines (key INTEGER PRIMARY KEY, lo TEXT, hi TEXT, due_lo TEXT, "
                 "due_hi TEXT)")
    conn.executemany("INSERT INTO temp.report_deadlines VALUES (?, ?, ?, ?, ?)", rows)
    conn.create_function("cb_deadline", 2, deadline, deterministic=True)
    conn.create_function("cb_due", 2, due, deterministic=True)
    conn.create_function("cb_selected", 2, selected, deterministic=True)
    return rows, (due, deadline)


_BOUNDS_DAYS = 800
_HOUR = dt.timedelta(hours=1)
_HOUR_END = dt.timedelta(minutes=59, seconds=59)


class _DeadlineKeys:
    """The integer key of an order's row in report_deadlines, in Python and in SQL
    (an integer: a text key cost a year's report 0.5 s more). It counts hours, or
    days for a rule counted in days, as SQLite's julianday() does, from noon on
    24 November 4714 BC, times the number of rules, plus the rule's place in the
    policy; day keys are negative, apart from hour keys.

    julianday() is in every SQLite. A stored time has whole seconds, 1/3600 of
    an hour apart, and its hours come out a little under a whole number at
    worst: the millionth of an hour added makes them whole without reaching the
    next hour."""

    HOURS_TO_1970 = 58574100  # julianday('1970-01-01 00:00:00') * 24

    def __init__(self, rules):
        """rules: (service type, counted in days?) for each of the policy's rules, in order."""
        self.rules = list(rules)

    @classmethod
    def of_policy(cls, policy):
        return cls((stype, bool(rule.delay.days)) for stype, rule in policy.rules.items())

    @staticmethod
    def hour(t: dt.datetime) -> int:
        return (t - dt.datetime(1970, 1, 1)) // _HOUR + _DeadlineKeys.HOURS_TO_1970

    def of(self, place: int, t: dt.datetime) -> int:
        """The key of the rule at `place` for a round started at t."""
        hour, n = self.hour(t), len(self.rules)
        return -((hour + 12) // 24 * n + place) if self.rules[place][1] else hour * n + place

    def sql(self, service_type: str, completed_at: str) -> str:
        """NULL for a time not of whole seconds ('2026-11-23 10:00:00', 19 characters,
        as stored): it has no row and asks the calendar."""
        hour, n = f"CAST(julianday({completed_at}) * 24 + 1e-6 AS INTEGER)", len(self.rules)
        whens = " ".join(
            f"WHEN {db.literal(stype)} THEN "
            + (f"-(({hour} + 12) / 24 * {n} + {place})" if days else f"{hour} * {n} + {place}")
            for place, (stype, days) in enumerate(self.rules))
        return f"CASE WHEN length({completed_at}) = 19 THEN CASE {service_type} {whens} END END"


def report(desk, period="month", by="region", date_from=None, date_to=None, region=None, product=None,
           category=None) -> list[dict]:
    """One row per period and group, ordered by period then group; `region`,
    `product` and `category` keep the orders of that region, product or 品类 (and
    their calls, complaints, chases and spot checks) only."""
    one_of(period, PERIODS, "period")
    one_of(by, GROUPS, "by")
    conn = desk.conn
    lo, hi = clock.day_range(date_from, date_to)
    where = Filter(region, product, category)
    in_range = "WHERE completed_at >= ? AND completed_at < ? AND completed_at <= ?"
    bounds = _bounds(conn, in_range, (lo, hi, desk.now_text))
    # the orders whose first callback may fall due in the range: from a few days before it
    due_from = clock.day_range(date_from and date_from - _DUE_LOOKBACK, None)[0]
    due_bounds = _bounds(conn, in_range, (due_from, hi, desk.now_text))
    if due_bounds[0] is not None and date_from is not None:
        due_from = _due_from(desk, date_from)
        due_bounds = _bounds(conn, in_range, (due_from, hi, desk.now_text))
    wide = bounds[0] is not None and _wide(conn, *bounds)
    orders = _OrderPass(desk, period, by, lo, hi, where)
    # With the [fast] extra a child process counts a wide range's orders and
    # calls (fastreport.py); else a wide range's calls are counted on a second
    # connection, on another core, while this one counts the orders.
    fast = bounds[0] is not None and fastreport.wanted(desk, wide, orders.last_id)
    child = fastreport.Child(desk, orders.request(due_from)) if fast else None
    try:
        calls = None if child else _beside(desk, lambda d: _call_metrics(d, period, by, lo, hi, where, wide), wide)
        # The providers' duties read every order dispatched in the range: beside too (2 s of a year on 1M orders)
        duties = _beside(desk, lambda d: _duty_metrics(d, period, by, lo, hi, where, wide), True)
        order_rows, call_rows = [], None
        if due_bounds[0] is not None:  # the range's completions, and those a few days before it
            deadlines, calendar = _setup(desk, due_bounds[0], due_bounds[1])
            in_range = bounds[0] is not None
            counted = child.count(deadlines) if child and in_range else None
            if counted is not None:
                (cohort, due_rows), call_rows = orders.counted(counted, calendar), counted["calls"]
            else:
                cohort, due_rows = orders.rounds(wide, due_from, cohort=in_range)
            order_rows = due_rows + (orders.with_followups(cohort) if in_range else [])
        if call_rows is None:  # counted here (the child may have failed: it is counted after all)
            call_rows = calls() if calls else _call_metrics(desk, period, by, lo, hi, where, wide)
    finally:
        if child:
            child.close()
    rows = {}
    for r in (order_rows + _complaint_metrics(desk, period, by, lo, hi, where)
              + _chase_metrics(desk, period, by, lo, hi, where)
              + _spot_metrics(desk, period, by, lo, hi, where) + call_rows
              + _contact_metrics(desk, period, by, lo, hi, where) + _recurring_metrics(desk, period, by, lo, hi, where)
              + duties() + _repair_metrics(desk, period, by, lo, hi, where, wide)
              + _suggestion_metrics(desk, period, by, lo, hi, where)):
        rows.setdefault((r["period"], r["grp"]), {}).update({k: v for k, v in r.items() if k not in ("period", "grp")})
    out = []
    for (per, grp), r in sorted(rows.items(), key=lambda kv: (kv[0][0], kv[0][1] is None, kv[0][1] or "")):
        row = {"period": per, by: grp, **{m: r.get(m) or 0 for m in _COUNTS},
               **{h: r.get(h[1:]) or 0 for h in _HIDDEN}}
        _rates(row)
        out.append(row)
    return out


def _due_from(desk, first: dt.date) -> str:
    """The first day an order may have been completed on for its first callback to fall due
    on `first` or later: for each rule, back from `first` while the end of the day before
    still falls due then (a due time never moves back as the completion moves on)."""
    start = dt.datetime.combine(first, dt.time())
    sched = schedule.Scheduler(desk, span=(first - dt.timedelta(days=60), first + dt.timedelta(days=10)))
    earliest = first
    for rule in desk.policy.rules.values():
        day = first
        while day > first - _DUE_LOOKBACK and sched.round_times(rule, start - (first - day) - _SECOND)[0] >= start:
            day -= dt.timedelta(days=1)
        earliest = min(earliest, day)
    return earliest.isoformat()


_DUE_LOOKBACK = dt.timedelta(days=366)
_SECOND = dt.timedelta(seconds=1)


def no_orders(desk, first, last, **keep) -> str:
    """What to say of a range in which no order (of the `keep` filters) was completed: which
    range, and the desk's."""
    span = f"{first or 'the start'} to {last or desk.now.date()}"
    of = "".join(f" of {k} {v}" for k, v in keep.items() if v is not None)
    lo, hi = _bounds(desk.conn, "WHERE completed_at <= ?", (desk.now_text,))
    if lo is None:
        return f"no order{of} was completed from {span}: the desk holds no completed order yet"
    return f"no order{of} was completed from {span} (the desk's completions run from {lo[:10]} to {hi[:10]})"


def _beside(desk, job, parallel: bool):
    """job(desk), run now, or when `parallel` in a thread on a connection of its
    own (sqlite3 lets go of the GIL while SQLite works); returns a function
    that gives its result, raising what it raised."""
    if not parallel or getattr(desk.conn, "path", ":memory:") == ":memory:":
        result = job(desk)
        return lambda: result
    import dataclasses
    from concurrent.futures import ThreadPoolExecutor

    def run():
        conn = db.reader(desk.conn)
        try:
            return job(dataclasses.replace(desk, conn=conn))
        finally:
            conn.close()

    pool = ThreadPoolExecutor(1)
    future = pool.submit(run)
    pool.shutdown(wait=False)
    return future.result


def _wide(conn, first: str, last: str) -> bool:
    """Does first..last hold more than a quarter of the desk's completion dates?
    Then reading every order in row order is faster than the index's order."""
    span = _days(*_bounds(conn))
    return span > 0 and _days(first, last) * 4 > span


def _bounds(conn, where="", params=()) -> tuple:
    """The first and last completed_at (under `where`): two probes into orders_completed.
    (min() and max() in one query read every entry between them.)"""
    return tuple(conn.execute(f"SELECT {f}(completed_at) FROM orders {where}", params).fetchone()[0]
                 for f in ("min", "max"))


def _days(first: str, last: str) -> int:
    return (dt.date.fromisoformat(last[:10]) - dt.date.fromisoformat(first[:10])).days


def _mean_of_hundredths(cents: int, n: int) -> float:
    """The mean of n indexes summing to `cents` hundredths, to two decimals, a half
    rounded up as on paper: 126.75 / 30 is 4.225, so 4.23 (round() would give
    4.22, the float nearest 4.225 being a little under it)."""
    return (2 * cents + n) // (2 * n) / 100


def _rates(row):
    """The rates of a row from its counts (the hidden ones among them)."""
    ratio = lambda part, whole: round(row[part] / row[whole], 3) if row[whole] else None  # noqa: E731
    rated = row["_rated"]
    row["completion_rate"] = ratio("callbacks_done", "callbacks_due")
    row["on_time_rate"] = ratio("on_time", "callbacks_due")
    row["satisfaction_index"] = _mean_of_hundredths(round(row["_index_sum"] * 100), rated) if rated else None
    row["very_satisfied_share"] = round(row["_very_satisfied"] / rated, 3) if rated else None
    row["satisfied_rate"] = ratio("calls_satisfied", "calls_rated")
    row["period_completion_rate"] = ratio("callbacks_done_in_period", "callbacks_due_in_period")
    row["period_on_time_rate"] = ratio("callbacks_on_time_in_period", "callbacks_due_in_period")
    row["dissatisfied_resolved_rate"] = ratio("dissatisfied_resolved", "dissatisfied")
    for old, new in RENAMED.items():
        row[old] = row[new]


def total(rows: list[dict], by: str) -> dict:
    """The total row (table output, the forms): counts added, rates recomputed from the counts."""
    t = {"period": "total", by: "", **{m: sum(r[m] for r in rows) for m in (*_COUNTS, *_HIDDEN)}}
    _rates(t)
    return t


class Filter:
    """`AND o.region = :region ...` for the options given, on the orders alias `o`."""

    def __init__(self, region=None, product=None, category=None):
        self.params = {k: v for k, v in (("region", region), ("product", product), ("category", category))
                       if v is not None}
        self.sql = "".join(f" AND o.{k} = :{k}" for k in self.params)


def _selected_sql(policy, sampled="cb_selected(o.service_type, o.order_no)") -> str:
    """SQL for "the policy selects this order for a callback": plain SQL unless a
    rule samples (coverage < 1), whose orders alone are `sampled` (fastreport's
    child, which has no cb_selected, gives NULL and picks them itself)."""
    full = [t for t, r in policy.rules.items() if r.coverage >= 1.0]
    partial = [t for t, r in policy.rules.items() if 0 < r.coverage < 1.0]
    quote = lambda types: ", ".join(map(db.literal, types))  # noqa: E731
    sql = "CASE"
    if full:
        sql += f" WHEN o.service_type IN ({quote(full)}) THEN 1"
    if partial:
        sql += f" WHEN o.service_type IN ({quote(partial)}) THEN {sampled}"
    return sql + " ELSE 0 END"


class _OrderPass:
    """The orders completed in the period, with their first rounds and follow-ups:
    counted here with SQL, or by the [fast] extra's child (fastreport.py)."""

    def __init__(self, desk, period, by, lo, hi, where):
        from callbackctl import followups

        self.desk, self.period, self.by, self.where = desk, period, by, where
        give_up = dt.timedelta(minutes=int(desk.policy.give_up_after.delta.total_seconds() // 60))
        # As of now: orders completed by now, calls made by now, follow-ups opened,
        # done and resolved by now; a number a call after now found wrong was not
        # known to be wrong yet (seldom any: without them the test is left out).
        self.later = sorted(followups.found_wrong_later(desk))
        self.given_up = clock.fmt(clock.parse(desk.now_text) - give_up)  # past deadline + give_up_after
        self.params = {"lo": lo, "hi": hi, "now": desk.now_text, "later_wrong": json.dumps(self.later),
                       "given_up": self.given_up, **where.params}
        self.scan = _OrderScan(desk.policy, period, by, where, self.later)
        self.last_id = desk.conn.execute("SELECT max(id) FROM orders").fetchone()[0] or 0

    def rounds(self, row_order: bool, due_from: str, cohort: bool = True) -> tuple[list[dict], list[dict]]:
        """The first rounds of the orders completed in the range by the period of their completion
        (unless not `cohort`), and of the first callbacks due in it by the period of their due
        time (the forms' 应回访, 已回访): one pass (_OrderScan.rounds), folded here."""
        kept = {"cohort": {}, "due": {}}
        sql = self.scan.rounds(row_order, cohort)
        for r in self.desk.conn.execute(sql, {**self.params, "due_from": due_from}):
            for which, period, facts in (("cohort", r["cperiod"], _OrderScan.COHORT), ("due", r["dperiod"], _OrderScan.DUE)):
                if period is None:
                    continue
                row = kept[which].setdefault((period, r["grp"]), {"period": period, "grp": r["grp"],
                                                                  **{name: 0 for name, _ in facts}})
                for name, _ in facts:
                    row[name] += r[name] or 0
        return [_index_sum(r) for r in kept["cohort"].values()], list(kept["due"].values())

    def request(self, due_from: str) -> dict:
        """What fastreport's child needs to count the same rows: the SQL of what it
        reads (the parameters written in), and what it works out itself."""
        order_columns, orders = self.scan.child_orders()
        flags = call_flags(self.desk.policy)
        call_columns, calls = _select(
            [("order_id", "c.order_id"), ("period", period_sql(self.period, "c.called_at")),
             *((name, f"({sql}) + 0") for name, sql in flags), *([("grp", "c.agent")] if self.by == "agent" else [])],
            f"FROM callbacks c NOT INDEXED WHERE {CALLS_IN_RANGE}")
        return {"orders": db.inline(orders, {**self.params, "due_from": due_from}), "order_columns": order_columns,
                "calls": db.inline(calls, self.params), "call_columns": call_columns,
                "call_counts": [name for name, _ in flags], "due_counts": [name for name, _ in _OrderScan.DUE],
                "by": self.by, "filtered": bool(self.where.params), "given_up": self.given_up,
                "very_satisfied": VERY_SATISFIED, "last_id": self.last_id,
                "due": {"lo": self.params["lo"], "hi": self.params["hi"], "now": self.params["now"],
                        "period": self.scan.period_name}}

    def counted(self, counted: dict, calendar) -> tuple[list[dict], list[dict]]:
        """The child's rows (orders completed in the range; callbacks due in it), with the
        orders whose call or give-up moment fell between their deadline's bounds, or whose
        due time fell between its bounds across a day or now, judged by the calendar, as
        cb_deadline and cb_due judge them. `calendar`: (due, deadline) of _setup."""
        due_at, deadline = calendar
        rows = {(r["period"], r["grp"]): _index_sum(r) for r in counted["orders"]}
        dues = {(r["period"], r["grp"]): r for r in counted["due"]}
        between, due_between = counted["between"], counted["due_between"]
        found = dict(self.desk.conn.execute(
            "SELECT id, json_array(service_type, completed_at) FROM orders WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps([b[3] for b in between] + [b[1] for b in due_between]),)))
        for per, grp, kind, order_id, reached_at in between:
            due = deadline(*json.loads(found[order_id]))
            if due is None:
                continue
            if kind == "due_on_time":
                dues[(per, grp)]["callbacks_on_time_in_period"] += reached_at <= due
            else:
                rows[(per, grp)][kind] += (reached_at <= due) if kind == "on_time" else (due < self.given_up)
        lo, hi, now = self.params["lo"], self.params["hi"], self.params["now"]
        for grp, order_id, reached_at in due_between:
            order = json.loads(found[order_id])
            due = due_at(*order)
            if due is None or not (lo <= due < hi and due <= now):
                continue
            row = dues.setdefault((period_of(self.scan.period_name, due), grp), {
                "period": period_of(self.scan.period_name, due), "grp": grp,
                **{name: 0 for name, _ in _OrderScan.DUE}})
            row["callbacks_due_in_period"] += 1
            row["callbacks_done_in_period"] += reached_at is not None
            row["callbacks_on_time_in_period"] += reached_at is not None and reached_at <= deadline(*order)
        return list(rows.values()), list(dues.values())

    def with_followups(self, rows: list[dict]) -> list[dict]:
        """Follow-ups are few: counted apart, through their orders, not looked up for every order."""
        rows = {(r["period"], r["grp"]): r for r in rows}
        for r in self.desk.conn.execute(self.scan.followups(), self.params):
            row = rows.setdefault((r["period"], r["grp"]), {"period": r["period"], "grp": r["grp"]})
            row.update({k: r[k] for k in r.keys() if k not in ("period", "grp", "invalid_contacts")})
            row["invalid_contacts"] = row.get("invalid_contacts", 0) + r["invalid_contacts"]
        return list(rows.values())


def _select(columns, rest: str) -> tuple[list[str], str]:
    """(names, "SELECT expression AS name, ... rest") of (name, expression) pairs."""
    return [name for name, _ in columns], "SELECT " + ", ".join(f"{sql} AS {name}" for name, sql in columns) + " " + rest


def _index_sum(row: dict) -> dict:
    """The sum of the satisfaction indexes, from whole hundredths: the same sum
    whichever way, and in whatever order, the indexes were added."""
    cents = row.pop("index_cents")
    row["index_sum"] = None if cents is None else cents / 100
    return row


class _OrderScan:
    """The SQL of _OrderPass: the orders in range, each in its period and group."""

    def __init__(self, policy, period, by, where, later_wrong):
        self.policy, self.where, self.period_name = policy, where, period
        self.period = period_sql(period, "o.completed_at")
        self.grp = "f.agent" if by == "agent" else f"o.{by}"
        # The group of an order under --by agent: the agent of its first reached call.
        self.agent = "LEFT JOIN callbacks f ON f.id = o.first_reached_call AND f.called_at <= :now" if by == "agent" else ""
        self.invalid_phone = "o.phone_valid IS NOT 1" + (
            " AND o.id NOT IN (SELECT value FROM json_each(:later_wrong))" if later_wrong else "")

    def _in_range(self) -> str:
        return (f"o.completed_at >= :lo AND o.completed_at < :hi AND o.completed_at <= :now"
                f" AND o.status = 'completed'{self.where.sql}")

    # As of now: the first reached call counts if it was made by now (m017).
    REACHED_AT = "CASE WHEN o.first_reached_at <= :now THEN o.first_reached_at END"
    RATING = "CASE WHEN o.first_reached_at <= :now THEN o.first_reached_index END"

    def child_orders(self) -> tuple[list[str], str]:
        """What fastreport's child reads of every order (a call's order may be completed
        outside the range), before `WHERE` and its half of the ids: the facts of
        first_rounds, worked out by the same SQL, but for the deadline, looked up
        by its key, and a sampled order, picked by the child (selected is NULL).
        Returns the columns' names and the SQL."""
        sampled = " ".join(f"WHEN {db.literal(t)} THEN {r.coverage}" for t, r in self.policy.rules.items()
                           if 0 < r.coverage < 1.0)
        due_scope = self._in_range().replace("o.completed_at >= :lo", "o.completed_at >= :due_from")
        columns = [("id", "o.id"), ("in_range", f"({self._in_range()})"), ("due_scope", f"({due_scope})"),
                   ("kept", f"(1{self.where.sql})"),
                   ("period", self.period), ("grp", self.grp), ("selected", _selected_sql(self.policy, "NULL")),
                   *([("coverage", f"CASE o.service_type {sampled} END"), ("order_no", "o.order_no")] if sampled else []),
                   ("dl_key", _DeadlineKeys.of_policy(self.policy).sql("o.service_type", "o.completed_at")),
                   ("reached_at", self.REACHED_AT), ("rating", self.RATING), ("invalid", self.invalid_phone)]
        return _select(columns, f"FROM orders o {self.agent}")

    # The order's facts each pass sums: (name, SQL over the flags below), for the orders
    # completed in the range (the cohort) and for the first callbacks due in it.
    COHORT = [("orders_completed", "in_range"), ("callbacks_due", "in_range AND selected"),
              ("callbacks_done", "in_range AND done"), ("on_time", "in_range AND on_time"),
              ("index_cents", "CASE WHEN in_range THEN CAST(rating * 100 + 0.5 AS INTEGER) END"),
              ("rated", "in_range AND rating IS NOT NULL"), ("very_satisfied", f"in_range AND rating >= {VERY_SATISFIED}"),
              ("invalid_contacts", "in_range AND invalid_phone"), ("missed", "in_range AND missed")]
    DUE = [("callbacks_due_in_period", "due_in"), ("callbacks_done_in_period", "due_in AND done"),
           ("callbacks_on_time_in_period", "due_in AND on_time")]

    def rounds(self, row_order: bool, cohort: bool) -> str:
        """One pass over the orders completed from :due_from, each with its first reached
        call (kept on the order: m017); the call itself is read only for its agent. An
        order counts in the period of its completion when it was completed in the range
        (unless `cohort` is false: fastreport's child counts those), and in the period
        of its first callback's due time when that fell in the range by now (known from
        its bounds, or from the calendar when they straddle a day or now). The rows are
        (completion period, due period, group): _OrderPass.rounds folds them.

        A wide range reads the table in row order: through orders_completed, a year
        took 3 s more, reading rows all over the file. A deadline is looked up as two
        bounds (_setup); cb_deadline is called only for a call or a give-up moment
        between them. Each order comes down to a few 0/1 facts before the GROUP BY
        sorts them: the sort then moves less."""
        deadline = "cb_deadline(service_type, completed_at)"
        known = "substr(d.due_lo, 1, 10) = substr(d.due_hi, 1, 10) AND (d.due_hi <= :now OR d.due_lo > :now)"
        due_in = "(selected AND due >= :lo AND due < :hi AND due <= :now)"
        sums = ", ".join(f"sum({sql}) AS {name}" for name, sql in self.COHORT + self.DUE)
        return f"""
        SELECT cperiod, dperiod, grp, {sums}
        FROM (
            SELECT CASE WHEN in_range THEN period END AS cperiod,
                   CASE WHEN {due_in} THEN {period_sql(self.period_name, 'due')} END AS dperiod,
                   grp, in_range, {due_in} AS due_in, selected, invalid_phone, selected AND reached_at IS NOT NULL AS done,
                   CASE WHEN NOT selected OR reached_at IS NULL THEN 0 WHEN reached_at <= dl_lo THEN 1
                        WHEN reached_at > dl_hi THEN 0 ELSE reached_at <= {deadline} END AS on_time,
                   CASE WHEN selected THEN satisfaction END AS rating,
                   CASE WHEN NOT in_range OR NOT selected OR reached_at IS NOT NULL THEN 0 WHEN dl_hi < :given_up THEN 1
                        WHEN dl_lo >= :given_up THEN 0 ELSE {deadline} < :given_up END AS missed
            FROM (
                    SELECT {self.period} AS period, {self.grp} AS grp, {_selected_sql(self.policy)} AS selected,
                           {"o.completed_at >= :lo" if cohort else "0"} AS in_range,
                           o.service_type, o.completed_at, d.lo AS dl_lo, d.hi AS dl_hi,
                           {self.invalid_phone} AS invalid_phone,
                           {self.REACHED_AT} AS reached_at, {self.RATING} AS satisfaction,
                           CASE WHEN {known} THEN d.due_lo ELSE cb_due(o.service_type, o.completed_at) END AS due
                    FROM orders o{" NOT INDEXED" if row_order else ""}
                    LEFT JOIN temp.report_deadlines d
                           ON d.key = {_DeadlineKeys.of_policy(self.policy).sql('o.service_type', 'o.completed_at')}
                    {self.agent}
                    WHERE o.completed_at >= :due_from AND o.completed_at < :hi AND o.completed_at <= :now
                      AND o.status = 'completed'{self.where.sql}
                    LIMIT -1  -- no limit, but SQLite keeps the subquery whole: each fact is worked out once
            ) facts
            WHERE in_range OR {due_in}
            LIMIT -1
        ) flags
        GROUP BY cperiod, dperiod, grp"""

    def followups(self) -> str:
        """The orders in range with follow-ups open by now; invalid_contacts counts
        those the first pass did not count for their phone."""
        return f"""
        SELECT {self.period} AS period, {self.grp} AS grp,
               sum(fu.dissatisfied) AS dissatisfied,
               sum(fu.dissatisfied_resolved) AS dissatisfied_resolved,
               sum(fu.not_genuine) AS not_genuine,
               sum(fu.invalid_contact AND NOT ({self.invalid_phone})) AS invalid_contacts,
               sum(fu.second_visit) AS second_visits
        FROM (
            SELECT order_id,
                   max(reason = 'dissatisfied') AS dissatisfied,
                   max(reason = 'dissatisfied' AND resolved_at <= :now) AS dissatisfied_resolved,
                   max(reason = 'not_genuine') AS not_genuine,
                   max(reason = 'invalid_contact') AS invalid_contact,
                   max(done_at <= :now) AS second_visit
            FROM followups WHERE since <= :now GROUP BY order_id
        ) fu
        JOIN orders o ON o.id = fu.order_id
        {self.agent}
        WHERE {self._in_range()}
        GROUP BY 1, 2"""


def _complaint_metrics(desk, period, by, lo, hi, where):
    """Complaints received by now, as they stood at now (complaints.as_of); overdue: the
    reply came after it was due, or has not come by now and is due."""
    now = desk.now_text
    reply_within = dt.timedelta(minutes=int(desk.policy.reply_within.delta.total_seconds() // 60))
    rows = [dict(r) for r in desk.conn.execute(f"""
        SELECT {period_sql(period, 'c.received_at')} AS period, {_complaint_group(by)} AS grp, c.*, o.order_no
        FROM complaints c LEFT JOIN orders o ON o.id = c.order_id
        WHERE c.received_at >= :lo AND c.received_at < :hi AND c.received_at <= :now{where.sql}""",
        {"lo": lo, "hi": hi, "now": now, **where.params})]
    if rows:
        from callbackctl import complaints  # here: most reports have none, and it loads the importer

        rows = complaints.as_of(desk, rows)
    out = {}
    answered_at = complaints.answered_at if rows else None
    for c in rows:
        due = clock.fmt(clock.parse(c["reopened_at"] or c["received_at"]) + reply_within)
        m = out.setdefault((c["period"], c["grp"]), {"period": c["period"], "grp": c["grp"], "complaints": 0,
                                                     "special_complaints": 0, "overdue_complaints": 0})
        m["complaints"] += 1
        m["special_complaints"] += c["severity"] == "special"
        m["overdue_complaints"] += (answered_at(c) or now) > due
    return list(out.values())


def _complaint_group(by) -> str:
    """A complaint counts for the agent it names under --by agent; one against a
    desk agent never counts against the order's provider or engineer."""
    if by == "agent":
        return "CASE WHEN c.against = 'agent' THEN c.target END"
    if by in ("provider", "engineer"):
        return f"CASE WHEN c.against = 'agent' THEN NULL ELSE o.{by} END"
    return f"o.{by}"


def _chase_metrics(desk, period, by, lo, hi, where):
    grp = "h.actor" if by == "agent" else f"o.{by}"
    return [dict(r) for r in desk.conn.execute(f"""
        SELECT {period_sql(period, 'h.chased_at')} AS period, {grp} AS grp,
               count(*) AS chases, count(DISTINCT CASE WHEN h.reason = 'late' THEN h.order_id END) AS late_dispatches
        FROM chases h JOIN orders o ON o.id = h.order_id
        WHERE h.chased_at >= :lo AND h.chased_at < :hi AND h.chased_at <= :now{where.sql}
        GROUP BY 1, 2""", {"lo": lo, "hi": hi, "now": desk.now_text, **where.params})]


def _duty_metrics(desk, period, by, lo, hi, where, wide=False):
    """The dispatches of the period (派单量, by dispatched_at), and those whose provider was late
    to contact or to report: a narrow range through orders_dispatched (m028), a wide one
    reading every order in row order."""
    from callbackctl import dispatch

    if by == "agent":  # an agent dispatches nothing: the duties are the providers'
        return []
    duties = dispatch.late_duties(desk, lo)
    if duties is None:
        return []
    joins, (contact, status_), _late = duties
    return [dict(r) for r in desk.conn.execute(f"""
        SELECT {period_sql(period, 'o.dispatched_at')} AS period, o.{by} AS grp, count(*) AS dispatched,
               sum({contact}) AS late_contact, sum({status_}) AS late_status
        FROM orders o{" NOT INDEXED" if wide else " INDEXED BY orders_dispatched"} {joins}
        WHERE o.dispatched_at >= :lo AND o.dispatched_at < :hi AND o.dispatched_at <= :now{where.sql}
        GROUP BY 1, 2""", {"lo": lo, "hi": hi, "now": desk.now_text, **where.params})]


def _repair_metrics(desk, period, by, lo, hi, where, wide=False):
    """The repairs reported in the period (送修量, by reported_at; orders_reported, m030)."""
    if by == "agent":
        return []
    types = ", ".join(map(db.literal, REPAIR_TYPES))
    return [dict(r) for r in desk.conn.execute(f"""
        SELECT {period_sql(period, 'o.reported_at')} AS period, o.{by} AS grp, count(*) AS repairs_reported
        FROM orders o{" NOT INDEXED" if wide else " INDEXED BY orders_reported"}
        WHERE o.reported_at >= :lo AND o.reported_at < :hi AND o.reported_at <= :now
          AND o.service_type IN ({types}){where.sql}
        GROUP BY 1, 2""", {"lo": lo, "hi": hi, "now": desk.now_text, **where.params})]


def _suggestion_metrics(desk, period, by, lo, hi, where):
    grp = "c.agent" if by == "agent" else f"o.{by}"
    return [dict(r) for r in desk.conn.execute(f"""
        SELECT {period_sql(period, 'c.called_at')} AS period, {grp} AS grp, count(*) AS suggestions
        FROM callbacks c JOIN orders o ON o.id = c.order_id
        WHERE c.suggestion IS NOT NULL AND {CALLS_IN_RANGE}{where.sql}
        GROUP BY 1, 2""", {"lo": lo, "hi": hi, "now": desk.now_text, **where.params})]


SUGGESTION_COLUMNS = ["called_at", "order_no", "customer", "region", "agent", "suggestion"]


def suggestions_in(desk, first: dt.date | None, last: dt.date | None, region=None, product=None,
                   category=None) -> list[dict]:
    """The customers' suggestions and needs (用户建议) of the region's calls made from `first` to
    `last`, in call order: the monthly form lists them."""
    lo, hi = clock.day_range(first, last)
    where = Filter(region, product, category)
    return [dict(r) for r in desk.conn.execute(
        "SELECT c.called_at, o.order_no, o.customer, o.region, c.agent, c.suggestion "
        f"FROM callbacks c JOIN orders o ON o.id = c.order_id WHERE c.suggestion IS NOT NULL AND {CALLS_IN_RANGE}"
        f"{where.sql} ORDER BY c.called_at, c.id", {"lo": lo, "hi": hi, "now": desk.now_text, **where.params})]


def _spot_metrics(desk, period, by, lo, hi, where):
    """Head office's spot checks sampled in the period (抽访量), and of them, as known by now:
    head office's call reached (接通), its finding not the region's (与区域记录不符), the
    work not genuine (不属实)."""
    grp = "rc.agent" if by == "agent" else f"o.{by}"
    return [dict(r) for r in desk.conn.execute(f"""
        SELECT {period_sql(period, 's.sampled_at')} AS period, {grp} AS grp, count(*) AS spot_checks,
               coalesce(sum(hc.called_at <= :now), 0) AS spot_checks_reached,
               coalesce(sum(CASE WHEN hc.called_at <= :now THEN s.disagrees END), 0) AS spot_check_disagreements,
               coalesce(sum(hc.called_at <= :now AND hc.genuine = 0), 0) AS spot_checks_not_genuine
        FROM spot_checks s JOIN orders o ON o.id = s.order_id JOIN callbacks rc ON rc.id = s.regional_call_id
        LEFT JOIN callbacks hc ON hc.id = s.call_id
        WHERE s.sampled_at >= :lo AND s.sampled_at < :hi AND s.sampled_at <= :now{where.sql}
        GROUP BY 1, 2""", {"lo": lo, "hi": hi, "now": desk.now_text, **where.params})]


# The region's calls of the period: voided ones count nowhere, head office's spot checks in the
# spot-check columns only (callbacks_order carries spot_check_id: m029).
CALLS_IN_RANGE = ("c.called_at >= :lo AND c.called_at < :hi AND c.called_at <= :now AND c.outcome != 'voided' "
                   "AND c.spot_check_id IS NULL")


def _call_metrics(desk, period, by, lo, hi, where, row_order=False):
    """The calls made in the period (voided ones count nowhere), whenever their order
    was completed: the day's work. Under --by agent, the agent who made each call.
    A wide range reads every call: under --by agent in row order, else from
    callbacks_order (m018), in the order of their orders, read one after the other."""
    grp = "c.agent" if by == "agent" else f"o.{by}"
    scan = "" if not row_order else " NOT INDEXED" if by == "agent" else " INDEXED BY callbacks_order"
    counts = ", ".join(f"sum({sql}) AS {name}" for name, sql in call_flags(desk.policy))
    return [dict(r) for r in desk.conn.execute(f"""
        SELECT {period_sql(period, 'c.called_at')} AS period, {grp} AS grp, {counts}
        FROM callbacks c{scan} LEFT JOIN orders o ON o.id = c.order_id
        WHERE {CALLS_IN_RANGE}{where.sql}
        GROUP BY 1, 2""", {"lo": lo, "hi": hi, "now": desk.now_text, **where.params})]


def _recurring_metrics(desk, period, by, lo, hi, where):
    """Customers' recurring calls made in the period (voided ones aside): under --by agent
    the agent's; otherwise in the row of no group, as a customer has no region or provider.
    None when the report keeps one region's or product's orders."""
    if where.params:
        return []
    grp = "agent" if by == "agent" else "NULL"
    return [dict(r) for r in desk.conn.execute(f"""
        SELECT {period_sql(period, 'called_at')} AS period, {grp} AS grp, count(*) AS recurring_calls_made,
               sum(outcome = 'reached') AS recurring_calls_reached
        FROM recurring_calls
        WHERE called_at >= :lo AND called_at < :hi AND called_at <= :now AND outcome != 'voided'
        GROUP BY 1, 2""", {"lo": lo, "hi": hi, "now": desk.now_text})]


def _contact_metrics(desk, period, by, lo, hi, where):
    """The inbound calls received in the period, per kind, grouped by their order (or the agent
    who took them), and the replies made late (contacts.reply_due: desk hours)."""
    now = desk.now_text
    grp = "t.agent" if by == "agent" else f"o.{by}"
    rows = desk.conn.execute(f"""
        SELECT {period_sql(period, 't.received_at')} AS period, {grp} AS grp, t.kind, t.answered, t.received_at,
               CASE WHEN t.replied_at <= :now THEN t.replied_at END AS replied_at
        FROM contacts t LEFT JOIN orders o ON o.id = t.order_id
        WHERE t.received_at >= :lo AND t.received_at < :hi AND t.received_at <= :now{where.sql}""",
        {"lo": lo, "hi": hi, "now": now, **where.params}).fetchall()
    if not rows:
        return []
    from callbackctl import contacts

    due = lru_cache(maxsize=None)(lambda received: clock.fmt(contacts.reply_due(desk, received)))
    out = {}
    for per, grp, kind, answered, received_at, replied_at in rows:
        m = out.setdefault((per, grp), {"period": per, "grp": grp, "contacts": 0, "late_replies": 0,
                                        **{f"contacts_{k}": 0 for k in CONTACT_KINDS}})
        m["contacts"] += 1
        m[f"contacts_{kind}"] += 1
        m["late_replies"] += not answered and (replied_at or now) > due(received_at)
    return list(out.values())


def chart(rows: list[dict], by: str, width: int = 30) -> str:
    """Terminal bar charts of satisfaction and completion per group, in plain Unicode blocks."""
    blocks = " ▏▎▍▌▋▊▉█"

    def bar(value, scale):
        if value is None:
            return ""
        cells = value / scale * width
        full, part = int(cells), int((cells - int(cells)) * 8)
        return "█" * full + (blocks[part] if part else "")

    from wcwidth import wcswidth  # Chinese names take two columns each

    labels = [f"{r['period']} {r[by] or '-'}" for r in rows]
    pad = max((wcswidth(x) for x in labels), default=0)
    left = [x + " " * (pad - wcswidth(x)) for x in labels]
    out = ["satisfaction index (0-5)"]
    out += [f"  {lab}  {bar(r['satisfaction_index'], 5):<{width}}  {r['satisfaction_index'] or '-'}"
            for lab, r in zip(left, rows)]
    out.append("completion rate (0-100%)")
    out += [f"  {lab}  {bar(r['completion_rate'], 1):<{width}}  "
            + (f"{r['completion_rate']:.0%}" if r["completion_rate"] is not None else "-") for lab, r in zip(left, rows)]
    return "\n".join(out) + "\n"


# -- named reports ----------------------------------------------------------------

PRESETS = {
    # name: (period, by, range, columns or None for all)
    "daily": ("day", "region", "today", None),
    "weekly": ("week", "region", "last_week", None),
    "monthly": ("month", "region", "last_month", None),
    "providers": ("month", "provider", "last_month",
                  ["orders_completed", "callbacks_due", "completion_rate", "on_time_rate", "satisfaction_index",
                   "dissatisfied", "not_genuine", "second_visits", "complaints", "special_complaints",
                   "chases", "late_dispatches"]),
}
FAULT_COLUMNS = ["product", "kind", "name", "orders", "share"]


@dataclass(frozen=True)
class Plan:
    """What a report run covers: a named report's settings, or the options given."""

    period: str
    by: str
    first: dt.date | None
    last: dt.date | None
    columns: list


def plan(name, period, by, first, last, today: dt.date, by_given: bool = False) -> Plan:
    """A named report fixes period and columns, and a grouping and a range unless given."""
    columns = None
    if name is not None:
        period, preset_by, which, columns = PRESETS[name]
        by = by if by_given else preset_by
        if first is None and last is None:
            first, last = preset_range(which, today)
    return Plan(period, by, first, last, ["period", by] + (columns or METRICS))


def preset_range(which: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """today; last_week (the last whole ISO week); last_month (the last whole month)."""
    if which == "today":
        return today, today
    if which == "last_week":
        monday = today - dt.timedelta(days=today.weekday() + 7)
        return monday, monday + dt.timedelta(days=6)
    first = today.replace(day=1)
    last = first - dt.timedelta(days=1)
    return last.replace(day=1), last


def fault_structure(desk, date_from=None, date_to=None, top=10, region=None, product=None, category=None) -> list[dict]:
    """The most frequent faults and replaced parts per product (故障结构), by completion date."""
    lo, hi = clock.day_range(date_from, date_to)
    where = Filter(region, product, category)
    fault = fault_sql()
    from callbackctl import normalize

    counts: dict = {}
    totals: dict = {}
    for product, parts, what in desk.conn.execute(
        f"SELECT coalesce(product, ''), parts_replaced, {fault} FROM orders o "
        f"WHERE completed_at >= :lo AND completed_at < :hi AND status = 'completed'{where.sql}",
        {"lo": lo, "hi": hi, **where.params}):
        totals[product] = totals.get(product, 0) + 1
        if what:
            key = (product, "fault", str(what).strip())
            counts[key] = counts.get(key, 0) + 1
        for part in normalize.parts(parts or ""):
            key = (product, "part", part)
            counts[key] = counts.get(key, 0) + 1
    out = []
    for product in sorted(totals):
        for kind in ("fault", "part"):
            items = sorted(((n, name) for (p, k, name), n in counts.items() if p == product and k == kind),
                           key=lambda x: (-x[0], x[1]))[:top]
            out += [{"product": product or None, "kind": kind, "name": name, "orders": n,
                     "share": round(n / totals[product], 3)} for n, name in items]
    return out


def fault_sql() -> str:
    """SQL for an order's fault (故障): a dealer's column of that name, kept with the order (extra)."""
    return "coalesce(" + ", ".join(f"json_extract(o.extra, '$.\"{k}\"')" for k in FAULT_HEADERS) + ")"
