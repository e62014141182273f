"""Callback attempts and follow-ups (orders handed back for another visit)."""

from callbackctl.db import run_script


def up(conn):
    run_script(
        conn,
        """
        CREATE TABLE callbacks (
            id INTEGER PRIMARY KEY,
            order_id INTEGER NOT NULL REFERENCES orders(id),
            called_at TEXT NOT NULL,
            round INTEGER NOT NULL,        -- 1, then one more after each second visit
            reason TEXT NOT NULL,          -- first, retry, promised, second, spot_check
            outcome TEXT NOT NULL,
            skill INTEGER, attitude INTEGER, timeliness INTEGER, parts INTEGER, overall INTEGER,
            satisfaction REAL,             -- the index: mean of the scores given
            genuine INTEGER,               -- 1, 0, or NULL when nothing was checked
            discrepancies TEXT,            -- JSON list of what did not match the order
            said_hours REAL, said_location TEXT, said_parts TEXT, said_fee REAL,
            callback_at TEXT,              -- a time promised to the customer
            closes INTEGER NOT NULL,       -- 1 when this call ends its round
            agent TEXT,
            note TEXT,
            spot_check_id INTEGER
        );
        -- due: "has this order's round been closed?" answered from the index alone.
        CREATE INDEX callbacks_order ON callbacks(order_id, round, closes);
        CREATE INDEX callbacks_called ON callbacks(called_at);
        -- reports: each order's first reached call in one probe of the index alone.
        CREATE INDEX callbacks_reached ON callbacks(order_id, outcome, called_at) WHERE outcome = 'reached';

        CREATE TABLE followups (
            id INTEGER PRIMARY KEY,
            order_id INTEGER NOT NULL REFERENCES orders(id),
            reason TEXT NOT NULL,          -- dissatisfied, not_genuine, invalid_contact, unreachable
            round INTEGER NOT NULL,
            since TEXT NOT NULL,
            callback_id INTEGER REFERENCES callbacks(id),
            detail TEXT,
            done_at TEXT,                  -- the second visit
            resolved_at TEXT               -- a later callback found the customer satisfied
        );
        CREATE INDEX followups_order ON followups(order_id);
        CREATE INDEX followups_open ON followups(done_at) WHERE resolved_at IS NULL;
        -- due reads the orders completed in the last days: an index range, not a scan.
        CREATE INDEX orders_completed ON orders(completed_at);
        """,
    )
