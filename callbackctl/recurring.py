"""Recurring callbacks (定期回访): customers called on a schedule, not after an order.

The policy's [recurring] says when (policy.Recurring):

- `contract`: a class A customer `contract_a` (1M) after the last recurring
  call that closed, or after the contract's start (when the class was given),
  a class B customer `contract_b` (2M) after it; none after `contract_until`;
- `project`: a project customer `project` (3M) after the same;
- `dormant`: `dormant` (6M, 12M) after the customer's last completed order,
  each mark once; a recurring call closed on or after a mark answers it.

A month is a calendar month (calendar.add_months). The callback is due at the
first calling window of the first working day on or after that date and must
be made `within` (5d) of it. A customer has one callback at a time: of the
reasons due, the earliest (contract before project before dormant on the same
day). Its key, `R-<customer>-<YYYY-MM>` (the customer's key and the month it
is due), is what `due` lists in the order_no column and what `record`, `show`,
`claim` and `work` take. Inside a callback, calls work as on an order's round:
a retry `retry_after` later, a promised time kept, `max_attempts`, the round
closed by a reached customer, a refusal or a wrong number; `give_up_after`
past the deadline it is missed, and the next period counts from its due date.
A dissatisfied customer is handed back (followups.py); after the visit a
second callback under the same key falls due a working day later.

A customer with an open order callback (listed now, or an order completed
since the due list's lower bound whose first callback is open), a call on one
of their orders this week, or an open complaint is not also called for a
recurring reason: the recurring callback waits until the next week.

Nothing here is stored: only the customers, their calls and follow-ups are
(customers.py, calls.py, followups.py). Due times are computed when asked.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import lru_cache

from callbackctl import calendar, clock, db
from callbackctl.errors import NotFound
from callbackctl.policy import Duration

PREFIX = "R-"
_KEY = re.compile(r"^[Rr]-(.+)-(\d{4})-(\d{2})$")
ORDER = {"contract": 0, "project": 1, "dormant": 2}   # on the same day, the first is named
SECOND_DELAY = Duration(days=1)  # a second callback: the working day after the visit


def is_key(text) -> bool:
    """Whether a key typed where an order number goes is a recurring callback's (R-...)."""
    return str(text).strip()[:2].upper() == PREFIX


def make_key(customer_key: str, due_on: dt.date) -> str:
    return f"{PREFIX}{customer_key}-{due_on.year}-{due_on.month:02d}"


@lru_cache(maxsize=65536)  # a long list shares a few hundred days
def _day(text) -> dt.date | None:
    return dt.date.fromisoformat(text[:10]) if text else None


@dataclass(slots=True)
class Callback:
    """Where one recurring callback stands at now."""

    key: str
    reason: str               # contract, project, dormant; second after a follow-up's visit
    round: int
    due_on: dt.date           # the date it falls due, before the calendar moves it
    due_at: dt.datetime
    deadline: dt.datetime
    next_due: dt.datetime
    kind: str                 # of the next call: first, retry, promised
    attempts: int
    last_outcome: str | None
    last_called_at: str | None
    closed: bool
    why: tuple                # why it falls due then: a text and its values, for `show`

    @property
    def basis(self) -> str:
        return self.why[0].format(*self.why[1:])

    def give_up_at(self, policy) -> dt.datetime:
        return self.deadline + policy.give_up_after.delta


@dataclass(slots=True)
class Facts:
    """What a customer's next recurring callback depends on, as of now."""

    key: str
    cls: str | None
    class_since: str | None
    contract_from: str | None
    contract_until: str | None
    project: int | None
    project_since: str | None
    last_order_at: str | None
    last_close: tuple | None  # (called_at, due_on) of the latest closing first-round call


class Planner:
    """Works out recurring callbacks for one desk at its now, caching the calendar."""

    def __init__(self, desk, scheduler=None):
        from callbackctl import schedule

        self.desk, self.policy, self.rec = desk, desk.policy, desk.policy.recurring
        self.scheduler = scheduler or schedule.Scheduler(desk)
        self.now, self.now_text = desk.now, desk.now_text
        self.give_up = self.policy.give_up_after.delta
        self.today = self.now.date()
        self.times = lru_cache(maxsize=None)(self._times)
        self.add_months = lru_cache(maxsize=None)(calendar.add_months)
        # Customers share a few hundred dates: each part of next_of is worked out once per input.
        self._periodic = lru_cache(maxsize=None)(self._periodic)
        self._dormant = lru_cache(maxsize=None)(self._dormant)
        self.margin = 2 + (self.rec.within.days * 2 + self.policy.give_up_after.days) // 28

    def _times(self, due_on: dt.date) -> tuple[dt.datetime, dt.datetime]:
        """(due_at, deadline) of a callback that falls due on `due_on`."""
        due = calendar.first_window_on(self.desk.cal, self.policy.callback_windows, due_on)
        return due, self.scheduler.deadline_after(due, self.rec.within)

    def alive(self, due_on: dt.date) -> bool:
        """Not yet given up at now (it may also not be due yet)."""
        if due_on >= self.today:  # its deadline is later still: no calendar needed (nor a warning
            return True                # about a year without holiday data that only a later mark reaches)
        return self.times(due_on)[1] + self.give_up >= self.now

    def earliest_alive(self) -> dt.date:
        """The earliest due date not given up at now (a later one never is)."""
        lo, hi = self.now.date() - dt.timedelta(days=400), self.now.date()
        if self.alive(lo):
            return lo
        while (hi - lo).days > 1:
            mid = lo + (hi - lo) / 2
            if self.alive(mid):
                hi = mid
            else:
                lo = mid
        return hi

    # -- the next callback of a customer --------------------------------------------

    def next_of(self, f: Facts) -> tuple | None:
        """(due date, reason, why) of the customer's next first-round callback, or None."""
        anchor = None
        if f.last_close:
            anchor = max(_day(f.last_close[0]), _day(f.last_close[1]))
        found = []
        contract = self.rec.contract(f.cls) if f.cls and f.class_since and f.class_since <= self.now_text else None
        if contract:
            found.append(self._periodic("contract", contract, _day(f.contract_from or f.class_since), anchor,
                                        _day(f.contract_until), f"contract {f.cls}"))
        if f.project and self.rec.project and f.project_since and f.project_since <= self.now_text:
            found.append(self._periodic("project", self.rec.project, _day(f.contract_from or f.project_since), anchor,
                                        None, "project"))
        if f.last_order_at and self.rec.dormant:
            found.append(self._dormant(_day(f.last_order_at), anchor))
        found = [x for x in found if x is not None]
        if len(found) < 2:
            return found[0] if found else None
        return min(found, key=lambda x: (x[0], ORDER[x[1]]))

    def _periodic(self, reason, months, start, anchor, until, what):
        base, since = (anchor, "the last recurring call") if anchor and anchor > start else (start, "its start")
        elapsed = (self.today.year - base.year) * 12 + self.today.month - base.month
        k = max(1, (elapsed - self.margin) // months)  # skip the periods given up long ago
        for _ in range(1000):
            due_on = self.add_months(base, k * months)
            if until and due_on > until:
                return None
            if self.alive(due_on):
                return due_on, reason, ("{}: {}M after {} on {}{}", what, months, since, base,
                                        f", {k - 1} period(s) missed since" if k > 1 else "")
            k += 1
        return None

    def _dormant(self, last_order: dt.date, anchor):
        for months in self.rec.dormant:
            due_on = self.add_months(last_order, months)
            if anchor and anchor >= due_on:
                continue  # a recurring call since the mark answered it
            if not self.alive(due_on):
                continue  # missed: the next mark
            return due_on, "dormant", ("dormant: {}M after the last completed order on {}", months, last_order)
        return None

    def regular(self, f: Facts, calls, until: dt.date | None = None) -> Callback | None:
        """The customer's next first-round callback, with the calls made on it; None when
        there is none, or (with `until`) when it falls due after that day.

        `calls`: [(id, key, round, called_at, outcome, callback_at, closes)],
        not voided, stamped by now (any key: those of this one are picked).
        """
        found = self.next_of(f)
        if found is None or until is not None and found[0] > until:
            return None
        due_on, reason, why = found
        key = make_key(f.key, due_on)
        return self._callback(key, reason, 1, due_on, *self.times(due_on),
                              [c for c in calls if c[1] == key and c[2] == 1] if calls else (), why)

    def second(self, key: str, rnd: int, visit_at: str, calls) -> Callback:
        """The callback after a follow-up's visit: a working day later, `within` to make it."""
        due = self.scheduler.due_after(clock.parse(visit_at), SECOND_DELAY)
        deadline = self.scheduler.deadline_after(due, self.rec.within)
        return self._callback(key, "second", rnd, due.date(), due, deadline,
                              [c for c in calls if c[1] == key and c[2] == rnd],
                              ("second callback: the working day after the visit on {}", visit_at))

    def _callback(self, key, reason, rnd, due_on, due, deadline, mine, basis) -> Callback:
        kind, next_due, closed, last_outcome, last_at = "first", due, False, None, None
        if mine:
            last_at, last_outcome, callback_at = max(mine, key=lambda c: (c[3], c[0]))[3:6]
            closed = any(c[6] for c in mine)
            if not closed:
                kind, next_due = self.scheduler.next_call(due, last_at, callback_at)
        ordered = sorted(mine, key=lambda c: (c[3], c[0]))  # a call at the promised time is no attempt
        attempts = len(ordered) - sum(1 for a, _ in zip(ordered, ordered[1:]) if a[5])
        return Callback(key, reason, rnd, due_on, due, deadline, next_due, kind, attempts, last_outcome, last_at,
                        closed, basis)


# -- reading the facts ----------------------------------------------------------------

# A customer's facts as of now (:now): the customer, their last completed order, and
# their latest calls (newest first; the last closing call and the attempts since are
# among them: a callback closes after max_attempts, so a dozen calls reach back far enough).
# Most customers have none: a probe of the index says so before the list is built.
_LATEST_CALLS = 12
_FACTS_SQL = """
SELECT c.id, c.key, c.customer, c.phone, c.class, c.class_since, c.contract_from, c.contract_until, c.project,
       c.project_since, o.completed_at, o.order_no, o.region, o.provider, o.engineer,
       CASE WHEN EXISTS (SELECT 1 FROM recurring_calls r WHERE r.customer_id = c.id AND r.called_at <= :now) THEN
       (SELECT json_group_array(json_array(r.id, r.key, r.round, r.called_at, r.outcome, r.callback_at, r.closes,
                                           r.due_on))
        FROM (SELECT * FROM recurring_calls r WHERE r.customer_id = c.id AND r.called_at <= :now
              AND r.outcome != 'voided' ORDER BY r.called_at DESC LIMIT %d) r) END AS calls
FROM customers c LEFT JOIN orders o ON o.id = (
    SELECT l.order_id FROM customer_orders l WHERE l.customer_id = c.id AND l.completed_at <= :now
    ORDER BY l.completed_at DESC LIMIT 1)
WHERE {where}
""" % _LATEST_CALLS

# The columns of a _FACTS_SQL row: the customer's, their last completed order's, their calls.
_ID, _KEY_COL, _NAME, _PHONE, _CLASS, _CLASS_SINCE, _FROM, _UNTIL, _PROJECT, _PROJECT_SINCE, _LAST_ORDER, \
    _ORDER_NO, _REGION, _PROVIDER, _ENGINEER, _CALLS = range(16)


def _facts(row, calls, conn=None, now_text=None) -> Facts:
    """Facts from a row of _FACTS_SQL (a tuple) and its calls, newest first."""
    last_order = row[_LAST_ORDER]
    last_close = next(((c[3], c[7]) for c in calls if c[6] and c[2] == 1), None)
    if last_close is None and len(calls) >= _LATEST_CALLS and conn is not None:  # many promises since: look further
        found = conn.execute("SELECT called_at, due_on FROM recurring_calls WHERE customer_id = ? AND round = 1 "
                             "AND closes = 1 AND called_at <= ? ORDER BY called_at DESC LIMIT 1",
                             (row[_ID], now_text)).fetchone()
        last_close = tuple(found) if found else None
    return Facts(row[_KEY_COL], row[_CLASS], row[_CLASS_SINCE], row[_FROM], row[_UNTIL], row[_PROJECT],
                 row[_PROJECT_SINCE], last_order, last_close)


def _calls(text) -> list:
    """A customer's latest calls from _FACTS_SQL, newest first."""
    if not text or text == "[]":
        return []
    return sorted(json.loads(text), key=lambda c: (c[3], c[0]), reverse=True)


def _visits(conn, now_text, customer_ids=None) -> dict:
    """{customer_id: [(key, round, visit_at)]}: second callbacks owed after a follow-up's visit, as of now."""
    sql = ("SELECT customer_id, key, count(DISTINCT done_at), max(done_at) FROM customer_followups "
           "WHERE done_at IS NOT NULL AND done_at <= ? AND (resolved_at IS NULL OR resolved_at > ?)")
    params = [now_text, now_text]
    if customer_ids is not None:
        sql += f" AND customer_id IN ({','.join('?' * len(customer_ids))})"
        params += list(customer_ids)
    out = {}
    for cid, key, visits, at in db.tuples(conn, sql + " GROUP BY customer_id, key", params):
        out.setdefault(cid, []).append((key, 1 + visits, at))
    return out


def _calls_of_keys(conn, now_text, keys) -> list:
    if not keys:
        return []
    return [list(r) for r in db.tuples(
        conn, "SELECT id, key, round, called_at, outcome, callback_at, closes, due_on FROM recurring_calls "
        f"WHERE key IN ({','.join('?' * len(keys))}) AND called_at <= ? AND outcome != 'voided'", [*keys, now_text])]


def callbacks_of(planner, row, visits, until=None) -> list[Callback]:
    """A customer's open callbacks (the regular one and any second ones) from a _FACTS_SQL row."""
    calls = _calls(row[_CALLS])
    out = []
    regular = planner.regular(_facts(row, calls, planner.desk.conn, planner.now_text), calls, until)
    if regular is not None:
        out.append(regular)
    for key, rnd, at in visits:
        out.append(planner.second(key, rnd, at, _calls_of_keys(planner.desk.conn, planner.now_text, [key])))
    return out


# -- due -------------------------------------------------------------------------------

def _candidates_sql(planner, until: dt.datetime) -> tuple[str, list]:
    """The customers whose recurring callback may be due by `until`: index ranges, not every customer.

    - contract and project customers whose base (the start, or the last closing
      call if later) is a day from which a period falls due between the
      earliest day not given up and `until` (_base_days);
    - customers whose last completed order is about a dormant mark before
      `until`, and not given up (customer_orders_completed's range);
    - customers with a second callback owed (_visits).
    """
    rec, now_text = planner.rec, planner.now_text
    last_day = until.date()
    first = planner.earliest_alive()
    parts, params = [], []
    periods = [(f"class = '{cls}'", "class_since", months) for cls, months in (("A", rec.contract_a),
                                                                               ("B", rec.contract_b)) if months]
    periods += [("project = 1", "project_since", rec.project)] if rec.project else []
    if periods:
        oldest = planner.desk.conn.execute(
            "SELECT min(min(coalesce(contract_from, class_since, '9'), coalesce(contract_from, project_since, '9'))) "
            "FROM customers WHERE class IS NOT NULL OR project = 1").fetchone()[0]
        oldest = dt.date.fromisoformat(oldest[:10]) if oldest and oldest[0] != "9" else last_day
        # A period falls due from a base (the start, or the day of the last closing call if later)
        # only on these days: the base days of the periods due between `first` and `until`.
        # (SQLite keeps the list as one index for the statement: a lookup per customer.)
        started = []
        for test, since, months in periods:
            started.append(f"({test} AND max(coalesce(contract_from, substr({since}, 1, 10)), "
                           "coalesce(s.anchor, '')) IN (SELECT value FROM json_each(?)))")
            params.append(json.dumps(_base_days(planner, months, oldest, first, last_day)))
        parts.append(
            "SELECT id FROM (SELECT c.id, c.class, c.project, c.contract_from, c.class_since, c.project_since, "
            "(SELECT max(substr(r.called_at, 1, 10), r.due_on) FROM recurring_calls r WHERE r.customer_id = c.id "
            "AND r.round = 1 AND r.closes = 1 AND r.called_at <= ? ORDER BY r.called_at DESC LIMIT 1) AS anchor "
            # LIMIT -1 keeps `s` a subquery of its own: the anchor is looked up once a row, not once a test
            "FROM customers c WHERE class IS NOT NULL OR project = 1 LIMIT -1) s WHERE " + " OR ".join(started))
        params.insert(len(params) - len(periods), now_text)
    if rec.dormant:
        for months in rec.dormant:
            # the last orders completed between these days reach the mark between `first` and `until`
            lo = calendar.latest_months_before(first - dt.timedelta(days=1), months) + dt.timedelta(days=1)
            hi = calendar.latest_months_before(last_day, months) + dt.timedelta(days=1)
            if lo >= hi:
                continue
            # ... unless a later order, or a recurring call since the mark (SQLite's date() rolls
            # 08-31 + 6 months over to 03-03, on or after calendar.add_months' 02-28: never too few)
            parts.append(
                "SELECT customer_id FROM customer_orders l WHERE completed_at >= ? AND completed_at < ? "
                "AND completed_at <= ? AND NOT EXISTS (SELECT 1 FROM recurring_calls r WHERE r.customer_id = "
                f"l.customer_id AND r.round = 1 AND r.closes = 1 AND r.called_at >= date(l.completed_at, '+{int(months)} "
                "months') AND r.called_at <= ?) AND NOT EXISTS (SELECT 1 FROM customer_orders m "
                "WHERE m.customer_id = l.customer_id AND m.completed_at > l.completed_at AND m.completed_at <= ?)")
            params += [lo.isoformat(), hi.isoformat(), now_text, now_text, now_text]
    parts.append("SELECT customer_id FROM customer_followups WHERE done_at IS NOT NULL AND done_at <= ? "
                 "AND (resolved_at IS NULL OR resolved_at > ?)")
    params += [now_text, now_text]
    return " UNION ".join(parts), params


def _base_days(planner, months: int, oldest: dt.date, first: dt.date, last: dt.date) -> list[str]:
    """The days from which a step of k * `months` (k >= 1) lands between `first` and `last`."""
    days, k = set(), 1
    while True:
        hi = calendar.latest_months_before(last, k * months)
        if hi < oldest:
            break
        lo = calendar.latest_months_before(first - dt.timedelta(days=1), k * months) + dt.timedelta(days=1)
        day = max(lo, oldest)
        while day <= hi:
            days.add(day.isoformat())
            day += dt.timedelta(days=1)
        k += 1
    return sorted(days)


def due(desk, scheduler, until, reason=None, overdue_only=False, region=None, provider=None, engineer=None,
        service_type=None, lower=None, busy_phones=frozenset(), category=None) -> list[dict]:
    """The recurring callbacks due by `until`, as rows of `due` (duelist.due adds them)."""
    conn = desk.conn
    if service_type is not None or category is not None or reason not in (None, "second", *ORDER):
        return []  # a recurring callback has no service type, nor a 品类
    if conn.execute("SELECT max(id) FROM customers").fetchone()[0] is None:
        return []
    planner = Planner(desk, scheduler)
    now, now_text = desk.now, desk.now_text
    candidates, params = _candidates_sql(planner, until)
    sql = _FACTS_SQL.format(where=f"c.created_at <= :now AND c.id IN ({candidates})")
    names = {"now": now_text, **{f"p{i}": v for i, v in enumerate(params)}}
    sql = _positional_to_named(sql)
    visits = _visits(conn, now_text)
    found = []  # (customer row, callback)
    last_day = until.date()
    for row in db.tuples(conn, sql, names):
        for cb in callbacks_of(planner, row, visits.get(row[0], ()), last_day):
            if cb.closed or cb.next_due > until or now > cb.deadline + planner.give_up:
                continue
            if reason and cb.reason != reason or overdue_only and not now > cb.deadline:
                continue
            found.append((row, cb))
    if not found:
        return []
    held = _held(desk, {row[0] for row, _ in found}, lower)
    out, fmt = [], lru_cache(maxsize=None)(clock.fmt)
    for row, cb in found:
        cid, _, name, phone = row[:4]
        if cid in held or phone in busy_phones:
            continue
        if (region is not None and row[_REGION] != region or provider is not None and row[_PROVIDER] != provider
                or engineer is not None and row[_ENGINEER] != engineer):
            continue
        out.append({  # the last completed order's region, provider and engineer, for the filters and the agent
            "order_no": cb.key, "customer": name, "phone": phone, "service_type": None, "region": row[_REGION],
            "provider": row[_PROVIDER], "engineer": row[_ENGINEER], "completed_at": row[_LAST_ORDER],
            "due_at": fmt(cb.next_due), "deadline": fmt(cb.deadline), "attempts": cb.attempts,
            "last_outcome": cb.last_outcome, "reason": cb.reason, "overdue": now > cb.deadline,
        })
    return out


def _positional_to_named(sql: str) -> str:
    """The candidates' `?` as :p0, :p1, ... so that one dict binds them with :now."""
    parts = sql.split("?")
    return "".join(p + (f":p{i}" if i < len(parts) - 1 else "") for i, p in enumerate(parts))


def _held(desk, customer_ids, lower) -> set:
    """Of these customers, those not to be called for a recurring reason now: an open
    order callback, a call on one of their orders this week, or an open complaint."""
    conn, now_text = desk.conn, desk.now_text
    week = desk.now.date() - dt.timedelta(days=desk.now.weekday())
    types = sorted(desk.policy.rules)
    held = set()
    if lower is not None and types:  # a probe of each customer's orders completed since `lower`
        held.update(r[0] for r in db.tuples(
            conn, "SELECT DISTINCT l.customer_id FROM customer_orders l CROSS JOIN orders o ON o.id = l.order_id "
                  "WHERE l.customer_id IN (SELECT value FROM json_each(?)) AND l.completed_at >= ? "
                  "AND l.completed_at <= ? AND o.first_round_closed IS NULL "
                  f"AND o.service_type IN ({','.join('?' * len(types))})",
            [json.dumps(sorted(customer_ids)), clock.fmt(lower), now_text, *types]))
    held.update(r[0] for r in db.tuples(
        conn, "SELECT DISTINCT l.customer_id FROM callbacks c CROSS JOIN customer_orders l ON l.order_id = c.order_id "
              "WHERE c.called_at >= ? AND c.called_at <= ? AND c.outcome != 'voided'", [f"{week} 00:00:00", now_text]))
    held.update(r[0] for r in db.tuples(
        conn, "SELECT DISTINCT c.id FROM complaints k CROSS JOIN customers c ON c.phone = k.phone "
              "WHERE k.received_at <= ? AND (k.closed_at IS NULL OR k.closed_at > ?)", [now_text, now_text]))
    return held & customer_ids


# -- one callback, by its key ------------------------------------------------------------

def resolve(conn, text: str) -> tuple[dict, str]:
    """(the customer, the key as it is written) for a key typed in any case."""
    from callbackctl import customers

    m = _KEY.match(str(text).strip())
    if not m or not 1 <= int(m.group(3)) <= 12:
        raise NotFound(f"{str(text).strip()!r} is not a recurring callback's key (R-<phone or customer_id>-YYYY-MM)")
    try:
        customer = customers.find(conn, m.group(1))
    except NotFound:
        raise NotFound(f"unknown recurring callback {str(text).strip()!r}: no customer {m.group(1)!r}") from None
    return customer, f"{PREFIX}{customer['key']}-{m.group(2)}-{m.group(3)}"


def lookup(desk, text: str, planner=None) -> tuple[dict, Callback | None]:
    """The customer and where the callback under this key stands at now: the open
    one (regular or second), or one that is over (finished or missed); None for a
    key no callback of the customer has had or has now."""
    conn = desk.conn
    customer, key = resolve(conn, text)
    planner = planner or Planner(desk)
    row = next(db.tuples(conn, _positional_to_named(_FACTS_SQL.format(where="c.id = :id")),
                         {"now": desk.now_text, "id": customer["id"]}))
    visits = [v for v in _visits(conn, desk.now_text, [customer["id"]]).get(customer["id"], ()) if v[0] == key]
    year, month = int(key[-7:-3]), int(key[-2:])
    month_end = calendar.add_months(dt.date(year, month, 1), 1) - dt.timedelta(days=1)
    for cb in callbacks_of(planner, row, visits, month_end):  # a later callback is not this key's
        if cb.key == key:
            return customer, cb
    calls = _calls_of_keys(conn, desk.now_text, [key])
    if not calls:
        return customer, None
    # Over: the calls tell its reason, round and due date.
    rnd = max(c[2] for c in calls)
    info = conn.execute("SELECT reason, due_on FROM recurring_calls WHERE key = ? AND round = ? ORDER BY called_at "
                        "LIMIT 1", (key, rnd)).fetchone()
    due_on = dt.date.fromisoformat(info["due_on"])
    if rnd == 1:
        due, deadline = planner.times(due_on)
    else:
        due = planner.scheduler.roll(dt.datetime.combine(due_on, dt.time()))
        deadline = planner.scheduler.deadline_after(due, planner.rec.within)
    cb = planner._callback(key, info["reason"], rnd, due_on, due, deadline, [c for c in calls if c[2] == rnd],
                           ("an earlier callback, due on {}", due_on))
    return customer, cb


def next_key(desk, customer: dict) -> str | None:
    planner = Planner(desk)
    row = next(db.tuples(desk.conn, _positional_to_named(_FACTS_SQL.format(where="c.id = :id")),
                         {"now": desk.now_text, "id": customer["id"]}))
    calls = _calls(row[_CALLS])
    found = planner.regular(_facts(row, calls, desk.conn, desk.now_text), calls)
    return found.key if found else None


def explain(desk, text: str) -> list[dict]:
    """How the callback under this key falls due, for `show`."""
    customer, cb = lookup(desk, text)
    policy, cal = desk.policy, desk.cal
    if cb is None:
        nxt = next_key(desk, customer)
        return [{"step": "callback", "value": f"no callback under this key; the customer's next is {nxt}"
                 if nxt else "no callback under this key, and none to come (no class, project or completed order)"}]
    windows = ", ".join(f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}" for a, b in policy.callback_windows)
    rec = policy.recurring
    give_up = cb.give_up_at(policy)
    state = ("finished" if cb.closed else "missed" if desk.now > give_up
             else "overdue" if desk.now > cb.deadline else "open")
    skipped = _skipped(cal, cb.due_on, cb.due_at.date())
    rows = [
        ("rule", f"[recurring] contract_a {_m(rec.contract_a)}, contract_b {_m(rec.contract_b)}, project "
                 f"{_m(rec.project)}, dormant {', '.join(f'{m}M' for m in rec.dormant) or 'none'}, within {rec.within}; "
                 f"windows {windows}"),
        ("reason", f"{cb.reason} (round {cb.round}): {cb.basis}"),
        ("due_on", f"{cb.due_on:%a %Y-%m-%d}"),
        ("due_at", f"{cb.due_at:%a %Y-%m-%d %H:%M:%S}: the first window of the first working day on or after "
                   f"{cb.due_on}" + skipped),
        ("deadline", f"{cb.deadline:%a %Y-%m-%d %H:%M:%S}: " + (
            f"end of the last window on working day {rec.within.days}, counting the due day" if rec.within.days
            else f"{rec.within} of window time after due_at")),
        ("attempts", f"{cb.attempts} of {policy.max_attempts}" + (f", last {cb.last_outcome}" if cb.last_outcome else "")),
        ("next_call", "none" if cb.closed else f"{cb.next_due:%a %Y-%m-%d %H:%M:%S} ({cb.kind}" + (
            f": last call {cb.last_called_at} + {policy.retry_after}, rolled into a window, not before due_at"
            if cb.kind == "retry" else ": the time promised to the customer" if cb.kind == "promised" else "") + ")"),
        ("give_up_at", f"{give_up:%Y-%m-%d %H:%M:%S} (deadline + {policy.give_up_after}, calendar days)"),
        ("state", state),
    ]
    return [{"step": k, "value": v} for k, v in rows]


def _m(months):
    return f"{months}M" if months else "none"


def _skipped(cal, first: dt.date, last: dt.date) -> str:
    """The days off from `first` up to `last`, named as `show` names them for orders."""
    from callbackctl.schedule import _holiday_name

    days = [first + dt.timedelta(days=i) for i in range((last - first).days)]
    off = [f"{d:%a %m-%d}" + _holiday_name(cal, d) for d in days if not cal.is_workday(d)]
    return f"; skipped {', '.join(off)}" if off else ""


# -- customer list ------------------------------------------------------------------------

def customer_rows(desk):
    """Every customer known at now: the last completed order and the next recurring callback
    (rows streamed in key order, so that 200k customers never sit in memory at once)."""
    conn = desk.conn
    planner = Planner(desk)
    now_text = desk.now_text
    sql = _positional_to_named(_FACTS_SQL.format(where="c.created_at <= :now") + " ORDER BY c.key")
    for row in db.tuples(conn, sql, {"now": now_text}):
        calls = _calls(row[_CALLS])
        cb = planner.regular(_facts(row, calls, conn, now_text), calls)
        yield {
            "key": row[_KEY_COL], "customer": row[_NAME], "phone": row[_PHONE], "class": row[_CLASS],
            "contract_from": row[_FROM], "contract_until": row[_UNTIL],
            "project": None if row[_PROJECT] is None else bool(row[_PROJECT]),
            "last_order_no": row[_ORDER_NO], "last_completed_at": row[_LAST_ORDER],
            "next_key": cb.key if cb else None, "next_reason": cb.reason if cb else None,
            "next_due_at": clock.fmt(cb.next_due) if cb else None,
            "next_deadline": clock.fmt(cb.deadline) if cb else None,
        }
