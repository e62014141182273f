"""Orders handed back (二次派工): for a second visit, or to check the contact."""

from __future__ import annotations

import datetime as dt

from callbackctl import clock, normalize
from callbackctl.db import transaction
from callbackctl.errors import InvalidValue, StateError

FOLLOWUP_COLUMNS = ["order_no", "reason", "since", "round", "customer", "phone", "region", "provider",
                    "engineer", "detail"]



def followups(desk) -> list[dict]:
    """Orders and customers handed back: open follow-ups, plus completed orders whose phone needs checking.

    As of now: a follow-up opened after now is not listed, one done or
    resolved after now is still open, an order completed after now is not
    checked yet, nor one whose number only a call after now found wrong.
    """
    conn, now = desk.conn, desk.now_text
    rows = [dict(r) for r in conn.execute(
        "SELECT o.order_no, f.reason, f.since, f.round, o.customer, o.phone, o.region, o.provider, o.engineer, f.detail "
        "FROM followups f JOIN orders o ON o.id = f.order_id WHERE f.since <= :now "
        "AND (f.done_at IS NULL OR f.done_at > :now) AND (f.resolved_at IS NULL OR f.resolved_at > :now)",
        {"now": now},
    )]
    listed = {(r["order_no"], "invalid_contact") for r in rows}
    later = found_wrong_later(desk)
    types = sorted(desk.policy.rules)
    # coalesce(): completed_at is tested on each order of the index, not made a range of it.
    for r in conn.execute(
        "SELECT id, order_no, completed_at AS since, customer, phone, region, provider, engineer FROM orders "
        f"WHERE phone_valid IS NOT 1 AND status = 'completed' AND service_type IN ({','.join('?' * len(types))}) "
        "AND coalesce(completed_at, '') <= ?",
        [*types, now],
    ):
        if (r["order_no"], "invalid_contact") not in listed and r["id"] not in later:
            detail = normalize.phone_problem(r["phone"])
            rows.append({**{k: r[k] for k in r.keys() if k != "id"}, "reason": "invalid_contact", "round": None,
                         "detail": detail})
    if conn.execute("SELECT max(id) FROM customer_followups").fetchone()[0] is not None:
        rows += customer_followups(desk)
    rows.sort(key=lambda r: (r["since"] or "", r["order_no"]))
    return rows


# -- customers handed back after a recurring callback (recurring.py) --------------------
# Kept in customer_followups, keyed by the recurring callback's key (R-...).

def customer_followups(desk) -> list[dict]:
    """Open follow-ups of customers, as of now, in followup list's columns (order_no holds the key)."""
    return [dict(r) for r in desk.conn.execute(
        "SELECT f.key AS order_no, f.reason, f.since, f.round, c.customer, c.phone, NULL AS region, NULL AS provider, "
        "NULL AS engineer, f.detail FROM customer_followups f JOIN customers c ON c.id = f.customer_id "
        "WHERE f.since <= :now AND (f.done_at IS NULL OR f.done_at > :now) "
        "AND (f.resolved_at IS NULL OR f.resolved_at > :now)", {"now": desk.now_text})]


def hand_back_customer(conn, customer_id, key, reason, rnd, since, call_id, detail):
    """Open a customer's follow-up for a recurring call's finding (inside the caller's transaction)."""
    conn.execute("INSERT INTO customer_followups (customer_id, key, reason, round, since, call_id, detail) "
                 "VALUES (?,?,?,?,?,?,?)", (customer_id, key, reason, rnd, since, call_id, detail))


def resolve_visited_customer(conn, customer_id, key, at):
    """A satisfied second callback resolves what the visit answered."""
    conn.execute("UPDATE customer_followups SET resolved_at = ? WHERE customer_id = ? AND key = ? "
                 "AND done_at IS NOT NULL AND resolved_at IS NULL", (at, customer_id, key))


def withdraw_customer(conn, call_id) -> list[dict]:
    """Remove the follow-ups a voided recurring call opened (not one a visit answered already)."""
    rows = [dict(r) for r in conn.execute(
        "SELECT id, reason, round, since, detail FROM customer_followups WHERE call_id = ? AND done_at IS NULL",
        (call_id,))]
    conn.execute("DELETE FROM customer_followups WHERE call_id = ? AND done_at IS NULL", (call_id,))
    return rows


def customer_followup_done(desk, text: str, at: dt.datetime | None = None) -> tuple[int, str | None]:
    """`followup done R-...`: the visit to a customer handed back; a second callback falls due."""
    from callbackctl import recurring

    customer, key = recurring.resolve(desk.conn, text)
    when = clock.fmt(at or desk.now)
    conn = desk.conn
    with transaction(conn):
        opened = conn.execute("SELECT max(since) FROM customer_followups WHERE key = ? AND done_at IS NULL "
                              "AND resolved_at IS NULL", (key,)).fetchone()[0]
        if opened is None:
            done = conn.execute("SELECT max(done_at) FROM customer_followups WHERE key = ? AND done_at IS NOT NULL "
                                "AND resolved_at IS NULL", (key,)).fetchone()[0]
            if done is not None:
                return 0, done
            raise StateError(f"{key} has no open follow-up")
        if when < opened:
            raise InvalidValue(f"{when} is before the follow-up was opened ({opened})", field="at")
        n = conn.execute("UPDATE customer_followups SET done_at = ? WHERE key = ? AND done_at IS NULL "
                         "AND resolved_at IS NULL", (when, key)).rowcount
        desk.log("followup_done", key, {"at": when, "followups": n})
    return n, None


def customer_followups_of(desk, customer_id) -> list[dict]:
    return [dict(r) for r in desk.conn.execute(
        "SELECT key, reason, round, since, detail, done_at, resolved_at FROM customer_followups WHERE customer_id = ? "
        "ORDER BY id", (customer_id,))]


def found_wrong_later(desk) -> set[int]:
    """Orders whose number was taken as good at now and found wrong by a call after now.

    A wrong_number call marks the order's phone invalid and opens an
    invalid_contact follow-up at its time; a number that looks like one, with
    no such follow-up by now, was not known to be wrong then.
    """
    rows = desk.conn.execute(
        "SELECT o.id, o.phone FROM followups f JOIN orders o ON o.id = f.order_id "
        "WHERE f.reason = 'invalid_contact' AND f.callback_id IS NOT NULL AND f.since > :now "
        "AND NOT EXISTS (SELECT 1 FROM followups g WHERE g.order_id = f.order_id "
        "AND g.reason = 'invalid_contact' AND g.since <= :now)", {"now": desk.now_text})
    return {i for i, phone in rows if phone and normalize.phone(phone.split(",")[0])[1]}


def followup_done(desk, order_no: str, at: dt.datetime | None = None) -> tuple[int, str | None]:
    """Record the second visit: open follow-ups are done and a new round starts.

    Returns how many follow-ups the visit answers, and, when the visit was
    recorded before (the same command again), when it was: one visit, not two.
    """
    from callbackctl import orders  # here: `report` reads found_wrong_later and never needs the importer

    if str(order_no).strip()[:2].upper() == "R-":  # a customer's recurring callback
        return customer_followup_done(desk, order_no, at)
    order = orders.get(desk.conn, order_no)
    when = clock.fmt(at or desk.now)
    with transaction(desk.conn):
        opened = desk.conn.execute(
            "SELECT max(since) FROM followups WHERE order_id = ? AND done_at IS NULL AND resolved_at IS NULL",
            (order["id"],)).fetchone()[0]
        if opened is None:
            done = desk.conn.execute(
                "SELECT max(done_at) FROM followups WHERE order_id = ? AND done_at IS NOT NULL AND resolved_at IS NULL",
                (order["id"],)).fetchone()[0]
            if done is not None:
                return 0, done
            raise StateError(f"order {order['order_no']} has no open follow-up")
        if when < opened:
            raise InvalidValue(f"{when} is before the follow-up was opened ({opened})", field="at")
        n = desk.conn.execute(
            "UPDATE followups SET done_at = ? WHERE order_id = ? AND done_at IS NULL AND resolved_at IS NULL",
            (when, order["id"]),
        ).rowcount
        desk.log("followup_done", order["order_no"], {"at": when, "followups": n})
    return n, None


def verify_contact(desk, order_no: str, phone: str, reason: str) -> str:
    """A corrected phone number: contact verification, not a second visit.

    The order gets the number; its invalid-contact follow-ups are resolved
    (kept, so the invalid contact still counts in the period it was found);
    an order flagged on import, which has no follow-up yet, gets a resolved one.
    """
    from callbackctl import orders

    number, valid = normalize.phone(phone.strip())
    if not valid:
        raise InvalidValue(f"{phone!r} does not look like a phone number", field="phone")
    order = orders.get(desk.conn, order_no)
    now = desk.now_text
    with transaction(desk.conn):
        check_verification(desk, order)
        orders.correct(desk, order["order_no"], {"phone": phone}, reason=reason, kind="contact_verified")
        n = contact_verified(desk, order, number, reason)
        detail = f"verified: {order['phone'] or 'no number'} -> {number} ({reason.strip()})"
        if n == 0 and order["phone_valid"] != 1:
            desk.conn.execute(
                "INSERT INTO followups (order_id, reason, round, since, detail, resolved_at, verified_at) "
                "VALUES (?, 'invalid_contact', 1, ?, ?, ?, ?)",
                (order["id"], order["completed_at"] or now, detail, now, now))
    return number


def check_verification(desk, order: dict):
    """A number is not verified before the call that found it wrong (a --now in the past)."""
    found = desk.conn.execute("SELECT max(since) FROM followups WHERE order_id = ? AND reason = 'invalid_contact'",
                              (order["id"],)).fetchone()[0]
    clock.not_before(desk.now_text, found, f"order {order['order_no']}", "wrong number found")


def contact_verified(desk, before: dict, number: str, reason: str) -> int:
    """The order's open invalid-contact follow-ups are answered by the verified `number`
    now (inside the caller's transaction): the callback the wrong number interrupted is
    due again from then (schedule._state). Returns how many there were."""
    at = desk.now_text
    detail = f"verified: {before['phone'] or 'no number'} -> {number} ({reason.strip()})"
    return desk.conn.execute(
        "UPDATE followups SET resolved_at = ?, verified_at = ?, detail = coalesce(detail || '; ', '') || ? "
        "WHERE order_id = ? AND reason = 'invalid_contact' AND done_at IS NULL AND resolved_at IS NULL",
        (at, at, detail, before["id"])).rowcount


def hand_back(conn, order_id, reason, rnd, since, callback_id, detail):
    """Open a follow-up for a call's finding (inside the caller's transaction)."""
    conn.execute(
        "INSERT INTO followups (order_id, reason, round, since, callback_id, detail) VALUES (?,?,?,?,?,?)",
        (order_id, reason, rnd, since, callback_id, detail),
    )


def resolve_visited(conn, order_id, at):
    """A satisfied call after a second visit resolves what the visit answered."""
    conn.execute(
        "UPDATE followups SET resolved_at = ? WHERE order_id = ? AND done_at IS NOT NULL AND resolved_at IS NULL",
        (at, order_id),
    )


def withdraw(conn, callback_id) -> list[dict]:
    """Remove the follow-ups a voided call opened; returns them, to be kept with the call.

    A follow-up already answered by a second visit stays: the visit happened.
    """
    rows = [dict(r) for r in conn.execute(
        "SELECT id, reason, round, since, detail FROM followups WHERE callback_id = ? AND done_at IS NULL",
        (callback_id,))]
    conn.execute("DELETE FROM followups WHERE callback_id = ? AND done_at IS NULL", (callback_id,))
    return rows


def followups_of(desk, order) -> list[dict]:
    return [dict(r) for r in desk.conn.execute(
        "SELECT reason, round, since, detail, done_at, resolved_at FROM followups WHERE order_id = ? ORDER BY id",
        (order["id"],),
    )]
