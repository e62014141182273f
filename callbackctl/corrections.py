"""Corrections: the desk's own values of an order's fields, which imports never overwrite.

A row of `corrections` (written only here, by store/corrections.py's statements) says that the desk corrected one
field of one order (`order set`, `order cancel`, `followup verify`): who, when,
why, and the value the import last gave (`imported`), which `order revert`
hands back. An import that brings the old value again changes nothing; one that
brings a new value keeps the correction and says so (orders._apply); the new
value becomes the one a revert returns.

Fields are named as a user names them (`phone`, `status`); `phone` also holds
phone_valid, `status` is stored as status_given.
"""

from __future__ import annotations

import json

from callbackctl import clock, normalize
from callbackctl.store import corrections as rows

# A user's field -> the stored columns it covers.
_COLUMNS = {"phone": ("phone", "phone_valid"), "status": ("status_given",)}
_FIELD_OF = {c: f for f, cols in _COLUMNS.items() for c in cols}
_RANK = {f: i for i, f in enumerate(normalize.ORDER_COLUMNS)}

KEPT_COLUMNS = ["field", "value", "corrected_at", "actor", "reason", "imported"]


def field_of(column: str) -> str:
    """The user's field a stored column belongs to: status_given -> status."""
    return _FIELD_OF.get(column, column)


def columns_of(field: str) -> tuple:
    return _COLUMNS.get(field, (field,))


def any_kept(conn) -> bool:
    """Whether the desk holds any correction: an import with none reads nothing more."""
    return rows.any_kept(conn)


def of_orders(conn, ids) -> dict:
    """{order_id: {field: (corrected_at, {column: imported value})}} for the orders among `ids`
    with corrections."""
    out = {}
    for oid, field, at, imported in rows.of_ids(conn, list(ids)):
        out.setdefault(oid, {})[field] = (at, json.loads(imported))
    for oid, fields in out.items():  # in the order of an order's fields, as warnings name them
        if len(fields) > 1:
            out[oid] = dict(sorted(fields.items(), key=lambda f: _RANK.get(f[0], len(_RANK))))
    return out


def of_order(conn, order: dict) -> list[dict]:
    """One order's kept corrections, as `show` lists them."""
    out = []
    for r in rows.of_order(conn, order["id"]):
        field = r["field"]
        column = columns_of(field)[0]
        out.append({"field": field, "value": order.get(column), "corrected_at": r["corrected_at"],
                    "actor": r["actor"], "reason": r["reason"], "imported": json.loads(r["imported"])[column]})
    return out


def keep(desk, before: dict, changed: dict, reason: str):
    """The desk changed these stored columns of the order `before`: each field is a
    correction from now on (inside the caller's transaction). A field corrected
    again keeps the value the import gave, for a revert."""
    for field in dict.fromkeys(field_of(c) for c in changed):
        imported = json.dumps({c: before.get(c) for c in columns_of(field)}, ensure_ascii=False)
        rows.put(desk.conn, before["id"], field, imported, desk.now_text, desk.actor, reason)


def file_brings(conn, order_id: int, field: str, values: dict):
    """An import brought new values ({column: value}) for a corrected field: what a
    revert returns (inside the import's transaction)."""
    rows.set_imported(conn, order_id, field, json.dumps(values, ensure_ascii=False))


def give_back(desk, order: dict, field: str) -> tuple[dict, str]:
    """End the correction of `field`: the stored columns' values the import last gave
    ({column: value}) and when the correction was made. LookupError if none is kept."""
    row = rows.take(desk.conn, order["id"], field)
    if row is None:
        raise LookupError(field)
    return json.loads(row[0]), row[1]


def on_date(at: str) -> str:
    """The day of a correction, as a warning names it."""
    return clock.fmt(clock.parse(at))[:10]
