"""An independent reference of the deadline rules, written from contract.md and the README.

Deliberately simple and slow: days are walked one at a time, windows one at a
time, and nothing is cached. It does not import callbackctl (only
`chinese_calendar`, for the official working days), so tests/test_reference.py
can compare the program against it.

What it follows (contract "The default policy", "Callbacks", "Chasing", "Time,
in every year"; README "The policy" and its decided points):

- Working days: the official calendar (`chinese_calendar.is_workday`) where it
  has data, else Monday-Friday; then the policy's `workdays` (which win) and
  `holidays`.
- A window [start, end) includes its start and excludes its end.
- `roll(t)`: t itself when inside a window on a working day, else the start of
  the next window.
- Delay `Nd`: the start of the first window on the Nth working day after the
  completion day; `0d` is "due at once, rolled". Delay `Nh`/`Nm`: wall-clock,
  then rolled.
- Deadline `Nd`: the end of the last window on the Nth working day counting the
  due day. Deadline `Nh`/`Nm`: the earliest time by which that much time inside
  the windows has passed since due_at. A deadline of 0 is due_at itself.
- A retry (after no_answer, busy, hung_up, wrong_person): `retry_after`
  wall-clock after the attempt, rolled, never before due_at; the deadline does
  not move.
- A fact stamped after now (a completion, a call, a feedback, an arrival) does
  not count yet.
- Chase: `late` when now is past max(start + respond_within[zone], 23:59:59 of
  the appointment day), start being reported_at, or for a report at or after
  16:00 the opening of desk hours on the next working day (seed 003); else `no_feedback` when there is no
  feedback or arrival by now and now is past `feedback_within` of desk hours
  after reported_at. Both: listed once, as late.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import chinese_calendar

ONE_DAY = dt.timedelta(days=1)


# -- durations ----------------------------------------------------------------

@dataclass(frozen=True)
class Duration:
    n: int
    unit: str  # "d", "h" or "m"

    @classmethod
    def parse(cls, text: str) -> "Duration":
        m = re.fullmatch(r"(\d+)([dhm])", text.strip())
        if not m:
            raise ValueError(f"not a duration: {text!r}")
        return cls(int(m.group(1)), m.group(2))

    @property
    def wall(self) -> dt.timedelta:
        """The duration as clock time (only for h and m)."""
        assert self.unit in "hm", self
        return dt.timedelta(hours=self.n) if self.unit == "h" else dt.timedelta(minutes=self.n)


def _d(x) -> Duration:
    return x if isinstance(x, Duration) else Duration.parse(x)


def parse_windows(items) -> tuple[tuple[dt.time, dt.time], ...]:
    out = []
    for item in items:
        a, b = item.split("-")
        out.append((dt.time.fromisoformat(a), dt.time.fromisoformat(b)))
    return tuple(out)


# -- the default policy, as the contract prints it ---------------------------

CALLBACK_WINDOWS = parse_windows(["09:30-11:30", "14:40-17:00"])
DESK_HOURS = parse_windows(["08:30-17:00"])
RETRY_AFTER = Duration.parse("2h")
RETRY_OUTCOMES = frozenset({"no_answer", "busy", "hung_up", "wrong_person"})
MAX_ATTEMPTS = 3
GIVE_UP_AFTER = dt.timedelta(days=7)  # calendar days past the deadline
FEEDBACK_WITHIN = Duration.parse("4h")
RESPOND_WITHIN = {"urban": dt.timedelta(hours=24), "suburban": dt.timedelta(hours=48),
                  "other": dt.timedelta(hours=72)}
RULES = {  # service type: (delay, within); parts and sales have none
    "install": ("1d", "1d"),
    "delivery": ("1d", "1d"),
    "inspection": ("1d", "1d"),
    "repair": ("1d", "3d"),
    "warranty_repair": ("1d", "3d"),
    "paid_repair": ("1d", "3d"),
    "maintenance": ("30m", "3h"),
    "consultation": ("1d", "1d"),
}


# -- the calendar -------------------------------------------------------------

@dataclass
class Calendar:
    holidays: frozenset = frozenset()   # the policy's extra days off
    workdays: frozenset = frozenset()   # the policy's extra working days (these win)

    def official(self, day: dt.date) -> bool | None:
        """chinese_calendar's answer, or None for a year it has no data for."""
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            return None

    def is_working(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        official = self.official(day)
        if official is not None:
            return official
        return day.weekday() < 5


# -- the rules ----------------------------------------------------------------

@dataclass
class Reference:
    calendar: Calendar = field(default_factory=Calendar)
    windows: tuple = CALLBACK_WINDOWS
    desk_hours: tuple = DESK_HOURS
    rules: dict = field(default_factory=lambda: dict(RULES))
    retry_after: Duration = RETRY_AFTER
    max_attempts: int = MAX_ATTEMPTS
    give_up_after: dt.timedelta = GIVE_UP_AFTER
    feedback_within: Duration = FEEDBACK_WITHIN
    respond_within: dict = field(default_factory=lambda: dict(RESPOND_WITHIN))

    # windows

    def windows_on(self, day: dt.date, windows=None) -> list[tuple[dt.datetime, dt.datetime]]:
        """The windows of one day as [start, end) datetimes; none on a day off."""
        if not self.calendar.is_working(day):
            return []
        return [(dt.datetime.combine(day, a), dt.datetime.combine(day, b)) for a, b in (windows or self.windows)]

    def in_window(self, t: dt.datetime, windows=None) -> bool:
        return any(a <= t < b for a, b in self.windows_on(t.date(), windows))

    def roll(self, t: dt.datetime, windows=None) -> dt.datetime:
        """t when it is inside a window, else the start of the next window."""
        day = t.date()
        for _ in range(400):
            for a, b in self.windows_on(day, windows):
                if a <= t < b:
                    return t
                if a > t:
                    return a
            day += ONE_DAY
        raise AssertionError(f"no window within 400 days of {t}")

    def working_day_after(self, day: dt.date, n: int) -> dt.date:
        """The nth working day after `day` (not counting `day`)."""
        count = 0
        while count < n:
            day += ONE_DAY
            if self.calendar.is_working(day):
                count += 1
        return day

    def inside(self, start: dt.datetime, amount: dt.timedelta, windows=None) -> dt.datetime:
        """The earliest time by which `amount` of time inside the windows has passed since `start`."""
        if amount <= dt.timedelta(0):
            return start
        left, t = amount, start
        while True:
            t = self.roll(t, windows)
            end = next(b for a, b in self.windows_on(t.date(), windows) if a <= t < b)
            if left <= end - t:
                return t + left
            left -= end - t
            t = end

    # callbacks

    def due_at(self, delay, completed: dt.datetime) -> dt.datetime:
        delay = _d(delay)
        if delay.unit == "d":
            if delay.n == 0:
                return self.roll(completed)
            day = self.working_day_after(completed.date(), delay.n)
            return dt.datetime.combine(day, self.windows[0][0])
        return self.roll(completed + delay.wall)

    def deadline(self, within, due: dt.datetime) -> dt.datetime:
        within = _d(within)
        if within.n == 0:
            return due
        if within.unit == "d":
            assert self.calendar.is_working(due.date()), due  # due_at is always inside a window
            day = due.date() if within.n == 1 else self.working_day_after(due.date(), within.n - 1)
            return dt.datetime.combine(day, self.windows[-1][1])
        return self.inside(due, within.wall)

    def retry_due(self, due: dt.datetime, attempt: dt.datetime) -> dt.datetime:
        return max(due, self.roll(attempt + self.retry_after.wall))

    def callback(self, service_type: str, completed: dt.datetime, calls=(), now: dt.datetime | None = None):
        """The first round's state at now: None for a type without a rule.

        `calls`: (called_at, outcome) pairs, only retry outcomes; calls after
        now do not count. Returns a dict with due_at, deadline, next_due,
        reason, attempts, last_outcome.
        """
        rule = self.rules.get(service_type)
        if rule is None:
            return None
        delay, within = rule
        due = self.due_at(delay, completed)
        state = {"due_at": due, "deadline": self.deadline(within, due), "next_due": due, "reason": "first",
                 "attempts": 0, "last_outcome": None}
        for at, outcome in sorted(calls):
            if now is not None and at > now:
                continue
            assert outcome in RETRY_OUTCOMES, outcome
            state.update(next_due=self.retry_due(due, at), reason="retry", attempts=state["attempts"] + 1,
                         last_outcome=outcome)
        return state

    def due_listed(self, state, completed: dt.datetime, now: dt.datetime) -> bool | None:
        """Whether `callbackctl due` lists the callback at now; None when unspecified.

        Listed when completed by now, the next call is due by now, attempts are
        left and it is not given up (give_up_after calendar days past the
        deadline). The instant deadline + give_up_after itself is left open.
        """
        if state is None or completed > now:
            return False
        if now == state["deadline"] + self.give_up_after:
            return None
        return (state["next_due"] <= now and state["attempts"] < self.max_attempts
                and now < state["deadline"] + self.give_up_after)

    # chasing

    def feedback_deadline(self, reported: dt.datetime) -> dt.datetime:
        return self.inside(reported, self.feedback_within.wall, self.desk_hours)

    def late_deadline(self, reported: dt.datetime, zone: str | None, appointment: dt.datetime | None):
        start = reported
        if (reported.hour, reported.minute) >= (16, 0):  # seed 003: scheduled for the next working day
            day = reported.date() + dt.timedelta(days=1)
            while not self.calendar.is_working(day):
                day += dt.timedelta(days=1)
            start = dt.datetime.combine(day, self.desk_hours[0][0])
        late = start + self.respond_within[zone or "other"]
        if appointment is not None:
            late = max(late, dt.datetime.combine(appointment.date(), dt.time(23, 59, 59)))
        return late

    def chase(self, now: dt.datetime, reported=None, feedback=None, arrived=None, appointment=None,
              completed=None, cancelled=False, zone=None):
        """(reason, deadline) when the order is on the chase list at now, else None."""
        if cancelled or reported is None or reported > now:
            return None
        if completed is not None and completed <= now:
            return None
        late = self.late_deadline(reported, zone, appointment)
        if now > late:
            return ("late", late)
        heard = [t for t in (feedback, arrived) if t is not None and t <= now]
        if heard:
            return None
        due = self.feedback_deadline(reported)
        if now > due:
            return ("no_feedback", due)
        return None
