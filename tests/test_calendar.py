"""Deadline arithmetic, table-driven. Defaults: windows 09:30-11:30 and 14:40-17:00."""

import datetime as dt

import pytest

from callbackctl import calendar as cal_mod
from callbackctl.policy import DEFAULT, parse_duration, parse_windows

W = DEFAULT.callback_windows
APOLOGY = DEFAULT.apology_windows


def T(text):
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M")


def cn(**kw):
    return cal_mod.WorkCalendar("CN", **kw)


@pytest.mark.parametrize("completed, delay, due", [
    # contract.md's examples
    ("2026-11-20 15:00", "1d", "2026-11-23 09:30"),   # Fri -> Mon
    ("2026-11-23 10:00", "1d", "2026-11-24 09:30"),   # install, next day
    ("2026-11-23 11:20", "30m", "2026-11-23 14:40"),  # 11:50 is in the lunch gap
    ("2026-10-09 15:00", "1d", "2026-10-10 09:30"),   # Sat 10-10 is a make-up working day
    # wall-clock delays rolled into windows
    ("2026-11-23 09:00", "30m", "2026-11-23 09:30"),
    ("2026-11-23 10:00", "30m", "2026-11-23 10:30"),
    ("2026-11-23 16:45", "30m", "2026-11-24 09:30"),  # 17:15 is after hours
    ("2026-11-23 16:30", "30m", "2026-11-24 09:30"),  # exactly 17:00 is closed
    ("2026-11-21 10:00", "30m", "2026-11-23 09:30"),  # Saturday
    ("2026-11-23 08:00", "3h", "2026-11-23 11:00"),
    # working days across holidays, weekends and month/year ends
    ("2026-11-21 10:00", "1d", "2026-11-23 09:30"),   # completed on a Saturday
    ("2026-11-20 15:00", "2d", "2026-11-24 09:30"),
    ("2026-09-30 15:00", "1d", "2026-10-08 09:30"),   # National Day week
    ("2026-09-24 15:00", "1d", "2026-09-28 09:30"),   # Fri 09-25 Mid-Autumn, then weekend
    ("2026-09-18 15:00", "1d", "2026-09-20 09:30"),   # Sun 09-20 is a make-up working day
    ("2026-07-31 15:00", "1d", "2026-08-03 09:30"),   # month end on a Friday
    ("2025-12-31 15:00", "1d", "2026-01-04 09:30"),   # New Year, then make-up Sunday
    ("2026-02-13 15:00", "1d", "2026-02-14 09:30"),   # Spring Festival make-up Saturday
    ("2026-02-14 15:00", "1d", "2026-02-24 09:30"),   # Spring Festival week
    ("2026-04-30 16:00", "1d", "2026-05-06 09:30"),   # Labour Day
])
def test_due_after(completed, delay, due):
    assert cal_mod.due_after(cn(), W, T(completed), parse_duration(delay)) == T(due)


@pytest.mark.parametrize("due, within, deadline", [
    ("2026-11-23 09:30", "3d", "2026-11-25 17:00"),   # repair: Mon, Tue, Wed
    ("2026-11-24 09:30", "1d", "2026-11-24 17:00"),   # install: the same day
    ("2026-11-23 14:40", "3h", "2026-11-24 10:10"),   # maintenance: 2h20 today, 40m tomorrow
    ("2026-11-20 16:00", "3h", "2026-11-23 11:30"),   # ends exactly on a window end
    ("2026-11-20 16:00", "1h", "2026-11-20 17:00"),
    ("2026-11-23 11:00", "1h", "2026-11-23 15:10"),   # across the lunch gap
    ("2026-11-23 12:00", "30m", "2026-11-23 15:10"),  # starts in the gap
    ("2026-10-08 09:30", "3d", "2026-10-10 17:00"),   # Thu, Fri, make-up Sat
    ("2026-11-27 09:30", "3d", "2026-12-01 17:00"),   # across a month end
    ("2026-12-30 09:30", "3d", "2027-01-04 17:00"),   # 2027 has no official data: 元旦 predicted
])
def test_deadline_after(due, within, deadline):
    assert cal_mod.deadline_after(cn(), W, T(due), parse_duration(within)) == T(deadline)


@pytest.mark.parametrize("t, rolled", [
    ("2026-11-23 09:29", "2026-11-23 09:30"),
    ("2026-11-23 09:30", "2026-11-23 09:30"),
    ("2026-11-23 11:29", "2026-11-23 11:29"),
    ("2026-11-23 11:30", "2026-11-23 14:40"),
    ("2026-11-23 17:00", "2026-11-24 09:30"),
    ("2026-11-22 10:00", "2026-11-23 09:30"),  # Sunday
    ("2026-10-01 10:00", "2026-10-08 09:30"),  # National Day
])
def test_roll_forward(t, rolled):
    assert cal_mod.roll_forward(cn(), W, T(t)) == T(rolled)


@pytest.mark.parametrize("t, rolled", [
    ("2026-11-22 12:30", "2026-11-22 14:30"),  # apology windows run on Sundays too
    ("2026-11-22 21:00", "2026-11-23 08:30"),
    ("2026-10-01 09:00", "2026-10-01 09:00"),
])
def test_every_day_windows(t, rolled):
    assert cal_mod.roll_forward(cal_mod.EVERY_DAY, APOLOGY, T(t)) == T(rolled)


def test_year_without_data_is_weekdays_and_remembered():
    c = cn()
    assert not c.is_workday(dt.date(2027, 1, 1))  # a Friday: 元旦, predicted (no official data yet)
    assert c.is_workday(dt.date(2027, 1, 4)) and not c.is_workday(dt.date(2027, 1, 2))
    assert c.missing_years == {2027}
    assert not c.covers(2027) and c.covers(2026)


def test_policy_lists_override_the_official_calendar():
    c = cn(holidays=[dt.date(2027, 1, 1), dt.date(2026, 11, 24)], workdays=[dt.date(2026, 10, 3)])
    assert cal_mod.due_after(c, W, T("2026-12-31 10:00"), parse_duration("1d")) == T("2027-01-04 09:30")
    assert cal_mod.due_after(c, W, T("2026-11-23 10:00"), parse_duration("1d")) == T("2026-11-25 09:30")
    assert cal_mod.due_after(c, W, T("2026-09-30 10:00"), parse_duration("1d")) == T("2026-10-03 09:30")


def test_no_official_calendar_means_weekdays():
    c = cal_mod.WorkCalendar("none")
    assert c.is_workday(dt.date(2026, 10, 1))
    assert not c.is_workday(dt.date(2026, 10, 10))
    assert c.missing_years == set()


def test_a_calendar_without_working_days_is_an_error_not_a_hang():
    c = cal_mod.WorkCalendar("none", holidays=[dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(800)])
    with pytest.raises(cal_mod.CallbackctlError, match="no working day"):
        cal_mod.roll_forward(c, W, T("2026-01-01 10:00"))


@pytest.mark.parametrize("text, days, minutes", [
    ("1d", 1, 0), ("3h", 0, 180), ("30m", 0, 30), ("1h30m", 0, 90), (" 2H ", 0, 120), ("0m", 0, 0),
])
def test_parse_duration(text, days, minutes):
    d = parse_duration(text)
    assert (d.days, d.minutes) == (days, minutes)


@pytest.mark.parametrize("text", ["", "2", "1x", "1d2h", "h", "-1h", "1.5h"])
def test_parse_duration_rejects(text):
    with pytest.raises(ValueError, match="bad duration"):
        parse_duration(text)


def test_windows_are_sorted_and_checked():
    assert parse_windows(["14:40-17:00", "09:30-11:30"]) == ((570, 690), (880, 1020))
    for bad in (["09:30-09:00"], ["9-10"], ["09:00-12:00", "11:00-13:00"], []):
        with pytest.raises(ValueError):
            parse_windows(bad)


# The contract's open points, as the README decides them.
@pytest.mark.parametrize("moment, inside", [
    ("2026-11-23 09:30:00", True),    # a window includes its start
    ("2026-11-23 11:29:59", True),
    ("2026-11-23 11:30:00", False),   # and excludes its end
    ("2026-11-23 17:00:00", False),
    ("2026-11-21 10:00:00", False),   # a Saturday
])
def test_window_ends_are_exclusive(moment, inside):
    cal, windows = cal_mod.WorkCalendar("CN"), DEFAULT.callback_windows
    assert cal_mod.in_window(cal, windows, dt.datetime.fromisoformat(moment)) is inside


@pytest.mark.parametrize("completed, due", [
    ("2026-11-23 10:00:00", "2026-11-23 10:00:00"),   # inside a window: at once
    ("2026-11-23 12:00:00", "2026-11-23 14:40:00"),   # the lunch gap: rolled
    ("2026-11-20 18:00:00", "2026-11-23 09:30:00"),   # Friday evening: Monday morning
])
def test_a_zero_delay_is_due_at_once_rolled_into_a_window(completed, due):
    cal, windows = cal_mod.WorkCalendar("CN"), DEFAULT.callback_windows
    t = dt.datetime.fromisoformat(completed)
    for zero in (parse_duration("0d"), parse_duration("0m")):
        assert cal_mod.due_after(cal, windows, t, zero) == dt.datetime.fromisoformat(due)
        assert cal_mod.deadline_after(cal, windows, dt.datetime.fromisoformat(due), zero) == dt.datetime.fromisoformat(due)


# -- calendar months (recurring callbacks) ---------------------------------------------

@pytest.mark.parametrize("day, months, expected", [
    ("2026-01-15", 1, "2026-02-15"),
    ("2026-01-31", 1, "2026-02-28"),   # February has no 31st: its last day
    ("2024-01-31", 1, "2024-02-29"),   # a leap year
    ("2026-03-31", 1, "2026-04-30"),
    ("2026-08-31", 6, "2027-02-28"),
    ("2026-12-15", 1, "2027-01-15"),   # across a year end
    ("2026-11-23", 12, "2027-11-23"),
    ("2026-05-20", 6, "2026-11-20"),
    ("2026-03-31", -1, "2026-02-28"),  # back
    ("2026-01-10", -1, "2025-12-10"),
    ("2026-07-15", 0, "2026-07-15"),
])
def test_add_months(day, months, expected):
    assert cal_mod.add_months(dt.date.fromisoformat(day), months) == dt.date.fromisoformat(expected)


@pytest.mark.parametrize("day, months, expected", [
    ("2026-11-23", 6, "2026-05-23"),
    ("2026-03-31", 1, "2026-02-28"),   # 02-28 + 1M = 03-28; 03-01 + 1M is in April
    ("2026-03-01", 1, "2026-02-01"),
    ("2026-02-28", 1, "2026-01-31"),   # 01-29..01-31 + 1M are all 02-28
    ("2027-02-28", 6, "2026-08-31"),
])
def test_latest_months_before(day, months, expected):
    found = cal_mod.latest_months_before(dt.date.fromisoformat(day), months)
    assert found == dt.date.fromisoformat(expected)
    assert cal_mod.add_months(found, months) <= dt.date.fromisoformat(day) < cal_mod.add_months(
        found + dt.timedelta(days=1), months)


@pytest.mark.parametrize("day, due", [
    ("2026-11-23", "2026-11-23 09:30"),  # a Monday
    ("2026-11-21", "2026-11-23 09:30"),  # Saturday: Monday
    ("2026-10-01", "2026-10-08 09:30"),  # National Day
    ("2026-10-10", "2026-10-10 09:30"),  # a make-up working Saturday
    ("2026-02-17", "2026-02-24 09:30"),  # Spring Festival
])
def test_first_window_on(day, due):
    assert cal_mod.first_window_on(cn(), W, dt.date.fromisoformat(day)) == T(due)



@pytest.mark.parametrize("reported, start", [
    ("2026-11-20 15:59", "2026-11-20 15:59"),   # before the cutoff: as reported
    ("2026-11-20 16:00", "2026-11-23 08:30"),   # a Friday at the cutoff: Monday's first desk window
    ("2026-11-21 10:00", "2026-11-21 10:00"),   # a Saturday morning: before the cutoff, as reported
    ("2026-11-23 23:59", "2026-11-24 08:30"),
    ("2026-09-30 16:30", "2026-10-08 08:30"),   # 国庆: 10-01 to 10-07 off
    ("2026-10-09 16:30", "2026-10-10 08:30"),   # Sat 10-10 is a make-up working day
])
def test_next_day_after(reported, start):
    """Seed 003: a repair reported at or after 16:00 is scheduled for the next working day."""
    assert cal_mod.next_day_after(cn(), DEFAULT.dispatch_hours, T(reported), 16 * 60) == T(start)
