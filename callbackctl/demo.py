"""The demo desk: the shipped fixtures imported into a fresh file at a fixed now."""

from __future__ import annotations

import os
from importlib import resources

from callbackctl import db
from callbackctl.errors import CallbackctlError

DEMO_NOW = "2026-11-23 10:00"
FIXTURES = ("dealer_export_gbk.csv", "service_orders_utf8bom.csv")


def fixture_path(name: str) -> str:
    return str(resources.files("callbackctl.fixtures") / name)


def prepare(path: str):
    """Start the demo file afresh, refusing to touch a database with real data."""
    if os.path.exists(path) and os.path.getsize(path) > 0:
        conn = db.connect(path, migrate=False)
        try:
            is_demo = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'meta'"
            ).fetchone() and db.get_meta(conn, "demo") == "1"
            empty = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
        finally:
            conn.close()
        if not (is_demo or empty):
            raise CallbackctlError(
                f"{path} holds a real database; the demo only writes to a new or demo file (use --db demo.db)"
            )
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


def mark(conn):
    with db.transaction(conn):
        db.set_meta(conn, "demo", "1")


# A morning at the desk: (order_no, outcome, options) recorded at DEMO_NOW.
CALLS = [
    ("SY2026110021", "reached", dict(satisfaction="非常满意", hours=None, note="客户很满意")),
    ("SY2026110017", "reached", dict(satisfaction="满意", scores={"attitude": 2}, hours=9500,
                                     note="客户说工程师态度差")),
    ("AP-2611013", "no_answer", {}),
    ("AP-2611006", "busy", dict(callback_at="2026-11-23 15:00")),
]


def record_calls(desk):
    """The demo's recorded calls; returns their output rows."""
    from callbackctl import calls, clock

    rows = []
    for order_no, outcome, opts in CALLS:
        opts = dict(opts)
        promised = opts.pop("callback_at", None)
        call = calls.Call(order_no=order_no, outcome=outcome, scores=opts.pop("scores", {}),
                              agent="demo", callback_at=clock.parse(promised + ":00") if promised else None, **opts)
        rows.append(calls.record(desk, call))
    return rows
