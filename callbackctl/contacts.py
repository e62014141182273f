"""Inbound calls (来电登记, 首问制): every call to the desk registered, classified and answered.

Whoever takes a call owns it (首问制): it is registered with the caller's
phone, the order it is about when there is one, its kind and what was said:

- consultation (咨询), service (服务): a question or a request;
- complaint (投诉): also files a complaint (complaints.add), which then
  follows its own steps (reply within complaint.reply_within, ...);
- chase (用户催单): the customer chases a repair: the order goes on the chase
  list with reason `customer` until the provider's next feedback or the
  completion (dispatch.py reads these rows), and the desk chases the provider.

A call answered on the spot owes nothing. Any other owes the caller a reply by
phone within `contact.reply_within` (30m) of desk time (dispatch.hours on
working days, calendar.deadline_after), so a call at 16:50 on a Friday is
answered by 08:50 on Monday. The owed reply is a callback like the others:
`due` lists it under the key C-<id> with reason `reply`, and a call on it that
does not reach the caller is tried again `retry_after` later (or at the time
the caller asked for), inside the desk hours; a call that reaches the caller
(or a refusal, a wrong number) gives the reply. The deadline is worked out
when asked, never stored.

This module writes `contacts` and `contact_calls` (migration m016) and
nothing else: a complaint goes through complaints.py, a claim is ended by
claims.py. As of now: a call received, a reply made or a call made after now
does not count yet.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import lru_cache

from callbackctl import calendar, clock, db, normalize
from callbackctl.db import transaction
from callbackctl.errors import InvalidValue, NotFound, StateError, one_of
from callbackctl.vocab import (
    CONTACT_COLUMNS as COLUMNS, CONTACT_KIND_ALIASES, CONTACT_KINDS, OUTCOMES, REPLY_REASON,
)

PREFIX = "C-"
_KEY = re.compile(r"^[Cc]-(\d+)$")
_ID = re.compile(r"^(?:[Cc]-?)?(\d+)$")
_KINDS = {normalize.header_key(name): kind for kind, names in CONTACT_KIND_ALIASES.items()
          for name in (kind, *names)}
# A call on an owed reply that gives it: the caller reached, or no reply is possible.
CLOSING_OUTCOMES = ("reached", "refused", "wrong_number")
# `show ORDER_NO`'s section of the order's inbound calls
SHOW_COLUMNS = ["id", "received_at", "kind", "phone", "text", "answered", "agent", "reply_due", "replied_at", "reply",
                "overdue"]
CALL_COLUMNS = ["call_id", "called_at", "outcome", "callback_at", "agent", "note"]


# -- keys and words ------------------------------------------------------------------

def is_key(text) -> bool:
    """Whether a key typed where an order number goes is an owed reply's (C-12)."""
    return _KEY.match(str(text).strip()) is not None


def make_key(contact_id: int) -> str:
    return f"{PREFIX}{contact_id}"


def number(text) -> int:
    """A contact's id as typed: 12, or its key C-12 (any case)."""
    m = _ID.match(str(text).strip())
    if not m:
        raise InvalidValue(f"{str(text).strip()!r} is not an inbound call's id (12, or its key C-12)", usage=True)
    return int(m.group(1))


def key_of(desk, text) -> str:
    """The key of an inbound call that exists (C-12, typed in any case); NotFound otherwise."""
    contact_id = number(text)
    if desk.conn.execute("SELECT 1 FROM contacts WHERE id = ?", (contact_id,)).fetchone() is None:
        raise NotFound(f"unknown inbound call {contact_id}")
    return make_key(contact_id)


def kind_of(text) -> str:
    """consultation, service, complaint or chase, also as a desk writes it (咨询, 服务, 投诉, 催单)."""
    found = _KINDS.get(normalize.header_key(text or ""))
    if found is None:
        raise InvalidValue(f"{str(text).strip()!r} is not one of {', '.join(CONTACT_KINDS)} "
                           f"({', '.join(names[0] for names in CONTACT_KIND_ALIASES.values())})", field="kind")
    return found


# -- times ----------------------------------------------------------------------------

def reply_due(desk, received_at: str) -> dt.datetime:
    """When the reply to a call received then is due: reply_within of desk time after it."""
    return calendar.deadline_after(desk.cal, desk.policy.dispatch_hours, clock.parse(received_at),
                                   desk.policy.contact_reply_within)


def _times(desk):
    """Cached reply deadlines and desk-hour rolls for one listing (many calls share a minute)."""
    cal, hours = desk.cal, desk.policy.dispatch_hours
    due = lru_cache(maxsize=None)(lambda text: reply_due(desk, text))
    roll = lru_cache(maxsize=None)(lambda t: calendar.roll_forward(cal, hours, t))
    return due, roll


# -- registering a call -----------------------------------------------------------------

def add(desk, phone: str, kind: str, text: str, order_no: str | None = None, answered: bool = False,
        customer: str | None = None, agent: str | None = None, complaint: dict | None = None) -> dict:
    """Register an inbound call; returns it as `contact list` lists it (with `key` and `complaint_id`).

    `complaint`: complaint add's options (against, severity, target, vip) for a
    call of kind complaint, which also files the complaint.
    """
    from callbackctl import complaints, orders

    kind = kind_of(kind)
    text = (text or "").strip()
    if not text:
        raise InvalidValue("an inbound call needs what the caller said", field="text")
    if not (phone or "").strip():
        raise InvalidValue("give the caller's phone number", field="phone")
    caller, valid = normalize.phone(phone.strip())
    if complaint and kind != "complaint":
        raise InvalidValue(f"what a complaint is against, its severity and target are for a call of kind "
                           f"complaint, not {kind}", usage=True)
    if kind == "complaint" and not (complaint or {}).get("against"):
        raise InvalidValue(f"a complaint names what it is against (one of {', '.join(complaints.AGAINST)})",
                           field="against")
    order = orders.get(desk.conn, order_no) if order_no else None
    if kind == "chase":
        if order is None:
            raise InvalidValue("a customer's chase (催单) is about an order: give the order it chases", field="order")
        if order["status"] != "open":
            raise StateError(f"order {order['order_no']} is {order['status']}: there is no repair to chase "
                             "(register the call as a service call)")
    customer = (customer or "").strip() or (order["customer"] if order else None)
    now, agent = desk.now_text, agent or desk.actor
    with transaction(desk.conn):
        complaint_id = None
        if kind == "complaint":
            c = complaint
            complaint_id = complaints.add(desk, c["against"], c.get("severity") or "general", text,
                                          order_no=order["order_no"] if order else None,
                                          phone=None if order else caller, target=c.get("target"),
                                          customer=customer, vip=bool(c.get("vip")))
        contact_id = desk.conn.execute(
            "INSERT INTO contacts (received_at, phone, phone_valid, customer, order_id, kind, text, answered, agent, "
            "complaint_id) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (now, caller, int(valid), customer, order["id"] if order else None, kind, text, int(bool(answered)),
             agent, complaint_id)).lastrowid
        due = None if answered else clock.fmt(reply_due(desk, now))
        desk.log("contact_added", order["order_no"] if order else make_key(contact_id), {
            "contact": contact_id, "key": make_key(contact_id), "kind": kind, "phone": caller, "text": text,
            "answered": bool(answered), "reply_due": due, "complaint": complaint_id, "agent": agent}, actor=agent)
    return get(desk, contact_id)


def _row(desk, contact_id: int):
    row = desk.conn.execute("SELECT t.*, o.order_no FROM contacts t LEFT JOIN orders o ON o.id = t.order_id "
                            "WHERE t.id = ?", (contact_id,)).fetchone()
    if row is None:
        raise NotFound(f"unknown inbound call {contact_id}")
    return dict(row)


def get(desk, contact_id: int) -> dict:
    """One inbound call as `contact list` lists it, as of now."""
    return _listed(desk, _row(desk, contact_id), *_times(desk))


def _listed(desk, t: dict, due_of, roll) -> dict:
    """A stored row as listed at now: a reply made after now is not made yet."""
    now = desk.now_text
    replied = t["replied_at"] if t["replied_at"] and t["replied_at"] <= now else None
    due = None if t["answered"] else due_of(t["received_at"])
    return {**t, "key": make_key(t["id"]), "answered": bool(t["answered"]), "reply_due": clock.fmt(due),
            "replied_at": replied, "reply": t["reply"] if replied else None,
            "replied_by": t["replied_by"] if replied else None,
            "overdue": due is not None and replied is None and desk.now > due}


# -- the reply ------------------------------------------------------------------------

def reply(desk, contact_id: int, text: str, agent: str | None = None) -> tuple[dict, str | None]:
    """Give the owed reply (a call that reached the caller); returns (the call as listed now,
    when it was replied before: then nothing changed)."""
    text = (text or "").strip()
    if not text:
        raise InvalidValue("say what the caller was told", field="text")
    with transaction(desk.conn):
        t = _open(desk, contact_id)
        if t is None:
            before = _row(desk, contact_id)
            return get(desk, contact_id), before["replied_at"]
        _call(desk, t, "reached", agent, note=text)
    return get(desk, contact_id), None


def _open(desk, contact_id: int) -> dict | None:
    """The call if a reply is owed on it now; None when the reply was given; an error when none is owed."""
    t = _row(desk, contact_id)
    key = make_key(contact_id)
    if t["received_at"] > desk.now_text:
        raise StateError(f"{key} was received at {t['received_at']}, after now")
    if t["answered"]:
        raise StateError(f"{key} was answered on the spot ({t['received_at']}): no reply is owed")
    if t["replied_at"]:
        return None
    return t


def _call(desk, t: dict, outcome: str, agent=None, note=None, callback_at: dt.datetime | None = None,
          called_at: dt.datetime | None = None) -> int:
    """Store one call on an owed reply (inside the caller's transaction); a closing one gives the reply."""
    from callbackctl import claims

    conn, now, key = desk.conn, clock.fmt(called_at or desk.now), make_key(t["id"])
    agent = agent or desk.actor
    call_id = conn.execute(
        "INSERT INTO contact_calls (contact_id, called_at, outcome, callback_at, agent, note) VALUES (?,?,?,?,?,?)",
        (t["id"], now, outcome, clock.fmt(callback_at), agent, note)).lastrowid
    closes = outcome in CLOSING_OUTCOMES and callback_at is None
    due = reply_due(desk, t["received_at"])
    if closes:
        conn.execute("UPDATE contacts SET replied_at = ?, replied_by = ?, reply = ? WHERE id = ?",
                     (now, agent, note, t["id"]))
    claims.end_on_call(conn, key)
    desk.log("contact_replied" if closes else "contact_called", t["order_no"] or key, {
        "contact": t["id"], "key": key, "outcome": outcome, "note": note, "callback_at": clock.fmt(callback_at),
        "agent": agent, "reply_due": clock.fmt(due), "late": closes and clock.parse(now) > due}, actor=agent)
    return call_id


def record_call(desk, key: str, outcome: str, note: str | None = None, agent: str | None = None,
                callback_at: dt.datetime | None = None, called_at: dt.datetime | None = None,
                scores: dict | None = None) -> dict:
    """A call on an owed reply (`record C-12 -o ...`, `work`), at `called_at` (default now);
    returns a row shaped as `record` prints one (calls.RECORD_COLUMNS), its call_id `C` and
    a number.

    reached (without a promised time), refused or wrong_number give the reply (the
    note is what the caller was told); the others are attempts, tried again
    retry_after later, or at `callback_at` when the caller asked for a time. A reply
    is not rated: scores are refused.
    """
    one_of(outcome, OUTCOMES, "outcome")
    key = make_key(number(key))
    if scores:
        raise InvalidValue(f"{key}: a reply to an inbound call is not rated: give no scores", usage=True)
    called = called_at or desk.now
    if called > desk.now:
        raise InvalidValue(f"{clock.fmt(called)} is after now ({desk.now_text})", field="called_at")
    if callback_at is not None and callback_at <= called:
        raise InvalidValue(f"{clock.fmt(callback_at)} is not after the call ({clock.fmt(called)}): "
                           "a promised call-back comes later", field="callback_at")
    contact_id = number(key)
    with transaction(desk.conn):
        t = _open(desk, contact_id)
        if t is None:
            raise StateError(f"{key}: the reply was given already, at {_row(desk, contact_id)['replied_at']}")
        if t["received_at"] > clock.fmt(called):
            raise StateError(f"{key}: a call at {clock.fmt(called)} comes before the inbound call "
                             f"({t['received_at']})")
        call_id = _call(desk, t, outcome, agent, note=note, callback_at=callback_at, called_at=called)
    return {"order_no": key, "called_at": clock.fmt(called), "outcome": outcome,
            "skill": None, "attitude": None, "timeliness": None, "parts": None, "overall": None, "index": None,
            "genuine": None, "discrepancies": [], "followup": None, "reason": REPLY_REASON, "call_id": f"C{call_id}"}


def already_called(desk, key: str, called_at: dt.datetime | None, outcome: str) -> bool:
    """The same call on an owed reply is stored already: its key, time and outcome (a call log
    given twice, `record C-12 ...` run again): calls.already_recorded for a C- key."""
    try:
        contact_id = number(key)
    except InvalidValue:
        return False
    return desk.conn.execute("SELECT 1 FROM contact_calls WHERE contact_id = ? AND called_at = ? AND outcome = ? "
                             "LIMIT 1", (contact_id, clock.fmt(called_at or desk.now), outcome)).fetchone() is not None


# -- listings -----------------------------------------------------------------------------

def listing(desk, open_only=False, overdue_only=False, kind=None, order_id=None, phone=None) -> list[dict]:
    """Inbound calls received by now, oldest first; `open_only`: the replies still owed,
    `overdue_only`: those past their deadline; or one kind's, one order's, one phone's."""
    where, params = ["t.received_at <= :now"], {"now": desk.now_text}
    if open_only or overdue_only:
        where.append(f"t.id IN ({_OWED})")
    for column, value in (("kind", kind_of(kind) if kind else None), ("order_id", order_id), ("phone", phone)):
        if value is not None:
            where.append(f"t.{column} = :{column}")
            params[column] = value
    due_of, roll = _times(desk)
    out = []
    for t in db.dicts(desk.conn, "SELECT t.*, o.order_no FROM contacts t LEFT JOIN orders o ON o.id = t.order_id "
                                 f"WHERE {' AND '.join(where)} ORDER BY t.received_at, t.id", params):
        row = _listed(desk, t, due_of, roll)
        if overdue_only and not row["overdue"]:
            continue
        out.append(row)
    return out


# The replies owed at :now, from two index ranges: those not given, and those given after now.
_OWED = ("SELECT id FROM contacts WHERE answered = 0 AND replied_at IS NULL AND received_at <= :now "
         "UNION ALL SELECT id FROM contacts WHERE replied_at > :now AND answered = 0 AND received_at <= :now")


def owed(desk) -> list[dict]:
    """The replies owed at now, each with its key, order, calls so far, when the next call is due and
    the deadline, soonest deadline first (due, promises, find)."""
    sql = f"""
        SELECT t.id, t.received_at, t.phone, coalesce(t.customer, o.customer) AS customer, t.kind, t.text,
               t.order_id, o.order_no, o.region, o.provider, o.engineer, o.completed_at,
               (SELECT count(*) FROM contact_calls k WHERE k.contact_id = t.id AND k.called_at <= :now) AS attempts,
               (SELECT json_array(k.called_at, k.outcome, k.callback_at) FROM contact_calls k
                 WHERE k.contact_id = t.id AND k.called_at <= :now ORDER BY k.called_at DESC, k.id DESC LIMIT 1)
                   AS last_call
        FROM contacts t LEFT JOIN orders o ON o.id = t.order_id
        WHERE t.id IN ({_OWED})"""
    due_of, roll = _times(desk)
    retry = desk.policy.retry_after.delta
    out = []
    for t in db.dicts(desk.conn, sql, {"now": desk.now_text}):
        first = roll(clock.parse(t["received_at"]))
        deadline = due_of(t["received_at"])
        last = json.loads(t.pop("last_call")) if t["last_call"] else None
        next_due, kind = first, "first"
        if last:
            called_at, outcome, promised = last
            if promised:
                next_due, kind = roll(clock.parse(promised)), "promised"
            else:
                next_due, kind = max(first, roll(clock.parse(called_at) + retry)), "retry"
        out.append({**t, "key": make_key(t["id"]), "last_outcome": last[1] if last else None, "due_at": next_due,
                    "deadline": deadline, "next": kind, "callback_at": last[2] if last else None,
                    "overdue": desk.now > deadline})
    out.sort(key=lambda r: (r["deadline"], r["id"]))
    return out


def due_rows(desk, until: dt.datetime | None = None, reason=None, overdue_only=False, region=None, provider=None,
             engineer=None, service_type=None, category=None) -> list[dict]:
    """The owed replies due by `until` (default now), as rows of `due` (vocab.DUE_COLUMNS but
    claimed_by, which duelist.due adds): order_no is the key C-<id>, reason `reply`, the
    deadline the reply's. A call about no order has no region, provider or engineer, so
    those filters leave it out; it has no service type, so `--type` lists orders only."""
    if service_type is not None or category is not None or reason not in (None, REPLY_REASON):
        return []
    if desk.conn.execute(f"SELECT 1 FROM ({_OWED}) LIMIT 1", {"now": desk.now_text}).fetchone() is None:
        return []  # nothing owed: one probe of each index
    until = until or desk.now
    out = []
    for r in owed(desk):
        if r["due_at"] > until or (overdue_only and not r["overdue"]):
            continue
        if (region is not None and r["region"] != region or provider is not None and r["provider"] != provider
                or engineer is not None and r["engineer"] != engineer):
            continue
        out.append({
            "order_no": r["key"], "customer": r["customer"], "phone": r["phone"], "service_type": None,
            "region": r["region"], "provider": r["provider"], "engineer": r["engineer"],
            "completed_at": r["completed_at"], "due_at": clock.fmt(r["due_at"]), "deadline": clock.fmt(r["deadline"]),
            "attempts": r["attempts"], "last_outcome": r["last_outcome"], "reason": REPLY_REASON,
            "overdue": r["overdue"],
        })
    return out


def contacts_of(desk, order) -> list[dict]:
    """An order's inbound calls, for `show ORDER_NO` (SHOW_COLUMNS)."""
    return listing(desk, order_id=order["id"])


def calls_of(desk, contact_id: int) -> list[dict]:
    """The desk's calls on an owed reply, as of now."""
    return [{**r, "call_id": f"C{r.pop('id')}"} for r in db.dicts(
        desk.conn, "SELECT id, called_at, outcome, callback_at, agent, note FROM contact_calls "
                   "WHERE contact_id = ? AND called_at <= ? ORDER BY called_at, id", (contact_id, desk.now_text))]


def card(desk, key: str) -> dict:
    """What `work` shows for an owed reply (C-12): the call as listed, the order it is about
    (every column, or None), the desk's calls on it so far, and where it stands (`owed`:
    the owed() row with due_at, deadline and next: first, retry or promised; None once given)."""
    from callbackctl import orders

    t = get(desk, number(key))
    order = dict(orders.get(desk.conn, t["order_no"])) if t["order_no"] else None
    return {"contact": t, "order": order, "calls": calls_of(desk, t["id"]),
            "owed": next((r for r in owed(desk) if r["id"] == t["id"]), None)}


def details(desk, text: str) -> list[tuple[str, list, list]]:
    """`show C-12`: the call, how its reply falls due, the calls on it and its audit log."""
    t = get(desk, number(text))
    key = t["key"]
    fields = {k: t.get(k) for k in ("key", "received_at", "phone", "customer", "order_no", "kind", "text",
                                    "answered", "agent", "complaint_id", "reply_due", "replied_at", "replied_by",
                                    "reply", "overdue")}
    rows = [{"field": k, "value": v} for k, v in fields.items()]
    found = next((r for r in owed(desk) if r["id"] == t["id"]), None)
    if found:
        rows.append({"field": "next_call", "value": f"{clock.fmt(found['due_at'])} ({found['next']})"})
    events = desk.conn.execute(
        "SELECT at, actor, command, kind, detail FROM events WHERE order_no = ? AND kind LIKE 'contact%' "
        "AND json_extract(detail, '$.contact') = ? ORDER BY id", (t["order_no"] or key, t["id"])).fetchall()
    return [
        ("contact", ["field", "value"], rows),
        ("reply calls", CALL_COLUMNS, calls_of(desk, t["id"])),
        ("audit log", ["at", "actor", "command", "kind", "detail"], [dict(r) for r in events]),
    ]


# -- find -------------------------------------------------------------------------------------

def owed_text(r: dict) -> str:
    """An owed reply as `find` says it: `reply C-3 due by 2026-11-23 10:15`, or `overdue since ...`."""
    deadline = clock.fmt(r["deadline"])[:16]
    return f"reply {r['key']} " + (f"overdue since {deadline}" if r["overdue"] else f"due by {deadline}")


def owed_for_find(desk, orders: list[dict]) -> dict[int, list[str]]:
    """The replies owed now by order: those about the order, and those of a call about no order from
    the order's phone (`by phone`)."""
    ids = {o["id"] for o in orders}
    phones = {}
    for o in orders:
        if o["phone"]:
            phones.setdefault(o["phone"], []).append(o["id"])
    out: dict[int, list[str]] = {}
    if not desk.conn.execute(f"SELECT 1 FROM ({_OWED}) LIMIT 1", {"now": desk.now_text}).fetchone():
        return out
    for r in owed(desk):
        if r["order_id"] in ids:
            out.setdefault(r["order_id"], []).append(owed_text(r))
        elif r["order_id"] is None:
            for order_id in phones.get(r["phone"], []):
                out.setdefault(order_id, []).append(owed_text(r) + " by phone")
    return out


def owed_without_order(desk, matches) -> list[dict]:
    """The replies owed now on calls about no order whose phone or caller `matches(phone, customer)`
    says is the one looked for (find's rows without an order)."""
    if not desk.conn.execute(f"SELECT 1 FROM ({_OWED}) LIMIT 1", {"now": desk.now_text}).fetchone():
        return []
    return [r for r in owed(desk) if r["order_id"] is None and matches(r["phone"], r["customer"])]
