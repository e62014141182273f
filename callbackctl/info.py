"""What `info` reports: where things are and how much is in them."""

from __future__ import annotations

import os
import sqlite3

from callbackctl import db


def info(desk) -> list[dict]:
    conn = desk.conn
    rows = [
        ("database", os.path.abspath(desk.path)),
        ("size_bytes", os.path.getsize(desk.path) if os.path.exists(desk.path) else 0),
        ("schema_version", db.schema_version(conn)),
        ("sqlite_version", sqlite3.sqlite_version),
        ("policy", desk.policy.source),
        ("timezone", desk.policy.timezone),
        ("now", desk.now_text),
        ("holiday_data_years", _years(desk)),
    ]
    sdb = db.utils_database(conn)
    for name in sorted(sdb.table_names()):
        if name not in ("meta", "_sqlite_migrations"):
            rows.append((f"rows.{name}", sdb[name].count))
    return [{"key": k, "value": v} for k, v in rows]


def _years(desk):
    if desk.policy.country != "CN":
        return "none (weekends only)"
    from callbackctl.calendar import _official_calendar

    years = sorted(_official_calendar()[0])
    return f"{years[0]}-{years[-1]}" if years else "none"


def backup(conn, dest: str):
    """A consistent copy while others write: VACUUM INTO reads one snapshot."""
    from callbackctl.errors import CallbackctlError

    if os.path.exists(dest):
        raise CallbackctlError(f"{dest} already exists; choose a new file name")
    try:
        conn.execute("VACUUM INTO ?", (dest,))
    except sqlite3.OperationalError as e:
        raise CallbackctlError(f"cannot write backup to {dest}: {e}") from None
    os.chmod(dest, 0o600)
