"""Chasing service providers (催单): no feedback in time, or past the response deadline.

- no_feedback: no first status report (feedback_at, or an arrival) within
  `feedback_within` of desk hours after the report; a report at 16:30 is
  therefore due the next working morning.
- late (拖单): not completed by `respond_within[zone]` wall-clock after the
  report, or by the end of the appointment day when the customer chose a
  later date. An order that is both is listed once, as late.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from callbackctl import calendar, clock, db, status
from callbackctl.db import transaction

COLUMNS = ["order_no", "provider", "engineer", "region", "zone", "customer", "phone", "reported_at",
           "deadline", "overdue_hours", "reason", "chases", "last_chased_at"]


def chase_query(policy, now, region=None, provider=None, completed_later=False):
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
    # `+c.chased_at`: an order's chases (a few) are found by order_id alone in
    # chases_order_at and filtered there, not a range per order.
    select = f"""
            SELECT o.order_no, o.provider, o.engineer, o.region, coalesce(o.zone, 'other') AS zone, o.customer,
                   o.phone, o.reported_at, {feedback} AS feedback, {deadline} AS late_at,
                   (SELECT count(*) FROM chases c WHERE c.order_id = o.id AND +c.chased_at <= :now) AS chases,
                   (SELECT max(chased_at) FROM chases c WHERE c.order_id = o.id AND +c.chased_at <= :now)
                       AS last_chased_at,
                   o.id AS order_id"""
    sql = f"{select}\n            FROM orders o INDEXED BY orders_unfinished WHERE {' AND '.join(where)}"
    if completed_later:
        # Completed after now: open then, unless the dealer cancelled it.
        later = ["o.completed_at > :now", "o.status_given IS NOT 'cancelled'", *where[2:]]
        sql += f"\n            UNION ALL{select}\n            FROM orders o WHERE {' AND '.join(later)}"
    sql = f"""
        SELECT * FROM ({sql}
        ) WHERE feedback IS NULL OR late_at < :now
    """
    return sql, params


def completed_after(conn, now) -> bool:
    """Whether any order is completed after `now` (a --now in the past): one probe of orders_completed."""
    return conn.execute("SELECT 1 FROM orders WHERE completed_at > ? LIMIT 1", (clock.fmt(now),)).fetchone() is not None


def chase_list(desk, region=None, provider=None) -> list[dict]:
    """Orders to chase at now, most overdue deadline first."""
    sql, params = chase_query(desk.policy, desk.now, region, provider,
                              completed_later=completed_after(desk.conn, desk.now))
    out = chase_rows(desk, sql, params)
    out.sort(key=lambda x: (x["deadline"], x["order_no"]))
    return out


def chase_rows(desk, sql, params) -> list[dict]:
    """The rows of a chase query (see chase_query) that need a chase at now."""
    now, policy = desk.now, desk.policy
    cal, hours = desk.cal, policy.dispatch_hours
    feedback_due = lru_cache(maxsize=65536)(
        lambda t: calendar.deadline_after(cal, hours, t, policy.feedback_within))
    now_text, hour, parse, out = clock.fmt(now), dt.timedelta(hours=1), clock.parse, []
    # tuples, and one dict literal per row listed: 7k rows on 1M orders
    for (order_no, provider, engineer, region, zone, customer, phone, reported_at, feedback, late_at, chases,
         last_chased_at, order_id) in db.tuples(desk.conn, sql, params):
        if late_at < now_text:
            reason, text = "late", late_at  # already 'YYYY-MM-DD HH:MM:SS'
            deadline = parse(text)
        else:
            deadline = feedback_due(parse(reported_at))
            if now <= deadline:
                continue
            reason, text = "no_feedback", clock.fmt(deadline)
        out.append({
            "order_no": order_no, "provider": provider, "engineer": engineer, "region": region, "zone": zone,
            "customer": customer, "phone": phone, "reported_at": reported_at, "feedback": feedback,
            "late_at": late_at, "chases": chases, "last_chased_at": last_chased_at, "order_id": order_id,
            "deadline": text, "reason": reason, "overdue_hours": round((now - deadline) / hour, 1),
        })
    return out


def record_chases(desk, rows, note=None) -> int:
    """Log one chase per listed order at now, in one transaction; returns how many.

    An order chased within `rechase_after` is not chased again, so a cron job
    that runs twice (or two desks at once) counts each chase once. The test is
    made inside the write transaction, against what is stored then.
    """
    since, now, recorded = clock.fmt(desk.now - desk.policy.rechase_after.delta), desk.now_text, 0
    with transaction(desk.conn):
        for r in rows:
            inserted = desk.conn.execute(
                "INSERT INTO chases (order_id, chased_at, reason, deadline, overdue_hours, actor, note) "
                "SELECT ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS "
                "(SELECT 1 FROM chases WHERE order_id = ? AND chased_at > ? AND chased_at <= ?)",
                (r["order_id"], now, r["reason"], r["deadline"], r["overdue_hours"], desk.actor, note,
                 r["order_id"], since, now)).rowcount
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
