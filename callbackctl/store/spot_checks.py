"""spot_checks: head office's samples of the regions' reached callbacks and what its own call
found (m005; headoffice.py says what they mean)."""

from __future__ import annotations


def candidates(conn, lo: str, hi: str):
    """The first reached regional call of each order, made in [lo, hi), by region and order number."""
    return conn.execute(
        "SELECT o.id AS order_id, o.order_no, o.region, o.provider, o.engineer, c.id AS call_id, c.called_at, "
        "c.satisfaction AS 'index', c.genuine FROM callbacks c JOIN orders o ON o.id = c.order_id "
        "WHERE c.outcome = 'reached' AND c.spot_check_id IS NULL AND c.called_at >= ? AND c.called_at < ? "
        "AND c.id = (SELECT min(c2.id) FROM callbacks c2 WHERE c2.order_id = o.id AND c2.outcome = 'reached' "
        "            AND c2.spot_check_id IS NULL) "
        "ORDER BY o.region, o.order_no", (lo, hi)).fetchall()


def add(conn, order_id: int, call_id: int, at: str, seed: int, rate: float) -> int:
    """Sample the order's call (an order is sampled once); 1 when it is new, else 0."""
    return conn.execute(
        "INSERT INTO spot_checks (order_id, regional_call_id, sampled_at, seed, rate) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (order_id) DO NOTHING", (order_id, call_id, at, seed, rate)).rowcount


def of_call(conn, call_id: int) -> bool:
    """Is the call one head office sampled, or head office's own?"""
    return conn.execute("SELECT 1 FROM spot_checks WHERE regional_call_id = ? OR call_id = ? LIMIT 1",
                        (call_id, call_id)).fetchone() is not None


def open_of(conn, order_id: int):
    """The order's spot check waiting for head office's call, if any."""
    return conn.execute("SELECT * FROM spot_checks WHERE order_id = ? AND call_id IS NULL", (order_id,)).fetchone()


def regional_answer(conn, call_id: int):
    """(satisfaction, genuine) of the region's call."""
    return conn.execute("SELECT satisfaction, genuine FROM callbacks WHERE id = ?", (call_id,)).fetchone()


def answer(conn, spot_id: int, call_id: int, disagrees: bool, detail: str | None):
    conn.execute("UPDATE spot_checks SET call_id = ?, disagrees = ?, detail = ? WHERE id = ?",
                 (call_id, int(disagrees), detail, spot_id))


def compared(conn):
    """Every spot check with the region's and head office's answers, in the order sampled."""
    return conn.execute(
        "SELECT o.order_no, o.region, s.sampled_at, rc.satisfaction AS regional_index, sc.satisfaction AS spot_index, "
        "rc.genuine AS regional_genuine, sc.genuine AS spot_genuine, s.disagrees, s.detail "
        "FROM spot_checks s JOIN orders o ON o.id = s.order_id JOIN callbacks rc ON rc.id = s.regional_call_id "
        "LEFT JOIN callbacks sc ON sc.id = s.call_id ORDER BY s.id")
