"""sample, spot checks and merge, at fixed times."""

import json
import shutil
import sqlite3

import pytest

from conftest import Cli, candidates, write


def regional_desk(path, tmp_path, rows, name="orders.csv"):
    cli = Cli(str(path))
    cli("import", write(tmp_path / name, "order_no,service_type,region,provider,completed_at\n" + rows))
    return cli


@pytest.fixture
def desk(db_path, tmp_path):
    rows = "".join(f"E{i:02d},repair,East,P1,2026-11-02 10:00\n" for i in range(10))
    rows += "".join(f"W{i:02d},repair,West,P2,2026-11-02 10:00\n" for i in range(4))
    rows += "N00,repair,North,P3,2026-11-02 10:00\n"
    cli = regional_desk(db_path, tmp_path, rows)
    for no in [f"E{i:02d}" for i in range(10)] + [f"W{i:02d}" for i in range(4)] + ["N00"]:
        cli("record", no, "--outcome", "reached", "--satisfaction", "5", now="2026-11-03 10:00")
    return cli


def picks(cli, *args, now="2026-11-23 10:00"):
    r = cli("sample", "-f", "json", *args, now=now)
    assert r.exit_code == 0, r.output
    return [(p["region"], p["order_no"]) for p in json.loads(r.stdout)]


def test_stratified_at_least_one_per_region_and_reproducible(desk, db_path, tmp_path):
    copy = str(tmp_path / "copy.db")
    shutil.copy(db_path, copy)
    first = picks(desk, "--rate", "0.2", "--seed", "42")
    assert [region for region, _ in first] == ["East", "East", "North", "West"]
    assert picks(Cli(copy), "--rate", "0.2", "--seed", "42") == first
    # The same seed, range and rate again: the same pick, and nothing added.
    r = desk("sample", "--rate", "0.2", "--seed", "42", "-f", "json")
    assert [(p["region"], p["order_no"]) for p in json.loads(r.stdout)] == first
    assert r.stderr == "0 spot check(s) due now, 4 sampled before (seed 42)\n"
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM spot_checks").fetchone() == (4,)


def test_the_seed_is_printed_when_not_given(desk):
    r = desk("sample", "--rate", "0.1")
    assert r.exit_code == 0 and "3 spot check(s) due now (seed " in r.stderr


def test_bad_rate_is_a_usage_error(desk):
    r = desk("sample", "--rate", "1.5")
    assert r.exit_code == 2 and r.stderr == "Error: --rate: 1.5 is not between 0 and 1 (0.05 is 5%)\n"


def test_spot_check_calls_are_compared_and_reported(desk):
    (_, first), *_ = picks(desk, "--rate", "0.1", "--seed", "1", now="2026-11-23 10:00")
    due = json.loads(desk("due", "-f", "json", "--reason", "spot_check", now="2026-11-23 10:00").stdout)
    assert [(d["order_no"], d["due_at"], d["deadline"]) for d in due][0] == (
        first, "2026-11-23 10:00:00", "2026-11-25 17:00:00")
    r = desk("record", first, "--outcome", "reached", "--satisfaction", "2", "-f", "json", now="2026-11-23 10:30")
    assert r.exit_code == 0 and json.loads(r.stdout)[0]["reason"] == "spot_check"
    checks = json.loads(desk("spot-checks", "-f", "json").stdout)
    done = [c for c in checks if c["order_no"] == first][0]
    assert (done["regional_index"], done["spot_index"], done["disagrees"], done["detail"]) == (
        5.0, 2.0, True, "satisfaction: region 5.0, head office 2.0")
    rows = json.loads(desk("report", "-f", "json", "--from", "2026-11-01", now="2026-11-23 11:00").stdout)
    spot = {(r["period"], r["region"]): (r["spot_checks"], r["spot_disagreements"]) for r in rows}
    assert sum(n for n, _ in spot.values()) == 3 and sum(d for _, d in spot.values()) == 1
    assert first not in {d["order_no"] for d in json.loads(desk("due", "-f", "json", now="2026-11-23 11:00").stdout)}


def test_merge_is_idempotent_keeps_regions_and_reports_conflicts(tmp_path, db_path):
    east = regional_desk(tmp_path / "east.db", tmp_path, "A1,repair,East,P1,2026-11-20 10:00\nA2,install,East,P1,2026-11-20 10:00\n", "e.csv")
    east("record", "A1", "--outcome", "reached", "--satisfaction", "4", now="2026-11-23 10:00")
    east("complaint", "add", "--order", "A2", "--against", "engineer", "--text", "late", now="2026-11-23 10:00")
    regional_desk(tmp_path / "west.db", tmp_path, "A2,repair,West,P9,2026-11-21 10:00\nB1,repair,,P9,2026-11-21 10:00\n", "w.csv")
    hq = Cli(db_path)
    r = hq("merge", tmp_path / "east.db", "-f", "json")
    assert r.exit_code == 0
    got = json.loads(r.stdout)[0]
    assert {k: got[k] for k in ("orders_inserted", "conflicts", "calls", "complaints")} == {
        "orders_inserted": 2, "conflicts": 0, "calls": 1, "complaints": 1}
    again = json.loads(hq("merge", tmp_path / "east.db", "-f", "json").stdout)[0]
    assert (again["orders_inserted"], again["orders_unchanged"], again["calls"], again["complaints"]) == (0, 2, 0, 0)
    r = hq("merge", tmp_path / "west.db", "--region", "西区", "-f", "json")
    assert r.exit_code == 1
    assert "1 order(s) already came from another file" in r.stderr
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT order_no, region, provider FROM orders ORDER BY order_no").fetchall() == [
        ("A1", "East", "P1"), ("A2", "East", "P1"), ("B1", "西区", "P9")]
    assert conn.execute("SELECT o.order_no, c.outcome FROM callbacks c JOIN orders o ON o.id = c.order_id").fetchall() == [
        ("A1", "reached")]
    assert conn.execute("SELECT count(*) FROM events WHERE kind = 'merge_conflict' AND order_no = 'A2'").fetchone() == (1,)
    # head office's due list sees the merged calls: A1 is done, A2 (install) is due
    due = json.loads(hq("due", "-f", "json", "--until", "+3d", now="2026-11-23 10:00").stdout)
    assert [d["order_no"] for d in due] == ["A2", "B1"]
    assert candidates(db_path, "2026-11-23 10:00") == ["A2", "B1"]  # A1's merged call closed its round


def test_merge_refuses_itself_and_missing_files(tmp_path, db_path):
    hq = Cli(db_path)
    hq("info")
    assert hq("merge", db_path).stderr == f"Error: {db_path} is this database; merge regional files into head office's\n"
    assert hq("merge", tmp_path / "nope.db").stderr == f"Error: {tmp_path / 'nope.db'}: no such file\n"


def test_due_filters_spot_checks_like_callbacks(desk):
    sampled = picks(desk, "--rate", "0.2", "--seed", "42")
    for args, regions in ((["--region", "West"], {"West"}), (["--provider", "P1"], {"East"}),
                          (["--type", "repair"], {"East", "North", "West"}), (["--region", "South"], set())):
        r = desk("due", "-f", "json", "--reason", "spot_check", *args, now="2026-11-23 10:00")
        rows = json.loads(r.stdout)
        assert r.exit_code == 0 and {x["region"] for x in rows} == regions, args
        assert sorted(x["order_no"] for x in rows) == sorted(no for region, no in sampled if region in regions)


def test_a_spot_check_call_counts_in_the_spot_check_columns_only(desk):
    """Head office's call is not the region's work (#30): not in calls_made, calls_reached,
    satisfied_rate, nor in the order's first reached call (the satisfaction index)."""
    def report():
        rows = json.loads(desk("report", "-f", "json", "--from", "2026-11-01", "--by", "region",
                               now="2026-11-23 11:00").stdout)
        return {r["region"]: (r["calls_made"], r["calls_reached"], r["satisfied_rate"], r["satisfaction_index"],
                              r["spot_checks"]) for r in rows}

    before = report()
    picked = dict(picks(desk, "--rate", "0.1", "--seed", "1", now="2026-11-23 10:00"))
    assert desk("record", picked["East"], "--outcome", "reached", "--satisfaction", "2",
                now="2026-11-23 10:30").exit_code == 0
    after = report()
    assert after["East"][:4] == before["East"][:4] == (10, 10, 1.0, 5.0)
    assert (after["East"][4], before["East"][4]) == (1, 0)
