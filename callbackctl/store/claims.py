"""claims: which agent holds which due callback until when (m014)."""

from __future__ import annotations


def held(conn, key: str, now: str) -> tuple[str, str] | None:
    """(agent, until) of the live claim on `key` at `now`, if any."""
    row = conn.execute("SELECT agent, until FROM claims WHERE key = ? AND until > ?", (key, now)).fetchone()
    return (row[0], row[1]) if row else None


def live(conn, now: str) -> dict:
    """key -> agent of every claim live at `now` (an index range on until: m014)."""
    return dict(conn.execute("SELECT key, agent FROM claims WHERE until > ?", (now,)).fetchall())


def put(conn, key: str, agent: str, at: str, until: str):
    """`agent` holds `key` from `at` until `until`, in place of any claim on it."""
    conn.execute("INSERT INTO claims (key, agent, claimed_at, until) VALUES (?, ?, ?, ?) "
                 "ON CONFLICT (key) DO UPDATE SET agent = excluded.agent, claimed_at = excluded.claimed_at, "
                 "until = excluded.until", (key, agent, at, until))


def remove(conn, key: str, agent: str | None = None) -> int:
    """End the claim on `key` (only `agent`'s, when named); how many ended."""
    if agent is None:
        return conn.execute("DELETE FROM claims WHERE key = ?", (key,)).rowcount
    return conn.execute("DELETE FROM claims WHERE key = ? AND agent = ?", (key, agent)).rowcount
