"""customers and customer_orders, as read by the desk's other work (customers.py writes them)."""

from __future__ import annotations


def any_customer(conn) -> bool:
    """Does the desk hold a customer? (Most desks have none: their work stops here.)"""
    return conn.execute("SELECT max(id) FROM customers").fetchone()[0] is not None


def last_order(conn, customer_id: int, now: str):
    """The customer's last order completed by `now` (a row of orders), or None."""
    return conn.execute(
        "SELECT o.* FROM customer_orders l JOIN orders o ON o.id = l.order_id WHERE l.customer_id = ? "
        "AND l.completed_at <= ? ORDER BY l.completed_at DESC LIMIT 1", (customer_id, now)).fetchone()
