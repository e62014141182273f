"""Chasing service providers (催单): no feedback in time, or past the response deadline.

- no_feedback: no first status report (feedback_at, or an arrival) within
  `feedback_within` of desk hours after the report; a report at 16:30 is
  therefore due the next working morning.
- late (拖单): not completed by `respond_within[zone]` wall-clock after the
  report, or by the end of the appointment day when the customer chose a
  later date. An order that is both is listed once, as late.
- customer (用户催单): the customer chased the repair (an inbound call of kind
  chase, contacts.py) since the provider's last status report (a feedback or
  an arrival); listed until the next one, or the completion.
- end_of_day (日清日结): `chase --end-of-day` lists every unfinished order,
  those without a reason of their own with this one.
- leftover: on the next working day, an order chased in the previous working
  day's end-of-day clean-up (from its first end_of_day chase on) and still
  unfinished, until it is chased again.

An order is listed once, for the first of vocab.CHASE_REASONS that holds.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from callbackctl import calendar, clock, db, status
from callbackctl.db import transaction

COLUMNS = ["order_no", "provider", "engineer", "region", "zone", "customer", "phone", "reported_at",
           "deadline", "overdue_hours", "reason", "chases", "last_chased_at"]


def chase_query(policy, now, region=None, provider=None, completed_later=False, customers=False, swept=None,
                everything=False):
    """Unfinished orders that may need a chase, with their wall-clock response deadline.

    Only unfinished orders are read, from orders_unfinished alone (INDEXED BY:
    SQLite would rather take the NULL range of orders_completed and then read
    each order's row from the table, twice as slow on a million orders). The
    response deadline is plain SQL (wall-clock); the feedback deadline counts
    desk hours, so it is left to calendar.py for the few orders that have had
    no feedback at all.

    As of now: a feedback, an arrival or a chase stamped after now does not
    count yet. An order completed after now was unfinished then: when the desk
    holds any (`completed_later`, a --now in the past), they are read too, from
    orders_completed's range after now.

    `customers`: also the orders a customer chased since the provider's last
    status report (an index probe of the order's chase calls); `swept`: the
    (from, to) times of the previous working day's end-of-day clean-up, whose
    orders are leftovers (a probe of the order's chases); `everything`: every
    unfinished order (chase --end-of-day). See extras().
    """
    respond = " ".join(
        f"WHEN '{zone}' THEN datetime(o.reported_at, '+{int(d.delta.total_seconds() // 60)} minutes')"
        for zone, d in policy.respond_within.items()
    )
    deadline = (f"max(CASE coalesce(o.zone, 'other') {respond} END, "
                f"coalesce(substr(o.appointment_at, 1, 10) || ' 23:59:59', ''))")
    # The first status report as of now: coalesce(feedback_at, arrived_at) of what was known then.
    feedback = ("CASE WHEN o.feedback_at <= :now THEN o.feedback_at "
                "WHEN o.arrived_at <= :now THEN o.arrived_at END")
    # An unfinished order's status is status_given or 'open' (the generated
    # column, spelt out): a virtual column would send SQLite to the table.
    where = ["o.completed_at IS NULL", f"{status.sql('o', completed=False)} = 'open'", "o.reported_at <= :now"]
    params = {"now": clock.fmt(now)}
    for column, value in (("region", region), ("provider", provider)):
        if value is not None:
            where.append(f"o.{column} = :{column}")
            params[column] = value
    # The provider's last status report as of now: a chase by the customer after it counts.
    reported = ("max(coalesce(CASE WHEN o.feedback_at <= :now THEN o.feedback_at END, ''), "
                "coalesce(CASE WHEN o.arrived_at <= :now THEN o.arrived_at END, ''))")
    customer = (f"(SELECT min(t.received_at) FROM contacts t WHERE t.order_id = o.id AND t.kind = 'chase' "
                f"AND t.received_at <= :now AND t.received_at > {reported})" if customers else "NULL")
    leftover = ("(SELECT max(c.chased_at) FROM chases c WHERE c.order_id = o.id AND +c.chased_at >= :swept_from "
                "AND +c.chased_at < :swept_to)" if swept else "NULL")
    if swept:
        params.update(swept_from=swept[0], swept_to=swept[1])
    # `+c.chased_at`: an order's chases (a few) are found by order_id alone in
    # chases_order_at and filtered there, not a range per order.
    select = f"""
            SELECT o.order_no, o.provider, o.engineer, o.region, coalesce(o.zone, 'other') AS zone, o.customer,
                   o.phone, o.reported_at, {feedback} AS feedback, {deadline} AS late_at, o.appointment_at,
                   (SELECT count(*) FROM chases c WHERE c.order_id = o.id AND +c.chased_at <= :now) AS chases,
                   (SELECT max(chased_at) FROM chases c WHERE c.order_id = o.id AND +c.chased_at <= :now)
                       AS last_chased_at,
                   o.id AS order_id, {customer} AS customer_since, {leftover} AS swept_at"""
    sql = f"{select}\n            FROM orders o INDEXED BY orders_unfinished WHERE {' AND '.join(where)}"
    if completed_later:
        # Completed after now: open then, unless the dealer cancelled it.
        later = ["o.completed_at > :now", "o.status_given IS NOT 'cancelled'", *where[2:]]
        sql += f"\n            UNION ALL{select}\n            FROM orders o WHERE {' AND '.join(later)}"
    wanted = "1" if everything else ("feedback IS NULL OR late_at < :now"
                                     + (" OR customer_since IS NOT NULL" if customers else "")
                                     + (" OR swept_at IS NOT NULL" if swept else ""))
    sql = f"""
        SELECT * FROM ({sql}
        ) WHERE {wanted}
    """
    return sql, params


def completed_after(conn, now) -> bool:
    """Whether any order is completed after `now` (a --now in the past): one probe of orders_completed."""
    return conn.execute("SELECT 1 FROM orders WHERE completed_at > ? LIMIT 1", (clock.fmt(now),)).fetchone() is not None


def chase_list(desk, region=None, provider=None, end_of_day=False) -> list[dict]:
    """Orders to chase at now, most overdue deadline first; `end_of_day`: every unfinished order
    (the daily clean-up, 日清日结), those with no other reason as `end_of_day`."""
    sql, params = chase_query(desk.policy, desk.now, region, provider,
                              completed_later=completed_after(desk.conn, desk.now), everything=end_of_day,
                              **extras(desk))
    out = chase_rows(desk, sql, params, end_of_day=end_of_day)
    out.sort(key=lambda x: (x["deadline"], x["order_no"]))
    return out


def extras(desk) -> dict:
    """chase_query's `customers` and `swept` at now: each only when the desk has any, so that a
    desk without customers' chases or a clean-up yesterday runs the plain query (one probe each)."""
    now = desk.now_text
    customers = desk.conn.execute("SELECT 1 FROM contacts WHERE kind = 'chase' AND received_at <= ? LIMIT 1",
                                  (now,)).fetchone() is not None
    return {"customers": customers, "swept": swept_window(desk)}


def swept_window(desk) -> tuple[str, str] | None:
    """(from, to) of the last end-of-day clean-up before today whose leftovers are today's: from its
    first end_of_day chase to today's start, when today is the next working day after it; else None."""
    today = desk.now.date()
    if not desk.cal.is_workday(today):
        return None
    day = today - dt.timedelta(days=1)
    # the days whose next working day is today: yesterday, and the days off before it
    while calendar.nth_workday(desk.cal, day - dt.timedelta(days=1), 1) == today and (today - day).days < 31:
        day -= dt.timedelta(days=1)
    if calendar.nth_workday(desk.cal, day, 1) != today:
        return None
    start = desk.conn.execute(
        "SELECT min(chased_at) FROM chases WHERE chased_at >= ? AND chased_at < ? AND chased_at <= ? "
        "AND reason = 'end_of_day'", (day.isoformat(), today.isoformat(), desk.now_text)).fetchone()[0]
    return (start, today.isoformat()) if start else None


def _late_after_cutoff(cal, hours, policy, reported_at, zone, appointment) -> str:
    """The response deadline of a report at or after [dispatch] next_day_after: counted
    from the next working day's desk opening, or the end of a later appointment day."""
    start = calendar.next_day_after(cal, hours, clock.parse(reported_at), policy.next_day_after)
    late = clock.fmt(start + policy.respond_within[zone].delta)
    return max(late, appointment[:10] + " 23:59:59") if appointment else late


def chase_rows(desk, sql, params, end_of_day=False) -> list[dict]:
    """The rows of a chase query (see chase_query) that need a chase at now."""
    now, policy = desk.now, desk.policy
    cal, hours = desk.cal, policy.dispatch_hours
    feedback_due = lru_cache(maxsize=65536)(
        lambda t: calendar.deadline_after(cal, hours, t, policy.feedback_within))
    now_text, hour, parse, out = clock.fmt(now), dt.timedelta(hours=1), clock.parse, []
    today = now.date().isoformat()
    # tuples, and one dict literal per row listed: 7k rows on 1M orders
    cutoff = f"{policy.next_day_after // 60:02d}:{policy.next_day_after % 60:02d}"
    for (order_no, provider, engineer, region, zone, customer, phone, reported_at, feedback, late_at, appointment,
         chases, last_chased_at, order_id, customer_since, swept_at) in db.tuples(desk.conn, sql, params):
        if reported_at[11:16] >= cutoff:  # the SQL's deadline counted from the report: this one is later
            late_at = _late_after_cutoff(cal, hours, policy, reported_at, zone, appointment)
        if late_at < now_text:
            reason, text = "late", late_at  # already 'YYYY-MM-DD HH:MM:SS'
            deadline = parse(text)
        else:
            # the next deadline: the first feedback's while there is none, else the response deadline
            deadline = feedback_due(parse(reported_at)) if feedback is None else parse(late_at)
            if customer_since:
                reason, text = "customer", customer_since  # to chase since the customer did
                deadline = parse(text)
            elif feedback is None and now > deadline:
                reason = "no_feedback"
            elif swept_at and not end_of_day and (last_chased_at or "") < today:
                reason = "leftover"
            elif end_of_day:
                reason = "end_of_day"
            else:
                continue
            if reason != "customer":
                text = clock.fmt(deadline)
        out.append({
            "order_no": order_no, "provider": provider, "engineer": engineer, "region": region, "zone": zone,
            "customer": customer, "phone": phone, "reported_at": reported_at, "feedback": feedback,
            "late_at": late_at, "chases": chases, "last_chased_at": last_chased_at, "order_id": order_id,
            "deadline": text, "reason": reason, "overdue_hours": round((now - deadline) / hour, 1),
        })
    return out


def record_chases(desk, rows, note=None, end_of_day=False) -> int:
    """Log one chase per listed order at now, in one transaction; returns how many.

    An order chased within `rechase_after` is not chased again, so a cron job
    that runs twice (or two desks at once) counts each chase once; in the
    end-of-day clean-up (`end_of_day`), nor is one chased since today's
    clean-up began, so the clean-up run again the same day changes nothing.
    The test is made inside the write transaction, against what is stored then.
    """
    since, now, recorded = clock.fmt(desk.now - desk.policy.rechase_after.delta), desk.now_text, 0
    with transaction(desk.conn):
        cleanup = desk.conn.execute(
            "SELECT min(chased_at) FROM chases WHERE chased_at >= ? AND chased_at <= ? AND reason = 'end_of_day'",
            (desk.now.date().isoformat(), now)).fetchone()[0] if end_of_day else None
        for r in rows:
            inserted = desk.conn.execute(
                "INSERT INTO chases (order_id, chased_at, reason, deadline, overdue_hours, actor, note) "
                "SELECT ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS "
                "(SELECT 1 FROM chases WHERE order_id = ? AND chased_at <= ? AND (chased_at > ? OR chased_at >= ?))",
                (r["order_id"], now, r["reason"], r["deadline"], r["overdue_hours"], desk.actor, note,
                 r["order_id"], now, since, cleanup or "9999")).rowcount  # 9999: no clean-up today
            if inserted:
                desk.log("chased", r["order_no"], {"reason": r["reason"], "deadline": r["deadline"],
                                                   "overdue_hours": r["overdue_hours"]})
                r["chases"] += 1
                r["last_chased_at"] = now
                recorded += 1
    return recorded


def chases_of(desk, order) -> list[dict]:
    return [dict(r) for r in desk.conn.execute(
        "SELECT chased_at, reason, deadline, overdue_hours, actor, note FROM chases WHERE order_id = ? ORDER BY id",
        (order["id"],),
    )]


# The provider's duties after a dispatch (seed 003: 半小时内同用户联系, 3小时内向呼叫中心回馈维修状态):
# (duty, the order's column that shows it done, the policy's allowance in desk time).
DUTIES = (("contact", "contacted_at", "contact_within"), ("status", "feedback_at", "status_within"))
DUTY_COLUMNS = ["duty", "dispatched_at", "deadline", "done_at", "state"]


def duty_deadline(desk, dispatched_at: str, within: str) -> str:
    """When a duty owed from a dispatch at `dispatched_at` falls late: `within` of desk time."""
    allowance, hours = getattr(desk.policy, within), desk.policy.dispatch_hours
    # From the dispatch rolled into desk time: `1d` after a dispatch at 20:03 is the next working day's
    # close, not the same day's (a deadline before the dispatch)
    start = calendar.roll_forward(desk.cal, hours, clock.parse(dispatched_at))
    return clock.fmt(calendar.deadline_after(desk.cal, hours, start, allowance))


def duties_of(desk, order) -> list[dict]:
    """`show`: each duty of a dispatched order, its deadline and how it stands at now
    (`late`, `on time`, `owed` before its deadline, `not recorded` past it)."""
    if not order["dispatched_at"] or order["dispatched_at"] > desk.now_text:
        return []
    rows = []
    for duty, column, within in DUTIES:
        deadline = duty_deadline(desk, order["dispatched_at"], within)
        done = order[column] if order[column] and order[column] <= desk.now_text else None
        state = ("late" if done > deadline else "on time") if done else \
            "not recorded" if desk.now_text > deadline else "owed"
        rows.append({"duty": duty, "dispatched_at": order["dispatched_at"], "deadline": deadline, "done_at": done,
                     "state": state})
    return rows


def late_duties(desk, since: str) -> tuple[str, list[str], str] | None:
    """For reports on orders dispatched from `since`: (the joins, the SQL flags late_contact and
    late_status of an order, alias `o`, a condition every late order meets); None when no
    order was dispatched since. A duty is late when more than its allowance of
    desk time lies between the dispatch and the time it was done: each moment's desk
    time is its day's count in temp.desk_days (calendar.window_days) plus the window
    seconds of its day before it, in SQL. Exactly the allowance (done after a deadline at
    a window's end, before the next window) and a moment outside the table ask the
    calendar itself, as an allowance in days does. One not recorded is not counted late:
    a dealer's export may not carry the column, and `chase` lists missing feedback."""
    conn, hours = desk.conn, desk.policy.dispatch_hours
    first = conn.execute("SELECT min(dispatched_at) FROM orders WHERE dispatched_at >= ?", (since,)).fetchone()[0]
    if first is None:
        return None  # nothing dispatched in the range
    days = calendar.window_days(desk.cal, hours, dt.date.fromisoformat(first[:10]) - dt.timedelta(days=1),
                                max(desk.now.date(), dt.date.fromisoformat(first[:10])) + dt.timedelta(days=1))
    conn.execute("DROP TABLE IF EXISTS temp.desk_days")
    conn.execute("CREATE TEMP TABLE desk_days (day TEXT PRIMARY KEY, seconds INTEGER, work INTEGER) WITHOUT ROWID")
    conn.executemany("INSERT INTO temp.desk_days VALUES (?, ?, ?)", days)
    deadline = lru_cache(maxsize=65536)(lambda within, at: duty_deadline(desk, at, within))
    conn.create_function("cb_duty_deadline", 2, deadline, deterministic=True)

    def desk_seconds(alias, column):
        moment = (f"(CAST(substr({column}, 12, 2) AS INTEGER) * 3600 + CAST(substr({column}, 15, 2) AS INTEGER) * 60"
                  f" + CAST(substr({column}, 18, 2) AS INTEGER))")
        inside = " + ".join(f"max(min({moment} - {start * 60}, {(end - start) * 60}), 0)" for start, end in hours)
        return f"({alias}.seconds + {alias}.work * ({inside}))"

    # CROSS JOIN: the orders outside, each finding its day (else SQLite may read every order per day)
    joins = "CROSS JOIN temp.desk_days dd ON dd.day = substr(o.dispatched_at, 1, 10)"
    flags = []
    for duty, column, within in DUTIES:
        allowance = getattr(desk.policy, within)
        joins += f" LEFT JOIN temp.desk_days d_{duty} ON d_{duty}.day = substr(o.{column}, 1, 10)"
        ask = f"o.{column} > cb_duty_deadline('{within}', o.dispatched_at)"
        taken = f"({desk_seconds(f'd_{duty}', f'o.{column}')} - {desk_seconds('dd', 'o.dispatched_at')})"
        # CASE, not AND/OR: SQLite evaluates both sides of those, and would ask the calendar for every row.
        if allowance.days:
            flags.append(f"CASE WHEN o.{column} IS NULL OR o.{column} > :now THEN 0 ELSE {ask} END")
            continue
        flags.append(f"CASE WHEN o.{column} IS NULL OR o.{column} > :now THEN 0 "
                     f"WHEN d_{duty}.day IS NULL OR length(o.{column}) != 19 OR length(o.dispatched_at) != 19 "
                     f"THEN {ask} WHEN {taken} > {allowance.minutes * 60} THEN 1 "
                     f"WHEN {taken} < {allowance.minutes * 60} THEN 0 ELSE {ask} END")
    # Desk time only runs slower than the clock: a duty done within its allowance of wall-clock
    # time is on time, and the row need not be joined or computed.
    maybe = " OR ".join(f"o.{column} > datetime(o.dispatched_at, '+{getattr(desk.policy, within).minutes} minutes')"
                        for _, column, within in DUTIES)
    return joins, flags, f"({maybe})"
