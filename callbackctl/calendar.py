"""Working days, calling windows and deadline arithmetic: pure functions.

Every deadline in callbackctl comes from here. Times are naive datetimes in the
database's time zone. Windows are (start, end) minutes after midnight, end
exclusive for rolling (a call at 17:00 rolls to the next window) but a window
end is a valid deadline ("by 17:00").

Durations (policy.Duration):
- `Nd` delay: the start of the first window on the Nth working day after the day;
- `Nd` within: the end of the last window on the Nth working day, counting the
  due day itself as the first;
- `Nh`/`Nm` delay: wall-clock, then rolled into the next window;
- `Nh`/`Nm` within: counted inside the windows.
"""

from __future__ import annotations

import bisect
import datetime as dt
from functools import lru_cache

from callbackctl.errors import CallbackctlError

_DAY = dt.timedelta(days=1)
# A year of days off in a row means the calendar is misconfigured, not a deadline.
_MAX_SCAN_DAYS = 400


class WorkCalendar:
    """Which days are working days.

    Order of precedence: the policy's extra workdays, its extra holidays, the
    State Council's notices the desk loaded (`calendar load`: `loaded`, {day:
    (working, name, notice's year)}) for their days and their years, the official Chinese calendar (public
    holidays and make-up working days 调休) for the years it has data for; for the other years the statutory holidays
    worked out from the Gregorian and lunar calendars (holidays.py, `predicted`);
    and otherwise Monday to Friday. Years looked up without official data are
    remembered in `missing_years` so the caller can warn once instead of failing.
    """

    def __init__(self, country="CN", holidays=(), workdays=(), loaded=None):
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)
        self.loaded = dict(loaded or {})  # {day: (working, name, the notice's year)}
        self.loaded_years = frozenset(year for _, _, year in self.loaded.values())
        self.missing_years: set[int] = set()
        self._official = _official_calendar() if country == "CN" else None
        self.is_workday = lru_cache(maxsize=4096)(self._is_workday)

    def covers(self, year: int) -> bool:
        return self._official is not None and (year in self._official[0] or year in self.loaded_years)

    def known_until(self) -> dt.date | None:
        """The last day of official data, or None when no official calendar is used."""
        if self._official is None:
            return None
        return dt.date(max(self._official[0] | self.loaded_years), 12, 31)

    def _is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        if day in self.loaded:
            return self.loaded[day][0]
        if day.year in self.loaded_years:
            return day.weekday() < 5
        if self._official is not None:
            years, off, on = self._official
            if day.year in years:
                if day in on:
                    return True
                if day in off:
                    return False
            else:
                self.missing_years.add(day.year)
                if day in self.predicted(day.year):
                    return False
        return day.weekday() < 5

    def predicted(self, year: int) -> dict[dt.date, str]:
        """{day: name} of the statutory holidays worked out for a year the official
        calendar has no data for; {} for a year it has, or without it (country "none")."""
        if self._official is None or self.covers(year):
            return {}
        from callbackctl.holidays import statutory_holidays  # lunar-python: only for such a year

        return statutory_holidays(year)

    def explain(self, day: dt.date) -> tuple[bool, str, str]:
        """(a working day?, the holiday's name or "", source): source is `policy`,
        `official` or `predicted` for the rule that decided, `weekday` otherwise."""
        work = self.is_workday(day)
        if day in self.loaded or day.year in self.loaded_years:
            name = self.loaded[day][1] if day in self.loaded else ""
        elif self.covers(day.year):
            name = _official_names().get(day, "")
        else:
            name = self.predicted(day.year).get(day, "")
        if day in self.workdays or day in self.holidays:
            return work, name, "policy"
        if day in self.loaded:
            return work, name, "official (loaded)"
        if day.year in self.loaded_years:
            return work, "", "weekday"
        if self.covers(day.year):
            years, off, on = self._official
            if day in on or day in off:
                return work, name, "official"
        elif day in self.predicted(day.year):
            return work, name, "predicted"
        return work, "", "weekday"

    def exceptions(self, year: int) -> list[dict]:
        """The year's days off on weekdays and working days on weekends, in date order:
        date, weekday, kind (`day_off`/`workday`), name, source (see explain)."""
        rows, day = [], dt.date(year, 1, 1)
        while day.year == year:
            work, name, source = self.explain(day)
            if work == (day.weekday() >= 5):
                rows.append({"date": day.isoformat(), "weekday": WEEKDAYS[day.weekday()],
                             "kind": "workday" if work else "day_off", "name": name, "source": source})
            day += _DAY
        return rows

    def unlisted_missing_years(self) -> list[int]:
        """The years looked up without official data for which the policy lists no day
        either: the years still to load (a desk loads a year's published list through
        calendar.holidays/workdays)."""
        listed = {d.year for d in self.holidays | self.workdays}
        return sorted(y for y in self.missing_years if y not in listed)


class EveryDay:
    """A calendar in which every day counts (apology calls run all week)."""

    missing_years: set = set()

    @staticmethod
    def is_workday(day):
        return True

    @staticmethod
    def known_until():
        return None


EVERY_DAY = EveryDay()


@lru_cache(maxsize=1)
def _official_calendar():
    """(years with data, days off, make-up working days) from chinesecalendar."""
    import chinese_calendar

    off = frozenset(chinese_calendar.holidays)
    on = frozenset(chinese_calendar.workdays)
    years = frozenset(d.year for d in off | on)
    return years, off, on


@lru_cache(maxsize=1)
def _official_names() -> dict[dt.date, str]:
    """{day: Chinese name} of chinesecalendar's days off, and of its make-up working
    days (the holiday each makes up for), named as holidays.NAMES names them."""
    import chinese_calendar
    from chinese_calendar.constants import Holiday

    def chinese(english):
        try:
            name = Holiday(english).chinese
        except ValueError:  # a name a later chinesecalendar adds
            return english or ""
        return {"国庆节": "国庆"}.get(name, name)

    return {day: chinese(english) for table in (chinese_calendar.workdays, chinese_calendar.holidays)
            for day, english in table.items()}


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
EXCEPTION_COLUMNS = ["date", "weekday", "kind", "name", "source"]  # WorkCalendar.exceptions


def from_policy(policy, loaded=None) -> WorkCalendar:
    """The calendar of a policy and the notices a desk loaded (notices.loaded)."""
    return WorkCalendar(policy.country, policy.holidays, policy.workdays, loaded)


def _at(day: dt.date, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minute)


def _second_of_day(t: dt.datetime) -> float:
    return t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6


def roll_forward(cal, windows, t: dt.datetime) -> dt.datetime:
    """`t` if it lies inside a window on a working day, else the next window start."""
    day, sod = t.date(), _second_of_day(t)
    for _ in range(_MAX_SCAN_DAYS):
        if cal.is_workday(day):
            for start, end in windows:  # compared as seconds: no datetime per window
                if sod < end * 60:
                    return t if sod >= start * 60 else _at(day, start)
        day += _DAY
        t, sod = _at(day, 0), 0
    raise CallbackctlError(f"no working day within {_MAX_SCAN_DAYS} days of {t:%Y-%m-%d}: check the calendar")


def nth_workday(cal, day: dt.date, n: int, count_first: bool = False) -> dt.date:
    """The Nth working day after `day` (or counting `day` itself as the first)."""
    if not count_first:
        day += _DAY
    seen = 0
    for _ in range(_MAX_SCAN_DAYS + n * 7):
        if cal.is_workday(day):
            seen += 1
            if seen >= n:
                return day
        day += _DAY
    raise CallbackctlError(f"no {n} working days within reach of {day:%Y-%m-%d}: check the calendar")


def add_window_time(cal, windows, t: dt.datetime, minutes: int) -> dt.datetime:
    """`minutes` of window time after `t`; may end exactly on a window's end."""
    t = roll_forward(cal, windows, t)
    remaining = minutes * 60
    while True:
        sod = _second_of_day(t)
        end = next(e for s, e in windows if sod < e * 60)
        available = end * 60 - sod
        if remaining <= available:
            return t + dt.timedelta(seconds=remaining)
        remaining -= available
        t = roll_forward(cal, windows, _at(t.date(), end))


def window_days(cal, windows, first: dt.date, last: dt.date) -> list[tuple[str, int, int]]:
    """(day, seconds of window time from `first` to the day's start, 1 if a working day)
    for each day from first to last. The window time between two moments of those days
    is the difference of their counts (the day's, plus the window seconds of the day
    before the moment on a working day): add_window_time's, without a loop per moment."""
    per_day = sum(end - start for start, end in windows) * 60
    out, total, day = [], 0, first
    while day <= last:
        work = cal.is_workday(day)
        out.append((day.isoformat(), total, int(work)))
        total += per_day if work else 0
        day += _DAY
    return out


def due_after(cal, windows, start: dt.datetime, delay) -> dt.datetime:
    """When something falls due `delay` after `start` (a completion, an attempt)."""
    if delay.days:
        day = nth_workday(cal, start.date(), delay.days)
        return _at(day, windows[0][0])
    return roll_forward(cal, windows, start + delay.delta)


def deadline_after(cal, windows, due: dt.datetime, within) -> dt.datetime:
    """The latest time something due at `due` may be done."""
    if within.days:
        day = nth_workday(cal, due.date(), within.days, count_first=True)
        return _at(day, windows[-1][1])
    return add_window_time(cal, windows, due, within.minutes)


def in_window(cal, windows, t: dt.datetime) -> bool:
    return roll_forward(cal, windows, t) == t


# -- calendar months (recurring callbacks: "1M" after the last call) -----------

def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later (earlier when negative), or the
    month's last day when it has none: 01-31 + 1M is 02-28 (02-29 in a leap year)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, _month_days(year, month)))


def _month_days(year: int, month: int) -> int:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return (following - _DAY).day


def latest_months_before(day: dt.date, months: int) -> dt.date:
    """The latest date whose `add_months(_, months)` is on or before `day` (the
    last start from which a step of `months` has come by `day`)."""
    found = add_months(day, -months)
    # A few steps at most, where a month end clamps: 01-28..01-31 + 1M are all 02-28.
    while add_months(found + _DAY, months) <= day:
        found += _DAY
    while add_months(found, months) > day:
        found -= _DAY
    return found


def first_window_on(cal, windows, day: dt.date) -> dt.datetime:
    """The start of the first calling window on the first working day on or after `day`."""
    return _at(nth_workday(cal, day, 1, count_first=True), windows[0][0])



def next_day_after(cal, windows, t: dt.datetime, cutoff: int) -> dt.datetime:
    """When work on something reported at `t` starts: `t`, or when it comes at or after
    `cutoff` (minutes after midnight: 16:00 is 960), the start of the first window on the
    next working day (seed 003: 下午4点后的报修安排第二天维修)."""
    if t.hour * 60 + t.minute < cutoff:
        return t
    return first_window_on(cal, windows, t.date() + _DAY)


class Timeline:
    """The windows of a span of days laid end to end, for many times at once.

    `roll` and `add` give what roll_forward and add_window_time give, with two
    bisects instead of a walk over days: reports and long lists compute
    thousands of minute-based deadlines. Outside the span they fall back to
    those functions.
    """

    def __init__(self, cal, windows, first: dt.date, last: dt.date):
        self.cal, self.windows = cal, windows
        self.first = dt.datetime.combine(first, dt.time())  # before it the span knows no window
        self.starts, self.ends, self.before, self.upto = [], [], [], []
        self._days = {}
        known = cal.known_until()
        if known is not None:  # beyond official data the fallback decides, and warns
            last = min(last, known)
        total, day = 0, first
        while day <= last:
            if cal.is_workday(day):
                base = day.toordinal() * 86400
                for start, end in windows:
                    self.starts.append(base + start * 60)
                    self.ends.append(base + end * 60)
                    self.before.append(total)
                    total += (end - start) * 60
                    self.upto.append(total)
            day += _DAY

    @staticmethod
    def _seconds(t: dt.datetime) -> int:
        return t.toordinal() * 86400 + t.hour * 3600 + t.minute * 60 + t.second

    @staticmethod
    def _time(seconds: int) -> dt.datetime:
        days, rest = divmod(seconds, 86400)
        return dt.datetime.fromordinal(days) + dt.timedelta(seconds=rest)

    def roll(self, t: dt.datetime) -> dt.datetime:
        x = self._seconds(t)
        i = bisect.bisect_right(self.ends, x)
        if i == len(self.ends) or t.microsecond or t < self.first:
            return roll_forward(self.cal, self.windows, t)
        return t if x >= self.starts[i] else self._time(self.starts[i])

    def add(self, t: dt.datetime, minutes: int) -> dt.datetime:
        t = self.roll(t)
        x = self._seconds(t)
        i = bisect.bisect_right(self.ends, x)
        if i == len(self.ends) or t.microsecond or t < self.first:
            return add_window_time(self.cal, self.windows, t, minutes)
        target = self.before[i] + (x - self.starts[i]) + minutes * 60
        j = bisect.bisect_left(self.upto, target, lo=i)  # never before the window t is in
        if j == len(self.upto):
            return add_window_time(self.cal, self.windows, t, minutes)
        return self._time(self.starts[j] + target - self.before[j])

    def due_after(self, start: dt.datetime, delay) -> dt.datetime:
        """calendar.due_after, with minute delays on the timeline."""
        if delay.days:
            return self._by_day(due_after, start, delay)
        return self.roll(start + delay.delta)

    def deadline_after(self, due: dt.datetime, within) -> dt.datetime:
        """calendar.deadline_after, with minute windows on the timeline."""
        if within.days:
            return self._by_day(deadline_after, due, within)
        return self.add(due, within.minutes)

    def _by_day(self, rule, t, duration):
        """A day-counted result depends on t's date alone: work it out once a day."""
        key = (rule, t.date(), duration.days)
        found = self._days.get(key)
        if found is None:
            found = self._days[key] = rule(self.cal, self.windows, t, duration)
        return found
