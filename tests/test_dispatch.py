"""chase at fixed times. Desk hours 08:30-17:00 on working days; feedback within 4 desk hours;
respond within urban 24h, suburban 48h, other 72h wall-clock."""

import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess

import pytest

from conftest import write

HEAD = "order_no,service_type,zone,region,provider,engineer,customer,phone,reported_at,feedback_at,appointment_at,completed_at,status\n"


def chase(cli, *args, now):
    r = cli("chase", "-f", "csv", *args, now=now)
    assert r.exit_code == 0, r.output
    return [(x["order_no"], x["reason"], x["deadline"][5:16], x["overdue_hours"], x["chases"])
            for x in csv.DictReader(io.StringIO(r.stdout))]


@pytest.fixture
def one(cli, tmp_path):
    def load(*rows):
        cli("import", write(tmp_path / "o.csv", HEAD + "".join(r + "\n" for r in rows)))
        return cli
    return load


def test_no_feedback_before_and_after_four_desk_hours(one):
    cli = one("A,repair,urban,E,P1,E1,Li,13800138000,2026-11-23 09:00,,,,")
    assert chase(cli, now="2026-11-23 13:00") == []
    assert chase(cli, now="2026-11-23 13:01") == [("A", "no_feedback", "11-23 13:00", "0.0", "0")]
    assert chase(cli, now="2026-11-23 15:00") == [("A", "no_feedback", "11-23 13:00", "2.0", "0")]


def test_feedback_in_time_means_no_chase(one):
    cli = one("A,repair,urban,E,P1,E1,Li,13800138000,2026-11-23 09:00,2026-11-23 10:00,,,")
    assert chase(cli, now="2026-11-23 20:00") == []


def test_a_report_after_16_00_is_due_the_next_working_morning(one):
    cli = one("A,repair,other,E,P1,E1,Li,13800138000,2026-11-20 16:30,,,,")  # a Friday; late only after Mon 16:30
    assert chase(cli, now="2026-11-23 11:59") == []
    assert chase(cli, now="2026-11-23 12:30") == [("A", "no_feedback", "11-23 12:00", "0.5", "0")]


def test_a_weekend_report_counts_from_monday(one):
    cli = one("A,repair,other,E,P1,E1,Li,13800138000,2026-11-22 10:00,,,,")  # a Sunday
    assert chase(cli, now="2026-11-23 12:30") == []
    assert chase(cli, now="2026-11-23 12:31") == [("A", "no_feedback", "11-23 12:30", "0.0", "0")]


@pytest.mark.parametrize("zone, hours", [("urban", 24), ("suburban", 48), ("other", 72), ("", 72)])
def test_response_deadline_by_zone_is_wall_clock(one, zone, hours):
    cli = one(f"A,repair,{zone},E,P1,E1,Li,13800138000,2026-11-20 10:00,2026-11-20 10:30,,,")
    from datetime import datetime, timedelta

    deadline = datetime(2026, 11, 20, 10) + timedelta(hours=hours)
    assert chase(cli, now=f"{deadline:%Y-%m-%d %H:%M}") == []
    later = deadline + timedelta(minutes=30)
    assert chase(cli, now=f"{later:%Y-%m-%d %H:%M}") == [("A", "late", f"{deadline:%m-%d %H:%M}", "0.5", "0")]


def test_an_appointment_later_than_the_deadline_moves_it(one):
    cli = one("A,repair,urban,E,P1,E1,Li,13800138000,2026-11-20 10:00,2026-11-20 10:30,2026/11/25,,")
    assert chase(cli, now="2026-11-25 23:00") == []
    assert chase(cli, now="2026-11-26 08:00") == [("A", "late", "11-25 23:59", "8.0", "0")]


def test_late_and_without_feedback_is_listed_once_as_late(one):
    cli = one("A,repair,urban,E,P1,E1,Li,13800138000,2026-11-20 10:00,,,,")
    assert chase(cli, now="2026-11-21 11:00") == [("A", "late", "11-21 10:00", "1.0", "0")]


def test_cancelled_and_completed_orders_are_never_chased(one):
    cli = one("A,repair,urban,E,P1,E1,Li,13800138000,2026-11-10 10:00,,,,cancelled",
              "B,repair,urban,E,P1,E1,Li,13800138000,2026-11-10 10:00,,,2026-11-12 10:00,",
              "C,repair,urban,E,P1,E1,Li,13800138000,2026-11-10 10:00,,,,已完工")
    assert chase(cli, now="2026-11-23 10:00") == []


def test_record_counts_every_chase(one, db_path):
    cli = one("A,repair,urban,East,P1,E1,Li,13800138000,2026-11-20 10:00,,,,",
              "B,repair,urban,West,P2,E2,Li,13800138000,2026-11-20 11:00,,,,")
    r = cli("chase", "--record", "-f", "csv", now="2026-11-23 10:00")
    assert r.stderr == "2 chase(s) recorded at 2026-11-23 10:00:00\n"
    cli("chase", "--record", "--region", "East", now="2026-11-23 15:00")
    assert chase(cli, now="2026-11-23 16:00") == [("A", "late", "11-21 10:00", "54.0", "2"),
                                                 ("B", "late", "11-21 11:00", "53.0", "1")]
    rows = json.loads(cli("chase", "-f", "json", "--provider", "P1", now="2026-11-23 16:00").stdout)
    assert rows[0]["last_chased_at"] == "2026-11-23 15:00:00"
    doc = json.loads(cli("show", "A", "-f", "json", now="2026-11-23 16:00").stdout)
    assert [c["chased_at"] for c in doc["chases"]] == ["2026-11-23 10:00:00", "2026-11-23 15:00:00"]
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM events WHERE kind = 'chased'").fetchone() == (3,)


def test_chase_record_twice_within_rechase_after_chases_once(one, db_path):
    cli = one("A,repair,urban,E,P1,E1,Li,13800138000,2026-11-20 09:00,,,,",
              "B,repair,urban,W,P2,E2,Wu,13800138001,2026-11-23 08:40,,,,")
    first = cli("chase", "--record", "-f", "csv", now="2026-11-23 14:00")
    assert first.stderr == "2 chase(s) recorded at 2026-11-23 14:00:00\n"
    again = cli("chase", "--record", "-f", "csv", now="2026-11-23 14:00")
    assert again.stderr == ("0 chase(s) recorded at 2026-11-23 14:00:00; "
                            "2 order(s) chased within the last 1h, not again\n")
    assert again.stdout == first.stdout  # the same list, the chases counted once
    later = cli("chase", "--record", now="2026-11-23 14:59")
    assert later.stderr.startswith("0 chase(s) recorded")
    hour_on = cli("chase", "--record", now="2026-11-23 15:00")
    assert hour_on.stderr == "2 chase(s) recorded at 2026-11-23 15:00:00\n"
    assert sqlite3.connect(db_path).execute("SELECT chased_at, count(*) FROM chases GROUP BY 1").fetchall() == [
        ("2026-11-23 14:00:00", 2), ("2026-11-23 15:00:00", 2)]


def test_cron_recipe_in_a_bare_environment(tmp_path, fixture_file):
    """The README's nightly job, run as cron would: env -i, no TTY, no locale, minimal PATH."""
    exe = installed()
    db = tmp_path / "desk.db"
    env = {"PATH": "/usr/bin:/bin"}
    base = [exe, "--db", str(db), "--now", "2026-11-23 18:00"]
    subprocess.run(base + ["import", fixture_file("dealer_export_gbk.csv")], env=env, capture_output=True)
    script = (f'{exe} --db {db} --now "2026-11-23 18:00" due --until "tomorrow 17:00" -f csv > {tmp_path}/due.csv && '
              f'{exe} --db {db} --now "2026-11-23 18:00" chase --record -f csv > {tmp_path}/chase.csv')
    r = subprocess.run(["env", "-i", "PATH=/usr/bin:/bin", "sh", "-c", script], capture_output=True, text=True,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    due = list(csv.DictReader(open(tmp_path / "due.csv", encoding="utf-8")))
    chased = list(csv.DictReader(open(tmp_path / "chase.csv", encoding="utf-8")))
    assert due and all(d["due_at"] <= "2026-11-24 17:00:00" for d in due)
    assert any(d["customer"] == "林工" for d in due)  # Chinese text survives the C locale
    assert chased and all(c["chases"] == "1" for c in chased)


def installed():
    exe = shutil.which("callbackctl")
    assert exe, "callbackctl must be installed (pip install -e .)"
    return exe


def as_under_cron():
    """This environment, with stdout block-buffered: a short listing is written only at exit."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}


@pytest.mark.parametrize("orders, command", [(3, ["due", "-f", "csv"]),  # written only at exit
                                             (2000, ["export", "orders"])])  # written while running
def test_a_reader_that_leaves_early_is_not_an_error(tmp_path, orders, command):
    # `callbackctl due | head -1`: click would exit 1 on the broken pipe.
    exe = installed()
    db = tmp_path / "desk.db"
    rows = "".join(f"W{i},repair,Li,13800138000,2026-11-20 10:00\n" for i in range(orders))
    path = tmp_path / "o.csv"
    path.write_text("order_no,service_type,customer,phone,completed_at\n" + rows, encoding="utf-8")
    base = [exe, "--db", str(db), "--now", "2026-11-23 10:00"]
    assert subprocess.run(base + ["import", str(path)], capture_output=True).returncode == 0
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first byte
    try:
        r = subprocess.run(base + command, stdout=write_end, stderr=subprocess.PIPE, text=True, env=as_under_cron())
    finally:
        os.close(write_end)
    assert (r.returncode, r.stderr) == (0, "")


def test_a_closed_stdout_is_one_error_line(tmp_path):
    exe = installed()
    r = subprocess.run(["sh", "-c", f'"{exe}" --db "{tmp_path}/d.db" --now "2026-11-23 10:00" due -f csv >&-'],
                       capture_output=True, text=True)
    assert (r.returncode, r.stderr) == (1, f"created desk file {tmp_path}/d.db\n"
                                           "Error: standard output is closed: nowhere to write the rows\n")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_under_cron_fails_with_one_error_line(tmp_path):
    # The rows only meet the full disk at exit, where Python alone would print
    # 'Exception ignored' and exit 120.
    with open("/dev/full", "w") as full:
        r = subprocess.run([installed(), "--db", str(tmp_path / "d.db"), "--now", "2026-11-23 10:00", "due", "-f", "csv"],
                           stdout=full, stderr=subprocess.PIPE, text=True, env=as_under_cron())
    assert (r.returncode, r.stderr) == (1, f"created desk file {tmp_path}/d.db\n"
                                           "Error: cannot write the output: No space left on device\n")


@pytest.mark.parametrize("reported, deadline", [
    ("2026-11-20 15:59", "11-21 15:59"),   # before 16:00: 24 h from the report
    ("2026-11-20 16:00", "11-24 08:30"),   # a Friday from 16:00: from Monday's opening (08:30) + 24 h
    ("2026-11-23 16:30", "11-25 08:30"),   # a Monday evening: from Tuesday 08:30
    ("2026-09-30 17:00", "10-09 08:30"),   # before 国庆 (10-01 to 10-07 off): from 10-08 08:30 + 24 h
])
def test_a_repair_reported_after_16_00_counts_from_the_next_working_day(one, reported, deadline):
    """Seed 003: 用户在每天下午4点后的报修...安排第二天维修; urban: 24 h from then."""
    cli = one(f"A,repair,urban,E,P1,E1,Li,13800138000,{reported},{reported},,,")
    from datetime import datetime, timedelta

    due = datetime.strptime(f"{reported[:4]}-{deadline}", "%Y-%m-%d %H:%M")
    assert chase(cli, now=f"{due:%Y-%m-%d %H:%M}") == []
    later = due + timedelta(minutes=30)
    assert chase(cli, now=f"{later:%Y-%m-%d %H:%M}") == [("A", "late", deadline, "0.5", "0")]


def test_the_cutoff_is_the_desks(one, tmp_path):
    cli = one("A,repair,urban,E,P1,E1,Li,13800138000,2026-11-20 16:30,2026-11-20 16:30,,,")
    policy = tmp_path / "p.toml"
    policy.write_text('[dispatch]\nnext_day_after = "17:00"\n', encoding="utf-8")
    r = cli("chase", "-f", "csv", now="2026-11-21 17:00", policy=policy)
    assert [row["deadline"][5:16] for row in csv.DictReader(io.StringIO(r.stdout))] == ["11-21 16:30"]
