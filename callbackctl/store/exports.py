"""Whole tables as `export` writes them: the rows, streamed in the order they were stored."""

from __future__ import annotations

_SQL = {
    "callbacks": (
        "SELECT o.order_no, c.called_at, c.round, c.reason, c.outcome, c.skill, c.attitude, c.timeliness, c.parts, "
        "c.overall, c.satisfaction AS 'index', c.genuine, c.discrepancies, c.said_hours, c.said_location, "
        "c.said_parts, c.said_fee, c.callback_at, c.agent, c.note, c.respondent, c.said_arrived, c.said_finished, "
        "c.recording, c.suggestion FROM callbacks c JOIN orders o ON o.id = c.order_id ORDER BY c.id"),
    "complaints": (
        "SELECT c.id, o.order_no, c.customer, c.phone, c.vip, c.against, c.target, c.severity, c.text, c.status, "
        "c.received_at, c.reopened_at, c.escalated_at, c.replied_at, c.reply, c.resolved_at, c.resolution, "
        "c.closed_at FROM complaints c LEFT JOIN orders o ON o.id = c.order_id ORDER BY c.id"),
    "chases": (
        "SELECT o.order_no, o.provider, o.region, h.chased_at, h.reason, h.deadline, h.overdue_hours, h.actor, h.note "
        "FROM chases h JOIN orders o ON o.id = h.order_id ORDER BY h.id"),
}


def rows(conn, name: str):
    """A cursor over the export `name` (callbacks, complaints, chases)."""
    return conn.execute(_SQL[name])


def extra_keys(conn) -> list[str]:
    """The keys of the columns kept with the orders (extra), sorted."""
    return [r[0] for r in conn.execute(
        "SELECT DISTINCT j.key FROM orders, json_each(orders.extra) AS j WHERE orders.extra IS NOT NULL ORDER BY j.key")]


def orders(conn, fields):
    """A cursor over every order's `fields` and its extra, in the order stored."""
    return conn.execute(f"SELECT {', '.join(fields)}, extra FROM orders ORDER BY id")
