"""Chases of service providers whose dispatches are overdue (催单)."""

from callbackctl.db import run_script


def up(conn):
    run_script(
        conn,
        """
        CREATE TABLE chases (
            id INTEGER PRIMARY KEY,
            order_id INTEGER NOT NULL REFERENCES orders(id),
            chased_at TEXT NOT NULL,
            reason TEXT NOT NULL,          -- no_feedback or late
            deadline TEXT,
            overdue_hours REAL,
            actor TEXT,
            note TEXT
        );
        CREATE INDEX chases_order ON chases(order_id);
        CREATE INDEX chases_at ON chases(chased_at);
        -- chase reads only unfinished orders through orders_completed: its NULL range.
        """,
    )
