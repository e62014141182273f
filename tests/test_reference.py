"""The program against an independent reference of the deadline rules (issue #16).

tests/reference_rules.py is written from contract.md and the README alone. Here:
(a) the reference is checked against the contract's worked examples and the
README's decisions; (b) hypothesis draws random orders over 2025-2027, weighted
towards holidays and make-up days, lunch gaps, window edges, month and year
ends and weekends, runs them through the real program (import, record --from,
due, chase, and the schedule that `show` explains) and compares each due_at,
deadline, next call, reason and chase with the reference, exactly. Calls,
feedbacks, arrivals and completions stamped after the drawn now are part of the
draws: they must not count yet.

Once a known disagreement, now fixed: `show` (schedule.order_schedule) counted a
call stamped after now where `due` does not, so the property leaves those
orders' schedules to test_show_does_not_count_a_call_after_now.

2027 has no official data in chinesecalendar yet: both sides read the list
below from the policy, so the comparison does not depend on how the program
predicts a year's holidays.
"""

import csv
import datetime as dt
import json

import chinese_calendar
import pytest
from hypothesis import HealthCheck, Phase, event, given, settings, strategies as st

from conftest import Cli
from reference_rules import RULES, Calendar, Reference

D, T = dt.date, dt.time
H, M, S = dt.timedelta(hours=1), dt.timedelta(minutes=1), dt.timedelta(seconds=1)


def at(text):
    return dt.datetime.fromisoformat(text)


def fmt(t):
    return t.strftime("%Y-%m-%d %H:%M:%S")


def days(first, last):
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


# An "official" 2027 list (any consistent list would do). It covers every day a
# prediction from the contract's rules could give (元旦 1 day, 春节 4 days from
# 除夕 2027-02-05, 清明 04-05, 劳动节 05-01/02, 端午 06-09, 中秋 09-15, 国庆 3 days,
# also moved off a weekend), and 2028's 元旦 for deadlines that run into 2028.
HOLIDAYS_2027 = sorted({D(2027, 1, 1), *days(D(2027, 2, 5), D(2027, 2, 11)), D(2027, 4, 5),
                        *days(D(2027, 5, 1), D(2027, 5, 5)), D(2027, 6, 9), D(2027, 9, 15),
                        *days(D(2027, 10, 1), D(2027, 10, 7)), D(2028, 1, 1), D(2028, 1, 3)})
WORKDAYS_2027 = [D(2027, 1, 31), D(2027, 2, 20), D(2027, 4, 25), D(2027, 5, 8), D(2027, 9, 26), D(2027, 10, 9)]
POLICY_TOML = "[calendar]\nholidays = [{}]\nworkdays = [{}]\n".format(
    ", ".join(f'"{d}"' for d in HOLIDAYS_2027), ", ".join(f'"{d}"' for d in WORKDAYS_2027))

REF = Reference(Calendar(holidays=frozenset(HOLIDAYS_2027), workdays=frozenset(WORKDAYS_2027)))
PLAIN = Reference()  # the built-in defaults, for the contract's examples (2026)

FIRST, LAST = D(2025, 1, 1), D(2027, 12, 31)


# ---------------------------------------------------------------------------
# (a) the reference against the contract and the README
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("service_type, completed, due, deadline", [
    ("repair", "2026-11-20 15:00", "2026-11-23 09:30", "2026-11-25 17:00"),       # Fri -> Mon .. Wed
    ("install", "2026-11-23 10:00", "2026-11-24 09:30", "2026-11-24 17:00"),      # the same day
    ("maintenance", "2026-11-23 11:20", "2026-11-23 14:40", "2026-11-24 10:10"),  # 11:50 is in the lunch gap
    ("install", "2026-10-09 15:00", "2026-10-10 09:30", "2026-10-10 17:00"),      # make-up working Saturday
])
def test_reference_contract_examples(service_type, completed, due, deadline):
    s = PLAIN.callback(service_type, at(completed))
    assert (s["due_at"], s["deadline"], s["reason"]) == (at(due), at(deadline), "first")


def test_reference_types_without_a_rule_get_no_callback():
    assert PLAIN.callback("parts", at("2026-11-23 10:00")) is None
    assert PLAIN.callback("sales", at("2026-11-23 10:00")) is None
    assert set(RULES) == {"install", "delivery", "inspection", "repair", "warranty_repair", "paid_repair",
                          "maintenance", "consultation"}


@pytest.mark.parametrize("t, rolled", [
    ("2026-11-23 09:30:00", "2026-11-23 09:30:00"),   # a window includes its start
    ("2026-11-23 09:29:59", "2026-11-23 09:30:00"),
    ("2026-11-23 11:29:59", "2026-11-23 11:29:59"),
    ("2026-11-23 11:30:00", "2026-11-23 14:40:00"),   # ... and excludes its end
    ("2026-11-23 16:59:59", "2026-11-23 16:59:59"),
    ("2026-11-23 17:00:00", "2026-11-24 09:30:00"),
    ("2026-11-20 17:00:00", "2026-11-23 09:30:00"),   # Friday evening -> Monday
    ("2026-09-30 17:00:00", "2026-10-08 09:30:00"),   # National Day week
    ("2026-02-13 20:00:00", "2026-02-14 09:30:00"),   # Spring Festival make-up Saturday
])
def test_reference_windows_include_start_exclude_end(t, rolled):
    assert PLAIN.roll(at(t)) == at(rolled)


def test_reference_readme_decisions():
    # A 0d/0m delay is due at once, rolled into a window; a deadline of 0 is the due time itself.
    assert PLAIN.due_at("0m", at("2026-11-23 12:00")) == at("2026-11-23 14:40")
    assert PLAIN.due_at("0d", at("2026-11-23 10:05")) == at("2026-11-23 10:05")
    assert PLAIN.due_at("0d", at("2026-11-21 10:05")) == at("2026-11-23 09:30")
    assert PLAIN.deadline("0d", at("2026-11-23 10:05")) == at("2026-11-23 10:05")
    assert PLAIN.deadline("0m", at("2026-11-23 10:05")) == at("2026-11-23 10:05")
    # A deadline "at the end of the last window" is 17:00 itself; a minute-counted one
    # that uses a window up exactly ends at that window's end.
    assert PLAIN.deadline("1d", at("2026-11-23 16:59:59")) == at("2026-11-23 17:00")
    assert PLAIN.deadline("1h", at("2026-11-23 16:00")) == at("2026-11-23 17:00")
    assert PLAIN.deadline("3h", at("2026-11-20 16:00")) == at("2026-11-23 11:30")
    # `Nd` delays count working days after the completion day, whatever its hour.
    assert PLAIN.due_at("1d", at("2026-11-21 10:00")) == at("2026-11-23 09:30")   # completed Saturday
    assert PLAIN.due_at("1d", at("2026-11-23 00:00")) == at("2026-11-24 09:30")
    assert PLAIN.due_at("2d", at("2026-11-20 15:00")) == at("2026-11-24 09:30")
    # The end of an appointment day is 23:59:59; respond_within is wall-clock.
    assert PLAIN.late_deadline(at("2026-11-23 10:00"), "urban", at("2026-11-26 09:00")) == at("2026-11-26 23:59:59")
    assert PLAIN.late_deadline(at("2026-11-23 10:00"), "urban", at("2026-11-23 15:00")) == at("2026-11-24 10:00")
    assert PLAIN.late_deadline(at("2026-11-21 10:00"), None, None) == at("2026-11-24 10:00")   # other: 72h
    assert PLAIN.late_deadline(at("2026-11-21 10:00"), "suburban", None) == at("2026-11-23 10:00")


def test_reference_retry():
    due = at("2026-11-23 09:30")
    # +2h wall-clock, rolled into a window
    assert PLAIN.retry_due(due, at("2026-11-23 09:35")) == at("2026-11-23 14:40")
    assert PLAIN.retry_due(due, at("2026-11-23 12:40")) == at("2026-11-23 14:40")
    assert PLAIN.retry_due(due, at("2026-11-23 12:41")) == at("2026-11-23 14:41")
    assert PLAIN.retry_due(due, at("2026-11-23 15:00")) == at("2026-11-24 09:30")   # 17:00 is closed
    assert PLAIN.retry_due(due, at("2026-11-20 16:00")) == due                      # never before due_at
    s = PLAIN.callback("repair", at("2026-11-20 15:00"), [(at("2026-11-23 10:00"), "no_answer")])
    assert (s["next_due"], s["deadline"], s["reason"], s["attempts"]) == (
        at("2026-11-23 14:40"), at("2026-11-25 17:00"), "retry", 1)   # the deadline does not move
    # a call after now does not count yet
    s = PLAIN.callback("repair", at("2026-11-20 15:00"), [(at("2026-11-23 10:00"), "busy")], now=at("2026-11-23 09:45"))
    assert (s["next_due"], s["reason"], s["attempts"]) == (at("2026-11-23 09:30"), "first", 0)


def test_reference_give_up():
    s = PLAIN.callback("install", at("2026-11-23 10:00"))   # deadline 11-24 17:00
    assert PLAIN.due_listed(s, at("2026-11-23 10:00"), at("2026-11-24 09:29:59")) is False
    assert PLAIN.due_listed(s, at("2026-11-23 10:00"), at("2026-11-24 09:30")) is True
    assert PLAIN.due_listed(s, at("2026-11-23 10:00"), at("2026-12-01 16:59:59")) is True
    assert PLAIN.due_listed(s, at("2026-11-23 10:00"), at("2026-12-01 17:00")) is None   # left open
    assert PLAIN.due_listed(s, at("2026-11-23 10:00"), at("2026-12-01 17:00:01")) is False


def test_reference_chase():
    r = at("2026-11-23 16:30")   # Monday: 30 min today, 3h30 from 08:30 tomorrow
    assert PLAIN.feedback_deadline(r) == at("2026-11-24 12:00")
    assert PLAIN.feedback_deadline(at("2026-11-20 13:00")) == at("2026-11-20 17:00")
    assert PLAIN.feedback_deadline(at("2026-11-21 10:00")) == at("2026-11-23 12:30")   # Saturday
    assert PLAIN.feedback_deadline(at("2026-09-30 15:00")) == at("2026-10-08 10:30")   # National Day
    assert PLAIN.chase(at("2026-11-24 12:00"), reported=r, zone="urban") is None         # not past yet
    assert PLAIN.chase(at("2026-11-24 12:00:01"), reported=r, zone="urban") == ("no_feedback", at("2026-11-24 12:00"))
    assert PLAIN.chase(at("2026-11-24 13:00"), reported=r, arrived=at("2026-11-24 12:30")) is None
    # both late and without feedback: listed once, as late; reported after 16:00, the 24 h
    # count from the next working day's opening (seed 003)
    assert PLAIN.chase(at("2026-11-25 08:31"), reported=r, zone="urban") == ("late", at("2026-11-25 08:30"))
    assert PLAIN.chase(at("2026-11-25 08:31"), reported=r, zone="urban", feedback=r) == ("late", at("2026-11-25 08:30"))
    r2 = at("2026-11-23 15:30")
    assert PLAIN.chase(at("2026-11-24 15:31"), reported=r2, zone="urban", feedback=r2) == ("late", at("2026-11-24 15:30"))
    # facts after now do not count yet
    assert PLAIN.chase(at("2026-11-24 13:00"), reported=r, feedback=at("2026-11-25 09:00")) == (
        "no_feedback", at("2026-11-24 12:00"))
    assert PLAIN.chase(at("2026-11-25 08:31"), reported=r, zone="urban", completed=at("2026-11-25 09:00")) == (
        "late", at("2026-11-25 08:30"))
    assert PLAIN.chase(at("2026-11-23 16:00"), reported=r) is None
    assert PLAIN.chase(at("2026-11-30 10:00"), reported=r, completed=at("2026-11-25 09:00")) is None
    assert PLAIN.chase(at("2026-11-30 10:00"), reported=r, cancelled=True) is None


def test_reference_calendar():
    cal = REF.calendar
    assert cal.is_working(D(2026, 10, 10)) and cal.is_working(D(2026, 2, 14))   # make-up Saturdays
    assert not cal.is_working(D(2026, 10, 1)) and not cal.is_working(D(2025, 1, 28))
    assert cal.is_working(D(2027, 1, 31)) and not cal.is_working(D(2027, 2, 8))   # the policy's 2027
    assert not cal.is_working(D(2027, 1, 30)) and cal.is_working(D(2027, 2, 12))
    assert not Reference().calendar.is_working(D(2027, 1, 31))                   # no list: weekends only
    assert REF.due_at("1d", at("2027-02-04 15:00")) == at("2027-02-12 09:30")


def _inside_by_the_minute(ref, start, minutes, windows=None):
    """Brute force: walk minute by minute, counting the minutes that lie inside a window."""
    by_day = {}
    t, left = start, minutes
    while left:
        if t.date() not in by_day:
            by_day[t.date()] = ref.windows_on(t.date(), windows)
        if any(a <= t < b for a, b in by_day[t.date()]):
            left -= 1
        t += M
    return t


@pytest.mark.parametrize("start", ["2026-11-20 16:00", "2026-11-23 11:00", "2026-11-23 12:00", "2026-09-30 16:10",
                                   "2026-02-13 16:59", "2026-11-23 09:30", "2026-11-21 03:00"])
@pytest.mark.parametrize("minutes", [1, 29, 140, 180, 181, 260])
def test_reference_window_time_against_counting_minutes(start, minutes):
    got = PLAIN.inside(at(start), minutes * M)
    by_minute = _inside_by_the_minute(PLAIN, at(start), minutes)
    assert got == by_minute
    got = PLAIN.inside(at(start), minutes * M, PLAIN.desk_hours)
    assert got == _inside_by_the_minute(PLAIN, at(start), minutes, PLAIN.desk_hours)


# ---------------------------------------------------------------------------
# (b) the program against the reference
# ---------------------------------------------------------------------------

def _near(day_list, k=2):
    out = set()
    for d in day_list:
        out.update(d + dt.timedelta(days=i) for i in range(-k, k + 1))
    return sorted(d for d in out if FIRST <= d <= LAST)


OFFICIAL = [d for d in (*chinese_calendar.holidays, *chinese_calendar.workdays) if d.year in (2025, 2026)]
SPECIAL_DAYS = _near(OFFICIAL + [d for d in HOLIDAYS_2027 + WORKDAYS_2027 if d.year == 2027])
MONTH_ENDS = _near([D(y, m, 1) for y in (2025, 2026, 2027, 2028) for m in range(1, 13)], 1)
YEAR_ENDS = [d for d in days(FIRST, LAST) if (d.month, d.day) >= (12, 28) or (d.month, d.day) <= (1, 3)]
WEEKENDS = [d for d in days(FIRST, LAST) if d.weekday() >= 5]

DAYS = st.one_of(st.sampled_from(SPECIAL_DAYS), st.sampled_from(MONTH_ENDS), st.sampled_from(YEAR_ENDS),
                 st.sampled_from(WEEKENDS), st.dates(FIRST, LAST))

EDGES = [T(9, 30), T(11, 30), T(14, 40), T(17, 0), T(8, 30)]   # windows and desk hours
SHIFTS = [0, 30 * 60, 2 * 3600, 3 * 3600, 4 * 3600]             # delay, retry, within, feedback
JITTER = [-60, -1, 0, 0, 1, 60]


def _secs(t):
    return t.hour * 3600 + t.minute * 60 + t.second


SECONDS_OF_DAY = st.one_of(
    st.builds(lambda e, s, j: _secs(e) - s + j, st.sampled_from(EDGES), st.sampled_from(SHIFTS),
              st.sampled_from(JITTER)),                                       # window edges
    st.integers(11 * 60 + 25, 14 * 60 + 45).map(lambda m: m * 60),          # lunch gaps
    st.sampled_from([0, 86399, 12 * 3600, 18 * 3600, 7 * 3600]),
    st.integers(0, 1439).map(lambda m: m * 60),
    st.integers(0, 86399),
)


def moment(day, secs):
    return dt.datetime.combine(day, T(0)) + dt.timedelta(seconds=secs)


MOMENTS = st.builds(moment, DAYS, SECONDS_OF_DAY)
TYPES = st.sampled_from(["maintenance"] * 4 + ["repair", "install"] * 2 + [
    "delivery", "inspection", "warranty_repair", "paid_repair", "consultation", "parts", "sales"])
OFFSETS = st.one_of(
    st.sampled_from([dt.timedelta(0), S, -S, M, -M, H, -H, dt.timedelta(days=1)]),
    st.integers(-6 * 3600, 6 * 3600).map(lambda s: dt.timedelta(seconds=s)),
    st.integers(-3 * 86400, 10 * 86400).map(lambda s: dt.timedelta(seconds=s)),
    st.integers(-3 * 1440, 10 * 1440).map(lambda m: m * M),
)

# No shrinking: an example costs a desk file, and a failure names its order, times and now anyway.
SETTINGS = settings(deadline=None, derandomize=True, database=None,
                    phases=[Phase.explicit, Phase.reuse, Phase.generate],
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def policy_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("policy") / "cn2027.toml"
    path.write_text(POLICY_TOML, encoding="utf-8")
    return str(path)


def test_program_reads_the_same_calendar(tmp_path, policy_file):
    """The days off on weekdays and working weekend days the program lists agree with the reference's."""
    cli = Cli(str(tmp_path / "c.db"))
    for year in (2025, 2026, 2027, 2028):
        r = cli("calendar", year, "-f", "json", now="2027-01-04 10:00", policy=policy_file)
        assert r.exit_code == 0, r.output
        listed = {D.fromisoformat(x["date"]): x["kind"] for x in json.loads(r.stdout)}
        last = D(2028, 1, 20) if year == 2028 else D(year, 12, 31)   # 2028: only the days our list covers
        want = {d: "workday" if REF.calendar.is_working(d) else "day_off" for d in days(D(year, 1, 1), last)
                if REF.calendar.is_working(d) == (d.weekday() >= 5)}
        assert {d: k for d, k in listed.items() if d <= last} == want, year


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows([["" if c is None else c for c in row] for row in rows])
    return str(path)


class Batch:
    """One desk file per hypothesis example."""

    counter = 0

    def __init__(self, tmp_path_factory, policy_file):
        Batch.counter += 1
        self.dir = tmp_path_factory.mktemp(f"b{Batch.counter}")
        self.cli = Cli(str(self.dir / "desk.db"))
        self.policy = policy_file

    def run(self, *args, now):
        r = self.cli(*args, now=fmt(now), policy=self.policy)
        assert r.exit_code == 0, r.output
        return r

    def json(self, *args, now):
        return json.loads(self.run(*args, "-f", "json", now=now).stdout)


def draw_moments(data, n, label, back=12, ahead=2):
    """n moments, most of them within days of one drawn day (so one now sees several), the rest anywhere."""
    base = data.draw(DAYS, label="base day")
    out = []
    for _ in range(n):
        if data.draw(st.integers(0, 3), label="clustered?"):
            day = min(max(base + dt.timedelta(days=data.draw(st.integers(-back, ahead))), FIRST), LAST)
            out.append(moment(day, data.draw(SECONDS_OF_DAY, label=label)))
        else:
            out.append(data.draw(MOMENTS, label=label))
    return out


def draw_orders(data, n_min=15, n_max=30):
    n = data.draw(st.integers(n_min, n_max), label="n")
    return [(f"R{i:03d}", data.draw(TYPES, label="type"), completed)
            for i, completed in enumerate(draw_moments(data, n, "completed"))]


def draw_attempt(data, due):
    """A retry outcome at a random time on or after due_at (the due day or up to 3 days later)."""
    if due is None or not data.draw(st.integers(0, 2), label="call?"):
        return None
    day = due.date() + dt.timedelta(days=data.draw(st.integers(0, 3), label="days"))
    called = max(due, moment(day, data.draw(SECONDS_OF_DAY, label="call time")))
    return called, data.draw(st.sampled_from(["no_answer", "busy", "hung_up", "wrong_person"]), label="outcome")


def draw_now(data, anchors):
    return data.draw(st.sampled_from(anchors), label="anchor") + data.draw(OFFSETS, label="offset")


def program_schedules(batch, now, order_nos):
    from callbackctl import desk as desk_mod, schedule

    d = desk_mod.open_desk(batch.cli.db_path, now=fmt(now), policy_path=batch.policy)
    try:
        return {no: schedule.order_schedule(d, no)[1] for no in order_nos}
    finally:
        d.conn.close()


def expected_due_rows(orders, states, now):
    rows = []
    for no, service_type, completed in orders:
        s = states[no]
        listed = REF.due_listed(s, completed, now)
        if listed is None:
            continue
        if listed:
            rows.append({"order_no": no, "service_type": service_type, "completed_at": fmt(completed),
                         "due_at": fmt(s["next_due"]), "deadline": fmt(s["deadline"]), "attempts": s["attempts"],
                         "last_outcome": s["last_outcome"], "reason": s["reason"], "overdue": now > s["deadline"]})
    return sorted(rows, key=lambda r: (r["deadline"], r["order_no"]))


def program_due_rows(batch, orders, states, now):
    skip = {no for no, _, completed in orders if REF.due_listed(states[no], completed, now) is None}
    keys = ("order_no", "service_type", "completed_at", "due_at", "deadline", "attempts", "last_outcome", "reason",
            "overdue")
    return [{k: r[k] for k in keys} for r in batch.json("due", now=now) if r["order_no"] not in skip]


@settings(SETTINGS, max_examples=110)
@given(data=st.data())
def test_callbacks_match_the_reference(tmp_path_factory, policy_file, data):
    """due_at, deadline, the next call after a retry outcome, reason, and the due list at a random now."""
    orders = draw_orders(data)
    first = {no: REF.callback(t, c) for no, t, c in orders}
    calls = {no: draw_attempt(data, s and s["due_at"]) for no, s in first.items()}
    anchors = [t for s in first.values() if s for t in (s["due_at"], s["deadline"], s["deadline"] + REF.give_up_after)]
    anchors += [c[0] for c in calls.values() if c] + [REF.retry_due(first[no]["due_at"], c[0])
                                                       for no, c in calls.items() if c]
    now = draw_now(data, anchors or [c for _, _, c in orders])
    calls = {no: c for no, c in calls.items() if c}   # a call after now must not count yet
    states = {no: REF.callback(t, c, [calls[no]] if no in calls else [], now) for no, t, c in orders}

    b = Batch(tmp_path_factory, policy_file)
    b.run("import", write_csv(b.dir / "orders.csv", ["order_no", "service_type", "completed_at"],
                              [(no, t, fmt(c)) for no, t, c in orders]), now=max(now, at("2028-01-01 00:00")))
    if calls:
        b.run("record", "--from", write_csv(b.dir / "calls.csv", ["order_no", "outcome", "called_at"],
                                            [(no, o, fmt(c)) for no, (c, o) in calls.items()]),
              now=max([now, *(c for c, _ in calls.values())]))

    got = program_schedules(b, now, [no for no, _, _ in orders])
    for no, service_type, completed in orders:
        want, s = states[no], got[no]
        if no in calls and calls[no][0] > now:
            continue   # `show` counts a call after now: see test_show_does_not_count_a_call_after_now
        if want is None:
            assert s is None, (no, service_type)
            continue
        assert s is not None, (no, service_type)
        assert (fmt(s.due_at), fmt(s.deadline), fmt(s.next_due), s.reason, s.attempts) == (
            fmt(want["due_at"]), fmt(want["deadline"]), fmt(want["next_due"]), want["reason"], want["attempts"]), (
            no, service_type, fmt(completed), calls.get(no), fmt(now))
    want_rows = expected_due_rows(orders, states, now)
    assert program_due_rows(b, orders, states, now) == want_rows
    event(f"due rows listed: {min(len(want_rows), 3)}{'+' if len(want_rows) >= 3 else ''}")
    for r in want_rows:
        event(f"listed as {r['reason']}" + (", overdue" if r["overdue"] else ""))
    if any(c[0] > now for c in calls.values()):
        event("a call after now")


def draw_chase_order(data, i, reported):
    zone = data.draw(st.sampled_from(["urban", "suburban", "other", None]), label="zone")

    def later(label):
        kind = data.draw(st.integers(0, 3), label=label)
        if kind == 0:
            return None
        if kind == 1:   # around the feedback deadline
            return REF.feedback_deadline(reported) + data.draw(st.sampled_from([-S, dt.timedelta(0), S, -H, H]))
        return reported + data.draw(st.integers(0, 5 * 1440), label=label + " minutes") * M

    feedback, arrived = later("feedback"), later("arrived")
    appointment = None
    if data.draw(st.booleans(), label="appointment?"):
        appointment = moment(reported.date() + dt.timedelta(days=data.draw(st.integers(-1, 6))),
                             data.draw(SECONDS_OF_DAY, label="appointment time"))
    completed = later("completed") if data.draw(st.integers(0, 3), label="completed?") == 0 else None
    cancelled = data.draw(st.integers(0, 9), label="cancelled?") == 0
    return {"order_no": f"K{i:03d}", "reported": reported, "zone": zone, "feedback": feedback,
            "arrived": arrived, "appointment": appointment, "completed": completed, "cancelled": cancelled}


def expected_chase(orders, now):
    out = {}
    for o in orders:
        got = REF.chase(now, reported=o["reported"], feedback=o["feedback"], arrived=o["arrived"],
                        appointment=o["appointment"], zone=o["zone"], completed=o.get("completed"),
                        cancelled=o.get("cancelled", False))
        if got:
            out[o["order_no"]] = (got[0], fmt(got[1]), (now - got[1]) / H)
    return out


def chase_batch(tmp_path_factory, policy_file, orders, now):
    b = Batch(tmp_path_factory, policy_file)
    header = ["order_no", "service_type", "zone", "reported_at", "feedback_at", "arrived_at", "appointment_at",
              "completed_at", "status"]
    rows = [(o["order_no"], "repair", o["zone"],
             *(o.get(k) and fmt(o[k]) for k in ("reported", "feedback", "arrived", "appointment", "completed")),
             "cancelled" if o.get("cancelled") else None)
            for o in orders]
    b.run("import", write_csv(b.dir / "open.csv", header, rows), now=max(now, at("2028-01-01 00:00")))
    return b


def compare_chase(b, orders, now):
    want = expected_chase(orders, now)
    rows = b.json("chase", now=now)
    got = {r["order_no"]: (r["reason"], r["deadline"], r["overdue_hours"]) for r in rows}
    assert {k: v[:2] for k, v in got.items()} == {k: v[:2] for k, v in want.items()}
    for k, (_, _, hours) in got.items():   # wall-clock since the deadline, to a tenth of an hour
        assert abs(hours - want[k][2]) <= 0.05 + 1e-9, (k, hours, want[k])
    return want


@settings(SETTINGS, max_examples=60)
@given(data=st.data())
def test_chase_matches_the_reference(tmp_path_factory, policy_file, data):
    """no_feedback (desk hours) and late (wall-clock, or the end of the appointment day) at a random now."""
    n = data.draw(st.integers(15, 30), label="n")
    orders = [draw_chase_order(data, i, r) for i, r in enumerate(draw_moments(data, n, "reported", 4, 0))]
    anchors = [t for o in orders for t in (o["reported"], REF.feedback_deadline(o["reported"]),
                                           REF.late_deadline(o["reported"], o["zone"], o["appointment"]),
                                           o["feedback"], o["completed"]) if t is not None]
    now = draw_now(data, anchors)
    listed = compare_chase(chase_batch(tmp_path_factory, policy_file, orders, now), orders, now)
    event(f"chase rows listed: {min(len(listed), 3)}{'+' if len(listed) >= 3 else ''}")
    for reason in sorted({v[0] for v in listed.values()}):
        event(f"chase lists {reason}")


# ---------------------------------------------------------------------------
# "a fact stamped after now does not count yet" (contract: Time, in every year)
# ---------------------------------------------------------------------------

def test_a_call_after_now_does_not_count_yet(tmp_path_factory, policy_file):
    b = Batch(tmp_path_factory, policy_file)
    b.run("import", write_csv(b.dir / "o.csv", ["order_no", "service_type", "completed_at"],
                              [("A1", "repair", "2026-11-20 15:00")]), now=at("2026-11-24 10:00"))
    b.run("record", "--from", write_csv(b.dir / "c.csv", ["order_no", "outcome", "called_at"],
                                        [("A1", "no_answer", "2026-11-23 10:00")]), now=at("2026-11-24 10:00"))
    rows = b.json("due", now=at("2026-11-23 09:45"))
    assert [(r["order_no"], r["reason"], r["due_at"], r["attempts"]) for r in rows] == [
        ("A1", "first", "2026-11-23 09:30:00", 0)]


def test_show_does_not_count_a_call_after_now(tmp_path_factory, policy_file):
    b = Batch(tmp_path_factory, policy_file)
    b.run("import", write_csv(b.dir / "o.csv", ["order_no", "service_type", "completed_at"],
                              [("A1", "repair", "2026-11-20 15:00")]), now=at("2026-11-24 10:00"))
    b.run("record", "--from", write_csv(b.dir / "c.csv", ["order_no", "outcome", "called_at"],
                                        [("A1", "no_answer", "2026-11-23 10:00")]), now=at("2026-11-24 10:00"))
    steps = {x["step"]: x["value"] for x in b.json("show", "A1", now=at("2026-11-23 09:45"))["callback_schedule"]}
    assert steps["attempts"].startswith("0 of 3"), steps["attempts"]
    assert steps["next_call"].startswith("Mon 2026-11-23 09:30:00 (first)"), steps["next_call"]


def test_a_feedback_after_now_does_not_count_yet(tmp_path_factory, policy_file):
    o = {"order_no": "B2", "reported": at("2026-11-23 09:00"), "zone": None,
         "feedback": at("2026-11-25 10:00"), "arrived": None, "appointment": None}
    now = at("2026-11-24 10:00")
    assert expected_chase([o], now) == {"B2": ("no_feedback", "2026-11-23 13:00:00", 21.0)}
    compare_chase(chase_batch(tmp_path_factory, policy_file, [o], now), [o], now)


def test_a_completion_after_now_does_not_count_yet(tmp_path_factory, policy_file):
    b = Batch(tmp_path_factory, policy_file)
    b.run("import", write_csv(b.dir / "o.csv", ["order_no", "service_type", "zone", "reported_at", "feedback_at",
                                                "completed_at"],
                              [("B1", "repair", "urban", "2026-11-19 09:00", "2026-11-19 10:00",
                                "2026-11-27 15:00")]), now=at("2026-11-28 10:00"))
    now = at("2026-11-24 10:00")
    assert REF.chase(now, reported=at("2026-11-19 09:00"), feedback=at("2026-11-19 10:00"), zone="urban",
                     completed=at("2026-11-27 15:00")) == ("late", at("2026-11-20 09:00"))
    rows = b.json("chase", now=now)
    assert [(r["order_no"], r["reason"], r["deadline"]) for r in rows] == [("B1", "late", "2026-11-20 09:00:00")]
