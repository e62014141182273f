"""Complaints (投诉) and apology calls (致歉)."""

from callbackctl.db import run_script


def up(conn):
    run_script(
        conn,
        """
        CREATE TABLE complaints (
            id INTEGER PRIMARY KEY,
            order_id INTEGER REFERENCES orders(id),
            customer TEXT,
            phone TEXT,
            vip INTEGER NOT NULL DEFAULT 0,
            against TEXT NOT NULL,         -- engineer, provider, agent, product, sales
            target TEXT,                   -- who or what, by name
            severity TEXT NOT NULL,        -- general, special
            text TEXT NOT NULL,
            status TEXT NOT NULL,          -- open, escalated, replied, resolved, closed
            received_at TEXT NOT NULL,
            reopened_at TEXT,              -- a reply is due again from here
            escalated_at TEXT,
            replied_at TEXT,
            reply TEXT,
            resolved_at TEXT,
            resolution TEXT,
            closed_at TEXT
        );
        CREATE INDEX complaints_order ON complaints(order_id);
        CREATE INDEX complaints_phone ON complaints(phone, received_at);
        CREATE INDEX complaints_received ON complaints(received_at);

        CREATE TABLE apologies (
            id INTEGER PRIMARY KEY,
            complaint_id INTEGER NOT NULL UNIQUE REFERENCES complaints(id),
            agent TEXT,
            opened_at TEXT NOT NULL,
            skip_reason TEXT,              -- vip, serial_complainer, several_agents: no call made
            state TEXT NOT NULL,           -- calling, accepted, sms_pending, sms_sent, skipped
            sms_reason TEXT,               -- refused, hung_up, no_answer
            sms_sent_at TEXT,
            closed_at TEXT
        );
        CREATE TABLE apology_attempts (
            id INTEGER PRIMARY KEY,
            apology_id INTEGER NOT NULL REFERENCES apologies(id),
            called_at TEXT NOT NULL,
            outcome TEXT NOT NULL,
            note TEXT
        );
        CREATE INDEX apology_attempts_apology ON apology_attempts(apology_id);
        """,
    )
