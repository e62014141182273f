"""No path a user types destroys the desk or an input (#28): every -o, --output, --rejects,
form and backup goes through outfile.py."""

import os
import sqlite3
import stat

import pytest

from conftest import write

ORDERS = "order_no,service_type,phone,completed_at\nA1,repair,13800138000,2026-11-20 15:00\nA2,拆机,1,2026-11-20\n"


@pytest.fixture
def desk(cli, tmp_path):
    cli("import", write(tmp_path / "in.csv", ORDERS))
    return cli


def orders_in(db_path):
    return sqlite3.connect(db_path).execute("SELECT order_no FROM orders ORDER BY 1").fetchall()


@pytest.mark.parametrize("args, option", [
    (["import", "{tmp}/in.csv", "--rejects", "{db}"], "--rejects"),
    (["export", "orders", "-o", "{db}"], "--output"),
    (["export", "orders", "-f", "csv", "-o", "{db}-wal"], "--output"),
    (["due", "-f", "xlsx", "-o", "{db}"], "--output"),
    (["record", "--from", "{tmp}/in.csv", "--rejects", "{db}"], "--rejects"),
])
def test_the_desk_is_never_an_output(desk, db_path, tmp_path, args, option):
    before = open(db_path, "rb").read()
    argv = [a.format(tmp=tmp_path, db=db_path) for a in args]
    r = desk(*argv)
    target = argv[argv.index(option if option in argv else "-o") + 1]
    assert (r.exit_code, r.stdout, r.stderr) == (
        2, "", f"Error: {option}: {target} is the desk file: writing there would destroy it; choose another name\n")
    assert open(db_path, "rb").read() == before
    assert orders_in(db_path) == [("A1",)]


def test_an_input_is_never_an_output(desk, db_path, tmp_path):
    path = str(tmp_path / "in.csv")
    r = desk("import", path, "--rejects", path)
    assert (r.exit_code, r.stderr) == (
        2, f"Error: --rejects: {path} is an input of this command: writing there would destroy it; "
           "choose another name\n")
    assert open(path, encoding="utf-8").read() == ORDERS
    fresh = write(tmp_path / "fresh.csv", ORDERS)  # not imported before: refused as this command's input
    r = desk("import", fresh, "-f", "csv", "-o", fresh)
    assert r.exit_code == 2 and r.stderr.startswith(f"Error: --output: {fresh} is an input of this command")
    assert open(fresh, encoding="utf-8").read() == ORDERS


@pytest.mark.parametrize("args", [["export", "orders", "-o", "{path}"], ["report", "--name", "weekly", "-o", "{path}"],
                                  ["report", "--name", "dissatisfied", "-f", "csv", "-o", "{path}"]])
def test_a_file_imported_before_is_never_an_output(desk, db_path, tmp_path, monkeypatch, args):
    """The dealer's export, imported by an earlier command (its name kept as typed), however it is named now."""
    monkeypatch.chdir(tmp_path)
    for path in ("in.csv", "./in.csv", str(tmp_path / "in.csv")):
        r = desk(*[a.format(path=path) for a in args])
        assert (r.exit_code, r.stdout, r.stderr) == (
            2, "", f"Error: --output: {path} was imported into this desk (batch 1): writing there would destroy it; "
                   "choose another name\n")
    assert open(tmp_path / "in.csv", encoding="utf-8").read() == ORDERS
    assert desk(*[a.format(path="out.xlsx" if "weekly" in args else "out.csv") for a in args]).exit_code == 0


def test_a_link_is_refused_and_its_target_untouched(desk, tmp_path):
    target = tmp_path / "precious.txt"
    target.write_text("keep me", encoding="utf-8")
    os.chmod(target, 0o644)
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    r = desk("export", "orders", "-o", link)
    assert (r.exit_code, r.stderr) == (2, f"Error: --output: {link} is a symbolic link: give the file itself\n")
    assert target.read_text(encoding="utf-8") == "keep me" and stat.S_IMODE(target.stat().st_mode) == 0o644
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to(tmp_path / "nowhere.csv")
    r = desk("export", "orders", "-o", dangling)
    assert r.exit_code == 2 and not (tmp_path / "nowhere.csv").exists()


def test_a_fifo_or_device_is_refused(desk, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    r = desk("export", "orders", "-o", fifo)
    assert (r.exit_code, r.stderr) == (2, f"Error: --output: {fifo} is not a regular file: give a file to write\n")
    assert desk("export", "orders", "-o", os.devnull).exit_code == 0


def test_an_output_replaces_the_old_file_whole_and_is_private(desk, tmp_path):
    out = tmp_path / "orders.csv"
    out.write_text("old\n", encoding="utf-8")
    os.chmod(out, 0o644)
    r = desk("export", "orders", "-o", out)
    assert r.exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("order_no,")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_record_from_writes_its_rejects(desk, tmp_path):
    calls = write(tmp_path / "calls.csv", "order_no,outcome\nA1,no_answer\nZZ,no_answer\n")
    r = desk("record", "--from", calls, "--rejects", tmp_path / "bad.csv")
    assert r.exit_code == 1
    text = (tmp_path / "bad.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines() == ["file,order_no,outcome,line,error", f"{calls},ZZ,no_answer,3,unknown order 'ZZ'"]
    assert stat.S_IMODE((tmp_path / "bad.csv").stat().st_mode) == 0o600


def test_a_killed_backups_leftovers_go_at_the_next_backup(desk, tmp_path):
    dead = 2 ** 22 + 12345  # above any pid this machine gives
    left = [tmp_path / f".old.db.{dead}.x1y2.part", tmp_path / f".old.db.{dead}.x1y2.part-journal"]
    for p in left:
        p.write_bytes(b"phone numbers")
    mine = tmp_path / ".old.db.1.abcd.part"  # a live process's (pid 1): kept
    mine.write_bytes(b"")
    r = desk("backup", tmp_path / "old.db")
    assert r.exit_code == 0, r.output
    assert [p.exists() for p in left] == [False, False] and mine.exists()


def test_a_regional_file_or_the_policy_is_never_an_output(desk, db_path, tmp_path):
    region = tmp_path / "region.db"
    shutil_copy = __import__("shutil").copy
    shutil_copy(db_path, region)
    before = region.read_bytes()
    r = desk("merge", region, "-o", region)
    assert (r.exit_code, r.stderr) == (2, f"Error: --output: {region} is an input of this command: writing there "
                                          "would destroy it; choose another name\n")
    assert region.read_bytes() == before
    policy = tmp_path / "p.toml"
    policy.write_text("[callback]\nretry_after = \"1h\"\n", encoding="utf-8")
    r = desk("due", "-o", policy, policy=policy)
    assert r.exit_code == 2 and policy.read_text(encoding="utf-8") == "[callback]\nretry_after = \"1h\"\n"


def test_dev_stdout_is_written_straight_through(desk, tmp_path):
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "callbackctl", "--db", str(tmp_path / "desk.db"), "--now",
                        "2026-11-23 10:00", "export", "orders", "-f", "csv", "-o", "/dev/stdout"],
                       capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.startswith("order_no,")
