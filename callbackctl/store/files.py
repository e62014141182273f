"""The desk as a whole file: a consistent copy."""

from __future__ import annotations


def copy_to(conn, path: str):
    """Write the whole desk, as of one snapshot, into the empty file at `path` (VACUUM INTO)."""
    conn.execute("VACUUM INTO ?", (path,))
