"""Recording calls (what happened on each): outcome, the five scores, the authenticity checks (真实性).

A call that finds the customer dissatisfied or the order not genuine, a wrong
number, or the last unanswered attempt opens a follow-up; a head-office spot
check call is compared with the region's answer instead of moving its round.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from callbackctl import claims, clock, contacts, followups, headoffice, normalize, orders
from callbackctl.schedule import RETRY_OUTCOMES, order_schedule
from callbackctl.db import transaction
from callbackctl.errors import CallbackctlError, InvalidValue, NotFound, StateError
from callbackctl.vocab import OUTCOMES, RESPONDENTS, SATISFACTION_LEVELS, SATISFACTION_SENTENCES

SCORES = ("skill", "attitude", "timeliness", "parts", "overall")
RECORD_COLUMNS = ["order_no", "called_at", "outcome", "skill", "attitude", "timeliness", "parts",
                  "overall", "index", "genuine", "discrepancies", "followup", "reason", "call_id"]

_PHRASES = {normalize.header_key(p): level for level, phrases in SATISFACTION_LEVELS.items() for p in phrases}


def satisfaction_level(text: str) -> int:
    """非常满意 / 'very satisfied' / '5' / '5分' -> 5, and so on down to 1."""
    key = normalize.header_key(text)
    found = _PHRASES.get(key[:-1] if key[-1:] == "分" else key)
    if found is None:
        found = next((level for level, sentence in SATISFACTION_SENTENCES.items()
                      if re.match(sentence, key.strip("。.!！"))), None)
    if found is None:
        raise ValueError(
            f"unknown satisfaction {text!r} (use 1-5, 非常满意, 满意, 一般, 不满意, 非常不满意, "
            "or very satisfied, satisfied, neutral, dissatisfied, very dissatisfied)")
    return found




@dataclass
class Call:
    """One call as the agent reports it, before it is checked against the order."""

    order_no: str
    outcome: str
    scores: dict            # field -> 1..5 (only those given)
    satisfaction: str | None = None
    hours: float | None = None
    location: str | None = None
    parts: str | None = None
    fee: float | None = None
    genuine: bool | None = None   # an override
    note: str | None = None
    agent: str | None = None
    callback_at: dt.datetime | None = None
    called_at: dt.datetime | None = None
    kept: dict | None = None      # a call log's columns that name no field, kept in the audit log
    no_rating: str | None = None  # why a reached customer gave no rating (declined, no time)
    respondent: str | None = None  # who answered: on_site, aware, other (受访人)
    arrived: dt.datetime | None = None   # the engineer's arrival, as the customer tells it
    finished: dt.datetime | None = None  # and the finish
    recording: str | None = None  # the call recording's id or file (录音)
    suggestion: str | None = None  # the customer's suggestions and needs (用户建议)


def validate(call: Call) -> dict:
    """The five scores, those not given filled from the satisfaction phrase; InvalidValue on a bad value."""
    if call.outcome not in OUTCOMES:
        raise InvalidValue(f"unknown outcome {call.outcome!r} (use {', '.join(OUTCOMES)})", usage=True)
    for name, value in (("hours", call.hours), ("fee", call.fee)):
        if value is not None and not -normalize.LARGEST < value < normalize.LARGEST:  # also NaN and infinity
            raise InvalidValue(f"{value!r} is not a {'number of hours' if name == 'hours' else 'fee'}", field=name)
    scores = dict(call.scores)
    for name, value in scores.items():
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            raise InvalidValue(f"{value!r} is not a score from 1 to 5", field=name)
    if call.satisfaction is not None:
        try:
            level = satisfaction_level(str(call.satisfaction))
        except ValueError as e:
            raise InvalidValue(str(e), field="satisfaction") from None
        for name in SCORES:
            scores.setdefault(name, level)
    if call.respondent is not None and call.respondent not in RESPONDENTS:
        raise InvalidValue(f"unknown respondent {call.respondent!r} (use {', '.join(RESPONDENTS)})", field="respondent")
    if call.respondent == "other" and (scores or call.satisfaction):
        raise InvalidValue("scores come from someone on site or who knows the service (not other): the callback "
                           "stays due", usage=True)
    if (scores or call.satisfaction) and call.outcome != "reached":
        raise InvalidValue(f"scores are for a reached call (not {call.outcome})", usage=True)
    if call.outcome == "reached" and call.respondent != "other" and not scores and not (call.no_rating or "").strip():
        raise InvalidValue("a reached call needs the customer's rating (the scores or a satisfaction phrase), "
                           "or the reason there is none (no_rating)", usage=True)
    return scores


def checks(order: dict, call: Call, tolerance: float, per_day: float = 0.0, called_at=None,
           time_tolerance: dt.timedelta = dt.timedelta(hours=2)) -> list[str]:
    """What the customer said that does not match the order (真实性).

    The hours reading may have grown since the service: by up to `per_day` for each
    whole day from completion to the call, on top of `tolerance` either way."""
    found = []
    if call.hours is not None and order.get("machine_hours") is not None:
        days = 0
        if called_at is not None and order.get("completed_at"):
            days = max(0, (called_at - clock.parse(order["completed_at"])).days)
        low, high = order["machine_hours"] - tolerance, order["machine_hours"] + tolerance + per_day * days
        if not low <= call.hours <= high:
            found.append(f"hours: customer reads {normalize.plain(call.hours)}, order has {normalize.plain(order['machine_hours'])}")
    if call.location and order.get("location"):
        said, have = _squash(call.location), _squash(order["location"])
        if said not in have and have not in said:
            found.append(f"location: customer says {call.location!r}, order has {order['location']!r}")
    if call.parts is not None and order.get("parts_replaced") is not None:
        if normalize.parts(call.parts) != normalize.parts(order["parts_replaced"]):
            found.append(f"parts: customer says {call.parts!r}, order has {order['parts_replaced']!r}")
    if call.fee is not None and order.get("fee") is not None:
        if abs(call.fee - order["fee"]) > 0.005:
            found.append(f"fee: customer paid {normalize.plain(call.fee)}, order has {normalize.plain(order['fee'])}")
    for word, said, column in (("arrival", call.arrived, "arrived_at"), ("finish", call.finished, "completed_at")):
        if said is not None and order.get(column) and abs(said - clock.parse(order[column])) > time_tolerance:
            found.append(f"{word}: customer says {clock.fmt(said)[:16]}, order has {order[column][:16]}")
    return found


def _squash(text):
    return "".join(str(text).lower().split())


def record(desk, call: Call) -> dict:
    """Record one call in its own transaction; returns the output row."""
    with transaction(desk.conn):
        return record_in_transaction(desk, call)


def record_in_transaction(desk, call: Call) -> dict:
    if contacts.is_key(call.order_no):  # a reply owed to an inbound call (C-12): contacts.py stores it
        return _record_reply(desk, call)
    scores = validate(call)
    called = call.called_at or desk.now
    if call.callback_at is not None and call.callback_at <= called:  # "call me at 9", said at 10
        raise InvalidValue(f"{clock.fmt(call.callback_at)} is not after the call ({clock.fmt(called)}): "
                           "a promised call-back comes later", field="callback_at")
    if _recurring_key(call.order_no):
        return _record_recurring(desk, call, scores)
    conn, policy = desk.conn, desk.policy
    order, sched = order_schedule(desk, call.order_no)
    if order["status"] != "completed":
        raise StateError(f"order {call.order_no} is {order['status']}: callbacks are for completed orders")
    spot = headoffice.open_spot_check(conn, order["id"])
    if spot is None and sched is not None and sched.closed:
        raise StateError(
            f"order {call.order_no}: the callback of round {sched.round} is finished "
            f"({sched.last_outcome}); record a second visit with `followup done` first"
        )
    called_at = call.called_at or desk.now
    for name, said in (("arrived", call.arrived), ("finished", call.finished)):
        if said is not None and said > called_at:
            raise InvalidValue(f"{clock.fmt(said)} is after the call ({clock.fmt(called_at)}): give the service's "
                               "day too, as 11-17 10:45", field=name)
    started = max(filter(None, (order["completed_at"], sched and sched.start, sched and sched.verified)), default=None)
    clock.not_before(clock.fmt(called_at), started, f"order {order['order_no']}",
                     "verified" if sched and sched.verified == started else "completed" if started == order["completed_at"]
                     else "second visit")
    early = (sched is not None and not spot and sched.reason in ("retry", "promised") and called_at < sched.next_due)
    rnd = sched.round if sched else 1 + order["visits"]
    reason = "spot_check" if spot else (sched.reason if sched else ("first" if rnd == 1 else "second"))
    # A call at the time the customer asked for is no attempt (schedule._state counts them alike).
    attempts = (sched.attempts if sched else order["attempts"]) + (reason != "promised")

    note = "; ".join(filter(None, (f"no rating: {call.no_rating.strip()}" if call.no_rating else None, call.note))) or None
    _required(call, policy)
    call.outcome = stored_outcome(call)
    discrepancies = (checks(order, call, policy.hours_tolerance, policy.hours_per_day, called_at,
                            policy.time_tolerance.delta) if call.outcome == "reached" else [])
    checked = any(v is not None for v in (call.hours, call.location, call.parts, call.fee, call.arrived,
                                          call.finished))
    genuine = call.genuine if call.genuine is not None else (not discrepancies if checked else None)
    opened, index, closes = _outcome_effects(desk, call, scores, attempts, order["phone"], genuine, discrepancies,
                                             spot=bool(spot))

    cur = conn.execute(
        "INSERT INTO callbacks (order_id, called_at, round, reason, outcome, skill, attitude, timeliness, parts, "
        "overall, satisfaction, genuine, discrepancies, said_hours, said_location, said_parts, said_fee, "
        "callback_at, closes, agent, note, spot_check_id, respondent, said_arrived, said_finished, recording, "
        "suggestion, lowest) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (order["id"], clock.fmt(called_at), rnd, reason, call.outcome,
         *(scores.get(s) for s in SCORES), index, None if genuine is None else int(genuine),
         json.dumps(discrepancies, ensure_ascii=False) if discrepancies else None,
         call.hours, call.location, call.parts, call.fee,
         clock.fmt(call.callback_at) if call.callback_at else None, int(bool(closes)),
         call.agent or desk.actor, note, spot["id"] if spot else None, call.respondent,
         clock.fmt(call.arrived), clock.fmt(call.finished), _text(call.recording), _text(call.suggestion),
         min(scores.values()) if scores else None),
    )
    if spot and call.outcome == "reached":
        headoffice.answer_spot_check(conn, spot, cur.lastrowid, index, genuine, policy)
    for why, detail in opened:
        followups.hand_back(conn, order["id"], why, rnd, clock.fmt(called_at), cur.lastrowid, detail)
    if call.outcome == "wrong_number" and order["phone_valid"] != 0:
        orders.mark_phone_invalid(conn, order["id"])
    if call.outcome == "reached" and not opened and rnd > 1 and not spot:
        followups.resolve_visited(conn, order["id"], clock.fmt(called_at))
    claims.end_on_call(conn, order["order_no"])
    out = {
        "order_no": order["order_no"], "called_at": clock.fmt(called_at), "outcome": call.outcome,
        **{s: scores.get(s) for s in SCORES}, "index": index, "genuine": genuine,
        "discrepancies": discrepancies, "followup": ", ".join(w for w, _ in opened) or None, "reason": reason,
        "call_id": cur.lastrowid,
    }
    desk.log("callback_recorded", order["order_no"], {**out, "round": rnd, "agent": call.agent or desk.actor,
                                                     "note": note, "callback_at": clock.fmt(call.callback_at),
                                                     "respondent": call.respondent,
                                                     "said_arrived": clock.fmt(call.arrived),
                                                     "said_finished": clock.fmt(call.finished),
                                                     "recording": _text(call.recording),
                                                     "suggestion": _text(call.suggestion),
                                                     "columns": call.kept},
             actor=call.agent)
    if call.respondent == "other" and call.outcome == "wrong_person":
        out.setdefault("warnings", []).append(
            f"{order['order_no']}: who answered was neither on site nor aware of the service: kept as not reached "
            "(wrong_person); the callback stays due")
    if early:  # not refused: the customer may have called in, or the agent had a moment
        out.setdefault("warnings", []).append(f"{order['order_no']}: called at {clock.fmt(called_at)}, before the "
                                              f"{sched.reason} was due ({clock.fmt(sched.next_due)})")
    return out


def _required(call: Call, policy):
    """What the desk's policy asks of a reached call: who answered, the recording."""
    if call.outcome != "reached":
        return
    if policy.respondent_required and not call.respondent:
        raise InvalidValue("this desk records who answered a reached call (受访人): give --respondent on_site, "
                           "aware or other", field="respondent")
    if policy.recording_required and not _text(call.recording):
        raise InvalidValue("this desk keeps each reached call's recording (录音): give --recording REF",
                           field="recording")


def _text(value) -> str | None:
    return str(value).strip() or None if value is not None else None


def _record_reply(desk, call: Call) -> dict:
    """A call on a reply owed to an inbound call (C-...): not rated, no order to check."""
    if (call.scores or call.satisfaction or call.genuine is not None
            or any(v is not None for v in (call.hours, call.location, call.parts, call.fee))):
        raise InvalidValue(f"{call.order_no.strip()}: a reply to an inbound call is not rated and has no service "
                           "to check: give the outcome and a note", usage=True)
    return contacts.record_call(desk, call.order_no, call.outcome, note=call.note, agent=call.agent,
                                callback_at=call.callback_at, called_at=call.called_at)


def _recurring_key(text) -> bool:
    return str(text).strip()[:2].upper() == "R-"  # recurring.is_key, without importing it for orders


def _outcome_effects(desk, call, scores, attempts, phone, genuine=None, discrepancies=(), spot=False):
    """What a call opens and whether it closes its round, for an order's call and a
    customer's alike: ([(follow-up reason, detail)], the index, closes)."""
    policy = desk.policy
    index = round(sum(scores.values()) / len(scores), 2) if scores else None
    dissatisfied = bool(scores) and (index < policy.dissatisfied_below or min(scores.values()) <= 2)
    opened = []
    if dissatisfied:
        opened.append(("dissatisfied", f"index {index}, scores " + ", ".join(f"{k} {scores[k]}" for k in SCORES if k in scores)))
    if genuine is False:
        opened.append(("not_genuine", "; ".join(discrepancies) or "marked not genuine"))
    if call.outcome == "wrong_number":
        opened.append(("invalid_contact", f"wrong number {phone}"))
    # Head office's spot-check calls never move the region's own round.
    unreachable = (not spot and call.outcome in RETRY_OUTCOMES and not call.callback_at
                   and attempts >= policy.max_attempts)
    if unreachable:
        opened.append(("unreachable", f"{attempts} attempts, last {call.outcome}"))
    closes = not spot and (call.outcome in ("reached", "refused", "wrong_number") and not call.callback_at or unreachable)
    return opened, index, closes


def _record_recurring(desk, call: Call, scores: dict) -> dict:
    """A call on a customer's recurring callback (R-...): stored in recurring_calls."""
    from callbackctl import customers, recurring

    if any(v is not None for v in (call.hours, call.location, call.parts, call.fee, call.arrived, call.finished)) \
            or call.genuine is not None:
        raise InvalidValue(f"{call.order_no.strip()}: a recurring callback is about the customer, not an order: "
                           "there is no order to check hours, location, parts, fee or times against", usage=True)
    if _text(call.recording) or _text(call.suggestion):
        raise InvalidValue(f"{call.order_no.strip()}: a recurring callback keeps no recording or suggestion yet: "
                           "put them in --note", usage=True)
    _required(call, desk.policy)
    call.outcome = stored_outcome(call)
    conn = desk.conn
    customer, cb = recurring.lookup(desk, call.order_no)
    key = cb.key if cb else recurring.resolve(conn, call.order_no)[1]
    if cb is None:
        raise StateError(f"{key}: no recurring callback of {customer['key']} under this key "
                         f"(its next is {recurring.next_key(desk, customer) or 'none'})")
    if cb.closed:
        raise StateError(f"{key}: the recurring callback is finished ({cb.last_outcome})")
    called_at = call.called_at or desk.now
    if called_at > cb.give_up_at(desk.policy):
        raise StateError(f"{key}: the recurring callback was given up at {clock.fmt(cb.give_up_at(desk.policy))}")
    early = cb.kind in ("retry", "promised") and called_at < cb.next_due
    attempts = cb.attempts + (cb.kind != "promised")  # as an order's: a promised call is no attempt
    opened, index, closes = _outcome_effects(desk, call, scores, attempts, customer["phone"])
    note = "; ".join(filter(None, (f"no rating: {call.no_rating.strip()}" if call.no_rating else None, call.note))) or None
    cur = conn.execute(
        "INSERT INTO recurring_calls (customer_id, key, reason, round, due_on, called_at, outcome, skill, attitude, "
        "timeliness, parts, overall, satisfaction, callback_at, closes, agent, note) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (customer["id"], key, cb.reason, cb.round, cb.due_on.isoformat(), clock.fmt(called_at), call.outcome,
         *(scores.get(s) for s in SCORES), index, clock.fmt(call.callback_at) if call.callback_at else None,
         int(bool(closes)), call.agent or desk.actor, note),
    )
    for why, detail in opened:
        followups.hand_back_customer(conn, customer["id"], key, why, cb.round, clock.fmt(called_at), cur.lastrowid,
                                     detail)
    if call.outcome == "wrong_number":
        customers.mark_phone_invalid(conn, customer["id"])
    if call.outcome == "reached" and not opened and cb.round > 1:
        followups.resolve_visited_customer(conn, customer["id"], key, clock.fmt(called_at))
    claims.end_on_call(conn, key)
    out = {
        "order_no": key, "called_at": clock.fmt(called_at), "outcome": call.outcome,
        **{s: scores.get(s) for s in SCORES}, "index": index, "genuine": None, "discrepancies": [],
        "followup": ", ".join(w for w, _ in opened) or None, "reason": cb.reason, "call_id": f"R{cur.lastrowid}",
    }
    desk.log("callback_recorded", key, {**out, "round": cb.round, "agent": call.agent or desk.actor, "note": note,
                                        "callback_at": clock.fmt(call.callback_at), "columns": call.kept},
             actor=call.agent)
    if early:
        out["warnings"] = [f"{key}: called at {clock.fmt(called_at)}, before the {cb.kind} was due "
                           f"({clock.fmt(cb.next_due)})"]
    return out


# -- a batch of calls from a file ---------------------------------------------

class CallColumns:
    """How a call log's headers map to the fields of a call: once per header row.

    Headers may be any alias in vocab.CALL_COLUMNS, with a note written in them,
    or a desk's own (`columns`, from --map). Where two name the same field, the
    first that is filled wins, as in an import; headers that name no field are
    kept with the call (in its audit event) and listed in `unknown`.
    """

    def __init__(self, columns=None):
        self._columns = normalize.own_columns(columns)
        self._plans, self.unknown = {}, normalize.Unmatched()

    def plan(self, headers):
        plan = self._plans.get(tuple(headers))
        if plan is None:
            plan = self._plans[tuple(headers)] = [self._field(h) for h in headers]
        return plan

    def is_header(self, cells) -> bool:
        """A call log's header row names the order number (title lines may stand above it)."""
        return any(self._field(c, note=False) == "order_no" for c in cells)

    def _field(self, header, note=True):
        name = normalize.field_of(header, self._columns, normalize.CALL_HEADER_MAP)
        if name is None and note:
            self.unknown.note(header)
        return name


def call_from_row(desk, row: dict, columns: CallColumns | None = None, date_order=None) -> Call:
    """A row of `record --from` as a Call; ValueError names the bad column."""
    columns = columns or CallColumns()
    data, label, kept = {}, {}, {}
    for (header, value), name in zip(row.items(), columns.plan(list(row))):
        value = value.strip() if isinstance(value, str) else value
        if name is None:
            if value not in ("", None):
                kept[header] = value
        elif data.get(name) in ("", None):
            data[name] = value
            # errors name the column as the file does, as an import's do
            label[name] = name if normalize.header_key(header) == normalize.header_key(name) else f"{header} ({name})"

    def get(name):
        value = data.get(name)
        return None if value in ("", None) else value

    def num(name, conv=float):
        v = get(name)
        if v is None:
            return None
        try:
            return conv(normalize.number(str(v)))
        except ValueError:
            raise ValueError(f"{label[name]}: not a number: {v!r}") from None

    def when(name):
        v = get(name)
        if v is None:
            return None
        try:
            return clock.when(str(v), desk.now, desk.tz, date_order)
        except ValueError as e:
            raise ValueError(f"{label[name]}: {e}") from None

    if get("order_no") is None:
        raise ValueError("order_no is empty")
    if get("outcome") is None:
        raise ValueError("outcome is empty")
    scores = {}
    for name in SCORES:
        v = num(name)
        if v is not None:
            if not float(v).is_integer():
                raise ValueError(f"{label[name]}: {v} is not a score from 1 to 5")
            scores[name] = int(v)
    genuine = get("genuine")
    said = get("respondent")
    try:
        respondent = normalize.respondent(str(said)) if said is not None else None
    except ValueError as e:
        raise ValueError(f"{label['respondent']}: {e}") from None
    called_at = when("called_at")
    if called_at is not None and called_at > desk.now:
        raise ValueError(f"{label['called_at']}: {clock.fmt(called_at)} is later than now ({desk.now_text})")
    return Call(
        order_no=str(get("order_no")).strip(), outcome=normalize.outcome(get("outcome")), scores=scores,
        satisfaction=get("satisfaction"), hours=num("hours"), location=get("location"),
        parts=get("parts_replaced"), fee=num("fee"),
        genuine=None if genuine is None else normalize.boolean(str(genuine)),
        note=get("note"), agent=get("agent"), callback_at=when("callback_at"), called_at=called_at, kept=kept,
        no_rating=get("no_rating"), respondent=respondent, arrived=when("arrived"), finished=when("finished"),
        recording=get("recording"), suggestion=get("suggestion"),
    )


def stored_outcome(call: Call) -> str:
    """The outcome a call is stored with: a reached call answered by someone neither on site
    nor aware of the service (受访人 other) is not reached: wrong_person, the callback stays due."""
    return "wrong_person" if call.outcome == "reached" and call.respondent == "other" else call.outcome


def already_recorded(desk, call: Call) -> bool:
    """The same call is in the desk already: its order, time and outcome (a file given twice)."""
    call.outcome = stored_outcome(call)
    if contacts.is_key(call.order_no):
        return contacts.already_called(desk, call.order_no, call.called_at, call.outcome)
    if _recurring_key(call.order_no):
        from callbackctl import recurring

        try:
            _, key = recurring.resolve(desk.conn, call.order_no)
        except CallbackctlError:
            return False
        return desk.conn.execute("SELECT 1 FROM recurring_calls WHERE key = ? AND called_at = ? AND outcome = ? LIMIT 1",
                                 (key, clock.fmt(call.called_at or desk.now), call.outcome)).fetchone() is not None
    try:
        order_no = orders.number(desk.conn, call.order_no)
    except CallbackctlError:
        return False  # recording it says why
    return desk.conn.execute(
        "SELECT 1 FROM callbacks c JOIN orders o ON o.id = c.order_id "
        "WHERE o.order_no = ? AND c.called_at = ? AND c.outcome = ? LIMIT 1",
        (order_no, clock.fmt(call.called_at or desk.now), call.outcome)).fetchone() is not None


def record_file(desk, path: str, encoding="auto", input_format=None, delimiter=None, sheet=None,
                columns=None, date_order=None):
    """Record every valid row of a file in one transaction.

    Returns (recorded rows, the batch's Summary). A rejected row is kept whole
    with its reason, like an import's; a row that fails leaves no trace; a
    call recorded before (the same file again) is counted unchanged.
    """
    from callbackctl import batches
    from callbackctl.errors import CallbackctlError
    from callbackctl.readers import open_input

    mapping, done = CallColumns(columns), []
    source = open_input(path, encoding, input_format, is_header=mapping.is_header, delimiter=delimiter, sheet=sheet)

    def write_chunk(rows, summary, write):
        rejects = []
        for line, row in rows:
            raw = batches.raw_row(source, row)
            try:
                if not isinstance(row, (list, dict)):
                    raise ValueError("not a JSON object")
                call = call_from_row(desk, raw, mapping, date_order)
                if already_recorded(desk, call):
                    summary.unchanged += 1
                    continue
                with transaction(desk.conn):
                    done.append(record_in_transaction(desk, call))
                summary.inserted += 1
            except InvalidValue as e:
                rejects.append((line, f"{e.field}: {e}" if e.field else str(e), raw))
            except (ValueError, CallbackctlError) as e:
                rejects.append((line, str(e), raw))
        return rejects

    try:
        summary = batches.run(desk, source, write_chunk, kind="calls/")
        summary.unknown = mapping.unknown
    finally:
        source.close()
    return done, summary


def call_id(text) -> int | str:
    """A CALL_ID as typed: an order call's number, or R and the number of a recurring call's."""
    typed = str(text).strip()
    if typed.isdigit():
        return int(typed)
    if typed[:1] in "Rr" and typed[1:].isdigit():
        return "R" + typed[1:]
    raise InvalidValue(f"{typed!r} is not a call id (a number, or R and a number for a recurring call, "
                       "as record prints it and show lists it)", field="call_id")


def void(desk, call_id, reason: str) -> dict:
    """Void a call entered by mistake: it counts nowhere from now on, and is kept.

    Its outcome becomes 'voided' and it no longer closes its round (m013); the
    follow-ups it opened are withdrawn. Returns the call as it was, with
    `voided_before` set when it was voided already (the command run twice).
    A recurring call (`R12`) is voided in its own row, which keeps what it was.
    """
    if not reason or not reason.strip():
        raise InvalidValue("voiding a call needs its reason", field="reason")
    if isinstance(call_id, str):
        return _void_recurring(desk, int(call_id[1:]), reason.strip())
    conn = desk.conn
    with transaction(conn):
        row = conn.execute("SELECT c.*, o.order_no FROM callbacks c JOIN orders o ON o.id = c.order_id WHERE c.id = ?",
                           (call_id,)).fetchone()
        if row is None:
            raise NotFound(f"unknown call {call_id}")
        call = dict(row)
        if call["outcome"] == "voided":
            at = conn.execute("SELECT voided_at FROM voided_calls WHERE call_id = ?", (call_id,)).fetchone()
            return {**call, "voided_before": at[0] if at else "?"}
        if headoffice.spot_check_of_call(conn, call_id):
            raise StateError(f"call {call_id} is part of a head-office spot check: it cannot be voided")
        clock.not_before(desk.now_text, call["called_at"], f"call {call_id}", "called")
        withdrawn = followups.withdraw(conn, call_id)
        conn.execute("UPDATE callbacks SET outcome = 'voided', closes = 0 WHERE id = ?", (call_id,))
        kept = {**call, "followups": withdrawn}
        conn.execute("INSERT INTO voided_calls (call_id, order_id, voided_at, voided_by, reason, call) "
                     "VALUES (?, ?, ?, ?, ?, ?)", (call_id, call["order_id"], desk.now_text, desk.actor,
                                                   reason.strip(), json.dumps(kept, ensure_ascii=False)))
        desk.log("call_voided", call["order_no"], {"call": call_id, "reason": reason.strip(),
                                                   "called_at": call["called_at"], "outcome": call["outcome"],
                                                   "followups": [f["reason"] for f in withdrawn]})
    return {**call, "voided_before": None}


def _void_recurring(desk, number: int, reason: str) -> dict:
    conn = desk.conn
    with transaction(conn):
        row = conn.execute("SELECT * FROM recurring_calls WHERE id = ?", (number,)).fetchone()
        if row is None:
            raise NotFound(f"unknown call R{number}")
        call = {**dict(row), "order_no": row["key"]}
        if call["voided_at"]:
            return {**call, "outcome": call["voided_outcome"], "voided_before": call["voided_at"]}
        clock.not_before(desk.now_text, call["called_at"], f"call R{number}", "called")
        withdrawn = followups.withdraw_customer(conn, number)
        conn.execute("UPDATE recurring_calls SET outcome = 'voided', closes = 0, voided_at = ?, voided_by = ?, "
                     "void_reason = ?, voided_outcome = ? WHERE id = ?",
                     (desk.now_text, desk.actor, reason, call["outcome"], number))
        desk.log("call_voided", call["key"], {"call": f"R{number}", "reason": reason, "called_at": call["called_at"],
                                             "outcome": call["outcome"], "followups": [f["reason"] for f in withdrawn]})
    return {**call, "voided_before": None}


def recurring_calls_of(desk, customer_id: int) -> list[dict]:
    """A customer's recurring calls for `show`, each under its callback's key; a voided one says so."""
    rows = []
    for r in desk.conn.execute(
        "SELECT 'R' || id AS call_id, key, called_at, round, reason, outcome, skill, attitude, timeliness, parts, "
        "overall, satisfaction AS 'index', callback_at, agent, note, voided_at, voided_by, void_reason, voided_outcome "
        "FROM recurring_calls WHERE customer_id = ? ORDER BY called_at, id", (customer_id,)):
        row = dict(r)
        voided = [row.pop(k) for k in ("voided_at", "voided_by", "void_reason", "voided_outcome")]
        if voided[0]:
            row["note"] = "; ".join(filter(None, (
                f"voided {voided[0]} by {voided[1]}: {voided[2]} (was {voided[3]})", row["note"])))
        rows.append(row)
    return rows


def calls_of(desk, order) -> list[dict]:
    """An order's calls for `show`; a voided one says when, by whom, why, and what it was."""
    rows = []
    for r in desk.conn.execute(
        "SELECT c.id AS call_id, c.called_at, c.round, c.reason, c.outcome, c.skill, c.attitude, c.timeliness, "
        "c.parts, c.overall, c.satisfaction AS 'index', c.genuine, c.discrepancies, c.callback_at, c.agent, c.note, "
        "c.respondent, c.recording, c.suggestion, v.voided_at, v.voided_by, v.reason AS void_reason, json_extract(v.call, '$.outcome') AS was "
        "FROM callbacks c LEFT JOIN voided_calls v ON v.call_id = c.id WHERE c.order_id = ? ORDER BY c.called_at, c.id",
        (order["id"],),
    ):
        row = dict(r)
        voided = [row.pop(k) for k in ("voided_at", "voided_by", "void_reason", "was")]
        if voided[0]:
            row["note"] = "; ".join(filter(None, (
                f"voided {voided[0]} by {voided[1]}: {voided[2]} (was {voided[3]})", row["note"])))
        rows.append(normalize.present(row))
    return rows

