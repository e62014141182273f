"""callbacks_reached with outcome among its columns, in databases made before it had it.

m002 first made the index on (order_id, called_at); reports need outcome in
it too for SQLite to answer the first-reached-call probe from the index alone.
Databases made since have that shape already and are left as they are.
"""

SQL = "CREATE INDEX callbacks_reached ON callbacks(order_id, outcome, called_at) WHERE outcome = 'reached'"


def up(conn):
    row = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'callbacks_reached'").fetchone()
    if row is not None and " ".join(row[0].split()) == SQL:
        return
    conn.execute("DROP INDEX IF EXISTS callbacks_reached")
    conn.execute(SQL)
