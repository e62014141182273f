"""The [fast] extra's report (fastreport.py) gives the SQL passes' rows, value for value.

Every grouping and period, with and without a region or product kept, as of
two moments, on the demo desk with calls on a third of its orders a few hours
apart (some after the earlier moment), a sampled rule, and maintenance calls
right at their deadlines. CALLBACKCTL_FAST=1 takes the child's way for any
range, =0 the SQL one; the test asserts the child's way was taken.
"""

import datetime as dt
import sqlite3

import pytest

from conftest import write

pytest.importorskip("polars")
pytest.importorskip("adbc_driver_sqlite")

from callbackctl import fastreport  # noqa: E402

POLICY = "[callback.rules.install]\ncoverage = 0.5\n"
GROUPS = ("region", "provider", "engineer", "service_type", "agent", "product")


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """The demo desk, more calls, and the policy file; (cli, policy path)."""
    from conftest import Cli

    folder = tmp_path_factory.mktemp("fastreport")
    cli = Cli(str(folder / "desk.db"))
    assert cli("demo").exit_code == 0
    conn = sqlite3.connect(cli.db_path)
    completed = conn.execute("SELECT order_no, completed_at FROM orders WHERE status = 'completed' "
                             "AND id NOT IN (SELECT order_id FROM callbacks) ORDER BY id").fetchall()
    conn.close()
    calls = ["order_no,called_at,outcome,satisfaction,agent,skill,attitude,timeliness"]
    for i, (no, at) in enumerate(completed):
        n = 1 + i % 3  # tries; the last one reaches the customer for three orders in four
        for k in range(n):
            t = dt.datetime.fromisoformat(at) + dt.timedelta(hours=5 * k + i % 7, minutes=i)
            if t >= dt.datetime(2026, 11, 30, 10):
                continue
            wrong = i % 2 == 0 and at >= "2026-11-20"  # a number found wrong after the earlier moment
            outcome = ("wrong_number" if wrong else "reached" if i % 4 else "no_answer") if k == n - 1 \
                else "no_answer" if k % 2 else "busy"
            rated = outcome == "reached"
            # three scores of 5 beside a 4 make an index of 4.6, which is 459.99999999999994 hundredths
            calls.append(f"{no},{t:%Y-%m-%d %H:%M},{outcome},{1 + (i + k) % 5 if rated else ''},"
                         f"{'ann' if i % 2 else 'bob'},{'5,5,5' if rated and i % 3 == 0 else ',,'}")
    policy = write(folder / "p.toml", POLICY)
    res = cli("record", "--from", write(folder / "c.csv", "\n".join(calls) + "\n"), now="2026-11-30 10:00",
              policy=policy)
    assert res.exit_code == 0, res.output
    return cli, policy


def both(monkeypatch, cli, policy, *args, now="2026-11-30 10:00"):
    """The report's output without and with the extra; asserts the extra's way was taken."""
    out = []
    for mode in ("0", "1"):
        monkeypatch.setenv("CALLBACKCTL_FAST", mode)
        fastreport.last.update(path=None, why="")
        res = cli("report", "-f", "csv", *args, now=now, policy=policy)
        assert res.exit_code == 0, res.output
        assert fastreport.last["path"] == (None if mode == "0" else "fast"), fastreport.last
        out.append(res.stdout)
    return out


@pytest.mark.parametrize("period", ["day", "week", "month"])
@pytest.mark.parametrize("by", GROUPS)
def test_every_grouping_and_period_counts_the_same(desk, monkeypatch, period, by):
    plain, fast = both(monkeypatch, *desk, "--period", period, "--by", by, "--from", "2026-01-01")
    assert fast == plain
    assert len(plain.splitlines()) > 3


@pytest.mark.parametrize("args", [("--region", "华东"), ("--product", "SY75C", "--by", "agent"),
                                  ("--region", "华北", "--by", "service_type", "--period", "week")])
def test_a_kept_region_or_product_counts_the_same(desk, monkeypatch, args):
    plain, fast = both(monkeypatch, *desk, *args, "--from", "2026-01-01")
    assert fast == plain
    assert len(plain.splitlines()) > 1


@pytest.mark.parametrize("by", ["region", "agent"])
def test_as_of_an_earlier_moment_counts_the_same(desk, monkeypatch, by):
    """Calls made after --now, and orders not yet past their give-up time, as of then."""
    plain, fast = both(monkeypatch, *desk, "--by", by, "--period", "week", "--from", "2026-01-01",
                       now="2026-11-21 18:00")
    assert fast == plain
    rows = list(csv_rows(plain))
    assert sum(int(r["calls_made"]) for r in rows) > 0 and any(int(r["missed"]) for r in rows)
    from callbackctl import desk as desk_mod, followups

    d = desk_mod.open_desk(desk[0].db_path, now="2026-11-21 18:00")
    assert followups.found_wrong_later(d)  # numbers a later call found wrong: not known to be wrong yet
    d.conn.close()


def test_calls_at_and_after_their_deadlines_count_the_same(cli, tmp_path, monkeypatch):
    """The orders between their deadline's bounds, judged by the parent's calendar."""
    header = "order_no,service_type,region,provider,engineer,phone,reported_at,completed_at\n"
    times = [dt.datetime(2026, 11, 6, 7) + dt.timedelta(minutes=37 * i) for i in range(150)]
    rows = [f"M{i:03d},maintenance,East,P1,E1,13800138{i:03d},,{t:%Y-%m-%d %H:%M}" for i, t in enumerate(times)]
    cli("import", write(tmp_path / "o.csv", header + "\n".join(rows) + "\n"))
    from callbackctl import desk as desk_mod, schedule

    d = desk_mod.open_desk(cli.db_path, now="2026-11-20 10:00")
    sched = schedule.Scheduler(d)
    deadlines = [sched.round_times(d.policy.rules["maintenance"], t)[1] for t in times]
    d.conn.close()
    calls = ["order_no,called_at,outcome,satisfaction"] + [
        f"M{i:03d},{dl + dt.timedelta(minutes=i % 2):%Y-%m-%d %H:%M},reached,4" for i, dl in enumerate(deadlines)
        if i % 3]
    assert cli("record", "--from", write(tmp_path / "c.csv", "\n".join(calls) + "\n"),
               now="2026-11-20 10:00").exit_code == 0
    from callbackctl import reports

    real, straddling = reports._OrderPass.counted, []

    def counted(self, answer, calendar):  # the orders whose due time the child left to the calendar
        straddling.append(len(answer["due_between"]))
        return real(self, answer, calendar)
    monkeypatch.setattr(reports._OrderPass, "counted", counted)
    for now in ("2026-11-13 12:00", "2026-11-20 10:00"):  # give-up moments inside some deadline's bounds
        # from the 9th, some orders of the days before fall due in the range
        for first in ("2026-11-01", "2026-11-09"):
            plain, fast = both(monkeypatch, cli, None, "--period", "day", "--from", first, now=now)
            assert fast == plain
            assert sum(int(r["callbacks_due_in_period"]) for r in csv_rows(plain)) > 0
    # a completion after 16:30 falls due the next working day; one at 16:10 the same day
    assert len(straddling) == 4 and all(straddling)


def test_an_order_is_missed_after_its_give_up_moment_not_on_it(cli, tmp_path, monkeypatch):
    """A repair's deadline is one moment (its bounds are equal): missed once
    now - give_up_after is past it, not when they are equal."""
    header = "order_no,service_type,region,provider,engineer,phone,reported_at,completed_at\n"
    cli("import", write(tmp_path / "o.csv", header + "R1,repair,East,P1,E1,13800138001,,2026-11-02 10:00\n"))
    from callbackctl import clock, desk as desk_mod, schedule

    d = desk_mod.open_desk(cli.db_path, now="2026-11-20 10:00")
    deadline = schedule.Scheduler(d).round_times(d.policy.rules["repair"], dt.datetime(2026, 11, 2, 10))[1]
    give_up = d.policy.give_up_after.delta
    d.conn.close()
    for now, missed in ((deadline + give_up, "0"), (deadline + give_up + dt.timedelta(minutes=1), "1")):
        plain, fast = both(monkeypatch, cli, None, "--from", "2026-11-01", now=clock.fmt(now))
        assert fast == plain
        assert next(csv_rows(plain))["missed"] == missed


@pytest.mark.parametrize("python", ["false", "/no/such/python"])
def test_a_child_that_fails_or_cannot_start_leaves_the_report_to_sql(desk, monkeypatch, python):
    cli, policy = desk
    monkeypatch.setenv("CALLBACKCTL_FAST", "0")
    plain = cli("report", "-f", "csv", "--from", "2026-01-01", policy=policy).stdout
    monkeypatch.setenv("CALLBACKCTL_FAST", "1")
    monkeypatch.setattr(fastreport.sys, "executable", python)
    res = cli("report", "-f", "csv", "--from", "2026-01-01", policy=policy)
    assert (res.exit_code, res.stdout, fastreport.last["path"]) == (0, plain, "sql")


def test_the_desk_stays_writable_and_whole_after_the_child_read_it(desk, monkeypatch):
    """The child is a process of its own: the parent's connection keeps its locks."""
    from callbackctl import desk as desk_mod, reports

    cli, _ = desk
    monkeypatch.setenv("CALLBACKCTL_FAST", "1")
    d = desk_mod.open_desk(cli.db_path, now="2026-11-30 10:00")
    try:
        assert reports.report(d, date_from=dt.date(2026, 1, 1)) and fastreport.last["path"] == "fast"
        with d.conn:
            d.log("test", detail={"after": "a fast report"})
        assert d.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        d.conn.close()


def csv_rows(text):
    import csv
    import io

    return csv.DictReader(io.StringIO(text))


def test_a_small_desk_or_a_read_only_one_is_counted_by_sql(desk, monkeypatch, tmp_path):
    """Below fastreport.MIN_ORDERS the child's start would cost more than it saves;
    a read-only desk is read by this process alone."""
    import os
    import shutil

    cli, policy = desk
    monkeypatch.delenv("CALLBACKCTL_FAST", raising=False)
    fastreport.last.update(path=None, why="")
    assert cli("report", "-f", "csv", policy=policy).exit_code == 0
    assert fastreport.last["path"] is None
    monkeypatch.setenv("CALLBACKCTL_FAST", "1")
    copy = tmp_path / "ro.db"
    shutil.copy(cli.db_path, copy)
    from conftest import Cli
    from test_opening import as_if_read_only

    as_if_read_only(monkeypatch, copy)
    res = Cli(str(copy))("report", "-f", "csv", "--from", "2026-01-01", policy=policy)
    assert res.exit_code == 0 and fastreport.last["path"] is None, res.output
    assert sorted(os.listdir(tmp_path)) == ["ro.db"]  # nothing made beside it


def children(monkeypatch):
    """Every Child the reports start, kept for the test to look at."""
    started = []
    real = fastreport.Child.__init__

    def init(self, *a, **k):
        real(self, *a, **k)
        started.append(self)
    monkeypatch.setattr(fastreport.Child, "__init__", init)
    return started


def test_a_report_that_fails_stops_its_child(desk, monkeypatch):
    from callbackctl import reports

    cli, policy = desk
    monkeypatch.setenv("CALLBACKCTL_FAST", "1")
    started = children(monkeypatch)

    def broken(*a):
        raise RuntimeError("the calendar broke")
    monkeypatch.setattr(reports, "_setup", broken)
    try:
        res = cli("report", "-f", "csv", "--from", "2026-01-01", policy=policy)
        assert res.exit_code != 0
    except RuntimeError:
        pass  # raised through, or turned into an exit code by the command: either way the report failed
    assert len(started) == 1 and started[0].proc.poll() is not None  # not left reading or waiting


def test_a_child_too_slow_is_stopped_and_sql_counts(desk, monkeypatch):
    cli, policy = desk
    monkeypatch.setenv("CALLBACKCTL_FAST", "0")
    plain = cli("report", "-f", "csv", "--from", "2026-01-01", policy=policy).stdout
    monkeypatch.setenv("CALLBACKCTL_FAST", "1")
    monkeypatch.setattr(fastreport.Child, "TIMEOUT", 0.001)
    started = children(monkeypatch)
    res = cli("report", "-f", "csv", "--from", "2026-01-01", policy=policy)
    assert (res.exit_code, res.stdout, fastreport.last["path"]) == (0, plain, "sql")
    assert started[0].proc.poll() is not None


def test_the_child_runs_this_callbackctl_whatever_the_working_folder(desk, monkeypatch, tmp_path):
    """python -m would put the working folder first: another checkout there must not answer."""
    cli, policy = desk
    (tmp_path / "callbackctl").mkdir()
    (tmp_path / "callbackctl" / "__init__.py").write_text("")
    (tmp_path / "callbackctl" / "fastreport.py").write_text("raise SystemExit(3)\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CALLBACKCTL_FAST", "1")
    assert cli("report", "-f", "csv", "--from", "2026-01-01", policy=policy).exit_code == 0
    assert fastreport.last == {"path": "fast", "why": ""}


def test_a_column_empty_through_the_first_batch_read_is_still_read(cli, tmp_path, monkeypatch):
    """Old orders nobody reached, then new ones: ADBC types a column by its first
    batch, and one all NULL there was taken for integers (the read then failed)."""
    header = "order_no,service_type,region,provider,engineer,phone,reported_at,completed_at\n"
    rows = [f"A{i:03d},repair,East,P1,E1,13800138{i:03d},,2026-0{1 + i // 10}-02 10:00" for i in range(30)]
    cli("import", write(tmp_path / "o.csv", header + "\n".join(rows) + "\n"))
    calls = ["order_no,called_at,outcome,satisfaction"] + [
        f"A{i:03d},2026-0{1 + i // 10}-03 10:00,reached,4" for i in range(24, 30)]
    assert cli("record", "--from", write(tmp_path / "c.csv", "\n".join(calls) + "\n")).exit_code == 0
    monkeypatch.setattr(fastreport, "BATCH_ROWS", 8)  # the first batches hold no reached call
    plain, fast = both(monkeypatch, cli, None, "--from", "2026-01-01")
    assert fast == plain and "4.0" in plain
