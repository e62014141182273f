"""Every promise the desk has made and not yet kept, in one list (`promises`).

- reply: an inbound call not answered on the spot owes the caller a reply by
  phone within contact.reply_within of desk time (contacts.py);
- callback: a customer asked to be called back at a time (`record
  --callback-at`, `work`'s `c`) and the call has not been made: the order's
  callback (schedule.py, through duelist.due) or a customer's recurring one (recurring.py), while
  it is open (not past give_up_after);
- complaint: a complaint's reply is due within complaint.reply_within of its
  receipt or reopening (complaints.py), until it is replied, resolved or closed.

Each row says when the promise was made, by when it is to be kept, and
whether that time has passed. Nothing here writes: the rows come from the
modules that own each table, as of now.
"""

from __future__ import annotations

import datetime as dt

from callbackctl import clock
from callbackctl.store import calls as store_calls, customers as store_customers
from callbackctl.errors import one_of
from callbackctl.vocab import PROMISE_COLUMNS as COLUMNS, PROMISE_KINDS

_ORDER = {kind: i for i, kind in enumerate(PROMISE_KINDS)}
# A promised call-back is looked for among the calls of the last weeks: an older one is past
# its callback's deadline and give_up_after, which `due` and the callback's round have given up.
_LOOK_BACK = dt.timedelta(days=60)
_FAR = dt.timedelta(days=400)


def promises(desk, overdue_only=False, kind=None) -> list[dict]:
    """The promises not kept at now, the one to keep first first (by due_by, then kind and key)."""
    if kind is not None:
        one_of(kind, PROMISE_KINDS, "kind")
    rows = []
    if kind in (None, "reply"):
        rows += _replies(desk)
    if kind in (None, "callback"):
        rows += _callbacks(desk) + _recurring_callbacks(desk)
    if kind in (None, "complaint"):
        rows += _complaints(desk)
    if overdue_only:
        rows = [r for r in rows if r["overdue"]]
    rows.sort(key=lambda r: (r["due_by"], _ORDER[r["kind"]], r["key"]))
    return rows


def _replies(desk) -> list[dict]:
    from callbackctl import contacts

    return [{"kind": "reply", "key": r["key"], "order_no": r["order_no"], "customer": r["customer"],
             "phone": r["phone"], "made_at": r["received_at"], "due_by": clock.fmt(r["deadline"]),
             "overdue": r["overdue"], "what": f"{r['kind']}: {r['text']}"}
            for r in contacts.owed(desk)]


def _callbacks(desk) -> list[dict]:
    """Orders whose next callback is a time promised to the customer (the due list's reason
    `promised`, however far ahead), with the call that made the promise."""
    from callbackctl import duelist

    out = []
    for r in duelist.due(desk, until=desk.now + _FAR, reason="promised"):
        made = store_calls.last_order_call(desk.conn, r["order_no"], desk.now_text)
        out.append(_callback_row(desk, r["order_no"], r["order_no"], r["customer"], r["phone"], r["due_at"], made))
    return out


def _recurring_callbacks(desk) -> list[dict]:
    """Customers' recurring callbacks whose last call (as of now) asked for a later time, while open."""
    if not store_customers.any_customer(desk.conn):
        return []
    from callbackctl import recurring

    now = desk.now_text
    keys = store_calls.recurring_promised(desk.conn, clock.fmt(desk.now - _LOOK_BACK), now)
    out = []
    for key in keys:
        customer, cb = recurring.lookup(desk, key)
        if cb is None or cb.closed or cb.kind != "promised" or desk.now > cb.give_up_at(desk.policy):
            continue
        made = store_calls.last_recurring_call(desk.conn, key, now)
        out.append(_callback_row(desk, key, None, customer["customer"], customer["phone"], clock.fmt(cb.next_due),
                                 made))
    return out


def _callback_row(desk, key, order_no, customer, phone, due_by, made) -> dict:
    called_at, outcome = (made[0], made[1]) if made else (None, None)
    return {"kind": "callback", "key": key, "order_no": order_no, "customer": customer, "phone": phone,
            "made_at": called_at, "due_by": due_by, "overdue": desk.now_text > due_by,
            "what": f"call back as promised ({outcome} at {called_at[:16]})" if called_at else "call back as promised"}


def _complaints(desk) -> list[dict]:
    from callbackctl import complaints

    out = []
    for c in complaints.listing(desk, open_only=True):
        if c["replied_at"] is not None or c["status"] in ("resolved", "closed"):
            continue
        against = c["against"] + (f" {c['target']}" if c["target"] else "")
        out.append({"kind": "complaint", "key": f"#{c['id']}", "order_no": c["order_no"], "customer": c["customer"],
                    "phone": c["phone"], "made_at": c["reopened_at"] or c["received_at"], "due_by": c["reply_due"],
                    "overdue": c["overdue"], "what": f"reply to a complaint against {against}: {c['text']}"})
    return out
