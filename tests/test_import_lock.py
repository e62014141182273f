"""A plain import holds no lock while it reads and converts (#28): it is rehearsed
beside the desk and landed in one short write, and when the desk changed under it
in a way its result depends on, it is done again under the lock, as if alone."""

import json
import shutil
import sqlite3
import subprocess
import time

import pytest

from callbackctl import rehearsal
from conftest import write

EXE = shutil.which("callbackctl")
NOW = "2026-11-23 11:00"
ORDERS = """order_no,service_type,customer,phone,region,completed_at,fee
A1,repair,Li,13800138000,East,2026-11-20 15:00,100
A2,repair,Wu,13800138001,East,2026-11-20 15:00,100
A3,repair,Zhao,13800138002,East,2026-11-20 15:00,100
"""
# A1's phone changes, A2 stays, N1-N3 are new, one row is bad.
FILE = """order_no,service_type,customer,phone,region,completed_at,fee
A1,repair,Li,13900139000,East,2026-11-20 15:00,100
A2,repair,Wu,13800138001,East,2026-11-20 15:00,100
N1,install,Sun,13700137000,West,2026-11-22 09:00,50
N2,repair,Qian,13700137001,West,2026-11-22 09:00,
N3,拆机,Zhou,13700137002,West,2026-11-22 09:00,
N4,repair,Feng,13700137003,West,2026-11-22 10:00,
"""


@pytest.fixture
def desk(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("CALLBACKCTL_FAST", "0")
    assert cli("import", write(tmp_path / "o.csv", ORDERS), now="2026-11-21 08:00").exit_code == 0
    return cli


def meanwhile(monkeypatch, action):
    """Run `action()` once while the import rehearses (after it read the file's first orders)."""
    done = []
    real = rehearsal.Rehearsal.pull

    def pull(self, numbers):
        real(self, numbers)
        if not done:
            done.append(action())
    monkeypatch.setattr(rehearsal.Rehearsal, "pull", pull)
    return done


def agent(db_path, *args, now=NOW):
    """Another process's command, timed: it must not wait for the import."""
    start = time.monotonic()
    r = subprocess.run([EXE, "--db", db_path, "--now", now, *args], capture_output=True, text=True, timeout=20)
    return r.returncode, time.monotonic() - start < 5


def imported(cli, path):
    r = cli("import", path, "-f", "json")
    return r.exit_code, [(s["inserted"], s["updated"], s["unchanged"], s["rejected"]) for s in json.loads(r.stdout)], r


def rows(db_path, sql):
    return sqlite3.connect(db_path).execute(sql).fetchall()


def test_an_agent_writes_while_a_file_is_read(desk, db_path, tmp_path, monkeypatch):
    done = meanwhile(monkeypatch, lambda: agent(db_path, "order", "set", "A3", "--fee", "5", "--reason", "改价"))
    code, summary, r = imported(desk, write(tmp_path / "f.csv", FILE))
    assert done == [(0, True)]
    assert (code, summary) == (1, [(3, 1, 1, 1)])
    assert r.stderr.endswith("f.csv: line 6: service_type: unknown service type '拆机'\n")
    assert rows(db_path, "SELECT order_no, phone, fee FROM orders ORDER BY id") == [
        ("A1", "13900139000", 100.0), ("A2", "13800138001", 100.0), ("A3", "13800138002", 5.0),
        ("N1", "13700137000", 50.0), ("N2", "13700137001", None), ("N4", "13700137003", None)]
    assert rows(db_path, "SELECT kind, order_no FROM events WHERE id > 1 ORDER BY id") == [
        ("order_corrected", "A3"), ("order_updated", "A1"), ("import", None)]
    assert rows(db_path, "SELECT batch_id, line FROM import_rejects") == [(2, 6)]
    assert rows(db_path, "SELECT id, read, inserted, updated, unchanged, rejected FROM import_batches") == [
        (1, 3, 3, 0, 0, 0), (2, 6, 3, 1, 1, 1)]


def test_a_correction_of_an_order_the_file_changes_wins_as_if_made_first(desk, db_path, tmp_path, monkeypatch):
    done = meanwhile(monkeypatch, lambda: agent(db_path, "order", "set", "A1", "--phone", "13600136000",
                                                "--reason", "客户来电"))
    code, summary, r = imported(desk, write(tmp_path / "f.csv", FILE))
    assert done == [(0, True)]
    assert (code, summary) == (1, [(3, 0, 2, 1)])  # done again under the lock: A1 is corrected
    assert "A1 phone kept as corrected on 2026-11-23 (the file has 13900139000)" in r.stderr
    assert rows(db_path, "SELECT phone FROM orders WHERE order_no = 'A1'") == [("13600136000",)]
    assert rows(db_path, "SELECT count(*), max(id) FROM import_batches") == [(2, 2)]


def test_a_new_order_stored_meanwhile_is_updated_not_doubled(desk, db_path, tmp_path, monkeypatch):
    other = write(tmp_path / "other.csv", "order_no,service_type,customer\nN1,install,Sun\n")
    done = meanwhile(monkeypatch, lambda: agent(db_path, "import", other))
    code, summary, r = imported(desk, write(tmp_path / "f.csv", FILE))
    assert done == [(0, True)]
    assert (code, summary) == (1, [(2, 2, 1, 1)])
    assert rows(db_path, "SELECT order_no, count(*) FROM orders WHERE order_no LIKE 'N%' GROUP BY 1") == [
        ("N1", 1), ("N2", 1), ("N4", 1)]
    assert rows(db_path, "SELECT id, file LIKE '%other.csv', inserted FROM import_batches") == [
        (1, 0, 3), (2, 1, 1), (3, 0, 2)]


def test_a_call_on_an_order_the_file_leaves_alone_lands_both(desk, db_path, tmp_path, monkeypatch):
    done = meanwhile(monkeypatch, lambda: agent(db_path, "record", "A2", "--outcome", "wrong_number"))
    code, summary, _ = imported(desk, write(tmp_path / "f.csv", FILE))
    assert done == [(0, True)]
    assert (code, summary) == (1, [(3, 1, 1, 1)])
    assert rows(db_path, "SELECT order_no, phone_valid FROM orders WHERE order_no IN ('A1', 'A2') ORDER BY 1") == [
        ("A1", 1), ("A2", 0)]


def test_a_failure_while_landing_leaves_the_desk_and_the_connection_as_they_were(desk, db_path, tmp_path,
                                                                                monkeypatch):
    before = rows(db_path, "SELECT * FROM orders ORDER BY id")

    def broken(self):
        self.conn.execute("INSERT INTO main.import_batches SELECT * FROM temp.import_batches WHERE id > ?",
                          (self.max_batch,))
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(rehearsal.Rehearsal, "_copy", broken)
    r = desk("import", write(tmp_path / "f.csv", FILE))
    assert (r.exit_code, r.stderr.splitlines()[-1]) == (1, "Error: No space left on device")
    assert rows(db_path, "SELECT * FROM orders ORDER BY id") == before
    assert rows(db_path, "SELECT count(*) FROM import_batches") == [(1,)]
    monkeypatch.undo()
    monkeypatch.setenv("CALLBACKCTL_FAST", "0")
    assert imported(desk, write(tmp_path / "f.csv", FILE))[:2] == (1, [(3, 1, 1, 1)])


def test_stdin_and_a_rehearsal_that_cannot_land_give_what_a_rehearsed_import_gives(cli, tmp_path, monkeypatch):
    """The same file three ways: rehearsed, under the lock after a failed landing, and from stdin."""
    from conftest import Cli

    monkeypatch.setenv("CALLBACKCTL_FAST", "0")
    dumps = []
    for way in ("rehearsed", "again", "stdin"):
        db = str(tmp_path / f"{way}.db")
        c = Cli(db)
        c("import", write(tmp_path / "o.csv", ORDERS), now="2026-11-21 08:00")
        c("order", "set", "A2", "--customer", "吴", "--reason", "写错")
        c("customer", "import", write(tmp_path / "c.csv", "name,phone\n孙,13700137000\n"))
        with monkeypatch.context() as m:
            if way == "again":
                m.setattr(rehearsal.Rehearsal, "land", lambda self, finish, indexes: self._close())
            path = write(tmp_path / "f.csv", FILE.replace("A2,repair,Wu", "A2,repair,Wu2"))
            r = c("import", "-", input=open(path, encoding="utf-8").read()) if way == "stdin" else c("import", path)
        assert r.exit_code == 1
        conn = sqlite3.connect(db)
        dumps.append([conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in
                      ("orders", "corrections", "customer_orders", "import_rejects")]
                     + [conn.execute("SELECT at, kind, order_no, detail FROM events ORDER BY id").fetchall()]
                     + [conn.execute("SELECT id, read, inserted, updated, unchanged, rejected FROM import_batches"
                                     ).fetchall()])
    assert dumps[0] == dumps[1]
    assert dumps[0][:4] == dumps[2][:4]  # stdin's batch is named "-" in its event and row


def test_another_file_meanwhile_only_moves_the_batchs_number(desk, db_path, tmp_path, monkeypatch):
    """A call log or another dealer's file landing during the import: the import lands after
    it under the next number, rehearsed once (found by the torture rerun: it was redone under
    the lock, and agents' writes waited for all of it)."""
    calls = write(tmp_path / "calls.csv", "order_no,outcome,called_at\nA3,no_answer,2026-11-23 10:00\n")
    done = meanwhile(monkeypatch, lambda: agent(db_path, "record", "--from", calls))
    rehearsed = []
    real = rehearsal.Rehearsal.__enter__
    monkeypatch.setattr(rehearsal.Rehearsal, "__enter__", lambda self: rehearsed.append(1) or real(self))
    code, summary, r = imported(desk, write(tmp_path / "f.csv", FILE))
    assert done == [(0, True)] and rehearsed == [1]
    assert (code, summary) == (1, [(3, 1, 1, 1)])
    assert rows(db_path, "SELECT id, file LIKE '%calls.csv' FROM import_batches") == [(1, 0), (2, 1), (3, 0)]
    assert rows(db_path, "SELECT DISTINCT batch_id FROM orders WHERE order_no LIKE 'N%'") == [(3,)]
    assert rows(db_path, "SELECT batch_id, line FROM import_rejects") == [(3, 6)]
    assert [json.loads(d)["batch"] for d, in rows(db_path, "SELECT detail FROM events WHERE kind IN "
                                                          "('import', 'order_updated') AND id > 1")] == [3, 3]
    assert rows(db_path, "SELECT count(*) FROM events WHERE detail LIKE '{\"batch\": 3, %'") == [(2,)]


def test_a_new_order_a_later_chunk_adds_to_lands_at_the_first_rehearsal(cli, db_path, tmp_path, monkeypatch):
    """N0's parts add up across the file's first and last chunks: the rehearsal kept N0's
    first row as if it were a stored order's and never landed (review of #28)."""
    from callbackctl import orders

    monkeypatch.setenv("CALLBACKCTL_FAST", "0")
    lines = ["order_no,service_type,customer,parts_replaced", "N0,repair,Li,filter"]
    lines += [f"X{i},repair,C{i}," for i in range(1, 5200)] + ["N0,repair,Li,pump"]
    rehearsed, locked = [], []
    real_enter, real_locked = rehearsal.Rehearsal.__enter__, orders._locked
    monkeypatch.setattr(rehearsal.Rehearsal, "__enter__", lambda self: rehearsed.append(1) or real_enter(self))
    monkeypatch.setattr(orders, "_locked", lambda *a: locked.append(1) or real_locked(*a))
    code, summary, _ = imported(cli, write(tmp_path / "split.csv", "\n".join(lines) + "\n"))
    assert (code, summary, len(rehearsed), locked) == (0, [(5200, 1, 0, 0)], 1, [])  # as the locked path counts
    assert rows(db_path, "SELECT parts_replaced FROM orders WHERE order_no = 'N0'") == [("filter, pump",)]


def test_a_change_to_another_field_of_an_order_the_file_changes_stands_beside_it(desk, db_path, tmp_path,
                                                                                 monkeypatch):
    """An agent corrects A1's fee while the file changes A1's phone: both stay, at the first
    rehearsal (the torture rerun: with agents correcting the file's orders all the time, every
    rehearsal clashed and the import held the lock 27 s)."""
    done = meanwhile(monkeypatch, lambda: agent(db_path, "order", "set", "A1", "--fee", "5", "--reason", "改价"))
    rehearsed = []
    real = rehearsal.Rehearsal.__enter__
    monkeypatch.setattr(rehearsal.Rehearsal, "__enter__", lambda self: rehearsed.append(1) or real(self))
    code, summary, _ = imported(desk, write(tmp_path / "f.csv", FILE))
    assert (done, rehearsed, code, summary) == ([(0, True)], [1], 1, [(3, 1, 1, 1)])
    assert rows(db_path, "SELECT phone, fee FROM orders WHERE order_no = 'A1'") == [("13900139000", 5.0)]
    assert rows(db_path, "SELECT field FROM corrections") == [("fee",)]
