"""Orders handed back (二次派工): for a second visit, or to check the contact."""

from __future__ import annotations

import datetime as dt

from callbackctl import clock, orders
from callbackctl.db import transaction
from callbackctl.errors import StateError

FOLLOWUP_COLUMNS = ["order_no", "reason", "since", "round", "customer", "phone", "region", "provider",
                    "engineer", "detail"]



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


def hand_back(conn, order_id, reason, rnd, since, callback_id, detail):
    """Open a follow-up for a call's finding (inside the caller's transaction)."""
    conn.execute(
        "INSERT INTO followups (order_id, reason, round, since, callback_id, detail) VALUES (?,?,?,?,?,?)",
        (order_id, reason, rnd, since, callback_id, detail),
    )


def resolve_visited(conn, order_id, at):
    """A satisfied call after a second visit resolves what the visit answered."""
    conn.execute(
        "UPDATE followups SET resolved_at = ? WHERE order_id = ? AND done_at IS NOT NULL AND resolved_at IS NULL",
        (at, order_id),
    )


def followups_of(desk, order) -> list[dict]:
    return [dict(r) for r in desk.conn.execute(
        "SELECT reason, round, since, detail, done_at, resolved_at FROM followups WHERE order_id = ? ORDER BY id",
        (order["id"],),
    )]
