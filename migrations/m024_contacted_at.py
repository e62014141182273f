"""When the provider first contacted the customer (seed 003: within 30 minutes of dispatch).

orders.contacted_at (written by orders.py, imported as 联系用户时间 / 首次联系时间):
reports count the dispatches contacted late per provider, `show` explains it.
"""


def apply(db):
    db.execute("ALTER TABLE orders ADD COLUMN contacted_at TEXT")
