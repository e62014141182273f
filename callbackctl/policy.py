"""The desk's policy: built-in defaults merged with a TOML file, validated.

Every number a dealer may want to change lives here. A policy file only needs
the keys it changes; unknown keys and malformed values are errors that name
the key, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from functools import cached_property

from callbackctl.errors import InvalidValue, PolicyError
from callbackctl.vocab import ORDER_COLUMNS, SERVICE_TYPES, ZONES


# The built-in policy, as `policy show` prints it (a dict, not TOML text, so
# that commands run without a policy file never load the TOML parser).
DEFAULTS = {
    "timezone": "Asia/Shanghai",
    # Who the desk is, for the call script (`work`): the company named in the
    # greeting, the hotline in the closing words, the agents who call; and who
    # signs the report forms as 制表人 (`report --name ... -f xlsx`).
    "desk": {"company": "", "hotline": "", "agents": [], "script": "", "preparer": ""},
    "calendar": {"country": "CN", "holidays": [], "workdays": []},
    "callback": {
        "windows": ["09:30-11:30", "14:40-17:00"],
        "retry_after": "2h",
        "claim_for": "15m",       # an agent's claim on a due callback lapses after this
        "max_attempts": 3,
        "give_up_after": "7d",
        "hours_tolerance": 50,
        "hours_per_day": 20,      # a machine works on after the service: the reading may grow by this a day
        "time_tolerance": "2h",   # the engineer's arrival and finish as the customer tells them
        "respondent_required": False,  # a reached call must say who answered (受访人)
        "recording_required": False,   # a reached call must name its recording (录音)
        "dissatisfied_below": 3.0,
        "rules": {
            "install": {"delay": "1d", "within": "1d", "coverage": 1.0},
            "delivery": {"delay": "1d", "within": "1d", "coverage": 1.0},
            "inspection": {"delay": "1d", "within": "1d", "coverage": 1.0},
            "repair": {"delay": "1d", "within": "3d", "coverage": 1.0},
            "warranty_repair": {"delay": "1d", "within": "3d", "coverage": 1.0},
            "paid_repair": {"delay": "1d", "within": "3d", "coverage": 1.0},
            "maintenance": {"delay": "30m", "within": "3h", "coverage": 1.0},
            "consultation": {"delay": "1d", "within": "1d", "coverage": 1.0},
        },
    },
    # Customers called on a schedule, not after an order (customers.py, recurring.py):
    # calendar months after the last recurring call (or the contract's start), and
    # after the customer's last completed order for dormant ones; "" or [] turns one off.
    "recurring": {
        "contract_a": "1M",
        "contract_b": "2M",
        "project": "3M",
        "dormant": ["6M", "12M"],
        "within": "5d",
    },
    "dispatch": {
        "hours": ["08:30-17:00"],
        "feedback_within": "4h",
        # seed 003: the provider contacts the customer within 30 minutes of dispatch and
        # reports the repair's status within 3 hours (desk time, as feedback_within)
        "contact_within": "30m",
        "status_within": "3h",
        "respond_within": {"urban": "24h", "suburban": "48h", "other": "72h"},
        "rechase_after": "1h",
        # seed 003: a repair reported after 16:00 is scheduled for the next day
        "next_day_after": "16:00",
    },
    "complaint": {"reply_within": "24h"},
    # An inbound call not answered on the spot is answered by phone within this much desk time
    # (dispatch.hours on working days; contacts.py), 首问制: 半小时内给予电话回复.
    "contact": {"reply_within": "30m"},
    # a desk's own headers ("完工日期" = "completed_at"), and its own values of a field, mapped on
    # import ([import.values] region = { East = "华东" }; service_type = { "移机" = "install" })
    "import": {"columns": {}, "values": {}},
    "apology": {
        "windows": ["08:30-12:00", "14:30-21:00"],
        "max_attempts": 3,
        "close_within": "48h",
        "serial_complaints": 3,
    },
}


@dataclass(frozen=True)
class Duration:
    """`Nd` (days) or a number of minutes (`Nh`, `Nm`, `1h30m`)."""

    days: int = 0
    minutes: int = 0

    @cached_property  # read once per row in long lists
    def delta(self) -> dt.timedelta:
        return dt.timedelta(days=self.days, minutes=self.minutes)

    def __str__(self):
        if self.days:
            return f"{self.days}d"
        h, m = divmod(self.minutes, 60)
        return (f"{h}h" if h else "") + (f"{m}m" if m or not h else "")


_DURATION = re.compile(r"^(?:(\d+)d|(?:(\d+)h)?(?:(\d+)m)?)$")


def parse_duration(text: str) -> Duration:
    """'1d', '3h', '30m', '1h30m' -> Duration; ValueError otherwise."""
    m = _DURATION.match(str(text).strip().lower().replace(" ", ""))
    if not m or not any(m.groups()):
        raise ValueError(f"bad duration {text!r} (use e.g. 30m, 4h, 1h30m, 1d)")
    d, h, mi = (int(g) if g else 0 for g in m.groups())
    if d > MAX_DAYS or h * 60 + mi > MAX_DAYS * 24 * 60:
        raise ValueError(f"bad duration {text!r} (at most {MAX_DAYS}d or {MAX_DAYS * 24}h)")
    return Duration(days=d, minutes=h * 60 + mi)


MAX_DAYS = 366  # no desk rule waits a year: a longer duration is a typing error


MAX_MONTHS = 120  # ten years between two calls is a typing error


_MONTHS = re.compile(r"^(\d+)\s*(?:M|months?|个月|月)$")


def parse_months(text) -> int | None:
    """'1M', '2 months', '3个月' -> a number of calendar months; '' -> None (off).

    Only a capital M is months: '1m' is refused rather than read as a minute
    or guessed as a month.
    """
    if not isinstance(text, str):
        raise ValueError(f"bad interval {text!r} (use e.g. \"1M\" for one calendar month, or \"\" for none)")
    text = text.strip()
    if text == "":
        return None
    m = _MONTHS.match(text)
    if not m or not 1 <= int(m.group(1)) <= MAX_MONTHS:
        hint = " (a small m is minutes: months are written M)" if re.fullmatch(r"\d+\s*m", text) else ""
        raise ValueError(f"bad interval {text!r}{hint} (use 1M to {MAX_MONTHS}M calendar months, or \"\" for none)")
    return int(m.group(1))


@dataclass(frozen=True)
class Recurring:
    """[recurring]: months between calls per reason (None: not called for it), the dormant
    marks in months after the last completed order, and the time to make each call."""

    contract_a: int | None
    contract_b: int | None
    project: int | None
    dormant: tuple
    within: Duration

    def contract(self, cls: str | None) -> int | None:
        return {"A": self.contract_a, "B": self.contract_b}.get(cls)


Window = tuple[int, int]  # minutes after midnight, [start, end)


def parse_window(text: str) -> Window:
    m = re.match(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$", str(text))
    if not m:
        raise ValueError(f"bad window {text!r} (use HH:MM-HH:MM)")
    a, b, c, d = map(int, m.groups())
    start, end = a * 60 + b, c * 60 + d
    if not (b < 60 and d < 60 and 0 <= start < end <= 24 * 60):
        raise ValueError(f"bad window {text!r} (start must be before end, within a day)")
    return (start, end)


def parse_time_of_day(text) -> int:
    """'16:00' -> 960, minutes after midnight."""
    m = re.match(r"^\s*(\d{1,2}):(\d{2})\s*$", str(text))
    if not m or int(m.group(1)) > 24 or int(m.group(2)) > 59 or int(m.group(1)) * 60 + int(m.group(2)) > 24 * 60:
        raise ValueError(f"bad time of day {text!r} (use HH:MM)")
    return int(m.group(1)) * 60 + int(m.group(2))


def parse_windows(items) -> tuple[Window, ...]:
    if not isinstance(items, list) or not items:
        raise ValueError("must be a non-empty list of HH:MM-HH:MM windows")
    windows = sorted(parse_window(w) for w in items)
    for (s1, e1), (s2, _) in zip(windows, windows[1:]):
        if s2 < e1:
            raise ValueError("windows overlap")
    return tuple(windows)


@dataclass(frozen=True)
class Rule:
    delay: Duration
    within: Duration
    coverage: float


@dataclass(frozen=True)
class Policy:
    timezone: str
    country: str
    holidays: frozenset
    workdays: frozenset
    callback_windows: tuple
    retry_after: Duration
    claim_for: Duration
    max_attempts: int
    give_up_after: Duration
    hours_tolerance: float
    hours_per_day: float
    time_tolerance: Duration
    respondent_required: bool
    recording_required: bool
    dissatisfied_below: float
    rules: dict
    recurring: Recurring
    dispatch_hours: tuple
    feedback_within: Duration
    contact_within: Duration
    status_within: Duration
    respond_within: dict
    next_day_after: int
    rechase_after: Duration
    reply_within: Duration
    contact_reply_within: Duration  # [contact] reply_within: desk hours
    apology_windows: tuple
    apology_max_attempts: int
    close_within: Duration
    serial_complaints: int
    import_columns: dict
    import_values: dict       # field -> {value in a file: the value to store}
    company: str
    hotline: str
    agents: tuple
    script: str               # a desk's own script file, over the built-in one
    preparer: str             # 制表人 on the report forms
    raw: dict = field(compare=False, repr=False)
    source: str = "built-in defaults"

    def check_agent(self, name: str | None):
        """When the desk lists its agents ([desk] agents), a name it does not list is refused:
        a typo would otherwise file calls and claims under nobody the reports know."""
        if name is not None and self.agents and name not in self.agents:
            raise InvalidValue(f"{name!r} is not one of the desk's agents ({', '.join(self.agents)}; "
                               "policy [desk] agents)", field="agent")

    @property
    def warnings(self) -> list[str]:
        """What the policy allows but is likely a mistake, one line each (no `Warning:`)."""
        both = sorted(self.holidays & self.workdays)
        if not both:
            return []
        days = ", ".join(d.isoformat() for d in both)
        # calendar.WorkCalendar looks at the policy's workdays first
        counted = "it counts as a working day" if len(both) == 1 else "they count as working days"
        return [f"policy: {self.source}: calendar.holidays and calendar.workdays both list {days}: "
                f"{counted} (workdays wins)"]


def merge(base: dict, override: dict, path: str = "") -> dict:
    """Deep-merge `override` into a copy of `base`; unknown keys are errors."""
    out = dict(base)
    for key, value in override.items():
        name = f"{path}{key}"
        if path in ("import.columns.", "import.values."):
            out[key] = value  # any header or field; checked in build()
        elif path == "callback.rules." and key not in base:
            if key not in SERVICE_TYPES:
                raise PolicyError(f"policy: unknown service type in {name}")
            out[key] = value
        elif key not in base:
            raise PolicyError(f"policy: unknown key {name}")
        elif isinstance(base[key], dict):
            if not isinstance(value, dict):
                raise PolicyError(f"policy: {name} must be a table")
            out[key] = merge(base[key], value, f"{name}.")
        else:
            out[key] = value
    return out


def load_text(text: str, source: str) -> Policy:
    import os
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise PolicyError(f"policy: {source}: not valid TOML: {e}") from None
    script = data.get("desk", {}).get("script") if isinstance(data.get("desk"), dict) else None
    if isinstance(script, str) and script.strip() and os.path.isfile(source):
        # a script named beside the policy file is found from any folder
        data["desk"]["script"] = os.path.join(os.path.dirname(os.path.abspath(source)), script.strip())
    return build(merge(DEFAULTS, data), source)


def build(raw: dict, source: str = "built-in defaults") -> Policy:
    """Validate a merged raw policy into a Policy, naming the first bad key."""

    def get(path, conv):
        value = raw
        for part in path.split("."):
            value = value[part]
        try:
            return conv(value)
        except (ValueError, TypeError) as e:
            raise PolicyError(f"policy: {path}: {e}") from None

    def number(lo, hi=None, integer=False):
        def conv(v):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or (integer and not isinstance(v, int)):
                raise ValueError(f"must be a {'whole ' if integer else ''}number, not {v!r}")
            if not lo <= v < float("inf") or (hi is not None and not v <= hi):  # also NaN and infinity
                raise ValueError(f"{v} is out of range ({lo} to {hi if hi is not None else 'any'})")
            return v
        return conv

    def flag(v):
        if not isinstance(v, bool):
            raise ValueError(f"must be true or false, not {v!r}")
        return v

    def dates(v):
        if not isinstance(v, list):
            raise ValueError("must be a list of YYYY-MM-DD dates")
        out = set()
        for item in v:
            if isinstance(item, dt.date):
                out.add(item)
                continue
            try:
                out.add(dt.date.fromisoformat(str(item)))
            except ValueError:
                raise ValueError(f"bad date {item!r} (use YYYY-MM-DD)") from None
        return frozenset(out)

    def timezone(v):
        from zoneinfo import ZoneInfo
        try:
            ZoneInfo(str(v))
        except Exception:
            raise ValueError(f"unknown time zone {v!r}") from None
        return str(v)

    def country(v):
        if v not in ("CN", "", "none"):
            raise ValueError(f"{v!r} is not supported (use \"CN\", or \"none\" for weekends only)")
        return v

    def words(v):
        if not isinstance(v, str):
            raise ValueError(f"must be text, not {v!r}")
        return v.strip()

    def names(v):
        if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
            raise ValueError("must be a list of names")
        return tuple(x.strip() for x in v)

    def import_columns(v):
        for header, name in v.items():
            if name not in ORDER_COLUMNS:
                raise ValueError(f"{header!r} = {name!r}: not a field (use one of {', '.join(ORDER_COLUMNS)})")
        return dict(v)

    def import_values(v):
        out = {}
        for name, mapping in v.items():
            if name not in ORDER_COLUMNS or name == "order_no":
                raise ValueError(f"{name!r}: not a field whose values may be mapped "
                                 f"(use one of {', '.join(f for f in ORDER_COLUMNS if f != 'order_no')})")
            if not isinstance(mapping, dict) or not all(isinstance(t, str) and t.strip() for t in mapping.values()):
                raise ValueError(f"{name}: must be a table of \"value in the file\" = \"value to store\" "
                                 "(not empty: an empty value would erase a stored one)")
            out[name] = {str(k).strip(): t.strip() for k, t in mapping.items()}
        return out

    rules = {}
    for stype, rule in raw["callback"]["rules"].items():
        prefix = f"callback.rules.{stype}"
        if not isinstance(rule, dict):
            raise PolicyError(f"policy: {prefix} must be a table like {{ delay = \"1d\", within = \"1d\" }}")
        unknown = set(rule) - {"delay", "within", "coverage"}
        if unknown:
            raise PolicyError(f"policy: unknown key {prefix}.{sorted(unknown)[0]}")
        try:
            rules[stype] = Rule(
                delay=parse_duration(rule["delay"]),
                within=parse_duration(rule["within"]),
                coverage=number(0, 1)(rule.get("coverage", 1.0)),
            )
        except KeyError as e:
            raise PolicyError(f"policy: {prefix}.{e.args[0]} is missing") from None
        except (ValueError, TypeError) as e:
            raise PolicyError(f"policy: {prefix}: {e}") from None

    def dormant(v):
        if not isinstance(v, list):
            raise ValueError("must be a list of intervals, e.g. [\"6M\", \"12M\"]")
        marks = [parse_months(x) for x in v]
        if None in marks:
            raise ValueError("an empty interval in the list (use [] for none)")
        return tuple(sorted(set(marks)))

    def within(v):
        if isinstance(v, str) and "M" in v:  # parse_duration reads 5M as 5m, five minutes
            raise ValueError(f"bad duration {v!r}: months are for the periods; within is a duration (5d, 4h, 30m)")
        return parse_duration(v)

    recurring = Recurring(
        contract_a=get("recurring.contract_a", parse_months),
        contract_b=get("recurring.contract_b", parse_months),
        project=get("recurring.project", parse_months),
        dormant=get("recurring.dormant", dormant),
        within=get("recurring.within", within),
    )

    respond = {}
    for zone, text in raw["dispatch"]["respond_within"].items():
        if zone not in ZONES:
            raise PolicyError(f"policy: unknown key dispatch.respond_within.{zone}")
        respond[zone] = get(f"dispatch.respond_within.{zone}", parse_duration)

    return Policy(
        timezone=get("timezone", timezone),
        country=get("calendar.country", country),
        holidays=get("calendar.holidays", dates),
        workdays=get("calendar.workdays", dates),
        callback_windows=get("callback.windows", parse_windows),
        retry_after=get("callback.retry_after", parse_duration),
        claim_for=get("callback.claim_for", parse_duration),
        max_attempts=get("callback.max_attempts", number(1, integer=True)),
        give_up_after=get("callback.give_up_after", parse_duration),
        hours_tolerance=get("callback.hours_tolerance", number(0)),
        hours_per_day=get("callback.hours_per_day", number(0, 24)),
        time_tolerance=get("callback.time_tolerance", parse_duration),
        respondent_required=get("callback.respondent_required", flag),
        recording_required=get("callback.recording_required", flag),
        dissatisfied_below=get("callback.dissatisfied_below", number(1, 5)),
        rules=rules,
        recurring=recurring,
        dispatch_hours=get("dispatch.hours", parse_windows),
        feedback_within=get("dispatch.feedback_within", parse_duration),
        contact_within=get("dispatch.contact_within", parse_duration),
        status_within=get("dispatch.status_within", parse_duration),
        respond_within=respond,
        next_day_after=get("dispatch.next_day_after", parse_time_of_day),
        rechase_after=get("dispatch.rechase_after", parse_duration),
        reply_within=get("complaint.reply_within", parse_duration),
        contact_reply_within=get("contact.reply_within", parse_duration),
        apology_windows=get("apology.windows", parse_windows),
        apology_max_attempts=get("apology.max_attempts", number(1, integer=True)),
        close_within=get("apology.close_within", parse_duration),
        serial_complaints=get("apology.serial_complaints", number(1, integer=True)),
        import_columns=get("import.columns", import_columns),
        import_values=get("import.values", import_values),
        company=get("desk.company", words),
        hotline=get("desk.hotline", words),
        agents=get("desk.agents", names),
        script=get("desk.script", words),
        preparer=get("desk.preparer", words),
        raw=raw,
        source=source,
    )


DEFAULT = build(DEFAULTS)


def to_toml(raw: dict) -> str:
    """Write a policy dict back as TOML (only the shapes a policy uses)."""

    def value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"
        return json.dumps(str(v), ensure_ascii=False)  # a TOML basic string: \n, \" and \\ escaped alike

    def key(k):  # a bare key, or quoted (a Chinese header)
        return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else value(k)

    lines = []

    def table(name, data):
        scalars = {k: v for k, v in data.items() if not (isinstance(v, dict) and k != "respond_within" and name != "callback.rules")}
        subs = {k: v for k, v in data.items() if k not in scalars}
        if name:
            lines.append(f"\n[{name}]")
        width = max((len(k) for k in scalars), default=0) if name == "callback.rules" else 0
        for k, v in scalars.items():
            lines.append(f"{key(k).ljust(width)} = {value(v)}")
        for k, v in subs.items():
            table(f"{name}.{k}" if name else k, v)

    table("", raw)
    return "\n".join(lines).lstrip("\n") + "\n"
