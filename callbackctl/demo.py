"""The demo desk: the shipped fixtures imported into a fresh file at a fixed now."""

from __future__ import annotations

import os
from importlib import resources

from callbackctl import db
from callbackctl.store import files
from callbackctl.errors import CallbackctlError

DEMO_NOW = "2026-11-23 10:00"
FIXTURES = ("dealer_export_gbk.csv", "service_orders_utf8bom.csv", "service_history.csv")  # orders
# Customers called on a schedule: contracts A and B, a project, a dormant customer (GBK, Chinese headers).
CUSTOMER_FIXTURE = "contract_customers.csv"


def fixture_path(name: str) -> str:
    return str(resources.files("callbackctl.fixtures") / name)


def prepare(path: str):
    """Start the demo file afresh, refusing to touch a database with real data."""
    if os.path.exists(path) and os.path.getsize(path) > 0:
        conn = db.connect(path, migrate=False)
        try:
            is_demo = files.has_table(conn, "meta") and db.get_meta(conn, "demo") == "1"
            empty = files.is_empty(conn)
        finally:
            conn.close()
        if not (is_demo or empty):
            raise CallbackctlError(
                f"{path} holds a real database; the demo only writes to a new or demo file (use --db demo.db)"
            )
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


def mark(conn):
    with db.transaction(conn):
        db.set_meta(conn, "demo", "1")


# A morning at the desk: (order_no, outcome, options) recorded at DEMO_NOW.
CALLS = [
    ("SY2026110021", "reached", dict(satisfaction="非常满意", hours=None, note="客户很满意")),
    ("SY2026110017", "reached", dict(satisfaction="满意", scores={"attitude": 2}, hours=9500,
                                     note="客户说工程师态度差")),
    ("AP-2611013", "no_answer", {}),
    ("AP-2611006", "busy", dict(callback_at="2026-11-23 15:00")),
]


# The morning's recurring callbacks (customers called on a schedule, not after an order).
RECURRING_CALLS = [
    ("R-13139624595-2026-11", "reached", dict(satisfaction="满意", note="合同保养按时")),
    ("R-15412524273-2026-11", "no_answer", {}),
]


def record_calls(desk, made=CALLS):
    """The demo's recorded calls; returns their output rows."""
    from callbackctl import calls, clock

    rows = []
    for order_no, outcome, opts in made:
        opts = dict(opts)
        promised = opts.pop("callback_at", None)
        call = calls.Call(order_no=order_no, outcome=outcome, scores=opts.pop("scores", {}),
                              agent="demo", callback_at=clock.parse(promised + ":00") if promised else None, **opts)
        rows.append(calls.record(desk, call))
    return rows


# The morning's inbound calls (来电登记), each taken at its time: (time, phone, caller, order_no,
# kind, what was said, answered on the spot, when the owed reply was given and what it said).
CONTACTS = [
    ("2026-11-23 08:40", "15619958225", None, "SY2026110036", "consultation", "问保养周期和该用哪种机油", True,
     None, None),
    ("2026-11-23 09:20", "13222029729", None, "SY2026110009", "chase", "报修两天了，师傅还没联系", False,
     "2026-11-23 09:45", "已催成都蜀工机械，师傅今天下午到"),
    ("2026-11-23 09:50", "139 1111 2222", "钱先生", None, "service", "问附近的服务网点和营业时间", False, None, None),
]


def register_contacts(desk, taken=CONTACTS):
    """The demo's inbound calls, each registered (and replied to) at its own time; returns their rows."""
    from callbackctl import clock, contacts

    now = desk.now
    try:
        for at, phone, caller, order_no, kind, text, answered, reply_at, reply in taken:
            desk.now = clock.parse(at + ":00")
            row = contacts.add(desk, phone, kind, text, order_no=order_no, answered=answered, customer=caller,
                               agent="demo")
            if reply_at:
                desk.now = clock.parse(reply_at + ":00")
                contacts.reply(desk, row["id"], reply, agent="demo")
    finally:
        desk.now = now
    return contacts.listing(desk)


# Who the demo desk is: the company and hotline its call script (`work`) names.
POLICY = """[desk]
company = "鑫源工程机械"
hotline = "400-600-8800"
"""


def build(desk) -> list[tuple[str, list, list]]:
    """A desk's morning: imports, calls, a complaint; returns (title, columns, rows) to show."""
    from callbackctl import batches, customers, duelist, complaints, dispatch, followups, orders, policy, recurring, reports

    desk.store_policy(POLICY, "demo")
    desk.policy = policy.load_text(POLICY, "demo")

    imported = []
    for name in FIXTURES:
        result = orders.import_file(desk, fixture_path(name))
        imported.append({**result.row(), "file": name})
    result = customers.import_file(desk, fixture_path(CUSTOMER_FIXTURE))
    imported.append({**result.row(), "file": CUSTOMER_FIXTURE})
    rejected = [{**r, "file": os.path.basename(r["file"])} for r in batches.rejects(desk.conn)]
    calls = record_calls(desk)
    recurring_calls = record_calls(desk, RECURRING_CALLS)
    cid = complaints.add(desk, "agent", "general", "回访时客服语气生硬，中途挂断", order_no="SY2026110017", target="小王")
    complaints.open_apology(desk, cid)
    inbound = register_contacts(desk)
    month = reports.report(desk, "month", "region", date_from=desk.now.date().replace(day=1))
    return [
        ("import: the dealer's GBK export, an English UTF-8 export, older orders, and the contract customers "
         "(bad rows are kept as rejects)", batches.SUMMARY_COLUMNS, imported),
        ("rejected rows, with the reason", ["file", "line", "error"], rejected),
        ("calls recorded this morning", ["order_no", "outcome", "index", "genuine", "followup", "reason"], calls),
        ("callbacks due now (callbackctl due)", ["order_no", "customer", "service_type", "region", "due_at",
                                                 "deadline", "attempts", "reason", "overdue"],
         duelist.due(desk, limit=12)),
        ("customers called on a schedule: contracts, a project, a dormant customer (callbackctl customer list)",
         ["key", "customer", "class", "project", "last_completed_at", "next_key", "next_reason", "next_due_at"],
         list(recurring.customer_rows(desk))),
        ("their calls this morning (callbackctl record R-...)", ["order_no", "outcome", "index", "followup", "reason",
                                                               "call_id"], recurring_calls),
        ("handed back for a second visit or a contact check (callbackctl followup list)",
         ["order_no", "reason", "since", "engineer", "detail"], followups.followups(desk)),
        ("providers to chase (callbackctl chase)", ["order_no", "provider", "zone", "reported_at", "deadline",
                                                    "overdue_hours", "reason"], dispatch.chase_list(desk)),
        ("inbound calls this morning, and the replies they owe (callbackctl contact list)",
         ["id", "received_at", "order_no", "kind", "text", "answered", "reply_due", "replied_at", "overdue"], inbound),
        ("a complaint against a desk agent (callbackctl complaint list)",
         ["id", "order_no", "against", "target", "status", "reply_due", "overdue"], complaints.listing(desk)),
        ("the apology call it needs (callbackctl apology due)",
         ["id", "complaint_id", "agent", "phone", "attempts", "close_by"], complaints.due_apologies(desk)),
        ("this month by region (callbackctl report; more columns with -f csv)",
         ["period", "region", "orders_completed", "callbacks_due", "callbacks_done", "completion_rate",
          "on_time_rate", "satisfaction_index", "dissatisfied", "not_genuine"],
         month + [reports.total(month, "region")]),
    ]
