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
