"""clock: stored times, the times users type (at a fixed now), and the real clock's shape."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from callbackctl import clock

NOW = dt.datetime(2026, 11, 23, 10, 30, 15)  # a Monday
SHANGHAI = ZoneInfo("Asia/Shanghai")
HINT = "(use YYYY-MM-DD HH:MM[:SS], 'now', 'tomorrow 17:00' or +1d/-2h/+30m)"


def exactly(message):
    return f"^{re.escape(message)}$"


@pytest.mark.parametrize("value, text", [
    (dt.datetime(2026, 11, 23, 10, 30, 15), "2026-11-23 10:30:15"),
    (dt.datetime(2026, 1, 2), "2026-01-02 00:00:00"),
    (dt.datetime(2026, 1, 2, 3, 4, 5, 678901), "2026-01-02 03:04:05"),  # to the second
    (None, None),
])
def test_fmt(value, text):
    assert clock.fmt(value) == text


def test_fmt_agrees_with_format():
    assert clock.fmt(NOW) == NOW.strftime(clock.FORMAT)


@pytest.mark.parametrize("text, value", [
    ("2026-11-23 10:30:15", dt.datetime(2026, 11, 23, 10, 30, 15)),
    ("2026-11-23 10:30", dt.datetime(2026, 11, 23, 10, 30)),
    ("2026-11-23", dt.datetime(2026, 11, 23)),
    ("2024-02-29 23:59:59", dt.datetime(2024, 2, 29, 23, 59, 59)),
])
def test_parse(text, value):
    assert clock.parse(text) == value


@pytest.mark.parametrize("value", [NOW, dt.datetime(2026, 1, 1), dt.datetime(2030, 12, 31, 23, 59, 59)])
def test_parse_reads_what_fmt_writes(value):
    assert clock.parse(clock.fmt(value)) == value


@pytest.mark.parametrize("text", ["", "x", "2026-13-01 00:00:00", "2026-02-30 10:00:00", "yesterday"])
def test_parse_rejects(text):
    with pytest.raises(ValueError):
        clock.parse(text)


@pytest.mark.parametrize("text, expected", [
    # the README's forms
    ("2026-11-20 14:05", dt.datetime(2026, 11, 20, 14, 5)),
    ("2026-11-20 14:05:09", dt.datetime(2026, 11, 20, 14, 5, 9)),
    ("14:05", dt.datetime(2026, 11, 23, 14, 5)),
    ("today", dt.datetime(2026, 11, 23, 0, 0)),
    ("tomorrow 17:00", dt.datetime(2026, 11, 24, 17, 0)),
    ("yesterday 09:30", dt.datetime(2026, 11, 22, 9, 30)),
    ("+1d", dt.datetime(2026, 11, 24, 10, 30, 15)),
    ("-2h", dt.datetime(2026, 11, 23, 8, 30, 15)),
    ("+30m", dt.datetime(2026, 11, 23, 11, 0, 15)),
    ("now", NOW),
    # variations of them
    ("  2026-11-20 14:05  ", dt.datetime(2026, 11, 20, 14, 5)),
    ("9:05", dt.datetime(2026, 11, 23, 9, 5)),
    ("00:00", dt.datetime(2026, 11, 23, 0, 0)),
    ("23:59", dt.datetime(2026, 11, 23, 23, 59)),
    ("tomorrow", dt.datetime(2026, 11, 24, 0, 0)),
    ("yesterday", dt.datetime(2026, 11, 22, 0, 0)),
    ("today 8:00", dt.datetime(2026, 11, 23, 8, 0)),
    ("Tomorrow 17:00", dt.datetime(2026, 11, 24, 17, 0)),
    ("TOMORROW   17:00", dt.datetime(2026, 11, 24, 17, 0)),
    ("NOW", NOW),
    (" now ", NOW),
    ("+1D", dt.datetime(2026, 11, 24, 10, 30, 15)),
    ("+ 2 d", dt.datetime(2026, 11, 25, 10, 30, 15)),
    ("-7d", dt.datetime(2026, 11, 16, 10, 30, 15)),
    ("+0m", NOW),
    ("-90m", dt.datetime(2026, 11, 23, 9, 0, 15)),
    ("+48h", dt.datetime(2026, 11, 25, 10, 30, 15)),
    ("现在", NOW),
    ("今天 09:00", dt.datetime(2026, 11, 23, 9, 0)),
    ("明天 17:00", dt.datetime(2026, 11, 24, 17, 0)),
    ("昨天", dt.datetime(2026, 11, 22, 0, 0)),
    # the import's date forms
    ("2026-11-20T14:05", dt.datetime(2026, 11, 20, 14, 5)),
    ("2026/11/20 14:05", dt.datetime(2026, 11, 20, 14, 5)),
    ("2026/11/20", dt.datetime(2026, 11, 20)),
    ("2026.11.20", dt.datetime(2026, 11, 20)),
    ("2026年11月20日 14:05", dt.datetime(2026, 11, 20, 14, 5)),
    ("2026年11月20日14时05分", dt.datetime(2026, 11, 20, 14, 5)),
    # a UTC offset is converted into the desk's zone
    ("2026-11-20T14:05+00:00", dt.datetime(2026, 11, 20, 22, 5)),
    ("2026-11-20T14:05+08:00", dt.datetime(2026, 11, 20, 14, 5)),
])
def test_when(text, expected):
    assert clock.when(text, NOW, SHANGHAI) == expected


@pytest.mark.parametrize("tz, expected", [
    (ZoneInfo("UTC"), dt.datetime(2026, 11, 20, 14, 5)),
    (ZoneInfo("Europe/Berlin"), dt.datetime(2026, 11, 20, 15, 5)),
    (None, dt.datetime(2026, 11, 20, 22, 5)),  # no zone given: Asia/Shanghai
])
def test_when_converts_an_offset_into_the_zone_given(tz, expected):
    assert clock.when("2026-11-20T14:05Z", NOW, tz) == expected


def test_when_crosses_month_and_year_ends():
    eve = dt.datetime(2026, 12, 31, 22, 0)
    assert clock.when("tomorrow 09:30", eve) == dt.datetime(2027, 1, 1, 9, 30)
    assert clock.when("+3h", eve) == dt.datetime(2027, 1, 1, 1, 0)
    assert clock.when("yesterday 09:30", dt.datetime(2026, 3, 1, 8, 0)) == dt.datetime(2026, 2, 28, 9, 30)


@pytest.mark.parametrize("text, message", [
    ("24:00", "bad time '24:00'"),
    ("12:60", "bad time '12:60'"),
    ("tomorrow 25:00", "bad time 'tomorrow 25:00'"),
    ("today 10:99", "bad time 'today 10:99'"),
    ("", f"bad time '' {HINT}"),
    ("soon", f"bad time 'soon' {HINT}"),
    ("next monday", f"bad time 'next monday' {HINT}"),
    ("tomorrow 17", f"bad time 'tomorrow 17' {HINT}"),
    ("tomorrow17:00", f"bad time 'tomorrow17:00' {HINT}"),
    ("17:00 tomorrow", f"bad time '17:00 tomorrow' {HINT}"),
    ("+1w", f"bad time '+1w' {HINT}"),
    ("+1.5h", f"bad time '+1.5h' {HINT}"),
    ("1d", f"bad time '1d' {HINT}"),
    ("+d", f"bad time '+d' {HINT}"),
    ("12:00pm", f"bad time '12:00pm' {HINT}"),
    ("11-20 10:00", f"bad time '11-20 10:00' {HINT}"),
    ("2026-02-30 10:00", f"bad time '2026-02-30 10:00' {HINT}"),
    ("2026-11-20 25:00", f"bad time '2026-11-20 25:00' {HINT}"),
    ("2026-11-20 14:05:60", f"bad time '2026-11-20 14:05:60' {HINT}"),
    ("2026年2月30日 10:00", f"bad time '2026年2月30日 10:00' {HINT}"),
])
def test_when_rejects_naming_the_text(text, message):
    with pytest.raises(ValueError, match=exactly(message)):
        clock.when(text, NOW, SHANGHAI)


@pytest.mark.parametrize("text", ["+99999999d", "-999999d", "+9999999999999999m"])
def test_when_rejects_a_time_out_of_range(text):
    with pytest.raises(ValueError, match=exactly(f"bad time {text!r} {HINT}")):
        clock.when(text, NOW, SHANGHAI)


def test_real_now_is_naive_wall_time_to_the_second():
    t = clock.real_now("Asia/Shanghai")
    assert type(t) is dt.datetime
    assert t.tzinfo is None
    assert t.microsecond == 0


def test_real_now_is_in_the_zone_asked_for():
    # Shanghai has no daylight saving time: always UTC+8 (the two reads may straddle a second)
    utc, shanghai = clock.real_now("UTC"), clock.real_now("Asia/Shanghai")
    assert dt.timedelta(hours=8) <= shanghai - utc <= dt.timedelta(hours=8, seconds=1)


def test_real_now_refuses_an_unknown_zone():
    from zoneinfo import ZoneInfoNotFoundError

    with pytest.raises(ZoneInfoNotFoundError):
        clock.real_now("Mars/Olympus")


@pytest.mark.parametrize("text", ["9999-01-01 10:00", "1899-12-31 23:00:00"])
def test_when_refuses_a_year_outside_1900_2200(text):
    with pytest.raises(ValueError, match=exactly(f"bad time {text!r} {HINT}")):
        clock.when(text, NOW, SHANGHAI)
