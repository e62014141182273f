"""The detail forms head office reviews, one row each (seed 002 item 9, seed 003 2.4.4 and 2.6.1).

- not-genuine (不属实报表), dissatisfied (用户不满意报表), bad-contact (电话资料错误报表):
  one row per order whose region's call in the period found it so: the first such call,
  who answered, what was found, and the follow-up it opened as it stands now;
- provider-monthly (服务量与维修明细): per provider and engineer, the orders completed in
  the period by service type, with the repairs listed apart (repairs_of);
- complaints-monthly (用户投诉报表): the complaints received in the period, by provider.

As the reports, as of the desk's now: calls made and complaints received by now, voided
calls and head office's spot-check calls never. `reports.call_flags` decides which calls
are dissatisfied, so the list and the report's calls_dissatisfied are the same calls.
"""

from __future__ import annotations

import json

from callbackctl import clock, db, reports
from callbackctl.vocab import REPAIR_TYPES, REVIEW_NAMES

CALL_LISTS = REVIEW_NAMES[:3]

CALL_COLUMNS = ["order_no", "customer", "phone", "region", "category", "product", "provider", "engineer",
                "service_type", "completed_at", "called_at", "agent", "respondent", "outcome", "index", "found",
                "followup", "followup_state", "followup_at"]
# the follow-up each list's finding opens (calls._outcome_effects)
_REASONS = {"not-genuine": "not_genuine", "dissatisfied": "dissatisfied", "bad-contact": "invalid_contact"}
_SCORES = ("skill", "attitude", "timeliness", "parts", "overall")

VOLUME_COLUMNS = ["provider", "engineer", "orders_completed", "install", "repair", "maintenance", "other",
                  "second_visits", "complaints"]
REPAIR_COLUMNS = ["provider", "engineer", "order_no", "customer", "product", "service_type", "reported_at",
                  "completed_at", "fault", "parts_replaced", "fee"]
COMPLAINT_COLUMNS = ["provider", "engineer", "id", "order_no", "customer", "phone", "against", "target", "severity",
                     "status", "received_at", "replied_at", "resolved_at", "text"]


def calls_found(desk, name: str, first=None, last=None, region=None, product=None, category=None) -> list[dict]:
    """The list `name` (CALL_LISTS) of the calls made from `first` to `last`."""
    flag = {"not-genuine": "c.outcome = 'reached' AND c.genuine = 0",
            "dissatisfied": dict(reports.call_flags(desk.policy))["calls_dissatisfied"],
            "bad-contact": "c.outcome IN ('wrong_number', 'wrong_person')"}[name]
    lo, hi = clock.day_range(first, last)
    where = reports.Filter(region, product, category)
    params = {"lo": lo, "hi": hi, "now": desk.now_text, "reason": _REASONS[name], **where.params}
    rows = desk.conn.execute(f"""
        SELECT o.order_no, o.customer, o.phone, o.region, o.category, o.product, o.provider, o.engineer,
               o.service_type, o.completed_at, c.called_at, c.agent, c.respondent, c.outcome, c.satisfaction AS "index",
               c.discrepancies, c.note, {", ".join(f"c.{s}" for s in _SCORES)},
               f.since, f.done_at, f.resolved_at, f.verified_at
        FROM callbacks c JOIN orders o ON o.id = c.order_id
        LEFT JOIN followups f ON f.callback_id = c.id AND f.reason = :reason AND f.since <= :now
        WHERE {reports.CALLS_IN_RANGE} AND {flag}{where.sql}
        ORDER BY c.called_at, c.id""", params).fetchall()
    out, seen = [], set()
    for r in rows:
        if r["order_no"] in seen:  # the first call that found it
            continue
        seen.add(r["order_no"])
        row = {c: r[c] for c in CALL_COLUMNS if c in r.keys()}
        row["_found"] = _found(name, r)  # the parts, for a form to say in its language
        row["found"] = found_text(row["_found"])
        row["followup"] = _REASONS[name] if r["since"] else None
        row["followup_state"], row["followup_at"] = _state(r, desk.now_text)
        out.append(row)
    return out


def _found(name, r) -> list[tuple]:
    """What the call found, as parts: the differences from the order (text), the scores
    (score, name, value), the outcome (word), and the agent's note (text)."""
    said = [("text", r["note"])] if r["note"] else []
    if name == "not-genuine":
        return [("text", d) for d in json.loads(r["discrepancies"] or "[]")] + said
    if name == "dissatisfied":
        return [("score", s, r[s]) for s in _SCORES if r[s] is not None] + said
    return [("word", r["outcome"])] + said


def found_text(parts, word=str, title=str) -> str | None:
    """The parts of _found as one text: "skill 2, attitude 3; 客户说…", the outcome and scores'
    names through `word` and `title` (a form's language); None when nothing was found."""
    scores = ", ".join(f"{title(p[1])} {p[2]}" for p in parts if p[0] == "score")
    texts = [word(p[1]) if p[0] == "word" else p[1] for p in parts if p[0] != "score"]
    return "; ".join(([scores] if scores else []) + texts) or None


def _state(r, now) -> tuple[str | None, str | None]:
    """The follow-up as it stands at now: open, visited (the second visit made), resolved or verified."""
    if r["since"] is None:
        return None, None
    for state, at in (("resolved", r["resolved_at"]), ("verified", r["verified_at"]), ("visited", r["done_at"])):
        if at is not None and at <= now:
            return state, at
    return "open", r["since"]


def service_volume(desk, first=None, last=None, region=None, product=None, category=None) -> list[dict]:
    """服务量: per provider and engineer, the orders completed in the period by type, their
    second visits (follow-ups visited by now) and the complaints received against them."""
    lo, hi = clock.day_range(first, last)
    where = reports.Filter(region, product, category)
    repairs = ", ".join(map(db.literal, REPAIR_TYPES))
    rows = desk.conn.execute(f"""
        SELECT o.provider, o.engineer, count(*) AS orders_completed,
               sum(o.service_type = 'install') AS install, sum(o.service_type IN ({repairs})) AS repair,
               sum(o.service_type = 'maintenance') AS maintenance,
               sum(o.service_type NOT IN ('install', 'maintenance', {repairs})) AS other,
               sum(EXISTS (SELECT 1 FROM followups f WHERE f.order_id = o.id AND f.done_at <= :now)) AS second_visits,
               sum((SELECT count(*) FROM complaints k WHERE k.order_id = o.id AND k.against != 'agent'
                    AND k.received_at <= :now)) AS complaints
        FROM orders o
        WHERE o.completed_at >= :lo AND o.completed_at < :hi AND o.completed_at <= :now
          AND o.status = 'completed'{where.sql}
        GROUP BY 1, 2 ORDER BY o.provider IS NULL, o.provider, o.engineer IS NULL, o.engineer""",
        {"lo": lo, "hi": hi, "now": desk.now_text, **where.params})
    return [dict(r) for r in rows]


def repairs_of(desk, first=None, last=None, region=None, product=None, category=None) -> list[dict]:
    """维修明细: the repairs completed in the period, by provider and engineer, with the fault
    (a dealer's 故障 column, kept with the order) and the parts replaced."""
    lo, hi = clock.day_range(first, last)
    where = reports.Filter(region, product, category)
    fault = reports.fault_sql()
    repairs = ", ".join(map(db.literal, REPAIR_TYPES))
    rows = desk.conn.execute(f"""
        SELECT o.provider, o.engineer, o.order_no, o.customer, o.product, o.service_type, o.reported_at,
               o.completed_at, {fault} AS fault, o.parts_replaced, o.fee
        FROM orders o
        WHERE o.completed_at >= :lo AND o.completed_at < :hi AND o.completed_at <= :now
          AND o.status = 'completed' AND o.service_type IN ({repairs}){where.sql}
        ORDER BY o.provider IS NULL, o.provider, o.engineer IS NULL, o.engineer, o.completed_at, o.order_no""",
        {"lo": lo, "hi": hi, "now": desk.now_text, **where.params})
    return [dict(r) for r in rows]


def complaints_of(desk, first=None, last=None, region=None, product=None, category=None) -> list[dict]:
    """用户投诉报表: the complaints received in the period, by the provider of their order, as they
    stand at now (complaints.as_of); one against a desk agent is the desk's, of no provider."""
    from callbackctl import complaints

    lo, hi = clock.day_range(first, last)
    where = reports.Filter(region, product, category)
    rows = [dict(r) for r in desk.conn.execute(f"""
        SELECT CASE WHEN c.against = 'agent' THEN NULL ELSE o.provider END AS provider,
               CASE WHEN c.against = 'agent' THEN NULL ELSE o.engineer END AS engineer, c.*, o.order_no
        FROM complaints c LEFT JOIN orders o ON o.id = c.order_id
        WHERE c.received_at >= :lo AND c.received_at < :hi AND c.received_at <= :now{where.sql}""",
        {"lo": lo, "hi": hi, "now": desk.now_text, **where.params})]
    rows = complaints.as_of(desk, rows) if rows else []
    rows.sort(key=lambda c: (c["provider"] is None, c["provider"] or "", c["engineer"] or "", c["received_at"], c["id"]))
    return [{k: c[k] for k in COMPLAINT_COLUMNS} for c in rows]


def sections(desk, name: str, first=None, last=None, **keep) -> list[tuple]:
    """The detail form `name` as its sections: (what it is, as forms.SECTION_TITLES names it, or
    None; columns; rows)."""
    if name in CALL_LISTS:
        return [(None, CALL_COLUMNS, calls_found(desk, name, first, last, **keep))]
    if name == "provider-monthly":
        return [("volume", VOLUME_COLUMNS, service_volume(desk, first, last, **keep)),
                ("repairs", REPAIR_COLUMNS, repairs_of(desk, first, last, **keep))]
    return [(None, COMPLAINT_COLUMNS, complaints_of(desk, first, last, **keep))]
