"""A crash never leaves half an import; concurrent writers all get through."""

import shutil
import signal
import sqlite3
import subprocess
import time

import pytest

EXE = shutil.which("callbackctl")
pytestmark = pytest.mark.skipif(EXE is None, reason="callbackctl must be installed (pip install -e .)")


def big_csv(path, n):
    with open(path, "w", encoding="utf-8") as f:
        f.write("order_no,service_type,customer,phone,region,completed_at,machine_hours\n")
        for i in range(n):
            f.write(f"K{i:07d},repair,Customer {i},1380013{i % 10000:04d},R{i % 7},2026-11-{1 + i % 20:02d} 10:{i % 60:02d},{i}\n")
    return str(path)


def counts(db):
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return (conn.execute("SELECT count(*) FROM orders").fetchone()[0],
                conn.execute("SELECT count(*) FROM import_batches").fetchone()[0])
    finally:
        conn.close()


def test_kill_9_during_import_leaves_all_or_nothing(tmp_path):
    n = 40_000
    src = big_csv(tmp_path / "big.csv", n)
    db = str(tmp_path / "crash.db")
    subprocess.run([EXE, "--db", db, "info"], check=True, capture_output=True)
    for delay in (0.3, 0.9, 1.6):
        p = subprocess.Popen([EXE, "--db", db, "--now", "2026-11-23 10:00", "import", src],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        assert counts(db) in ((0, 0), (n, 1)), f"killed after {delay}s"
    r = subprocess.run([EXE, "--db", db, "--now", "2026-11-23 10:00", "import", src], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    orders, batches = counts(db)
    assert orders == n and batches >= 1


def test_eight_writers_and_a_chase_at_once(tmp_path):
    db = str(tmp_path / "busy.db")
    src = tmp_path / "o.csv"
    rows = "".join(f"C{i:03d},repair,Li,13800138000,,2026-11-20 10:00,\n" for i in range(40))
    rows += "".join(f"D{i:03d},repair,Wu,13800138001,2026-11-18 10:00,,\n" for i in range(20))
    src.write_text("order_no,service_type,customer,phone,reported_at,completed_at,status\n" + rows)
    subprocess.run([EXE, "--db", db, "import", str(src)], check=True, capture_output=True)
    procs = []
    for w in range(8):
        cmds = " && ".join(
            f"'{EXE}' --db '{db}' --now '2026-11-23 10:00' record C{w * 5 + k:03d} --outcome reached --satisfaction 4"
            for k in range(5))
        procs.append(subprocess.Popen(["sh", "-c", cmds], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
    procs.append(subprocess.Popen([EXE, "--db", db, "--now", "2026-11-23 10:00", "chase", "--record"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
    results = [(p.wait(), p.stderr.read()) for p in procs]
    assert all(code == 0 for code, _ in results), results
    assert not any("locked" in err or "busy" in err for _, err in results)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM callbacks").fetchone() == (40,)
    assert conn.execute("SELECT count(*) FROM chases").fetchone() == (20,)
    assert conn.execute("SELECT count(*) FROM events WHERE kind IN ('callback_recorded', 'chased')").fetchone() == (60,)


def test_backup_while_an_import_writes(tmp_path):
    n = 30_000
    src = big_csv(tmp_path / "big.csv", n)
    db = str(tmp_path / "live.db")
    subprocess.run([EXE, "--db", db, "info"], check=True, capture_output=True)
    p = subprocess.Popen([EXE, "--db", db, "--now", "2026-11-23 10:00", "import", src],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(0.8)
    copy = str(tmp_path / "copy.db")
    r = subprocess.run([EXE, "--db", db, "backup", copy], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert p.wait() == 0
    assert counts(copy) in ((0, 0), (n, 1))  # one consistent moment: before or after the import
    assert counts(db) == (n, 1)
