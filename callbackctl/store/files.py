"""The desk as a whole file: a consistent copy."""

from __future__ import annotations

import sqlite3


class CopyFailed(Exception):
    """The database could not write the copy; the message says why, in its words."""


def engine_version() -> str:
    """The database engine's version, as `info` shows it."""
    return sqlite3.sqlite_version


def copy_to(conn, path: str):
    """Write the whole desk, as of one snapshot, into the empty file at `path` (VACUUM INTO);
    CopyFailed when the database cannot."""
    try:
        conn.execute("VACUUM INTO ?", (path,))
    except sqlite3.OperationalError as e:
        raise CopyFailed(str(e)) from None


def has_table(conn, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone() is not None


def is_empty(conn) -> bool:
    """A file with no table, index or view at all (a new desk, or an empty file)."""
    return conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
