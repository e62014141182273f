"""Everything known about one order, as sections of rows for `show`."""

from __future__ import annotations

import json

from callbackctl import normalize, orders

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
    """The sections as one JSON document: the order as an object, the rest as lists."""
    doc = {title.replace(" ", "_"): rows for title, _, rows in sections}
    doc["order"] = {r["field"]: r["value"] for r in doc["order"]}
    return doc


def details(desk, order_no: str) -> list[tuple[str, list, list]]:
    """[(title, columns, rows)] for the order and each section."""
    order = orders.get(desk.conn, order_no)
    out = [("order", ["field", "value"], order_fields(order))]
    for title, columns, fn in SECTIONS:
        out.append((title, columns, fn(desk, order)))
    return out


@section("callback schedule", ["step", "value"])
def _schedule(desk, order):
    from callbackctl import schedule

    return schedule.explain(desk, order["order_no"])


@section("calls", ["call_id", "called_at", "round", "reason", "outcome", "skill", "attitude", "timeliness", "parts",
                   "overall", "index", "genuine", "discrepancies", "callback_at", "agent", "note"])
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


@section("complaints", ["id", "against", "target", "severity", "status", "received_at", "reply_due", "replied_at",
                        "closed_at", "overdue"])
def _complaints(desk, order):
    from callbackctl import complaints

    return complaints.listing(desk, order_id=order["id"])


@section("audit log", ["at", "actor", "command", "kind", "detail"])
def _events(desk, order):
    created = desk.conn.execute(
        "SELECT b.started_at AS at, b.actor, 'import' AS command, 'order_created' AS kind, "
        "json_object('batch', b.id, 'file', b.file) AS detail "
        "FROM import_batches b WHERE b.id = ?",
        (order["batch_id"],),
    ).fetchall()
    events = desk.conn.execute(
        "SELECT at, actor, command, kind, detail FROM events WHERE order_no = ? ORDER BY id", (order["order_no"],)
    ).fetchall()
    return [dict(r) for r in created + events]
