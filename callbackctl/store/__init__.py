"""The storage layer: the only place SQL text lives (#31), one module per table group.

Each module holds one group's statements as functions that take the connection
first and return rows or plain values; the rest of the library calls them and
never writes SQL. SQL is written portably where that costs nothing (ON CONFLICT
for an upsert, RETURNING), so that a second database's module can stand beside it.

Moved so far: claims, notice_days, events (the audit log), corrections, the import
batches and their rejects, spot checks and merges, the exports, find's searches, the reads
of calls and customers that the due list, the promises and the agent's session
make, and the desk file as a whole (its copy; whether it is empty or a demo).
Modules still holding their own SQL are listed in tests/test_store.py, a list that
may only shrink.
"""
