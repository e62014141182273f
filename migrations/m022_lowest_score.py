"""One rule for a satisfied call: its lowest score, beside its index in callbacks_order.

A rated call is 不满意 when any of its scores is 2 or less (or its index is below
`dissatisfied_below`), 满意 when its index is 3.5 or more and it is not 不满意,
and 一般 otherwise; the dissatisfied follow-up already used that rule, but the
report counted a call scored 4 4 2 4 4 (index 3.6) satisfied. callbacks.lowest
(written by calls.py) keeps the call's lowest score; callbacks_order (m018)
carries it too, so a wide report still counts calls from the index alone.
"""

_SCORES = ("skill", "attitude", "timeliness", "parts", "overall")
SQL = "CREATE INDEX callbacks_order ON callbacks(order_id, round, closes, called_at, outcome, satisfaction, lowest)"


def apply(db):
    db.execute("ALTER TABLE callbacks ADD COLUMN lowest INTEGER")
    lowest = "min(" + ", ".join(f"coalesce({s}, 9)" for s in _SCORES) + ")"
    db.execute(f"UPDATE callbacks SET lowest = {lowest} WHERE satisfaction IS NOT NULL")
    db.execute("DROP INDEX IF EXISTS callbacks_order")
    db.execute(SQL)
