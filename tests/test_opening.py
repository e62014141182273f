"""Opening the desk file: another program's database, a damaged file, a new file,
a read-only file or folder, another writer holding the lock, and the files that
hold personal data (exports, backups).

Every case asserts what the user sees (exit code, the exact stderr line) and
that a file callbackctl must not change keeps its bytes and its mtime.
"""

import os
import shutil
import sqlite3
import stat
import threading
import time

import pytest

from callbackctl import db, info as info_mod
from callbackctl.errors import CallbackctlError
from callbackctl.migrations import MIGRATIONS
from conftest import Cli, write

HINT = "restore it from a copy made with callbackctl backup"
DESKS = os.path.join(os.path.dirname(__file__), "desks")
ROOT = os.geteuid() == 0
# Root may write any file and folder whatever their mode: the permission cases
# below cannot happen to root. They run as any other user; under root the same
# read-only paths are exercised by `as_if_read_only`, which stands in for the
# permission check (db._can_write) so that connect() opens the file the way it
# opens a file it may not write, and SQLite itself enforces it (mode=ro).
needs_non_root = pytest.mark.skipif(ROOT, reason="root may write a 0444 file or a 0555 folder")


def snapshot(path):
    """What must not change: the bytes, the mtime, and the folder's listing."""
    st = os.stat(path)
    with open(path, "rb") as f:
        return f.read(), st.st_mtime_ns, sorted(os.listdir(os.path.dirname(path)))


def foreign_db(path, tables=("b", "a"), user_version=0):
    conn = sqlite3.connect(path)
    for name in tables:
        conn.execute(f"CREATE TABLE {name} (x)")
        conn.execute(f"INSERT INTO {name} VALUES (1)")
    conn.execute(f"PRAGMA user_version = {user_version}")
    conn.commit()
    conn.close()
    return str(path)


@pytest.fixture
def desk(cli, db_path, fixture_file):
    """A desk with the dealer's 36 orders, closed (no -wal or -shm beside it)."""
    assert cli("import", fixture_file("dealer_export_gbk.csv")).exit_code == 1  # it has 3 bad rows
    assert sorted(os.listdir(os.path.dirname(db_path))) == ["dealer_export_gbk.csv", "desk.db"]
    return db_path


# -- a database of another program -------------------------------------------------------

@pytest.mark.parametrize("args", [["info"], ["due"], ["import", "orders.csv"], ["policy", "load", "p.toml"], ["demo"]])
def test_a_database_of_another_program_is_refused_untouched(tmp_path, args):
    path = foreign_db(tmp_path / "notes.db")
    write(tmp_path / "orders.csv", "order_no,service_type\nX1,repair\n")
    write(tmp_path / "p.toml", "[callback]\nmax_attempts = 5\n")
    before = snapshot(path)
    r = Cli(path)(*args)
    assert r.exit_code == 1
    assert r.stderr == f"Error: {path} is a SQLite database of another program (tables: a, b), not a callbackctl desk\n"
    assert snapshot(path) == before
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # not switched to WAL
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master ORDER BY name")] == ["a", "b"]


@pytest.mark.parametrize("tables, user_version", [
    (("orders", "meta", "events"), 0),   # callbackctl's names, but no schema version: not made by it
    (("orders", "customers"), 3),        # a shop's database with a version of its own
    ((), 4),                             # no tables at all, a version callbackctl would take as its own
])
def test_whatever_callbackctl_did_not_make_is_another_programs(tmp_path, tables, user_version):
    path = foreign_db(tmp_path / "other.db", tables, user_version)
    before = snapshot(path)
    listed = ", ".join(sorted(tables)) or "none"
    with pytest.raises(CallbackctlError) as e:
        db.connect(path)
    assert str(e.value) == f"{path} is a SQLite database of another program (tables: {listed}), not a callbackctl desk"
    with pytest.raises(CallbackctlError):
        db.connect(path, migrate=False)
    assert snapshot(path) == before


def test_every_earlier_desk_is_a_desk(tmp_path):
    for name in sorted(os.listdir(DESKS)):
        if name.endswith(".db"):
            path = str(tmp_path / name)
            shutil.copyfile(os.path.join(DESKS, name), path)
            db.connect(path).close()


# -- a damaged file, or no SQLite file at all --------------------------------------------

@pytest.mark.parametrize("content", [b"order_no,service_type\nX1,repair\n", os.urandom(5000), b"\x00" * 4096])
def test_a_file_that_is_not_sqlite_says_so_and_points_to_backups(tmp_path, content):
    path = tmp_path / "desk.db"
    path.write_bytes(content)
    before = snapshot(path)
    r = Cli(str(path))("due")
    assert r.exit_code == 1
    assert r.stderr == (f"Error: {path} is not a SQLite database (damaged, or another kind of file): "
                        f"if it is your desk, {HINT}\n")
    assert snapshot(path) == before


def test_a_truncated_desk_is_damaged(desk):
    data = open(desk, "rb").read()
    with open(desk, "wb") as f:
        f.write(data[:-4095])  # the last page cut short: the schema is still whole
    before = snapshot(desk)
    r = Cli(desk)("due")
    assert r.exit_code == 1
    assert r.stderr == f"Error: {desk} is damaged (truncated: {len(data) - 4095} of its {len(data)} bytes): {HINT}\n"
    assert snapshot(desk) == before


def test_a_desk_cut_in_half_is_damaged(desk):
    data = open(desk, "rb").read()
    with open(desk, "wb") as f:
        f.write(data[:len(data) // 2])
    before = snapshot(desk)
    r = Cli(desk)("info")
    assert r.exit_code == 1
    assert r.stderr == f"Error: {desk} is damaged (database disk image is malformed): {HINT}\n"
    assert snapshot(desk) == before


def pages_of(path, name):
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf'", (name,))]
    except sqlite3.OperationalError:
        pytest.skip("this SQLite has no dbstat table")
    finally:
        conn.close()


def overwrite_page(path, page, fill=b"\xa5"):
    size = sqlite3.connect(path).execute("PRAGMA page_size").fetchone()[0]
    with open(path, "r+b") as f:
        f.seek((page - 1) * size)
        f.write(fill * size)


def test_a_desk_with_its_schema_overwritten_in_the_middle_is_damaged(desk):
    pages = pages_of(desk, "sqlite_schema")
    overwrite_page(desk, pages[len(pages) // 2])  # a leaf of the schema, in the middle of the file
    before = snapshot(desk)
    for args in (["due"], ["record", "SY2026110001", "--outcome", "busy"]):
        r = Cli(desk)(*args)
        assert r.exit_code == 1
        assert r.stderr == f"Error: {desk} is damaged (database disk image is malformed): {HINT}\n"
    assert snapshot(desk) == before


def test_opening_reads_no_data_page(desk):
    # A damaged page of orders is found by the query that reads it, not by
    # opening: connect reads the schema and PRAGMAs only (no quick_check), so it
    # costs the same on a desk of a million orders.
    overwrite_page(desk, pages_of(desk, "orders")[-1])
    conn = db.connect(desk)
    with pytest.raises(sqlite3.DatabaseError, match="^database disk image is malformed$") as e:
        conn.execute("SELECT max(customer) FROM orders").fetchall()
    conn.close()
    assert db.is_damage(e.value)
    assert db.damaged_message(desk, e.value) == f"{desk} is damaged (database disk image is malformed): {HINT}"


def test_a_damaged_data_page_found_by_a_command_points_to_backups(desk):
    overwrite_page(desk, pages_of(desk, "orders")[-1])
    r = Cli(desk)("export", "orders")
    assert r.exit_code == 1
    assert r.stderr == f"Error: {desk} is damaged (database disk image is malformed): {HINT}\n"


# -- a new desk file ---------------------------------------------------------------------

def test_a_new_desk_file_is_announced_once(cli, db_path):
    r = cli("info")
    assert r.exit_code == 0 and r.stderr == f"created desk file {db_path}\n"
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600
    again = cli("info")
    assert again.exit_code == 0 and again.stderr == ""


def test_an_empty_file_becomes_a_desk_and_says_so(cli, db_path):
    open(db_path, "wb").close()
    r = cli("info")
    assert r.exit_code == 0 and r.stderr == f"created desk file {db_path}\n"
    assert db.schema_version(sqlite3.connect(db_path)) == len(MIGRATIONS)


def test_a_mistyped_folder_is_refused_and_nothing_is_made(tmp_path):
    path = str(tmp_path / "dseks" / "desk.db")
    r = Cli(path)("due")
    assert r.exit_code == 1 and r.stderr == f"Error: cannot create desk file {path}: no such folder\n"
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("args, message", [
    (["--now", "2026-13-01", "due"],
     "Error: --now: bad time '2026-13-01' (use YYYY-MM-DD HH:MM[:SS], 'now', 'tomorrow 17:00' or +1d/-2h/+30m)\n"),
    (["--policy", "nope.toml", "due"], "Error: policy file nope.toml: No such file or directory\n"),
])
def test_a_bad_option_creates_no_desk_file(tmp_path, args, message):
    from typer.testing import CliRunner
    from callbackctl.cli import app

    r = CliRunner().invoke(app, ["--db", str(tmp_path / "new.db"), *args])
    assert r.exit_code in (1, 2) and r.stderr == message
    assert os.listdir(tmp_path) == []


def test_the_demo_names_its_file_in_its_own_words(tmp_path):
    from typer.testing import CliRunner
    from callbackctl.cli import app

    path = str(tmp_path / "demo.db")
    r = CliRunner().invoke(app, ["--db", path, "demo"])
    assert r.exit_code == 0, r.output
    assert r.stderr.startswith(f"demo database: {path}   now: 2026-11-23 10:00 (Monday)\n")
    assert "created desk file" not in r.stderr


# -- a read-only file or folder ----------------------------------------------------------

READS = [["due", "-f", "csv"], ["chase", "-f", "csv"], ["show", "SY2026110001", "-f", "json"], ["report", "-f", "csv"],
         ["info", "-f", "csv"], ["export", "orders"], ["export", "orders", "--output", "{out}/orders.csv"]]
WRITES = [["import", "{out}/more.csv"], ["record", "SY2026110001", "--outcome", "busy"], ["chase", "--record"],
          ["policy", "load", "{out}/p.toml"]]


def as_if_read_only(monkeypatch, *paths):
    """connect() finds these paths unwritable, as for a user without write permission."""
    denied = {os.path.abspath(p) for p in paths}
    monkeypatch.setattr(db, "_can_write", lambda p: os.path.abspath(p) not in denied)


def check_read_only(desk, out, reason):
    """Every read command works and prints nothing on stderr; every write says why it cannot."""
    write(os.path.join(out, "more.csv"), "order_no,service_type\nX1,repair\n")
    write(os.path.join(out, "p.toml"), "[callback]\nmax_attempts = 5\n")
    before = snapshot(desk)
    cli = Cli(desk)
    for args in READS:
        r = cli(*(a.format(out=out) for a in args))
        assert r.exit_code == 0, (args, r.output)
        if "--output" in args:
            assert r.stdout == "" and r.stderr == f"36 row(s) written to {out}/orders.csv\n"
        else:
            assert r.stdout and r.stderr == "", (args, r.stderr)
    info = dict(line.split(",", 1) for line in cli("info", "-f", "csv").stdout.splitlines()[1:])
    assert info["access"] == f"read-only: {reason}"
    for args in WRITES:
        r = cli(*(a.format(out=out) for a in args))
        assert r.exit_code == 1 and r.stderr == f"Error: {desk} is read-only: {reason}\n", (args, r.output)
    assert snapshot(desk) == before  # nothing written, and no -wal or -shm left beside it


def test_a_read_only_desk_file_reads_and_refuses_writes(desk, tmp_path, monkeypatch):
    as_if_read_only(monkeypatch, desk)
    os.makedirs(tmp_path / "out")
    check_read_only(desk, str(tmp_path / "out"), "you may not write to the file")


def test_a_desk_in_a_read_only_folder_reads_and_refuses_writes(desk, tmp_path, monkeypatch):
    as_if_read_only(monkeypatch, tmp_path)
    os.makedirs(tmp_path / "out")
    check_read_only(desk, str(tmp_path / "out"),
                    f"you may not write to its folder {tmp_path} (SQLite keeps its -wal and -shm files there)")


@needs_non_root
def test_a_0444_desk_file_reads_and_refuses_writes(desk, tmp_path):
    os.makedirs(tmp_path / "out")
    os.chmod(desk, 0o444)
    check_read_only(desk, str(tmp_path / "out"), "you may not write to the file")


@needs_non_root
def test_a_desk_in_a_0555_folder_reads_and_refuses_writes(desk, tmp_path):
    out = tmp_path.parent / (tmp_path.name + "-out")
    os.makedirs(out)
    os.chmod(tmp_path, 0o555)
    try:
        check_read_only(desk, str(out),
                        f"you may not write to its folder {tmp_path} (SQLite keeps its -wal and -shm files there)")
    finally:
        os.chmod(tmp_path, 0o755)
        shutil.rmtree(out)


def test_a_read_only_desk_sees_what_a_writer_committed(desk, monkeypatch):
    # With a -wal file beside it (a writer at work), a read-only desk is read
    # through it (mode=ro), so the reader sees every commit.
    writer = db.connect(desk)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    with db.transaction(writer):
        writer.execute("UPDATE orders SET customer = 'written by the other' WHERE order_no = 'SY2026110001'")
    try:
        assert os.path.getsize(desk + "-wal") > 0
        as_if_read_only(monkeypatch, desk)
        reader = db.connect(desk)
        assert reader.execute("SELECT customer FROM orders WHERE order_no = 'SY2026110001'").fetchone()[0] == \
            "written by the other"
        assert reader.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        reader.close()
    finally:
        writer.close()


def test_a_read_only_desk_that_needs_upgrading_says_so(tmp_path, monkeypatch):
    path = str(tmp_path / "v11.db")
    shutil.copyfile(os.path.join(DESKS, "v11.db"), path)
    as_if_read_only(monkeypatch, path)
    before = snapshot(path)
    r = Cli(path)("due")
    assert r.exit_code == 1
    assert r.stderr == (f"Error: {path} is read-only (you may not write to the file) and needs upgrading to this "
                        f"callbackctl (schema version 11 -> {len(MIGRATIONS)}): run callbackctl once where the file "
                        "can be written\n")
    assert snapshot(path) == before


# -- another writer holds the lock -------------------------------------------------------

def hold_write_lock(path, seconds):
    """Another writer: BEGIN IMMEDIATE in a thread, held for `seconds`; returns once it holds the lock."""
    held = threading.Event()

    def run():
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(seconds)
        conn.execute("COMMIT")
        conn.close()

    thread = threading.Thread(target=run)
    thread.start()
    held.wait(5)
    return thread


def test_a_writer_that_waits_over_2_s_says_so_once_and_goes_on(desk):
    thread = hold_write_lock(desk, 3.0)
    start = time.monotonic()
    r = Cli(desk)("record", "SY2026110001", "--outcome", "busy")
    waited = time.monotonic() - start
    thread.join()
    assert r.exit_code == 0, r.output
    assert r.stderr == f"waiting for another callbackctl writing to {desk} ...\n"
    assert 2.5 < waited < 10


def test_a_short_wait_says_nothing(desk):
    thread = hold_write_lock(desk, 0.5)
    r = Cli(desk)("record", "SY2026110001", "--outcome", "busy")
    thread.join()
    assert r.exit_code == 0 and r.stderr == ""


def test_a_writer_gives_up_after_the_busy_timeout(desk, monkeypatch):
    monkeypatch.setattr(db, "NOTE_AFTER_MS", 200)
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 600)
    thread = hold_write_lock(desk, 2.0)
    r = Cli(desk)("record", "SY2026110001", "--outcome", "busy")
    thread.join()
    assert r.exit_code == 1
    assert r.stderr == (f"waiting for another callbackctl writing to {desk} ...\n"
                        "Error: the database is busy (another process held it for 30 s); try again\n")
    conn = db.connect(desk)
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 600
    assert conn.execute("SELECT count(*) FROM callbacks").fetchone()[0] == 0
    conn.close()


def test_the_busy_timeout_is_restored_after_a_wait(desk):
    waits = []
    conn = db.connect(desk, on_wait=lambda: waits.append(1))
    with db.transaction(conn):
        pass
    assert waits == [] and conn.execute("PRAGMA busy_timeout").fetchone()[0] == db.BUSY_TIMEOUT_MS
    conn.close()


# -- files that hold personal data -------------------------------------------------------

@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_export_output_is_0600_from_its_first_byte(desk, tmp_path, umask_022, monkeypatch):
    from callbackctl import io

    out = str(tmp_path / "orders.csv")
    seen = []
    real_write = io.write

    def spy(rows, columns, f, *args, **kwargs):  # the file being written: a temporary one beside `out`
        st = os.fstat(f.fileno())
        seen.append((stat.S_IMODE(st.st_mode), st.st_size, os.path.exists(out)))
        return real_write(rows, columns, f, *args, **kwargs)

    monkeypatch.setattr(io, "write", spy)
    r = Cli(desk)("export", "orders", "--output", out)
    assert r.exit_code == 0 and r.stderr == f"36 row(s) written to {out}\n"
    assert seen == [(0o600, 0, False)]  # `out` appears only when it is whole
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    os.chmod(out, 0o644)  # a file that was there before keeps no wider mode
    assert Cli(desk)("export", "callbacks", "--output", out).exit_code == 0
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600


def test_a_backup_is_0600_and_leaves_nothing_else(desk, tmp_path, umask_022):
    os.makedirs(tmp_path / "copies")
    dest = str(tmp_path / "copies" / "copy.db")
    r = Cli(desk)("backup", dest)
    assert r.exit_code == 0 and r.stderr == f"backup written to {dest}\n"
    assert os.listdir(tmp_path / "copies") == ["copy.db"]
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o600
    conn = sqlite3.connect(dest)
    assert conn.execute("SELECT count(*) FROM orders").fetchone() == (36,)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()
    before = snapshot(dest)
    again = Cli(desk)("backup", dest)
    assert again.exit_code == 1 and again.stderr == f"Error: {dest} already exists; choose a new file name\n"
    assert snapshot(dest) == before


def test_a_backup_interrupted_half_way_leaves_nothing(desk, tmp_path):
    dest = str(tmp_path / "copies" / "copy.db")
    os.makedirs(tmp_path / "copies")
    conn = db.connect(desk)
    calls = []
    conn.set_progress_handler(lambda: len(calls) > 20 or calls.append(1), 50)  # stops VACUUM INTO part-way
    with pytest.raises(CallbackctlError, match=f"^cannot write backup to {dest}: interrupted$"):
        info_mod.backup(conn, dest)
    assert len(calls) > 20
    assert os.listdir(tmp_path / "copies") == []
    conn.set_progress_handler(None, 0)
    info_mod.backup(conn, dest)  # the next try is not blocked
    assert os.listdir(tmp_path / "copies") == ["copy.db"]
    conn.close()


def test_a_backup_that_fails_after_writing_leaves_nothing(desk, tmp_path, monkeypatch):
    dest = str(tmp_path / "copy.db")
    real = db.Connection.execute

    def failing(self, sql, *args):
        result = real(self, sql, *args)
        if sql.startswith("VACUUM INTO"):
            assert os.path.getsize(args[0][0]) > 0  # the copy was written, under its temporary name
            raise sqlite3.OperationalError("disk I/O error")
        return result

    monkeypatch.setattr(db.Connection, "execute", failing)
    r = Cli(desk)("backup", dest)
    assert r.exit_code == 1 and r.stderr == f"Error: cannot write backup to {dest}: disk I/O error\n"
    assert sorted(os.listdir(tmp_path)) == ["dealer_export_gbk.csv", "desk.db"]


def test_a_dest_made_while_the_backup_ran_is_not_replaced(desk, tmp_path, monkeypatch):
    dest = str(tmp_path / "copy.db")
    real = db.Connection.execute

    def racing(self, sql, *args):
        result = real(self, sql, *args)
        if sql.startswith("VACUUM INTO"):
            write(dest, "someone else's file")
        return result

    monkeypatch.setattr(db.Connection, "execute", racing)
    r = Cli(desk)("backup", dest)
    assert r.exit_code == 1 and r.stderr == f"Error: {dest} already exists; choose a new file name\n"
    assert open(dest).read() == "someone else's file"
    assert sorted(os.listdir(tmp_path)) == ["copy.db", "dealer_export_gbk.csv", "desk.db"]


def test_a_killed_backups_leftover_does_not_block_the_next(desk, tmp_path):
    # kill -9 cannot be cleaned up after: what it leaves is a hidden, uniquely
    # named temporary file beside DEST, never DEST itself.
    leftover = tmp_path / ".copy.db.k1ll3d.part"
    leftover.write_bytes(b"SQLite format 3\x00 half a copy")
    dest = str(tmp_path / "copy.db")
    r = Cli(desk)("backup", dest)
    assert r.exit_code == 0 and sqlite3.connect(dest).execute("SELECT count(*) FROM orders").fetchone() == (36,)


def test_a_backup_of_a_read_only_desk(desk, tmp_path, monkeypatch):
    as_if_read_only(monkeypatch, desk)
    dest = str(tmp_path / "copy.db")
    r = Cli(desk)("backup", dest)
    assert r.exit_code == 0 and r.stderr == f"backup written to {dest}\n"
    assert sqlite3.connect(dest).execute("SELECT count(*) FROM orders").fetchone() == (36,)
