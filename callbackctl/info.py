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
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT IN ('meta', 'schema_migrations') ORDER BY name"
    )]
    for name in tables:
        rows.append((f"rows.{name}", conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]))
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
