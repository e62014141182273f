"""corrections: the desk's own values of orders' fields, which imports never overwrite (m019).
corrections.py says what they mean; these are its statements."""

from __future__ import annotations

_CHUNK = 30000  # ids bound at a time: under SQLite's limit of host parameters


def any_kept(conn) -> bool:
    return conn.execute("SELECT 1 FROM corrections LIMIT 1").fetchone() is not None


def of_ids(conn, ids: list):
    """(order_id, field, corrected_at, imported) of the corrections of the orders among `ids`."""
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i:i + _CHUNK]
        yield from conn.execute(f"SELECT order_id, field, corrected_at, imported FROM corrections WHERE order_id IN "
                                f"({','.join('?' * len(chunk))})", chunk)


def of_order(conn, order_id: int):
    """The order's corrections (field, corrected_at, actor, reason, imported), by field."""
    return conn.execute("SELECT field, corrected_at, actor, reason, imported FROM corrections "
                        "WHERE order_id = ? ORDER BY field", (order_id,))


def put(conn, order_id: int, field: str, imported: str, at: str, actor: str | None, reason: str):
    """The field is corrected as of `at`; a field corrected again keeps the imported value it had."""
    conn.execute(
        "INSERT INTO corrections (order_id, field, imported, corrected_at, actor, reason) VALUES (?,?,?,?,?,?) "
        "ON CONFLICT (order_id, field) DO UPDATE SET corrected_at = excluded.corrected_at, "
        "actor = excluded.actor, reason = excluded.reason", (order_id, field, imported, at, actor, reason))


def set_imported(conn, order_id: int, field: str, imported: str):
    conn.execute("UPDATE corrections SET imported = ? WHERE order_id = ? AND field = ?", (imported, order_id, field))


def take(conn, order_id: int, field: str):
    """Remove the correction; (imported, corrected_at) it held, or None when there was none."""
    row = conn.execute("SELECT imported, corrected_at FROM corrections WHERE order_id = ? AND field = ?",
                       (order_id, field)).fetchone()
    if row is not None:
        conn.execute("DELETE FROM corrections WHERE order_id = ? AND field = ?", (order_id, field))
    return row
