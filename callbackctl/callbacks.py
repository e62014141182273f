"""Customer callbacks (回访): what is due, recording calls, scores, checks, follow-ups.

An order's callback work comes in rounds. Round 1 starts at completion; each
second visit (`followup done`) starts another. A round is due `delay` after
its start and must be done by `within` after that (calendar.py). Inside a
round, unsuccessful calls are retried `retry_after` later, a promised time
(`--callback-at`) is kept, and the round ends with a call that reaches the
customer, a refusal, a wrong number, or the last allowed attempt.

Due times and deadlines are computed when asked, from the order, its calls
and the policy in force; only facts (calls, visits) are stored.
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from dataclasses import dataclass
from functools import lru_cache

from callbackctl import calendar, clock, normalize, orders
from callbackctl.db import transaction
from callbackctl.errors import InvalidValue, StateError
from callbackctl.policy import Duration

OUTCOMES = ("reached", "no_answer", "busy", "hung_up", "refused", "wrong_number", "wrong_person")
RETRY_OUTCOMES = frozenset({"no_answer", "busy", "hung_up", "wrong_person"})
SCORES = ("skill", "attitude", "timeliness", "parts", "overall")
REASONS = ("first", "retry", "promised", "second", "spot_check")

DUE_COLUMNS = ["order_no", "customer", "phone", "service_type", "region", "provider", "engineer",
               "completed_at", "due_at", "deadline", "attempts", "last_outcome", "reason", "overdue"]
RECORD_COLUMNS = ["order_no", "called_at", "outcome", "skill", "attitude", "timeliness", "parts",
                  "overall", "index", "genuine", "discrepancies", "followup", "reason"]
FOLLOWUP_COLUMNS = ["order_no", "reason", "since", "round", "customer", "phone", "region", "provider",
                    "engineer", "detail"]

_LEVELS = {
    5: ["5", "非常满意", "非常好", "特别好", "很满意", "very satisfied", "very_satisfied", "excellent"],
    4: ["4", "满意", "比较满意", "satisfied", "good"],
    3: ["3", "一般", "基本满意", "neutral", "ok", "fair"],
    2: ["2", "不满意", "dissatisfied", "poor"],
    1: ["1", "非常不满意", "很差", "very dissatisfied", "very_dissatisfied", "bad"],
}
_PHRASES = {normalize.header_key(p): level for level, phrases in _LEVELS.items() for p in phrases}


def satisfaction_level(text: str) -> int:
    """非常满意 / 'very satisfied' / '5' -> 5, and so on down to 1."""
    try:
        return _PHRASES[normalize.header_key(text)]
    except KeyError:
        raise ValueError(
            f"unknown satisfaction {text!r} (use 1-5, 非常满意, 满意, 一般, 不满意, 非常不满意, "
            "or very satisfied, satisfied, neutral, dissatisfied, very dissatisfied)"
        ) from None


def in_coverage(order_no: str, coverage: float) -> bool:
    """A stable pick: the same orders are sampled on every run and machine."""
    if coverage >= 1.0:
        return True
    return zlib.crc32(order_no.encode("utf-8")) / 2**32 < coverage


# -- schedule ----------------------------------------------------------------

@dataclass
class Schedule:
    """Where an order's callback stands at a moment."""

    round: int
    base: dt.datetime          # completion, or the last second visit
    due_at: dt.datetime        # when the round fell due
    deadline: dt.datetime
    next_due: dt.datetime      # when the next call is due (a retry or promise may move it)
    reason: str                # of the next call
    attempts: int
    last_outcome: str | None
    closed: bool
    rule: object

    def give_up_at(self, policy) -> dt.datetime:
        return self.deadline + policy.give_up_after.delta


class Scheduler:
    """Computes schedules for one desk, caching the calendar arithmetic.

    Many orders share a completion minute or day, so due and deadline are
    memoised per (time, duration).
    """

    def __init__(self, desk):
        self.desk, self.policy = desk, desk.policy
        cal, windows = desk.cal, self.policy.callback_windows
        self.due_after = lru_cache(maxsize=65536)(lambda t, d: calendar.due_after(cal, windows, t, d))
        self.deadline_after = lru_cache(maxsize=65536)(lambda t, d: calendar.deadline_after(cal, windows, t, d))
        self.roll = lambda t: calendar.roll_forward(cal, windows, t)

    def rule_for(self, order):
        rule = self.policy.rules.get(order["service_type"])
        if rule is None or rule.coverage <= 0 or not in_coverage(order["order_no"], rule.coverage):
            return None
        return rule

    def schedule(self, order, visits, last_call, attempts) -> Schedule | None:
        """`visits`: count of second visits; `last_call`: this round's latest call or None."""
        rule = self.rule_for(order)
        if rule is None or not order["completed_at"]:
            return None
        rnd = 1 + visits
        base = clock.parse(order["completed_at"] if rnd == 1 else order["last_visit"])
        due = self.due_after(base, rule.delay)
        deadline = self.deadline_after(due, rule.within)
        reason, next_due, closed, last_outcome = ("first" if rnd == 1 else "second"), due, False, None
        if last_call:
            last_outcome = last_call["outcome"]
            if last_call["closes"]:
                closed = True
            elif last_call["callback_at"]:
                reason, next_due = "promised", self.roll(clock.parse(last_call["callback_at"]))
            else:
                retry = self.due_after(clock.parse(last_call["called_at"]), self.policy.retry_after)
                reason, next_due = "retry", max(due, retry)
        return Schedule(rnd, base, due, deadline, next_due, reason, attempts, last_outcome, closed, rule)


# Columns the schedule needs, with the order's round facts, for any set of orders.
_ORDER_STATE_SQL = """
    SELECT o.id, o.order_no, o.customer, o.phone, o.service_type, o.region, o.provider, o.engineer,
           o.completed_at, coalesce(v.visits, 0) AS visits, v.last_visit,
           (SELECT count(*) FROM callbacks c WHERE c.order_id = o.id AND c.round = 1 + coalesce(v.visits, 0)
              AND c.spot_check_id IS NULL) AS attempts,
           (SELECT json_object('called_at', c.called_at, 'outcome', c.outcome, 'callback_at', c.callback_at, 'closes', c.closes)
              FROM callbacks c WHERE c.order_id = o.id AND c.round = 1 + coalesce(v.visits, 0) AND c.spot_check_id IS NULL
              ORDER BY c.called_at DESC, c.id DESC LIMIT 1) AS last_call
    FROM orders o
    LEFT JOIN (SELECT order_id, count(*) AS visits, max(done_at) AS last_visit
               FROM followups WHERE done_at IS NOT NULL GROUP BY order_id) v ON v.order_id = o.id
"""


def _state(scheduler, row):
    last = json.loads(row["last_call"]) if row["last_call"] else None
    return scheduler.schedule(row, row["visits"], last, row["attempts"])


def order_schedule(desk, order_no: str) -> tuple[dict, Schedule | None]:
    row = desk.conn.execute(_ORDER_STATE_SQL + " WHERE o.order_no = ?", (order_no,)).fetchone()
    if row is None:
        orders.get(desk.conn, order_no)  # raises NotFound with the usual message
    row = dict(row)
    return row, _state(Scheduler(desk), row)


def earliest_open_completion(scheduler, now: dt.datetime) -> dt.datetime:
    """The earliest completion time whose first round is not yet given up at `now`.

    A later completion never has an earlier deadline, so a binary search over
    completion times finds the bound; the due query reads only orders
    completed since then (an index range), not the whole table.
    """
    policy = scheduler.policy

    def alive(t):
        return any(
            scheduler.deadline_after(scheduler.due_after(t, r.delay), r.within) + policy.give_up_after.delta >= now
            for r in policy.rules.values()
        )

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


def due_query(policy, now, until, lower, region=None, provider=None, engineer=None, service_type=None):
    """The SQL that finds orders whose callback round may be due, and its parameters.

    It narrows a million orders to the recent, unfinished ones by an index
    range on completed_at (or a second visit since `lower`) and one probe for
    a call that closed the round; the exact schedule is computed in Python.
    """
    lower = clock.fmt(lower)
    types = sorted(policy.rules)
    where = [
        "o.status = 'completed'",
        f"o.service_type IN ({','.join('?' * len(types))})",
        # the current round is still open
        "NOT EXISTS (SELECT 1 FROM callbacks c WHERE c.order_id = o.id "
        "AND c.round = 1 + coalesce(v.visits, 0) AND c.closes = 1)",
    ]
    params = list(types)
    for column, value in (("region", region), ("provider", provider), ("engineer", engineer),
                          ("service_type", service_type)):
        if value is not None:
            where.append(f"o.{column} = ?")
            params.append(value)
    # Rounds that started recently: by completion or by a second visit. A UNION
    # of two index ranges (an OR would make SQLite scan every order); the first
    # drops finished first rounds using the two indexes alone, so only the few
    # open orders are read from the table.
    started = ("o.id IN (SELECT id FROM orders WHERE completed_at >= ? AND completed_at <= ? "
               "AND NOT EXISTS (SELECT 1 FROM callbacks c WHERE c.order_id = orders.id AND c.round = 1 AND c.closes = 1) "
               "UNION SELECT order_id FROM followups WHERE done_at >= ?)")
    sql = _ORDER_STATE_SQL + " WHERE " + started + " AND " + " AND ".join(where)
    return sql, [lower, clock.fmt(until), lower] + params


def due(desk, until=None, region=None, provider=None, engineer=None, service_type=None,
        reason=None, overdue_only=False, limit=None) -> list[dict]:
    """Callbacks due at `until` (default now), soonest deadline first."""
    now = desk.now
    until = until or now
    scheduler = Scheduler(desk)
    lower = earliest_open_completion(scheduler, now)
    sql, params = due_query(desk.policy, now, until, lower, region, provider, engineer, service_type)
    out = []
    for row in desk.conn.execute(sql, params):
        s = _state(scheduler, row)
        if s is None or s.closed or s.next_due > until or now > s.give_up_at(desk.policy):
            continue
        overdue = now > s.deadline
        if (reason and s.reason != reason) or (overdue_only and not overdue):
            continue
        out.append({
            "order_no": row["order_no"], "customer": row["customer"], "phone": row["phone"],
            "service_type": row["service_type"], "region": row["region"], "provider": row["provider"],
            "engineer": row["engineer"], "completed_at": row["completed_at"],
            "due_at": clock.fmt(s.next_due), "deadline": clock.fmt(s.deadline),
            "attempts": s.attempts, "last_outcome": s.last_outcome, "reason": s.reason, "overdue": overdue,
        })
    if reason in (None, "spot_check"):
        out += [r for r in spot_checks_due(desk, scheduler, until, region, provider, engineer, service_type)
                if not overdue_only or r["overdue"]]
    out.sort(key=lambda r: (r["deadline"], r["order_no"]))
    return out[:limit] if limit else out


def spot_checks_due(desk, scheduler, until, region=None, provider=None, engineer=None, service_type=None):
    """Head office's open spot checks: due when sampled, deadline by the order's rule."""
    sql = ("SELECT o.order_no, o.customer, o.phone, o.service_type, o.region, o.provider, o.engineer, o.completed_at, "
           "s.sampled_at, (SELECT count(*) FROM callbacks c WHERE c.spot_check_id = s.id) AS attempts, "
           "(SELECT json_object('called_at', c.called_at, 'outcome', c.outcome, 'callback_at', c.callback_at) "
           " FROM callbacks c WHERE c.spot_check_id = s.id ORDER BY c.called_at DESC, c.id DESC LIMIT 1) AS last_call "
           "FROM spot_checks s JOIN orders o ON o.id = s.order_id WHERE s.call_id IS NULL")
    params = []
    for column, value in (("region", region), ("provider", provider), ("engineer", engineer),
                          ("service_type", service_type)):
        if value is not None:
            sql += f" AND o.{column} = ?"
            params.append(value)
    policy, now, out = desk.policy, desk.now, []
    for r in desk.conn.execute(sql, params):
        rule = policy.rules.get(r["service_type"])
        due = scheduler.roll(clock.parse(r["sampled_at"]))
        # A rule removed from the policy since the sample: give a working day.
        deadline = scheduler.deadline_after(due, rule.within if rule else Duration(days=1))
        next_due, last = due, json.loads(r["last_call"]) if r["last_call"] else None
        if last:
            next_due = (scheduler.roll(clock.parse(last["callback_at"])) if last["callback_at"] else
                        max(due, scheduler.due_after(clock.parse(last["called_at"]), policy.retry_after)))
        if next_due > until or now > deadline + policy.give_up_after.delta:
            continue
        out.append({**{k: r[k] for k in ("order_no", "customer", "phone", "service_type", "region", "provider",
                                         "engineer", "completed_at", "attempts")},
                    "due_at": clock.fmt(next_due), "deadline": clock.fmt(deadline),
                    "last_outcome": last["outcome"] if last else None, "reason": "spot_check",
                    "overdue": now > deadline})
    return out


def explain(desk, order_no: str) -> list[dict]:
    """How the current due time and deadline were reached, for a desk lead to check."""
    row, s = order_schedule(desk, order_no)
    if s is None:
        why = "not completed" if not row["completed_at"] else (
            f"no callback rule for {row['service_type']}" if row["service_type"] not in desk.policy.rules
            else "not picked by the rule's coverage sample")
        return [{"step": "callback", "value": why}]
    r, cal = s.rule, desk.cal

    def skipped(a, b):
        days = [a + dt.timedelta(days=i) for i in range(1, (b - a).days)]
        off = [f"{d:%a %m-%d}" for d in days if not cal.is_workday(d)]
        return f"; skipped {', '.join(off)}" if off else ""

    windows = ", ".join(f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}" for a, b in desk.policy.callback_windows)
    start = "completed" if s.round == 1 else "second visit"
    state = "finished" if s.closed else ("overdue" if desk.now > s.deadline else "open")
    rows = [
        ("rule", f"{row['service_type']}: delay {r.delay}, within {r.within}, coverage {r.coverage}; windows {windows}"),
        ("round", f"{s.round} ({'first callback' if s.round == 1 else 'after a second visit'})"),
        ("started", f"{s.base:%a %Y-%m-%d %H:%M} ({start})"),
        ("due_at", f"{s.due_at:%a %Y-%m-%d %H:%M}: " + (
            f"{r.delay.days} working day(s) after {s.base:%m-%d}, at the first window" if r.delay.days
            else f"{r.delay} after {s.base:%H:%M}, rolled into a window") + skipped(s.base.date(), s.due_at.date())),
        ("deadline", f"{s.deadline:%a %Y-%m-%d %H:%M}: " + (
            f"end of the last window on working day {r.within.days}, counting the due day" if r.within.days
            else f"{r.within} of window time after due_at") + skipped(s.due_at.date(), s.deadline.date())),
        ("attempts", f"{s.attempts} of {desk.policy.max_attempts}" + (f", last {s.last_outcome}" if s.last_outcome else "")),
        ("next_call", "none" if s.closed else f"{s.next_due:%a %Y-%m-%d %H:%M} ({s.reason})"),
        ("give_up_at", f"{s.give_up_at(desk.policy):%Y-%m-%d %H:%M} (deadline + {desk.policy.give_up_after}, calendar days)"),
        ("state", state),
    ]
    return [{"step": k, "value": v} for k, v in rows]


# -- recording a call -----------------------------------------------------------

@dataclass
class Call:
    """One call as the agent reports it, before it is checked against the order."""

    order_no: str
    outcome: str
    scores: dict            # field -> 1..5 (only those given)
    satisfaction: str | None = None
    hours: float | None = None
    location: str | None = None
    parts: str | None = None
    fee: float | None = None
    genuine: bool | None = None   # an override
    note: str | None = None
    agent: str | None = None
    callback_at: dt.datetime | None = None
    called_at: dt.datetime | None = None


def validate(call: Call) -> dict:
    """The five scores filled from --satisfaction; InvalidValue on a bad value."""
    if call.outcome not in OUTCOMES:
        raise InvalidValue(f"unknown outcome {call.outcome!r} (use {', '.join(OUTCOMES)})", usage=True)
    scores = dict(call.scores)
    for name, value in scores.items():
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            raise InvalidValue(f"--{name}: {value!r} is not a score from 1 to 5", usage=True)
    if call.satisfaction is not None:
        try:
            level = satisfaction_level(str(call.satisfaction))
        except ValueError as e:
            raise InvalidValue(f"--satisfaction: {e}", usage=True) from None
        for name in SCORES:
            scores.setdefault(name, level)
    if (scores or call.satisfaction) and call.outcome != "reached":
        raise InvalidValue(f"scores need --outcome reached (not {call.outcome})", usage=True)
    return scores


def checks(order: dict, call: Call, tolerance: float) -> list[str]:
    """What the customer said that does not match the order (真实性)."""
    found = []
    if call.hours is not None and order.get("machine_hours") is not None:
        if abs(call.hours - order["machine_hours"]) > tolerance:
            found.append(f"hours: customer reads {normalize.plain(call.hours)}, order has {normalize.plain(order['machine_hours'])}")
    if call.location and order.get("location"):
        said, have = _squash(call.location), _squash(order["location"])
        if said not in have and have not in said:
            found.append(f"location: customer says {call.location!r}, order has {order['location']!r}")
    if call.parts is not None and order.get("parts_replaced") is not None:
        if normalize.parts(call.parts) != normalize.parts(order["parts_replaced"]):
            found.append(f"parts: customer says {call.parts!r}, order has {order['parts_replaced']!r}")
    if call.fee is not None and order.get("fee") is not None:
        if abs(call.fee - order["fee"]) > 0.005:
            found.append(f"fee: customer paid {normalize.plain(call.fee)}, order has {normalize.plain(order['fee'])}")
    return found


def _squash(text):
    return "".join(str(text).lower().split())


def record(desk, call: Call) -> dict:
    """Record one call in its own transaction; returns the output row."""
    with transaction(desk.conn):
        return record_in_transaction(desk, call)


def record_in_transaction(desk, call: Call) -> dict:
    scores = validate(call)
    conn, policy = desk.conn, desk.policy
    row, sched = order_schedule(desk, call.order_no)
    order = orders.get(conn, call.order_no)
    if order["status"] != "completed":
        raise StateError(f"order {call.order_no} is {order['status']}: callbacks are for completed orders")
    spot = conn.execute("SELECT * FROM spot_checks WHERE order_id = ? AND call_id IS NULL", (order["id"],)).fetchone()
    if spot is None and sched is not None and sched.closed:
        raise StateError(
            f"order {call.order_no}: the callback of round {sched.round} is finished "
            f"({sched.last_outcome}); record a second visit with `followup done` first"
        )
    called_at = call.called_at or desk.now
    rnd = sched.round if sched else 1 + row["visits"]
    reason = "spot_check" if spot else (sched.reason if sched else ("first" if rnd == 1 else "second"))
    attempts = (sched.attempts if sched else row["attempts"]) + 1

    index = round(sum(scores.values()) / len(scores), 2) if scores else None
    discrepancies = checks(order, call, policy.hours_tolerance) if call.outcome == "reached" else []
    checked = any(v is not None for v in (call.hours, call.location, call.parts, call.fee))
    genuine = call.genuine if call.genuine is not None else (not discrepancies if checked else None)
    dissatisfied = bool(scores) and (index < policy.dissatisfied_below or min(scores.values()) <= 2)

    opened = []
    if dissatisfied:
        opened.append(("dissatisfied", f"index {index}, scores " + ", ".join(f"{k} {scores[k]}" for k in SCORES if k in scores)))
    if genuine is False:
        opened.append(("not_genuine", "; ".join(discrepancies) or "marked not genuine"))
    if call.outcome == "wrong_number":
        opened.append(("invalid_contact", f"wrong number {order['phone']}"))
    # Head office's spot-check calls never move the region's own round.
    unreachable = (not spot and call.outcome in RETRY_OUTCOMES and not call.callback_at
                   and attempts >= policy.max_attempts)
    if unreachable:
        opened.append(("unreachable", f"{attempts} attempts, last {call.outcome}"))
    closes = not spot and (call.outcome in ("reached", "refused", "wrong_number") and not call.callback_at or unreachable)

    cur = conn.execute(
        "INSERT INTO callbacks (order_id, called_at, round, reason, outcome, skill, attitude, timeliness, parts, "
        "overall, satisfaction, genuine, discrepancies, said_hours, said_location, said_parts, said_fee, "
        "callback_at, closes, agent, note, spot_check_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (order["id"], clock.fmt(called_at), rnd, reason, call.outcome,
         *(scores.get(s) for s in SCORES), index, None if genuine is None else int(genuine),
         json.dumps(discrepancies, ensure_ascii=False) if discrepancies else None,
         call.hours, call.location, call.parts, call.fee,
         clock.fmt(call.callback_at) if call.callback_at else None, int(bool(closes)),
         call.agent or desk.actor, call.note, spot["id"] if spot else None),
    )
    if spot and call.outcome == "reached":
        _compare_spot_check(conn, spot, cur.lastrowid, index, genuine, policy)
    for why, detail in opened:
        conn.execute(
            "INSERT INTO followups (order_id, reason, round, since, callback_id, detail) VALUES (?,?,?,?,?,?)",
            (order["id"], why, rnd, clock.fmt(called_at), cur.lastrowid, detail),
        )
    if call.outcome == "wrong_number" and order["phone_valid"] != 0:
        conn.execute("UPDATE orders SET phone_valid = 0 WHERE id = ?", (order["id"],))
    if call.outcome == "reached" and not opened and rnd > 1 and not spot:
        conn.execute(
            "UPDATE followups SET resolved_at = ? WHERE order_id = ? AND done_at IS NOT NULL AND resolved_at IS NULL",
            (clock.fmt(called_at), order["id"]),
        )
    out = {
        "order_no": order["order_no"], "called_at": clock.fmt(called_at), "outcome": call.outcome,
        **{s: scores.get(s) for s in SCORES}, "index": index, "genuine": genuine,
        "discrepancies": discrepancies, "followup": ", ".join(w for w, _ in opened) or None, "reason": reason,
    }
    desk.log("callback_recorded", order["order_no"], {**out, "round": rnd, "agent": call.agent or desk.actor,
                                                     "note": call.note, "callback_at": clock.fmt(call.callback_at)},
             actor=call.agent)
    return out


def _compare_spot_check(conn, spot, call_id, index, genuine, policy):
    """Does head office hear what the region heard? Satisfaction or genuineness differ."""
    regional = conn.execute("SELECT satisfaction, genuine FROM callbacks WHERE id = ?",
                            (spot["regional_call_id"],)).fetchone()
    found = []
    low = policy.dissatisfied_below
    if regional["satisfaction"] is not None and index is not None and (
            abs(regional["satisfaction"] - index) >= 1 or (regional["satisfaction"] < low) != (index < low)):
        found.append(f"satisfaction: region {regional['satisfaction']}, head office {index}")
    if regional["genuine"] is not None and genuine is not None and bool(regional["genuine"]) != genuine:
        found.append(f"genuine: region {bool(regional['genuine'])}, head office {genuine}")
    conn.execute("UPDATE spot_checks SET call_id = ?, disagrees = ?, detail = ? WHERE id = ?",
                 (call_id, int(bool(found)), "; ".join(found) or None, spot["id"]))


# -- follow-ups -------------------------------------------------------------

def followups(desk) -> list[dict]:
    """Orders handed back: open follow-ups, plus completed orders whose phone needs checking."""
    conn = desk.conn
    rows = [dict(r) for r in conn.execute(
        "SELECT o.order_no, f.reason, f.since, f.round, o.customer, o.phone, o.region, o.provider, o.engineer, f.detail "
        "FROM followups f JOIN orders o ON o.id = f.order_id WHERE f.done_at IS NULL AND f.resolved_at IS NULL"
    )]
    listed = {(r["order_no"], "invalid_contact") for r in rows}
    types = sorted(desk.policy.rules)
    for r in conn.execute(
        "SELECT order_no, completed_at AS since, customer, phone, region, provider, engineer FROM orders "
        f"WHERE phone_valid IS NOT 1 AND status = 'completed' AND service_type IN ({','.join('?' * len(types))})",
        types,
    ):
        if (r["order_no"], "invalid_contact") not in listed:
            detail = "no phone number" if r["phone"] is None else f"phone {r['phone']!r} does not look valid"
            rows.append({**dict(r), "reason": "invalid_contact", "round": None, "detail": detail})
    rows.sort(key=lambda r: (r["since"] or "", r["order_no"]))
    return rows


def followup_done(desk, order_no: str, at: dt.datetime | None = None) -> int:
    """Record the second visit: open follow-ups are done and a new round starts."""
    order = orders.get(desk.conn, order_no)
    at = at or desk.now
    with transaction(desk.conn):
        n = desk.conn.execute(
            "UPDATE followups SET done_at = ? WHERE order_id = ? AND done_at IS NULL AND resolved_at IS NULL",
            (clock.fmt(at), order["id"]),
        ).rowcount
        if n == 0:
            raise StateError(f"order {order_no} has no open follow-up")
        desk.log("followup_done", order_no, {"at": clock.fmt(at), "followups": n})
    return n


# -- a batch of calls from a file ---------------------------------------------

_FILE_FIELDS = {"order_no", "outcome", *SCORES, "satisfaction", "hours", "location", "parts_replaced", "fee",
                "genuine", "note", "agent", "called_at", "callback_at"}


def call_from_row(desk, row: dict) -> Call:
    """A row of `record --from` as a Call; ValueError names the bad column."""
    data = {normalize.header_key(k): (v.strip() if isinstance(v, str) else v) for k, v in row.items()}
    unknown = sorted(set(data) - {normalize.header_key(f) for f in _FILE_FIELDS})
    if unknown:
        raise ValueError(f"unknown column {unknown[0]!r}")
    get = lambda name: data.get(normalize.header_key(name)) if data.get(normalize.header_key(name)) not in ("", None) else None  # noqa: E731

    def num(name, conv=float):
        v = get(name)
        if v is None:
            return None
        try:
            return conv(normalize.number(str(v)))
        except ValueError:
            raise ValueError(f"{name}: not a number: {v!r}") from None

    def when(name):
        v = get(name)
        if v is None:
            return None
        try:
            return clock.when(str(v), desk.now, desk.tz)
        except ValueError as e:
            raise ValueError(f"{name}: {e}") from None

    if get("order_no") is None:
        raise ValueError("order_no is empty")
    if get("outcome") is None:
        raise ValueError("outcome is empty")
    scores = {}
    for name in SCORES:
        v = num(name)
        if v is not None:
            if not float(v).is_integer():
                raise ValueError(f"{name}: {v} is not a score from 1 to 5")
            scores[name] = int(v)
    genuine = get("genuine")
    return Call(
        order_no=str(get("order_no")), outcome=str(get("outcome")).lower(), scores=scores,
        satisfaction=get("satisfaction"), hours=num("hours"), location=get("location"),
        parts=get("parts_replaced"), fee=num("fee"),
        genuine=None if genuine is None else normalize.boolean(str(genuine)),
        note=get("note"), agent=get("agent"), callback_at=when("callback_at"), called_at=when("called_at"),
    )


def record_file(desk, path: str, encoding="auto") -> tuple[list[dict], list[tuple], int]:
    """Record every valid row of a file in one transaction.

    Returns (recorded rows, rejected (line, error, raw), batch id). A rejected
    row is kept whole with its reason, like an import's.
    """
    from callbackctl.errors import CallbackctlError
    from callbackctl.io import open_input, BadRecord

    source = open_input(path, encoding)
    done, rejected = [], []
    try:
        with transaction(desk.conn):
            batch = desk.conn.execute(
                "INSERT INTO import_batches (file, format, encoding, started_at, actor) VALUES (?, ?, ?, ?, ?)",
                (source.name, f"calls/{source.format}", source.encoding, desk.now_text, desk.actor),
            ).lastrowid
            for line, row in source.rows:
                if isinstance(row, list):
                    row = dict(zip(source.headers, row))
                try:
                    if isinstance(row, BadRecord):
                        raise ValueError(row.error)
                    if not isinstance(row, dict):
                        raise ValueError("not a JSON object")
                    call = call_from_row(desk, row)
                    desk.conn.execute("SAVEPOINT call")  # a row that fails leaves no trace
                    try:
                        done.append(record_in_transaction(desk, call))
                    except BaseException:
                        desk.conn.execute("ROLLBACK TO call")
                        raise
                    finally:
                        desk.conn.execute("RELEASE call")
                except (ValueError, CallbackctlError) as e:
                    raw = row if isinstance(row, dict) else {"_line": getattr(row, "text", str(row))}
                    rejected.append((line, str(e), raw))
            desk.conn.executemany(
                "INSERT INTO import_rejects (batch_id, line, error, raw) VALUES (?, ?, ?, ?)",
                [(batch, ln, err, json.dumps(raw, ensure_ascii=False, default=str)) for ln, err, raw in rejected],
            )
            desk.conn.execute(
                "UPDATE import_batches SET read = ?, inserted = ?, rejected = ? WHERE id = ?",
                (len(done) + len(rejected), len(done), len(rejected), batch),
            )
    finally:
        source.close()
    return done, rejected, batch


def calls_of(desk, order) -> list[dict]:
    rows = []
    for r in desk.conn.execute(
        "SELECT called_at, round, reason, outcome, skill, attitude, timeliness, parts, overall, satisfaction AS 'index', "
        "genuine, discrepancies, callback_at, agent, note FROM callbacks WHERE order_id = ? ORDER BY called_at, id",
        (order["id"],),
    ):
        row = dict(r)
        row["genuine"] = None if row["genuine"] is None else bool(row["genuine"])
        row["discrepancies"] = json.loads(row["discrepancies"]) if row["discrepancies"] else None
        rows.append(row)
    return rows


def followups_of(desk, order) -> list[dict]:
    return [dict(r) for r in desk.conn.execute(
        "SELECT reason, round, since, detail, done_at, resolved_at FROM followups WHERE order_id = ? ORDER BY id",
        (order["id"],),
    )]
