"""Statutory holidays predicted for a year without official data (issue #16), the
`calendar` listing, and the warnings. Defaults: windows 09:30-11:30, 14:40-17:00."""

import csv
import datetime as dt
import io
import subprocess
import sys

import chinese_calendar
import pytest
from chinese_calendar.constants import Holiday

from callbackctl import calendar as cal_mod, holidays, policy
from conftest import write

D = dt.date.fromisoformat

# The statutory days of the years after chinesecalendar's data, written out by hand.
# Checked, when written, against two other packages (lunardate for the lunar dates,
# cnlunar for the lunar dates and the 清明 solar term) and the published dates (2027
# 春节 Feb 6, 除夕 Feb 5; 2028 春节 Jan 26); 2028's 中秋 falls on 国庆's third day.
EXPECTED = {
    2027: {
        "2027-01-01": "元旦",
        "2027-02-05": "春节", "2027-02-06": "春节", "2027-02-07": "春节", "2027-02-08": "春节",
        "2027-04-05": "清明",
        "2027-05-01": "劳动节", "2027-05-02": "劳动节",
        "2027-06-09": "端午",
        "2027-09-15": "中秋",
        "2027-10-01": "国庆", "2027-10-02": "国庆", "2027-10-03": "国庆",
    },
    2028: {
        "2028-01-01": "元旦",
        "2028-01-25": "春节", "2028-01-26": "春节", "2028-01-27": "春节", "2028-01-28": "春节",
        "2028-04-04": "清明",
        "2028-05-01": "劳动节", "2028-05-02": "劳动节",
        "2028-05-28": "端午",
        "2028-10-01": "国庆", "2028-10-02": "国庆", "2028-10-03": "中秋、国庆",
    },
}


@pytest.mark.parametrize("year", sorted(EXPECTED))
def test_predicted_statutory_days(year):
    got = holidays.statutory_holidays(year)
    assert {d.isoformat(): n for d, n in got.items()} == EXPECTED[year]
    assert list(got) == sorted(got)


# chinesecalendar's English names, in holidays.NAMES' words
CHINESE = {h.value: {"国庆节": "国庆"}.get(h.chinese, h.chinese) for h in Holiday}


@pytest.mark.parametrize("year", range(2004, 2027))
def test_predictions_agree_with_the_official_calendar(year):
    """Every statutory day worked out is a day off in the official data, under its name,
    and every holiday the official data names that year is among those worked out.
    (The official days around them, joined to weekends or made up, are the year's
    arrangement, which nothing predicts.)"""
    predicted = holidays.statutory_holidays(year)
    for day, name in predicted.items():
        assert chinese_calendar.is_holiday(day), (day, name)
        official = chinese_calendar.get_holiday_detail(day)[1]
        if official:  # chinesecalendar leaves some weekend days of a holiday unnamed
            assert CHINESE[official] in name.split("、"), (day, name, official)
    named = {CHINESE[n] for d, n in chinese_calendar.holidays.items() if d.year == year} - {CHINESE["Anti-Fascist 70th Day"]}
    assert named <= set(holidays.names_in(predicted))  # 2020: 中秋 on 国庆, all named 国庆


@pytest.mark.parametrize("year, days", [
    (1999, {}),  # before the 1999 rules applied: nothing predicted
    (2007, {"元旦": 1, "春节": 3, "劳动节": 3, "国庆": 3}),
    (2008, {"元旦": 1, "春节": 3, "清明": 1, "劳动节": 1, "端午": 1, "中秋": 1, "国庆": 3}),
    (2024, {"元旦": 1, "春节": 3, "清明": 1, "劳动节": 1, "端午": 1, "中秋": 1, "国庆": 3}),
    (2025, {"元旦": 1, "春节": 4, "清明": 1, "劳动节": 2, "端午": 1, "中秋": 1, "国庆": 3}),
    (2200, {"元旦": 1, "春节": 4, "清明": 1, "劳动节": 2, "端午": 1, "中秋": 1, "国庆": 3}),
])
def test_each_revision_of_the_rules(year, days):
    got = holidays.statutory_holidays(year)
    counted = {n: sum(n in name.split("、") for name in got.values()) for n in holidays.NAMES}
    assert {n: c for n, c in counted.items() if c} == days
    assert all(d.year == year for d in got)


@pytest.mark.parametrize("year, eve, first", [
    (2008, "2008-02-06", "2008-02-07"),  # 2008-2013: 除夕 through 初二
    (2014, None, "2014-01-31"),           # 2014-2024: 初一 through 初三
    (2025, "2025-01-28", "2025-01-29"),   # from 2025: 除夕 through 初三
])
def test_spring_festival_starts_on_new_years_eve_or_day_by_the_rules_of_the_year(year, eve, first):
    spring = sorted(d for d, n in holidays.statutory_holidays(year).items() if n == "春节")
    assert spring[0] == D(eve or first) and D(first) in spring


def test_a_year_without_official_data_counts_the_predicted_days():
    c = cal_mod.WorkCalendar("CN")
    assert not c.is_workday(D("2027-01-01"))  # a Friday: 元旦
    assert not c.is_workday(D("2027-02-08"))  # a Monday: 春节's fourth day
    assert c.is_workday(D("2027-02-09"))
    assert c.missing_years == {2027}
    assert c.explain(D("2027-02-05")) == (False, "春节", "predicted")
    assert c.explain(D("2027-02-09")) == (True, "", "weekday")
    assert c.explain(D("2026-10-10")) == (True, "国庆", "official")  # a make-up Saturday
    assert c.predicted(2026) == {}


def test_the_policy_lists_win_over_predictions():
    c = cal_mod.WorkCalendar("CN", holidays=[D("2027-02-09")], workdays=[D("2027-02-08")])
    assert c.is_workday(D("2027-02-08")) and not c.is_workday(D("2027-02-09"))
    assert c.explain(D("2027-02-08")) == (True, "春节", "policy")
    assert c.explain(D("2027-02-09")) == (False, "", "policy")
    assert c.unlisted_missing_years() == []  # the desk has loaded 2027


def test_no_official_calendar_predicts_nothing():
    c = cal_mod.WorkCalendar("none")
    assert c.is_workday(D("2027-01-01")) and c.predicted(2027) == {}
    assert c.exceptions(2027) == []


def test_lunar_python_is_loaded_only_for_a_year_without_official_data(tmp_path):
    """`--help` and `due` inside the official data never import it; a 2027 date does."""
    code = f"""
import sys
from typer.testing import CliRunner
from callbackctl.cli import app
db = {str(tmp_path / "desk.db")!r}
for argv in (["--help"], ["--db", db, "--now", "2026-11-23 10:00", "due"],
             ["--db", db, "--now", "2026-11-23 10:00", "calendar", "2026"],
             ["--db", db, "--now", "2026-11-23 10:00", "calendar", "2027"]):
    r = CliRunner().invoke(app, argv)
    print(r.exit_code, "lunar_python" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split("\n") == ["0 False", "0 False", "0 False", "0 True", ""]


ORDERS = """order_no,service_type,customer,phone,completed_at
I27,安装,Wu,13800138001,2026-12-31 10:00
R27,维修,Li,13800138000,2027-02-04 15:00
"""

WARNING_2027 = (
    "Warning: 2027 has no official holiday data yet: using the statutory holidays (元旦, 春节, 清明, 劳动节, "
    "端午, 中秋, 国庆, predicted) and weekends; once the State Council publishes the year, save its notice "
    "and run `callbackctl calendar load FILE` (or put the days in the policy's [calendar] holidays and "
    "workdays)\n"
)

# A desk typing in 2027's Spring Festival once the State Council publishes it. Not
# published yet: a made-up arrangement, days off Fri 02-05 to Fri 02-12, Sat 02-13 worked.
PUBLISHED_2027 = """[calendar]
holidays = ["2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09", "2027-02-10",
            "2027-02-11", "2027-02-12"]
workdays = ["2027-02-13"]
"""


@pytest.fixture
def desk(cli, tmp_path):
    r = cli("import", write(tmp_path / "orders.csv", ORDERS))
    assert r.exit_code == 0, r.output
    return cli


@pytest.fixture
def made(cli):
    """A desk file made already, so that no `created desk file` note mixes with the warnings."""
    assert cli("info").exit_code == 0
    return cli


def due(cli, now, policy=None):
    r = cli("due", "-f", "csv", now=now, policy=policy)
    assert r.exit_code == 0, r.output
    return r, [(x["order_no"], x["due_at"], x["deadline"]) for x in csv.DictReader(io.StringIO(r.stdout))]


def test_new_years_day_2027_is_a_day_off(desk):
    r, rows = due(desk, now="2027-01-04 09:30")
    assert rows == [("I27", "2027-01-04 09:30:00", "2027-01-04 17:00:00")]
    assert r.stderr == WARNING_2027
    _, rows = due(desk, now="2027-01-04 09:29")
    assert rows == []


def test_spring_festival_2027_is_four_days_off(desk):
    r, rows = due(desk, now="2027-02-09 09:30")
    assert rows == [("R27", "2027-02-09 09:30:00", "2027-02-11 17:00:00")]
    assert r.stderr == WARNING_2027
    show = desk("show", "R27", now="2027-02-09 09:30")
    lines = {line.split()[0]: line for line in show.stdout.splitlines() if line.strip()}
    assert "Tue 2027-02-09 09:30:00" in lines["due_at"] and "skipped Fri 02-05 春节 (predicted), Sat 02-06 春节 (predicted), Sun 02-07 春节 (predicted), Mon 02-08 春节 (predicted)" in lines["due_at"]
    assert "Thu 2027-02-11 17:00:00" in lines["deadline"]


def test_the_published_list_in_the_policy_is_followed_instead(desk, tmp_path):
    published = write(tmp_path / "published.toml", PUBLISHED_2027)
    r, rows = due(desk, now="2027-02-13 09:30", policy=published)
    assert rows == [("R27", "2027-02-13 09:30:00", "2027-02-16 17:00:00")]  # Sat, then Mon 15th, Tue 16th
    assert r.stderr == ""  # 2027 is loaded: nothing more to do
    # 元旦, left out of the list, is still the predicted day off
    r, rows = due(desk, now="2027-01-04 09:30", policy=published)
    assert rows == [("I27", "2027-01-04 09:30:00", "2027-01-04 17:00:00")]
    # the same through `policy load`
    assert desk("policy", "load", published).exit_code == 0
    _, rows = due(desk, now="2027-02-13 09:30")
    assert rows == [("R27", "2027-02-13 09:30:00", "2027-02-16 17:00:00")]


def listing(cli, *args, now="2026-11-23 10:00", policy=None):
    r = cli("calendar", *args, "-f", "csv", now=now, policy=policy)
    assert r.exit_code == 0, r.output
    return r, [tuple(row.values()) for row in csv.DictReader(io.StringIO(r.stdout))]


def test_calendar_2027_lists_the_predicted_days_on_weekdays(made):
    r, rows = listing(made, "2027")
    assert r.stdout.splitlines()[0] == "date,weekday,kind,name,source"
    assert rows == [
        ("2027-01-01", "Fri", "day_off", "元旦", "predicted"),
        ("2027-02-05", "Fri", "day_off", "春节", "predicted"),
        ("2027-02-08", "Mon", "day_off", "春节", "predicted"),
        ("2027-04-05", "Mon", "day_off", "清明", "predicted"),
        ("2027-06-09", "Wed", "day_off", "端午", "predicted"),
        ("2027-09-15", "Wed", "day_off", "中秋", "predicted"),
        ("2027-10-01", "Fri", "day_off", "国庆", "predicted"),
    ]
    assert r.stderr == WARNING_2027


def test_calendar_of_the_year_of_now_is_the_official_one(made):
    r, rows = listing(made)
    assert rows == [
        ("2026-01-01", "Thu", "day_off", "元旦", "official"),
        ("2026-01-02", "Fri", "day_off", "元旦", "official"),
        ("2026-01-04", "Sun", "workday", "元旦", "official"),
        ("2026-02-14", "Sat", "workday", "春节", "official"),
        ("2026-02-16", "Mon", "day_off", "春节", "official"),
        ("2026-02-17", "Tue", "day_off", "春节", "official"),
        ("2026-02-18", "Wed", "day_off", "春节", "official"),
        ("2026-02-19", "Thu", "day_off", "春节", "official"),
        ("2026-02-20", "Fri", "day_off", "春节", "official"),
        ("2026-02-23", "Mon", "day_off", "春节", "official"),
        ("2026-02-28", "Sat", "workday", "春节", "official"),
        ("2026-04-06", "Mon", "day_off", "清明", "official"),
        ("2026-05-01", "Fri", "day_off", "劳动节", "official"),
        ("2026-05-04", "Mon", "day_off", "劳动节", "official"),
        ("2026-05-05", "Tue", "day_off", "劳动节", "official"),
        ("2026-05-09", "Sat", "workday", "劳动节", "official"),
        ("2026-06-19", "Fri", "day_off", "端午", "official"),
        ("2026-09-20", "Sun", "workday", "国庆", "official"),
        ("2026-09-25", "Fri", "day_off", "中秋", "official"),
        ("2026-10-01", "Thu", "day_off", "国庆", "official"),
        ("2026-10-02", "Fri", "day_off", "国庆", "official"),
        ("2026-10-05", "Mon", "day_off", "国庆", "official"),
        ("2026-10-06", "Tue", "day_off", "国庆", "official"),
        ("2026-10-07", "Wed", "day_off", "国庆", "official"),
        ("2026-10-10", "Sat", "workday", "国庆", "official"),
    ]
    assert r.stderr == ""
    assert listing(made, "2026")[1] == rows


def test_calendar_with_the_published_list_in_the_policy(made, tmp_path):
    r, rows = listing(made, "2027", policy=write(tmp_path / "p.toml", PUBLISHED_2027))
    assert rows == [
        ("2027-01-01", "Fri", "day_off", "元旦", "predicted"),
        ("2027-02-05", "Fri", "day_off", "春节", "policy"),
        ("2027-02-08", "Mon", "day_off", "春节", "policy"),
        ("2027-02-09", "Tue", "day_off", "", "policy"),
        ("2027-02-10", "Wed", "day_off", "", "policy"),
        ("2027-02-11", "Thu", "day_off", "", "policy"),
        ("2027-02-12", "Fri", "day_off", "", "policy"),
        ("2027-02-13", "Sat", "workday", "", "policy"),
        ("2027-04-05", "Mon", "day_off", "清明", "predicted"),
        ("2027-06-09", "Wed", "day_off", "端午", "predicted"),
        ("2027-09-15", "Wed", "day_off", "中秋", "predicted"),
        ("2027-10-01", "Fri", "day_off", "国庆", "predicted"),
    ]
    assert r.stderr == ""


def test_two_years_without_data_are_one_warning(cli, tmp_path):
    cli("import", write(tmp_path / "r.csv", "order_no,service_type,completed_at\nR28,维修,2027-12-30 15:00\n"))
    r, rows = due(cli, now="2027-12-31 10:00")
    assert rows == [("R28", "2027-12-31 09:30:00", "2028-01-04 17:00:00")]  # 元旦 2028 is a Saturday
    assert r.stderr == WARNING_2027.replace("2027 has", "2027, 2028 have").replace("the year", "each year")


def test_calendar_usage(made):
    assert made("calendar", "1899").exit_code == 2
    r = made("calendar", "2027", "-f", "csv", policy=write("none.toml", '[calendar]\ncountry = "none"\n'))
    assert r.exit_code == 0 and r.stdout == "date,weekday,kind,name,source\n" and r.stderr == ""


CONFLICT = '[calendar]\nholidays = ["2027-02-07", "2027-02-10"]\nworkdays = ["2027-02-07"]\n'
CONFLICT_WARNING = ("policy: {source}: calendar.holidays and calendar.workdays both list 2027-02-07: "
                    "it counts as a working day (workdays wins)")


def test_a_date_in_both_lists_is_a_working_day_and_a_warning(made, tmp_path):
    path = write(tmp_path / "both.toml", CONFLICT)
    p = policy.load_text(CONFLICT, path)
    assert p.warnings == [CONFLICT_WARNING.format(source=path)]
    assert cal_mod.from_policy(p).is_workday(D("2027-02-07"))
    assert policy.DEFAULT.warnings == []
    r = made("calendar", "2027", "-f", "csv", policy=path)
    assert r.stderr == f"Warning: {CONFLICT_WARNING.format(source=path)}\n"
    assert "2027-02-07,Sun,workday,春节,policy" in r.stdout.splitlines()
    # stored with `policy load`: every later command says so
    assert made("policy", "load", path).exit_code == 0
    assert made("calendar", "2027").stderr == "Warning: " + CONFLICT_WARNING.format(source="stored policy") + "\n"


def test_policy_check_warns_about_a_date_in_both_lists(cli, tmp_path):
    path = write(tmp_path / "both.toml", CONFLICT)
    r = cli("policy", "check", path)
    assert r.exit_code == 0
    assert r.stderr == f"Warning: {CONFLICT_WARNING.format(source=path)}\n{path}: OK\n"
