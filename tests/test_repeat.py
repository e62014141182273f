"""Safe to repeat: the nightly recipe run twice changes nothing the second time, and two
processes doing the same recording at once record it once."""

import shutil
import sqlite3
import subprocess

import pytest

from callbackctl import demo

EXE = shutil.which("callbackctl")
pytestmark = pytest.mark.skipif(EXE is None, reason="callbackctl must be installed (pip install -e .)")
NOW = "2026-11-23 18:30"
# What records that a command ran (import batches and the audit log) is allowed to grow;
# the desk's data is not.
RUN_LOG = {"import_batches", "import_rejects", "events", "_sqlite_migrations"}

CALLS = "工单号,回访结果,满意度,回访时间,回访人\nSY2026110002,已接通,满意,2026-11-23 16:00,王芳\n"


def run(db, *args, now=NOW, input=None):
    r = subprocess.run([EXE, "--db", db, "--now", now, *args], capture_output=True, text=True, input=input,
                       timeout=60)
    assert r.returncode in (0, 1), r.stderr
    return r


def dump(db):
    conn = sqlite3.connect(db)
    try:
        tables = [t for t, in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in tables if t not in RUN_LOG}
    finally:
        conn.close()


def nightly(db, folder):
    """The README's cron recipe, with the day's imports, the call log and head office's sample."""
    for name in demo.FIXTURES:
        run(db, "import", str(folder / name))
    run(db, "record", "--from", str(folder / "calls.csv"))
    run(db, "due", "--until", "tomorrow 17:00", "-f", "csv")
    run(db, "chase", "--record", "-f", "csv")
    run(db, "sample", "--rate", "0.5", "--seed", "7", "--from", "2026-11-01")
    run(db, "report", "-f", "csv")


def test_the_nightly_recipe_twice_changes_nothing_the_second_time(tmp_path):
    db = str(tmp_path / "desk.db")
    for name in demo.FIXTURES:
        shutil.copy(demo.fixture_path(name), tmp_path / name)
    (tmp_path / "calls.csv").write_text(CALLS, encoding="gbk")
    nightly(db, tmp_path)
    once = dump(db)
    rejects = run(db, "rejects", "-f", "csv").stdout
    assert len(once["chases"]) > 0 and len(once["spot_checks"]) > 0 and len(once["callbacks"]) == 1
    events = sqlite3.connect(db).execute("SELECT count(*) FROM events").fetchone()[0]
    nightly(db, tmp_path)
    assert dump(db) == once
    # the same bad rows, read again, are listed once (with the last batch that read them)
    again = run(db, "rejects", "-f", "csv").stdout
    strip = lambda text: [line.split(",", 1)[1].rsplit(",", 1)[0] for line in text.splitlines()[1:]]  # noqa: E731
    assert strip(again) == strip(rejects) and len(strip(rejects)) == 5
    kinds = {k for k, in sqlite3.connect(db).execute("SELECT DISTINCT kind FROM events WHERE id > ?", (events,))}
    assert kinds == {"import"}  # the second run logged that it read the files, and changed nothing
    # each bad row's content is stored once; the second run's batches point at it
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*), count(repeat_of), sum(raw = '') FROM import_rejects").fetchone() == (10, 5, 5)
    last = conn.execute("SELECT max(batch_id) FROM import_rejects").fetchone()[0]
    first = conn.execute("SELECT batch_id FROM import_rejects WHERE id = (SELECT repeat_of FROM import_rejects "
                         "WHERE batch_id = ?)", (last,)).fetchone()[0]
    listed = [run(db, "rejects", "--batch", str(b), "-f", "csv").stdout.splitlines() for b in (first, last)]
    assert [line.split(",", 2)[2].rsplit(",", 1)[0] for line in listed[0]] == \
        [line.split(",", 2)[2].rsplit(",", 1)[0] for line in listed[1]] != []


def test_two_processes_recording_the_same_chases_and_sample_at_once(tmp_path):
    db = str(tmp_path / "desk.db")
    for name in demo.FIXTURES:
        shutil.copy(demo.fixture_path(name), tmp_path / name)
    subprocess.run([EXE, "--db", db, "demo"], check=True, capture_output=True, cwd=tmp_path)
    listed = len(run(db, "chase", "-f", "csv").stdout.splitlines()) - 1
    assert listed > 0
    for args in (["chase", "--record"], ["sample", "--rate", "0.5", "--seed", "7"]):
        procs = [subprocess.Popen([EXE, "--db", db, "--now", NOW, *args], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
        for p in procs:
            assert p.wait(timeout=60) == 0, p.stderr.read()
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*), count(DISTINCT order_id) FROM chases").fetchone() == (listed, listed)
    picked = conn.execute("SELECT count(*), count(DISTINCT order_id) FROM spot_checks").fetchone()
    assert picked[0] == picked[1] > 0
    # and the pick is the one a single run makes
    again = run(db, "sample", "--rate", "0.5", "--seed", "7")
    assert again.stderr.startswith(f"0 spot check(s) due now, {picked[0]} sampled before")


def test_the_same_record_command_twice_records_one_call(tmp_path):
    """A shell with CALLBACKCTL_NOW exported, or a retried script, runs `record` again."""
    db = str(tmp_path / "demo.db")
    subprocess.run([EXE, "--db", db, "demo"], check=True, capture_output=True)
    first = run(db, "record", "SY2026110001", "-o", "n", now="2026-11-23 10:00")
    before = dump(db)
    again = run(db, "record", "SY2026110001", "-o", "n", now="2026-11-23 10:00")
    assert (again.returncode, again.stdout, again.stderr) == (
        0, "", "SY2026110001: this call (no_answer at 2026-11-23 10:00:00) was recorded before; nothing changed\n")
    assert dump(db) == before and first.stdout.count("SY2026110001") == 1
    later = run(db, "record", "SY2026110001", "-o", "n", now="2026-11-23 15:00")  # a real second attempt
    assert "Warning" not in later.stderr and later.stdout.count("no_answer") == 1


def test_a_promise_before_the_call_is_refused(tmp_path):
    db = str(tmp_path / "demo.db")
    subprocess.run([EXE, "--db", db, "demo"], check=True, capture_output=True)
    r = subprocess.run([EXE, "--db", db, "--now", "2026-11-23 10:00", "record", "SY2026110001", "-o", "busy",
                        "--callback-at", "09:00"], capture_output=True, text=True)
    assert (r.returncode, r.stderr) == (2, "Error: --callback-at: 2026-11-23 09:00:00 is not after the call "
                                           "(2026-11-23 10:00:00): a promised call-back comes later\n")
