"""Whole-table exports, shaped so that an orders export imports back unchanged."""

from __future__ import annotations

import json

from callbackctl import normalize
from callbackctl.orders import FIELDS

# Each export: its SQL and its columns, in order.
_CALL_COLUMNS = ["order_no", "called_at", "round", "reason", "outcome", "skill", "attitude", "timeliness", "parts",
                 "overall", "index", "genuine", "discrepancies", "said_hours", "said_location", "said_parts",
                 "said_fee", "callback_at", "agent", "note", "respondent", "said_arrived", "said_finished", "recording",
                 "suggestion"]
_COMPLAINT_COLUMNS = ["id", "order_no", "customer", "phone", "vip", "against", "target", "severity", "text", "status",
                      "received_at", "reopened_at", "escalated_at", "replied_at", "reply", "resolved_at",
                      "resolution", "closed_at"]
_CHASE_COLUMNS = ["order_no", "provider", "region", "chased_at", "reason", "deadline", "overdue_hours", "actor", "note"]
EXPORTS = {
    "callbacks": (
        "SELECT o.order_no, c.called_at, c.round, c.reason, c.outcome, c.skill, c.attitude, c.timeliness, c.parts, "
        "c.overall, c.satisfaction AS 'index', c.genuine, c.discrepancies, c.said_hours, c.said_location, "
        "c.said_parts, c.said_fee, c.callback_at, c.agent, c.note, c.respondent, c.said_arrived, c.said_finished, "
        "c.recording, c.suggestion FROM callbacks c JOIN orders o ON o.id = c.order_id ORDER BY c.id", _CALL_COLUMNS),
    "complaints": (
        "SELECT c.id, o.order_no, c.customer, c.phone, c.vip, c.against, c.target, c.severity, c.text, c.status, "
        "c.received_at, c.reopened_at, c.escalated_at, c.replied_at, c.reply, c.resolved_at, c.resolution, "
        "c.closed_at FROM complaints c LEFT JOIN orders o ON o.id = c.order_id ORDER BY c.id", _COMPLAINT_COLUMNS),
    "chases": (
        "SELECT o.order_no, o.provider, o.region, h.chased_at, h.reason, h.deadline, h.overdue_hours, h.actor, h.note "
        "FROM chases h JOIN orders o ON o.id = h.order_id ORDER BY h.id", _CHASE_COLUMNS),
}


def mask(phone: str | None) -> str | None:
    """138****5678: enough to recognise a number, not enough to call it."""
    if not phone or len(phone) < 7:
        return phone
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def table(conn, name: str, mask_phone: bool = False):
    """(columns, rows) for one exportable table; rows stream from the database."""
    if name == "orders":
        return _orders(conn, mask_phone)
    sql, columns = EXPORTS[name]
    cursor = conn.execute(sql)

    def rows():
        for r in cursor:
            row = normalize.present(dict(r))
            if mask_phone and "phone" in row:
                row["phone"] = mask(row["phone"])
            yield row

    return columns, rows()


def _orders(conn, mask_phone):
    extra_keys = [
        r[0] for r in conn.execute(
            "SELECT DISTINCT j.key FROM orders, json_each(orders.extra) AS j WHERE orders.extra IS NOT NULL ORDER BY j.key"
        )
    ]
    # phone_valid is not exported: it is derived from phone on import.
    columns = list(FIELDS) + [k for k in extra_keys if k not in FIELDS]
    cursor = conn.execute(f"SELECT {', '.join(FIELDS)}, extra FROM orders ORDER BY id")

    def rows():
        for r in cursor:
            row = dict(r)
            extra = row.pop("extra")
            if extra:
                for k, v in json.loads(extra).items():
                    row.setdefault(k, v)
            normalize.present(row)
            if mask_phone:
                row["phone"] = mask(row["phone"])
            yield row

    return columns, rows()
