"""`calendar load` (#29): the State Council's holiday notice read whole, as published."""

import datetime as dt
import json
import sqlite3
from pathlib import Path

import chinese_calendar
import pytest

from callbackctl import notice
from conftest import write

NOTICES = Path(__file__).parent / "notices"


def real(year):
    return (NOTICES / f"{year}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_the_real_notices_give_the_official_calendars_days(year):
    read = notice.parse(real(year))
    assert read.year == year
    assert set(read.days_off) == {d for d in chinese_calendar.holidays if d.year == year}
    assert set(read.workdays) == {d for d in chinese_calendar.workdays if d.year == year}


def test_the_days_are_named_and_a_range_may_cross_a_month():
    read = notice.parse(real(2025))
    assert [d.isoformat() for d, n in read.days_off.items() if n == "端午"] == ["2025-05-31", "2025-06-01", "2025-06-02"]
    assert read.workdays == {dt.date(2025, 1, 26): "春节", dt.date(2025, 2, 8): "春节", dt.date(2025, 4, 27): "劳动节",
                             dt.date(2025, 9, 28): "国庆", dt.date(2025, 10, 11): "国庆"}
    assert read.days_off[dt.date(2025, 1, 1)] == "元旦" and len(read.days_off) == 28


def html_page(text):
    paragraphs = "".join(f"<p style=\"text-indent:2em\">{line.strip()}&nbsp;</p>\n" for line in text.splitlines())
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>国务院办公厅关于2026年部分节假日安排的通知"
            "_国务院文件_中国政府网</title><script>var x = '一、元旦：1月9日上班';</script></head><body>"
            "<div class=\"pages_content\">" + paragraphs + "</div></body></html>")


def traditional(text):
    import opencc

    return opencc.OpenCC("s2t").convert(text)


@pytest.mark.parametrize("variant", [
    lambda t: t.translate(str.maketrans("（）：，", "():,")),  # half-width punctuation
    lambda t: t.translate(str.maketrans("0123456789", "０１２３４５６７８９")),  # full-width digits
    html_page,
    traditional,
    lambda t: t.replace("\n", "\r\n"),
], ids=["half-width", "full-width digits", "html page", "traditional", "crlf"])
def test_variants_of_the_same_notice_read_the_same(variant):
    published = notice.parse(real(2026))
    read = notice.parse(variant(real(2026)))
    assert (read.year, read.days_off, read.workdays) == (2026, published.days_off, published.workdays)


def test_older_wordings_a_make_up_day_off_and_a_day_joined_to_the_weekend():
    read = notice.parse("国务院办公厅关于2014年部分节假日安排的通知\n"
                        "一、元旦：1月1日放假1天。\n"
                        "三、清明节：4月5日放假，4月7日（星期一）补休。\n"
                        "五、端午节：6月2日放假，与周末连休。\n"
                        "七、国庆节：10月1日至7日放假调休，共7天。9月28日（星期日）、10月11日（星期六）上班。\n")
    assert sorted(read.days_off) == [dt.date(2014, 1, 1), dt.date(2014, 4, 5), dt.date(2014, 4, 7),
                                     dt.date(2014, 6, 2)] + [dt.date(2014, 10, d) for d in range(1, 8)]
    assert sorted(read.workdays) == [dt.date(2014, 9, 28), dt.date(2014, 10, 11)]


TITLE = "国务院办公厅关于2027年部分节假日安排的通知\n"


@pytest.mark.parametrize("text, error", [
    ("今天天气很好", "no year found (the title reads 国务院办公厅关于YYYY年部分节假日安排的通知)"),
    (TITLE + "节假日期间，各地区要妥善安排。",
     "no numbered holiday item (一、元旦：...) found: is this the State Council's notice?"),
    (TITLE + "二、春节：2月5日至12日放假调休，共9天。",
     "春节: the notice says 共9天 but gives 8 day(s) in '2月5日至12日放假调休,共9天'"),
    (TITLE + "二、春节：2月30日放假。", "'2月30日放假': no such date 2027-2-30"),
    (TITLE + "二、春节：2月5日至12日，2月7日。", "春节: cannot tell days off from working days in '2月5日至12日,2月7日'"),
    (TITLE + "二、植树节：3月12日放假。", "植树节: not a holiday this knows (元旦, 春节, 清明, 劳动节, 端午, 中秋, 国庆)"),
    (TITLE + "二、春节：2月7日上班。", "春节: no day off read in '2月7日上班。'"),
    (TITLE + "二、春节：2月5日至6日放假。\n三、清明节：2月6日放假。", "清明节: 02月06日 is already a day off of 春节"),
])
def test_a_text_it_cannot_read_whole_is_refused(text, error):
    with pytest.raises(notice.NoticeError) as e:
        notice.parse(text)
    assert str(e.value) == error


NOTICE_2027 = TITLE + """一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历除夕、周五）至12日（农历正月初七、周五）放假调休，共8天。1月31日（周日）、2月20日（周六）上班。
"""


def test_load_stores_the_year_and_the_calendar_uses_it(cli, db_path, tmp_path):
    cli("info")
    path = write(tmp_path / "notice.txt", NOTICE_2027)
    r = cli("calendar", "load", path, "-f", "csv", now="2026-12-07 10:00")
    assert (r.exit_code, r.stderr) == (0, "loaded 2027: 11 days off, 2 make-up working days\n")
    assert r.stdout.splitlines()[:3] == ["date,weekday,kind,name", "2027-01-01,Fri,day_off,元旦",
                                         "2027-01-02,Sat,day_off,元旦"]
    again = cli("calendar", "load", path, now="2026-12-08 10:00")
    assert again.stderr == "2027: 11 days off, 2 make-up working days: loaded already, unchanged\n"
    shown = cli("calendar", "2027", "-f", "csv", now="2026-12-07 10:00")
    assert shown.stdout.splitlines() == [
        "date,weekday,kind,name,source", "2027-01-01,Fri,day_off,元旦,official (loaded)",
        "2027-01-31,Sun,workday,春节,official (loaded)", "2027-02-05,Fri,day_off,春节,official (loaded)",
        "2027-02-08,Mon,day_off,春节,official (loaded)", "2027-02-09,Tue,day_off,春节,official (loaded)",
        "2027-02-10,Wed,day_off,春节,official (loaded)", "2027-02-11,Thu,day_off,春节,official (loaded)",
        "2027-02-12,Fri,day_off,春节,official (loaded)", "2027-02-20,Sat,workday,春节,official (loaded)"]
    assert shown.stderr == ""  # neither predicted nor missing any more
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*), min(loaded_at) FROM notice_days").fetchone() == (13, "2026-12-07 10:00:00")
    assert [json.loads(d)["year"] for d, in conn.execute("SELECT detail FROM events WHERE kind = 'calendar_loaded'")] \
        == [2027]


def test_a_notice_it_cannot_read_loads_nothing(cli, db_path, tmp_path):
    cli("info")
    path = write(tmp_path / "notice.txt", NOTICE_2027.replace("共8天", "共7天"))
    r = cli("calendar", "load", path)
    assert (r.exit_code, r.stdout) == (1, "")
    assert r.stderr.endswith("the notice says 共7天 but gives 8 day(s) in '2月5日至12日放假调休,共7天'; nothing loaded\n")
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM notice_days").fetchone() == (0,)


def test_in_december_due_says_once_how_to_load_next_years_notice(cli, tmp_path):
    cli("info")
    note = ("Warning: 2027 has no official holidays yet: once the State Council publishes its notice "
            "(国务院办公厅关于2027年部分节假日安排的通知), save it and run `callbackctl calendar load FILE`\n")
    assert cli("due", now="2026-12-07 10:00").stderr == "no callbacks due\n" + note
    assert note not in cli("due", now="2026-11-30 10:00").stderr
    cli("calendar", "load", write(tmp_path / "n.txt", NOTICE_2027), now="2026-12-07 10:00")
    assert cli("due", now="2026-12-07 10:00").stderr == "no callbacks due\n"


def test_a_day_of_the_year_before_leaves_that_years_calendar_as_it_was(cli, tmp_path):
    """2023's notice gives 2022年12月31日: 2022 keeps its official days (review of #29)."""
    cli("info")
    before = cli("calendar", "2022", "-f", "csv", now="2026-11-23 10:00").stdout.splitlines()
    notice_2023 = ("国务院办公厅关于2023年部分节假日安排的通知\n"
                   "一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。\n")
    assert cli("calendar", "load", write(tmp_path / "n.txt", notice_2023), now="2026-11-23 10:00").exit_code == 0
    after = cli("calendar", "2022", "-f", "csv", now="2026-11-23 10:00").stdout.splitlines()
    assert after == before and "2022-10-03,Mon,day_off,国庆,official" in after
    assert cli("calendar", "2023", "-f", "csv", now="2026-11-23 10:00").stdout.splitlines()[1:2] == [
        "2023-01-02,Mon,day_off,元旦,official (loaded)"]
