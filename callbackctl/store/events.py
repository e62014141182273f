"""events: the audit log, one row per change (desk.Desk.log writes it)."""

from __future__ import annotations


def append(conn, at: str, actor: str | None, command: str | None, kind: str, order_no: str | None,
           detail: str | None):
    conn.execute("INSERT INTO events (at, actor, command, kind, order_no, detail) VALUES (?, ?, ?, ?, ?, ?)",
                 (at, actor, command, kind, order_no, detail))


def of_order(conn, order_no: str, batch_id: int | None) -> list:
    """The order's audit log: its creation by an import batch, then its events in order."""
    created = conn.execute(
        "SELECT b.started_at AS at, b.actor, 'import' AS command, 'order_created' AS kind, "
        "json_object('batch', b.id, 'file', b.file) AS detail "
        "FROM import_batches b WHERE b.id = ?", (batch_id,)).fetchall()
    return created + conn.execute(
        "SELECT at, actor, command, kind, detail FROM events WHERE order_no = ? ORDER BY id", (order_no,)).fetchall()


def of_key(conn, key: str) -> list:
    """The events of `key` and of the keys under it (a customer's `C0001` and `C0001-...`), in order."""
    return conn.execute(
        "SELECT at, actor, command, kind, order_no AS key, detail FROM events WHERE order_no = ? "
        "OR (order_no >= ? AND order_no < ?) ORDER BY id", (key, key + "-", key + ".")).fetchall()

