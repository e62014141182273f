"""The one place that opens the database.

WAL so readers never block the writer, a generous busy timeout so a second
process waits instead of failing with "database is locked", foreign keys on,
and every pending migration applied before a command touches a table.
A file of another program is refused untouched, a damaged one points to
backups, and a file this process may not write is opened read-only, its
writes refused by `transaction()` with the reason.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sqlite3

from callbackctl.errors import CallbackctlError

BUSY_TIMEOUT_MS = 30_000
NOTE_AFTER_MS = 2_000  # a write that waits longer for another writer's lock says so (on_wait)
# Made by the first migration and kept by every later one: a file with a schema
# but without these (or with user_version 0) belongs to another program.
DESK_TABLES = ("orders", "meta", "events")
SQLITE_HEADER = b"SQLite format 3\x00"
BACKUP_HINT = "restore it from a copy made with callbackctl backup"


class Connection(sqlite3.Connection):
    """sqlite3's connection, knowing what opening its file found out.

    `path`: the file as given; `read_only`: why it cannot be written (None
    when it can), checked by `transaction()` before any write; `created`: this
    connection made the desk (migrated an empty file); `on_wait`: called once
    when a write has waited NOTE_AFTER_MS for another writer (the CLI prints a
    note; the library never prints).
    """

    path = ":memory:"
    read_only = None
    created = False
    on_wait = None


def connect(path: str, migrate: bool = True, on_wait=None) -> sqlite3.Connection:
    """Open (creating if needed, readable by its owner only) and migrate.

    Before anything is written, only the schema (sqlite_master), PRAGMAs and
    the file's size are read, never the data, so opening stays fast on any
    size: a file of another program is refused untouched (not switched to
    WAL, no table added), a damaged one is named as such, and a file this
    process may not write is opened read-only (see read_only_reason).
    """
    read_only = None
    if path != ":memory:":
        read_only = _prepare_file(path)
    conn = None
    try:
        conn = _open(path, read_only)
        conn.path, conn.read_only, conn.on_wait = path, read_only, on_wait
        fresh = _check_desk(conn, path)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if read_only is None and conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        # Reports materialise per-order facts and sort in temp b-trees: keep them
        # in memory, not in temporary files (one month on 1M orders: 2.0 s -> 1.2 s).
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as e:
        if conn is not None:
            conn.close()
        if _errorcode(e) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            raise
        if is_damage(e):
            raise CallbackctlError(damaged_message(path, e)) from None
        raise CallbackctlError(f"cannot open {path}: {e}") from None
    except BaseException:
        if conn is not None:
            conn.close()
        raise
    conn.row_factory = sqlite3.Row
    if migrate:
        try:
            applied = apply_migrations(conn, path)
        except BaseException:
            conn.close()
            raise
        conn.created = fresh and bool(applied)  # a second process that waited for the first finds nothing to do
    return conn


def _prepare_file(path: str) -> str | None:
    """Create a missing desk file 0600 (its folder must exist); return why it is read-only, if it is."""
    if os.path.isdir(path):
        raise CallbackctlError(f"{path} is a folder; give the database file's name (--db PATH)")
    if not os.path.exists(path):
        if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
            raise CallbackctlError(f"cannot create desk file {path}: no such folder")
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:  # another process made it just now
            pass
        except OSError as e:
            raise CallbackctlError(f"cannot create desk file {path}: {e.strerror}") from None
    elif not _may(path, os.R_OK):
        raise CallbackctlError(f"cannot read {path}: you may not read the file")
    return read_only_reason(path)


def _may(path: str, mode: int) -> bool:
    return os.access(path, mode, effective_ids=os.access in os.supports_effective_ids)


def _can_write(path: str) -> bool:
    """Whether this process may write the file or folder (tests replace it: root may write anything)."""
    return _may(path, os.W_OK)


def read_only_reason(path: str) -> str | None:
    """Why this process cannot write the desk file, or None when it can. Only stats, nothing is opened.

    A desk in WAL mode is written through its -wal and -shm files beside it,
    so its folder must be writable too.
    """
    folder = os.path.dirname(os.path.abspath(path))
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return "it is on a read-only file system"
    except (OSError, AttributeError):  # no statvfs (Windows)
        pass
    if not _can_write(path):
        return "you may not write to the file"
    if not _can_write(folder):
        return f"you may not write to its folder {folder} (SQLite keeps its -wal and -shm files there)"
    return None


def reader(conn) -> sqlite3.Connection:
    """A second connection to the desk file `conn` holds, opened as it was (a
    read-only file still read-only, nothing created beside it), for reading
    in another thread; the caller closes it."""
    other = _open(conn.path, conn.read_only)
    other.row_factory = sqlite3.Row
    other.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    other.execute("PRAGMA temp_store = MEMORY")
    return other


def _open(path: str, read_only: str | None) -> Connection:
    kwargs = dict(isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, factory=Connection)
    if read_only is None:
        return sqlite3.connect(path, **kwargs)
    import urllib.parse

    # A file we may not write is opened read-only (mode=ro) and nothing is
    # created beside it. With no -wal file, no other connection has it open:
    # it is opened `immutable`, which needs neither -wal nor -shm. (mode=ro
    # alone would create them where the folder is writable, with the file's
    # mode and this user as owner: left behind, a -shm that its owner cannot
    # write stops every later writer; where the folder is read-only, mode=ro
    # cannot open a WAL file at all.) With a -wal file, a writer is at work
    # (or crashed): mode=ro reads its committed pages through the existing
    # -shm, as SQLite documents for read-only WAL databases; if even that
    # cannot be opened, the main file alone is read.
    uri = "file:" + urllib.parse.quote(os.path.abspath(path)) + "?mode=ro"
    if os.path.exists(path + "-wal"):
        conn = sqlite3.connect(uri, uri=True, **kwargs)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError:
            conn.close()
    return sqlite3.connect(uri + "&immutable=1", uri=True, **kwargs)


def _check_desk(conn, path: str) -> bool:
    """Refuse a file of another program or a truncated one; True if it is empty (a desk to be made).

    Reads sqlite_master, PRAGMAs and the file's size only: never the data.
    """
    schema = conn.execute("SELECT type, name FROM sqlite_master").fetchall()
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if not schema and not version:
        return True
    tables = sorted(name for kind, name in schema if kind == "table" and not name.startswith("sqlite_"))
    if not schema and version > _known_version():
        return False  # apply_migrations says it is newer than this callbackctl
    if not version or not set(DESK_TABLES) <= set(tables):
        listed = ", ".join(tables[:12]) + (", ..." if len(tables) > 12 else "") if tables else "none"
        raise CallbackctlError(f"{path} is a SQLite database of another program (tables: {listed}), "
                               "not a callbackctl desk")
    if path != ":memory:":
        _check_size(conn, path)
    return False


def _known_version() -> int:
    from callbackctl import migrations

    return len(migrations.MIGRATIONS)


def _check_size(conn, path: str):
    """A file shorter than its own header says is truncated (copied half, a full disk).

    Only when no writer has pages in the -wal file: those are not in the file yet.
    """
    try:
        if os.path.exists(path + "-wal") and os.path.getsize(path + "-wal") > 0:
            return
        size = os.path.getsize(path)
    except OSError:
        return
    need = conn.execute("PRAGMA page_count").fetchone()[0] * conn.execute("PRAGMA page_size").fetchone()[0]
    if size < need:
        raise CallbackctlError(f"{path} is damaged (truncated: {size} of its {need} bytes): {BACKUP_HINT}")


def _errorcode(error) -> int:
    return (getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF


def is_damage(error: BaseException) -> bool:
    """Whether SQLite found the file damaged (or not a database at all)."""
    return isinstance(error, sqlite3.DatabaseError) and _errorcode(error) in (sqlite3.SQLITE_CORRUPT,
                                                                              sqlite3.SQLITE_NOTADB)


def damaged_message(path: str, error: sqlite3.DatabaseError) -> str:
    """The line for a file SQLite finds damaged (or that is not SQLite at all), pointing to backups.

    Runs PRAGMA quick_check (which reads the whole file) to say what is wrong:
    only here, once opening or a query has failed, never on a healthy file.
    """
    try:
        with open(path, "rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except OSError:
        header = SQLITE_HEADER
    if header != SQLITE_HEADER:
        return (f"{path} is not a SQLite database (damaged, or another kind of file): "
                f"if it is your desk, {BACKUP_HINT}")
    detail = str(error)
    try:
        check = _open(path, "only read, to word the message")
        try:
            first = check.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            check.close()
        if first != "ok":
            detail = " ".join(first.split())[:200]
    except sqlite3.DatabaseError as e:
        detail = str(e)
    return f"{path} is damaged ({detail}): {BACKUP_HINT}"


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
    if getattr(conn, "read_only", None):
        raise CallbackctlError(f"{conn.path} is read-only: {conn.read_only}")
    _begin_immediate(conn)
    try:
        yield conn
    except BaseException as e:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if not isinstance(e, Rollback):
            raise
    else:
        conn.execute("COMMIT")


def _begin_immediate(conn):
    """BEGIN IMMEDIATE, calling conn.on_wait once if another writer holds the lock past NOTE_AFTER_MS.

    SQLite's busy handler cannot run Python, so the wait is cut in two: a
    first try with a busy timeout of NOTE_AFTER_MS, then the note, then the
    rest of the connection's busy timeout.
    """
    on_wait = getattr(conn, "on_wait", None)
    if on_wait is None:
        conn.execute("BEGIN IMMEDIATE")
        return
    total = conn.execute("PRAGMA busy_timeout").fetchone()[0]
    first = min(NOTE_AFTER_MS, total)
    conn.execute(f"PRAGMA busy_timeout = {first}")
    try:
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as e:
            if _errorcode(e) != sqlite3.SQLITE_BUSY or total <= first:
                raise
        on_wait()
        conn.execute(f"PRAGMA busy_timeout = {total - first}")
        conn.execute("BEGIN IMMEDIATE")
    finally:
        conn.execute(f"PRAGMA busy_timeout = {total}")


class Rollback(Exception):
    """Raised inside `transaction()` to undo its block; the block's caller goes on."""


_savepoints = itertools.count(1)


def literal(value) -> str:
    """A value as an SQL literal: NULL, a number, or a quoted text."""
    if value is None:
        return "NULL"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def inline(sql: str, params: dict) -> str:
    """`sql` with each :name of `params` replaced by its literal, for a connection
    that takes no parameters (fastreport's child). Names are matched whole (:now
    is not the start of :now_text), other names are left as they are, and so is
    the text of a quoted literal (a service type named 'a:now')."""
    import re

    def one(m):
        name = m.group(1)
        return literal(params[name]) if name in params else m.group(0)
    return re.sub(r"'(?:[^']|'')*'|:([A-Za-z_]\w*)", one, sql)


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
    if getattr(conn, "read_only", None):
        what = "is empty, not yet a desk" if not version else (
            f"needs upgrading to this callbackctl (schema version {version} -> {target})")
        raise CallbackctlError(f"{path or conn.path} is read-only ({conn.read_only}) and {what}: "
                               "run callbackctl once where the file can be written")
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
