"""The State Council's holiday notice (国务院办公厅关于YYYY年部分节假日安排的通知), read whole.

Each year's days off and make-up working days (调休) are announced in this notice,
late in the year before; chinesecalendar carries them only after a release.
`parse` reads the notice as published - the text, or the HTML page saved from the
government's site; simplified or traditional characters, full-width or half-width
punctuation - into the year, its days off and its working days. It reads only the
numbered items (一、元旦：...), each sentence of which either gives days off (放假,
补休), or working days (上班), or no date at all (鼓励...); anything else, a date it
cannot place, an impossible date or a count (共8天) that disagrees with the days
read, refuses the whole text: a notice is never half-loaded.

Pure functions; the desk's copy of a loaded notice is notices.py's.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from dataclasses import dataclass, field

# The notice's names for the holidays, as holidays.NAMES names them.
_NAMES = {"元旦": "元旦", "春节": "春节", "清明节": "清明", "清明": "清明", "劳动节": "劳动节", "五一": "劳动节",
          "端午节": "端午", "端午": "端午", "中秋节": "中秋", "中秋": "中秋", "国庆节": "国庆", "国庆": "国庆"}
_NUMERALS = "一二三四五六七八九十"
_ITEM = re.compile(rf"^\s*[{_NUMERALS}]+\s*[、.]\s*([^:\n]{{1,20}}?)\s*:\s*(.+)$", re.M)
_DATE = r"(?:(\d{4})\s*年\s*)?(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*日"
_RANGE = re.compile(rf"{_DATE}(?:\s*(?:至|到|-|~|—|－)\s*{_DATE})?")
_YEAR = re.compile(r"关于\s*(\d{4})\s*年\s*(?:元旦[^,。]*|部分)?节假日安排|现将\s*(\d{4})\s*年")


ROW_COLUMNS = ["date", "weekday", "kind", "name"]  # Notice.rows


class NoticeError(ValueError):
    """The text is not a notice this reads whole: why, and where."""


@dataclass
class Notice:
    year: int
    days_off: dict = field(default_factory=dict)   # {date: holiday name}
    workdays: dict = field(default_factory=dict)   # {date: the holiday it makes up for}

    def rows(self) -> list[dict]:
        """The days read, in date order: date, weekday, kind, name (as `calendar` lists them)."""
        from callbackctl.calendar import WEEKDAYS

        days = [(d, "day_off", n) for d, n in self.days_off.items()] + \
            [(d, "workday", n) for d, n in self.workdays.items()]
        return [{"date": d.isoformat(), "weekday": WEEKDAYS[d.weekday()], "kind": kind, "name": name}
                for d, kind, name in sorted(days)]


def parse(text: str) -> Notice:
    """The notice in `text` (plain or HTML); NoticeError when any part cannot be read."""
    text = _plain(text)
    year = _year(text)
    notice = Notice(year)
    items = _ITEM.findall(text)
    if not items:
        raise NoticeError("no numbered holiday item (一、元旦：...) found: is this the State Council's notice?")
    for title, body in items:
        name = _name(title)
        off, work = _item(year, name, body.strip())
        for day in off:
            if day in notice.days_off:
                raise NoticeError(f"{title}: {day:%m月%d日} is already a day off of {notice.days_off[day]}")
            notice.days_off[day] = name
        for day in work:
            notice.workdays[day] = name
    both = set(notice.days_off) & set(notice.workdays)
    if both:
        raise NoticeError(f"{min(both):%m月%d日} is both a day off and a working day")
    return notice


def _plain(text: str) -> str:
    """The notice's text: HTML's tags gone (a paragraph a line), characters simplified,
    full-width digits and punctuation half-width (NFKC: （）：， become ():,)."""
    if re.search(r"<(p|div|br|html|body|span|td)\b", text, re.I):
        text = re.sub(r"(?is)<(script|style)\b.*?</\1>", "", text)
        text = re.sub(r"(?i)<br\s*/?>|</(p|div|li|tr|h\d)>", "\n", text)
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    text = unicodedata.normalize("NFKC", text).replace("\u3000", " ").replace("\xa0", " ")
    from callbackctl.normalize import simplified

    return simplified(text) or text


def _year(text: str) -> int:
    found = _YEAR.search(text)
    if not found:
        raise NoticeError("no year found (the title reads 国务院办公厅关于YYYY年部分节假日安排的通知)")
    return int(found.group(1) or found.group(2))


def _name(title: str) -> str:
    names = [_NAMES[n] for n in re.split(r"[、,和及与]", title) if n.strip() in _NAMES]
    if not names:
        raise NoticeError(f"{title}: not a holiday this knows ({', '.join(dict.fromkeys(_NAMES.values()))})")
    return names[0]


def _item(year: int, name: str, body: str) -> tuple[list, list]:
    """(days off, working days) of one item's text, clause by clause: a clause's own word
    (放假, 补休 / 上班) decides, else its sentence's when that has one kind only."""
    body = re.sub(r"\([^()]*\)", "", body)  # (周三), (农历除夕、周二), (星期日)
    off, work = [], []
    for sentence in filter(None, (s.strip() for s in re.split(r"[。;]", body))):
        whole, sentence_off = _kind(sentence), []
        for clause in re.split(r",", sentence):
            days = _days(year, clause)
            if not days:
                continue  # 共3天, 不调休, 鼓励...: nothing to store
            kind = _kind(clause) or (whole if whole in ("off", "work") else None)
            if kind is None:
                raise NoticeError(f"{name}: cannot tell days off from working days in {sentence!r}")
            (sentence_off if kind == "off" else work).extend(days)
        _check_count(name, sentence, sentence_off)
        off += sentence_off
    if not off:
        raise NoticeError(f"{name}: no day off read in {body!r}")
    return off, work


def _kind(text: str) -> str | None:
    """"off", "work", "both" or None: the words of a clause or sentence."""
    rest, working = re.search("放假|补休|休息", text), "上班" in text
    return "both" if rest and working else "off" if rest else "work" if working else None


def _days(year: int, sentence: str) -> list[dt.date]:
    """Every date of a sentence, a range (A至B) as each of its days; a month or year not
    written is the one before it (至6日), or the notice's."""
    out, month = [], None
    for match in _RANGE.finditer(sentence):
        y1, m1, d1, y2, m2, d2 = match.groups()
        first = _date(sentence, y1 or year, m1 or month, d1)
        month = first.month
        if d2 is None:
            out.append(first)
            continue
        last = _date(sentence, y2 or first.year, m2 or month, d2)
        if last < first and not y2:  # 12月30日至1月1日
            last = _date(sentence, first.year + 1, last.month, last.day)
        if not 0 <= (last - first).days < 31:
            raise NoticeError(f"{sentence!r}: {first} to {last} is not a holiday's range")
        out += [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
        month = last.month
    return out


def _date(sentence, year, month, day) -> dt.date:
    if month is None:
        raise NoticeError(f"{sentence!r}: a day ({day}日) without its month")
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise NoticeError(f"{sentence!r}: no such date {year}-{month}-{day}") from None


def _check_count(name: str, sentence: str, days: list):
    """共8天 / 放假1天: the days read must be as many as the notice says."""
    said = re.search(r"共\s*(\d+)\s*天|放假\s*(\d+)\s*天", sentence)
    if said and int(said.group(1) or said.group(2)) != len(days):
        raise NoticeError(f"{name}: the notice says {said.group(0)} but gives {len(days)} day(s) in {sentence!r}")
