"""notice_days: the days of the holiday notices a desk loaded (m025)."""

from __future__ import annotations

import sqlite3


def all_days(conn) -> list[tuple] | None:
    """(day, working, name, year) of every loaded day; None on a desk of an earlier schema
    opened read-only (no table yet)."""
    try:
        return conn.execute("SELECT day, working, name, year FROM notice_days").fetchall()
    except sqlite3.OperationalError:
        return None


def days_of(conn, year: int) -> list[tuple]:
    """(day, working, name) of the notice of `year`."""
    return conn.execute("SELECT day, working, name FROM notice_days WHERE year = ?", (year,)).fetchall()


def replace_year(conn, year: int, days: list[tuple], at: str, actor: str | None):
    """The notice of `year` is `days` ((day, working, name)), in place of what the desk had;
    a day of the year before (2022年12月31日 in 2023's) may be in that year's too: the
    newer notice's word wins."""
    conn.execute("DELETE FROM notice_days WHERE year = ?", (year,))
    conn.executemany(
        "INSERT INTO notice_days (day, year, working, name, loaded_at, actor) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (day) DO UPDATE SET year = excluded.year, working = excluded.working, name = excluded.name, "
        "loaded_at = excluded.loaded_at, actor = excluded.actor",
        [(day, year, working, name, at, actor) for day, working, name in days])
