"""Property-based tests: messy input never crashes, counts always add up, deadlines obey the rules."""

import csv
import datetime as dt
import io
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from callbackctl import calendar, calls, desk as desk_mod, orders, policy as policy_mod, schedule, vocab
from callbackctl.errors import CallbackctlError
from callbackctl.policy import DEFAULT, Duration

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

HEADERS = ["order_no", "工单号", "service_type", "服务类型", "customer", "phone", "手机", "completed_at", "完工时间",
           "machine_hours", "fee", "zone", "vip", "status", "whatever", "备注"]
CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["repair", "维修", "安装", "拆机", "", " ", "2026-11-20 10:00", "2026年2月30日", "2026/1/5",
                     "1,234.5", "abc", "是", "maybe", "市区", "+86 138 0013 8000", "12345", "已取消", "=1+1", "'; DROP"]),
    st.integers(-10**6, 10**6).map(str),
)


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    d = desk_mod.open_desk(str(tmp_path_factory.mktemp("prop") / "p.db"), now="2026-11-23 10:00")
    yield d
    d.conn.close()


@SETTINGS
@given(headers=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8, unique=True),
       rows=st.lists(st.lists(CELLS, min_size=0, max_size=10), max_size=15),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_import_never_crashes_and_counts_add_up(desk, tmp_path_factory, headers, rows, encoding):
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(headers)
    w.writerows(rows)
    path = tmp_path_factory.mktemp("f") / "x.csv"
    path.write_bytes(buf.getvalue().encode(encoding, errors="replace"))
    try:
        result = orders.import_file(desk, str(path))
    except CallbackctlError:
        return  # one clear error (no order_no column, empty file, ...)
    assert result.read == result.inserted + result.updated + result.unchanged + result.rejected
    assert result.rejected == len(result.rejects)


@SETTINGS
@given(outcome=st.sampled_from(vocab.OUTCOMES + ("maybe",)),
       scores=st.dictionaries(st.sampled_from(calls.SCORES), st.integers(-2, 8), max_size=5),
       satisfaction=st.one_of(st.none(), st.sampled_from(["满意", "非常不满意", "5", "meh", ""])),
       hours=st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False, width=32)),
       parts=st.one_of(st.none(), st.text(max_size=10)),
       order_no=st.sampled_from(["P1", "P2", "NOPE", ""]))
def test_record_never_crashes(desk, outcome, scores, satisfaction, hours, parts, order_no):
    if not desk.conn.execute("SELECT 1 FROM orders WHERE order_no = 'P1'").fetchone():
        desk.conn.execute("INSERT INTO orders (order_no, service_type, completed_at, machine_hours, created_at, updated_at) "
                          "VALUES ('P1', 'repair', '2026-11-20 10:00:00', 100, 'x', 'x'), "
                          "('P2', 'install', NULL, NULL, 'x', 'x')")
    call = calls.Call(order_no=order_no, outcome=outcome, scores=scores, satisfaction=satisfaction,
                          hours=hours, parts=parts)
    try:
        out = calls.record(desk, call)
    except CallbackctlError:
        return
    assert out["outcome"] == outcome
    if out["index"] is not None:
        assert 1 <= out["index"] <= 5


MOMENTS = st.datetimes(min_value=dt.datetime(2025, 12, 1), max_value=dt.datetime(2027, 2, 28)).map(
    lambda t: t.replace(second=0, microsecond=0))
DURATIONS = st.one_of(st.integers(1, 5).map(lambda d: Duration(days=d)),
                      st.integers(0, 600).map(lambda m: Duration(minutes=m)))
WINDOWS = st.sampled_from([DEFAULT.callback_windows, DEFAULT.dispatch_hours, ((600, 660),), ((0, 1440),)])


@settings(max_examples=300, deadline=None)
@given(start=MOMENTS, delay=DURATIONS, within=DURATIONS, windows=WINDOWS)
def test_deadlines_follow_the_rules(start, delay, within, windows):
    cal = calendar.WorkCalendar("CN")
    due = calendar.due_after(cal, windows, start, delay)
    deadline = calendar.deadline_after(cal, windows, due, within)
    minute = lambda t: t.hour * 60 + t.minute  # noqa: E731
    assert due >= start
    assert deadline >= due
    assert cal.is_workday(due.date()) and any(s <= minute(due) < e for s, e in windows)
    if deadline > due:  # the deadline ends window time: its last minute is inside a window on a working day
        last = deadline - dt.timedelta(minutes=1)
        assert cal.is_workday(last.date()) and any(s <= minute(last) < e for s, e in windows)
    else:
        assert within == Duration(minutes=0)
    if delay.days:
        assert due.date() > start.date()


TIMELINE = calendar.Timeline(calendar.WorkCalendar("CN"), DEFAULT.callback_windows,
                             dt.date(2025, 12, 1), dt.date(2026, 12, 31))


# Also before the timeline's span (it once snapped those to its first window) and to the second.
AROUND_THE_SPAN = st.datetimes(min_value=dt.datetime(2025, 6, 1), max_value=dt.datetime(2027, 2, 28)).map(
    lambda t: t.replace(microsecond=0))


@settings(max_examples=400, deadline=None)
@given(t=AROUND_THE_SPAN, minutes=st.integers(0, 3000))
def test_timeline_agrees_with_the_calendar_functions(t, minutes):
    cal, windows = calendar.WorkCalendar("CN"), DEFAULT.callback_windows
    assert TIMELINE.roll(t) == calendar.roll_forward(cal, windows, t)
    assert TIMELINE.add(t, minutes) == calendar.add_window_time(cal, windows, t, minutes)
    for d in (Duration(minutes=minutes), Duration(days=1 + minutes % 4)):
        assert TIMELINE.due_after(t, d) == calendar.due_after(cal, windows, t, d)
        assert TIMELINE.deadline_after(t, d) == calendar.deadline_after(cal, windows, t, d)


# Every shape of rule: days then days, days then window minutes, minutes then days, minutes then minutes.
MIXED = policy_mod.load_text("""
[callback.rules]
install = { delay = "1d", within = "1d" }
delivery = { delay = "2d", within = "2h" }
maintenance = { delay = "45m", within = "1d" }
repair = { delay = "30m", within = "3h" }
""", "test")
SCHEDULER = schedule.Scheduler(SimpleNamespace(now=dt.datetime(2026, 6, 1), policy=MIXED, cal=calendar.from_policy(MIXED)),
                                span=(dt.date(2025, 12, 1), dt.date(2027, 4, 30)))


@settings(max_examples=400, deadline=None)
@given(t=MOMENTS, stype=st.sampled_from(["install", "delivery", "maintenance", "repair"]))
def test_schedules_shared_by_day_agree_with_the_calendar_functions(t, stype):
    # The Scheduler caches a round's due time and deadline by start date for
    # day-counted delays and by exact time otherwise; one Scheduler serves
    # every example, so answers cached for one time are checked at others.
    cal, windows, rule = calendar.from_policy(MIXED), MIXED.callback_windows, MIXED.rules[stype]
    s = SCHEDULER.schedule(stype, "ANY", t.isoformat(" ", "seconds"), 1, None, 0)
    due = calendar.due_after(cal, windows, t, rule.delay)
    assert (s.due_at, s.deadline) == (due, calendar.deadline_after(cal, windows, due, rule.within))
