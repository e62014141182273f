"""Customers called on a schedule, not after an order (定期回访: contracts, projects, dormant).

- `customers` (written by customers.py): one row a customer, keyed by the
  normalised phone or by the `customer_id` its file gives; the contract class
  (A, B) and since when, the contract's first and last day, whether it is a
  project and since when. Columns a file has that name no field are kept in
  `extra`.
- `customer_orders` (customers.py): which completed orders are a customer's,
  by phone, so that `due` finds the customers whose last order was six or
  twelve months ago with an index range. Derived, like orders.first_round_closed:
  kept by customers.py whenever an order or a customer is written (orders.py
  calls it), and never by triggers on orders, which would cost every import
  of a desk without customers about 3 us an order.
- `recurring_calls` (calls.py): the calls on a recurring callback, keyed by the
  callback's key (`R-13800138001-2026-12`), with the same outcome, scores and
  promise as a call on an order. A voided one keeps what it was.
- `customer_followups` (followups.py): a dissatisfied or unreachable customer
  handed back, and the visit that answers it, as `followups` are for orders.
"""


def apply(db):
    db["customers"].create(
        {"id": int, "key": str, "customer": str, "phone": str, "phone_valid": int, "class": str,
         "class_since": str, "contract_from": str, "contract_until": str, "project": int, "project_since": str,
         "extra": str,
         "batch_id": int, "created_at": str, "updated_at": str},
        pk="id", not_null={"key", "created_at", "updated_at"},
        foreign_keys=[("batch_id", "import_batches", "id")],
    )
    db["customers"].create_index(["key"], unique=True)
    db["customers"].create_index(["phone"])
    # due reads the contract and project customers alone, from this index
    db.execute("CREATE INDEX customers_scheduled ON customers(class, project, contract_from, class_since, "
               "project_since, created_at) WHERE class IS NOT NULL OR project = 1")

    db.execute("""
        CREATE TABLE customer_orders (
            order_id INTEGER NOT NULL REFERENCES orders(id),
            customer_id INTEGER NOT NULL REFERENCES customers(id),
            completed_at TEXT NOT NULL
        )""")
    db.execute("CREATE UNIQUE INDEX customer_orders_order ON customer_orders(order_id, customer_id)")
    # a customer's last completed order as of now, in one probe of the index alone
    db.execute("CREATE INDEX customer_orders_customer ON customer_orders(customer_id, completed_at, order_id)")
    # the customers whose last order was completed around a dormant mark
    db.execute("CREATE INDEX customer_orders_completed ON customer_orders(completed_at, customer_id, order_id)")

    db["recurring_calls"].create(
        {"id": int, "customer_id": int, "key": str, "reason": str, "round": int, "due_on": str, "called_at": str,
         "outcome": str, "skill": int, "attitude": int, "timeliness": int, "parts": int, "overall": int,
         "satisfaction": float, "callback_at": str, "closes": int, "agent": str, "note": str,
         "voided_at": str, "voided_by": str, "void_reason": str, "voided_outcome": str},
        pk="id", not_null={"customer_id", "key", "reason", "round", "due_on", "called_at", "outcome", "closes"},
        foreign_keys=[("customer_id", "customers", "id")],
    )
    db["recurring_calls"].create_index(["customer_id", "called_at"])
    # a customer's last call that closed a callback (where the next period counts from), from the index alone
    db.execute("CREATE INDEX recurring_calls_closing ON recurring_calls(customer_id, called_at, due_on, round, closes) "
               "WHERE round = 1 AND closes = 1")
    db["recurring_calls"].create_index(["key", "called_at"])
    db["recurring_calls"].create_index(["called_at"])

    db["customer_followups"].create(
        {"id": int, "customer_id": int, "key": str, "reason": str, "round": int, "since": str, "call_id": int,
         "detail": str, "done_at": str, "resolved_at": str},
        pk="id", not_null={"customer_id", "key", "reason", "round", "since"},
        foreign_keys=[("customer_id", "customers", "id"), ("call_id", "recurring_calls", "id")],
    )
    db["customer_followups"].create_index(["customer_id"])
    db["customer_followups"].create_index(["key"])
