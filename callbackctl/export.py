"""Whole-table exports, shaped so that an orders export imports back unchanged."""

from __future__ import annotations

import json

from callbackctl import normalize
from callbackctl.orders import FIELDS
from callbackctl.store import exports

# Each export's columns, in order (store/exports.py reads them).
_CALL_COLUMNS = ["order_no", "called_at", "round", "reason", "outcome", "skill", "attitude", "timeliness", "parts",
                 "overall", "index", "genuine", "discrepancies", "said_hours", "said_location", "said_parts",
                 "said_fee", "callback_at", "agent", "note", "respondent", "said_arrived", "said_finished", "recording",
                 "suggestion"]
_COMPLAINT_COLUMNS = ["id", "order_no", "customer", "phone", "vip", "against", "target", "severity", "text", "status",
                      "received_at", "reopened_at", "escalated_at", "replied_at", "reply", "resolved_at",
                      "resolution", "closed_at"]
_CHASE_COLUMNS = ["order_no", "provider", "region", "chased_at", "reason", "deadline", "overdue_hours", "actor", "note"]
EXPORTS = {"callbacks": _CALL_COLUMNS, "complaints": _COMPLAINT_COLUMNS, "chases": _CHASE_COLUMNS}


def mask(phone: str | None) -> str | None:
    """138****5678: enough to recognise a number, not enough to call it."""
    if not phone or len(phone) < 7:
        return phone
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def table(conn, name: str, mask_phone: bool = False):
    """(columns, rows) for one exportable table; rows stream from the database."""
    if name == "orders":
        return _orders(conn, mask_phone)
    columns, cursor = EXPORTS[name], exports.rows(conn, name)

    def rows():
        for r in cursor:
            row = normalize.present(dict(r))
            if mask_phone and "phone" in row:
                row["phone"] = mask(row["phone"])
            yield row

    return columns, rows()


def _orders(conn, mask_phone):
    extra_keys = exports.extra_keys(conn)
    # phone_valid is not exported: it is derived from phone on import.
    columns = list(FIELDS) + [k for k in extra_keys if k not in FIELDS]
    cursor = exports.orders(conn, FIELDS)

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
