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
from callbackctl.store import merge as merged, spot_checks as spots

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
    candidates = spots.candidates(desk.conn, lo, hi)
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
            new += spots.add(desk.conn, p["order_id"], p["call_id"], desk.now_text, seed, rate)
        if new:
            desk.log("sampled", detail={"rate": rate, "seed": seed, "picked": len(picks), "new": new,
                                        "from": str(date_from or ""), "to": str(date_to or "")})
    for p in picks:
        normalize.present(p)
    return sorted(picks, key=lambda p: (p["region"] or "", p["order_no"])), seed, new


def spot_check_of_call(conn, call_id) -> bool:
    """A call head office sampled, or head office's own call: part of a comparison."""
    return spots.of_call(conn, call_id)


def open_spot_check(conn, order_id):
    """The order's spot check waiting for head office's call, if any."""
    return spots.open_of(conn, order_id)


def answer_spot_check(conn, spot, call_id, index, genuine, policy):
    """Does head office hear what the region heard? Satisfaction or genuineness differ."""
    regional = spots.regional_answer(conn, spot["regional_call_id"])
    found = []
    low = policy.dissatisfied_below
    if regional["satisfaction"] is not None and index is not None and (
            abs(regional["satisfaction"] - index) >= 1 or (regional["satisfaction"] < low) != (index < low)):
        found.append(f"satisfaction: region {regional['satisfaction']}, head office {index}")
    if regional["genuine"] is not None and genuine is not None and bool(regional["genuine"]) != genuine:
        found.append(f"genuine: region {bool(regional['genuine'])}, head office {genuine}")
    spots.answer(conn, spot["id"], call_id, bool(found), "; ".join(found) or None)


def spot_checks(desk) -> list[dict]:
    rows = []
    for r in spots.compared(desk.conn):
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
    for row in merged.orders_of(src, orders.COPIED):
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
        result[table.replace("callbacks", "calls")] = merged.copy_rows(here[table], there[table], source, id_map,
                                                                       _LOCAL_IDS)
    return result
