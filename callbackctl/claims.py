"""Claims: an agent takes the next due callback, and no other agent gets it meanwhile.

A claim is a row of `claims` (store/claims.py), written only here, in one short write transaction
that also reads the due list (duelist.claim_next), so two agents claiming at
once are served one after the other and never get the same callback. It lapses
after `callback.claim_for`; recording a call on the order, or `release`, ends
it. What is due and which callback a key names are duelist.py's: this module
knows the table alone.
"""

from __future__ import annotations

from callbackctl.errors import StateError
from callbackctl.store import claims as rows
from callbackctl.vocab import DUE_COLUMNS

CLAIM_COLUMNS = DUE_COLUMNS + ["claimed_until"]


def held(conn, key: str, now_text: str) -> tuple[str, str] | None:
    """(agent, until) of the live claim on the callback, if any."""
    return rows.held(conn, key, now_text)


def take(desk, key: str, agent: str, until: str):
    """The agent holds the callback `key` until then (inside the caller's transaction,
    which read the due list: duelist.claim_next)."""
    rows.put(desk.conn, key, agent, desk.now_text, until)
    desk.log("claimed", key, {"agent": agent, "until": until}, actor=agent)


def drop(desk, key: str, agent: str | None = None, force: str | None = None) -> str | None:
    """End `agent`'s claim on the callback `key`; who held it, None if nobody did (inside
    the caller's transaction: duelist.release).

    Another agent's live claim (or any, when no agent is named) is theirs: refused
    unless `force` gives the supervisor's reason, which the audit log keeps.
    """
    live = held(desk.conn, key, desk.now_text)
    if live and live[0] != agent and not force:
        until = live[1][11:16] if live[1][:10] == desk.now_text[:10] else live[1][5:16]  # another day: its date
        raise StateError(f"{key} is held by {live[0]} until {until}"
                         + ("" if agent else f" (release it with --agent {live[0]}, or --force --reason WHY)"))
    rows.remove(desk.conn, key)
    if live:
        desk.log("released", key, {"agent": live[0], "by": agent if agent != live[0] else None,
                                   "forced": force.strip() if force and live[0] != agent else None})
    return live[0] if live else None


def drop_own(desk, key: str, agent: str) -> bool:
    """End the claim on `key` only if `agent` holds it (a session letting its card go:
    a lapsed card may be another agent's by now). Whether it did."""
    n = rows.remove(desk.conn, key, agent)
    if n:
        desk.log("released", key, {"agent": agent}, actor=agent)
    return bool(n)


def end_on_call(conn, order_no: str):
    """A call was recorded on the order: its claim has done its work (inside the caller's transaction)."""
    rows.remove(conn, order_no)
