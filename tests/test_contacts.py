"""Inbound calls (来电登记, 首问制, issue #20) at fixed times: registered, owed a reply within 30 desk
minutes, replied; a customer's chase on the chase list; the end-of-day clean-up (日清日结) and the next
morning's leftovers; the promises a desk has not kept yet. Exact rows, exit codes and error lines.

Defaults: desk hours 08:30-17:00 on working days, contact.reply_within 30m of them, feedback within 4
desk hours, urban response 24h and other 72h wall-clock; complaint reply within 24h; callback windows
09:30-11:30, 14:40-17:00. 2026-11-20 is a Friday, 2026-11-23 a Monday.
"""

import csv
import datetime as dt
import io
import json
import sqlite3

import pytest

from conftest import write

HEAD = "order_no,service_type,zone,region,provider,engineer,customer,phone,reported_at,feedback_at,completed_at,status\n"
ORDERS = HEAD + (
    # open, the provider's feedback in time: nothing to chase until the customer does
    "A,repair,urban,East,P1,E1,Li Na,13800138000,2026-11-23 08:00,2026-11-23 08:30,,\n"
    # completed on Friday: its callback is due Monday 09:30
    "D,repair,urban,East,P1,E1,Wu Gang,13800138001,2026-11-20 15:00,2026-11-20 15:30,2026-11-20 16:00,\n"
    "W,repair,urban,West,P2,E2,Ma Lin,13800138002,2026-11-23 08:00,2026-11-23 08:30,,\n")


@pytest.fixture
def desk(cli, tmp_path):
    r = cli("import", write(tmp_path / "o.csv", ORDERS), now="2026-11-20 08:00")
    assert r.exit_code == 0, r.output
    return cli


def add(cli, *args, now):
    r = cli("contact", "add", *args, now=now)
    assert r.exit_code == 0, r.output
    return r


def listed(cli, *args, now):
    r = cli("contact", "list", "-f", "csv", *args, now=now)
    assert r.exit_code == 0, r.output
    return r.stdout.splitlines()[1:]


def count(db_path, sql):
    return sqlite3.connect(db_path).execute(sql).fetchone()[0]


def open_desk(db_path, now):
    from callbackctl import desk as desk_mod

    return desk_mod.open_desk(db_path, now=now)


# -- a reply owed within 30 desk minutes -----------------------------------------------------

def test_a_consultation_at_16_50_on_friday_owes_a_reply_by_08_50_on_monday(desk):
    r = add(desk, "--phone", "139 1234 5678", "--kind", "consultation", "--text", "保养周期多久", now="2026-11-20 16:50")
    assert (r.stdout, r.stderr) == ("1\n", "C-1: a reply is owed by 2026-11-23 08:50:00\n")
    row = "1,2026-11-20 16:50:00,13912345678,,consultation,保养周期多久,0,2026-11-23 08:50:00,,{}"
    assert listed(desk, "--open", now="2026-11-20 17:00") == [row.format(0)]
    assert listed(desk, "--overdue", now="2026-11-23 08:50") == []  # by 08:50 itself is in time
    assert listed(desk, "--overdue", now="2026-11-23 08:51") == [row.format(1)]
    assert listed(desk, now="2026-11-20 16:49") == []  # as of a moment before the call


@pytest.mark.parametrize("received, due", [
    ("2026-11-20 16:50", "2026-11-23 08:50"),  # 10 minutes on Friday, 20 on Monday morning
    ("2026-11-23 10:00", "2026-11-23 10:30"),
    ("2026-11-23 16:30", "2026-11-23 17:00"),  # ends with the desk's day
    ("2026-11-23 18:00", "2026-11-24 09:00"),  # after hours: from the next morning
    ("2026-11-22 10:00", "2026-11-23 09:00"),  # a Sunday
    ("2026-09-30 16:45", "2026-10-08 08:45"),  # 国庆: Oct 1-7 off in 2026
])
def test_the_reply_deadline_counts_desk_minutes_on_working_days(db_path, received, due):
    from callbackctl import clock, contacts

    d = open_desk(db_path, now="2026-11-23 10:00")
    assert contacts.reply_due(d, received + ":00") == clock.parse(due + ":00")


def test_a_policy_gives_the_desk_more_time(desk, tmp_path):
    pol = write(tmp_path / "p.toml", '[contact]\nreply_within = "2h"\n')
    r = desk("contact", "add", "--phone", "13912345678", "--kind", "咨询", "--text", "配件价格", now="2026-11-23 16:00",
             policy=pol)
    assert r.stderr == "C-1: a reply is owed by 2026-11-24 09:30:00\n"
    bad = write(tmp_path / "bad.toml", '[contact]\nreply_within = "soon"\n')
    r = desk("contact", "list", policy=bad)
    assert (r.exit_code, r.stderr) == (
        1, "Error: policy: contact.reply_within: bad duration 'soon' (use e.g. 30m, 4h, 1h30m, 1d)\n")


def test_a_reply_closes_it_and_a_second_reply_changes_nothing(desk, db_path):
    add(desk, "--phone", "13912345678", "--kind", "consultation", "--text", "保养周期多久", now="2026-11-20 16:50")
    r = desk("contact", "reply", "1", "--text", "每250小时保养一次", now="2026-11-23 08:40")
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", "C-1: replied at 2026-11-23 08:40:00\n")
    assert listed(desk, "--open", now="2026-11-23 09:00") == []
    assert listed(desk, now="2026-11-23 09:00") == [
        "1,2026-11-20 16:50:00,13912345678,,consultation,保养周期多久,0,2026-11-23 08:50:00,2026-11-23 08:40:00,0"]
    # as of a moment before the reply, it was still owed
    assert listed(desk, "--open", now="2026-11-23 08:30") == [
        "1,2026-11-20 16:50:00,13912345678,,consultation,保养周期多久,0,2026-11-23 08:50:00,,0"]
    again = desk("contact", "reply", "C-1", "--text", "再说一遍", now="2026-11-23 09:00")
    assert (again.exit_code, again.stderr) == (0, "C-1 was replied to already, at 2026-11-23 08:40:00; nothing changed\n")
    assert count(db_path, "SELECT count(*) FROM contact_calls") == 1
    assert count(db_path, "SELECT count(*) FROM events WHERE kind = 'contact_replied'") == 1
    assert count(db_path, "SELECT reply FROM contacts") == "每250小时保养一次"


def test_a_late_reply_is_overdue_until_made_and_counted_in_the_report(desk):
    add(desk, "--phone", "13912345678", "--kind", "consultation", "--text", "配件价格", "--agent", "王芳",
        now="2026-11-23 10:00")
    add(desk, "--phone", "13800138000", "--order", "A", "--kind", "service", "--text", "预约上门时间", "--agent", "王芳",
        now="2026-11-23 10:05")
    assert [line.split(",")[0] for line in listed(desk, "--overdue", now="2026-11-23 10:31")] == ["1"]
    r = desk("contact", "reply", "1", "--text", "已报价", now="2026-11-23 11:00")
    assert r.stderr == "C-1: replied at 2026-11-23 11:00:00, late (due 2026-11-23 10:30:00)\n"
    desk("contact", "reply", "2", "--text", "明天上午", now="2026-11-23 10:20")
    assert listed(desk, "--overdue", now="2026-11-23 11:00") == []
    rows = json.loads(desk("report", "--period", "day", "--from", "2026-11-23", "--to", "2026-11-23", "-f", "json",
                           now="2026-11-23 17:00").stdout)
    got = {r["region"]: (r["contacts"], r["contacts_consultation"], r["contacts_service"], r["late_replies"])
           for r in rows}
    assert got == {"East": (1, 0, 1, 0), "West": (0, 0, 0, 0), None: (1, 1, 0, 1)}  # West: W dispatched that day
    agents = json.loads(desk("report", "--by", "agent", "--period", "day", "--from", "2026-11-23", "-f", "json",
                             now="2026-11-23 17:00").stdout)
    # and the row of no agent: D's callback, due that day, not reached yet
    assert [(r["agent"], r["contacts"], r["late_replies"]) for r in agents] == [("王芳", 2, 1), (None, 0, 0)]
    # as of 10:31 the first was late already and not replied yet
    early = json.loads(desk("report", "--period", "day", "--from", "2026-11-23", "-f", "json",
                            now="2026-11-23 10:31").stdout)
    assert {r["region"]: r["late_replies"] for r in early} == {"East": 0, "West": 0, None: 1}


def test_the_daily_report_shows_the_days_inbound_calls_beside_its_callbacks(desk):
    add(desk, "--phone", "13800138001", "--order", "D", "--kind", "service", "--text", "发票", "--answered",
        now="2026-11-23 10:00")
    assert desk("record", "D", "--outcome", "reached", "--satisfaction", "满意", now="2026-11-23 10:10").exit_code == 0
    rows = json.loads(desk("report", "--name", "daily", "-f", "json", now="2026-11-23 17:00").stdout)
    assert [(r["region"], r["calls_made"], r["contacts"], r["contacts_service"]) for r in rows] == [
        ("East", 1, 1, 1), ("West", 0, 0, 0)]
    table = desk("report", "--name", "daily", now="2026-11-23 17:00").stdout.splitlines()[0].split()
    assert table.index("contacts") > table.index("calls_reached")


# -- the due list's rows, and calls on an owed reply ---------------------------------------

def test_owed_replies_as_rows_of_the_due_list(desk, db_path):
    from callbackctl import contacts, vocab

    add(desk, "--phone", "13912345678", "--kind", "consultation", "--text", "保养周期多久", now="2026-11-20 16:50")
    add(desk, "--phone", "13800138002", "--order", "W", "--kind", "service", "--text", "上门时间", now="2026-11-20 17:30")
    d = open_desk(db_path, now="2026-11-20 17:40")
    first = {"order_no": "C-1", "customer": None, "phone": "13912345678", "service_type": None, "region": None,
             "provider": None, "engineer": None, "completed_at": None, "due_at": "2026-11-20 16:50:00",
             "deadline": "2026-11-23 08:50:00", "attempts": 0, "last_outcome": None, "reason": "reply",
             "overdue": False}
    assert contacts.due_rows(d) == [first]  # the one after hours falls due at 08:30 on Monday
    assert set(first) == set(vocab.DUE_COLUMNS) - {"claimed_by"}
    monday = contacts.due_rows(d, until=dt.datetime(2026, 11, 23, 9))
    assert [(r["order_no"], r["customer"], r["region"], r["due_at"], r["deadline"]) for r in monday] == [
        ("C-1", None, None, "2026-11-20 16:50:00", "2026-11-23 08:50:00"),
        ("C-2", "Ma Lin", "West", "2026-11-23 08:30:00", "2026-11-23 09:00:00")]
    until = dt.datetime(2026, 11, 23, 9)
    assert [r["order_no"] for r in contacts.due_rows(d, until, region="West")] == ["C-2"]
    assert contacts.due_rows(d, until, service_type="repair") == []  # --type lists orders only
    assert contacts.due_rows(d, until, reason="first") == []
    assert [r["order_no"] for r in contacts.due_rows(d, until, reason="reply")] == ["C-1", "C-2"]
    assert "reply" in vocab.CALLBACK_REASONS  # due --reason reply


def test_calls_on_an_owed_reply_retry_keep_a_promise_and_give_the_reply(desk, db_path):
    from callbackctl import contacts
    from callbackctl.errors import StateError

    add(desk, "--phone", "13912345678", "--kind", "consultation", "--text", "保养周期多久", now="2026-11-20 16:50")
    d = open_desk(db_path, now="2026-11-20 16:55")
    row = contacts.record_call(d, "c-1", "no_answer", agent="王芳")
    assert (row["order_no"], row["outcome"], row["reason"], row["call_id"]) == ("C-1", "no_answer", "reply", "C1")
    d.now = dt.datetime(2026, 11, 23, 8, 35)
    [due] = contacts.due_rows(d)  # 2h later, rolled into Monday's desk hours
    assert (due["due_at"], due["attempts"], due["last_outcome"], due["overdue"]) == (
        "2026-11-23 08:30:00", 1, "no_answer", False)
    contacts.record_call(d, "C-1", "busy", callback_at=dt.datetime(2026, 11, 23, 10))
    assert contacts.due_rows(d) == []  # promised for 10:00
    [due] = contacts.due_rows(d, until=dt.datetime(2026, 11, 23, 10))
    assert (due["due_at"], due["attempts"], due["overdue"]) == ("2026-11-23 10:00:00", 2, False)
    d.now = dt.datetime(2026, 11, 23, 10)
    contacts.record_call(d, "C-1", "reached", note="每250小时", agent="王芳")
    assert contacts.due_rows(d) == []
    got = contacts.get(d, 1)
    assert (got["replied_at"], got["replied_by"], got["reply"], got["overdue"]) == (
        "2026-11-23 10:00:00", "王芳", "每250小时", False)
    with pytest.raises(StateError, match="^C-1: the reply was given already, at 2026-11-23 10:00:00$"):
        contacts.record_call(d, "C-1", "reached")
    assert [c["outcome"] for c in contacts.calls_of(d, 1)] == ["no_answer", "busy", "reached"]


def test_what_record_and_work_need_for_a_reply_key(desk, db_path):
    from callbackctl import contacts
    from callbackctl.errors import InvalidValue, NotFound, StateError

    add(desk, "--phone", "13800138002", "--order", "W", "--kind", "service", "--text", "上门时间", now="2026-11-23 10:00")
    d = open_desk(db_path, now="2026-11-23 10:20")
    assert (contacts.is_key("C-1"), contacts.is_key(" c-12 "), contacts.is_key("C1"), contacts.is_key("CX-1")) == (
        True, True, False, False)
    with pytest.raises(InvalidValue, match="^C-1: a reply to an inbound call is not rated: give no scores$"):
        contacts.record_call(d, "C-1", "reached", scores={"overall": 5})
    with pytest.raises(InvalidValue, match=r"^2026-11-23 10:30:00 is after now \(2026-11-23 10:20:00\)$"):
        contacts.record_call(d, "C-1", "reached", called_at=dt.datetime(2026, 11, 23, 10, 30))
    with pytest.raises(StateError, match=r"^C-1: a call at 2026-11-23 09:00:00 comes before the inbound call"):
        contacts.record_call(d, "C-1", "reached", called_at=dt.datetime(2026, 11, 23, 9))
    with pytest.raises(NotFound, match="^unknown inbound call 7$"):
        contacts.record_call(d, "C-7", "reached")
    assert contacts.key_of(d, " c-1 ") == "C-1"  # duelist.release's key
    with pytest.raises(NotFound, match="^unknown inbound call 7$"):
        contacts.key_of(d, "C-7")
    c = contacts.card(d, "C-1")
    assert (c["contact"]["text"], c["order"]["order_no"], c["calls"], c["owed"]["next"]) == ("上门时间", "W", [], "first")
    row = contacts.record_call(d, "C-1", "reached", note="明天上午", called_at=dt.datetime(2026, 11, 23, 10, 15))
    assert (row["called_at"], row["call_id"]) == ("2026-11-23 10:15:00", "C1")
    assert contacts.card(d, "C-1")["owed"] is None
    # the same call given again (a call log twice) is known: record says so and changes nothing
    assert contacts.already_called(d, "c-1", dt.datetime(2026, 11, 23, 10, 15), "reached")
    assert not contacts.already_called(d, "C-1", dt.datetime(2026, 11, 23, 10, 16), "reached")
    assert not contacts.already_called(d, "SY1", None, "reached")


def test_the_owed_replies_come_from_two_index_ranges(tmp_path):
    from callbackctl import contacts

    d = open_desk(str(tmp_path / "p.db"), now="2026-11-23 10:00")
    steps = [r[3] for r in d.conn.execute(f"EXPLAIN QUERY PLAN SELECT 1 FROM ({contacts._OWED})", {"now": d.now_text})]
    assert "SEARCH contacts USING INDEX contacts_owed (received_at<?)" in steps, steps
    assert "SEARCH contacts USING INDEX contacts_replied (replied_at>?)" in steps, steps
    assert not any(s.startswith("SCAN") for s in steps), steps


# -- a complaint and a customer's chase --------------------------------------------------

def test_a_complaint_call_files_the_complaint(desk):
    r = add(desk, "--phone", "13800138001", "--order", "D", "--kind", "投诉", "--against", "engineer", "--target", "王工",
            "--text", "工程师态度差", now="2026-11-23 10:00")
    assert (r.stdout, r.stderr) == ("1\n", "complaint 1 filed (callbackctl complaint list)\n"
                                          "C-1: a reply is owed by 2026-11-23 10:30:00\n")
    c = json.loads(desk("complaint", "list", "-f", "json", now="2026-11-23 10:10").stdout)
    assert [(x["id"], x["order_no"], x["against"], x["target"], x["status"]) for x in c] == [
        (1, "D", "engineer", "王工", "open")]
    assert listed(desk, now="2026-11-23 10:10") == [
        "1,2026-11-23 10:00:00,13800138001,D,complaint,工程师态度差,0,2026-11-23 10:30:00,,0"]


@pytest.mark.parametrize("args, code, error", [
    (["--kind", "question?", "--text", "x"], 2,
     "Error: --kind: 'question?' is not one of consultation, service, complaint, chase (咨询, 服务, 投诉, 催单)\n"),
    (["--kind", "complaint", "--text", "态度差"], 2,
     "Error: --against: a complaint names what it is against (one of engineer, provider, agent, product, sales)\n"),
    (["--kind", "service", "--against", "engineer", "--text", "x"], 2,
     "Error: --against, --severity, --target and --vip are a complaint's: give --kind complaint, not service\n"),
    (["--kind", "chase", "--text", "催修"], 2,
     "Error: --order: a customer's chase (催单) is about an order: give the order it chases\n"),
    (["--kind", "chase", "--order", "D", "--text", "催修"], 1,
     "Error: order D is completed: there is no repair to chase (register the call as a service call)\n"),
    (["--kind", "service", "--order", "NOPE", "--text", "x"], 1, "Error: unknown order 'NOPE'\n"),
    (["--kind", "service", "--text", "  "], 2, "Error: --text: an inbound call needs what the caller said\n"),
])
def test_bad_calls_are_one_error_line_and_nothing_written(desk, db_path, args, code, error):
    r = desk("contact", "add", "--phone", "13800138001", *args, now="2026-11-23 10:00")
    assert (r.exit_code, r.stdout, r.stderr) == (code, "", error)
    assert count(db_path, "SELECT count(*) FROM contacts") == count(db_path, "SELECT count(*) FROM complaints") == 0


@pytest.mark.parametrize("args, code, error", [
    (["9", "--text", "x"], 1, "Error: unknown inbound call 9\n"),
    (["x1", "--text", "x"], 2, "Error: 'x1' is not an inbound call's id (12, or its key C-12)\n"),
    (["1", "--text", ""], 2, "Error: --text: say what the caller was told\n"),
    (["2", "--text", "x"], 1, "Error: C-2 was answered on the spot (2026-11-23 10:00:00): no reply is owed\n"),
])
def test_bad_replies(desk, db_path, args, code, error):
    add(desk, "--phone", "13912345678", "--kind", "consultation", "--text", "a", now="2026-11-23 10:00")
    add(desk, "--phone", "13912345678", "--kind", "consultation", "--text", "b", "--answered", now="2026-11-23 10:00")
    r = desk("contact", "reply", *args, now="2026-11-23 10:10")
    assert (r.exit_code, r.stderr) == (code, error)
    assert count(db_path, "SELECT count(*) FROM contact_calls") == 0


CHASE_KEYS = ("order_no", "reason", "deadline", "overdue_hours", "chases", "last_chased_at")


def chase(cli, *args, now):
    r = cli("chase", "-f", "csv", *args, now=now)
    assert r.exit_code == 0, r.output
    return [tuple(x[k] for k in CHASE_KEYS) for x in csv.DictReader(io.StringIO(r.stdout))]


def test_a_customers_chase_lists_the_order_until_the_providers_next_feedback(desk, tmp_path, db_path):
    assert chase(desk, now="2026-11-23 10:00") == []
    r = add(desk, "--phone", "13800138000", "--order", "a", "--kind", "催单", "--text", "师傅说今天来，还没到",
            now="2026-11-23 10:05")
    assert (r.stdout, r.stderr) == ("1\n", "A is on the chase list (reason customer) until the provider's next feedback\n"
                                          "C-1: a reply is owed by 2026-11-23 10:35:00\n")
    assert chase(desk, now="2026-11-23 10:35") == [("A", "customer", "2026-11-23 10:05:00", "0.5", "0", "")]
    assert chase(desk, now="2026-11-23 10:04") == []  # as of before the call
    r = desk("chase", "--record", "-f", "csv", now="2026-11-23 10:35")
    assert r.stderr == "1 chase(s) recorded at 2026-11-23 10:35:00\n"
    assert sqlite3.connect(db_path).execute("SELECT reason, deadline FROM chases").fetchall() == [
        ("customer", "2026-11-23 10:05:00")]
    # the provider's feedback of 11:00 comes in with the dealer's next export
    desk("import", write(tmp_path / "fb.csv", HEAD + "A,repair,urban,East,P1,E1,Li Na,13800138000,2026-11-23 08:00,"
                                                      "2026-11-23 11:00,,\n"), now="2026-11-23 11:30")
    assert chase(desk, now="2026-11-23 10:59") == [
        ("A", "customer", "2026-11-23 10:05:00", "0.9", "1", "2026-11-23 10:35:00")]
    assert chase(desk, now="2026-11-23 11:00") == []
    # chased again after that feedback: listed again, and find says it; the completion ends it
    add(desk, "--phone", "13800138000", "--order", "A", "--kind", "chase", "--text", "还是没修好", now="2026-11-23 14:00")
    assert [c[:3] for c in chase(desk, now="2026-11-23 14:10")] == [("A", "customer", "2026-11-23 14:00:00")]
    found = json.loads(desk("find", "A", "-f", "json", now="2026-11-23 14:40").stdout)
    assert (found[0]["chase"], found[0]["callback"]) == ("customer since 2026-11-23 14:00 (chased 1x)",
                                                         "reply C-1 overdue since 2026-11-23 10:35; "
                                                         "reply C-2 overdue since 2026-11-23 14:30")
    desk("import", write(tmp_path / "done.csv", HEAD + "A,repair,urban,East,P1,E1,Li Na,13800138000,2026-11-23 08:00,"
                                                        "2026-11-23 11:00,2026-11-23 15:00,\n"), now="2026-11-23 15:30")
    assert chase(desk, now="2026-11-23 15:30") == []


# -- the end-of-day clean-up and the next morning's leftovers ----------------------------------

SWEEP = HEAD + (
    "L,repair,urban,East,P1,E1,Li,13800138000,2026-11-21 08:10,2026-11-21 08:30,,\n"    # late since Sun 08:10
    "N,repair,other,East,P1,E1,Wu,13800138001,2026-11-23 10:10,,,\n"                   # no feedback by 14:10
    "F,repair,other,East,P2,E2,Ma,13800138002,2026-11-23 09:10,2026-11-23 09:30,,\n"    # fine until Thu 09:10
    "Q,repair,urban,West,P2,E2,Xu,13800138003,2026-11-23 16:20,,,\n"                    # feedback due Tue 11:50
    "C,repair,urban,East,P1,E1,Hu,13800138004,2026-11-23 08:00,2026-11-23 08:30,2026-11-23 12:00,\n"
    "X,repair,urban,East,P1,E1,Zhu,13800138005,2026-11-23 08:00,,,已取消\n")


@pytest.fixture
def sweep(cli, tmp_path):
    assert cli("import", write(tmp_path / "s.csv", SWEEP), now="2026-11-23 16:40").exit_code == 0
    return cli


def test_end_of_day_at_16_45_lists_every_unfinished_order(sweep, db_path):
    everything = [("L", "late", "2026-11-22 08:10:00", "32.6", "0", ""),
                  ("N", "no_feedback", "2026-11-23 14:10:00", "2.6", "0", ""),
                  ("Q", "end_of_day", "2026-11-24 11:50:00", "-19.1", "0", ""),  # hours still to go
                  ("F", "end_of_day", "2026-11-26 09:10:00", "-64.4", "0", "")]
    assert chase(sweep, "--end-of-day", now="2026-11-23 16:45") == everything
    assert chase(sweep, now="2026-11-23 16:45") == everything[:2]
    r = sweep("chase", "--record", "--end-of-day", now="2026-11-23 16:45")
    assert r.stderr == "4 chase(s) recorded at 2026-11-23 16:45:00\n"
    for now in ("2026-11-23 16:45", "2026-11-23 18:30"):  # cron runs it again: nothing changes
        again = sweep("chase", "--record", "--end-of-day", now=now)
        assert again.stderr == (f"0 chase(s) recorded at {now}:00; 4 order(s) chased within the last 1h or since "
                                "today's clean-up began, not again\n")
    assert sqlite3.connect(db_path).execute("SELECT reason, count(*) FROM chases GROUP BY 1 ORDER BY 1").fetchall() == [
        ("end_of_day", 2), ("late", 1), ("no_feedback", 1)]


def test_the_next_morning_follows_up_the_leftovers(sweep):
    assert sweep("chase", "--record", "--end-of-day", now="2026-11-23 16:45").exit_code == 0
    swept = "2026-11-23 16:45:00"
    assert chase(sweep, now="2026-11-24 09:00") == [
        ("L", "late", "2026-11-22 08:10:00", "48.8", "1", swept),
        ("N", "no_feedback", "2026-11-23 14:10:00", "18.8", "1", swept),
        ("Q", "leftover", "2026-11-24 11:50:00", "-2.8", "1", swept),
        ("F", "leftover", "2026-11-26 09:10:00", "-48.2", "1", swept)]
    assert sweep("chase", "--record", now="2026-11-24 09:00").stderr == "4 chase(s) recorded at 2026-11-24 09:00:00\n"
    # followed up: the leftovers are done for the day
    assert [c[:2] for c in chase(sweep, now="2026-11-24 10:30")] == [("L", "late"), ("N", "no_feedback")]
    # the day after, without a clean-up in between, they are not leftovers any more
    assert [c[0] for c in chase(sweep, now="2026-11-25 09:00")] == ["L", "N", "Q"]  # Q: no feedback by Tue 11:50


def test_friday_evenings_leftovers_are_mondays(cli, tmp_path):
    cli("import", write(tmp_path / "w.csv", HEAD + "F,repair,other,East,P2,E2,Ma,13800138002,2026-11-20 09:10,"
                                                    "2026-11-20 09:30,,\n"), now="2026-11-20 16:00")
    assert cli("chase", "--record", "--end-of-day", now="2026-11-20 16:45").exit_code == 0
    assert chase(cli, now="2026-11-21 10:00") == []  # Saturday is no working morning
    assert chase(cli, now="2026-11-23 09:00") == [
        ("F", "leftover", "2026-11-23 09:10:00", "-0.2", "1", "2026-11-20 16:45:00")]
    assert chase(cli, now="2026-11-23 09:20") == [
        ("F", "late", "2026-11-23 09:10:00", "0.2", "1", "2026-11-20 16:45:00")]


def test_chase_stays_on_the_indexes_with_customers_and_leftovers(tmp_path):
    from callbackctl import desk as desk_mod, dispatch

    d = desk_mod.open_desk(str(tmp_path / "p.db"), now="2026-11-24 09:00")
    sql, params = dispatch.chase_query(d.policy, d.now, customers=True, everything=True,
                                       swept=("2026-11-23 16:45:00", "2026-11-24"))
    steps = [r[3] for r in d.conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
    assert "SEARCH o USING COVERING INDEX orders_unfinished (reported_at<?)" in steps, steps
    assert any("contacts_order_id_kind_received_at (order_id=? AND kind=?" in s for s in steps), steps
    assert not any(s.startswith("SCAN") for s in steps), steps
    probe = [r[3] for r in d.conn.execute("EXPLAIN QUERY PLAN SELECT 1 FROM contacts WHERE kind = 'chase' "
                                          "AND received_at <= ? LIMIT 1", ("2026-11-24",))]
    assert probe == ["SEARCH contacts USING INDEX contacts_chases (received_at<?)"], probe


# -- find and show ---------------------------------------------------------------------------------

def test_find_shows_the_replies_owed(desk):
    add(desk, "--phone", "13800138001", "--order", "D", "--kind", "service", "--text", "发票", now="2026-11-23 10:10")
    add(desk, "--phone", "139-1234-5678", "--customer", "钱先生", "--kind", "consultation", "--text", "网点",
        now="2026-11-23 10:12")
    add(desk, "--phone", "13800138002", "--kind", "consultation", "--text", "价格", now="2026-11-23 10:15")
    r = desk("find", "13800138001", "-f", "csv", now="2026-11-23 10:20")
    assert r.stdout.splitlines()[1:] == [
        "D,Wu Gang,13800138001,repair,completed,2026-11-20 16:00:00,East,P1,"
        "due now until 2026-11-25 17:00; reply C-1 due by 2026-11-23 10:40,,,,phone"]
    # a call about no order: a row of its own, found by phone or name; on an order of that phone, `by phone`
    r = desk("find", "钱", "-f", "csv", now="2026-11-23 10:50")
    assert r.stdout.splitlines()[1:] == [",钱先生,13912345678,,,,,,reply C-2 overdue since 2026-11-23 10:42,,,,customer"]
    assert desk("find", "5678", "-f", "csv", now="2026-11-23 10:50").stdout.splitlines()[1:] == [
        ",钱先生,13912345678,,,,,,reply C-2 overdue since 2026-11-23 10:42,,,,phone"]
    r = desk("find", "W", "-f", "json", now="2026-11-23 10:20")
    assert json.loads(r.stdout)[0]["callback"] == "reply C-3 due by 2026-11-23 10:45 by phone"
    desk("contact", "reply", "2", "--text", "已告知", now="2026-11-23 11:00")
    assert desk("find", "钱", "-f", "csv", now="2026-11-23 11:00").stdout.splitlines()[1:] == []


def test_an_orders_inbound_calls_and_one_calls_details(desk, db_path):
    from callbackctl import contacts, orders, show

    add(desk, "--phone", "13800138001", "--order", "D", "--kind", "service", "--text", "发票", "--agent", "王芳",
        now="2026-11-23 10:10")
    add(desk, "--phone", "13800138001", "--order", "D", "--kind", "consultation", "--text", "保养", "--answered",
        "--agent", "李娜", now="2026-11-23 10:20")
    desk("contact", "reply", "1", "--text", "已开", now="2026-11-23 10:30")
    d = open_desk(db_path, now="2026-11-23 11:00")
    rows = contacts.contacts_of(d, orders.get(d.conn, "D"))
    assert [tuple(r[c] for c in contacts.SHOW_COLUMNS) for r in rows] == [
        (1, "2026-11-23 10:10:00", "service", "13800138001", "发票", False, "王芳", "2026-11-23 10:40:00",
         "2026-11-23 10:30:00", "已开", False),
        (2, "2026-11-23 10:20:00", "consultation", "13800138001", "保养", True, "李娜", None, None, None, False)]
    sections = contacts.details(d, "c-1")
    assert [title for title, _, _ in sections] == ["contact", "reply calls", "audit log"]
    fields = {r["field"]: r["value"] for r in sections[0][2]}
    assert (fields["key"], fields["order_no"], fields["reply"]) == ("C-1", "D", "已开")
    assert [c["outcome"] for c in sections[1][2]] == ["reached"]
    assert [e["kind"] for e in sections[2][2]] == ["contact_added", "contact_replied"]
    assert show.document(sections)["contact"]["key"] == "C-1"
    # the order's audit log has them
    events = [r["kind"] for r in show.details(d, "D")[-1][2]]
    assert events.count("contact_added") == 2 and "contact_replied" in events


# -- every promise not yet kept ---------------------------------------------------------------------

PROMISES = "kind,key,order_no,customer,phone,made_at,due_by,overdue,what"


def test_one_command_lists_every_promise_not_yet_kept(desk):
    """Done when (#20): a desk prints, at any moment, every promise it made and has not kept."""
    assert desk("record", "D", "--outcome", "busy", "--callback-at", "15:00", now="2026-11-23 10:00").exit_code == 0
    assert desk("complaint", "add", "--order", "D", "--against", "engineer", "--text", "迟到",
                now="2026-11-23 10:05").exit_code == 0
    add(desk, "--phone", "13912345678", "--kind", "consultation", "--text", "保养周期多久", now="2026-11-23 10:10")
    add(desk, "--phone", "13912345678", "--kind", "consultation", "--text", "营业时间", "--answered",
        now="2026-11-23 10:12")
    promised = [
        "reply,C-1,,,13912345678,2026-11-23 10:10:00,2026-11-23 10:40:00,{},consultation: 保养周期多久",
        "callback,D,D,Wu Gang,13800138001,2026-11-23 10:00:00,2026-11-23 15:00:00,{},"
        "call back as promised (busy at 2026-11-23 10:00)",
        "complaint,#1,D,Wu Gang,13800138001,2026-11-23 10:05:00,2026-11-24 10:05:00,0,"
        "reply to a complaint against engineer: 迟到"]
    r = desk("promises", "-f", "csv", now="2026-11-23 10:20")
    assert r.stdout.splitlines() == [PROMISES, promised[0].format(0), promised[1].format(0), promised[2]]
    r = desk("promises", "--overdue", "-f", "csv", now="2026-11-23 15:01")
    assert r.stdout.splitlines() == [PROMISES, promised[0].format(1), promised[1].format(1)]
    assert desk("promises", "--kind", "complaint", "-f", "csv", now="2026-11-23 15:01").stdout.splitlines() == [
        PROMISES, promised[2]]
    # each kept in its own way
    desk("contact", "reply", "1", "--text", "每250小时", now="2026-11-23 15:05")
    desk("record", "D", "--outcome", "reached", "--satisfaction", "满意", now="2026-11-23 15:05")
    desk("complaint", "respond", "1", "--text", "已核实", now="2026-11-23 15:10")
    r = desk("promises", now="2026-11-23 15:20")
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", "no promises to keep\n")
    # and as of 10:20, they were all there
    assert len(desk("promises", "-f", "csv", now="2026-11-23 10:20").stdout.splitlines()) == 4


# -- the demo -------------------------------------------------------------------------------------------

def test_the_demo_registers_a_mornings_calls(cli):
    assert cli("demo").exit_code == 0
    assert listed(cli, now="2026-11-23 10:00") == [
        "1,2026-11-23 08:40:00,15619958225,SY2026110036,consultation,问保养周期和该用哪种机油,1,,,0",
        "2,2026-11-23 09:20:00,13222029729,SY2026110009,chase,报修两天了，师傅还没联系,0,2026-11-23 09:50:00,"
        "2026-11-23 09:45:00,0",
        "3,2026-11-23 09:50:00,13911112222,,service,问附近的服务网点和营业时间,0,2026-11-23 10:20:00,,0"]
    assert ("SY2026110009", "customer", "2026-11-23 09:20:00", "0.7", "0", "") in chase(cli, now="2026-11-23 10:00")
    r = cli("--lang", "zh", "contact", "list", "--open", now="2026-11-23 10:00")
    assert r.stdout.splitlines()[0].split() == ["编号", "受理时间", "电话", "工单号", "类别", "内容", "当场答复", "答复期限",
                                                "答复时间", "超期"]


# -- the due list, show, record and release take C- keys --------------------------------------------

def _due_lists_replies(cli, now):
    r = cli("due", "-f", "json", now=now)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_due_claim_record_and_release_a_reply(desk):
    add(desk, "--phone", "13912345678", "--customer", "钱先生", "--kind", "consultation", "--text", "保养周期多久",
        now="2026-11-20 16:50")
    rows = _due_lists_replies(desk, now="2026-11-23 08:40")
    assert [r for r in rows if r["order_no"] == "C-1"] == [{
        "order_no": "C-1", "customer": "钱先生", "phone": "13912345678", "service_type": None, "region": None,
        "provider": None, "engineer": None, "completed_at": None, "due_at": "2026-11-20 16:50:00",
        "deadline": "2026-11-23 08:50:00", "attempts": 0, "last_outcome": None, "reason": "reply", "overdue": False,
        "claimed_by": None}]
    r = desk("due", "--reason", "reply", "-f", "csv", now="2026-11-23 08:40")
    assert [line.split(",")[0] for line in r.stdout.splitlines()[1:]] == ["C-1"]
    r = desk("claim", "--agent", "王芳", "-f", "json", now="2026-11-23 08:40")
    assert json.loads(r.stdout)[0]["order_no"] == "C-1"  # the soonest deadline
    assert json.loads(desk("due", "--reason", "reply", "-f", "json", now="2026-11-23 08:41").stdout)[0][
        "claimed_by"] == "王芳"
    r = desk("record", "C-1", "-o", "n", "-f", "csv", now="2026-11-23 08:42")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[1] == "C-1,2026-11-23 08:42:00,no_answer,,,,,,,,,,reply,C1"
    [row] = json.loads(desk("due", "--reason", "reply", "--until", "+3h", "-f", "json", now="2026-11-23 08:43").stdout)
    assert (row["due_at"], row["attempts"], row["last_outcome"], row["claimed_by"]) == (
        "2026-11-23 10:42:00", 1, "no_answer", None)
    assert desk("release", "C-1", now="2026-11-23 08:44").stderr == "C-1: nobody held it\n"
    r = desk("record", "C-1", "-o", "reached", "--note", "每250小时", now="2026-11-23 10:45")
    assert r.exit_code == 0, r.output
    assert desk("due", "--reason", "reply", now="2026-11-23 10:46").stderr == "no callbacks due\n"
    again = desk("record", "C-1", "-o", "reached", "--note", "每250小时", now="2026-11-23 10:45")
    assert (again.exit_code, again.stderr) == (0, "C-1: this call (reached at 2026-11-23 10:45:00) was recorded "
                                                  "before; nothing changed\n")
    bad = desk("record", "C-1", "-o", "reached", "-s", "满意", now="2026-11-23 10:50")
    assert bad.exit_code in (1, 2) and bad.stderr.startswith("Error: ")


def test_show_lists_an_orders_inbound_calls_and_one_call(desk):
    add(desk, "--phone", "13800138001", "--order", "D", "--kind", "service", "--text", "发票", "--agent", "王芳",
        now="2026-11-23 10:10")
    doc = json.loads(desk("show", "D", "-f", "json", now="2026-11-23 10:20").stdout)
    assert [(c["id"], c["kind"], c["reply_due"], c["overdue"]) for c in doc["inbound_calls"]] == [
        (1, "service", "2026-11-23 10:40:00", False)]
    one = json.loads(desk("show", "C-1", "-f", "json", now="2026-11-23 10:20").stdout)
    assert (one["contact"]["order_no"], one["contact"]["text"], one["reply_calls"]) == ("D", "发票", [])


def test_the_clean_up_is_found_from_its_own_index(tmp_path):
    d = open_desk(str(tmp_path / "p.db"), now="2026-11-24 09:00")
    steps = [r[3] for r in d.conn.execute(
        "EXPLAIN QUERY PLAN SELECT min(chased_at) FROM chases WHERE chased_at >= ? AND chased_at < ? "
        "AND chased_at <= ? AND reason = 'end_of_day'", ("2026-11-23", "2026-11-24", "2026-11-24 09:00:00"))]
    assert steps == ["SEARCH chases USING INDEX chases_end_of_day (chased_at>? AND chased_at<?)"], steps


def test_work_takes_an_owed_reply_as_a_card(tmp_path):
    """work's card for C-3 (the demo's open reply): what the caller asked, not rated, nothing to check."""
    import shutil
    import subprocess

    from callbackctl import calls, desk as desk_mod, duelist, session

    exe = shutil.which("callbackctl")
    if exe is None:
        pytest.skip("callbackctl must be installed")
    db = str(tmp_path / "demo.db")
    subprocess.run([exe, "--db", db, "demo"], check=True, capture_output=True)
    d = desk_mod.open_desk(db, now="2026-11-23 10:00")
    s = session.Session(d, "王芳", fixed_now=True)
    card = s.card(duelist.claim_next(d, "王芳", reason="reply"))
    assert (card.order_no, card.order["customer"], card.order["phone"], card.lines, card.checks) == (
        "C-3", "钱先生", "13911112222", [("greeting", "问附近的服务网点和营业时间")], ())
    row = s.record(card, calls.Call(order_no="", outcome="reached", scores={}, note="已答复"))
    assert (row["order_no"], row["outcome"], row["reason"], row["index"]) == ("C-3", "reached", "reply", None)
    from callbackctl import duelist

    assert duelist.due(d, reason="reply") == []  # the reply is given
