"""The screen of `work`: the order card, the script and the keys (prompt_toolkit)."""

from __future__ import annotations

from prompt_toolkit import PromptSession, print_formatted_text
from prompt_toolkit.filters import Condition
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.keys import Keys
from prompt_toolkit.utils import get_cwidth
from prompt_toolkit.validation import ValidationError, Validator

from callbackctl import calls
from callbackctl.errors import CallbackctlError
from callbackctl.i18n import _, word
from callbackctl.vocab import OUTCOME_KEYS

WIDTH = 80  # what every line fits: an SSH session's default terminal
START_OVER = "start over"
# The checks a reached customer's answers are typed for, and their keys.
CHECK_KEYS = {"h": "hours", "l": "location", "p": "parts", "f": "fee"}
CHECK_LABELS = {"hours": "hours", "location": "location", "parts": "parts replaced", "fee": "fee"}
# A complaint the customer makes during the call (seed 004): whom it is against, one key each.
AGAINST_KEYS = {"e": "engineer", "p": "provider", "a": "agent", "d": "product", "s": "sales"}
AGAINST_LABELS = {"engineer": "the engineer", "provider": "the provider", "agent": "an agent", "product": "the product",
                  "sales": "sales"}


def run(session) -> int:
    """Cards until the list is empty or the agent quits; returns the calls recorded.

    Ctrl-C or Ctrl-D anywhere quits as q does: the callback in hand goes back.
    """
    made, card, screen = 0, None, Screen()
    try:
        while True:
            card = session.next()
            if card is None:
                screen.say(_("No callback due that nobody holds."))
                return made
            screen.card(card, session.lang)
            done = screen.call(session, card)
            if done is None:
                break
            made, card = made + done, None
    except (KeyboardInterrupt, EOFError):
        pass
    except BaseException:  # whatever stops the session, the callback in hand goes back
        session.end(card)
        raise
    session.end(card)
    return made


class Screen:
    def __init__(self):
        import shutil

        from prompt_toolkit.history import DummyHistory

        # Up must not bring back the last customer's answers: no history.
        self.prompt = PromptSession(history=DummyHistory())
        self.width = min(WIDTH, shutil.get_terminal_size((WIDTH, 24)).columns)
        # Esc goes back at once: the 0.5 s prompt_toolkit waits to tell a lone Esc
        # from the start of an arrow key is for slow links; an SSH session of today
        # sends a key's sequence in one packet.
        self.prompt.app.ttimeoutlen = 0.05

    # -- printing -------------------------------------------------------------

    def say(self, text: str, style: str = ""):
        print_formatted_text(FormattedText([(style, text)]))

    def card(self, card, lang: str):
        o, due = card.order, card.due
        self.say(_fit(f"━━ {card.order_no} · {word(o['service_type'])} ", "━", self.width), "bold")
        rows = [
            (_("callback"), " · ".join(filter(None, (
                word(due["reason"]), _("attempt {n}").format(n=due["attempts"] + 1),
                _("deadline") + " " + due["deadline"][5:16], _("overdue") if due.get("overdue") else None)))),
            (_("customer"), "  ".join(filter(None, (
                o["customer"], _phone(o["phone"]), _("(number found wrong)") if o["phone_valid"] == 0 else None,
                _("VIP") if o["vip"] else None)))),
            (_("machine"), " · ".join(filter(None, (o["product"], o["serial_no"] and "S/N " + o["serial_no"],
                                                  o["address"])))),
            (_("service"), " · ".join(filter(None, (
                o["region"], o["provider"], o["engineer"],
                o["arrived_at"] and _("arrived") + " " + o["arrived_at"][5:16],
                o["completed_at"] and _("completed") + " " + o["completed_at"][5:16])))),
            (_("order says"), " · ".join(
                f"{_(CHECK_LABELS[check])} {_plain(o[k])}" for check, k in _ORDER_FIELD.items() if o[k] not in (None, ""))),
            (_("calls"), "; ".join(
                f"{c['called_at'][5:16]} {word(c['outcome'])}" + (f" ({c['agent']})" if c["agent"] else "")
                for c in card.calls[-3:]) or _("none yet")),
        ]
        if card.complaints:
            rows.append((_("complaints"), "; ".join(
                f"#{c['id']} {word(c['status'])} {c['received_at'][5:10]}" for c in card.complaints)))
        label_width = max(get_cwidth(label) for label, _v in rows) + 2
        for label, value in rows:
            if value:
                for i, line in enumerate(_wrap(value, self.width - label_width)):
                    self.say(_pad(label if i == 0 else "", label_width) + line)
        self.say(_fit("── " + _("script") + " ", "─", self.width))
        for name, text in card.lines:
            for i, line in enumerate(_wrap(text, self.width - 4)):
                self.say(("  • " if i == 0 and name not in ("greeting", "closing") else "    ") + line,
                         "" if name not in ("greeting", "closing") else "italic")

    # -- one call -------------------------------------------------------------

    def call(self, session, card) -> int | None:
        """Take one call's outcome and answers and record it: 1, 0 (skipped), None (quit)."""
        while True:
            rated = card.due.get("reason") != "reply"  # a reply to an inbound call is not rated
            keys = {**OUTCOME_KEYS, **({str(d): "reached" for d in range(1, 6)} if rated else {}), "s": "skip",
                    "q": "quit"}
            key = self.key(_("[r/1-5] reached  [n] no answer  [b] busy  [h] hung up  [x] refused\n"
                             "[w] wrong number  [p] wrong person  [s] skip  [q] quit"), keys)
            if key == "q":
                return None
            if key == "s":
                session.skip(card)
                self.say(_("skipped {order_no}").format(order_no=card.order_no))
                return 0
            call = calls.Call(order_no=card.order_no, outcome=keys[key], scores={})
            if call.outcome == "reached" and rated and not self.rating(call, key if key.isdigit() else ""):
                continue
            complaint = {}  # filled by [k] in answers
            while self.answers(session, card, call, complaint):  # Backspace: start the call over
                try:
                    row = session.record(card, call, complaint or None)
                except CallbackctlError as e:  # what was typed stays, to be put right
                    for line in _wrap(f"Error: {e}", self.width):
                        self.say(line, "fg:ansired")
                    continue
                for line in _wrap(_result(row, call), self.width):
                    self.say(line, "bold")
                self.say("")
                return 1

    def rating(self, call, first: str) -> bool:
        """The five scores, one digit for all, a phrase, or 0 for none (and why)."""

        def check(text):
            text = text.strip()
            if len(text) in (1, 5) and text.isdigit():
                return all("1" <= d <= "5" for d in text) or text == "0"
            try:
                calls.satisfaction_level(text)
                return True
            except ValueError:
                return False

        kb = KeyBindings()
        for d in "12345":
            @kb.add(d)
            def _digit(event, d=d):
                buf = event.current_buffer
                buf.insert_text(d)
                if len(buf.text) == 5 and buf.text.isdigit():  # five scores: no Enter needed
                    buf.validate_and_handle()
        _escape(kb)
        self.say(_("scores: skill attitude timeliness parts overall, 5 非常满意 .. 1 非常不满意"),
                 "fg:ansicyan")
        text = self.ask(_("five digits, one for all, a phrase, 0 none"), kb, check, first,
                        _("1-5 each, or 满意 .. 非常不满意"), required=True)
        if text is None:
            return False
        text = text.strip()
        if text == "0":
            why = self.ask(_("no rating: why (declined, no time)?"), None, None, required=True)
            if why is None:
                return False
            call.no_rating = why
        elif text.isdigit():  # five digits, or one for all five
            call.scores = dict(zip(calls.SCORES, map(int, text * 5 if len(text) == 1 else text)))
        else:
            call.satisfaction = text
        return True

    def answers(self, session, card, call, complaint: dict) -> bool:
        """The checks, a note, a promised time and a complaint, until Enter records; False to
        start over."""
        checks = {k: f for k, f in CHECK_KEYS.items() if f in card.checks} if call.outcome == "reached" else {}
        asks_who = call.outcome == "reached" and card.due.get("reason") != "reply"
        stash = {}  # the rating, kept while `other` (no scores) is chosen
        while True:
            keys = {"enter": "record", **{k: CHECK_LABELS[f] for k, f in checks.items()}, "n": "note", "c": "call back",
                    "k": "complaint", "backspace": START_OVER}
            if asks_who:
                keys["a"] = "who answered"
            if call.outcome == "reached" and card.checks:  # an order's checks to judge
                keys["x"] = "not genuine"
            bar = "  ".join([_("[Enter] record"), _("[n] note"), _("[c] call back at"), _("[k] complaint"),
                             _("[⌫] start over")])
            more = [f"[{k}] {_(CHECK_LABELS[f])}" for k, f in checks.items()]
            if "x" in keys:
                more.append(_("[x] not genuine") if call.genuine is None else _("[x] undo not genuine"))
            if more:
                bar += "\n" + "  ".join(more)
            if asks_who:  # a line of its own: the checks' line leaves no room in 80 columns
                bar += "\n" + _("[a] who answered")
            key = self.key(_summary(call, complaint) + "\n" + bar, keys)
            if key == "enter":
                return True
            if key == "backspace":
                return False
            if key == "x":  # the agent's own judgement; the checks' is taken when it is not given
                call.genuine = False if call.genuine is None else None
            elif key == "a":  # 受访人, seed 000: on site, aware of the service, or someone else
                _next_respondent(call, stash)
            elif key == "k":
                self.complaint(complaint)
            elif key == "n":
                said = self.ask(_("note"), None, None, call.note or "")
                call.note = call.note if said is None else said or None  # Esc keeps it, Enter on nothing clears it
            elif key == "c":
                said = self.ask(_("call back at (15:00, tomorrow 09:30, +2h)"), None, lambda t: _when(session, t) is not None,
                                error=_("a time after now: 15:00, tomorrow 09:30, +2h"))
                if said is not None:
                    call.callback_at = _when(session, said) if said else None
            else:
                field = checks[key]
                number = field in ("hours", "fee")
                said = self.ask(f"{_(CHECK_LABELS[field])} ({_('order says')} {_plain(card.order[_ORDER_FIELD[field]]) or '-'})",
                                None, _number if number else None, error=_("a number, 0 or more") if number else None)
                if said is not None:  # Esc keeps what was there; Enter on nothing: not asked
                    setattr(call, field, (float(said) if number else said) if said else None)

    def complaint(self, complaint: dict):
        """What the customer complains of, filed with the call: against whom (one key), the
        text, general or special. Backspace or Esc leaves the complaint as it was."""
        keys = {**AGAINST_KEYS, "backspace": "back"}
        against = self.key(_("against: [e] engineer [p] provider [a] agent [d] product [s] sales "
                             "[⌫] back"), keys)
        if against == "backspace":
            return
        text = self.ask(_("what the customer complains of"), None, None, complaint.get("text", ""), required=True)
        if text is None:
            return
        severity = self.key(_("[g] general  [!] special (property loss, injury, media: to the manager)"),
                            {"g": "general", "!": "special"})
        complaint.update(against=AGAINST_KEYS[against], text=text, severity="special" if severity == "!" else "general")

    # -- input ----------------------------------------------------------------

    def key(self, bar: str, keys: dict) -> str:
        """One key from `keys`, without Enter; other keys are ignored."""
        kb = KeyBindings()
        names = {"enter": Keys.ControlM, "backspace": Keys.ControlH}

        for k in keys:
            for typed in {k, k.upper()} if len(k) == 1 else {k}:  # Caps Lock on: N is n
                @kb.add(names.get(typed, typed))
                def _pick(event, k=k):
                    event.current_buffer.text = word(keys[k])
                    event.app.exit(result=k)

        @kb.add(Keys.Any)
        @kb.add(Keys.ControlM, filter=Condition(lambda: "enter" not in keys))  # Enter means nothing here
        @kb.add(Keys.ControlJ)
        def _ignore(event):
            pass

        for line in bar.split("\n")[:-1]:
            self.say(line, "fg:ansicyan")
        return self.prompt.prompt(bar.split("\n")[-1] + " ", key_bindings=kb, default="", validator=_ANY)

    def ask(self, question: str, kb, check, default: str = "", error: str | None = None,
            required: bool = False) -> str | None:
        """A line of text, stripped (Enter ends it; Esc gives up: None). Nothing is an answer
        unless `required`; anything else must pass `check`."""
        if kb is None:
            kb = KeyBindings()
            _escape(kb)

        def valid(text):
            text = text.strip()
            return bool(text) if not text else check is None or check(text)

        def valid_or_empty(text):
            return not text.strip() or check is None or check(text.strip())

        validator = Validator.from_callable(valid if required else valid_or_empty,
                                            error_message=error or _("not a valid answer"), move_cursor_to_end=True)
        try:
            said = self.prompt.prompt(question + "> ", key_bindings=kb, default=default, validator=validator,
                                      validate_while_typing=False)
        except _GaveUp:
            return None
        return said.strip()


_ANY = Validator.from_callable(lambda text: True)


class _GaveUp(Exception):
    pass


def _escape(kb):
    @kb.add(Keys.Escape, eager=True)
    def _give_up(event):
        event.app.exit(exception=_GaveUp())


_ORDER_FIELD = {"hours": "machine_hours", "location": "location", "parts": "parts_replaced", "fee": "fee"}


def _number(text: str) -> bool:
    """What a customer can read out: a finite number, not below 0."""
    try:
        return 0 <= float(text) < float("inf")
    except ValueError:
        return False


def _when(session, text):
    """A promised time the agent typed, if it is one and after now."""
    try:
        when = session.desk.when(text, "callback_at")
    except CallbackctlError:
        return None
    return when if when > session.desk.now else None


RESPONDENT_CYCLE = (None, "on_site", "aware", "other")


def _next_respondent(call, stash: dict):
    """One key steps through who answered; `other` carries no scores (the callback stays
    due), so the rating waits in `stash` until another answer is chosen."""
    call.respondent = RESPONDENT_CYCLE[(RESPONDENT_CYCLE.index(call.respondent) + 1) % len(RESPONDENT_CYCLE)]
    if call.respondent == "other":
        stash.update(scores=call.scores, satisfaction=call.satisfaction, no_rating=call.no_rating)
        call.scores, call.satisfaction, call.no_rating = {}, None, None
    elif stash:
        call.scores, call.satisfaction, call.no_rating = stash["scores"], stash["satisfaction"], stash["no_rating"]
        stash.clear()


def _summary(call, complaint: dict | None = None) -> str:
    parts = [word(call.outcome)]
    if call.respondent:
        parts.append(_("answered by") + " " + _(call.respondent))
    if call.scores:
        parts.append(_("scores") + " " + " ".join(str(call.scores[s]) for s in calls.SCORES))
    if call.satisfaction:
        parts.append(call.satisfaction)
    if call.no_rating:
        parts.append(_("no rating") + f": {call.no_rating}")
    for f in ("hours", "location", "parts", "fee"):
        if getattr(call, f) is not None:
            parts.append(f"{_(CHECK_LABELS[f])} {_plain(getattr(call, f))}")
    if call.genuine is not None:
        parts.append(_("genuine") if call.genuine else _("not genuine"))
    if call.note:
        parts.append(_("note") + f": {call.note}")
    if call.callback_at:
        parts.append(_("call back at") + " " + call.callback_at.strftime("%m-%d %H:%M"))
    if complaint:
        parts.append(_("complaint against {against}").format(against=_(AGAINST_LABELS[complaint["against"]]))
                     + (" (" + _("special") + ")" if complaint["severity"] == "special" else "") + f": {complaint['text']}")
    return "» " + " · ".join(parts)


def _result(row, call) -> str:
    parts = [_("recorded") + f" {row['order_no']}: {word(row['outcome'])}"]
    if call.callback_at:
        parts.append(_("call back at") + " " + call.callback_at.strftime("%m-%d %H:%M"))
    if row["index"] is not None:
        parts.append(_("index") + f" {row['index']:.2f}")
    if row["genuine"] is not None:
        parts.append(_("genuine") if row["genuine"] else _("not genuine"))
    parts += [str(d) for d in row["discrepancies"]]
    if row["followup"]:
        parts.append(_("follow-up opened") + ": " + ", ".join(word(w) for w in row["followup"].split(", ")))
    if row.get("complaint"):
        parts.append(_("complaint #{id} filed").format(id=row["complaint"]))
    return "✓ " + " · ".join(parts)


def _phone(phone) -> str:
    p = str(phone or "")
    return f"{p[:3]} {p[3:7]} {p[7:]}" if len(p) == 11 and p.isdigit() else p


def _plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - get_cwidth(text))


def _fit(text: str, fill: str, width: int) -> str:
    """A rule across the screen with a title in it."""
    used = get_cwidth(text)
    if used >= width:
        return _wrap(text, width)[0]
    return text + fill * (width - used)


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` display columns (a Chinese character takes two)."""
    lines, line, used = [], "", 0
    for ch in str(text):
        w = get_cwidth(ch)
        if used + w > width:
            cut = line.rfind(" ")
            if cut > width // 2 and ch != " ":  # break at a space in Latin text
                lines.append(line[:cut])
                line = line[cut + 1:]
                used = get_cwidth(line)
            else:
                lines.append(line)
                line, used = "", 0
                if ch == " ":
                    continue
        line += ch
        used += w
    return lines + [line] if line or not lines else lines
