"""Indexes for `due`: the calls that closed a first round, and second visits, by time.

`due` starts from the orders completed since a lower bound, drops those whose
first round a call has closed, and adds those with a second visit since then.
With these indexes all three are index ranges read in order (orders_completed
EXCEPT callbacks_closed_first UNION followups_done), instead of one probe into
callbacks per recent order (30k on a million orders) and a scan of every
follow-up.
"""


def up(conn):
    conn.execute("CREATE INDEX callbacks_closed_first ON callbacks(called_at, order_id) WHERE round = 1 AND closes = 1")
    conn.execute("CREATE INDEX followups_done ON followups(done_at) WHERE done_at IS NOT NULL")
