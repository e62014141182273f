"""A desk session: the open database, the policy in force, "now" and the calendar.

Every command works through one Desk, so the rules for finding the policy,
the time and the calendar live in one place.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from callbackctl import calendar, clock, db, policy as policy_mod
from callbackctl.errors import InvalidValue, PolicyError


@dataclass
class Desk:
    conn: object
    policy: policy_mod.Policy
    now: dt.datetime
    path: str
    command: str = ""
    actor: str | None = None
    cal: calendar.WorkCalendar = field(init=False)

    def __post_init__(self):
        self.reload_calendar()
        self.tz = ZoneInfo(self.policy.timezone)

    def reload_calendar(self):
        """The calendar of the policy and the notices loaded (again after `calendar load`)."""
        from callbackctl import notices

        self.cal = calendar.from_policy(self.policy, notices.loaded(self.conn))

    @property
    def now_text(self) -> str:
        return clock.fmt(self.now)

    def log(self, kind: str, order_no: str | None = None, detail: dict | None = None, actor: str | None = None):
        """Append one event to the audit log (inside the caller's transaction).

        Empty values are left out of the detail so the log stays readable.
        """
        if detail:
            detail = {k: v for k, v in detail.items() if v not in (None, [], "")}
        from callbackctl.store import events

        events.append(self.conn, self.now_text, actor or self.actor, self.command, kind, order_no,
                      json.dumps(detail, ensure_ascii=False, default=str) if detail else None)

    def when(self, text: str, field: str = "time") -> dt.datetime:
        """A time the user typed for `field`, relative to now; InvalidValue if bad."""
        try:
            return clock.when(text, self.now, self.tz)
        except ValueError as e:
            raise InvalidValue(str(e), field=field) from None

    def store_policy(self, text: str, source: str):
        """Check a policy's text and store it for every later command, in the audit log."""
        policy_mod.load_text(text, source)
        with db.transaction(self.conn):
            old = db.get_meta(self.conn, "policy")
            db.set_meta(self.conn, "policy", text)
            self.log("policy_loaded", detail={"file": source, "before": old, "after": text})

    def calendar_warnings(self) -> list[str]:
        """One line per kind of trouble: the policy's own contradictions, and the years
        looked up that have no official data and no day in the policy either (a year
        whose published list the desk put in the policy is not warned about again)."""

        def years_have(ys):
            return f"{ys[0]} has" if len(ys) == 1 else f"{', '.join(map(str, ys))} have"

        out = list(self.policy.warnings)
        if self.policy.country != "CN":
            return out
        years = self.cal.unlisted_missing_years()
        predicted = [y for y in years if self.cal.predicted(y)]
        if predicted:
            from callbackctl.holidays import names_in

            names = names_in({d: n for y in predicted for d, n in self.cal.predicted(y).items()})
            out.append(
                f"{years_have(predicted)} no official holiday data yet: using the statutory holidays "
                f"({', '.join(names)}, predicted) and weekends; once the State Council publishes "
                f"{'the year' if len(predicted) == 1 else 'each year'}, save its notice and run "
                "`callbackctl calendar load FILE` (or put the days in the policy's [calendar] holidays and "
                "workdays)")
        upcoming = self.now.year + 1
        if self.command in ("due", "calendar") and self.now.month == 12 and upcoming not in years \
                and not self.cal.covers(upcoming):
            out.append(f"{upcoming} has no official holidays yet: once the State Council publishes its notice "
                       f"(国务院办公厅关于{upcoming}年部分节假日安排的通知), save it and run "
                       "`callbackctl calendar load FILE`")
        unknown = [y for y in years if y not in predicted]
        if unknown:  # before the first statutory rules holidays.py knows
            out.append(f"{years_have(unknown)} no official holiday data: counting Monday-Friday plus the "
                       "policy's [calendar] holidays and workdays")
        return out


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # cron's bare environment may name no user
        return "unknown"


def load_policy(conn, policy_path: str | None) -> policy_mod.Policy:
    """The policy file given, else the one stored with `policy load`, else defaults."""
    if policy_path:
        return policy_mod.load_text(read_policy_file(policy_path), policy_path)
    stored = db.get_meta(conn, "policy")
    if stored:
        return policy_mod.load_text(stored, "stored policy")
    return policy_mod.DEFAULT


def read_policy_file(path: str) -> str:
    try:
        with open(path, encoding="utf-8-sig") as f:
            return f.read()
    except OSError as e:
        raise PolicyError(f"policy file {path}: {e.strerror}") from None
    except UnicodeDecodeError:
        raise PolicyError(f"policy file {path}: not UTF-8 text") from None


def open_desk(path: str, now: str | None = None, policy_path: str | None = None,
              command: str = "", actor: str | None = None, on_wait=None) -> Desk:
    """Open the desk file (see db.connect; `on_wait` is told when a write waits for another writer).

    A bad --policy file or --now is refused before the file is opened, so a
    mistyped option never creates a desk file.
    """
    given = policy_mod.load_text(read_policy_file(policy_path), policy_path) if policy_path else None
    if now:
        _now(now, given or policy_mod.DEFAULT)
    conn = db.connect(path, on_wait=on_wait)
    try:
        pol = given or load_policy(conn, None)
        moment = _now(now, pol) if now else clock.real_now(pol.timezone)
        return Desk(conn=conn, policy=pol, now=moment, path=path, command=command, actor=actor or _os_user())
    except BaseException:
        conn.close()
        raise


def _now(text: str, pol) -> dt.datetime:
    try:
        return clock.when(text, clock.real_now(pol.timezone), ZoneInfo(pol.timezone))
    except ValueError as e:
        raise InvalidValue(str(e), field="now") from None


def default_db_path(app_dir: str) -> str:
    return os.path.join(app_dir, "callbackctl.db")
