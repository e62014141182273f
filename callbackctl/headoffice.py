"""Head office: spot checks of the regions' callbacks (抽访) and merging regional files.

`sample` picks reached callbacks stratified by region, in proportion to each
region's volume and at least one per region that has any, reproducibly for a
seed; an order is sampled once. Each pick is a spot_check callback due now;
the head-office call is compared with the region's (callbacks.py).

`merge` copies a regional file's orders, calls, follow-ups, complaints and
chases into this file. Rows carry their source (the regional file's desk id)
and their id there, so merging again adds only what is new; an order_no that
already came from another source is a conflict, reported and left alone.
"""

from __future__ import annotations

import os
import random

from callbackctl import clock, db, normalize, orders
from callbackctl.db import transaction
from callbackctl.errors import CallbackctlError, InvalidValue

SAMPLE_COLUMNS = ["order_no", "region", "provider", "engineer", "called_at", "index", "genuine"]
SPOT_COLUMNS = ["order_no", "region", "sampled_at", "regional_index", "spot_index", "regional_genuine",
                "spot_genuine", "disagrees", "detail"]
MERGE_COLUMNS = ["file", "region", "orders_inserted", "orders_updated", "orders_unchanged", "conflicts",
                 "calls", "followups", "complaints", "chases"]


def desk_id(conn) -> str:
    """This file's identity, made with its schema (migration 5)."""
    return db.get_meta(conn, "desk_id")


def sample(desk, rate: float, date_from=None, date_to=None, seed=None) -> tuple[list[dict], int]:
    """Pick reached callbacks per region; returns (picks, seed used)."""
    if not 0 < rate <= 1:
        raise InvalidValue(f"{rate} is not between 0 and 1 (0.05 is 5%)", field="rate")
    seed = random.SystemRandom().randrange(1, 10**6) if seed is None else seed
    lo, hi = clock.day_range(date_from, date_to)
    candidates = desk.conn.execute(
        "SELECT o.id AS order_id, o.order_no, o.region, o.provider, o.engineer, c.id AS call_id, c.called_at, "
        "c.satisfaction AS 'index', c.genuine FROM callbacks c JOIN orders o ON o.id = c.order_id "
        "WHERE c.outcome = 'reached' AND c.spot_check_id IS NULL AND c.called_at >= ? AND c.called_at < ? "
        "AND NOT EXISTS (SELECT 1 FROM spot_checks s WHERE s.order_id = o.id) "
        "AND c.id = (SELECT min(c2.id) FROM callbacks c2 WHERE c2.order_id = o.id AND c2.outcome = 'reached' "
        "            AND c2.spot_check_id IS NULL) "
        "ORDER BY o.region, o.order_no", (lo, hi)).fetchall()
    by_region: dict = {}
    for r in candidates:
        by_region.setdefault(r["region"] or "", []).append(dict(r))
    picks = []
    for region in sorted(by_region):
        rows = by_region[region]
        k = max(1, round(rate * len(rows)))
        picks += random.Random(f"{seed}:{region}").sample(rows, min(k, len(rows)))
    with transaction(desk.conn):
        desk.conn.executemany(
            "INSERT INTO spot_checks (order_id, regional_call_id, sampled_at, seed, rate) VALUES (?, ?, ?, ?, ?)",
            [(p["order_id"], p["call_id"], desk.now_text, seed, rate) for p in picks])
        desk.log("sampled", detail={"rate": rate, "seed": seed, "picked": len(picks),
                                    "from": str(date_from or ""), "to": str(date_to or "")})
    for p in picks:
        normalize.present(p)
    return sorted(picks, key=lambda p: (p["region"] or "", p["order_no"])), seed


def open_spot_check(conn, order_id):
    """The order's spot check waiting for head office's call, if any."""
    return conn.execute("SELECT * FROM spot_checks WHERE order_id = ? AND call_id IS NULL", (order_id,)).fetchone()


def answer_spot_check(conn, spot, call_id, index, genuine, policy):
    """Does head office hear what the region heard? Satisfaction or genuineness differ."""
    regional = conn.execute("SELECT satisfaction, genuine FROM callbacks WHERE id = ?",
                            (spot["regional_call_id"],)).fetchone()
    found = []
    low = policy.dissatisfied_below
    if regional["satisfaction"] is not None and index is not None and (
            abs(regional["satisfaction"] - index) >= 1 or (regional["satisfaction"] < low) != (index < low)):
        found.append(f"satisfaction: region {regional['satisfaction']}, head office {index}")
    if regional["genuine"] is not None and genuine is not None and bool(regional["genuine"]) != genuine:
        found.append(f"genuine: region {bool(regional['genuine'])}, head office {genuine}")
    conn.execute("UPDATE spot_checks SET call_id = ?, disagrees = ?, detail = ? WHERE id = ?",
                 (call_id, int(bool(found)), "; ".join(found) or None, spot["id"]))


def spot_checks(desk) -> list[dict]:
    rows = []
    for r in desk.conn.execute(
        "SELECT o.order_no, o.region, s.sampled_at, rc.satisfaction AS regional_index, sc.satisfaction AS spot_index, "
        "rc.genuine AS regional_genuine, sc.genuine AS spot_genuine, s.disagrees, s.detail "
        "FROM spot_checks s JOIN orders o ON o.id = s.order_id JOIN callbacks rc ON rc.id = s.regional_call_id "
        "LEFT JOIN callbacks sc ON sc.id = s.call_id ORDER BY s.id"):
        rows.append(normalize.present(dict(r)))
    return rows


# -- merge -------------------------------------------------------------------

# Child tables: (table, columns copied besides order_id). Ids that point at
# other copied rows (callback_id, spot_check_id) are dropped: they are local.
_CHILDREN = {
    "callbacks": ("called_at", "round", "reason", "outcome", "skill", "attitude", "timeliness", "parts", "overall",
                  "satisfaction", "genuine", "discrepancies", "said_hours", "said_location", "said_parts",
                  "said_fee", "callback_at", "closes", "agent", "note"),
    "followups": ("reason", "round", "since", "detail", "done_at", "resolved_at"),
    "complaints": ("customer", "phone", "vip", "against", "target", "severity", "text", "status", "received_at",
                   "reopened_at", "escalated_at", "replied_at", "reply", "resolved_at", "resolution", "closed_at"),
    "chases": ("chased_at", "reason", "deadline", "overdue_hours", "actor", "note"),
}


def merge(desk, path: str, region: str | None = None) -> dict:
    """Copy one regional file into this one; returns its summary row."""
    if not os.path.exists(path):
        raise CallbackctlError(f"{path}: no such file")
    if os.path.samefile(path, desk.path):
        raise CallbackctlError(f"{path} is this database; merge regional files into head office's")
    src = db.connect(path)  # brings an older regional file up to this schema first
    try:
        source = desk_id(src)
        with transaction(desk.conn):
            result = _merge(desk, src, source, region)
            desk.log("merged", detail={"file": path, "source": source, **result})
    finally:
        src.close()
    return {"file": path, "region": region, **result}


def _merge(desk, src, source, region):
    conn = desk.conn
    result = dict(orders_inserted=0, orders_updated=0, orders_unchanged=0, conflicts=0)
    id_map = {}
    for row in src.execute(f"SELECT id, {', '.join(orders.COPIED)} FROM orders"):
        values = dict(row)
        src_id = values.pop("id")
        if region:
            values["region"] = region
        what, order_id = orders.merge_copy(desk, values, source)
        result["conflicts" if what == "conflict" else f"orders_{what}"] += 1
        if order_id is not None:
            id_map[src_id] = order_id
    for table, columns in _CHILDREN.items():
        result[table.replace("callbacks", "calls")] = _copy_children(conn, src, table, columns, source, id_map)
    return result


def _copy_children(conn, src, table, columns, source, id_map):
    n = 0
    for row in src.execute(f"SELECT id, order_id, {', '.join(columns)} FROM {table}"):
        values = dict(row)
        src_id, order_id = values.pop("id"), values.pop("order_id")
        if order_id is not None and order_id not in id_map:
            continue  # its order is a conflict: left with the other source
        cols = ["order_id", *values, "source", "source_id"]
        cur = conn.execute(
            f"INSERT OR IGNORE INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            (id_map.get(order_id), *values.values(), source, src_id))
        n += cur.rowcount
    return n
