"""The one place that opens the database.

WAL so readers never block the writer, a generous busy timeout so a second
process waits instead of failing with "database is locked", foreign keys on,
and every pending migration applied before a command touches a table.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sqlite3

from callbackctl.errors import CallbackctlError

BUSY_TIMEOUT_MS = 30_000


def connect(path: str, migrate: bool = True) -> sqlite3.Connection:
    """Open (creating if needed, readable by its owner only) and migrate."""
    if path != ":memory:":
        if os.path.isdir(path):
            raise CallbackctlError(f"{path} is a folder; give the database file's name (--db PATH)")
        try:
            if not os.path.exists(path):
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        except OSError as e:
            raise CallbackctlError(f"cannot create database {path}: {e.strerror}") from None
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        # Reports materialise per-order facts and sort in temp b-trees: keep them
        # in memory, not in temporary files (one month on 1M orders: 2.0 s -> 1.2 s).
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as e:
        raise CallbackctlError(f"{path}: not a callbackctl database ({e})") from None
    conn.row_factory = sqlite3.Row
    if migrate:
        apply_migrations(conn, path)
    return conn


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection):
    """One write transaction; inside another, a savepoint of it.

    The outermost takes the write lock at once (BEGIN IMMEDIATE), so a
    concurrent writer waits for the busy timeout instead of failing half-way
    when a read turns into a write. A nested one is a savepoint: an error
    inside it undoes its own writes only, and the caller decides whether the
    whole transaction goes on (one bad row of an import, say). Raise
    `Rollback` to undo a block on purpose without failing the caller.
    """
    if conn.in_transaction:
        name = f"sp{next(_savepoints)}"
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield conn
        except BaseException as e:
            if conn.in_transaction:  # an error may have ended the transaction already
                conn.execute(f"ROLLBACK TO {name}")
                conn.execute(f"RELEASE {name}")
            if not isinstance(e, Rollback):
                raise
        else:
            conn.execute(f"RELEASE {name}")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException as e:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if not isinstance(e, Rollback):
            raise
    else:
        conn.execute("COMMIT")


class Rollback(Exception):
    """Raised inside `transaction()` to undo its block; the block's caller goes on."""


_savepoints = itertools.count(1)


def tuples(conn, sql: str, params=()):
    """A cursor over the rows as plain tuples, whatever the connection's row factory.

    For long lists: a sqlite3.Row per row, and its lookups by name, cost more
    than the work done with most rows.
    """
    cursor = conn.cursor()
    cursor.row_factory = None
    return cursor.execute(sql, params)


def dicts(conn, sql: str, params=()):
    """The rows as plain dicts (see tuples)."""
    cursor = tuples(conn, sql, params)
    names = [d[0] for d in cursor.description]
    return (dict(zip(names, values)) for values in cursor)


def schema_version(conn) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def apply_migrations(conn, path="", upto: int | None = None) -> list[str]:
    """Apply pending migrations in one transaction; return their module names.

    The version lives in PRAGMA user_version, read on every start; only when
    it is behind are sqlite-utils (about 0.1 s of imports) and its Migrations
    brought in. They record the history in `_sqlite_migrations`; a desk file
    from before keeps its history from `schema_migrations` (carried over).
    """
    from callbackctl import migrations

    target = len(migrations.MIGRATIONS) if upto is None else upto
    version = schema_version(conn)
    if version > len(migrations.MIGRATIONS):
        raise CallbackctlError(
            f"{path or 'database'} has schema version {version}, newer than this callbackctl "
            f"knows ({len(migrations.MIGRATIONS)}): upgrade callbackctl"
        )
    if version >= target:
        return []
    sdb = utils_database(conn)
    steps = migrations.migration_set(target)
    with transaction(conn):  # BEGIN IMMEDIATE: a second process waits, then finds nothing pending
        _carry_history(sdb, steps)
        pending = [m.name for m in steps.pending(sdb)]
        steps.apply(sdb)
    return [m.__name__ for m in migrations.MIGRATIONS if migrations.name(m) in pending]


def utils_database(conn):
    """sqlite-utils over this connection, for the slow paths (migrations, info, merge).

    Not on every command's path: importing it costs about 0.1 s. Told not to
    switch on recursive triggers or run plugins, so the connection stays ours.
    """
    import sqlite_utils

    return sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)


def _carry_history(sdb, steps):
    """Copy the history kept by callbackctl before sqlite-utils ran its migrations."""
    if not sdb["schema_migrations"].exists():
        return
    steps.ensure_migrations_table(sdb)
    done = {m.name for m in steps.applied(sdb)}
    sdb["_sqlite_migrations"].insert_all(
        {"migration_set": steps.name, "name": r["name"], "applied_at": r["applied_at"]}
        for r in sdb["schema_migrations"].rows_where(order_by="version") if r["name"] not in done)


def run_script(conn, sql: str):
    """Run several statements inside the caller's transaction.

    sqlite3's executescript() commits first, which would break a migration's
    all-or-nothing promise, so statements are split and run one by one.
    """
    statement = ""
    for line in sql.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    leftover = "\n".join(ln for ln in statement.splitlines() if not ln.strip().startswith("--")).strip()
    if leftover:
        raise ValueError(f"incomplete SQL statement: {leftover[:60]}")


def get_meta(conn, key, default=None):
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return default if row is None else row[0]


def set_meta(conn, key, value):
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
