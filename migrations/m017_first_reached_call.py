"""Each order's first reached call, kept on the order by the database itself.

A report counts an order's callback as done, on time and rated by its first
call that reached the customer (by time, then id). It used to find that call
with one probe into callbacks_reached per order: 3 of the 10 s of a year's
report on the 1M-order benchmark desk. `orders.first_reached_call` is that
call's id, `first_reached_at` its time and `first_reached_index` its
satisfaction index (all NULL when no call reached the customer), so the
report reads them with the order. Joining the call by its id instead still
cost 1 s of the report: 860k calls read one by one.

Every call written, voided, moved or deleted goes through these triggers, in
the same transaction: `record`, `record --from`, `call void`, `merge`, a hand
edit in the sqlite3 shell. Each recomputes the order's value from its calls
(one probe into callbacks_reached), so ties and calls entered out of time
order come out as the report's old ORDER BY called_at, id put them.

As of an earlier `--now`, the first reached call by then is this one when it
was made by then, else there was none: it is the earliest.
"""

from callbackctl.db import run_script

# The value of one order, from its calls.
_RECOMPUTE = ("UPDATE orders SET (first_reached_call, first_reached_at, first_reached_index) = "
              "(SELECT c.id, c.called_at, c.satisfaction FROM callbacks c WHERE c.order_id = orders.id "
              "AND c.outcome = 'reached' ORDER BY c.called_at, c.id LIMIT 1) WHERE id = {order}")


def apply(db):
    run_script(
        db.conn,
        f"""
        ALTER TABLE orders ADD COLUMN first_reached_call INTEGER;
        ALTER TABLE orders ADD COLUMN first_reached_at TEXT;
        ALTER TABLE orders ADD COLUMN first_reached_index REAL;
        UPDATE orders SET first_reached_call = first.id, first_reached_at = first.called_at,
                          first_reached_index = first.satisfaction
            FROM (SELECT order_id, id, called_at, satisfaction, row_number() OVER (PARTITION BY order_id ORDER BY called_at, id) AS n
                  FROM callbacks WHERE outcome = 'reached') AS first
            WHERE first.n = 1 AND orders.id = first.order_id;

        CREATE TRIGGER callbacks_first_reached AFTER INSERT ON callbacks
        WHEN NEW.outcome = 'reached' BEGIN
            {_RECOMPUTE.format(order="NEW.order_id")};
        END;
        CREATE TRIGGER callbacks_unreach AFTER DELETE ON callbacks
        WHEN OLD.outcome = 'reached' BEGIN
            {_RECOMPUTE.format(order="OLD.order_id")};
        END;
        CREATE TRIGGER callbacks_edit_reached AFTER UPDATE OF order_id, outcome, called_at, satisfaction ON callbacks
        WHEN OLD.outcome = 'reached' OR NEW.outcome = 'reached' BEGIN
            {_RECOMPUTE.format(order="OLD.order_id")};
            {_RECOMPUTE.format(order="NEW.order_id")};
        END;
        """,
    )
