"""The head office's forms count the day's work by each event's own time (reports.py):

- orders_reported: 送修量 counts the repairs reported in the period, and without it a
  day's form read every order (orders_unfinished, m008, holds the unfinished ones only);
- callbacks_order (m018, m022, m029) carries each call's genuineness too, so that a wide
  report counts the period's not-genuine calls from the index alone, as it counts the rest.
"""

INDEX = ("CREATE INDEX callbacks_order ON callbacks(order_id, round, closes, called_at, outcome, satisfaction, lowest, "
         "spot_check_id, genuine)")


def apply(db):
    db.execute("CREATE INDEX orders_reported ON orders(reported_at)")
    db.execute("DROP INDEX IF EXISTS callbacks_order")
    db.execute(INDEX)
