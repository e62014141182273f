"""record --from: each call in a savepoint of its own, directly in the file's transaction.

A savepoint for the whole file around them (which only import --strict needs)
made each release slower than the last: 10k calls took 35 s on the 1M-order
desk, not 3 s.
The depth of the savepoints is what these tests pin; the time is bench/run.py's.
"""

import sqlite3

import pytest

from callbackctl import db
from conftest import write

ORDERS = "order_no,service_type,phone,completed_at\n" + "".join(
    f"S{i},repair,1380013800{i},2026-11-20 10:00\n" for i in range(3))
CALLS = "order_no,outcome,satisfaction,called_at\n" + "".join(
    f"S{i},reached,满意,2026-11-23 09:0{i}\n" for i in range(3)) + "NOPE,reached,满意,2026-11-23 09:05\n"


@pytest.fixture
def depths(monkeypatch):
    """The deepest savepoint nesting of each transaction the command ran."""
    seen, depth = [], [0]
    real = db.Connection.execute

    def execute(self, sql, *args):
        word = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
        if word == "SAVEPOINT":
            depth[0] += 1
            seen.append(depth[0])
        elif word == "RELEASE":
            depth[0] -= 1
        return real(self, sql, *args)
    monkeypatch.setattr(db.Connection, "execute", execute)
    return seen


def test_each_call_is_one_savepoint_deep(cli, db_path, tmp_path, depths):
    assert cli("import", write(tmp_path / "o.csv", ORDERS)).exit_code == 0
    depths.clear()
    r = cli("record", "--from", write(tmp_path / "calls.csv", CALLS), now="2026-11-23 10:00")
    assert (r.exit_code, r.stderr.splitlines()[-1]) == (1, "3 call(s) recorded, 1 rejected (batch 2)")
    assert depths == [1, 1, 1, 1]  # one for each row tried, the bad one's undone alone
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM callbacks").fetchone() == (3,)


def test_more_than_five_rejected_calls_say_where_the_rest_are(cli, tmp_path):
    assert cli("import", write(tmp_path / "o.csv", ORDERS)).exit_code == 0
    bad = "order_no,outcome,called_at\n" + "".join(f"NOPE{i},no_answer,2026-11-23 09:0{i}\n" for i in range(7))
    r = cli("record", "--from", write(tmp_path / "bad.csv", bad), now="2026-11-23 10:00")
    lines = r.stderr.splitlines()
    assert r.exit_code == 1 and len(lines) == 7
    assert lines[4].endswith(": line 6: unknown order 'NOPE4'")
    assert lines[5:] == ["... 2 more rejected row(s): see `callbackctl rejects`",
                         "0 call(s) recorded, 7 rejected (batch 2)"]
