"""Orders, imports with their rejected rows, the audit log and meta."""

from callbackctl.db import run_script


def up(conn):
    run_script(
        conn,
        """
        CREATE TABLE schema_migrations (
            version INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            applied_at TEXT NOT NULL
        );
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);

        CREATE TABLE import_batches (
            id INTEGER PRIMARY KEY,
            file TEXT NOT NULL,
            format TEXT,
            encoding TEXT,
            started_at TEXT NOT NULL,
            actor TEXT,
            read INTEGER NOT NULL DEFAULT 0,
            inserted INTEGER NOT NULL DEFAULT 0,
            updated INTEGER NOT NULL DEFAULT 0,
            unchanged INTEGER NOT NULL DEFAULT 0,
            rejected INTEGER NOT NULL DEFAULT 0,
            strict INTEGER NOT NULL DEFAULT 0
        );

        CREATE TABLE import_rejects (
            id INTEGER PRIMARY KEY,
            batch_id INTEGER NOT NULL REFERENCES import_batches(id),
            line INTEGER,
            error TEXT NOT NULL,
            raw TEXT NOT NULL          -- the row whole, as JSON (header -> cell)
        );
        CREATE INDEX import_rejects_batch ON import_rejects(batch_id);

        CREATE TABLE orders (
            id INTEGER PRIMARY KEY,
            order_no TEXT NOT NULL UNIQUE,
            service_type TEXT NOT NULL,
            customer TEXT,
            phone TEXT,
            phone_valid INTEGER,
            address TEXT,
            zone TEXT NOT NULL DEFAULT 'other',
            region TEXT,
            provider TEXT,
            engineer TEXT,
            product TEXT,
            serial_no TEXT,
            reported_at TEXT,
            dispatched_at TEXT,
            feedback_at TEXT,
            appointment_at TEXT,
            arrived_at TEXT,
            completed_at TEXT,
            machine_hours REAL,
            parts_replaced TEXT,
            fee REAL,
            location TEXT,
            warranty INTEGER,
            vip INTEGER,
            status_given TEXT,
            -- Derived, never stale: an explicit status wins, else completed_at decides.
            status TEXT GENERATED ALWAYS AS (
                coalesce(status_given, CASE WHEN completed_at IS NULL THEN 'open' ELSE 'completed' END)
            ) VIRTUAL,
            extra TEXT,                -- input columns callbackctl does not know, as JSON
            batch_id INTEGER REFERENCES import_batches(id),  -- the import that created it
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );

        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT,
            command TEXT NOT NULL,
            kind TEXT NOT NULL,
            order_no TEXT,
            detail TEXT               -- JSON: what changed, before and after
        );
        CREATE INDEX events_order ON events(order_no) WHERE order_no IS NOT NULL;
        """
    )
