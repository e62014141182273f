"""Desk corrections survive imports, and a verified number brings the callback back.

- `corrections` (written by corrections.py): one row per order and field that
  the desk corrected (`order set`, `order cancel`, `followup verify`): who,
  when, why, and the value the import last gave (`imported`, as JSON), which
  `order revert` hands back. An import never overwrites a corrected field.
- `followups.verified_at` (followups.py): when the invalid contact a call found
  was verified with a new number. The round that wrong number interrupted is
  due again from then (schedule.py); the index lets `due` find such orders.
"""


def apply(db):
    db["corrections"].create(
        {"order_id": int, "field": str, "imported": str, "corrected_at": str, "actor": str, "reason": str},
        pk=("order_id", "field"), not_null={"order_id", "field", "corrected_at"},
        foreign_keys=[("order_id", "orders", "id")],
    )
    db.execute("ALTER TABLE followups ADD COLUMN verified_at TEXT")
    db.execute("CREATE INDEX followups_verified ON followups(verified_at) WHERE verified_at IS NOT NULL")
