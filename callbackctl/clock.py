"""What time it is, and the times users type.

`now` comes from --now / CALLBACKCTL_NOW when given so that every command is
reproducible; otherwise the real clock in the database's time zone. All times
are naive datetimes in that zone, written as 'YYYY-MM-DD HH:MM:SS'.
"""

from __future__ import annotations

import datetime as dt
import re

FORMAT = "%Y-%m-%d %H:%M:%S"
def fmt(t: dt.datetime | None) -> str | None:
    return None if t is None else t.isoformat(" ", "seconds")


def parse(text: str) -> dt.datetime:
    """A stored time string back to a datetime (fromisoformat: C speed, unlike strptime)."""
    return dt.datetime.fromisoformat(text)


def check_range(first: dt.date | None, last: dt.date | None):
    """Refuse a first day after the last (InvalidValue, for --from)."""
    if first and last and first > last:
        from callbackctl.errors import InvalidValue

        raise InvalidValue(f"{first} is after the last day, {last}: give the first day first", field="from")


def day_range(first: dt.date | None, last: dt.date | None) -> tuple[str, str]:
    """Stored-time bounds [lo, hi) of the days first..last, either open-ended.

    The open ends sort below and above every time text callbackctl writes. A first
    day after the last is a mistake (the two swapped), not an empty range.
    """
    check_range(first, last)
    lo = first.isoformat() if first else "0000-01-01"
    hi = (last + dt.timedelta(days=1)).isoformat() if last else "9999-12-32"
    return lo, hi


def not_before(at: str, last: str | None, what: str, event: str = ""):
    """Refuse a write stamped `at` before the last recorded event of what it changes:
    time never runs backwards on a record."""
    if last and at < last:
        from callbackctl.errors import StateError

        raise StateError(f"{what} was last changed at {last}{f' ({event})' if event else ''}: "
                         f"nothing is written to it as of {at}, which is earlier")


def real_now(timezone: str) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo(timezone)).replace(tzinfo=None, microsecond=0)


_STORED = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?$")
_RELATIVE = re.compile(r"^([+-])\s*(\d+)\s*([dhm])$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_DAYWORD = re.compile(r"^(today|tomorrow|yesterday|今天|明天|昨天)(?:\s+(\d{1,2}):(\d{2}))?$")
_DAY_OFFSET = {"today": 0, "今天": 0, "tomorrow": 1, "明天": 1, "yesterday": -1, "昨天": -1}


def when(text: str, now: dt.datetime, tz=None, date_order: str | None = None) -> dt.datetime:
    """A time as a user types it: absolute, 'now', 'tomorrow 17:00', '+1d', '-2h'.

    Raises ValueError naming the text when it is none of these.
    """
    s = text.strip().lower()
    if s in ("now", "现在"):
        return now
    m = _RELATIVE.match(s)
    if m:
        sign, n, unit = m.groups()
        try:
            delta = dt.timedelta(**{{"d": "days", "h": "hours", "m": "minutes"}[unit]: int(n)})
            return now + delta if sign == "+" else now - delta
        except OverflowError:
            raise ValueError(f"bad time {text!r} {_HINT}") from None
    m = _CLOCK.match(s)
    if m:  # a bare HH:MM means today
        s = f"today {s}"
    m = _DAYWORD.match(s)
    if m:
        word, h, mi = m.groups()
        day = now.date() + dt.timedelta(days=_DAY_OFFSET[word])
        if h is None:
            return dt.datetime.combine(day, dt.time())
        if int(h) > 23 or int(mi) > 59:
            raise ValueError(f"bad time {text!r}")
        return dt.datetime.combine(day, dt.time(int(h), int(mi)))
    from callbackctl import normalize  # the years a time may have, and the parsers of imports

    try:
        if _STORED.match(s):  # as callbackctl writes times: no need for the import parsers
            if not normalize.in_years(s):  # a year 9999 poisons every deadline computed from it
                raise ValueError(s)
            return parse(s)
        return parse(normalize.datetime(text.strip(), tz, date_order))
    except ValueError:
        raise ValueError(f"bad time {text!r} {_HINT}") from None


_HINT = "(use YYYY-MM-DD HH:MM[:SS], 'now', 'tomorrow 17:00' or +1d/-2h/+30m)"
