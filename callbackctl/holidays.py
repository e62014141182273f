"""China's statutory public holidays (法定节假日) of a year, worked out in advance.

Which days are statutory holidays is fixed by the State Council's 《全国年节及纪念日
放假办法》: Gregorian dates, lunar dates and the 清明 solar term. Only the year's
arrangement around them (days off joining them to a weekend, make-up working days
调休) is announced late in the year before. So for a year the official calendar
(chinesecalendar) has no data for yet, callbackctl counts these days off as
`predicted`, and the policy's `calendar.holidays`/`workdays` load the arrangement
once it is published.

Pure functions. The lunar dates and the solar term come from lunar-python,
imported only when a year is worked out, so commands that stay inside the official
data never load it.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

# In the order the 办法 lists them; the names `calendar` prints.
NAMES = ("元旦", "春节", "清明", "劳动节", "端午", "中秋", "国庆")

# Anchors: a Gregorian date, a lunar date (month, day of the regular month, never a
# leap one) or the day of a solar term, in China Standard Time.
NEW_YEAR = ("date", 1, 1)
LUNAR_NEW_YEAR = ("lunar", 1, 1)  # 初一; 除夕, the last day of the lunar year, is -1
QINGMING = ("term", "清明")
MAY_DAY = ("date", 5, 1)
DRAGON_BOAT = ("lunar", 5, 5)
MID_AUTUMN = ("lunar", 8, 15)
NATIONAL_DAY = ("date", 10, 1)

# Each revision of the 办法 and the first year it governs: name -> (anchor, first day
# relative to it, number of days).
RULES = (
    (2000, {  # 国务院令第270号 (1999): 劳动节 and 国庆 a golden week's three days each
        "元旦": (NEW_YEAR, 0, 1), "春节": (LUNAR_NEW_YEAR, 0, 3),
        "劳动节": (MAY_DAY, 0, 3), "国庆": (NATIONAL_DAY, 0, 3),
    }),
    (2008, {  # 国务院令第513号 (2007): 清明, 端午 and 中秋 added, 劳动节 one day, 春节 from 除夕
        "元旦": (NEW_YEAR, 0, 1), "春节": (LUNAR_NEW_YEAR, -1, 3), "清明": (QINGMING, 0, 1),
        "劳动节": (MAY_DAY, 0, 1), "端午": (DRAGON_BOAT, 0, 1), "中秋": (MID_AUTUMN, 0, 1),
        "国庆": (NATIONAL_DAY, 0, 3),
    }),
    (2014, {  # 国务院令第644号 (2013): 春节 from 初一 to 初三
        "元旦": (NEW_YEAR, 0, 1), "春节": (LUNAR_NEW_YEAR, 0, 3), "清明": (QINGMING, 0, 1),
        "劳动节": (MAY_DAY, 0, 1), "端午": (DRAGON_BOAT, 0, 1), "中秋": (MID_AUTUMN, 0, 1),
        "国庆": (NATIONAL_DAY, 0, 3),
    }),
    (2025, {  # 国务院令第795号 (2024): 春节 four days from 除夕, 劳动节 May 1-2
        "元旦": (NEW_YEAR, 0, 1), "春节": (LUNAR_NEW_YEAR, -1, 4), "清明": (QINGMING, 0, 1),
        "劳动节": (MAY_DAY, 0, 2), "端午": (DRAGON_BOAT, 0, 1), "中秋": (MID_AUTUMN, 0, 1),
        "国庆": (NATIONAL_DAY, 0, 3),
    }),
)
FIRST_YEAR = RULES[0][0]  # before it (and the five-day week of 1995) nothing is predicted


def rules_for(year: int) -> dict:
    """The 办法's holidays in force in `year`: {name: (anchor, offset, days)}; {} before FIRST_YEAR."""
    found = {}
    for first, rules in RULES:
        if year >= first:
            found = rules
    return found


def anchor_day(anchor: tuple, year: int) -> dt.date:
    """The Gregorian day of an anchor in `year` (lunar month M of the lunar year that
    starts in `year`; a solar term of `year`)."""
    kind = anchor[0]
    if kind == "date":
        return dt.date(year, anchor[1], anchor[2])
    from lunar_python import Lunar, Solar  # only for a year without official data

    if kind == "lunar":
        day = Lunar.fromYmd(year, anchor[1], anchor[2]).getSolar()
    elif kind == "term":
        # The terms of the lunar year of mid-April: 清明 falls on April 4, 5 or 6.
        day = Solar.fromYmd(year, 4, 15).getLunar().getJieQiTable()[anchor[1]]
    else:
        raise ValueError(f"unknown anchor {anchor!r}")
    return dt.date(day.getYear(), day.getMonth(), day.getDay())


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> dict[dt.date, str]:
    """The statutory days off of `year`, {day: name}, in date order.

    Only the days the 办法 names: not the extra days or make-up working days of the
    year's arrangement. Two holidays on one day (中秋 on 国庆, as in 2020 and 2028)
    give one day named `中秋、国庆`. Empty before FIRST_YEAR.
    """
    names: dict[dt.date, list[str]] = {}
    for name, (anchor, offset, days) in rules_for(year).items():
        first = anchor_day(anchor, year) + dt.timedelta(days=offset)
        for i in range(days):
            names.setdefault(first + dt.timedelta(days=i), []).append(name)
    return {day: "、".join(sorted(names[day], key=NAMES.index)) for day in sorted(names)}


def names_in(days: dict[dt.date, str]) -> list[str]:
    """The holidays named in `days` ({day: name}), in the 办法's order."""
    found = {n for name in days.values() for n in name.split("、")}
    return [n for n in NAMES if n in found]
