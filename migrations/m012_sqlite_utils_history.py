"""The migration history moves to sqlite-utils' `_sqlite_migrations`.

From this version on callbackctl's migrations run through sqlite-utils'
Migrations, which records each one in `_sqlite_migrations`. The runner copied
the rows of `schema_migrations` (migrations 1-11, with the times they were
applied) there before this ran, so the old table is dropped: one history.
"""


def apply(db):
    db["schema_migrations"].drop(ignore=True)
