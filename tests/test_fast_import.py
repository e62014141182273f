"""The [fast] extra's bulk import (callbackctl/fastimport.py) against the plain path (#21).

Differential: every file of the messy-file corpus (tests/corpus, with each case's own
options and policy), the fixtures, a benchmark-like file (bench/generate.py) and a
messy variant of it are imported with CALLBACKCTL_FAST=0 and with the fast path
forced (CALLBACKCTL_FAST=1, any size) into two fresh desks, then again (re-import,
and a changed file): the exit code, stdout, stderr and the tables (orders,
import_batches, import_rejects, events, customer_orders) must be identical. The
bulk files must really have taken the fast path (fastimport.last), so the test
cannot pass by always falling back. Skipped without polars and adbc-driver-sqlite.
"""

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

pytest.importorskip("polars")
pytest.importorskip("adbc_driver_sqlite")

from callbackctl import demo, fastimport  # noqa: E402
from corpus_expected import CASES  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "bench"))
import generate  # noqa: E402

NOW = "2026-11-23 10:00"
TABLES = ("orders", "import_batches", "import_rejects", "events", "customer_orders")


def dump(db):
    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in TABLES}
    finally:
        conn.close()


class Pair:
    """Two desks, one imported into by each path, compared after every command."""

    def __init__(self, tmp_path, policy=""):
        self.dbs = {}
        for mode in ("0", "1"):
            folder = tmp_path / f"fast{mode}"
            folder.mkdir(exist_ok=True)
            self.dbs[mode] = str(folder / "desk.db")
        self.policy = None
        if policy:
            self.policy = tmp_path / "policy.toml"
            self.policy.write_text(policy, encoding="utf-8")
        self.runner = CliRunner()

    def run(self, monkeypatch, *args, now=NOW):
        from callbackctl.cli import app

        out = {}
        for mode, db in self.dbs.items():
            monkeypatch.setenv(fastimport.ENV, mode)
            argv = ["--db", db, "--now", now] + (["--policy", str(self.policy)] if self.policy else [])
            r = self.runner.invoke(app, argv + [str(a) for a in args], catch_exceptions=False)
            out[mode] = (r.exit_code, r.stdout.replace(db, "DESK"), r.stderr.replace(db, "DESK"), dict(fastimport.last))
        plain, fast = out["0"], out["1"]
        assert fast[:3] == plain[:3]
        assert dump(self.dbs["1"]) == dump(self.dbs["0"])
        return fast[3]


CORPUS = sorted(CASES.items())


@pytest.mark.parametrize("key,case", CORPUS, ids=[k for k, _ in CORPUS])
def test_corpus_file_imports_as_without_the_extra(key, case, tmp_path, monkeypatch):
    for name in case.before + [case.file]:
        shutil.copy(HERE / "corpus" / name, tmp_path / Path(name).name)
    pair = Pair(tmp_path, case.policy)
    for name in case.before:
        pair.run(monkeypatch, "import", Path(name).name, "-f", "csv")
    path = Path(case.file).name
    pair.run(monkeypatch, "import", path, "-f", "csv", *case.args)
    pair.run(monkeypatch, "import", path, "-f", "csv", *case.args, now="2026-11-24 09:00")  # again


@pytest.mark.parametrize("name", ["dealer_export_gbk.csv", "service_orders_utf8bom.csv", "service_history.csv"])
def test_fixture_files_twice_in_one_command_and_again(name, tmp_path, monkeypatch):
    shutil.copy(demo.fixture_path(name), tmp_path / name)
    pair = Pair(tmp_path)
    pair.run(monkeypatch, "import", name, name, "-f", "csv")
    pair.run(monkeypatch, "import", name, "-f", "csv", "--dry-run")
    pair.run(monkeypatch, "import", name, "-f", "csv", "--strict")
    pair.run(monkeypatch, "import", name, "-f", "csv")


@pytest.fixture(scope="module")
def bench_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "orders.csv"
    generate.write_orders(str(path), 20_000)
    return path


def test_benchmark_file_new_and_again_takes_the_fast_path(bench_file, tmp_path, monkeypatch):
    pair = Pair(tmp_path)
    taken = pair.run(monkeypatch, "import", bench_file, "-f", "csv")
    assert taken["path"] == "fast" and taken["fast_rows"] == 20_000 and taken["python_rows"] == 0
    taken = pair.run(monkeypatch, "import", bench_file, "-f", "csv", now="2026-11-24 09:00")
    assert taken["path"] == "fast" and taken["fast_rows"] == 20_000 and taken["python_rows"] == 0


def messy(source, target, seed=7):
    """The benchmark file with what dealers' files hold: repeats (agreeing, filling, clashing),
    bad cells of every parsed kind, spaces, quotes, blank, short and long rows, other spellings.
    A chunk of 5000 rows with one such row goes to Python whole: two chunks are left clean."""
    rnd = random.Random(seed)
    lines = source.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    out = [header + ",备注"]
    for i, line in enumerate(rows):
        cells = line.split(",") if '"' not in line else None
        r = rnd.random()
        if cells is None or r > 0.08 or i // 5000 in (1, 3):  # two chunks of 5000 rows left clean
            out.append(line + ("," if i % 3 else ',"say ""hi"" \\ ok"'))
            continue
        k = rnd.randrange(22)
        if k == 0:
            cells[11] = cells[11].replace(" ", "T")                   # ISO with T
        elif k == 1:
            cells[12] = cells[12] + ":60"                             # a second of 60: Python's
        elif k == 2:
            cells[13] = "2026/02/30 10:00"                            # impossible date
        elif k == 3:
            cells[1] = "拆机"                                          # unknown service type
        elif k == 4:
            cells[1] = "维修"                                          # an alias
        elif k == 5:
            cells[3] = "+86 138-0013-8000"                            # a phone to clean
        elif k == 6:
            cells[15] = "1,234.5"                                     # a grouped number
        elif k == 7:
            cells[15] = "12,5"                                        # a decimal comma: rejected
        elif k == 8:
            cells[2] = "  " + cells[2] + "\u3000"                     # spaces to strip
        elif k == 9:
            cells[5] = "市区"                                           # a zone alias
        elif k == 10:
            cells[19] = "maybe"                                       # not a yes/no
        elif k == 11:
            cells[0] = rows[max(0, i - rnd.randrange(1, 6000))].split(",")[0]   # a repeat (near or far)
        elif k == 12:
            cells = cells[:5]                                         # a short row
        elif k == 13:
            cells = cells + ["", "spill"]                             # a long row
        elif k == 14:
            cells[1] = ""                                             # no service type
        elif k == 15:
            cells[0] = " " + cells[0]                                 # a padded order number
        elif k == 16:
            out.append(",,,")                                         # a blank row
        elif k == 17:
            cells[14] = ""                                            # open
            cells.append("cancelled")
        elif k == 18:
            cells[11] = "1899-12-31 10:00"                            # out of the years
        elif k == 19:
            cells[20] = "tab\tinside"                                 # a control character in an extra
        elif k == 20:
            cells[0] = ""                                             # no order number
        else:
            out.append("")                                            # an empty line
        out.append(",".join(cells) + ("," if len(cells) == 21 else ""))
    target.write_text("\r\n".join(out) + "\r\n", encoding="utf-8")
    return target


def test_messy_benchmark_file_new_again_and_changed(bench_file, tmp_path, monkeypatch):
    monkeypatch.setattr(fastimport, "BLOCK_BYTES", 200_000)  # chunks of 5000 rows over several blocks
    messy_file = messy(bench_file, tmp_path / "messy.csv")
    pair = Pair(tmp_path)
    taken = pair.run(monkeypatch, "import", messy_file, "-f", "csv")
    assert taken["path"] == "fast" and taken["fast_rows"] > 0 and taken["python_rows"] > 0
    pair.run(monkeypatch, "import", messy_file, "-f", "csv", "--dry-run")
    pair.run(monkeypatch, "import", messy_file, "-f", "csv", now="2026-11-24 09:00")
    # a file with changes: some orders re-dated, one region renamed, new ones added
    lines = bench_file.read_text(encoding="utf-8").splitlines()
    changed = [lines[0]] + [ln.replace("East", "Far East") if i % 997 == 0 else ln for i, ln in enumerate(lines[1:])]
    changed += [f"X{i:05d},repair,New {i},13800138000,,,,,,,,2026-11-01 08:00,,,,,,,,," for i in range(50)]
    (tmp_path / "changed.csv").write_text("\n".join(changed) + "\n", encoding="utf-8")
    taken = pair.run(monkeypatch, "import", tmp_path / "changed.csv", "-f", "csv", now="2026-11-25 09:00")
    assert taken["path"] == "fast" and taken["fast_rows"] > 0 and taken["python_rows"] > 0
    pair.run(monkeypatch, "import", bench_file, "-f", "csv", "--strict", now="2026-11-26 09:00")


def test_numbers_that_round_to_the_limit_and_a_cell_over_the_csv_limit(bench_file, tmp_path, monkeypatch):
    """Found by a new user: 999999999999.99999 rounds to 1e12, which normalize.number
    refuses; a cell over 16 MiB is refused by the plain reader. Both are rejected both ways."""
    lines = bench_file.read_text(encoding="utf-8").splitlines()
    for at, column, value in ((7502, 15, "999999999999.99999"), (12502, 17, "999999999999.9999999"),
                              (15002, 15, "99999999999.5")):
        cells = lines[at - 1].split(",")
        cells[column] = value
        lines[at - 1] = ",".join(cells)
    numbers = tmp_path / "numbers.csv"
    numbers.write_text("\n".join(lines) + "\n", encoding="utf-8")
    pair = Pair(tmp_path)
    taken = pair.run(monkeypatch, "import", numbers, "-f", "csv")
    assert taken["path"] == "fast" and taken["python_rows"] == 10_000  # the two chunks with a number too large
    huge = tmp_path / "huge.csv"
    cells = lines[2].split(",")
    cells[4] = "x" * (17 << 20)
    huge.write_text("\n".join([lines[0], lines[1], ",".join(cells)]) + "\n", encoding="utf-8")
    (tmp_path / "huge").mkdir()
    taken = Pair(tmp_path / "huge").run(monkeypatch, "import", huge, "-f", "csv")
    assert taken["path"] == "plain" and "cell limit" in taken["why"]
    from callbackctl.cli import app

    r = CliRunner().invoke(app, ["--db", str(tmp_path / "huge" / "again.db"), "--now", NOW, "import", str(huge)])
    assert r.exit_code == 1
    assert f"{huge}: line 3: field larger than field limit (16777216)\n" in r.stderr  # the line named once


def test_a_file_messy_in_every_chunk_goes_the_plain_way_after_one_block(bench_file, tmp_path, monkeypatch):
    """One odd phone in every 5000 rows: every chunk would go to Python; the first block
    (eight chunks here) shows it, and the plain path imports the file, with the same result."""
    lines = bench_file.read_text(encoding="utf-8").splitlines()
    for at in range(1, len(lines), 2500):
        cells = lines[at].split(",")
        cells[3] = "+86 " + cells[3]
        lines[at] = ",".join(cells)
    odd = tmp_path / "odd.csv"
    odd.write_text("\n".join(lines) + "\n", encoding="utf-8")
    taken = Pair(tmp_path).run(monkeypatch, "import", odd, "-f", "csv")
    assert taken["path"] == "plain" and taken["why"] == "a row Python must convert in each of the first 4 chunks"


def test_customers_are_linked_as_without_the_extra(bench_file, tmp_path, monkeypatch):
    pair = Pair(tmp_path)
    phones = [ln.split(",")[3] for ln in bench_file.read_text(encoding="utf-8").splitlines()[1:200]]
    customers = tmp_path / "customers.csv"
    customers.write_text("customer,phone,class\n" + "".join(f"C{i},{p},A\n" for i, p in enumerate(phones)),
                         encoding="utf-8")
    pair.run(monkeypatch, "customer", "import", customers, "-f", "csv")
    pair.run(monkeypatch, "import", bench_file, "-f", "csv")


def test_strip_matches_python_for_every_space():
    import polars as pl

    spaces = [chr(c) for c in range(0x110000) if chr(c).isspace()]
    assert "".join(spaces) == fastimport.PY_SPACES
    cells = [f"{s}x{s}" for s in spaces] + ["x\u200b", "\ufeffx", "x"]
    got = pl.select(fastimport._strip(pl, pl.lit(pl.Series(cells)))).to_series().to_list()
    assert got == [c.strip() or None for c in cells]
    edge = pl.Series(cells).str.contains(r"^[\s\x1c-\x1f]|[\s\x1c-\x1f]$").to_list()
    assert edge == [c != c.strip() for c in cells]


def test_kill_during_the_import_leaves_the_desk_as_it_was(tmp_path):
    """kill -9 while the fast path writes: the desk is unchanged and opens."""
    big = tmp_path / "big.csv"
    generate.write_orders(str(big), 100_000)
    db = tmp_path / "desk.db"
    first = tmp_path / "first.csv"
    first.write_text("order_no,service_type\nK1,repair\n", encoding="utf-8")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, fastimport.ENV: "1", "CALLBACKCTL_LANG": "en", "TMPDIR": str(scratch)}
    cmd = [sys.executable, "-m", "callbackctl", "--db", str(db), "--now", NOW, "import"]
    subprocess.run(cmd + [str(first)], env=env, check=True, capture_output=True)
    before = dump(db)
    proc = subprocess.Popen(cmd + [str(big)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wal = Path(str(db) + "-wal")
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        if wal.exists() and wal.stat().st_size > 4 << 20:  # the orders are being written
            break
        time.sleep(0.005)
    assert proc.poll() is None, "the import ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert dump(db) == before
    assert [p.name[:19] for p in scratch.iterdir()] == ["callbackctl-import-"]  # the scratch file, left behind
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    conn.close()
    r = subprocess.run([sys.executable, "-m", "callbackctl", "--db", str(db), "--now", NOW, "find", "K1"],
                       env=env, capture_output=True, text=True)
    assert r.returncode == 0 and "K1" in r.stdout
    # the next bulk import removes the scratch folder the killed one left, and leaves none of its own
    other = scratch / f"{fastimport.SCRATCH_PREFIX}{os.getpid()}-alive"
    other.mkdir()  # a running import's (this process is alive): kept
    subprocess.run(cmd + [str(first)], env=env, check=True, capture_output=True)
    assert [p.name for p in scratch.iterdir()] == [other.name]


def test_corrections_are_kept_as_without_the_extra(bench_file, tmp_path, monkeypatch):
    """Corrected orders in every chunk: the same file again stays on the fast path (their
    imported values are compared in SQL), a file with new values for them goes to Python,
    and both desks keep the same corrections, warnings and values for a revert."""
    pair = Pair(tmp_path)
    pair.run(monkeypatch, "import", bench_file, "-f", "csv")
    numbers = [ln.split(",")[0] for ln in bench_file.read_text(encoding="utf-8").splitlines()[1::397]]
    for no in numbers:
        pair.run(monkeypatch, "order", "set", no, "--phone", "13911112222", "--fee", "1", "--reason", "更正",
                 now="2026-11-23 11:00")
    taken = pair.run(monkeypatch, "import", bench_file, "-f", "csv", now="2026-11-24 09:00")
    assert taken["path"] == "fast" and taken["fast_rows"] == 20_000 and taken["python_rows"] == 0
    lines = bench_file.read_text(encoding="utf-8").splitlines()
    def new_phone(line):
        cells = line.split(",")
        return ",".join(cells[:3] + ["13700000000"] + cells[4:])

    changed = [lines[0]] + [new_phone(ln) if i % 794 == 0 else ln for i, ln in enumerate(lines[1:])]
    (tmp_path / "changed.csv").write_text("\n".join(changed) + "\n", encoding="utf-8")
    taken = pair.run(monkeypatch, "import", tmp_path / "changed.csv", "-f", "csv", now="2026-11-25 09:00")
    assert taken["python_rows"] > 0
    pair.run(monkeypatch, "order", "revert", numbers[0], "phone", "--reason", "x", now="2026-11-26 09:00")
    for db in pair.dbs.values():
        assert sqlite3.connect(db).execute("SELECT count(*) FROM corrections").fetchone() == (2 * len(numbers) - 1,)
