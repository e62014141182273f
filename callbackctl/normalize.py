"""Turning what dealers' systems export into canonical values.

Header and value aliases (Chinese and English), dates, numbers, phones and
booleans. Each parser takes a stripped, non-empty string and returns the
canonical value or raises ValueError with a reason a desk clerk understands.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from functools import lru_cache

from callbackctl.vocab import (  # noqa: F401 - re-exported for the modules that parse input
    CALL_COLUMNS, CLASS_ALIASES, CLASS_NONE, CUSTOMER_COLUMNS, OUTCOME_ALIASES, ORDER_COLUMNS, RESPONDENT_ALIASES,
    SERVICE_TYPE_ALIASES, STATUS_ALIASES, TIME_COLUMNS, YES_WORDS, NO_WORDS, ZONE_ALIASES,
)

FIRST_YEAR, LAST_YEAR = 1900, 2200  # a time outside them is a typing or export error


_FIRST_TEXT, _LAST_TEXT = str(FIRST_YEAR), str(LAST_YEAR)


def in_years(text: str) -> bool:
    """A time text ('YYYY-...') within FIRST_YEAR..LAST_YEAR, by its first four characters."""
    return _FIRST_TEXT <= text[:4] <= _LAST_TEXT


def header_key(name: str) -> str:
    """Case-, space-, dash- and underscore-insensitive form of a header."""
    return re.sub(r"[\s_\-]+", "", str(name).replace("\ufeff", "")).lower()


def _alias_map(table: dict) -> dict:
    out = {}
    for canonical, aliases in table.items():
        for name in [canonical, *aliases]:
            out[header_key(name)] = canonical
    return out


HEADER_MAP = _alias_map(ORDER_COLUMNS)
CALL_HEADER_MAP = _alias_map(CALL_COLUMNS)
CUSTOMER_HEADER_MAP = _alias_map(CUSTOMER_COLUMNS)
_CLASSES = _alias_map(CLASS_ALIASES)
_NO_CLASS = frozenset(map(header_key, CLASS_NONE))
_OUTCOMES = _alias_map(OUTCOME_ALIASES)
_RESPONDENTS = _alias_map(RESPONDENT_ALIASES)
_SERVICE_TYPES = _alias_map(SERVICE_TYPE_ALIASES)
_ZONES = _alias_map(ZONE_ALIASES)
_STATUSES = _alias_map(STATUS_ALIASES)


_TRUE, _FALSE = frozenset(map(header_key, YES_WORDS)), frozenset(map(header_key, NO_WORDS))


# A note in a header: 服务类型（必填）, *工单号, 完工时间(yyyy-mm-dd), 电话【手机】, 客户:
_HEADER_NOTE = re.compile(r"[(（\[【<《][^)）\]】>》]*[)）\]】>》]|^[*＊#]+|[*＊:：]+$")


class Unmatched(list):
    """Headers that name no field, in file order, each once. Looked up in a set: with the
    list alone a header of 200k columns took 332 s."""

    def __init__(self):
        super().__init__()
        self._seen = set()

    def note(self, header):
        if header not in self._seen:
            self._seen.add(header)
            self.append(header)


def own_columns(mapping) -> dict:
    """A desk's own headers (--map, [import.columns]), header -> field, keyed as headers are compared."""
    return {header_key(h): f for h, f in (mapping or {}).items()}


def field_of(header, own: dict, table=None) -> str | None:
    """The field a header names: the desk's own mapping first, then the aliases of `table`."""
    return own.get(header_key(header)) or canonical_header(header, HEADER_MAP if table is None else table)


_REPEAT = re.compile(r"^(.+)_\d+$")  # 电话_2: the reader's name for a second 电话 column


def simplified(text: str) -> str | None:
    """Traditional characters as simplified (工單號 -> 工单号: Taiwan and Hong Kong dealers'
    headers and words), by OpenCC; None when that changes nothing. Asked only when a word
    is not found as it is, so a simplified file never loads it."""
    if str(text).isascii():
        return None
    converted = _t2s()(str(text))
    return converted if converted != text else None


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s").convert


def canonical_header(name: str, table: dict = HEADER_MAP) -> str | None:
    """The field a header names, by its aliases, also with a note written in it,
    as the second column of a field's name (电话_2), or in traditional characters."""
    found = _canonical_header(name, table)
    if found is None:
        other = simplified(name)
        found = _canonical_header(other, table) if other else None
    return found


def _canonical_header(name: str, table: dict) -> str | None:
    key = header_key(name)
    found = table.get(key)
    if found is None and key:
        bare = header_key(_HEADER_NOTE.sub("", str(name)))
        if bare != key:
            found = table.get(bare)
        repeat = _REPEAT.match(str(name))
        if found is None and repeat:
            found = _canonical_header(repeat.group(1), table)
    return found


def outcome(text: str) -> str:
    """A call outcome in Chinese or English; an unknown one is left for the caller to reject."""
    return _OUTCOMES.get(header_key(text), str(text).strip().lower())


def typed_outcome(text: str) -> str:
    """An outcome as an agent types it: a word of the call log, work's key (n), or the
    start of its name (no, wrong_n); ValueError naming the choices when none or two match."""
    from callbackctl.vocab import OUTCOME_KEYS, OUTCOMES

    said = outcome(text)
    if said in OUTCOMES:
        return said
    said = OUTCOME_KEYS.get(said) or said.replace(" ", "_").replace("-", "_")
    starts = [o for o in OUTCOMES if o.startswith(said)] if said else []
    if len(starts) == 1:
        return starts[0]
    raise ValueError(f"{text!r} is {'more than one outcome (' + ', '.join(starts) + ')' if starts else 'not an outcome'}"
                     f" (use {', '.join(f'{o} ({k})' for k, o in OUTCOME_KEYS.items())}, or 已接通, 未接通, 占线, "
                     "挂断, 拒访, 空号, 非本人)")


def _lookup(table, kind, text):
    found = table.get(header_key(text))
    if found is None:
        other = simplified(text)
        found = table.get(header_key(other)) if other else None
    if found is None:
        raise ValueError(f"unknown {kind} {text!r}")
    return found


# Value lookups are cached: an import sees the same few hundred spellings a million times.
@lru_cache(maxsize=4096)
def service_type(text: str) -> str:
    return _lookup(_SERVICE_TYPES, "service type", text)


@lru_cache(maxsize=4096)
def zone(text: str) -> str:
    return _lookup(_ZONES, "zone", text)


def respondent(text: str) -> str:
    """Who answered: on_site (在现场), aware (知晓服务过程) or other (其他)."""
    try:
        return _lookup(_RESPONDENTS, "respondent", text)
    except ValueError:
        raise ValueError(f"unknown respondent {text!r} (use on_site 在现场, aware 知晓服务过程, other 其他)") from None


@lru_cache(maxsize=4096)
def status(text: str) -> str:
    return _lookup(_STATUSES, "status", text)


def customer_class(text: str) -> str | None:
    """A contract class: 'A', 'a', 'A类', '甲' -> 'A'; 'none', '无', '普通' -> None (no contract)."""
    key = header_key(text)
    if key in _NO_CLASS:
        return None
    found = _CLASSES.get(key)
    if found is None:
        raise ValueError(f"unknown class {text!r} (use A, B, or none)")
    return found


@lru_cache(maxsize=4096)
def boolean(text: str) -> bool:
    key = header_key(text)
    if key in _TRUE or "vip" in key:
        return True
    if key in _FALSE:
        return False
    raise ValueError(f"not a yes/no value: {text!r}")


_NUMBER_JUNK = re.compile(r"[,，\s]|^[¥￥$]|(元|小时|h|hrs?)$", re.IGNORECASE)
# Commas must group thousands (1,234.5): 12,5 or 1.200,00 is a decimal comma, not guessed.
_GROUPED = re.compile(r"^[^\d]*\d{1,3}([,，]\d{3})+(\.\d+)?\D*$")


LARGEST = 1e12  # no fee or machine-hour count comes near: a number this size is a typing or export error


def number(text: str) -> float:
    """'1,234.5', '¥120', '120元', '3500小时' -> float."""
    if len(text) <= 12 and text.isdecimal():  # most cells: plain digits
        return int(text)
    if ("," in text or "，" in text) and not _GROUPED.match(text.strip()):
        raise ValueError(f"not a number: {text!r} (commas only group thousands, as in 1,234.5)")
    cleaned = _NUMBER_JUNK.sub("", text)
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(f"not a number: {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"not a number: {text!r}")
    if abs(value) >= LARGEST:
        raise ValueError(f"too large a number: {text!r}")
    return int(value) if value.is_integer() else value


def plain(value):
    """A stored REAL like 1344.0 as people write it (1344); other values unchanged."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# Stored as 0/1, JSON text or REAL; shown as booleans, lists and plain numbers.
_FLAGS = frozenset({"genuine", "vip", "warranty", "phone_valid", "disagrees", "regional_genuine", "spot_genuine",
                    "project"})
_JSON_LISTS = frozenset({"discrepancies"})
_PLAIN = frozenset({"machine_hours", "fee"})


def present(row: dict) -> dict:
    """A stored row as people and scripts should see it (in place; also returned)."""
    for key in row.keys() & (_FLAGS | _JSON_LISTS | _PLAIN):
        value = row[key]
        if value is None:
            continue
        if key in _FLAGS:
            row[key] = bool(value)
        elif key in _JSON_LISTS:
            row[key] = json.loads(value) if isinstance(value, str) else value
        else:
            row[key] = plain(value)
    return row


# -- phones ---------------------------------------------------------------

_PHONE_JUNK = re.compile(r"[\s\-()（）.]")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{9,11}$|^[48]00\d{7}$")
_EXTENSION = re.compile(r"\s*(?:转|分机|ext\.?|x)\s*(\d{1,6})$", re.IGNORECASE)
_SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?e\+?\d+$", re.IGNORECASE)


def phone(text: str) -> tuple[str, bool]:
    """Normalise a phone number; returns (number, looks_valid).

    Full-width digits, spaces, dashes, brackets, a trailing ".0" (a number cell
    in Excel) and a +86/0086/86 prefix are removed; an extension (转 123,
    ext 123) is kept after a comma, as a dialler writes it. Valid: an 11-digit
    mobile, a landline with its area code, or a 400/800 service number. What
    is not valid is kept as typed, for the desk to check.
    """
    if len(text) == 11 and text.isascii() and text.isdigit():  # most cells: a plain mobile or landline
        return text, bool(_MOBILE.match(text) or _LANDLINE.match(text))
    typed = text
    text = unicodedata.normalize("NFKC", text).strip()
    ext = _EXTENSION.search(text)
    if ext:
        text = text[:ext.start()]
    if text.endswith(".0"):
        text = text[:-2]
    p = _PHONE_JUNK.sub("", text)
    country = p.startswith(("+86", "0086"))
    if p.startswith("+86"):
        p = p[3:]
    elif p.startswith("0086"):
        p = p[4:]
    elif p.startswith("86") and len(p) == 13 and _MOBILE.match(p[2:]):
        p = p[2:]
    if country and p[:1] not in ("0", "1") or country and p[:2] == "10":
        p = "0" + p  # +86 10 6552 8888: the area code's 0 is dropped after the country code
    if not (_MOBILE.match(p) or _LANDLINE.match(p)):
        return typed, False
    return (f"{p},{ext.group(1)}" if ext else p), True


def phone_problem(text: str | None) -> str:
    """Why a stored phone number cannot be called, for the contact check."""
    if text is None:
        return "no phone number"
    if _SCIENTIFIC.match(unicodedata.normalize("NFKC", text).strip()):
        return (f"phone {text!r} is in scientific notation: Excel has lost its last digits "
                "(ask the dealer for the number)")
    return f"phone {text!r} does not look valid"


_PARTS = re.compile(r"[,，;；、/]")


@lru_cache(maxsize=4096)  # an import sees the same few lists of parts over and over
def parts(text: str) -> frozenset[str]:
    """A parts list as a set of names, however it was separated."""
    return frozenset(p.strip().lower() for p in _PARTS.split(text) if p.strip())


# -- dates ----------------------------------------------------------------

_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]*(上午|下午|晚上|AM|PM)?\s*(\d{1,2})\s*[:时点]\s*(\d{1,2})(?:\s*[:分]\s*(\d{1,2}(?:\.\d+)?))?\s*[分秒]?"
    r"\s*(AM|PM)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)
_AFTERNOON = {"下午", "晚上", "PM"}


_NO_DAY = re.compile(r"^\d{4}(?:\s*[-/.年]\s*\d{1,2}\s*月?)?$")
_DAY_MONTH = re.compile(r"^(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4})(.*)$")


def datetime(text: str, tz=None, date_order: str | None = None) -> str:
    """Parse the formats dealers export into 'YYYY-MM-DD HH:MM:SS'.

    Fast path: ISO text (what most systems write) via fromisoformat; then one
    regular expression for slashes, dots and 年月日时分; dateutil last. A time
    with a UTC offset is converted into `tz` (the database's zone). Nothing is
    guessed: a date without its day, or 03/04/2026 (day and month both 12 or
    less) without a `date_order` ("dmy" or "mdy"), is refused.
    """
    n = len(text)
    if (n == 16 or n == 19) and text[4] == "-" and text[10] in " T" and text[13] == ":":
        try:
            dt.datetime.fromisoformat(text)  # validates; the text is already canonical
            valid = True
        except ValueError:
            valid = False  # the regular expression below says why
        if valid:
            if not in_years(text):
                raise ValueError(f"year out of range {text!r} (years {FIRST_YEAR}-{LAST_YEAR})")
            return f"{text[:10]} {text[11:]}:00" if n == 16 else f"{text[:10]} {text[11:]}"
    m = _DATE.match(text)
    if m:
        y, mo, d, half, h, mi, s, half2, offset = m.groups()
        hour = int(h or 0)
        half = (half or half2 or "").upper()
        if half and not 1 <= hour <= 12:
            raise ValueError(f"impossible time {text!r}")
        if half in _AFTERNOON and hour < 12:
            hour += 12
        elif half in ("上午", "AM") and hour == 12:
            hour = 0
        try:
            value = dt.datetime(int(y), int(mo), int(d), hour, int(mi or 0), int(float(s or 0)))
        except ValueError:
            raise ValueError(f"impossible date {text!r}") from None
        if offset:
            value = _to_zone(value.replace(tzinfo=_offset(offset)), tz)
        return _checked(value, text)
    if _NO_DAY.match(text):
        raise ValueError(f"no day in date {text!r}")
    m = _DAY_MONTH.match(text)
    if m:
        return _day_month(m, text, tz, date_order)
    if text.isdigit() and len(text) not in (8, 12, 14):
        raise ValueError(f"a number, not a date: {text!r}")
    return _fallback(text, tz)


def _day_month(m, text, tz, date_order):
    """03/04/2026 or 20/11/2026: the order is told, or shown by a number over 12."""
    a, _, b, year, rest = m.groups()
    a, b = int(a), int(b)
    if date_order is None:
        if a <= 12 and b <= 12 and a != b:
            raise ValueError(f"ambiguous date {text!r}: day/month or month/day? (pass --date-order dmy or mdy)")
        date_order = "dmy" if a > 12 else "mdy"
    day, month = (a, b) if date_order == "dmy" else (b, a)
    try:
        return datetime(f"{year}-{month:02d}-{day:02d}{rest}", tz)
    except ValueError:
        raise ValueError(f"impossible date {text!r} (read as {date_order})") from None


def _checked(value: dt.datetime, text: str) -> str:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"year out of range {text!r} (years {FIRST_YEAR}-{LAST_YEAR})")
    return value.strftime("%Y-%m-%d %H:%M:%S")


def _offset(text: str) -> dt.timezone:
    if text == "Z":
        return dt.timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _to_zone(value: dt.datetime, tz) -> dt.datetime:
    if tz is None:
        from zoneinfo import ZoneInfo
        tz = ZoneInfo("Asia/Shanghai")
    try:
        return value.astimezone(tz).replace(tzinfo=None)
    except OverflowError:  # year 9999 with an offset
        raise ValueError(f"year out of range {value.isoformat()!r} (years {FIRST_YEAR}-{LAST_YEAR})") from None


def _fallback(text: str, tz) -> str:
    from dateutil import parser

    if not re.search(r"\d{4}", text):  # no year: refuse rather than guess one
        raise ValueError(f"not a date: {text!r}")
    try:  # parsed with two defaults: a part the text lacks comes out different
        value = parser.parse(text, yearfirst=True, default=dt.datetime(2000, 1, 1))
        other = parser.parse(text, yearfirst=True, default=dt.datetime(2001, 2, 2))
    except (ValueError, OverflowError, parser.ParserError):
        raise ValueError(f"not a date: {text!r}") from None
    if value.date() != other.date():
        raise ValueError(f"no day in date {text!r}" if value.year == other.year else f"not a date: {text!r}")
    if value.tzinfo is not None:
        value = _to_zone(value, tz)
    return _checked(value.replace(microsecond=0), text)
