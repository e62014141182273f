"""Finding orders by what a caller says: a phone number, a name, an order or serial number.

A clerk on the phone types whatever the customer gives: `138 0013 8000`,
`+86 138-0013-8000`, full-width digits, the last four digits, part of a name,
an order number in lower case. `find` lists the orders that match, each with
its status and what is open for it now: a callback round, a follow-up, a
complaint (also one filed by phone without an order), a chase.

Matching (each kind is tried; an order may match several, and `matched` says which):

- order_no: exactly, in any case, with surrounding spaces trimmed (full-width
  letters and digits are read as ASCII). An order number typed whole finds that
  order alone and nothing else is searched. Otherwise order numbers that start
  with the text as typed, in upper or in lower case match.
- phone: the text normalised as an import does (normalize.phone: spaces,
  dashes, +86, full-width digits) equals the stored number, which may also
  carry an extension (`number,ext`); or, when the text is not a whole phone
  number, its digits (4 or more; spaces and dashes ignored) end the stored one.
- serial_no: exactly, any case.
- customer: contains the text, case-insensitive for Latin letters.

Speed: exact order numbers and prefixes are ranges of the UNIQUE index on
order_no. There is no index on phone, serial_no or customer, so those are one
pass over the orders table, newest first, stopped as soon as `limit` + 1
orders are found (0.25-0.4 s on a million orders when it reads them all).
What is open is then worked out for the listed orders alone.
"""

from __future__ import annotations

import re
import unicodedata

from callbackctl import clock, duelist, normalize, schedule
from callbackctl.errors import InvalidValue
from callbackctl.store import find as table

COLUMNS = ["order_no", "customer", "phone", "service_type", "status", "completed_at", "region", "provider",
           "callback", "followup", "complaint", "chase", "matched"]

DEFAULT_LIMIT = 50

_PHONE_JUNK = re.compile(r"[\s\-()（）.]")
_DIGITS = re.compile(r"[0-9]{4,}")
_LATIN = re.compile(r"[A-Za-z]")
_CHUNK = 500


def find(desk, text: str, limit: int | None = DEFAULT_LIMIT) -> tuple[list[dict], bool]:
    """Orders matching `text`, newest first, with what is open for each.

    Returns (rows, more): `more` when more than `limit` orders matched (only
    the first `limit` are returned). `limit` None or 0: every match. Open
    complaints filed by phone without an order whose phone matches and is on
    no listed order come after the orders, as rows without an order_no.
    """
    typed = (text or "").strip()
    if not typed:
        raise InvalidValue("give a phone number (or its last 4 digits), a name, an order number or a serial "
                           "number to find", usage=True)
    limit = limit or None
    terms = _Terms(typed)
    conn = desk.conn
    matched: dict[int, list[str]] = {}

    exact = table.ids_of_numbers(conn, terms.order_nos)
    for i in exact:
        matched[i] = ["order_no"]
    searched = not exact
    if searched:
        _prefix_matches(conn, terms, limit, matched)
        if not limit or len(matched) <= limit:  # else the listing is full and says so already
            _scan_matches(conn, terms, limit, matched)

    ids = sorted(matched, reverse=True)
    more = limit is not None and len(ids) > limit
    ids = ids[:limit]
    rows, listed_phones = [], set()
    for at in range(0, len(ids), _CHUNK):  # --limit 0 may list many: SQLite takes so many parameters
        chunk = ids[at:at + _CHUNK]
        orders = table.orders_of(conn, chunk)
        for row, order in zip(_open_work(desk, orders), orders):
            row["matched"] = "; ".join(matched[order["id"]])
            rows.append(row)
        listed_phones.update(o["phone"] for o in orders if o["phone"])
    if searched:
        rows += [c for c in _complaints_without_order(desk, terms) if c["phone"] not in listed_phones]
        rows += _replies_without_order(desk, terms, listed_phones)
    return rows, more


class _Terms:
    """What the typed text can be, worked out once."""

    def __init__(self, typed: str):
        folded = unicodedata.normalize("NFKC", typed).strip()  # full-width letters and digits
        self.order_nos = list(dict.fromkeys(v for t in (typed, folded) for v in (t, t.upper(), t.lower())))
        self.folded = folded
        self.names = list(dict.fromkeys((typed, folded)))
        self.latin = bool(_LATIN.search(folded))
        number, valid = normalize.phone(typed)
        self.phone = number if valid else None
        digits = _PHONE_JUNK.sub("", folded)
        self.phone_suffix = digits if not valid and _DIGITS.fullmatch(digits) else None


def _prefix_matches(conn, terms, limit, matched):
    """Order numbers starting with the text (as typed, upper or lower case): ranges of the
    UNIQUE index on order_no, highest number first."""
    for v in terms.order_nos:
        for i in table.ids_from_prefix(conn, v, limit and limit + 1):
            kinds = matched.setdefault(i, [])
            if "order_no" not in kinds:
                kinds.append("order_no")


def _scan_matches(conn, terms, limit, matched):
    """Phone, serial_no and customer (and an order number stored in mixed case): one backward
    pass over the orders, stopped at limit + 1. Each condition costs (0.03-0.1 s on a million
    orders), so only those that can match are asked."""
    conditions = []
    if terms.latin:  # a number in upper or lower case was found by the index already
        conditions.append(("order_no", *table.exact_condition(terms, "order_no")))
    phone, phone_params = table.phone_condition(terms, "phone")
    if phone:
        conditions.append(("phone", phone, phone_params))
    conditions.append(("serial_no", *table.exact_condition(terms, "serial_no")))
    conditions.append(("customer", *table.name_condition(terms, "customer")))
    for i, *hits in table.scan(conn, conditions, limit and limit + 1):
        kinds = matched.setdefault(i, [])
        kinds += [kind for (kind, _, _), hit in zip(conditions, hits) if hit and kind not in kinds]


def _open_work(desk, orders: list[dict]) -> list[dict]:
    """Each order's row: its fields and what is open for it at now."""
    followups = _open_followups(desk, orders)
    complaints = _open_complaints(desk, orders)
    chases = _chases(desk, [o["id"] for o in orders if o["completed_at"] is None])
    replies = _owed_replies(desk, orders)
    out = []
    for o in orders:
        out.append({
            "order_no": o["order_no"], "customer": o["customer"], "phone": o["phone"],
            "service_type": o["service_type"], "status": o["status"], "completed_at": o["completed_at"],
            "region": o["region"], "provider": o["provider"],
            "callback": "; ".join(filter(None, (_callback(desk, o), *replies.get(o["id"], ())))) or None,
            "followup": "; ".join(followups.get(o["id"], [])) or None,
            "complaint": "; ".join(complaints.get(o["id"], [])) or None,
            "chase": chases.get(o["id"]),
        })
    return out


def _minute(t) -> str:
    return clock.fmt(t)[:16] if not isinstance(t, str) else t[:16]


def _callback(desk, order) -> str | None:
    """The open callback round: `due 2026-11-23 14:40` (not yet), `due now until DEADLINE`,
    `overdue since DEADLINE`; led by the call's reason when it is not the first call (`retry due
    ...`). Nothing when the order is not completed, has no rule, its round is closed, or the
    round was given up (past deadline + give_up_after: `show` says missed)."""
    if order["status"] != "completed":
        return None
    _, s = schedule.order_schedule(desk, order["order_no"])
    now = desk.now
    if s is None or s.closed or now > s.give_up_at(desk.policy):
        return None
    if now > s.deadline:
        text = f"overdue since {_minute(s.deadline)}"
    elif s.next_due > now:
        text = f"due {_minute(s.next_due)}"
    else:
        text = f"due now until {_minute(s.deadline)}"
    return text if s.reason == "first" else f"{s.reason} {text}"


def _open_followups(desk, orders) -> dict[int, list[str]]:
    """Open follow-ups by order (`dissatisfied since ...`), as of now; and, as `followup list`
    does, a completed order whose phone needs checking (`invalid_contact`)."""
    now, ids, out = desk.now_text, [o["id"] for o in orders], {}
    for order_id, reason, since in table.open_followups(desk.conn, ids, now):
        out.setdefault(order_id, []).append(f"{reason} since {_minute(since)}")
    rules = desk.policy.rules
    for o in orders:
        if (o["phone_valid"] != 1 and o["status"] == "completed" and o["service_type"] in rules
                and not any(t.startswith("invalid_contact") for t in out.get(o["id"], []))):
            out.setdefault(o["id"], []).append("invalid_contact")
    return out


def _complaint_text(desk, c, by_phone=False) -> str:
    from callbackctl import complaints

    overdue = (c["replied_at"] is None and c["status"] not in ("resolved", "closed")
               and desk.now > complaints.reply_due(desk, c))
    return f"#{c['id']} {c['status']}" + (" by phone" if by_phone else "") + (" (reply overdue)" if overdue else "")


def _open_complaints(desk, orders) -> dict[int, list[str]]:
    """Complaints not closed, by order: those filed on the order, and those filed by
    phone without an order on the order's phone number."""
    ids = [o["id"] for o in orders]
    phones = sorted({o["phone"] for o in orders if o["phone"]})
    by_phone: dict[str, list[int]] = {}
    for o in orders:
        if o["phone"]:
            by_phone.setdefault(o["phone"], []).append(o["id"])
    out: dict[int, list[str]] = {}
    for c in table.open_complaints(desk.conn, ids, phones, desk.now_text):
        if c["order_id"] is not None:
            out.setdefault(c["order_id"], []).append(_complaint_text(desk, c))
        else:
            for order_id in by_phone.get(c["phone"], []):
                out.setdefault(order_id, []).append(_complaint_text(desk, c, by_phone=True))
    return out


def _complaints_without_order(desk, terms) -> list[dict]:
    """Open complaints filed by phone without an order whose phone or customer matches."""
    rows = []
    for c in table.complaints_without_order(desk.conn, terms, desk.now_text):
        hit_phone = bool(terms.phone or terms.phone_suffix) and _phone_hit(terms, c["phone"])
        rows.append({
            "order_no": None, "customer": c["customer"], "phone": c["phone"], "service_type": None,
            "status": None, "completed_at": None, "region": None, "provider": None, "callback": None,
            "followup": None, "complaint": _complaint_text(desk, c, by_phone=True), "chase": None,
            "matched": "phone" if hit_phone else "customer",
        })
    return rows


def _owed_replies(desk, orders) -> dict[int, list[str]]:
    """The replies owed to callers now, by order (`reply C-3 due by ...`): the callback column
    says them after the order's own callback (contacts.py)."""
    from callbackctl import contacts

    return contacts.owed_for_find(desk, orders)


def _replies_without_order(desk, terms, listed_phones) -> list[dict]:
    """Replies owed on calls about no order whose caller's phone or name matches, as rows of their own
    (but for a phone an order listed shows already)."""
    from callbackctl import contacts

    def matches(phone, customer):
        return ((bool(terms.phone or terms.phone_suffix) and _phone_hit(terms, phone))
                or bool(customer) and any(n.casefold() in customer.casefold() for n in terms.names))

    rows = []
    for r in contacts.owed_without_order(desk, matches):
        if r["phone"] in listed_phones:
            continue
        rows.append({
            "order_no": None, "customer": r["customer"], "phone": r["phone"], "service_type": None, "status": None,
            "completed_at": None, "region": None, "provider": None, "callback": contacts.owed_text(r),
            "followup": None, "complaint": None, "chase": None,
            "matched": "phone" if (terms.phone or terms.phone_suffix) and _phone_hit(terms, r["phone"]) else "customer",
        })
    return rows


def _phone_hit(terms, stored: str | None) -> bool:
    if not stored:
        return False
    main = stored.split(",")[0]
    if terms.phone:
        return stored == terms.phone or ("," not in terms.phone and main == terms.phone)
    return main.endswith(terms.phone_suffix)


def _chases(desk, order_ids: list[int]) -> dict[int, str]:
    """Which of these unfinished orders are on the chase list now: `late since DEADLINE` or
    `no_feedback since DEADLINE`, and how often chased. The chase list's own query, narrowed to
    these orders (a pass over the unfinished orders' index, not over every order)."""
    if not order_ids:
        return {}
    from callbackctl import dispatch

    sql, params = dispatch.chase_query(desk.policy, desk.now, **dispatch.extras(desk))  # a customer's chase too
    sql, params = table.narrowed(sql, params, order_ids)
    out = {}
    for r in dispatch.chase_rows(desk, sql, params):
        text = f"{r['reason']} since {_minute(r['deadline'])}"
        if r["chases"]:
            text += f" (chased {r['chases']}x)"
        out[r["order_id"]] = text
    return out




def completions(desk, typed: str, limit: int = 50) -> list[tuple[str, str]]:
    """Order numbers for the shell to complete `typed` with, and a word on each:
    the due list's first (who, by when), then other stored numbers starting
    with it (the same index ranges as `find`, in the case typed, upper or lower)."""
    typed = typed.strip()
    folded = typed.casefold()
    out = {r["order_no"]: f"{r['customer'] or ''} {r['reason']} {r['deadline'][5:16]}".strip()
           for r in duelist.due(desk) if r["order_no"].casefold().startswith(folded)}
    for v in dict.fromkeys((typed, typed.upper(), typed.lower())) if typed else ():
        for no in table.numbers_from(desk.conn, v, limit):
            out.setdefault(no, "")
    return list(out.items())[:limit]
