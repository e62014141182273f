"""The due list: every call the desk owes now, of every kind, in one list.

Orders' callback rounds and head office's spot checks (schedule.py),
customers' recurring callbacks (recurring.py) and the replies owed to inbound
calls (contacts.py), each with who holds it now
(claims), soonest deadline first. `due`, `claim`, `work` and completion read it.
"""

from __future__ import annotations

from callbackctl import claims, clock, schedule
from callbackctl.store import claims as store_claims, customers as store_customers
from callbackctl.db import transaction


def claimed(conn, now_text: str) -> dict:
    """Callbacks an agent holds now: key -> agent (`due`'s claimed_by; claims.py writes them)."""
    return store_claims.live(conn, now_text)


def due(desk, until=None, region=None, provider=None, engineer=None, service_type=None,
        reason=None, overdue_only=False, limit=None, category=None) -> list[dict]:
    """Callbacks due at `until` (default now), soonest deadline first."""
    now = desk.now
    until = until or now
    scheduler = schedule.Scheduler(desk)
    lower = schedule.earliest_open_completion(scheduler, now)
    filters = dict(region=region, provider=provider, engineer=engineer, service_type=service_type, category=category)
    out = schedule.orders_due(desk, scheduler, until, lower, reason=reason, overdue_only=overdue_only, **filters)
    if store_customers.any_customer(desk.conn):  # a desk without customers stops here
        from callbackctl import recurring

        out += recurring.due(desk, scheduler, until, reason, overdue_only, lower=lower,
                             busy_phones={r["phone"] for r in out if r["phone"]}, **filters)
    if reason in (None, "reply"):  # the replies owed to inbound calls (contacts.py): C-<id> keys
        from callbackctl import contacts

        out += contacts.due_rows(desk, until, reason, overdue_only, **filters)
    held = claimed(desk.conn, desk.now_text)
    if held:  # who is calling it now; few rows, usually none
        for r in out:
            r["claimed_by"] = held.get(r["order_no"])
    out.sort(key=lambda r: (r["deadline"], r["order_no"]))
    return out[:limit] if limit else out


def claim_next(desk, agent: str, later=(), resume=True, **filters) -> dict | None:
    """The agent's next due callback, claimed: the one they hold already (unless not
    `resume`: a second session of the same agent), else the first nobody holds, in
    the due list's order; None when there is none. `later`: what the agent
    skipped this session, offered after the rest."""
    desk.policy.check_agent(agent)
    until = clock.fmt(desk.now + desk.policy.claim_for.delta)
    with transaction(desk.conn):
        held = claimed(desk.conn, desk.now_text)
        rows = due(desk, **filters)
        if later:  # what the agent skipped comes last, in the order skipped
            last = {k: i for i, k in enumerate(later)}
            rows.sort(key=lambda r: last.get(r["order_no"], -1))
        mine = [r for r in rows if held.get(r["order_no"]) == agent] if resume else []
        free = [r for r in rows if r["order_no"] not in held]
        pick = (mine or free or [None])[0]
        if pick is None:
            return None
        claims.take(desk, pick["order_no"], agent, until)
    return {**pick, "claimed_by": agent, "claimed_until": until}


def release(desk, text: str, agent: str | None = None, force: str | None = None, own: bool = False) -> str | None:
    """End the claim on an order, a recurring callback (R-...) or an owed reply (C-...),
    typed in any case; returns who held it, None if nobody did. Another agent's live
    claim is refused unless `force` (a reason); `own`: end it only if `agent` holds it."""
    from callbackctl import contacts, orders, recurring  # here: `due` reads claims without the importer

    with transaction(desk.conn):
        key = (recurring.resolve(desk.conn, text)[1] if recurring.is_key(text)
               else contacts.key_of(desk, text) if contacts.is_key(text)
               else orders.number(desk.conn, text))
        if own:
            return agent if claims.drop_own(desk, key, agent) else None
        return claims.drop(desk, key, agent, force)
