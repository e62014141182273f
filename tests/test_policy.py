"""policy: the contract's defaults, durations and windows, partial files, errors naming the key."""

import copy
import datetime as dt
import re

import pytest

from callbackctl import policy
from callbackctl.errors import PolicyError
from callbackctl.policy import DEFAULT, DEFAULTS, Duration, Rule, load_text, parse_duration, parse_window, parse_windows


def exactly(message):
    return f"^{re.escape(message)}$"


# -- the defaults: contract.md, "The default policy" ----------------------------

@pytest.mark.parametrize("attr, expected", [
    ("timezone", "Asia/Shanghai"),
    ("country", "CN"),
    ("holidays", frozenset()),
    ("workdays", frozenset()),
    ("callback_windows", ((9 * 60 + 30, 11 * 60 + 30), (14 * 60 + 40, 17 * 60))),
    ("retry_after", Duration(minutes=120)),
    ("max_attempts", 3),
    ("give_up_after", Duration(days=7)),
    ("hours_tolerance", 50),
    ("hours_per_day", 20),
    ("dissatisfied_below", 3.0),
    ("dispatch_hours", ((8 * 60 + 30, 17 * 60),)),
    ("feedback_within", Duration(minutes=4 * 60)),
    ("respond_within", {"urban": Duration(minutes=24 * 60), "suburban": Duration(minutes=48 * 60),
                        "other": Duration(minutes=72 * 60)}),
    ("reply_within", Duration(minutes=24 * 60)),
    ("apology_windows", ((8 * 60 + 30, 12 * 60), (14 * 60 + 30, 21 * 60))),
    ("apology_max_attempts", 3),
    ("close_within", Duration(minutes=48 * 60)),
    ("serial_complaints", 3),
    ("source", "built-in defaults"),
])
def test_default_policy_is_the_contracts(attr, expected):
    assert getattr(DEFAULT, attr) == expected


@pytest.mark.parametrize("service_type, delay, within", [
    ("install", Duration(days=1), Duration(days=1)),
    ("delivery", Duration(days=1), Duration(days=1)),
    ("inspection", Duration(days=1), Duration(days=1)),
    ("repair", Duration(days=1), Duration(days=3)),
    ("warranty_repair", Duration(days=1), Duration(days=3)),
    ("paid_repair", Duration(days=1), Duration(days=3)),
    ("maintenance", Duration(minutes=30), Duration(minutes=180)),
    ("consultation", Duration(days=1), Duration(days=1)),
])
def test_default_rule_per_service_type(service_type, delay, within):
    assert DEFAULT.rules[service_type] == Rule(delay=delay, within=within, coverage=1.0)


def test_types_without_a_rule_get_no_callback():
    assert sorted(DEFAULT.rules) == ["consultation", "delivery", "inspection", "install", "maintenance",
                                     "paid_repair", "repair", "warranty_repair"]  # not parts, not sales


def test_an_empty_policy_file_is_the_defaults():
    assert load_text("", "built-in defaults") == DEFAULT
    assert load_text("# nothing changed\n", "empty.toml").source == "empty.toml"


DEFAULT_TOML = """\
timezone = "Asia/Shanghai"

[desk]
company = ""
hotline = ""
agents = []
script = ""
preparer = ""

[calendar]
country = "CN"
holidays = []
workdays = []

[callback]
windows = ["09:30-11:30", "14:40-17:00"]
retry_after = "2h"
claim_for = "15m"
max_attempts = 3
give_up_after = "7d"
hours_tolerance = 50
hours_per_day = 20
time_tolerance = "2h"
respondent_required = false
recording_required = false
dissatisfied_below = 3.0

[callback.rules]
install         = { delay = "1d", within = "1d", coverage = 1.0 }
delivery        = { delay = "1d", within = "1d", coverage = 1.0 }
inspection      = { delay = "1d", within = "1d", coverage = 1.0 }
repair          = { delay = "1d", within = "3d", coverage = 1.0 }
warranty_repair = { delay = "1d", within = "3d", coverage = 1.0 }
paid_repair     = { delay = "1d", within = "3d", coverage = 1.0 }
maintenance     = { delay = "30m", within = "3h", coverage = 1.0 }
consultation    = { delay = "1d", within = "1d", coverage = 1.0 }

[recurring]
contract_a = "1M"
contract_b = "2M"
project = "3M"
dormant = ["6M", "12M"]
within = "5d"

[dispatch]
hours = ["08:30-17:00"]
feedback_within = "4h"
contact_within = "30m"
status_within = "3h"
respond_within = { urban = "24h", suburban = "48h", other = "72h" }
rechase_after = "1h"
next_day_after = "16:00"

[complaint]
reply_within = "24h"

[contact]
reply_within = "30m"

[import]

[import.columns]

[import.values]

[apology]
windows = ["08:30-12:00", "14:30-21:00"]
max_attempts = 3
close_within = "48h"
serial_complaints = 3
"""


def test_to_toml_of_the_defaults_is_the_contracts_block_without_comments():
    assert policy.to_toml(DEFAULTS) == DEFAULT_TOML


# -- durations and windows -------------------------------------------------------

@pytest.mark.parametrize("text, days, minutes, shown", [
    ("1d", 1, 0, "1d"),
    ("7d", 7, 0, "7d"),
    ("3h", 0, 180, "3h"),
    ("30m", 0, 30, "30m"),
    ("1h30m", 0, 90, "1h30m"),
    ("90m", 0, 90, "1h30m"),
    ("2h0m", 0, 120, "2h"),
    ("72h", 0, 4320, "72h"),
    (" 2 h ", 0, 120, "2h"),
    ("1D", 1, 0, "1d"),
    ("4H", 0, 240, "4h"),
    ("0m", 0, 0, "0m"),
])
def test_parse_duration(text, days, minutes, shown):
    d = parse_duration(text)
    assert (d.days, d.minutes, str(d)) == (days, minutes, shown)


@pytest.mark.parametrize("duration, delta_minutes", [
    (Duration(days=1), 24 * 60),
    (Duration(minutes=90), 90),
    (Duration(), 0),
])
def test_duration_delta(duration, delta_minutes):
    assert duration.delta.total_seconds() == delta_minutes * 60


@pytest.mark.parametrize("text", ["", "h", "d", "1.5h", "-1h", "1d2h", "1w", "abc", "30", "1h30", "m30", 5, None])
def test_parse_duration_rejects(text):
    with pytest.raises(ValueError, match=exactly(f"bad duration {text!r} (use e.g. 30m, 4h, 1h30m, 1d)")):
        parse_duration(text)


@pytest.mark.parametrize("text, expected", [
    ("09:30-11:30", (570, 690)),
    ("9:30 - 11:30", (570, 690)),
    ("08:30-17:00", (510, 1020)),
    ("00:00-24:00", (0, 1440)),
    ("14:40-17:00", (880, 1020)),
])
def test_parse_window(text, expected):
    assert parse_window(text) == expected


@pytest.mark.parametrize("text, why", [
    ("0930-1130", "use HH:MM-HH:MM"),
    ("9-12", "use HH:MM-HH:MM"),
    ("09:30", "use HH:MM-HH:MM"),
    ("", "use HH:MM-HH:MM"),
    (930, "use HH:MM-HH:MM"),
    ("11:30-09:30", "start must be before end, within a day"),
    ("10:00-10:00", "start must be before end, within a day"),
    ("09:60-10:00", "start must be before end, within a day"),
    ("09:00-10:75", "start must be before end, within a day"),
    ("24:00-24:30", "start must be before end, within a day"),
    ("23:00-24:01", "start must be before end, within a day"),
])
def test_parse_window_rejects(text, why):
    with pytest.raises(ValueError, match=exactly(f"bad window {text!r} ({why})")):
        parse_window(text)


@pytest.mark.parametrize("items, expected", [
    (["09:30-11:30", "14:40-17:00"], ((570, 690), (880, 1020))),
    (["14:40-17:00", "09:30-11:30"], ((570, 690), (880, 1020))),  # sorted
    (["09:00-12:00", "12:00-13:00"], ((540, 720), (720, 780))),  # touching is not overlapping
    (["08:30-17:00"], ((510, 1020),)),
])
def test_parse_windows(items, expected):
    assert parse_windows(items) == expected


@pytest.mark.parametrize("items, message", [
    ([], "must be a non-empty list of HH:MM-HH:MM windows"),
    ("09:30-11:30", "must be a non-empty list of HH:MM-HH:MM windows"),
    (None, "must be a non-empty list of HH:MM-HH:MM windows"),
    (["09:00-12:00", "11:00-13:00"], "windows overlap"),
    (["14:00-18:00", "09:00-14:30"], "windows overlap"),
    (["09:00-12:00", "nope"], "bad window 'nope' (use HH:MM-HH:MM)"),
])
def test_parse_windows_rejects(items, message):
    with pytest.raises(ValueError, match=exactly(message)):
        parse_windows(items)


# -- a partial file over the defaults --------------------------------------------

README_EXAMPLE = """
[callback]
retry_after = "1h"
[callback.rules]
install = { delay = "1d", within = "2d", coverage = 0.3 }   # sample 30% of installs
[calendar]
holidays = ["2027-01-01"]   # years the official calendar does not cover yet
"""


def test_the_readme_example_changes_only_its_keys():
    p = load_text(README_EXAMPLE, "my.toml")
    assert p.source == "my.toml"
    assert p.retry_after == Duration(minutes=60)
    assert p.rules["install"] == Rule(Duration(days=1), Duration(days=2), 0.3)
    assert p.holidays == frozenset({dt.date(2027, 1, 1)})
    changed = {"retry_after", "rules", "holidays", "source"}
    for name in DEFAULT.__dataclass_fields__:
        if name not in changed and name != "raw":
            assert getattr(p, name) == getattr(DEFAULT, name), name
    assert {k: v for k, v in p.rules.items() if k != "install"} == {
        k: v for k, v in DEFAULT.rules.items() if k != "install"}


@pytest.mark.parametrize("text, attr, expected", [
    ('[callback.rules]\ninstall = { delay = "2d" }', "rules",
     {**DEFAULT.rules, "install": Rule(Duration(days=2), Duration(days=1), 1.0)}),  # within kept
    ('[callback.rules]\nparts = { delay = "2d", within = "1d", coverage = 0.25 }', "rules",
     {**DEFAULT.rules, "parts": Rule(Duration(days=2), Duration(days=1), 0.25)}),
    ('[callback.rules]\nsales = { delay = "30m", within = "1h" }', "rules",
     {**DEFAULT.rules, "sales": Rule(Duration(minutes=30), Duration(minutes=60), 1.0)}),
    ('[dispatch]\nrespond_within = { urban = "12h" }', "respond_within",
     {"urban": Duration(minutes=720), "suburban": Duration(minutes=2880), "other": Duration(minutes=4320)}),
    ('[dispatch.respond_within]\nother = "5d"', "respond_within",
     {"urban": Duration(minutes=1440), "suburban": Duration(minutes=2880), "other": Duration(days=5)}),
    ('[callback]\nwindows = ["14:00-16:00", "08:00-10:00"]', "callback_windows", ((480, 600), (840, 960))),
    ('[calendar]\nholidays = [2027-01-01, "2027-01-02"]', "holidays",
     frozenset({dt.date(2027, 1, 1), dt.date(2027, 1, 2)})),
    ('[calendar]\nworkdays = ["2027-01-09"]', "workdays", frozenset({dt.date(2027, 1, 9)})),
    ('[calendar]\ncountry = "none"', "country", "none"),
    ('timezone = "UTC"', "timezone", "UTC"),
    ('[callback]\nmax_attempts = 5', "max_attempts", 5),
    ('[callback]\nhours_tolerance = 12.5', "hours_tolerance", 12.5),
    ('[callback]\ndissatisfied_below = 5', "dissatisfied_below", 5),
    ('[callback]\ngive_up_after = "14d"', "give_up_after", Duration(days=14)),
    ('[dispatch]\nhours = ["08:00-18:00"]\nfeedback_within = "2h"', "dispatch_hours", ((480, 1080),)),
    ('[dispatch]\nfeedback_within = "2h"', "feedback_within", Duration(minutes=120)),
    ('[complaint]\nreply_within = "12h"', "reply_within", Duration(minutes=720)),
    ('[apology]\nwindows = ["09:00-20:00"]', "apology_windows", ((540, 1200),)),
    ('[apology]\nmax_attempts = 1', "apology_max_attempts", 1),
    ('[apology]\nclose_within = "1d"', "close_within", Duration(days=1)),
    ('[apology]\nserial_complaints = 5', "serial_complaints", 5),
])
def test_one_key_over_the_defaults(text, attr, expected):
    assert getattr(load_text(text, "my.toml"), attr) == expected


def test_loading_a_file_leaves_the_defaults_alone():
    before = copy.deepcopy(DEFAULTS)
    load_text('[callback.rules]\nparts = { delay = "1d", within = "1d" }\ninstall = { delay = "3d" }\n'
              '[dispatch.respond_within]\nurban = "1h"', "my.toml")
    assert DEFAULTS == before
    assert "parts" not in DEFAULT.rules and DEFAULT.rules["install"].delay == Duration(days=1)


# -- errors name the key -----------------------------------------------------------

@pytest.mark.parametrize("text, message", [
    # unknown keys, at every level
    ('timezon = "UTC"', "policy: unknown key timezon"),
    ('[calender]\nholidays = []', "policy: unknown key calender"),
    ('callback.retry_afterr = "1h"', "policy: unknown key callback.retry_afterr"),
    ('[callback]\nretry_afterr = "1h"', "policy: unknown key callback.retry_afterr"),
    ('[calendar]\nholiday = []', "policy: unknown key calendar.holiday"),
    ('[dispatch]\nrechase = "1h"', "policy: unknown key dispatch.rechase"),
    ('[complaint]\nreply = "1h"', "policy: unknown key complaint.reply"),
    ('[apology]\nwindow = ["08:30-12:00"]', "policy: unknown key apology.window"),
    ('[callback.rules]\ninstall = { delay = "1d", within = "1d", coverag = 0.5 }',
     "policy: unknown key callback.rules.install.coverag"),
    ('[callback.rules]\nparts = { delay = "1d", within = "1d", cover = 0.5 }',
     "policy: unknown key callback.rules.parts.cover"),
    # unknown service types and zones
    ('[callback.rules]\ninstal = { delay = "1d", within = "1d" }', "policy: unknown service type in callback.rules.instal"),
    ('[callback.rules]\n"拆机" = { delay = "1d", within = "1d" }', "policy: unknown service type in callback.rules.拆机"),
    ('[dispatch.respond_within]\nrural = "24h"', "policy: unknown key dispatch.respond_within.rural"),
    ('[dispatch]\nrespond_within = { urban = "24h", city = "12h" }', "policy: unknown key dispatch.respond_within.city"),
    # a table where a table belongs
    ('callback = 5', "policy: callback must be a table"),
    ('[callback]\nrules = 5', "policy: callback.rules must be a table"),
    ('[callback.rules]\ninstall = "1d"', "policy: callback.rules.install must be a table"),
    ('[callback.rules]\nparts = "1d"',
     'policy: callback.rules.parts must be a table like { delay = "1d", within = "1d" }'),
    ('[dispatch]\nrespond_within = "24h"', "policy: dispatch.respond_within must be a table"),
    # bad values
    ('timezone = "Mars/Olympus"', "policy: timezone: unknown time zone 'Mars/Olympus'"),
    ('[calendar]\ncountry = "US"',
     "policy: calendar.country: 'US' is not supported (use \"CN\", or \"none\" for weekends only)"),
    ('[calendar]\nholidays = "2027-01-01"', "policy: calendar.holidays: must be a list of YYYY-MM-DD dates"),
    ('[calendar]\nholidays = ["2027-13-01"]', "policy: calendar.holidays: bad date '2027-13-01' (use YYYY-MM-DD)"),
    ('[calendar]\nworkdays = ["2027/01/09"]', "policy: calendar.workdays: bad date '2027/01/09' (use YYYY-MM-DD)"),
    ('[callback]\nwindows = []', "policy: callback.windows: must be a non-empty list of HH:MM-HH:MM windows"),
    ('[callback]\nwindows = ["09:00-12:00", "11:00-13:00"]', "policy: callback.windows: windows overlap"),
    ('[callback]\nwindows = ["9-12"]', "policy: callback.windows: bad window '9-12' (use HH:MM-HH:MM)"),
    ('[callback]\nretry_after = "2 hours"',
     "policy: callback.retry_after: bad duration '2 hours' (use e.g. 30m, 4h, 1h30m, 1d)"),
    ('[callback]\nretry_after = 2', "policy: callback.retry_after: bad duration 2 (use e.g. 30m, 4h, 1h30m, 1d)"),
    ('[callback]\nmax_attempts = 0', "policy: callback.max_attempts: 0 is out of range (1 to any)"),
    ('[callback]\nmax_attempts = 2.5', "policy: callback.max_attempts: must be a whole number, not 2.5"),
    ('[callback]\nmax_attempts = true', "policy: callback.max_attempts: must be a whole number, not True"),
    ('[callback]\nmax_attempts = "3"', "policy: callback.max_attempts: must be a whole number, not '3'"),
    ('[callback]\ngive_up_after = "1w"',
     "policy: callback.give_up_after: bad duration '1w' (use e.g. 30m, 4h, 1h30m, 1d)"),
    ('[callback]\nhours_tolerance = -1', "policy: callback.hours_tolerance: -1 is out of range (0 to any)"),
    ('[callback]\nhours_tolerance = "50"', "policy: callback.hours_tolerance: must be a number, not '50'"),
    ('[callback]\ndissatisfied_below = 6', "policy: callback.dissatisfied_below: 6 is out of range (1 to 5)"),
    ('[callback]\ndissatisfied_below = 0.5', "policy: callback.dissatisfied_below: 0.5 is out of range (1 to 5)"),
    ('[callback.rules]\ninstall = { delay = "1x" }',
     "policy: callback.rules.install: bad duration '1x' (use e.g. 30m, 4h, 1h30m, 1d)"),
    ('[callback.rules]\nrepair = { within = "3 days" }',
     "policy: callback.rules.repair: bad duration '3 days' (use e.g. 30m, 4h, 1h30m, 1d)"),
    ('[callback.rules]\ninstall = { coverage = 1.5 }', "policy: callback.rules.install: 1.5 is out of range (0 to 1)"),
    ('[callback.rules]\ninstall = { coverage = -0.1 }', "policy: callback.rules.install: -0.1 is out of range (0 to 1)"),
    ('[callback.rules]\ninstall = { coverage = "all" }', "policy: callback.rules.install: must be a number, not 'all'"),
    ('[callback.rules]\nsales = { delay = "1d" }', "policy: callback.rules.sales.within is missing"),
    ('[callback.rules]\nparts = { within = "1d" }', "policy: callback.rules.parts.delay is missing"),
    ('[dispatch]\nhours = "08:30-17:00"', "policy: dispatch.hours: must be a non-empty list of HH:MM-HH:MM windows"),
    ('[dispatch]\nfeedback_within = "soon"',
     "policy: dispatch.feedback_within: bad duration 'soon' (use e.g. 30m, 4h, 1h30m, 1d)"),
    ('[dispatch.respond_within]\nsuburban = "2x"',
     "policy: dispatch.respond_within.suburban: bad duration '2x' (use e.g. 30m, 4h, 1h30m, 1d)"),
    ('[complaint]\nreply_within = "soon"',
     "policy: complaint.reply_within: bad duration 'soon' (use e.g. 30m, 4h, 1h30m, 1d)"),
    ('[apology]\nwindows = ["08:30-12:00", "11:00-21:00"]', "policy: apology.windows: windows overlap"),
    ('[apology]\nmax_attempts = 0', "policy: apology.max_attempts: 0 is out of range (1 to any)"),
    ('[apology]\nclose_within = "-1h"',
     "policy: apology.close_within: bad duration '-1h' (use e.g. 30m, 4h, 1h30m, 1d)"),
    ('[apology]\nserial_complaints = "3"', "policy: apology.serial_complaints: must be a whole number, not '3'"),
])
def test_bad_policy_files_name_the_key(text, message):
    with pytest.raises(PolicyError, match=exactly(message)):
        load_text(text, "my.toml")


def test_invalid_toml_names_the_file():
    with pytest.raises(PolicyError, match=exactly(
            "policy: my.toml: not valid TOML: Expected '=' after a key in a key/value pair (at line 1, column 6)")):
        load_text("this is = not toml", "my.toml")


@pytest.mark.parametrize("text, message", [
    ('[callback]\ndissatisfied_below = nan', "policy: callback.dissatisfied_below: nan is out of range (1 to 5)"),
    ('[callback]\nhours_tolerance = nan', "policy: callback.hours_tolerance: nan is out of range (0 to any)"),
    ('[callback.rules]\ninstall = { coverage = nan }', "policy: callback.rules.install: nan is out of range (0 to 1)"),
])
def test_nan_is_a_bad_value(text, message):
    with pytest.raises(PolicyError, match=exactly(message)):
        load_text(text, "my.toml")


# -- to_toml round trip ------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "",
    README_EXAMPLE,
    '[callback.rules]\nparts = { delay = "2d", within = "1d", coverage = 0.25 }\ninstall = { delay = "2d" }',
    '[dispatch.respond_within]\nurban = "12h"\n[dispatch]\nhours = ["08:00-12:00", "13:00-18:00"]',
    '[calendar]\nholidays = [2027-01-01, "2027-02-10"]\nworkdays = ["2027-02-07"]\ncountry = "none"',
    'timezone = "Europe/Berlin"\n[callback]\nhours_tolerance = 12.5\ndissatisfied_below = 4\nmax_attempts = 5',
    '[apology]\nwindows = ["08:00-20:00"]\nclose_within = "1h30m"\n[complaint]\nreply_within = "1d"',
])
def test_to_toml_round_trip(text):
    p = load_text(text, "my.toml")
    assert load_text(policy.to_toml(p.raw), "my.toml") == p


@pytest.mark.parametrize("text", [
    '[callback]\nretry_after = "2h\\n"',
    '[callback]\nwindows = ["09:30-11:30\\n"]',
])
def test_to_toml_round_trip_of_a_value_with_a_newline(text):
    p = load_text(text, "my.toml")
    assert load_text(policy.to_toml(p.raw), "my.toml") == p


@pytest.mark.parametrize("text, message", [
    ('[callback]\nhours_tolerance = inf', "policy: callback.hours_tolerance: inf is out of range (0 to any)"),
    ('[callback]\ngive_up_after = "9999999999d"',
     "policy: callback.give_up_after: bad duration '9999999999d' (at most 366d or 8784h)"),
    ('[dispatch]\nfeedback_within = "99999h"',
     "policy: dispatch.feedback_within: bad duration '99999h' (at most 366d or 8784h)"),
])
def test_infinity_and_absurd_durations_are_bad_values(text, message):
    with pytest.raises(PolicyError, match=exactly(message)):
        load_text(text, "my.toml")


# -- [recurring]: calendar months ------------------------------------------------

@pytest.mark.parametrize("text, months", [
    ("1M", 1), ("2M", 2), (" 12M ", 12), ("3 months", 3), ("1 month", 1), ("6个月", 6), ("120M", 120), ("", None),
])
def test_parse_months(text, months):
    assert policy.parse_months(text) == months


@pytest.mark.parametrize("text, why", [
    ("1m", "bad interval '1m' (a small m is minutes: months are written M) (use 1M to 120M calendar months, "
           'or "" for none)'),
    ("0M", "bad interval '0M' (use 1M to 120M calendar months, or \"\" for none)"),
    ("121M", "bad interval '121M' (use 1M to 120M calendar months, or \"\" for none)"),
    ("1d", "bad interval '1d' (use 1M to 120M calendar months, or \"\" for none)"),
    (3, "bad interval 3 (use e.g. \"1M\" for one calendar month, or \"\" for none)"),
])
def test_parse_months_rejects(text, why):
    with pytest.raises(ValueError) as e:
        policy.parse_months(text)
    assert str(e.value) == why


@pytest.mark.parametrize("text, message", [
    ('[recurring]\ndormant = "6M"\n', 'policy: recurring.dormant: must be a list of intervals, e.g. ["6M", "12M"]'),
    ('[recurring]\ndormant = ["6M", ""]\n', "policy: recurring.dormant: an empty interval in the list (use [] for none)"),
    ('[recurring]\nwithin = "5M"\n', "policy: recurring.within: bad duration '5M': months are for the periods; "
                                      "within is a duration (5d, 4h, 30m)"),
    ('[recurring]\nweekly = "1M"\n', "policy: unknown key recurring.weekly"),
])
def test_bad_recurring_policy_names_the_key(text, message):
    with pytest.raises(PolicyError) as e:
        load_text(text, "p.toml")
    assert str(e.value) == message


def test_the_recurring_lines():
    p = load_text('[recurring]\ncontract_a = "2M"\ncontract_b = ""\ndormant = ["12M", "6M", "6M"]\n', "p.toml")
    assert p.recurring == policy.Recurring(contract_a=2, contract_b=None, project=3, dormant=(6, 12),
                                           within=parse_duration("5d"))
    assert (p.recurring.contract("A"), p.recurring.contract("B"), p.recurring.contract(None)) == (2, None, None)
