"""The report's deadline bounds (reports._setup) judge every order as calendar.py does.

A report looks each order's deadline up as two bounds, those of a round
started at the first and last second of its completion hour, and asks the
calendar itself only when a call, or the give-up moment, falls between them.
These tests put calls exactly on the deadline and one minute after it, for
completions all over a week with a weekend and the midday break, and compare
the report with the calendar's own answer for each order.
"""

import datetime as dt
import json
import sqlite3

import pytest

from conftest import write

TIMES = ["1900-01-01 00:00:00", "1969-12-31 23:59:59", "1970-01-01 00:00:00", "1970-01-01 00:59:59",
         "2024-02-29 23:59:59", "2026-11-30 10:00:00", "2026-11-30 10:59:59", "2200-12-31 23:00:00"]


@pytest.mark.parametrize("text", TIMES)
def test_an_hour_is_numbered_as_sqlite_numbers_it(text):
    from callbackctl import clock, reports

    conn = sqlite3.connect(":memory:")
    sql = conn.execute("SELECT CAST(julianday(?) * 24 + 1e-6 AS INTEGER)", (text,)).fetchone()[0]
    assert reports._DeadlineKeys.hour(clock.parse(text)) == sql
    assert reports._DeadlineKeys.hour(clock.parse(text[:13] + ":00:00")) == sql  # the whole hour shares it


MIDNIGHTS = ["1969-12-31 11:59:59", "1969-12-31 12:00:00", "1969-12-31 23:59:59", "2026-11-29 23:59:59",
             "2026-11-30 00:00:00"]


@pytest.mark.parametrize("text", TIMES + MIDNIGHTS)
def test_every_rule_finds_its_row_of_the_hour_or_the_day(text):
    """The key SQLite works out for an order is the one _setup gave its row: for a
    rule counted in days the day's, else the hour's; the same for the whole hour
    or day, and never another rule's."""
    from callbackctl import clock, policy, reports

    keys = reports._DeadlineKeys.of_policy(policy.DEFAULT)
    conn = sqlite3.connect(":memory:")
    t = clock.parse(text)
    found = []
    for place, (stype, days) in enumerate(keys.rules):
        sql = f"SELECT {keys.sql('o.service_type', 'o.completed_at')} FROM (SELECT ? AS service_type, ? AS completed_at) o"
        key = conn.execute(sql, (stype, text)).fetchone()[0]
        start = (dt.datetime.combine(t.date(), dt.time()) if days
                 else dt.datetime.combine(t.date(), dt.time(t.hour)))
        assert key == keys.of(place, t) == keys.of(place, start), stype
        found.append(key)
    assert len(set(found)) == len(keys.rules) == 8


def test_a_time_of_other_than_whole_seconds_has_no_row_and_asks_the_calendar():
    """A hand-edited 10:59:59.9995 would come out in the hour of 11:00."""
    from callbackctl import policy, reports

    keys = reports._DeadlineKeys.of_policy(policy.DEFAULT)
    conn = sqlite3.connect(":memory:")
    sql = f"SELECT {keys.sql('o.service_type', 'o.completed_at')} FROM (SELECT ? AS service_type, ? AS completed_at) o"
    for text in ("2026-11-30 10:59:59.9995", "2026-11-30 10:59", "2026-11-30T10:59:59+08:00"):
        assert conn.execute(sql, ("maintenance", text)).fetchone()[0] is None, text
    assert conn.execute(sql, ("maintenance", "2026-11-30 10:59:59")).fetchone()[0] is not None


def completions():
    """Maintenance (30 minutes, then 3 hours of window time) completed every 23
    minutes from Friday 6 Nov 2026 to Monday 9 Nov, and on Monday at the edges of
    the windows (09:30-11:30, 14:40-17:00) and 30 minutes before them."""
    t, out = dt.datetime(2026, 11, 6, 7, 0), []
    while t < dt.datetime(2026, 11, 9, 20, 0):
        out.append(t)
        t += dt.timedelta(minutes=23)
    edges = ["08:59:59", "09:00:00", "09:29:59", "09:30:00", "10:59:59", "11:00:00", "11:29:59", "11:30:00",
             "14:09:59", "14:10:00", "14:39:59", "14:40:00", "16:29:59", "16:30:00", "16:59:59", "17:00:00"]
    return out + [dt.datetime.combine(dt.date(2026, 11, 9), dt.time.fromisoformat(e)) for e in edges]


@pytest.fixture
def minute_desk(cli, tmp_path, db_path):
    """Each order reached on its deadline (even numbers) or a minute after it (odd),
    by the calendar's own arithmetic; returns what each should count."""
    from callbackctl import clock, desk as desk_mod, schedule

    times = completions()
    rows = [f"M{i:03d},maintenance,East,P1,E1,13800138{i:03d},,{clock.fmt(t)}" for i, t in enumerate(times)]
    header = "order_no,service_type,region,provider,engineer,phone,reported_at,completed_at\n"
    assert cli("import", write(tmp_path / "o.csv", header + "\n".join(rows) + "\n")).exit_code == 0
    d = desk_mod.open_desk(db_path, now="2026-11-20 10:00")
    rule, sched = d.policy.rules["maintenance"], schedule.Scheduler(d)
    deadlines = [sched.round_times(rule, t)[1] for t in times]
    d.conn.close()
    calls = ["order_no,called_at,outcome,satisfaction"]
    calls += [f"M{i:03d},{clock.fmt(dl + dt.timedelta(minutes=i % 2))},reached,5" for i, dl in enumerate(deadlines)]
    res = cli("record", "--from", write(tmp_path / "c.csv", "\n".join(calls) + "\n"), now="2026-11-20 10:00")
    assert res.exit_code == 0, res.output
    on_time = {}
    for i, (t, dl) in enumerate(zip(times, deadlines)):
        on_time[t.date().isoformat()] = on_time.get(t.date().isoformat(), 0) + (i % 2 == 0)
    return on_time, deadlines


def test_calls_on_the_deadline_count_on_time_and_a_minute_later_do_not(cli, minute_desk):
    on_time, _ = minute_desk
    res = cli("report", "-f", "json", "--period", "day", "--from", "2026-11-06", "--to", "2026-11-09",
              now="2026-11-20 10:00")
    assert res.exit_code == 0, res.output
    got = {r["period"]: r["on_time"] for r in json.loads(res.stdout)}
    assert got == on_time and sum(got.values()) == (len(completions()) + 1) // 2


def test_an_order_is_missed_the_minute_after_its_deadline_and_give_up_time(cli, tmp_path):
    """give_up_after is 7 days; the deadline of maintenance completed Monday 9 Nov at
    10:20 is 17:00 that day: due at 10:50, then 3 hours of window time, 40 minutes
    before the 11:30 break and 140 from 14:40."""
    from callbackctl import clock, desk as desk_mod, schedule

    header = "order_no,service_type,region,provider,engineer,phone,reported_at,completed_at\n"
    cli("import", write(tmp_path / "o.csv", header + "U1,maintenance,East,P1,E1,13800138001,,2026-11-09 10:20\n"))
    d = desk_mod.open_desk(cli.db_path, now="2026-11-20 10:00")
    deadline = schedule.Scheduler(d).round_times(d.policy.rules["maintenance"], dt.datetime(2026, 11, 9, 10, 20))[1]
    give_up = d.policy.give_up_after.delta
    d.conn.close()
    assert (deadline, give_up) == (dt.datetime(2026, 11, 9, 17, 0), dt.timedelta(days=7))

    def missed(now):
        res = cli("report", "-f", "json", "--from", "2026-11-01", now=clock.fmt(now))
        assert res.exit_code == 0, res.output
        return [r["missed"] for r in json.loads(res.stdout)]

    assert missed(deadline + give_up) == [0]
    assert missed(deadline + give_up + dt.timedelta(minutes=1)) == [1]


def test_an_order_older_than_the_bounds_table_is_judged_by_the_calendar(cli, tmp_path):
    """A range of more than _BOUNDS_DAYS (here a 2019 order, as a typed year can
    make) looks its oldest orders' deadlines up one by one, with the same answer."""
    from callbackctl import clock, desk as desk_mod, reports, schedule

    header = "order_no,service_type,region,provider,engineer,phone,reported_at,completed_at\n"
    orders = {"A": ("maintenance", "2019-03-04 10:20"), "B": ("maintenance", "2019-03-04 10:40"),
              "C": ("repair", "2019-03-04 10:20"), "D": ("maintenance", "2026-11-09 10:20")}
    rows = [f"{no},{stype},East,P1,E1,1380013800{i},,{at}" for i, (no, (stype, at)) in enumerate(orders.items())]
    cli("import", write(tmp_path / "o.csv", header + "\n".join(rows) + "\n"), now="2026-11-20 10:00")
    d = desk_mod.open_desk(cli.db_path, now="2026-11-20 10:00")
    sched = schedule.Scheduler(d, span=(dt.date(2019, 3, 1), dt.date(2026, 12, 31)))
    deadline = {no: sched.round_times(d.policy.rules[stype], clock.parse(at + ":00"))[1]
                for no, (stype, at) in orders.items()}
    d.conn.close()
    assert (dt.date(2026, 11, 9) - dt.date(2019, 3, 4)).days > reports._BOUNDS_DAYS
    late = {"A": 0, "B": 1, "C": 0, "D": 1}  # minutes after the deadline
    calls = ["order_no,called_at,outcome,satisfaction"]
    calls += [f"{no},{clock.fmt(deadline[no] + dt.timedelta(minutes=m))},reached,5" for no, m in late.items()]
    assert cli("record", "--from", write(tmp_path / "c.csv", "\n".join(calls) + "\n"),
               now="2026-11-20 10:00").exit_code == 0
    res = cli("report", "-f", "json", "--from", "2019-01-01", now="2026-11-20 10:00")
    assert res.exit_code == 0, res.output
    assert [(r["period"], r["callbacks_done"], r["on_time"]) for r in json.loads(res.stdout)] == [
        ("2019-03", 3, 2), ("2026-11", 1, 0)]
