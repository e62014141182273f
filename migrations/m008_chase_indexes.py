"""Indexes for `chase`: the unfinished orders' columns, and each order's chases by time.

`chase` reads every unfinished order (7k of a million). Through the table
that is a page read per order, scattered over the file; from this partial
index, which holds only unfinished orders and every column `chase` reads,
it is a short run of pages. It costs imports little: a finished order is
not in it.

Each listed order's number of chases and the last one come from
(order_id, chased_at) alone; it replaces the narrower chases_order.

Databases made by the first release already have an orders_unfinished (on
reported_at alone, from m003 as it was then): it gives way to this one.
"""


def up(conn):
    conn.execute("DROP INDEX IF EXISTS orders_unfinished")
    conn.execute("CREATE INDEX orders_unfinished ON orders(reported_at, order_no, provider, engineer, region, zone, "
                 "customer, phone, feedback_at, arrived_at, appointment_at, status_given, completed_at) "
                 "WHERE completed_at IS NULL")
    conn.execute("CREATE INDEX chases_order_at ON chases(order_id, chased_at)")
    conn.execute("DROP INDEX chases_order")
