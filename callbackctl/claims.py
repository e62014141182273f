"""Claims: an agent takes the next due callback, and no other agent gets it meanwhile.

A claim is a row of `claims`, written only here, in one short write transaction
that also reads the due list (duelist.claim_next), so two agents claiming at
once are served one after the other and never get the same callback. It lapses
after `callback.claim_for`; recording a call on the order, or `release`, ends
it. What is due and which callback a key names are duelist.py's: this module
knows the table alone.
"""

from __future__ import annotations

from callbackctl.vocab import DUE_COLUMNS

CLAIM_COLUMNS = DUE_COLUMNS + ["claimed_until"]


def holder(conn, key: str, now_text: str) -> str | None:
    """Who holds a live claim on the callback, if anyone."""
    row = conn.execute("SELECT agent FROM claims WHERE key = ? AND until > ?", (key, now_text)).fetchone()
    return row[0] if row else None


def take(desk, key: str, agent: str, until: str):
    """The agent holds the callback `key` until then (inside the caller's transaction,
    which read the due list: duelist.claim_next)."""
    desk.conn.execute("INSERT OR REPLACE INTO claims (key, agent, claimed_at, until) VALUES (?, ?, ?, ?)",
                      (key, agent, desk.now_text, until))
    desk.log("claimed", key, {"agent": agent, "until": until}, actor=agent)


def drop(desk, key: str) -> str | None:
    """End the claim on the callback `key`; who held it, None if nobody did (inside the
    caller's transaction: duelist.release)."""
    held = holder(desk.conn, key, desk.now_text)
    desk.conn.execute("DELETE FROM claims WHERE key = ?", (key,))
    if held:
        desk.log("released", key, {"agent": held})
    return held


def end_on_call(conn, order_no: str):
    """A call was recorded on the order: its claim has done its work (inside the caller's transaction)."""
    conn.execute("DELETE FROM claims WHERE key = ?", (order_no,))
