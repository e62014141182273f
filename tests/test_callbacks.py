"""due, record, followup and show at fixed times. Defaults: windows 09:30-11:30, 14:40-17:00."""

import csv
import io
import json
import sqlite3
import zlib

import pytest

from conftest import candidates, write

ORDERS = """order_no,service_type,customer,phone,region,provider,engineer,completed_at,machine_hours,location,parts_replaced,fee,status
R1,维修,Li,13800138000,East,P1,E1,2026-11-20 15:00,1000,吴中矿场,"filter, seal",350,
I1,安装,Wu,13800138001,North,P2,E2,2026-11-23 10:00,,,,,
M1,保养,Ma,13800138002,East,P1,E1,2026-11-23 11:20,,,,,
C1,维修,Xu,13800138003,East,P1,E1,2026-11-20 15:00,,,,,已取消
O1,维修,Hu,13800138004,East,P1,E1,,,,,,
P1,零件购买,Zhu,13800138005,East,P1,E1,2026-11-20 15:00,,,,,
"""


@pytest.fixture
def desk(cli, tmp_path):
    r = cli("import", write(tmp_path / "orders.csv", ORDERS))
    assert r.exit_code == 0, r.output
    return cli


def due(cli, *args, now):
    r = cli("due", "-f", "csv", *args, now=now)
    assert r.exit_code == 0, r.output
    return list(csv.DictReader(io.StringIO(r.stdout)))


def brief(rows):
    return [(r["order_no"], r["due_at"][5:16], r["deadline"][5:16], r["attempts"], r["last_outcome"], r["reason"], r["overdue"])
            for r in rows]


def test_contract_examples_on_the_due_list(desk):
    assert brief(due(desk, now="2026-11-23 09:29")) == []
    assert brief(due(desk, now="2026-11-23 09:30")) == [("R1", "11-23 09:30", "11-25 17:00", "0", "", "first", "0")]
    assert brief(due(desk, "--until", "tomorrow 17:00", now="2026-11-23 12:00")) == [
        ("M1", "11-23 14:40", "11-24 10:10", "0", "", "first", "0"),
        ("I1", "11-24 09:30", "11-24 17:00", "0", "", "first", "0"),
        ("R1", "11-23 09:30", "11-25 17:00", "0", "", "first", "0"),
    ]


def test_csv_columns_are_the_contract(desk):
    r = desk("due", "-f", "csv", now="2026-11-23 10:00")
    assert r.stdout.splitlines()[0] == ("order_no,customer,phone,service_type,region,provider,engineer,completed_at,"
                                        "due_at,deadline,attempts,last_outcome,reason,overdue,claimed_by")
    assert r.stdout.splitlines()[1] == ("R1,Li,13800138000,repair,East,P1,E1,2026-11-20 15:00:00,2026-11-23 09:30:00,"
                                        "2026-11-25 17:00:00,0,,first,0,")


def test_json_booleans_and_nulls(desk):
    got = json.loads(desk("due", "-f", "json", now="2026-11-26 10:00").stdout)
    assert got[0]["overdue"] is True and got[0]["last_outcome"] is None and got[0]["attempts"] == 0


def test_retry_that_falls_into_the_lunch_gap(desk):
    r = desk("record", "R1", "--outcome", "no_answer", now="2026-11-23 10:00")
    assert r.exit_code == 0
    assert brief(due(desk, "--type", "repair", now="2026-11-23 14:39")) == []
    assert brief(due(desk, "--type", "repair", now="2026-11-23 14:40")) == [("R1", "11-23 14:40", "11-25 17:00", "1", "no_answer", "retry", "0")]


def test_attempts_used_up_make_the_order_unreachable(desk):
    for now in ("2026-11-23 09:30", "2026-11-23 14:40", "2026-11-24 09:30"):
        assert desk("record", "R1", "--outcome", "busy", now=now).exit_code == 0
    assert due(desk, "--type", "repair", now="2026-11-24 16:00") == []
    r = desk("followup", "list", "-f", "csv", now="2026-11-24 16:00")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [(x["order_no"], x["reason"], x["since"], x["detail"]) for x in rows] == [
        ("R1", "unreachable", "2026-11-24 09:30:00", "3 attempts, last busy")
    ]
    again = desk("record", "R1", "--outcome", "busy", now="2026-11-24 16:00")
    assert again.exit_code == 1
    assert again.stderr == ("Error: order R1: the callback of round 1 is finished (busy); "
                            "record a second visit with `followup done` first\n")


def test_a_promise_outside_the_windows_rolls_into_the_next_one(desk):
    r = desk("record", "R1", "--outcome", "busy", "--callback-at", "12:30", now="2026-11-23 10:00")
    assert r.exit_code == 0
    assert due(desk, "--type", "repair", now="2026-11-23 14:00") == []
    assert brief(due(desk, "--type", "repair", now="2026-11-23 14:40")) == [
        ("R1", "11-23 14:40", "11-25 17:00", "1", "busy", "promised", "0")]
    # a call made at the time promised to the customer is no attempt (the first one, busy, is)
    for t in ("2026-11-23 14:40", "2026-11-24 09:30"):
        desk("record", "R1", "--outcome", "no_answer", "--callback-at", "+1h", now=t)
    assert brief(due(desk, "--reason", "promised", now="2026-11-24 14:40")) == [
        ("R1", "11-24 10:30", "11-25 17:00", "1", "no_answer", "promised", "0")]


def test_second_visit_and_second_callback_until_satisfied(desk, db_path):
    r = desk("record", "R1", "--outcome", "reached", "--satisfaction", "不满意", "-f", "csv", now="2026-11-23 10:00")
    assert r.exit_code == 0
    assert r.stdout.splitlines()[1] == "R1,2026-11-23 10:00:00,reached,2,2,2,2,2,2.0,,,dissatisfied,first,1"
    assert due(desk, "--type", "repair", now="2026-11-23 10:05") == []
    done = desk("followup", "done", "R1", "--at", "2026-11-24 16:00", now="2026-11-24 17:00")
    assert done.exit_code == 0 and done.stderr == "R1: 1 follow-up(s) done; a second callback falls due\n"
    assert brief(due(desk, "--type", "repair", now="2026-11-25 09:30")) == [("R1", "11-25 09:30", "11-27 17:00", "0", "", "second", "0")]
    r = desk("record", "R1", "--outcome", "reached", "--satisfaction", "非常满意", "-f", "json", now="2026-11-25 10:00")
    out = json.loads(r.stdout)[0]
    assert (out["index"], out["followup"], out["reason"]) == (5.0, None, "second")
    assert desk("followup", "list", "-f", "csv", now="2026-11-25 10:00").stdout.strip() == (
        "order_no,reason,since,round,customer,phone,region,provider,engineer,detail")
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT reason, done_at, resolved_at FROM followups").fetchall() == [
        ("dissatisfied", "2026-11-24 16:00:00", "2026-11-25 10:00:00")]


def test_followup_done_without_a_followup_is_an_error(desk):
    r = desk("followup", "done", "R1")
    assert r.exit_code == 1 and r.stderr == "Error: order R1 has no open follow-up\n"


def test_calls_survive_a_reimport(desk, tmp_path):
    desk("record", "R1", "--outcome", "no_answer", now="2026-11-23 10:00")
    changed = ORDERS.replace("R1,维修,Li,", "R1,维修,Li Na,")
    r = desk("import", write(tmp_path / "again.csv", changed), "-f", "csv")
    assert ",1,5,0" in r.stdout  # R1 updated, the rest unchanged
    assert brief(due(desk, "--type", "repair", now="2026-11-23 14:40")) == [
        ("R1", "11-23 14:40", "11-25 17:00", "1", "no_answer", "retry", "0")]


def test_a_finished_callback_stays_finished_when_the_completion_date_is_corrected(desk, tmp_path):
    # The reached call (11-23) now lies weeks before the corrected completion
    # (12-18): the due query's index shortcut misses it, the schedule must not.
    desk("record", "R1", "--outcome", "reached", "--satisfaction", "满意", now="2026-11-23 10:00")
    desk("import", write(tmp_path / "fixed.csv", "order_no,completed_at\nR1,2026-12-18 15:00\n"))
    assert [r["order_no"] for r in due(desk, "--until", "+30d", now="2026-12-21 10:00")] == []
    r = desk("record", "R1", "--outcome", "reached", "--satisfaction", "满意", now="2026-12-21 10:00")
    assert r.exit_code == 1 and "the callback of round 1 is finished (reached)" in r.stderr


def test_cancelled_open_and_ruleless_orders_never_appear(desk):
    listed = {r["order_no"] for r in due(desk, "--until", "+30d", now="2026-11-23 11:30")}  # M1 done 11:20
    assert listed == {"R1", "I1", "M1"}


def test_give_up_after_seven_calendar_days_past_the_deadline(desk):
    assert [r["order_no"] for r in due(desk, now="2026-12-02 17:00")] == ["R1"]
    assert [r["order_no"] for r in due(desk, now="2026-12-02 17:01")] == []


def test_filters_limit_and_overdue(desk):
    now = "2026-11-24 16:00"
    assert [r["order_no"] for r in due(desk, now=now)] == ["M1", "I1", "R1"]
    assert [r["order_no"] for r in due(desk, "--overdue", now=now)] == ["M1"]
    assert [r["order_no"] for r in due(desk, "--region", "North", now=now)] == ["I1"]
    assert [r["order_no"] for r in due(desk, "--type", "保养", now=now)] == ["M1"]
    assert [r["order_no"] for r in due(desk, "--limit", "2", now=now)] == ["M1", "I1"]
    bad = desk("due", "--type", "拆机")
    assert bad.exit_code == 2 and "unknown service type '拆机'" in bad.stderr


def test_coverage_below_one_is_a_stable_sample(cli, tmp_path):
    rows = "".join(f"S{i:03d},安装,,13800138000,,,,2026-11-20 10:00,,,,,\n" for i in range(200))
    cli("import", write(tmp_path / "many.csv", ORDERS.splitlines()[0] + "\n" + rows))
    pol = write(tmp_path / "p.toml", '[callback.rules.install]\ncoverage = 0.3\n')
    runs = [{r["order_no"] for r in json.loads(cli("due", "-f", "json", policy=pol, now="2026-11-23 10:00").stdout)}
            for _ in range(2)]
    expected = {f"S{i:03d}" for i in range(200) if zlib.crc32(f"S{i:03d}".encode()) / 2**32 < 0.3}
    assert runs[0] == runs[1] == expected
    assert 40 <= len(expected) <= 80


def test_scores_index_and_authenticity(desk):
    r = desk("record", "R1", "--outcome", "reached", "--satisfaction", "satisfied", "--parts", "3",
             "--hours", "1050", "--parts-replaced", "seal、Filter", "--fee", "350", "--location", "吴中矿场3号坑",
             "-f", "json", now="2026-11-23 10:00")
    out = json.loads(r.stdout)[0]
    assert (out["skill"], out["parts"], out["index"], out["genuine"], out["discrepancies"], out["followup"]) == (
        4, 3, 3.8, True, [], None)


@pytest.mark.parametrize("args, discrepancy", [
    (["--hours", "1091"], "hours: customer reads 1091, order has 1000"),  # 2 days after: 1000 + 50 + 2 x 20
    (["--hours", "949"], "hours: customer reads 949, order has 1000"),
    (["--parts-replaced", "filter"], "parts: customer says 'filter', order has 'filter, seal'"),
    (["--fee", "500"], "fee: customer paid 500, order has 350"),
    (["--location", "杭州湾工地"], "location: customer says '杭州湾工地', order has '吴中矿场'"),
])
def test_each_check_can_find_the_order_not_genuine(desk, args, discrepancy):
    r = desk("record", "R1", "--outcome", "reached", "--satisfaction", "5", *args, "-f", "json", now="2026-11-23 10:00")
    out = json.loads(r.stdout)[0]
    assert out["genuine"] is False and out["discrepancies"] == [discrepancy] and out["followup"] == "not_genuine"


def test_one_low_score_is_dissatisfied_even_with_a_good_mean(desk):
    r = desk("record", "R1", "--outcome", "reached", "--satisfaction", "5", "--timeliness", "2", "-f", "json", now="2026-11-23 10:00")
    assert json.loads(r.stdout)[0]["index"] == 4.4 and json.loads(r.stdout)[0]["followup"] == "dissatisfied"


def test_wrong_number_and_refusal(desk, db_path):
    desk("record", "R1", "--outcome", "wrong_number", now="2026-11-23 10:00")
    desk("record", "M1", "--outcome", "refused", now="2026-11-23 15:00")
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT phone_valid FROM orders WHERE order_no = 'R1'").fetchone() == (0,)
    assert conn.execute("SELECT o.order_no, f.reason FROM followups f JOIN orders o ON o.id = f.order_id").fetchall() == [
        ("R1", "invalid_contact")]
    assert [r["order_no"] for r in due(desk, "--region", "East", now="2026-11-23 15:00")] == []


@pytest.mark.parametrize("args, code, message", [
    (["NOPE", "--outcome", "reached", "--satisfaction", "4"], 1, "Error: unknown order 'NOPE'\n"),
    (["O1", "--outcome", "reached", "--satisfaction", "4"], 1, "Error: order O1 is open: callbacks are for completed orders\n"),
    (["R1", "--outcome", "no_answer", "--skill", "4"], 2, "Error: scores need --outcome reached (not no_answer)\n"),
    (["R1", "--outcome", "reached", "--satisfaction", "meh"], 2, "Error: --satisfaction: unknown satisfaction 'meh'"),
    (["R1", "--outcome", "reached", "--no-rating", "declined", "--callback-at", "soon"], 2,
     "Error: --callback-at: bad time 'soon'"),
    (["R1", "--outcome", "reached", "--skill", "6"], 2, "Invalid value for '--skill'"),
    (["R1", "--outcome", "maybe"], 2, "Error: --outcome: 'maybe' is not an outcome (use reached (r), no_answer (n)"),
    (["R1", "--outcome", "reached"], 2, "Error: --outcome reached needs the customer's rating: --satisfaction PHRASE "
                                        "or the five scores, or --no-rating REASON when they gave none\n"),
])
def test_bad_record_writes_nothing(desk, db_path, args, code, message):
    r = desk("record", *args)
    assert r.exit_code == code
    assert message in r.stderr
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM callbacks").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM events WHERE kind = 'callback_recorded'").fetchone() == (0,)


@pytest.mark.parametrize("typed, outcome", [
    ("n", "no_answer"), ("no", "no_answer"), ("No Answer", "no_answer"), ("未接通", "no_answer"),
    ("b", "busy"), ("bu", "busy"), ("h", "hung_up"), ("hung up", "hung_up"), ("x", "refused"),
    ("ref", "refused"), ("w", "wrong_number"), ("wrong_n", "wrong_number"), ("p", "wrong_person"),
    ("wrong-p", "wrong_person"), ("非本人", "wrong_person"),
])
def test_outcome_short_forms(desk, typed, outcome):
    r = desk("record", "R1", "-o", typed, "-f", "csv")
    assert (r.exit_code, r.stdout.splitlines()[1].split(",")[2]) == (0, outcome)


def test_an_outcome_short_form_that_could_be_two():
    from callbackctl.normalize import typed_outcome

    with pytest.raises(ValueError, match=r"^'wrong' is more than one outcome \(wrong_number, wrong_person\) "
                                         r"\(use reached \(r\), no_answer \(n\), busy \(b\)"):
        typed_outcome("wrong")


def test_record_from_a_file_with_rejects(desk, db_path, tmp_path):
    path = write(tmp_path / "calls.csv",
                 "order_no,outcome,satisfaction,skill,hours,called_at,agent,note\n"
                 "R1,no_answer,,,,2026-11-23 09:40,王芳,\n"
                 "R1,reached,满意,5,1000,2026-11-23 14:50,王芳,ok\n"
                 "NOPE,reached,4,,,,,\n"
                 "M1,reached,,9,,,,\n"
                 "I1,busy,,,,tomorrow,,\n")
    r = desk("record", "--from", path, "-f", "csv", now="2026-11-24 09:00")
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert lines[1:] == ["R1,2026-11-23 09:40:00,no_answer,,,,,,,,,,first,1",
                         "R1,2026-11-23 14:50:00,reached,5,4,4,4,4,4.2,1,,,retry,2"]
    assert f"{path}: line 4: unknown order 'NOPE'" in r.stderr
    assert f"{path}: line 5: skill: 9 is not a score from 1 to 5" in r.stderr
    # a call cannot have been made after now (a typo, or the wrong --now)
    assert f"{path}: line 6: called_at: 2026-11-25 00:00:00 is later than now (2026-11-24 09:00:00)" in r.stderr
    assert "2 call(s) recorded, 3 rejected" in r.stderr
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT agent FROM callbacks ORDER BY id LIMIT 1").fetchone() == ("王芳",)
    assert conn.execute("SELECT line, error FROM import_rejects").fetchall() == [
        (4, "unknown order 'NOPE'"), (5, "skill: 9 is not a score from 1 to 5"),
        (6, "called_at: 2026-11-25 00:00:00 is later than now (2026-11-24 09:00:00)")]
    # The same log again records nothing new: each call is already there.
    again = desk("record", "--from", path, "-f", "csv", now="2026-11-24 09:00")
    assert again.exit_code == 1 and again.stdout.splitlines()[1:] == []
    assert "0 call(s) recorded, 2 recorded before, 3 rejected" in again.stderr
    assert conn.execute("SELECT count(*) FROM callbacks").fetchone() == (2,)


def test_record_from_stdin_jsonl(desk):
    data = '{"order_no": "R1", "outcome": "reached", "satisfaction": "一般"}\n'
    r = desk("record", "--from", "-", "-f", "csv", input=data.encode(), now="2026-11-23 10:00")
    assert r.exit_code == 0 and r.stdout.splitlines()[1].startswith("R1,2026-11-23 10:00:00,reached,3,3,3,3,3,3.0")


def test_show_explains_the_deadline(desk):
    desk("record", "R1", "--outcome", "no_answer", "--agent", "王芳", now="2026-11-23 10:00")
    doc = json.loads(desk("show", "R1", "-f", "json", now="2026-11-23 10:30").stdout)
    steps = {s["step"]: s["value"] for s in doc["callback_schedule"]}
    assert steps["due_at"] == "Mon 2026-11-23 09:30:00: 1 working day(s) after 11-20, at the first window; skipped Sat 11-21, Sun 11-22"
    assert steps["deadline"] == "Wed 2026-11-25 17:00:00: end of the last window on working day 3, counting the due day"
    assert steps["next_call"] == ("Mon 2026-11-23 14:40:00 (retry: last call 2026-11-23 10:00:00 + 2h, rolled into a "
                                  "window, not before due_at)")
    assert steps["attempts"] == "1 of 3, last no_answer"
    assert doc["calls"][0]["agent"] == "王芳"
    assert doc["audit_log"][-1]["actor"] == "王芳" and doc["audit_log"][-1]["kind"] == "callback_recorded"


def test_calls_edited_by_hand_in_the_shell_move_the_due_list(desk, db_path):
    # due reads a flag the database keeps from the calls (migration m011):
    # edits made outside callbackctl must reach it too.
    desk("record", "R1", "--outcome", "reached", "--satisfaction", "5", now="2026-11-23 09:40")
    assert due(desk, "--type", "repair", now="2026-11-23 10:00") == []
    assert "R1" not in candidates(db_path, "2026-11-23 10:00")  # not even read
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE callbacks SET closes = 0, outcome = 'no_answer'")
    assert brief(due(desk, "--type", "repair", now="2026-11-23 14:40")) == [
        ("R1", "11-23 14:40", "11-25 17:00", "1", "no_answer", "retry", "0")]
    with conn:
        conn.execute("UPDATE callbacks SET closes = 1, outcome = 'reached'")
    assert due(desk, "--type", "repair", now="2026-11-23 14:40") == []
    with conn:
        conn.execute("DELETE FROM callbacks")
    assert brief(due(desk, "--type", "repair", now="2026-11-23 14:40")) == [
        ("R1", "11-23 09:30", "11-25 17:00", "0", "", "first", "0")]


def test_a_call_moved_to_another_order_by_hand_closes_that_one(desk, db_path):
    desk("record", "R1", "--outcome", "reached", "--satisfaction", "5", now="2026-11-23 09:40")
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE callbacks SET order_id = (SELECT id FROM orders WHERE order_no = 'I1')")
    assert [r["order_no"] for r in due(desk, "--until", "+1d", now="2026-11-23 11:30")] == ["M1", "R1"]


def test_record_from_a_gbk_call_log_with_chinese_headers_and_outcomes(desk, db_path, tmp_path):
    path = write(tmp_path / "回访记录.csv",
                 "工单号,回访结果,满意度,技术水平,回访时间,回访人,备注\n"
                 "R1,未接通,,,2026-11-23 09:40,王芳,\n"
                 "R1,已接通,非常满意,4,2026-11-23 下午2:50,王芳,\"说：\"\"很好\"\"\"\n"
                 "NOPE,已接通,满意,,,,\n"
                 "M1,占线,,,2026-13-01 10:00,,\n"
                 "I1,接通了吧,,,,,\n", encoding="gbk")
    r = desk("record", "--from", path, "-f", "csv", now="2026-11-24 09:00")
    assert r.exit_code == 1
    assert r.stdout.splitlines()[1:] == ["R1,2026-11-23 09:40:00,no_answer,,,,,,,,,,first,1",
                                         "R1,2026-11-23 14:50:00,reached,4,5,5,5,5,4.8,,,,retry,2"]
    assert f"{path}: line 4: unknown order 'NOPE'" in r.stderr
    assert f"{path}: line 5: 回访时间 (called_at): bad time '2026-13-01 10:00'" in r.stderr
    assert f"{path}: line 6: unknown outcome '接通了吧'" in r.stderr
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT agent, note FROM callbacks ORDER BY id DESC LIMIT 1").fetchone() == ("王芳", '说："很好"')


@pytest.mark.parametrize("args, message", [
    (["--hours", "nan"], "Error: --hours: nan is not a number of hours\n"),
    (["--hours", "1e309"], "Error: --hours: inf is not a number of hours\n"),
    (["--fee", "nan"], "Error: --fee: nan is not a fee\n"),
    (["--fee", "-inf"], "Error: --fee: -inf is not a fee\n"),
])
def test_not_a_number_is_a_bad_option_value(desk, db_path, args, message):
    r = desk("record", "R1", "--outcome", "reached", "--satisfaction", "满意", *args)
    assert (r.exit_code, r.stderr) == (2, message)
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM callbacks").fetchone() == (0,)


def test_record_takes_a_call_logs_words_and_any_case_of_the_order_number(desk, db_path):
    r = desk("record", "  r1 ", "--outcome", "已接通", "--satisfaction", "还行", "-f", "csv", now="2026-11-23 10:00")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[1] == "R1,2026-11-23 10:00:00,reached,3,3,3,3,3,3.0,,,,first,1"
    r = desk("record", "m1", "--outcome", "已接通", "--satisfaction", "4分", "-f", "csv", now="2026-11-23 11:30")
    assert r.stdout.splitlines()[1].startswith("M1,2026-11-23 11:30:00,reached,4,4,4,4,4,4.0,")
    r = desk("record", "I1", "--outcome", "未接通", now="2026-11-25 10:00")
    assert r.exit_code == 0, r.output


def test_a_customer_who_gives_no_rating(desk, db_path):
    r = desk("record", "R1", "--outcome", "reached", "--no-rating", "客户说没时间", "--note", "下次再聊",
             "-f", "json", now="2026-11-23 10:00")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)[0]["index"] is None
    assert sqlite3.connect(db_path).execute("SELECT outcome, satisfaction, closes, note FROM callbacks").fetchall() == [
        ("reached", None, 1, "no rating: 客户说没时间; 下次再聊")]


def test_a_call_before_its_retry_time_is_recorded_with_a_warning(desk, db_path):
    assert desk("record", "R1", "--outcome", "no_answer", now="2026-11-23 09:40").exit_code == 0
    r = desk("record", "R1", "--outcome", "busy", now="2026-11-23 10:00")
    assert r.exit_code == 0
    assert r.stderr == "Warning: R1: called at 2026-11-23 10:00:00, before the retry was due (2026-11-23 14:40:00)\n"
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM callbacks").fetchone() == (2,)


def test_a_reached_row_without_a_rating_is_rejected_from_a_file(desk, db_path, tmp_path):
    path = write(tmp_path / "c.csv", "order_no,outcome,satisfaction,no_rating,called_at\n"
                                     "R1,reached,,,2026-11-23 09:40\nM1,reached,,declined,2026-11-23 11:45\n")
    r = desk("record", "--from", path, "-f", "csv", now="2026-11-23 12:00")
    assert r.exit_code == 1
    assert (f"{path}: line 2: a reached call needs the customer's rating (the scores or a satisfaction phrase), "
            "or the reason there is none (no_rating)") in r.stderr
    assert sqlite3.connect(db_path).execute("SELECT note FROM callbacks").fetchall() == [("no rating: declined",)]


def test_show_is_right_for_an_old_order_and_says_missed(cli, tmp_path):
    # The timeline of due times covers about four months before now; an older
    # order was snapped to its first window (due "2026-07-27" instead of 2025-10-09).
    cli("import", write(tmp_path / "m.csv", "order_no,service_type,completed_at\nM9,maintenance,2025-09-30 16:40:59\n"))
    doc = json.loads(cli("show", "M9", "-f", "json", now="2026-11-24 12:00").stdout)
    steps = {s["step"]: s["value"] for s in doc["callback_schedule"]}
    assert steps["started"] == "Tue 2025-09-30 16:40:59 (completed)"
    assert steps["due_at"].startswith("Thu 2025-10-09 09:30:00: 30m after 16:40:59, rolled into a window; skipped Wed 10-01")
    assert steps["state"] == "missed: past give_up_at, off the due list and counted missed"


def test_show_names_a_make_up_working_day(cli, tmp_path):
    # 2026-10-10 is a Saturday worked in place of a National Day holiday (调休)
    cli("import", write(tmp_path / "i.csv", "order_no,service_type,completed_at\nI9,install,2026-10-09 10:00\n"))
    doc = json.loads(cli("show", "I9", "-f", "json", now="2026-10-10 10:00").stdout)
    steps = {s["step"]: s["value"] for s in doc["callback_schedule"]}
    assert steps["due_at"] == "Sat 2026-10-10 09:30:00 (a make-up working day, 调休): 1 working day(s) after 10-09, at the first window"


def test_until_before_now_is_a_usage_error(desk):
    r = desk("due", "--until", "yesterday 17:00", now="2026-11-23 10:00")
    assert (r.exit_code, r.stderr) == (
        2, "Error: --until: 2026-11-22 17:00:00 is before now (2026-11-23 10:00:00): due lists what is due by then\n")


def test_short_forms_for_people_on_the_command_line(desk, db_path):
    r = desk("record", "r1", "-o", "已接通", "-s", "满意", "-f", "csv", now="2026-11-23 10:00")
    assert r.stdout.splitlines()[1] == "R1,2026-11-23 10:00:00,reached,4,4,4,4,4,4.0,,,,first,1"
    r = desk("record", "M1", "-o", "未接通", now="2026-11-23 14:40")
    assert r.exit_code == 0
    assert sqlite3.connect(db_path).execute("SELECT outcome FROM callbacks ORDER BY id").fetchall() == [
        ("reached",), ("no_answer",)]
