"""Whole-table exports, shaped so that an orders export imports back unchanged."""

from __future__ import annotations

import json

from callbackctl import normalize
from callbackctl.errors import InvalidValue
from callbackctl.orders import FIELDS

# Each export: its SQL, and for a row its columns in order. Tables that later
# migrations add register here too.
EXPORTS = {}


def mask(phone: str | None) -> str | None:
    """138****5678: enough to recognise a number, not enough to call it."""
    if not phone or len(phone) < 7:
        return phone
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def table(conn, name: str, mask_phone: bool = False):
    """(columns, rows) for one exportable table; rows stream from the database."""
    if name == "orders":
        return _orders(conn, mask_phone)
    if name not in EXPORTS:
        raise InvalidValue(f"nothing to export for {name!r} yet", usage=True)
    sql, columns = EXPORTS[name]
    cursor = conn.execute(sql)

    def rows():
        for r in cursor:
            row = dict(r)
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
            row["machine_hours"], row["fee"] = normalize.plain(row["machine_hours"]), normalize.plain(row["fee"])
            for flag in ("warranty", "vip"):
                if row[flag] is not None:
                    row[flag] = bool(row[flag])
            if mask_phone:
                row["phone"] = mask(row["phone"])
            yield row

    return columns, rows()
