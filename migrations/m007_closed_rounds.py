"""An index of the calls that closed a first round, by when they were made.

`due` starts from the orders completed since a lower bound and drops those
whose first round a call has closed. With this index both sides are index
ranges read in order (orders_completed EXCEPT this), instead of one probe
into callbacks per recent order: 30k probes on a million orders.
"""



def up(conn):
    conn.execute("CREATE INDEX callbacks_closed_first ON callbacks(called_at, order_id) WHERE round = 1 AND closes = 1")
