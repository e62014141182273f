"""Head office: spot checks of the regions' callbacks, and rows merged from regional files."""

import uuid

from callbackctl.db import run_script


def up(conn):
    run_script(
        conn,
        """
        CREATE TABLE spot_checks (
            id INTEGER PRIMARY KEY,
            order_id INTEGER NOT NULL UNIQUE REFERENCES orders(id),  -- an order is sampled once
            regional_call_id INTEGER NOT NULL REFERENCES callbacks(id),
            sampled_at TEXT NOT NULL,
            seed INTEGER,
            rate REAL,
            call_id INTEGER REFERENCES callbacks(id),   -- head office's own call, once reached
            disagrees INTEGER,                          -- 1 when satisfaction or genuineness differ
            detail TEXT
        );
        CREATE INDEX spot_checks_open ON spot_checks(order_id) WHERE call_id IS NULL;

        -- Where a row came from: NULL for this desk's own rows, else the regional
        -- file's desk id; source_id is the row's id there, so merging is idempotent.
        ALTER TABLE orders ADD COLUMN source TEXT;
        ALTER TABLE callbacks ADD COLUMN source TEXT;
        ALTER TABLE callbacks ADD COLUMN source_id INTEGER;
        ALTER TABLE followups ADD COLUMN source TEXT;
        ALTER TABLE followups ADD COLUMN source_id INTEGER;
        ALTER TABLE complaints ADD COLUMN source TEXT;
        ALTER TABLE complaints ADD COLUMN source_id INTEGER;
        ALTER TABLE chases ADD COLUMN source TEXT;
        ALTER TABLE chases ADD COLUMN source_id INTEGER;
        CREATE UNIQUE INDEX callbacks_source ON callbacks(source, source_id) WHERE source IS NOT NULL;
        CREATE UNIQUE INDEX followups_source ON followups(source, source_id) WHERE source IS NOT NULL;
        CREATE UNIQUE INDEX complaints_source ON complaints(source, source_id) WHERE source IS NOT NULL;
        CREATE UNIQUE INDEX chases_source ON chases(source, source_id) WHERE source IS NOT NULL;
        """,
    )
    # This file's identity: rows merged elsewhere say which file they came from.
    conn.execute("INSERT INTO meta (key, value) VALUES ('desk_id', ?)", (uuid.uuid4().hex[:12],))
