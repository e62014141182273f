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


def recent_orders(conn, customer_id: int, limit: int = 20) -> list:
    """The customer's last `limit` orders, the latest completion first."""
    return conn.execute(
        "SELECT o.order_no, o.service_type, o.status, o.completed_at, o.region, o.provider, o.engineer "
        "FROM customer_orders l JOIN orders o ON o.id = l.order_id WHERE l.customer_id = ? "
        "ORDER BY l.completed_at DESC LIMIT ?", (customer_id, limit)).fetchall()

