"""Everything known about one order, as sections of rows for `show`."""

from __future__ import annotations

import json

from callbackctl import normalize, orders
from callbackctl.dispatch import DUTY_COLUMNS
from callbackctl.store import customers as store_customers, events as store_events

# Each section: (title, columns, function(desk, order) -> rows), listed below
# in the order `show` prints them; each reads through the module that owns it.
SECTIONS = []


def section(title, columns):
    def register(fn):
        SECTIONS.append((title, columns, fn))
        return fn
    return register


def order_fields(order: dict) -> list[dict]:
    shown = normalize.present({k: order.get(k) for k in orders.FIELDS + ("phone_valid",)})
    rows = [{"field": k, "value": v} for k, v in shown.items()]
    for key, value in json.loads(order["extra"] or "{}").items():
        rows.append({"field": key, "value": value})
    return rows


def document(sections) -> dict:
    """The sections as one JSON document: the order (or customer) as an object, the rest as lists."""
    doc = {title.replace(" ", "_"): rows for title, _, rows in sections}
    first = sections[0][0]
    doc[first] = {r["field"]: r["value"] for r in doc[first]}
    return doc


def details(desk, order_no: str) -> list[tuple[str, list, list]]:
    """[(title, columns, rows)] for the order and each section; for a recurring
    callback's key (R-...), the customer and theirs."""
    from callbackctl import contacts, recurring

    if recurring.is_key(order_no):
        return customer_details(desk, order_no)
    if contacts.is_key(order_no):
        return contacts.details(desk, order_no)
    order = orders.get(desk.conn, order_no)
    out = [("order", ["field", "value"], order_fields(order))]
    for title, columns, fn in SECTIONS:
        out.append((title, columns, fn(desk, order)))
    return out


@section("corrections", ["field", "value", "corrected_at", "actor", "reason", "imported"])
def _corrections(desk, order):
    """Fields the desk corrected: imports keep them (`order revert` hands one back)."""
    from callbackctl import corrections

    return corrections.of_order(desk.conn, order)


@section("callback schedule", ["step", "value"])
def _schedule(desk, order):
    from callbackctl import schedule

    return schedule.explain(desk, order["order_no"])


@section("calls", ["call_id", "called_at", "round", "reason", "outcome", "skill", "attitude", "timeliness", "parts",
                   "overall", "index", "genuine", "discrepancies", "callback_at", "agent", "note", "respondent",
                   "recording", "suggestion"])
def _calls(desk, order):
    from callbackctl import calls

    return calls.calls_of(desk, order)


@section("follow-ups", ["reason", "round", "since", "detail", "done_at", "resolved_at"])
def _followups(desk, order):
    from callbackctl import followups

    return followups.followups_of(desk, order)


@section("chases", ["chased_at", "reason", "deadline", "overdue_hours", "actor", "note"])
def _chases(desk, order):
    from callbackctl import dispatch

    return dispatch.chases_of(desk, order)


@section("provider duties", DUTY_COLUMNS)
def _duties(desk, order):
    """Seed 003: contact the customer within 30 minutes of dispatch, report the status within 3 hours."""
    from callbackctl import dispatch

    return dispatch.duties_of(desk, order)


@section("complaints", ["id", "against", "target", "severity", "status", "received_at", "reply_due", "replied_at",
                        "closed_at", "overdue"])
def _complaints(desk, order):
    from callbackctl import complaints

    return complaints.listing(desk, order_id=order["id"])


@section("inbound calls", ["id", "received_at", "kind", "phone", "text", "answered", "agent", "reply_due",
                          "replied_at", "reply", "overdue"])
def _contacts(desk, order):
    from callbackctl import contacts

    return contacts.contacts_of(desk, order)


@section("audit log", ["at", "actor", "command", "kind", "detail"])
def _events(desk, order):
    return [dict(r) for r in store_events.of_order(desk.conn, order["order_no"], order["batch_id"])]


def customer_details(desk, key: str) -> list[tuple[str, list, list]]:
    """A recurring callback: the customer, how it falls due, their recurring calls,
    follow-ups, complaints and orders, and the audit log of the customer and the key."""
    from callbackctl import calls, complaints, customers, followups, recurring

    customer, full = recurring.resolve(desk.conn, key)
    fields = {k: customer.get(k) for k in ("key", "customer", "phone", "phone_valid", "class", "class_since",
                                           "contract_from", "contract_until", "project", "project_since")}
    rows = [{"field": k, "value": v} for k, v in normalize.present(fields).items()]
    rows += [{"field": k, "value": v} for k, v in json.loads(customer["extra"] or "{}").items()]
    prefix = customers.event_key(customer["key"])
    events = store_events.of_key(desk.conn, prefix)
    orders_of = [dict(r) for r in store_customers.recent_orders(desk.conn, customer["id"])]
    return [
        ("customer", ["field", "value"], rows),
        ("callback schedule", ["step", "value"], recurring.explain(desk, full)),
        ("calls", ["call_id", "key", "called_at", "round", "reason", "outcome", "skill", "attitude", "timeliness",
                   "parts", "overall", "index", "callback_at", "agent", "note"],
         calls.recurring_calls_of(desk, customer["id"])),
        ("follow-ups", ["key", "reason", "round", "since", "detail", "done_at", "resolved_at"],
         followups.customer_followups_of(desk, customer["id"])),
        ("complaints", ["id", "against", "target", "severity", "status", "received_at", "reply_due", "replied_at",
                        "closed_at", "overdue"], complaints.listing(desk, phone=customer["phone"])
         if customer["phone"] else []),
        ("orders", ["order_no", "service_type", "status", "completed_at", "region", "provider", "engineer"], orders_of),
        ("audit log", ["at", "actor", "command", "kind", "key", "detail"], [dict(r) for r in events]),
    ]
