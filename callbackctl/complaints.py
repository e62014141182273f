"""Complaints (投诉) and apology calls (致歉).

A complaint moves open -> (escalated) -> replied -> resolved -> closed; a
special complaint (property loss, injury, media) starts escalated for the
after-sales manager. A reply is due `reply_within` (wall-clock) after receipt
or reopening. Closing needs a callback in which the customer is satisfied;
an unsatisfied customer reopens it.

An agent found at fault calls to apologise, only inside the apology windows,
at most `max_attempts` times; a refusal, a hang-up or the last unanswered
attempt queues an apology SMS instead and the calls stop. VIP customers,
serial complainers and complaints naming several agents get no call.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from callbackctl import calendar, clock, normalize, orders
from callbackctl.db import transaction
from callbackctl.errors import InvalidValue, NotFound, StateError, one_of
from callbackctl.policy import Duration
from callbackctl.vocab import APOLOGY_OUTCOMES, COMPLAINT_AGAINST as AGAINST, SEVERITIES

COLUMNS = ["id", "order_no", "customer", "phone", "against", "target", "severity", "status", "received_at",
           "reply_due", "replied_at", "resolved_at", "closed_at", "overdue"]
APOLOGY_COLUMNS = ["id", "complaint_id", "agent", "customer", "phone", "state", "skip_reason", "attempts",
                   "last_outcome", "opened_at", "close_by", "closed_at", "missed", "complaints"]
DUE_COLUMNS = ["id", "complaint_id", "agent", "customer", "phone", "attempts", "last_outcome", "opened_at", "call_by",
               "close_by", "complaints"]
SMS_COLUMNS = ["id", "phone", "text"]
SMS_TEXT = "尊敬的{customer}您好：关于您反映的问题，我们深表歉意，已严肃处理并改进。感谢您的监督与支持！"

# Where several names are written in one target field.
_SEVERAL = re.compile(r"[,，、;；/&]|\s和\s|和")


def _get(desk, complaint_id: int) -> dict:
    row = desk.conn.execute("SELECT * FROM complaints WHERE id = ?", (complaint_id,)).fetchone()
    if row is None:
        raise NotFound(f"unknown complaint {complaint_id}")
    return dict(row)


def add(desk, against: str, severity: str, text: str, order_no=None, phone=None, target=None,
        customer=None, vip=False) -> int:
    """File a complaint against an order or a phone number; returns its id."""
    one_of(against, AGAINST, "against")
    one_of(severity, SEVERITIES, "severity")
    if not text or not text.strip():
        raise InvalidValue("a complaint needs its text", field="text")
    if bool(order_no) == bool(phone):
        raise InvalidValue("a complaint is about an order or, without one, a phone number: give one of them",
                           usage=True)
    order = orders.get(desk.conn, order_no) if order_no else None
    if order:
        phone, customer, vip = order["phone"], customer or order["customer"], vip or bool(order["vip"])
    else:
        phone, _ = normalize.phone(phone)
    now = desk.now_text
    status = "escalated" if severity == "special" else "open"
    with transaction(desk.conn):
        cid = desk.conn.execute(
            "INSERT INTO complaints (order_id, customer, phone, vip, against, target, severity, text, status, "
            "received_at, escalated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (order["id"] if order else None, customer, phone, int(vip), against, target, severity, text.strip(),
             status, now, now if status == "escalated" else None),
        ).lastrowid
        desk.log("complaint_added", order_no, {"id": cid, "against": against, "target": target,
                                               "severity": severity, "status": status, "text": text.strip()})
    return cid


# Which steps may follow which status.
_STEPS = {
    "escalate": ({"open"}, "escalated"),
    "respond": ({"open", "escalated"}, "replied"),
    "resolve": ({"open", "escalated", "replied"}, "resolved"),
    "close": ({"replied", "resolved"}, "closed"),
    "reopen": ({"replied", "resolved"}, "open"),
}


def step(desk, complaint_id: int, action: str, text: str | None = None) -> dict:
    """escalate, respond, resolve, close (satisfied) or reopen (unsatisfied) a complaint."""
    c = _get(desk, complaint_id)
    allowed, new = _STEPS[action]
    if c["status"] not in allowed:
        raise StateError(f"complaint {complaint_id} is {c['status']}: cannot {action} it"
                         + (" (resolve it first)" if action in ("close", "reopen") and c["status"] != "closed" else ""))
    now = desk.now_text
    last = max((c[k], k) for k in ("received_at", *_STAMPS) if c[k])
    clock.not_before(now, last[0], f"complaint {complaint_id}", last[1].removesuffix("_at"))
    changes = {"status": new}
    if action == "escalate":
        changes["escalated_at"] = now
    elif action == "respond":
        changes.update(replied_at=now, reply=text)
    elif action == "resolve":
        changes.update(resolved_at=now, resolution=text)
    elif action == "close":
        changes["closed_at"] = now
    elif action == "reopen":
        changes.update(reopened_at=now, replied_at=None, resolved_at=None)
    with transaction(desk.conn):
        sets = ", ".join(f"{k} = ?" for k in changes)
        desk.conn.execute(f"UPDATE complaints SET {sets} WHERE id = ?", (*changes.values(), complaint_id))
        order_no = _order_no(desk, c)
        desk.log(f"complaint_{action}", order_no, {
            "id": complaint_id, "text": text,
            "before": {k: c[k] for k in changes}, "after": changes,
        })
    return {**c, **changes}


def _order_no(desk, c):
    if c["order_id"] is None:
        return None
    return desk.conn.execute("SELECT order_no FROM orders WHERE id = ?", (c["order_id"],)).fetchone()[0]


def answered_at(c) -> str | None:
    """When the customer had the desk's answer: its reply, else its resolution."""
    return c["replied_at"] or c["resolved_at"] or c["closed_at"]


def reply_due(desk, c) -> dt.datetime:
    return clock.parse(c["reopened_at"] or c["received_at"]) + desk.policy.reply_within.delta


# The times a complaint's steps stamp on it.
_STAMPS = ("escalated_at", "replied_at", "resolved_at", "closed_at", "reopened_at")


def as_of(desk, rows: list[dict]) -> list[dict]:
    """Complaints as they stood at now (rows received by now, with their order_no).

    A step taken after now is undone from its audit event, which keeps what
    the step changed (a reopening clears the reply, so the row alone cannot say
    it); a time after now with no event (a merged or hand-edited row) is
    dropped and the status follows from the times left.
    """
    now = desk.now_text
    late = {c["id"]: c for c in rows if any((c[k] or "") > now for k in _STAMPS)}
    if not late:
        return rows
    for detail in _steps_after(desk, late.values()):
        c = late.get(detail.get("id"))
        if c is not None:
            c.update(detail.get("before") or {})
    for c in late.values():
        gone = [k for k in _STAMPS if (c[k] or "") > now]
        if gone:
            c.update(dict.fromkeys(gone))
            c["status"] = ("closed" if c["closed_at"] else "resolved" if c["resolved_at"]
                           else "replied" if c["replied_at"]
                           else "escalated" if c["escalated_at"] and c["escalated_at"] >= (c["reopened_at"] or "")
                           else "open")
    return rows


def _steps_after(desk, complaints) -> list[dict]:
    """The audit details of the steps taken after now on these complaints, latest first.

    Through events_order for complaints about an order; those filed by phone
    alone are looked for among the events without an order.
    """
    kinds = [f"complaint_{action}" for action in _STEPS]
    sql = (f"SELECT id, detail FROM events WHERE kind IN ({','.join('?' * len(kinds))}) AND at > ? AND "
           "detail IS NOT NULL AND ")
    found = []
    numbers = sorted({c["order_no"] for c in complaints if c.get("order_no")})
    for number in numbers:
        found += desk.conn.execute(sql + "order_no = ?", (*kinds, desk.now_text, number)).fetchall()
    if any(not c.get("order_no") for c in complaints):
        found += desk.conn.execute(sql + "order_no IS NULL", (*kinds, desk.now_text)).fetchall()
    return [json.loads(detail) for _, detail in sorted(found, key=lambda e: -e[0])]


def listing(desk, open_only=False, overdue_only=False, order_id=None, phone=None) -> list[dict]:
    """Complaints as of now: one received after now is not listed, a step after now not taken yet.
    `order_id` or `phone`: one order's, or one customer's (recurring callbacks: `show R-...`)."""
    sql = ("SELECT c.*, o.order_no FROM complaints c LEFT JOIN orders o ON o.id = c.order_id WHERE c.received_at <= ?"
           + (" AND c.order_id = ?" if order_id is not None else "") + (" AND c.phone = ?" if phone is not None else "")
           + " ORDER BY c.id")
    out = []
    params = [desk.now_text] + [v for v in (order_id, phone) if v is not None]
    rows = as_of(desk, [dict(r) for r in desk.conn.execute(sql, params)])
    for c in rows:
        due = reply_due(desk, c)
        c["reply_due"] = clock.fmt(due)
        c["overdue"] = answered_at(c) is None and desk.now > due
        if (open_only and c["status"] == "closed") or (overdue_only and not c["overdue"]):
            continue
        out.append(c)
    return out


# -- apologies ----------------------------------------------------------------

def _apology(desk, apology_id: int, as_of: bool = False) -> dict:
    """One apology with its customer and attempts; `as_of`: as it stood at now, for the listings.

    As of now, attempts after now do not count, and the state they led to
    (accepted, or an SMS to send) is `calling` again; a message sent after now
    is still to send. Only an attempt ends the calling, so the last one made it.
    """
    bound = " AND t.called_at <= :now" if as_of else ""
    row = desk.conn.execute(
        f"SELECT a.*, c.customer, c.phone, (SELECT count(*) FROM apology_attempts t WHERE t.apology_id = a.id{bound}) "
        "AS attempts, (SELECT outcome FROM apology_attempts t WHERE t.apology_id = a.id"
        f"{bound} ORDER BY t.id DESC LIMIT 1) AS last_outcome, "
        "(SELECT max(t.called_at) FROM apology_attempts t WHERE t.apology_id = a.id) AS last_called_at, "
        "(SELECT group_concat(j.id, ', ') FROM complaints j WHERE j.apology_id = a.id) AS joined "
        "FROM apologies a JOIN complaints c ON c.id = a.complaint_id WHERE a.id = :id",
        {"id": apology_id, "now": desk.now_text}).fetchone()
    if row is None:
        raise NotFound(f"unknown apology {apology_id}")
    a = dict(row)
    joined = a.pop("joined")
    a["complaints"] = f"{a['complaint_id']}, {joined}" if joined else str(a["complaint_id"])
    last_called_at, now = a.pop("last_called_at"), desk.now_text
    if as_of and a["skip_reason"] is None:
        if a["state"] != "calling" and (last_called_at or "") > now:
            a.update(state="calling", sms_reason=None, sms_sent_at=None, closed_at=None)
        elif a["state"] == "sms_sent" and (a["sms_sent_at"] or "") > now:
            a.update(state="sms_pending", sms_sent_at=None, closed_at=None)
    return a


def skip_reason(desk, c) -> str | None:
    """Why no apology call is made, if one of the exclusions applies."""
    if c["vip"]:
        return "vip"
    if c["target"] and len([t for t in _SEVERAL.split(c["target"]) if t.strip()]) > 1:
        return "several_agents"
    if c["phone"]:
        since = clock.fmt(clock.parse(c["received_at"]) - dt.timedelta(days=90))
        n = desk.conn.execute(
            "SELECT count(*) FROM complaints WHERE phone = ? AND received_at >= ? AND received_at <= ?",
            (c["phone"], since, c["received_at"]),
        ).fetchone()[0]
        if n >= desk.policy.serial_complaints:
            return "serial_complainer"
    return None


def open_apology(desk, complaint_id: int) -> dict:
    """Start an apology for a complaint against an agent found at fault (or record why none)."""
    c = _get(desk, complaint_id)
    if c["against"] != "agent":
        raise StateError(f"complaint {complaint_id} is against {c['against']}, not a desk agent: no apology call")
    if c["apology_id"] or desk.conn.execute("SELECT 1 FROM apologies WHERE complaint_id = ?",
                                            (complaint_id,)).fetchone():
        raise StateError(f"complaint {complaint_id} already has an apology")
    calling = desk.conn.execute(
        "SELECT a.id FROM apologies a JOIN complaints o ON o.id = a.complaint_id WHERE a.state = 'calling' "
        "AND o.phone = ? AND a.opened_at <= ? ORDER BY a.id LIMIT 1", (c["phone"], desk.now_text)).fetchone() \
        if c["phone"] else None
    if calling:  # the seed calls a customer once, not once per complaint
        with transaction(desk.conn):
            desk.conn.execute("UPDATE complaints SET apology_id = ? WHERE id = ?", (calling[0], complaint_id))
            desk.log("apology_joined", _order_no(desk, c), {"apology": calling[0], "complaint": complaint_id})
        return _apology_row(desk, _apology(desk, calling[0]))
    reason = skip_reason(desk, c)
    state = "skipped" if reason else "calling"
    with transaction(desk.conn):
        aid = desk.conn.execute(
            "INSERT INTO apologies (complaint_id, agent, opened_at, skip_reason, state, closed_at) VALUES (?,?,?,?,?,?)",
            (complaint_id, c["target"], desk.now_text, reason, state, desk.now_text if reason else None),
        ).lastrowid
        desk.log("apology_opened", _order_no(desk, c), {"apology": aid, "complaint": complaint_id,
                                                       "state": state, "skip_reason": reason})
    return _apology_row(desk, _apology(desk, aid))


def close_by(desk, a) -> dt.datetime:
    return clock.parse(a["opened_at"]) + desk.policy.close_within.delta


def _apology_row(desk, a) -> dict:
    by = close_by(desk, a)
    end = clock.parse(a["closed_at"]) if a["closed_at"] else desk.now
    return {**a, "close_by": clock.fmt(by), "missed": a["skip_reason"] is None and end > by}


def apologies(desk, complaint_id=None) -> list[dict]:
    """Apologies as of now (see _apology): one opened after now is not listed."""
    ids = [r[0] for r in desk.conn.execute(
        "SELECT id FROM apologies WHERE opened_at <= ?" + (" AND complaint_id = ?" if complaint_id else "")
        + " ORDER BY id", (desk.now_text, complaint_id) if complaint_id else (desk.now_text,))]
    return [_apology_row(desk, _apology(desk, i, as_of=True)) for i in ids]


def _in_window(desk) -> bool:
    return calendar.in_window(calendar.EVERY_DAY, desk.policy.apology_windows, desk.now)


def call_by(desk, a) -> dt.datetime:
    """The apology call is due the day it is opened (seed 004: 收到便笺的当天), by the end of
    that day's last apology window; opened after it, the next day's. close_by stays the
    ticket's limit."""
    windows = desk.policy.apology_windows
    due = calendar.roll_forward(calendar.EVERY_DAY, windows, clock.parse(a["opened_at"]))
    return calendar.deadline_after(calendar.EVERY_DAY, windows, due, Duration(days=1))


def due_apologies(desk) -> list[dict]:
    """Apology calls allowed now: inside the windows, attempts left, not closed; the ones
    to make first (by call_by) first."""
    if not _in_window(desk):
        return []
    rows = [{**a, "call_by": clock.fmt(call_by(desk, a))} for a in apologies(desk)
            if a["state"] == "calling" and a["attempts"] < desk.policy.apology_max_attempts]
    return sorted(rows, key=lambda a: (a["call_by"], a["id"]))


def record_apology(desk, apology_id: int, outcome: str, note=None) -> dict:
    one_of(outcome, APOLOGY_OUTCOMES, "outcome")
    a = _apology(desk, apology_id)
    if a["state"] != "calling":
        raise StateError(f"apology {apology_id} is {a['state']}: no more calls")
    if not _in_window(desk):
        windows = ", ".join(f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}" for s, e in desk.policy.apology_windows)
        raise StateError(f"apology calls are allowed only {windows} (now {desk.now:%H:%M})")
    _apology_not_before(desk, a)
    attempts = a["attempts"] + 1
    changes = {}
    if outcome == "accepted":
        changes = {"state": "accepted", "closed_at": desk.now_text}
    elif outcome == "not_accepted":  # back to the ordinary complaint procedure: no message
        changes = {"state": "not_accepted", "closed_at": desk.now_text}
    elif outcome in ("refused", "hung_up") or attempts >= desk.policy.apology_max_attempts:
        changes = {"state": "sms_pending", "sms_reason": outcome}
    with transaction(desk.conn):
        desk.conn.execute("INSERT INTO apology_attempts (apology_id, called_at, outcome, note) VALUES (?,?,?,?)",
                          (apology_id, desk.now_text, outcome, note))
        if changes:
            sets = ", ".join(f"{k} = ?" for k in changes)
            desk.conn.execute(f"UPDATE apologies SET {sets} WHERE id = ?", (*changes.values(), apology_id))
        desk.log("apology_call", _order_no(desk, _get(desk, a["complaint_id"])),
                 {"apology": apology_id, "outcome": outcome, "attempt": attempts, "note": note, **changes})
        if outcome == "accepted":  # the seed lets the desk resolve the ticket with no further reply
            for cid in map(int, a["complaints"].split(", ")):
                if _get(desk, cid)["status"] in _STEPS["resolve"][0]:
                    step(desk, cid, "resolve", "apology accepted")
    return _apology_row(desk, _apology(desk, apology_id))


def _apology_not_before(desk, a):
    last = desk.conn.execute(
        "SELECT max(x) FROM (SELECT opened_at AS x FROM apologies WHERE id = :id UNION ALL "
        "SELECT sms_sent_at FROM apologies WHERE id = :id UNION ALL "
        "SELECT called_at FROM apology_attempts WHERE apology_id = :id)", {"id": a["id"]}).fetchone()[0]
    clock.not_before(desk.now_text, last, f"apology {a['id']}")


def sms(desk) -> list[dict]:
    """Apology messages to send, as rows a script can pipe to an SMS gateway."""
    return [{"id": a["id"], "phone": a["phone"], "text": SMS_TEXT.format(customer=a["customer"] or "客户")}
            for a in apologies(desk) if a["state"] == "sms_pending"]


def sms_sent(desk, ids) -> tuple[list[int], list[int]]:
    """Mark exactly these apology messages as sent; returns (marked now, sent before).

    Only the ids the gateway sent: a message queued after `sms` listed them
    stays to send. Nothing is marked when one id is unknown or has no message.
    """
    marked, before = [], []
    with transaction(desk.conn):
        for apology_id in dict.fromkeys(ids):
            a = _apology(desk, apology_id)
            if a["state"] == "sms_sent":
                before.append(apology_id)
                continue
            if a["state"] != "sms_pending":
                raise StateError(f"apology {apology_id} is {a['state']}: it has no message to send")
            _apology_not_before(desk, a)
            desk.conn.execute("UPDATE apologies SET state = 'sms_sent', sms_sent_at = ?, closed_at = ? WHERE id = ?",
                              (desk.now_text, desk.now_text, apology_id))
            desk.log("apology_sms_sent", _order_no(desk, _get(desk, a["complaint_id"])),
                     {"apology": apology_id, "phone": a["phone"]})
            marked.append(apology_id)
    return marked, before
