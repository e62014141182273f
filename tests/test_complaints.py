"""Complaints and apologies at fixed times. Defaults: reply within 24h; apology windows
08:30-12:00 and 14:30-21:00 every day, 3 attempts, close within 48h, 3 complaints in 90 days = serial."""

import csv
import io
import json
import sqlite3

import pytest

from conftest import write

ORDERS = """order_no,service_type,customer,phone,vip,completed_at
A1,repair,Li Na,13800138000,,2026-11-20 15:00
V1,repair,Boss Wang,13900139000,VIP,2026-11-20 15:00
"""


@pytest.fixture
def desk(cli, tmp_path):
    cli("import", write(tmp_path / "o.csv", ORDERS))
    return cli


def add(cli, *args, now="2026-11-23 10:00"):
    r = cli("complaint", "add", *args, now=now)
    assert r.exit_code == 0, r.output
    return r.stdout.strip()


def listed(cli, *args, now):
    r = cli("complaint", "list", "-f", "csv", *args, now=now)
    return [(x["id"], x["status"], x["reply_due"], x["overdue"]) for x in csv.DictReader(io.StringIO(r.stdout))]


def test_add_prints_the_id_and_lists_with_its_reply_deadline(desk):
    assert add(desk, "--order", "A1", "--against", "engineer", "--target", "王建国", "--text", "迟到两小时") == "1"
    r = desk("complaint", "list", "-f", "json", now="2026-11-23 11:00")
    c = json.loads(r.stdout)[0]
    assert {k: c[k] for k in ("id", "order_no", "customer", "phone", "against", "target", "severity", "status",
                              "received_at", "reply_due", "overdue")} == {
        "id": 1, "order_no": "A1", "customer": "Li Na", "phone": "13800138000", "against": "engineer",
        "target": "王建国", "severity": "general", "status": "open", "received_at": "2026-11-23 10:00:00",
        "reply_due": "2026-11-24 10:00:00", "overdue": False}


def test_overdue_reply_and_the_answer(desk):
    add(desk, "--phone", "+86 138-0013-8000", "--against", "provider", "--text", "没人上门")
    assert listed(desk, "--overdue", now="2026-11-24 10:00") == []
    assert listed(desk, "--overdue", now="2026-11-24 10:01") == [("1", "open", "2026-11-24 10:00:00", "1")]
    desk("complaint", "respond", "1", "--text", "已安排明天上门", now="2026-11-24 11:00")
    assert listed(desk, now="2026-11-24 12:00") == [("1", "replied", "2026-11-24 10:00:00", "0")]


def test_special_complaints_start_escalated(desk):
    add(desk, "--order", "A1", "--against", "product", "--severity", "special", "--text", "机器起火")
    assert listed(desk, now="2026-11-23 10:00") == [("1", "escalated", "2026-11-24 10:00:00", "0")]
    r = desk("complaint", "escalate", "1")
    assert r.exit_code == 1 and r.stderr == "Error: complaint 1 is escalated: cannot escalate it\n"


def test_close_needs_a_satisfied_callback_and_unsatisfied_reopens(desk, db_path):
    add(desk, "--order", "A1", "--against", "engineer", "--text", "修完又坏")
    r = desk("complaint", "close", "1", "--satisfied")
    assert r.exit_code == 1 and r.stderr == "Error: complaint 1 is open: cannot close it (resolve it first)\n"
    desk("complaint", "resolve", "1", "--text", "更换主板", now="2026-11-23 15:00")
    r = desk("complaint", "close", "1", "--unsatisfied", now="2026-11-24 09:00")
    assert r.exit_code == 0 and r.stderr == "complaint 1: open again (reopened)\n"
    assert listed(desk, now="2026-11-25 09:01") == [("1", "open", "2026-11-25 09:00:00", "1")]
    desk("complaint", "resolve", "1", now="2026-11-25 10:00")
    assert desk("complaint", "close", "1", "--satisfied", now="2026-11-25 11:00").exit_code == 0
    assert listed(desk, "--open", now="2026-11-25 12:00") == []
    r = desk("complaint", "respond", "1", "--text", "x")
    assert r.exit_code == 1 and r.stderr == "Error: complaint 1 is closed: cannot respond it\n"
    kinds = [k for (k,) in sqlite3.connect(db_path).execute(
        "SELECT kind FROM events WHERE kind LIKE 'complaint%' ORDER BY id")]
    assert kinds == ["complaint_added", "complaint_resolve", "complaint_reopen", "complaint_resolve", "complaint_close"]


@pytest.mark.parametrize("args, code, message", [
    (["complaint", "respond", "9", "--text", "x"], 1, "Error: unknown complaint 9\n"),
    (["complaint", "add", "--against", "agent", "--text", "x"], 2, "Error: give --order ORDER_NO or --phone PHONE\n"),
    (["complaint", "add", "--order", "NOPE", "--against", "agent", "--text", "x"], 1, "Error: unknown order 'NOPE'\n"),
    (["complaint", "add", "--order", "A1", "--against", "cat", "--text", "x"], 2, "Invalid value for '--against'"),
    (["apology", "open", "9"], 1, "Error: unknown complaint 9\n"),
])
def test_steps_that_make_no_sense(desk, args, code, message):
    r = desk(*args)
    assert r.exit_code == code
    assert message in r.stderr


def agent_complaint(cli, phone="13800138000", target="小王", now="2026-11-23 10:00"):
    return add(cli, "--phone", phone, "--against", "agent", "--target", target, "--text", "态度差", now=now)


def apology_due(cli, now):
    r = cli("apology", "due", "-f", "csv", now=now)
    return [(x["id"], x["attempts"]) for x in csv.DictReader(io.StringIO(r.stdout))]


def test_apology_windows(desk):
    agent_complaint(desk)
    desk("apology", "open", "1", now="2026-11-23 10:00")
    assert apology_due(desk, "2026-11-23 11:59") == [("1", "0")]
    assert apology_due(desk, "2026-11-23 12:30") == []
    assert apology_due(desk, "2026-11-23 14:35") == [("1", "0")]
    assert apology_due(desk, "2026-11-29 20:59") == [("1", "0")]  # Sundays too
    r = desk("apology", "record", "1", "--outcome", "accepted", now="2026-11-23 12:30")
    assert r.exit_code == 1
    assert r.stderr == "Error: apology calls are allowed only 08:30-12:00, 14:30-21:00 (now 12:30)\n"


def test_three_unanswered_attempts_queue_an_sms(desk):
    agent_complaint(desk)
    desk("apology", "open", "1")
    for t in ("2026-11-23 10:00", "2026-11-23 15:00"):
        desk("apology", "record", "1", "--outcome", "no_answer", now=t)
    assert apology_due(desk, "2026-11-23 16:00") == [("1", "2")]
    desk("apology", "record", "1", "--outcome", "no_answer", now="2026-11-23 17:00")
    assert apology_due(desk, "2026-11-23 18:00") == []
    r = desk("apology", "sms", "-f", "csv", now="2026-11-23 18:00")
    assert r.stdout.splitlines() == ["id,phone,text",
                                     "1,13800138000,尊敬的客户您好：关于您反映的问题，我们深表歉意，已严肃处理并改进。感谢您的监督与支持！"]
    sent = desk("apology", "sent", "-", input=r.stdout, now="2026-11-23 18:05")
    assert (sent.exit_code, sent.stderr) == (0, "1 apology message(s) marked sent\n")
    again = desk("apology", "sent", "1", now="2026-11-23 18:06")
    assert (again.exit_code, again.stderr) == (0, "0 apology message(s) marked sent; sent before: 1\n")
    assert desk("apology", "sms", "-f", "csv", now="2026-11-23 18:10").stdout == "id,phone,text\n"
    got = json.loads(desk("apology", "list", "-f", "json", now="2026-11-23 18:10").stdout)[0]
    assert (got["state"], got["attempts"], got["closed_at"], got["missed"]) == ("sms_sent", 3, "2026-11-23 18:05:00", False)


@pytest.mark.parametrize("outcome", ["refused", "hung_up"])
def test_refusal_or_hang_up_stops_the_calls(desk, outcome):
    agent_complaint(desk)
    desk("apology", "open", "1")
    desk("apology", "record", "1", "--outcome", outcome, "--note", "客户不想再接电话", now="2026-11-23 10:30")
    assert apology_due(desk, "2026-11-23 15:00") == []
    again = desk("apology", "record", "1", "--outcome", "accepted", now="2026-11-23 15:00")
    assert again.exit_code == 1 and again.stderr == "Error: apology 1 is sms_pending: no more calls\n"


def test_vip_serial_and_several_agents_get_no_call(desk):
    add(desk, "--order", "V1", "--against", "agent", "--target", "小王", "--text", "x")        # 1: VIP by order
    agent_complaint(desk, target="小王、小李")                                                   # 2: several agents
    for day in ("2026-09-01", "2026-10-01", "2026-11-20"):                                    # 3-5: serial
        agent_complaint(desk, phone="13700137000", now=f"{day} 10:00")
    agent_complaint(desk, phone="13600136000", now="2026-08-01 10:00")                        # 6, 7: 2 in 90 days
    agent_complaint(desk, phone="13600136000", now="2026-11-20 10:00")
    reasons = {}
    for cid in ("1", "2", "5", "7"):
        r = desk("apology", "open", cid, "-f", "json", now="2026-11-23 10:00")
        reasons[cid] = json.loads(r.stdout)[0]["skip_reason"]
    assert reasons == {"1": "vip", "2": "several_agents", "5": "serial_complainer", "7": None}
    assert apology_due(desk, "2026-11-23 10:00") == [("4", "0")]


def test_only_agent_complaints_get_apologies(desk):
    add(desk, "--order", "A1", "--against", "engineer", "--text", "x")
    r = desk("apology", "open", "1")
    assert r.exit_code == 1 and r.stderr == "Error: complaint 1 is against engineer, not a desk agent: no apology call\n"


def test_missed_close_within(desk):
    agent_complaint(desk)
    desk("apology", "open", "1", now="2026-11-23 10:00")
    got = lambda now: json.loads(desk("apology", "list", "-f", "json", now=now).stdout)[0]["missed"]  # noqa: E731
    assert got("2026-11-25 10:00") is False and got("2026-11-25 10:01") is True


def test_policy_numbers_change_the_behaviour(desk, tmp_path):
    pol = write(tmp_path / "p.toml", '[complaint]\nreply_within = "2h"\n[apology]\nwindows = ["12:00-13:00"]\n'
                                     'max_attempts = 1\nclose_within = "1h"\nserial_complaints = 2\n')
    agent_complaint(desk, phone="13700137000", now="2026-11-01 10:00")
    agent_complaint(desk)
    c = json.loads(desk("complaint", "list", "-f", "json", policy=pol, now="2026-11-23 12:30").stdout)
    assert (c[1]["reply_due"], c[1]["overdue"]) == ("2026-11-23 12:00:00", True)
    desk("apology", "open", "2", policy=pol)
    assert apology_due(desk, "2026-11-23 12:30") == [] and desk("apology", "due", "-f", "csv", policy=pol,
                                                                now="2026-11-23 12:30").stdout.count("\n") == 2
    desk("apology", "record", "1", "--outcome", "no_answer", policy=pol, now="2026-11-23 12:30")
    assert json.loads(desk("apology", "list", "-f", "json", policy=pol, now="2026-11-23 12:30").stdout)[0]["state"] == "sms_pending"
    agent_complaint(desk, phone="13700137000", now="2026-11-23 12:00")
    r = desk("apology", "open", "3", "-f", "json", policy=pol, now="2026-11-23 12:40")
    assert json.loads(r.stdout)[0]["skip_reason"] == "serial_complainer"
    missed = lambda **kw: json.loads(desk("apology", "list", "-f", "json", now="2026-11-23 12:40", **kw).stdout)[0]["missed"]  # noqa: E731
    assert missed(policy=pol) is True and missed() is False  # close_within 1h vs 48h


def test_complaints_show_on_the_order(desk):
    add(desk, "--order", "A1", "--against", "engineer", "--text", "迟到")
    doc = json.loads(desk("show", "A1", "-f", "json").stdout)
    assert [(c["id"], c["status"]) for c in doc["complaints"]] == [(1, "open")]


def test_mark_sent_without_ids_is_refused(desk):
    r = desk("apology", "sms", "--mark-sent")
    assert r.exit_code == 2 and r.stderr.startswith("Error: --mark-sent would also mark a message queued after you "
                                                    "listed them: mark the ones your gateway sent with")


def test_only_the_messages_sent_are_marked(desk, db_path):
    import sqlite3

    for phone, t in (("13800138001", "10:00"), ("13800138002", "10:05")):
        desk("complaint", "add", "--phone", phone, "--against", "agent", "--target", "小王", "--text", "x",
             now=f"2026-11-23 {t}")
    for cid in ("1", "2"):
        desk("apology", "open", cid, now="2026-11-23 10:10")
    desk("apology", "record", "1", "--outcome", "refused", now="2026-11-23 10:30")
    listed = desk("apology", "sms", "-f", "csv", now="2026-11-23 10:40").stdout
    desk("apology", "record", "2", "--outcome", "hung_up", now="2026-11-23 10:45")  # queued after the list
    assert desk("apology", "sent", "-", input=listed, now="2026-11-23 10:50").exit_code == 0
    states = sqlite3.connect(db_path).execute("SELECT id, state FROM apologies ORDER BY id").fetchall()
    assert states == [(1, "sms_sent"), (2, "sms_pending")]
    assert desk("apology", "sent", "9", now="2026-11-23 10:50").stderr == "Error: unknown apology 9\n"
    assert desk("apology", "sent", "x1").stderr == "Error: 'x1' is not an apology id\n"
