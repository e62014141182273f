"""When customer callbacks (回访) fall due, and why: the schedule of each order's rounds.

An order's callback work comes in rounds. Round 1 starts at completion; each
second visit (`followup done`) starts another. A round is due `delay` after
its start and must be done by `within` after that (calendar.py). Inside a
round, unsuccessful calls are retried `retry_after` later, a promised time
(`--callback-at`) is kept, and the round ends with a call that reaches the
customer, a refusal, a wrong number, or the last allowed attempt (calls.py
records them; followups.py holds what is handed back).

Due times and deadlines are computed when asked, from the order, its calls
and the policy in force; only facts (calls, visits) are stored.
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from dataclasses import dataclass
from functools import lru_cache

from callbackctl import calendar, clock, db, status, vocab
from callbackctl.policy import Duration

RETRY_OUTCOMES = frozenset({"no_answer", "busy", "hung_up", "wrong_person"})

DUE_COLUMNS = vocab.DUE_COLUMNS


def in_coverage(order_no: str, coverage: float) -> bool:
    """A stable pick: the same orders are sampled on every run and machine."""
    if coverage >= 1.0:
        return True
    return zlib.crc32(order_no.encode("utf-8")) / 2**32 < coverage


# -- schedule ----------------------------------------------------------------

@dataclass(slots=True)
class Schedule:
    """Where an order's callback stands at a moment."""

    round: int
    start: str                 # when the round started: completion, or the last second visit
    due_at: dt.datetime        # when the round fell due
    deadline: dt.datetime
    next_due: dt.datetime      # when the next call is due (a retry or promise may move it)
    reason: str                # of the next call
    attempts: int
    last_outcome: str | None
    closed: bool
    rule: object
    last_called_at: str | None = None  # the round's latest call, for explaining a retry
    kept_promises: int = 0             # calls made at a time promised to the customer: not attempts
    verified: str | None = None        # the round resumed when its wrong number was verified then

    @property
    def base(self) -> dt.datetime:
        return clock.parse(self.start)

    def give_up_at(self, policy) -> dt.datetime:
        return self.deadline + policy.give_up_after.delta


class Scheduler:
    """Computes schedules for one desk, caching the calendar arithmetic.

    Delays and deadlines go through a Timeline of the windows around `span`
    (default: four months back, two ahead of now), which works out day-counted
    ones once per day.
    """

    def __init__(self, desk, span: tuple[dt.date, dt.date] | None = None):
        self.desk, self.policy = desk, desk.policy
        today = desk.now.date()
        first, last = span or (today - dt.timedelta(days=120), today + dt.timedelta(days=60))
        timeline = calendar.Timeline(desk.cal, self.policy.callback_windows, first, last)
        self.due_after, self.deadline_after, self.roll = timeline.due_after, timeline.deadline_after, timeline.roll
        self._rounds = {}

    def rule_for(self, service_type: str, order_no: str):
        rule = self.policy.rules.get(service_type)
        if rule is None or rule.coverage < 1.0 and not in_coverage(order_no, rule.coverage):
            return None
        return rule

    def round_times(self, rule, start: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """When a round started at `start` falls due under `rule`, and its deadline."""
        due = self.due_after(start, rule.delay)
        return due, self.deadline_after(due, rule.within)

    def _round_times_of(self, service_type, rule, start: str):
        # A day-counted delay depends on the start's date alone, so a long list
        # shares a few dozen answers; minute-counted ones are cached by time.
        key = (service_type, start[:10] if rule.delay.days else start)
        found = self._rounds.get(key)
        if found is None:
            found = self._rounds[key] = self.round_times(rule, clock.parse(start))
        return found

    def next_call(self, due: dt.datetime, called_at: str, callback_at: str | None) -> tuple[str, dt.datetime]:
        """After an unfinished call: the time promised to the customer, else a retry (never before `due`)."""
        if callback_at:
            return "promised", self.roll(clock.parse(callback_at))
        return "retry", max(due, self.due_after(clock.parse(called_at), self.policy.retry_after))

    def schedule(self, service_type, order_no, start, rnd, last_call, attempts, kept_promises=0,
                 verified=None) -> Schedule | None:
        """The schedule of round `rnd`, which started at `start` (stored text).

        `last_call`: the round's latest call as (called_at, outcome,
        callback_at, closes) where `closes` is whether any of its calls closed
        it; None before the first. `verified`: when the wrong number that
        closed the round was verified: the round is due again at the next
        window from then, its deadline counted by the rule from there.
        """
        rule = self.rule_for(service_type, order_no)
        if rule is None or not start:
            return None
        if verified:
            due = self.roll(clock.parse(verified))
            deadline, reason = self.deadline_after(due, rule.within), "verified"
        else:
            due, deadline = self._round_times_of(service_type, rule, start)
            reason = "first" if rnd == 1 else "second"
        next_due, closed, last_outcome = due, False, None
        if last_call:
            called_at, last_outcome, callback_at, closed = last_call
            if not closed:
                reason, next_due = self.next_call(due, called_at, callback_at)
        return Schedule(rnd, start, due, deadline, next_due, reason, attempts, last_outcome, bool(closed), rule,
                        last_call[0] if last_call else None, kept_promises, verified)


# The order's round facts (second visits, the last verification of a wrong
# number, and the current round's calls as
# [[id, called_at, outcome, callback_at, closes], ...]) with some of its
# columns, for the orders `where` selects. Each is a probe of an index for
# that order only: a table-wide aggregate of follow-ups would cost every
# `due` a scan of them all. As of now: a call or second visit stamped after
# now does not count yet; its first four parameters are now.
_ORDER_STATE_TEMPLATE = """
    SELECT s.*,
           (SELECT json_group_array(json_array(c.id, c.called_at, c.outcome, c.callback_at, c.closes))
              FROM callbacks c WHERE c.order_id = s.id AND c.round = 1 + s.visits
              AND c.spot_check_id IS NULL AND c.outcome != 'voided'{calls_as_of}) AS calls
    FROM (SELECT {{order_columns}},
                 (SELECT count(*) FROM followups f WHERE f.order_id = o.id AND f.done_at IS NOT NULL{visits_as_of}) AS visits,
                 (SELECT max(f.done_at) FROM followups f WHERE f.order_id = o.id{visits_as_of}) AS last_visit,
                 (SELECT max(f.verified_at) FROM followups f WHERE f.order_id = o.id{verified_as_of}) AS verified
          FROM orders o WHERE {{where}}) s
"""
_ORDER_STATE_AS_OF_SQL = _ORDER_STATE_TEMPLATE.format(calls_as_of=" AND c.called_at <= ?",
                                                      visits_as_of=" AND f.done_at <= ?",
                                                      verified_as_of=" AND f.verified_at <= ?")


def _state(scheduler, service_type, order_no, completed_at, visits, last_visit, calls_json, verified=None):
    """The schedule of a row of _ORDER_STATE_AS_OF_SQL; any closing call closes the round.

    A call made at the time the customer asked for (the one after a call with
    a callback_at) is not an attempt. A wrong number verified since it closed
    the round resumes the round: only the calls after it count.
    """
    start = completed_at if not visits else last_visit
    last, attempts, promises, resumed = None, 0, 0, None
    if calls_json != "[]":  # most due orders have no call yet
        calls = sorted(json.loads(calls_json), key=lambda c: (c[1], c[0]))
        if verified and verified > (start or ""):
            wrong = [i for i, c in enumerate(calls) if c[2] == "wrong_number" and c[4] and c[1] <= verified]
            if wrong:
                calls, resumed = calls[wrong[-1] + 1:], verified
        if calls:
            _, called_at, outcome, callback_at, _ = calls[-1]
            last = (called_at, outcome, callback_at, any(c[4] for c in calls))
            promises = sum(1 for a, b in zip(calls, calls[1:]) if a[3])
            attempts = len(calls) - promises
    return scheduler.schedule(service_type, order_no, start, 1 + visits, last, attempts, promises, resumed), attempts


_LIST_COLUMNS = ("o.id, o.order_no, o.customer, o.phone, o.service_type, o.region, o.provider, o.engineer, "
                 "o.completed_at")


def order_schedule(desk, order_no: str) -> tuple[dict, Schedule | None]:
    """One order (its number in any case), every column of it, and where its callback
    stands as of now: calls and second visits stamped after now do not count yet."""
    from callbackctl import orders  # here: `due` never needs the importer

    now = desk.now_text
    row = dict(desk.conn.execute(_ORDER_STATE_AS_OF_SQL.format(order_columns="o.*", where="o.order_no = ?"),
                                 (now, now, now, now, orders.number(desk.conn, order_no))).fetchone())
    s, row["attempts"] = _state(_desk_scheduler(desk), row["service_type"], row["order_no"], row["completed_at"],
                                row["visits"], row["last_visit"], row["calls"], row["verified"])
    return row, s  # attempts: this round's, also for orders without a rule


def _desk_scheduler(desk) -> Scheduler:
    """The desk's Scheduler, made once for its policy and day: `record --from` asks for
    each call's order, and laying out the calendar's windows each time was 3 of 5 s
    for 10k calls."""
    key = (id(desk.policy), desk.now.date())
    cached = desk.__dict__.get("_scheduler")
    if cached is None or cached[0] != key:
        cached = desk.__dict__["_scheduler"] = (key, Scheduler(desk))
    return cached[1]


def earliest_open_completion(scheduler, now: dt.datetime) -> dt.datetime:
    """The earliest completion time whose first round is not yet given up at `now`.

    A later completion never has an earlier deadline, so a binary search over
    completion times finds the bound; the due query reads only orders
    completed since then (an index range), not the whole table.
    """
    policy = scheduler.policy

    def alive(t):
        return any(scheduler.round_times(r, t)[1] + policy.give_up_after.delta >= now for r in policy.rules.values())

    lo = now - policy.give_up_after.delta - dt.timedelta(days=60)
    hi = now
    if alive(lo):
        return lo  # a calendar with very long breaks: stay generous
    while hi - lo > dt.timedelta(minutes=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(second=0, microsecond=0)
        if alive(mid):
            hi = mid
        else:
            lo = mid
    return lo


def _order_filters(region, provider, engineer, service_type, category=None) -> tuple[list[str], list]:
    """`due`'s filters on the order (o): SQL conditions and their parameters."""
    given = [(c, v) for c, v in (("region", region), ("provider", provider), ("engineer", engineer),
                                 ("service_type", service_type), ("category", category)) if v is not None]
    return [f"o.{c} = ?" for c, _ in given], [v for _, v in given]


def due_query(policy, now, until, lower, region=None, provider=None, engineer=None, service_type=None,
              later_calls=False, category=None):
    """The SQL that finds orders whose callback round may be due, and its parameters.

    It narrows a million orders to the recent, unfinished ones with index
    ranges alone: orders completed since `lower` whose first round no call has
    closed (tested inside orders_completed, migration m011), plus orders with a
    second visit since `lower`. The exact schedule, including whether a later round
    is closed, is computed in Python.

    As of now: an order completed after now is not due (even with --until
    later), and calls and second visits stamped after now do not count. The
    first-round flag knows no time, so when the desk holds calls after now
    (`later_calls`: a --now in the past) the orders whose first round one of
    them closed are added, from callbacks_called's range after now.
    """
    lower = clock.fmt(lower)
    now_text = clock.fmt(now)
    types = sorted(policy.rules)
    marks = ",".join("?" * len(types))
    where = ["o.status = 'completed'", f"o.service_type IN ({marks})"]
    filters, values = _order_filters(region, provider, engineer, service_type, category)
    where += filters
    if later_calls:  # the orders a call after now closed: only those completed by now
        where.append("o.completed_at <= ?")
        values = [*values, now_text]
    # The first half reads orders_completed alone: status_given stands in for
    # the generated status, which is coalesce(status_given, 'completed') once
    # completed_at is set. Recent second visits are appended (IN ignores
    # repeats); an OR instead would make SQLite scan every order.
    started = ("o.id IN (SELECT id FROM orders WHERE first_round_closed IS NULL "
               "AND completed_at >= ? AND completed_at <= ? "
               f"AND {status.sql(completed=True)} = 'completed' AND service_type IN ({marks}) "
               "UNION ALL SELECT order_id FROM followups WHERE done_at >= ? "
               "UNION ALL SELECT order_id FROM followups WHERE verified_at >= ?"
               + (" UNION ALL SELECT order_id FROM callbacks WHERE called_at > ? AND round = 1 AND closes = 1"
                  if later_calls else "") + ")")
    sql = _ORDER_STATE_AS_OF_SQL.format(order_columns=_LIST_COLUMNS, where=" AND ".join([started, *where]))
    return sql, [now_text, now_text, now_text, now_text, lower, min(now_text, clock.fmt(until)), *types, lower, lower,
                 *([now_text] if later_calls else []), *types, *values]


def calls_after(conn, now) -> bool:
    """Whether any call is stamped after `now` (a --now in the past): one probe of callbacks_called."""
    return conn.execute("SELECT 1 FROM callbacks WHERE called_at > ? LIMIT 1", (clock.fmt(now),)).fetchone() is not None


def orders_due(desk, scheduler, until, lower, region=None, provider=None, engineer=None, service_type=None,
               reason=None, overdue_only=False, category=None) -> list[dict]:
    """The orders' callback rounds and head office's spot checks due at `until`, in no
    order (duelist.due adds the other kinds, who holds each, and sorts)."""
    now = desk.now
    sql, params = due_query(desk.policy, now, until, lower, region, provider, engineer, service_type,
                            later_calls=calls_after(desk.conn, now), category=category)
    out = _due_rows(scheduler, desk.conn, sql, params, until, reason, overdue_only)
    if reason in (None, "spot_check"):
        out += [r for r in spot_checks_due(desk, scheduler, until, region, provider, engineer, service_type, category)
                if not overdue_only or r["overdue"]]
    return out


def _due_rows(scheduler, conn, sql, params, until, reason, overdue_only) -> list[dict]:
    """due's rows from the candidates `sql` finds."""
    now, give_up = scheduler.desk.now, scheduler.policy.give_up_after.delta
    out, fmt = [], lru_cache(maxsize=None)(clock.fmt)  # most rows share a few due times and deadlines
    for (_, order_no, customer, phone, stype, region, provider, engineer, completed_at, visits, last_visit,
         verified, calls) in db.tuples(conn, sql, params):
        s, attempts = _state(scheduler, stype, order_no, completed_at, visits, last_visit, calls, verified)
        if s is None or s.closed or s.next_due > until or now > s.deadline + give_up:
            continue
        overdue = now > s.deadline
        if (reason and s.reason != reason) or (overdue_only and not overdue):
            continue
        out.append({  # a literal: 5x faster than dict(zip(...)) with keywords
            "order_no": order_no, "customer": customer, "phone": phone, "service_type": stype, "region": region,
            "provider": provider, "engineer": engineer, "completed_at": completed_at,
            "due_at": fmt(s.next_due), "deadline": fmt(s.deadline),
            "attempts": attempts, "last_outcome": s.last_outcome, "reason": s.reason, "overdue": overdue,
        })
    return out


def spot_checks_due(desk, scheduler, until, region=None, provider=None, engineer=None, service_type=None,
                    category=None):
    """Head office's open spot checks: due when sampled, deadline by the order's rule.

    As of now: a check sampled after now is not listed, its calls after now do
    not count, and one answered by a call after now is still open.
    """
    # `+c.called_at`: the calls of a spot check (one or two) are found by
    # spot_check_id alone and filtered, not a range of callbacks_spot.
    sql = ("SELECT o.order_no, o.customer, o.phone, o.service_type, o.region, o.provider, o.engineer, o.completed_at, "
           "s.sampled_at, (SELECT count(*) FROM callbacks c WHERE c.spot_check_id = s.id AND c.outcome != 'voided' "
           "AND +c.called_at <= ?) AS attempts, "
           "(SELECT json_object('called_at', c.called_at, 'outcome', c.outcome, 'callback_at', c.callback_at) "
           " FROM callbacks c WHERE c.spot_check_id = s.id AND c.outcome != 'voided' AND +c.called_at <= ? "
           "ORDER BY c.called_at DESC, c.id DESC LIMIT 1) AS last_call "
           # CROSS JOIN keeps the few open spot checks as the outer loop: with a
           # filter on orders, SQLite would otherwise scan every order for them.
           "FROM spot_checks s CROSS JOIN orders o ON o.id = s.order_id WHERE s.sampled_at <= ? AND ")
    now_text = clock.fmt(desk.now)
    if calls_after(desk.conn, desk.now):  # answered after now: open then (reads every spot check)
        sql += "(s.call_id IS NULL OR (SELECT called_at FROM callbacks WHERE id = s.call_id) > ?)"
        params = [now_text] * 4
    else:
        sql += "s.call_id IS NULL"
        params = [now_text] * 3
    filters, values = _order_filters(region, provider, engineer, service_type, category)
    sql += "".join(" AND " + f for f in filters)
    params += values
    policy, now, out = desk.policy, desk.now, []
    for r in desk.conn.execute(sql, params):
        rule = policy.rules.get(r["service_type"])
        due = scheduler.roll(clock.parse(r["sampled_at"]))
        # A rule removed from the policy since the sample: give a working day.
        deadline = scheduler.deadline_after(due, rule.within if rule else Duration(days=1))
        next_due, last = due, json.loads(r["last_call"]) if r["last_call"] else None
        if last:
            _, next_due = scheduler.next_call(due, last["called_at"], last["callback_at"])
        if next_due > until or now > deadline + policy.give_up_after.delta:
            continue
        out.append({**{k: r[k] for k in ("order_no", "customer", "phone", "service_type", "region", "provider",
                                         "engineer", "completed_at", "attempts")},
                    "due_at": clock.fmt(next_due), "deadline": clock.fmt(deadline),
                    "last_outcome": last["outcome"] if last else None, "reason": "spot_check",
                    "overdue": now > deadline})
    return out


def explain(desk, order_no: str) -> list[dict]:
    """How the current due time and deadline were reached, to the second, for a desk lead to check."""
    row, s = order_schedule(desk, order_no)
    if s is None:
        why = "not completed" if not row["completed_at"] else (
            f"no callback rule for {row['service_type']}" if row["service_type"] not in desk.policy.rules
            else "not picked by the rule's coverage sample")
        return [{"step": "callback", "value": why}]
    r, cal, policy = s.rule, desk.cal, desk.policy

    def day(t):  # a time, and what kind of day it falls on when that is not plain
        return f"{t:%a %Y-%m-%d %H:%M:%S}" + _day_note(cal, t.date())

    def skipped(a, b):
        days = [a + dt.timedelta(days=i) for i in range(1, (b - a).days)]
        off = [f"{d:%a %m-%d}" + _holiday_name(cal, d) for d in days if not cal.is_workday(d)]
        return f"; skipped {', '.join(off)}" if off else ""

    windows = ", ".join(f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}" for a, b in policy.callback_windows)
    start = "completed" if s.round == 1 else "second visit"
    give_up = s.give_up_at(policy)
    state = ("finished" if s.closed else "missed" if desk.now > give_up
             else "overdue" if desk.now > s.deadline else "open")
    rows = [
        ("rule", f"{row['service_type']}: delay {r.delay}, within {r.within}, coverage {r.coverage}; windows {windows}"),
        ("round", f"{s.round} ({'first callback' if s.round == 1 else 'after a second visit'})"),
        ("started", f"{day(s.base)} ({start})"),
        ("due_at", f"{day(s.due_at)}: " + (
            f"the wrong number was verified at {s.verified}, at the next window" if s.verified
            else f"{r.delay.days} working day(s) after {s.base:%m-%d}, at the first window" if r.delay.days
            else f"{r.delay} after {s.base:%H:%M:%S}, rolled into a window")
            + ("" if s.verified else skipped(s.base.date(), s.due_at.date()))),
        ("deadline", f"{day(s.deadline)}: " + (
            f"end of the last window on working day {r.within.days}, counting the due day" if r.within.days
            else f"{r.within} of window time after due_at") + skipped(s.due_at.date(), s.deadline.date())),
        ("attempts", f"{s.attempts} of {policy.max_attempts}" + (f", last {s.last_outcome}" if s.last_outcome else "")
         + (f"; {s.kept_promises} call(s) at a time the customer asked for, not counted" if s.kept_promises else "")
         + (f"; counted since the number was verified at {s.verified}" if s.verified else "")),
        ("next_call", "none" if s.closed else f"{day(s.next_due)} ({s.reason}" + _next_why(s, policy) + ")"),
        ("give_up_at", f"{give_up:%Y-%m-%d %H:%M:%S} (deadline + {policy.give_up_after}, calendar days)"),
        ("state", state + (": past give_up_at, off the due list and counted missed" if state == "missed" else "")),
    ]
    predicted = sorted({t.year for t in (s.base, s.due_at, s.deadline)} & cal.missing_years)
    if predicted:
        rows.append(("calendar", f"{', '.join(map(str, predicted))}: no official holiday list yet, statutory "
                                 "holidays predicted (see the warning; `callbackctl calendar YEAR` lists them)"))
    return [{"step": k, "value": v} for k, v in rows]


def _day_note(cal, day: dt.date) -> str:
    if day.weekday() >= 5 and cal.is_workday(day):
        return " (a make-up working day, 调休)"
    return ""


def _holiday_name(cal, day: dt.date) -> str:
    """ 春节, or 春节 (predicted) for a year without the official list."""
    _, name, source = cal.explain(day)
    return (f" {name}" if name else "") + (" (predicted)" if source == "predicted" else "")


def _next_why(s, policy) -> str:
    """A retry's step: the last call, plus retry_after, rolled into a window (never before due_at)."""
    if s.reason == "retry" and s.last_called_at:
        return f": last call {s.last_called_at} + {policy.retry_after}, rolled into a window, not before due_at"
    if s.reason == "promised":
        return ": the time promised to the customer, rolled into a window"
    return ""
