"""Head office: spot checks of the regions' callbacks (抽访) and merging regional files.

`sample` picks reached callbacks stratified by region, in proportion to each
region's volume and at least one per region that has any, reproducibly for a
seed; an order is sampled once. Each pick is a spot_check callback due now;
the head-office call is compared with the region's (headoffice.answer_spot_check, called by calls.py).

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


def sample(desk, rate: float, date_from=None, date_to=None, seed=None) -> tuple[list[dict], int, int]:
    """Pick reached callbacks per region; returns (picks, seed used, how many are new).

    The pick depends only on the calls in the range, the rate and the seed:
    run again, it picks the same orders, and those sampled before are not
    added twice (an order is sampled once).
    """
    if not 0 < rate <= 1:
        raise InvalidValue(f"{rate} is not between 0 and 1 (0.05 is 5%)", field="rate")
    seed = random.SystemRandom().randrange(1, 10**6) if seed is None else seed
    lo, hi = clock.day_range(date_from, date_to)
    candidates = desk.conn.execute(
        "SELECT o.id AS order_id, o.order_no, o.region, o.provider, o.engineer, c.id AS call_id, c.called_at, "
        "c.satisfaction AS 'index', c.genuine FROM callbacks c JOIN orders o ON o.id = c.order_id "
        "WHERE c.outcome = 'reached' AND c.spot_check_id IS NULL AND c.called_at >= ? AND c.called_at < ? "
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
    new = 0
    with transaction(desk.conn):
        for p in picks:
            new += desk.conn.execute(
                "INSERT OR IGNORE INTO spot_checks (order_id, regional_call_id, sampled_at, seed, rate) "
                "VALUES (?, ?, ?, ?, ?)", (p["order_id"], p["call_id"], desk.now_text, seed, rate)).rowcount
        if new:
            desk.log("sampled", detail={"rate": rate, "seed": seed, "picked": len(picks), "new": new,
                                        "from": str(date_from or ""), "to": str(date_to or "")})
    for p in picks:
        normalize.present(p)
    return sorted(picks, key=lambda p: (p["region"] or "", p["order_no"])), seed, new


def spot_check_of_call(conn, call_id) -> bool:
    """A call head office sampled, or head office's own call: part of a comparison."""
    return conn.execute("SELECT 1 FROM spot_checks WHERE regional_call_id = ? OR call_id = ? LIMIT 1",
                        (call_id, call_id)).fetchone() is not None


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

# What a merge copies besides the orders: every column of these tables except
# the ids that only mean something in their own file (found by sqlite-utils'
# introspection, so a column added by a later migration is copied too).
CHILD_TABLES = ("callbacks", "followups", "complaints", "chases")
_LOCAL_IDS = {"id", "order_id", "callback_id", "spot_check_id", "source", "source_id"}


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
    here, there = db.utils_database(conn), db.utils_database(src)
    for table in CHILD_TABLES:
        result[table.replace("callbacks", "calls")] = _copy_children(here[table], there[table], source, id_map)
    return result


def _copy_children(here, there, source, id_map):
    """Copy a regional table's rows whose order was merged; returns how many were new."""
    columns = [c for c in there.columns_dict if c not in _LOCAL_IDS]
    rows = ({**{c: r[c] for c in columns}, "order_id": id_map.get(r["order_id"]), "source": source,
             "source_id": r["id"]}
            for r in there.rows_where(select=", ".join(["id", "order_id", *columns]), order_by="id")
            if r["order_id"] is None or r["order_id"] in id_map)  # else its order is a conflict: left alone
    count = f"SELECT count(*) FROM [{here.name}] WHERE source = ?"
    before = here.db.execute(count, [source]).fetchone()[0]
    here.insert_all(rows, ignore=True)
    return here.db.execute(count, [source]).fetchone()[0] - before
