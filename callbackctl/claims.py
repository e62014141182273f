"""Claims: an agent takes the next due callback, and no other agent gets it meanwhile.

A claim is a row of `claims`, written only here, in one short write transaction
that also reads the due list, so two agents claiming at once are served one
after the other and never get the same callback. It lapses after
`callback.claim_for`; recording a call on the order, or `release`, ends it.
"""

from __future__ import annotations

from callbackctl import clock
from callbackctl.db import transaction
from callbackctl.vocab import DUE_COLUMNS

CLAIM_COLUMNS = DUE_COLUMNS + ["claimed_until"]


def holder(conn, key: str, now_text: str) -> str | None:
    """Who holds a live claim on the callback, if anyone."""
    row = conn.execute("SELECT agent FROM claims WHERE key = ? AND until > ?", (key, now_text)).fetchone()
    return row[0] if row else None


def claim_next(desk, agent: str, exclude=frozenset(), resume=True, **filters) -> dict | None:
    """The agent's next due callback, claimed: the one they hold already (unless not
    `resume`: a second session of the same agent), else the first nobody holds, in
    the due list's order; None when there is none. `exclude`: what the agent
    skipped this session."""
    from callbackctl import duelist

    desk.policy.check_agent(agent)
    now, until = desk.now_text, clock.fmt(desk.now + desk.policy.claim_for.delta)
    with transaction(desk.conn):
        held = duelist.claimed(desk.conn, now)
        rows = [r for r in duelist.due(desk, **filters) if r["order_no"] not in exclude]
        mine = [r for r in rows if held.get(r["order_no"]) == agent] if resume else []
        free = [r for r in rows if r["order_no"] not in held]
        pick = (mine or free or [None])[0]
        if pick is None:
            return None
        desk.conn.execute("INSERT OR REPLACE INTO claims (key, agent, claimed_at, until) VALUES (?, ?, ?, ?)",
                          (pick["order_no"], agent, now, until))
        desk.log("claimed", pick["order_no"], {"agent": agent, "until": until}, actor=agent)
    return {**pick, "claimed_by": agent, "claimed_until": until}


def release(desk, order_no: str) -> str | None:
    """End the claim on an order or a recurring callback (R-..., any case); returns who held it, None if nobody did."""
    from callbackctl import contacts, orders, recurring  # here: `due` reads claims without the importer

    with transaction(desk.conn):
        key = (recurring.resolve(desk.conn, order_no)[1] if recurring.is_key(order_no)
               else contacts.key_of(desk, order_no) if contacts.is_key(order_no)
               else orders.number(desk.conn, order_no))
        row = desk.conn.execute("SELECT agent FROM claims WHERE key = ? AND until > ?",
                                (key, desk.now_text)).fetchone()
        desk.conn.execute("DELETE FROM claims WHERE key = ?", (key,))
        if row:
            desk.log("released", key, {"agent": row[0]})
    return row[0] if row else None


def end_on_call(conn, order_no: str):
    """A call was recorded on the order: its claim has done its work (inside the caller's transaction)."""
    conn.execute("DELETE FROM claims WHERE key = ?", (order_no,))
