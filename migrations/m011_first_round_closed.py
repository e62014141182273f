"""Orders whose first callback round is still open, kept by the database itself.

`due` starts from the orders completed in the last two weeks or so whose first
round no call has closed. It used to read every order completed since then
(30k on a million orders), drop those found in a list of the closing calls
(21k, read for every run) and read the remaining 8.5k rows to test their type
and status. `orders.first_round_closed` is 1 once a call has closed the
order's first round, NULL before. orders_completed now also holds it, the type
and status_given (not the generated status, which an index cannot cover), so
the whole test is made in that index: the query went from about 80 ms to
50 ms on the 1M-order benchmark file. A partial index of the open orders alone
was as fast but cost every import 5-7% (one more index for each new order);
the wider orders_completed costs about 1%.

The flag is derived, so triggers keep it: every way a call is stored
(`record`, `record --from`, `merge`) or edited by hand in the sqlite3 shell
goes through them, inside the same transaction. callbacks_closed_first, which
only the old query used, is dropped.
"""

from callbackctl.db import run_script

# The flag of one order, from its calls.
_RECOMPUTE = ("UPDATE orders SET first_round_closed = (SELECT 1 FROM callbacks c WHERE c.order_id = orders.id "
              "AND c.round = 1 AND c.closes = 1 LIMIT 1) WHERE id = {order}")


def up(conn):
    run_script(
        conn,
        f"""
        ALTER TABLE orders ADD COLUMN first_round_closed INTEGER;
        UPDATE orders SET first_round_closed = 1
            WHERE id IN (SELECT order_id FROM callbacks WHERE round = 1 AND closes = 1);
        DROP INDEX orders_completed;
        CREATE INDEX orders_completed ON orders(completed_at, first_round_closed, service_type, status_given);
        DROP INDEX IF EXISTS callbacks_closed_first;

        CREATE TRIGGER callbacks_close_first_round AFTER INSERT ON callbacks
        WHEN NEW.round = 1 AND NEW.closes = 1 BEGIN
            UPDATE orders SET first_round_closed = 1 WHERE id = NEW.order_id AND first_round_closed IS NULL;
        END;
        CREATE TRIGGER callbacks_reopen_first_round AFTER DELETE ON callbacks
        WHEN OLD.round = 1 AND OLD.closes = 1 BEGIN
            {_RECOMPUTE.format(order="OLD.order_id")};
        END;
        CREATE TRIGGER callbacks_edit_first_round AFTER UPDATE OF order_id, round, closes ON callbacks BEGIN
            {_RECOMPUTE.format(order="OLD.order_id")};
            {_RECOMPUTE.format(order="NEW.order_id")};
        END;
        """,
    )
