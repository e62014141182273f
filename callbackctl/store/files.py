"""The desk as a whole file: a consistent copy."""

from __future__ import annotations


def copy_to(conn, path: str):
    """Write the whole desk, as of one snapshot, into the empty file at `path` (VACUUM INTO)."""
    conn.execute("VACUUM INTO ?", (path,))


def has_table(conn, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone() is not None


def is_empty(conn) -> bool:
    """A file with no table, index or view at all (a new desk, or an empty file)."""
    return conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
