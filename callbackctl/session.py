"""An agent's calling session (`work`), apart from the terminal: claim the next
callback, gather its card, record the call through calls.record, skip, end.

Each step is its own short transaction, so an agent who walks away holds one
claim at most, and it lapses after callback.claim_for.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from callbackctl import calls, claims, clock, duelist, orders, script as script_mod
from callbackctl.store import customers as store_customers


@dataclass
class Card:
    due: dict              # the claimed row of the due list (reason, deadline, attempts, ...)
    order: dict            # the stored order
    calls: list            # its earlier calls, as `show` lists them
    complaints: list       # its complaints
    lines: list            # [(name, text)]: the script, filled with the order's values
    checks: tuple          # the check fields its questions ask for (hours, parts, fee, location)

    @property
    def order_no(self) -> str:
        return self.due["order_no"]


@dataclass
class Session:
    desk: object
    agent: str
    lang: str = "zh"
    filters: dict = field(default_factory=dict)
    script_path: str | None = None
    fixed_now: bool = False             # --now given: every step happens at that moment
    skipped: dict = field(default_factory=dict)  # order_no -> None, in the order skipped

    def __post_init__(self):
        policy = self.desk.policy
        policy.check_agent(self.agent)
        self.script = script_mod.load(self.script_path or policy.script or None)

    def _tick(self):
        if not self.fixed_now:  # a session lasts hours: each card is claimed as of its own moment
            self.desk.now = clock.real_now(self.desk.policy.timezone)

    def next(self) -> Card | None:
        """Claim the next callback (the one the agent holds first) and gather its card."""
        self._tick()
        # never the one this agent holds: that may be their other session's card
        row = duelist.claim_next(self.desk, self.agent, later=self.skipped, resume=False, **self.filters)
        return None if row is None else self.card(row)

    def card(self, due: dict) -> Card:
        from callbackctl import complaints, recurring, vocab

        if recurring.is_key(due["order_no"]):
            return self._customer_card(due)
        from callbackctl import contacts

        if contacts.is_key(due["order_no"]):
            return self._contact_card(due)
        order = orders.get(self.desk.conn, due["order_no"])
        stype = order["service_type"]
        name = vocab.SERVICE_TYPE_ALIASES.get(stype, [stype])[0] if self.lang == "zh" else stype.replace("_", " ")
        lines = self.script.lines(self.lang, stype, script_mod.values(order, self.desk.policy, self.agent, name))
        asked = [n for n, _ in lines if n in script_mod.CHECKS]
        return Card(due=due, order=order, calls=calls.calls_of(self.desk, order),
                    complaints=complaints.listing(self.desk, order_id=order["id"]), lines=lines,
                    checks=tuple(script_mod.CHECKS[n] for n in asked))

    def _customer_card(self, due: dict) -> Card:
        """A recurring callback's card: the customer, their last completed order for the
        script's words, no authenticity checks (there is no order to check)."""
        from callbackctl import complaints, recurring, vocab
        from callbackctl.i18n import word

        desk = self.desk
        customer, _ = recurring.resolve(desk.conn, due["order_no"])
        last = store_customers.last_order(desk.conn, customer["id"], desk.now_text)
        order = dict(last) if last else {c: None for c in (*orders.FIELDS, "phone_valid", "id")}
        service = order["service_type"]  # the last visit, which the greeting names
        order.update(customer=customer["customer"] or order.get("customer"), phone=customer["phone"],
                     service_type=due["reason"], machine_hours=None, parts_replaced=None, fee=None, location=None)
        name = (vocab.SERVICE_TYPE_ALIASES.get(service, [service])[0] if self.lang == "zh"
                else service.replace("_", " ")) if service else None
        lines = [(n, t) for n, t in self.script.lines(self.lang, due["reason"], script_mod.values(
            order, desk.policy, self.agent, name or word(due["reason"]))) if n in ("greeting", "scores", "closing")]
        return Card(due=due, order=order, calls=calls.recurring_calls_of(desk, customer["id"]),
                    complaints=complaints.listing(desk, phone=customer["phone"]) if customer["phone"] else [],
                    lines=lines, checks=())

    def _contact_card(self, due: dict) -> Card:
        """A reply owed to an inbound call (C-12): what the caller asked, the order it is
        about if any, the desk's calls on it so far. Not rated, nothing to check."""
        from callbackctl import contacts

        c = contacts.card(self.desk, due["order_no"])
        t = c["contact"]
        order = c["order"] or {f: None for f in (*orders.FIELDS, "phone_valid", "id")}
        order = {**order, "customer": order.get("customer") or t.get("customer"), "phone": t["phone"],
                 "service_type": t["kind"]}
        return Card(due=due, order=order, calls=c["calls"], complaints=[], lines=[("greeting", t["text"] or "")],
                    checks=())

    def record(self, card: Card, call: calls.Call, complaint: dict | None = None) -> dict:
        """Record the call exactly as `record` does; the claim ends with it. `complaint`
        ({against, text, severity}): one the customer made during the call, filed with it
        (its id in the row as `complaint`), against the order's engineer or provider when so.

        Refused when the card is stale: the claim lapsed while the agent talked
        and another agent took the callback, or a call was recorded on it since
        the card was shown (`record` by hand, another session).
        """
        from callbackctl.db import transaction
        from callbackctl.errors import StateError

        self._tick()
        call.order_no, call.agent = card.order_no, self.agent
        desk = self.desk
        with transaction(desk.conn):
            other = claims.held(desk.conn, card.order_no, desk.now_text)
            if other and other[0] != self.agent:
                raise StateError(f"{card.order_no}: this card was taken by {other[0]} (theirs until "
                                 f"{other[1][11:16]}; yours lapsed after {desk.policy.claim_for}): skip it")
            since = self.card(card.due).calls[len(card.calls):]
            if since:
                c = since[-1]
                raise StateError(f"{card.order_no}: a call was recorded on it meanwhile ({c['called_at'][5:16]} "
                                 f"{c['outcome']}{', ' + c['agent'] if c.get('agent') else ''}): skip it")
            row = calls.record(desk, call)
            if complaint:
                row["complaint"] = self._complain(card, **complaint)
            return row

    def _complain(self, card: Card, against: str, text: str, severity: str) -> int:
        from callbackctl import complaints

        order = card.order or {}
        of_order = order.get("order_no") == card.order_no
        return complaints.add(self.desk, against, severity, text, order_no=card.order_no if of_order else None,
                              phone=None if of_order else order.get("phone") or card.due.get("phone"),
                              target=order.get(against) if against in ("engineer", "provider") else None)

    def skip(self, card: Card):
        """Not now: another agent may take it; this session offers it again after the rest."""
        self.skipped.pop(card.order_no, None)
        self.skipped[card.order_no] = None  # the end of the queue
        duelist.release(self.desk, card.order_no, self.agent, own=True)

    def end(self, card: Card | None):
        """Quit: the callback in hand goes back to the list (if it is still this agent's)."""
        if card is not None:
            duelist.release(self.desk, card.order_no, self.agent, own=True)
