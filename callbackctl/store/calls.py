"""callbacks and recurring_calls, as read by the desk's other work (calls.py writes them)."""

from __future__ import annotations


def last_order_call(conn, order_no: str, now: str):
    """(called_at, outcome) of the region's last call on the order by `now`, voided ones aside; or None."""
    return conn.execute(
        "SELECT c.called_at, c.outcome FROM callbacks c JOIN orders o ON o.id = c.order_id WHERE o.order_no = ? "
        "AND c.outcome != 'voided' AND c.spot_check_id IS NULL AND c.called_at <= ? "
        "ORDER BY c.called_at DESC, c.id DESC LIMIT 1", (order_no, now)).fetchone()


def last_recurring_call(conn, key: str, now: str):
    """(called_at, outcome) of the last recurring call on `key` by `now`, voided ones aside; or None."""
    return conn.execute(
        "SELECT called_at, outcome FROM recurring_calls WHERE key = ? AND called_at <= ? AND voided_at IS NULL "
        "ORDER BY called_at DESC, id DESC LIMIT 1", (key, now)).fetchone()


def recurring_promised(conn, since: str, now: str) -> list[str]:
    """The recurring keys whose calls after `since`, by `now`, asked for a later time."""
    return [k for (k,) in conn.execute(
        "SELECT DISTINCT key FROM recurring_calls WHERE called_at > ? AND called_at <= ? AND voided_at IS NULL "
        "AND callback_at IS NOT NULL", (since, now))]
