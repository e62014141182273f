"""Recurring callbacks (定期回访): customers called on a schedule, not after an order.

contract.md "Recurring callbacks": contract class A monthly, class B every two
months, projects every three, dormant customers six and twelve months after
their last completed order; `due` lists them under an R-... key that record,
show, claim and work take like an order number. Every test runs at fixed times.
"""

import json
import sqlite3

import pytest

from conftest import write

A = "13800138001"


def due_rows(cli, now, *args, policy=None):
    r = cli("due", "-f", "json", *args, now=now, policy=policy)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout) if r.stdout.strip() else []


def recurring(cli, now, *args, policy=None):
    """The recurring rows of `due` at `now`: (key, reason, due_at, deadline, overdue)."""
    return [(r["order_no"], r["reason"], r["due_at"], r["deadline"], r["overdue"])
            for r in due_rows(cli, now, *args, policy=policy) if r["order_no"].startswith("R-")]


def customers(cli, tmp_path, text, now, name="c.csv"):
    r = cli("customer", "import", write(tmp_path / name, text), now=now)
    assert r.exit_code == 0, r.output
    return r


def orders(cli, tmp_path, text, now, name="o.csv"):
    r = cli("import", write(tmp_path / name, text), now=now)
    assert r.exit_code == 0, r.output


def record(cli, key, now, *args):
    r = cli("record", key, *args, now=now)
    assert r.exit_code == 0, r.output
    return r


# -- when they fall due ---------------------------------------------------------------------

def test_a_class_a_customer_is_due_a_month_after_the_last_recurring_call_rolled_over_a_holiday(cli, tmp_path):
    customers(cli, tmp_path, f"phone,customer,class,contract_from\n{A},张三,A,2026-08-01\n", now="2026-08-01 09:00")
    # a month after the contract's start
    assert recurring(cli, "2026-09-01 10:00") == [
        (f"R-{A}-2026-09", "contract", "2026-09-01 09:30:00", "2026-09-07 17:00:00", False)]
    r = record(cli, f"R-{A}-2026-09", "2026-09-01 10:00", "-o", "reached", "-s", "满意", "-f", "csv")
    assert r.stdout.splitlines()[1] == f"R-{A}-2026-09,2026-09-01 10:00:00,reached,4,4,4,4,4,4.0,,,,contract,R1"
    assert recurring(cli, "2026-09-01 10:05") == []
    # a month after that call is 10-01, in the National Day holiday: the first window of the next working day
    assert recurring(cli, "2026-09-30 16:00", "--until", "2026-10-07 17:00") == []
    assert recurring(cli, "2026-10-08 10:00") == [
        (f"R-{A}-2026-10", "contract", "2026-10-08 09:30:00", "2026-10-13 17:00:00", False)]
    show = json.loads(cli("show", f"R-{A}-2026-10", "-f", "json", now="2026-10-08 10:00").stdout)
    steps = {s["step"]: s["value"] for s in show["callback_schedule"]}
    assert steps["reason"] == "contract (round 1): contract A: 1M after the last recurring call on 2026-09-01"
    assert steps["due_at"] == ("Thu 2026-10-08 09:30:00: the first window of the first working day on or after "
                               "2026-10-01; skipped Thu 10-01 国庆, Fri 10-02 国庆, Sat 10-03 国庆, Sun 10-04 国庆, "
                               "Mon 10-05 国庆, Tue 10-06 国庆, Wed 10-07 国庆")
    assert show["customer"]["class"] == "A" and show["customer"]["key"] == A


def test_a_class_b_customer_every_two_months_and_a_project_every_three(cli, tmp_path):
    customers(cli, tmp_path, "phone,customer,class,contract_from,project\n"
                             "13800138002,李四,B,2026-09-21,\n13800138003,王五,,2026-08-23,是\n", now="2026-08-23 09:00")
    for now in ("2026-09-23 10:00", "2026-10-21 10:00", "2026-10-23 10:00"):
        assert recurring(cli, now) == [], now
    # B: 11-21 is a Saturday; the project's third month is Monday 11-23
    assert recurring(cli, "2026-11-23 10:00") == [
        ("R-13800138002-2026-11", "contract", "2026-11-23 09:30:00", "2026-11-27 17:00:00", False),
        ("R-13800138003-2026-11", "project", "2026-11-23 09:30:00", "2026-11-27 17:00:00", False)]
    assert [r[0] for r in recurring(cli, "2026-11-23 10:00", "--reason", "project")] == ["R-13800138003-2026-11"]


def test_dormant_at_six_and_twelve_months_after_the_last_completed_order_and_not_in_between(cli, tmp_path):
    orders(cli, tmp_path, "order_no,service_type,customer,phone,completed_at\n"
                          "D1,repair,周一,13800138011,2025-06-10 10:00\nD2,repair,周二,13800138012,2025-06-10 10:00\n",
           now="2025-06-10 12:00")
    customers(cli, tmp_path, "phone,customer\n13800138011,周一\n13800138012,周二\n", now="2025-06-10 12:00")
    assert recurring(cli, "2025-12-10 10:00") == [
        ("R-13800138011-2025-12", "dormant", "2025-12-10 09:30:00", "2025-12-16 17:00:00", False),
        ("R-13800138012-2025-12", "dormant", "2025-12-10 09:30:00", "2025-12-16 17:00:00", False)]
    record(cli, "R-13800138012-2025-12", "2025-12-10 10:00", "-o", "reached", "-s", "5")  # 周一 is never called
    assert recurring(cli, "2025-12-17 10:00") == [
        ("R-13800138011-2025-12", "dormant", "2025-12-10 09:30:00", "2025-12-16 17:00:00", True)]
    for now in ("2025-12-24 10:00", "2026-01-12 10:00", "2026-03-10 10:00", "2026-06-09 10:00"):
        assert recurring(cli, now) == [], now  # given up, or called: nothing between the marks
    assert recurring(cli, "2026-06-10 10:00") == [
        ("R-13800138011-2026-06", "dormant", "2026-06-10 09:30:00", "2026-06-16 17:00:00", False),
        ("R-13800138012-2026-06", "dormant", "2026-06-10 09:30:00", "2026-06-16 17:00:00", False)]
    for now in ("2026-07-10 10:00", "2026-12-10 10:00"):
        assert recurring(cli, now) == [], now  # after the last mark, nothing until a new order


def test_a_new_order_resets_the_dormant_clock(cli, tmp_path):
    orders(cli, tmp_path, f"order_no,service_type,customer,phone,completed_at\nN1,repair,张三,{A},2026-05-20 10:00\n",
           now="2026-05-20 12:00")
    customers(cli, tmp_path, f"phone,customer\n{A},张三\n", now="2026-05-20 12:00")
    assert recurring(cli, "2026-11-20 10:00") == [
        (f"R-{A}-2026-11", "dormant", "2026-11-20 09:30:00", "2026-11-26 17:00:00", False)]
    # a parts purchase (no callback of its own) the day before: the customer is no longer dormant
    orders(cli, tmp_path, f"order_no,service_type,customer,phone,completed_at\nN2,parts,张三,{A},2026-11-19 16:00\n",
           now="2026-11-20 10:30", name="o2.csv")
    assert recurring(cli, "2026-11-20 10:30") == []
    listed = json.loads(cli("customer", "list", "-f", "json", now="2026-11-20 10:30").stdout)
    assert [(c["last_order_no"], c["next_key"], c["next_reason"], c["next_due_at"]) for c in listed] == [
        ("N2", f"R-{A}-2027-05", "dormant", "2027-05-19 09:30:00")]
    # as of a moment before the new order was completed, the old clock still runs
    assert [r[0] for r in recurring(cli, "2026-11-19 10:00", "--until", "2026-11-20 10:00")] == [f"R-{A}-2026-11"]
    # an order corrected to another phone no longer counts for the customer
    r = cli("order", "set", "N2", "--phone", "13900139000", "--reason", "号码录错", now="2026-11-20 11:00")
    assert r.exit_code == 0, r.output
    assert [r[0] for r in recurring(cli, "2026-11-20 11:00")] == [f"R-{A}-2026-11"]


def test_a_customer_with_an_open_order_callback_or_complaint_is_not_called_twice(cli, tmp_path):
    customers(cli, tmp_path, f"phone,customer,class,contract_from\n{A},张三,A,2026-10-23\n"
                             "13800138009,钱九,A,2026-10-23\n", now="2026-10-23 09:00")
    orders(cli, tmp_path, f"order_no,service_type,customer,phone,completed_at\nW1,repair,张三,{A},2026-11-20 15:00\n",
           now="2026-11-23 09:00")
    assert cli("complaint", "add", "--phone", "13800138009", "--against", "provider", "--text", "保养拖延",
               now="2026-11-23 09:00").exit_code == 0
    rows = due_rows(cli, "2026-11-23 10:00")
    assert [(r["order_no"], r["reason"]) for r in rows] == [("W1", "first")]  # not also R-13800138001-2026-11
    record(cli, "W1", "2026-11-23 10:00", "-o", "reached", "-s", "满意")
    # called about the order this week: not again for the contract until next week
    assert recurring(cli, "2026-11-26 10:00") == []
    assert recurring(cli, "2026-11-30 10:00") == [
        (f"R-{A}-2026-11", "contract", "2026-11-23 09:30:00", "2026-11-27 17:00:00", True)]
    # the complaint settled, 钱九 is called
    for step in (["complaint", "resolve", "1"], ["complaint", "close", "1", "--satisfied"]):
        assert cli(*step, now="2026-11-30 10:00").exit_code == 0
    assert [r[0] for r in recurring(cli, "2026-11-30 10:05")] == [f"R-{A}-2026-11", "R-13800138009-2026-11"]


@pytest.mark.parametrize("line, now, before, after", [
    ('contract_a = "2M"', "2026-11-23 10:00", [(f"R-{A}-2026-11", "2026-11-27 17:00:00")], []),
    ('contract_a = ""', "2026-11-23 10:00", [(f"R-{A}-2026-11", "2026-11-27 17:00:00")], []),
    ('contract_b = "1M"', "2026-11-23 10:00", [(f"R-{A}-2026-11", "2026-11-27 17:00:00")],
     [(f"R-{A}-2026-11", "2026-11-27 17:00:00"), ("R-13800138002-2026-11", "2026-11-27 17:00:00")]),
    ('project = "1M"', "2026-11-23 10:00", [(f"R-{A}-2026-11", "2026-11-27 17:00:00")],
     [(f"R-{A}-2026-11", "2026-11-27 17:00:00"), ("R-13800138003-2026-11", "2026-11-27 17:00:00")]),
    ('dormant = ["5M"]', "2026-10-26 10:00", [], [("R-13800138004-2026-10", "2026-10-30 17:00:00")]),
    ('dormant = []', "2026-11-26 10:00",
     [(f"R-{A}-2026-11", "2026-11-27 17:00:00"), ("R-13800138004-2026-11", "2026-12-02 17:00:00")],
     [(f"R-{A}-2026-11", "2026-11-27 17:00:00")]),
    ('within = "1d"', "2026-11-23 10:00", [(f"R-{A}-2026-11", "2026-11-27 17:00:00")],
     [(f"R-{A}-2026-11", "2026-11-23 17:00:00")]),
])
def test_each_schedule_is_one_policy_line_and_changing_it_changes_the_due_list(cli, tmp_path, line, now, before,
                                                                              after):
    # 张三 class A, 李四 class B and 王五 a project since 10-23; 周四's last order was completed 05-26
    orders(cli, tmp_path, "order_no,service_type,customer,phone,completed_at\n"
                          "P1,repair,周四,13800138004,2026-05-26 10:00\n", now="2026-05-26 12:00")
    customers(cli, tmp_path, "phone,customer,class,contract_from,project\n"
                             f"{A},张三,A,2026-10-23,\n13800138002,李四,B,2026-10-23,\n"
                             "13800138003,王五,,2026-10-23,yes\n13800138004,周四,,,\n", now="2026-05-26 12:00")
    policy = write(tmp_path / "p.toml", f"[recurring]\n{line}\n")
    assert [(r[0], r[3]) for r in recurring(cli, now)] == before
    assert [(r[0], r[3]) for r in recurring(cli, now, policy=policy)] == after


def test_a_contract_ends_on_its_last_day(cli, tmp_path):
    customers(cli, tmp_path, f"phone,class,contract_from,contract_until\n{A},A,2026-09-23,2026-11-22\n",
              now="2026-09-23 09:00")
    assert [r[0] for r in recurring(cli, "2026-10-23 10:00")] == [f"R-{A}-2026-10"]
    assert recurring(cli, "2026-11-23 10:00") == []


def test_a_bad_recurring_policy_line_names_the_key(cli, tmp_path):
    policy = write(tmp_path / "p.toml", '[recurring]\ncontract_a = "1m"\n')
    r = cli("due", policy=policy)
    assert r.exit_code == 1
    assert r.stderr == ("Error: policy: recurring.contract_a: bad interval '1m' (a small m is minutes: months are "
                        'written M) (use 1M to 120M calendar months, or "" for none)\n')


# -- calls on them work as on orders -------------------------------------------------------

@pytest.fixture
def contract(cli, tmp_path):
    """张三, class A since 10-23: due Monday 2026-11-23 09:30."""
    customers(cli, tmp_path, f"phone,customer,class,contract_from\n{A},张三,A,2026-10-23\n", now="2026-10-23 09:00")
    return cli


def test_retries_then_unreachable_hands_the_customer_back_and_the_next_period_follows(contract):
    key = f"R-{A}-2026-11"
    record(contract, key.lower(), "2026-11-23 10:00", "-o", "n")
    assert recurring(contract, "2026-11-23 10:05") == []  # the retry is due 2h later, after lunch
    assert recurring(contract, "2026-11-23 14:40") == [(key, "contract", "2026-11-23 14:40:00", "2026-11-27 17:00:00",
                                                        False)]
    record(contract, key, "2026-11-23 14:40", "-o", "busy", "--callback-at", "2026-11-24 10:00")
    assert due_rows(contract, "2026-11-24 10:00")[0]["due_at"] == "2026-11-24 10:00:00"  # the promise kept
    r = record(contract, key, "2026-11-24 10:00", "-o", "hung_up", "-f", "json")
    assert json.loads(r.stdout)[0]["followup"] is None  # the promised call is no attempt (#27)
    r = record(contract, key, "2026-11-24 14:40", "-o", "hung_up", "-f", "json")
    assert json.loads(r.stdout)[0]["followup"] == "unreachable"
    assert recurring(contract, "2026-11-24 14:45") == []
    rows = json.loads(contract("followup", "list", "-f", "json", now="2026-11-24 14:45").stdout)
    assert [(f["order_no"], f["reason"], f["detail"]) for f in rows] == [(key, "unreachable", "3 attempts, last hung_up")]
    # the next month counts from the last call that closed the callback
    assert recurring(contract, "2026-12-24 10:00") == [(f"R-{A}-2026-12", "contract", "2026-12-24 09:30:00",
                                                        "2026-12-30 17:00:00", False)]
    r = contract("record", key, "-o", "reached", "-s", "5", now="2026-11-24 14:50")
    assert (r.exit_code, r.stderr) == (1, f"Error: {key}: the recurring callback is finished (hung_up)\n")


def test_a_dissatisfied_customer_gets_a_second_visit_and_a_second_callback(contract):
    key = f"R-{A}-2026-11"
    r = record(contract, key, "2026-11-23 10:00", "-o", "r", "-s", "不满意", "-f", "json")
    assert json.loads(r.stdout)[0]["followup"] == "dissatisfied"
    assert [f["reason"] for f in json.loads(contract("followup", "list", "-f", "json").stdout)] == ["dissatisfied"]
    r = contract("followup", "done", key, now="2026-11-23 15:00")
    assert (r.exit_code, r.stderr) == (0, f"{key}: 1 follow-up(s) done; a second callback falls due\n")
    assert contract("followup", "done", key, now="2026-11-23 15:01").stderr == (
        f"{key}: the second visit was recorded already, at 2026-11-23 15:00:00; nothing changed\n")
    assert recurring(contract, "2026-11-24 10:00") == [(key, "second", "2026-11-24 09:30:00", "2026-11-30 17:00:00",
                                                        False)]
    record(contract, key, "2026-11-24 10:00", "-o", "reached", "-s", "满意")
    assert recurring(contract, "2026-11-24 10:05") == []
    assert json.loads(contract("followup", "list", "-f", "json", now="2026-11-24 10:05").stdout or "[]") == []


def test_record_refuses_order_checks_unknown_keys_and_keys_not_open(contract):
    key = f"R-{A}-2026-11"
    r = contract("record", key, "-o", "reached", "-s", "5", "--hours", "100")
    assert (r.exit_code, r.stderr) == (2, f"Error: {key}: a recurring callback is about the customer, not an order: "
                                          "there is no order to check hours, location, parts, fee or times against\n")
    r = contract("record", "R-13900000000-2026-11", "-o", "n")
    assert (r.exit_code, r.stderr) == (1, "Error: unknown recurring callback 'R-13900000000-2026-11': "
                                          "no customer '13900000000'\n")
    r = contract("record", f"R-{A}-2026-12", "-o", "n")
    assert (r.exit_code, r.stderr) == (1, f"Error: R-{A}-2026-12: no recurring callback of {A} under this key "
                                          f"(its next is {key})\n")
    r = contract("record", "R-junk", "-o", "n")
    assert (r.exit_code, r.stderr) == (1, "Error: 'R-junk' is not a recurring callback's key "
                                          "(R-<phone or customer_id>-YYYY-MM)\n")
    assert sqlite3.connect(contract.db_path).execute("SELECT count(*) FROM recurring_calls").fetchone() == (0,)


def test_claim_release_and_void_take_the_key(contract):
    key = f"R-{A}-2026-11"
    r = contract("claim", "--agent", "王芳", "-f", "json")
    assert [(x["order_no"], x["claimed_by"], x["reason"]) for x in json.loads(r.stdout)] == [(key, "王芳", "contract")]
    assert contract("release", key.lower(), "--agent", "王芳").stderr == f"{key.lower()}: released (was 王芳's)\n"
    record(contract, key, "2026-11-23 10:00", "-o", "reached", "-s", "5")
    assert recurring(contract, "2026-11-23 10:05") == []
    r = contract("call", "void", "R1", "--reason", "记错客户", now="2026-11-23 10:05")
    assert (r.exit_code, r.stderr) == (0, f"call R1 ({key}, 2026-11-23 10:00:00, reached) voided\n")
    assert [x[0] for x in recurring(contract, "2026-11-23 10:06")] == [key]  # open again
    show = json.loads(contract("show", key, "-f", "json", now="2026-11-23 10:06").stdout)
    assert [(c["call_id"], c["outcome"], c["note"]) for c in show["calls"]] == [
        ("R1", "voided", "voided 2026-11-23 10:05:00 by " + show["calls"][0]["note"].split(" by ")[1].split(":")[0]
         + ": 记错客户 (was reached)")]
    r = contract("call", "void", "X1", "--reason", "x")
    assert (r.exit_code, r.stderr) == (2, "Error: --call-id: 'X1' is not a call id (a number, or R and a number for a "
                                          "recurring call, as record prints it and show lists it)\n")


def test_record_from_a_call_log_takes_keys_and_twice_records_nothing_new(contract, tmp_path):
    log = write(tmp_path / "calls.csv", f"工单号,回访结果,满意度,回访时间\nR-{A}-2026-11,已接通,满意,2026-11-23 10:00\n")
    r = contract("record", "--from", log, now="2026-11-23 10:30")
    assert r.exit_code == 0 and r.stderr.endswith("1 call(s) recorded, 0 rejected (batch 2)\n"), r.output
    r = contract("record", "--from", log, now="2026-11-23 10:30")
    assert r.exit_code == 0 and r.stderr.endswith("0 call(s) recorded, 1 recorded before, 0 rejected (batch 3)\n")


def test_the_agents_card_for_a_recurring_callback(contract, tmp_path):
    from callbackctl import desk as desk_mod, session

    orders(contract, tmp_path, f"order_no,service_type,customer,phone,product,engineer,completed_at\n"
                               f"K1,maintenance,张三,{A},SY75C,赵磊,2026-09-01 10:00\n", now="2026-09-01 12:00")
    d = desk_mod.open_desk(contract.db_path, now="2026-11-23 10:00", command="work", actor="王芳")
    s = session.Session(d, "王芳", lang="en", fixed_now=True)
    card = s.next()
    assert card.order_no == f"R-{A}-2026-11" and card.due["reason"] == "contract"
    assert (card.order["customer"], card.order["phone"], card.order["product"], card.checks) == ("张三", A, "SY75C", ())
    assert [name for name, _ in card.lines] == ["greeting", "scores", "closing"]
    from callbackctl import calls

    out = s.record(card, calls.Call(order_no="", outcome="reached", scores={}, satisfaction="5"))
    assert (out["order_no"], out["reason"], out["call_id"]) == (f"R-{A}-2026-11", "contract", "R1")
    assert s.next() is None


# -- customer import, set, list -------------------------------------------------------------

GBK_FILE = ("客户编号,电话,客户,客户等级,合同开始,合同到期,工程项目,备注\r\n"
            ",138 0013 8001,张三,A类,2026-08-01,2027年7月31日,否,年度保养合同\r\n"
            "KH-9,13800138002,李四,乙,,,是,\r\n"
            ",12345,王五,A,,,,\r\n"
            ",13800138004,赵六,C,,,,\r\n"
            ",,钱七,A,,,,\r\n"
            ",13800138005,孙八,B,2026-09-01,2026-08-31,,\r\n")


def test_customer_import_of_a_gbk_file_with_chinese_headers(cli, tmp_path):
    path = write(tmp_path / "customers.csv", GBK_FILE, encoding="gbk")
    r = cli("customer", "import", path, "-f", "csv", now="2026-10-01 09:00")
    assert r.exit_code == 1
    assert r.stdout == f"file,read,inserted,updated,unchanged,rejected,error\n{path},6,2,0,0,4,\n"
    assert r.stderr == (
        f"created desk file {cli.db_path}\n"
        f"Warning: {path}: kept with each customer but matching no field: 备注 "
        "(if one is a field, say so with --map 'HEADER=FIELD')\n"
        f"{path}: line 4: 电话 (phone): '12345' does not look like a phone number "
        "(a customer without a customer_id is known by a valid phone)\n"
        f"{path}: line 5: 客户等级 (class): unknown class 'C' (use A, B, or none)\n"
        f"{path}: line 6: phone (or customer_id) is empty\n"
        f"{path}: line 7: 合同到期 (contract_until): 2026-08-31 is before the contract's start (2026-09-01)\n")
    listed = json.loads(cli("customer", "list", "-f", "json", now="2026-10-01 09:00").stdout)
    assert listed == [
        {"key": A, "customer": "张三", "phone": A, "class": "A", "contract_from": "2026-08-01",
         "contract_until": "2027-07-31", "project": False, "last_order_no": None, "last_completed_at": None,
         "next_key": f"R-{A}-2026-10", "next_reason": "contract", "next_due_at": "2026-10-08 09:30:00",
         "next_deadline": "2026-10-13 17:00:00"},
        {"key": "KH-9", "customer": "李四", "phone": "13800138002", "class": "B", "contract_from": None,
         "contract_until": None, "project": True, "last_order_no": None, "last_completed_at": None,
         "next_key": "R-KH-9-2026-12", "next_reason": "contract", "next_due_at": "2026-12-01 09:30:00",
         "next_deadline": "2026-12-07 17:00:00"}]
    conn = sqlite3.connect(cli.db_path)
    stored = conn.execute("SELECT key, extra, class_since, project_since FROM customers ORDER BY id").fetchall()
    assert stored == [(A, '{"备注": "年度保养合同"}', "2026-10-01 09:00:00", None),
                      ("KH-9", None, "2026-10-01 09:00:00", "2026-10-01 09:00:00")]
    rejects = json.loads(cli("rejects", "-f", "json", now="2026-10-01 09:00").stdout)
    assert [(x["line"], json.loads(x["raw"])["客户"]) for x in rejects] == [(4, "王五"), (5, "赵六"), (6, "钱七"),
                                                                          (7, "孙八")]
    # the same file again changes nothing
    before = conn.execute("SELECT * FROM customers ORDER BY id").fetchall()
    r = cli("customer", "import", path, "-f", "csv", now="2026-10-02 09:00")
    assert r.exit_code == 1 and r.stdout.splitlines()[1] == f"{path},6,0,0,2,4,"
    assert conn.execute("SELECT * FROM customers ORDER BY id").fetchall() == before
    # an empty cell never erases; a new value updates, logged with the one before
    changed = write(tmp_path / "more.csv", "电话,客户等级,合同到期\n13800138001,,2027-12-31\n")
    r = cli("customer", "import", changed, "-f", "csv", now="2026-10-03 09:00")
    assert r.exit_code == 0 and r.stdout.splitlines()[1] == f"{changed},1,0,1,0,0,"
    assert conn.execute("SELECT class, contract_until FROM customers WHERE key = ?", (A,)).fetchone() == (
        "A", "2027-12-31")
    event = conn.execute("SELECT order_no, detail FROM events WHERE kind = 'customer_updated'").fetchone()
    assert event[0] == f"R-{A}" and json.loads(event[1])["before"] == {"contract_until": "2027-07-31"}


def test_customer_import_refuses_a_file_without_a_phone_or_customer_id_column(cli, tmp_path):
    path = write(tmp_path / "bad.csv", "客户,客户等级\n张三,A\n")
    r = cli("customer", "import", path)
    assert r.exit_code == 1
    assert r.stderr.splitlines()[-1] == (f"Error: {path}: no phone or customer_id column (looked for phone, 电话, 手机, "
                                         "customer_id, 客户编号, ...); the header is: 客户, 客户等级")


def test_the_same_customer_twice_in_a_file(cli, tmp_path):
    path = write(tmp_path / "twice.csv", f"phone,customer,class\n{A},张三,A\n{A},,A\n{A},张三,B\n")
    r = cli("customer", "import", path, "-f", "csv")
    assert r.exit_code == 1 and r.stdout.splitlines()[1] == f"{path},3,1,0,1,1,"
    assert r.stderr.splitlines()[-1] == f"{path}: line 4: customer {A} also on line 2 with a different class"


def test_customer_set_adds_changes_and_refuses_bad_values(cli):
    r = cli("customer", "set", "138-0013-8001", "--class", "a", "--contract-from", "2026-10-23")
    assert (r.exit_code, r.stderr.splitlines()[-1]) == (0, f"{A}: added, class = 'A', contract_from = '2026-10-23'")
    assert [x[0] for x in recurring(cli, "2026-11-23 10:00")] == [f"R-{A}-2026-11"]
    r = cli("customer", "set", A, "--class", "none")
    assert (r.exit_code, r.stderr) == (0, f"{A}: class = None\n")
    assert recurring(cli, "2026-11-23 10:00") == []
    assert cli("customer", "set", A, "--class", "none").stderr == f"{A}: nothing to change\n"
    r = cli("customer", "set", A, "--class", "C")
    assert (r.exit_code, r.stderr) == (2, "Error: --class: unknown class 'C' (use A, B, or none)\n")
    r = cli("customer", "set", A, "--contract-until", "2026-13-01")
    assert (r.exit_code, r.stderr) == (2, "Error: --contract-until: impossible date '2026-13-01'\n")
    r = cli("customer", "set", "张三", "--class", "A")
    assert (r.exit_code, r.stderr) == (1, "Error: unknown customer '张三' (give a customer's phone number to add "
                                          "them, or their customer_id as imported)\n")
    r = cli("customer", "set", A)
    assert (r.exit_code, r.stderr) == (2, "Error: give what to set: --class, --contract-from, --contract-until, "
                                          "--project or --customer\n")


def test_customer_list_when_there_are_none(cli):
    r = cli("customer", "list")
    assert (r.exit_code, r.stdout) == (0, "")
    assert r.stderr.endswith("no customers\n")


# -- a desk without customers pays nothing -------------------------------------------------

def test_due_on_a_desk_without_customers_asks_one_question_of_them(cli, tmp_path):
    from callbackctl import desk as desk_mod, duelist

    orders(cli, tmp_path, "order_no,service_type,phone,completed_at\nX1,repair,13800138000,2026-11-20 15:00\n",
           now="2026-11-20 16:00")
    d = desk_mod.open_desk(cli.db_path, now="2026-11-23 10:00")
    statements = []
    d.conn.set_trace_callback(statements.append)
    assert [r["order_no"] for r in duelist.due(d)] == ["X1"]
    d.conn.set_trace_callback(None)
    assert [s for s in statements if "customers" in s or "recurring" in s] == ["SELECT max(id) FROM customers"]


def test_recurring_queries_read_index_ranges(contract, tmp_path):
    from test_query_plans import plans_of_statements
    from callbackctl import desk as desk_mod, duelist

    d = desk_mod.open_desk(contract.db_path, now="2026-11-23 10:00")
    plans = plans_of_statements(d, lambda: duelist.due(d))
    mine = {s: p for s, p in plans.items() if "customers" in s or "customer_orders" in s or "recurring_calls" in s}
    assert mine, plans
    for statement, steps in mine.items():
        # allowed: the contract customers' own index, complaints and follow-ups (few), and the
        # subqueries `r` (a customer's latest calls) and `s` (the contract customers with their
        # last closing call), which are themselves a SEARCH and a SCAN of customers_scheduled
        scans = [s for s in steps if s.startswith("SCAN") and "customers_scheduled" not in s
                 and s not in ("SCAN k", "SCAN customer_followups", "SCAN r", "SCAN s")
                 and not s.startswith("SCAN json_each")]  # the lists of base days, read once
        assert not scans, (statement, steps)


def test_a_cancelled_order_is_no_longer_the_last_and_filters_read_the_last_order(cli, tmp_path):
    orders(cli, tmp_path, "order_no,service_type,customer,phone,region,completed_at\n"
                          f"L1,repair,张三,{A},华北,2026-05-20 10:00\nL2,parts,张三,{A},华东,2026-06-01 10:00\n",
           now="2026-06-01 12:00")
    customers(cli, tmp_path, f"phone,customer\n{A},张三\n", now="2026-06-01 12:00")
    assert recurring(cli, "2026-11-20 10:00") == []  # L2, 06-01, is the last: due 12-01
    assert cli("order", "cancel", "L2", "--reason", "重复工单", now="2026-11-20 10:00").exit_code == 0
    assert [r[0] for r in recurring(cli, "2026-11-20 10:00")] == [f"R-{A}-2026-11"]
    assert [r[0] for r in recurring(cli, "2026-11-20 10:00", "--region", "华北")] == [f"R-{A}-2026-11"]
    assert recurring(cli, "2026-11-20 10:00", "--region", "华东") == []
    assert recurring(cli, "2026-11-20 10:00", "--type", "repair") == []  # a recurring callback has no service type
    assert recurring(cli, "2026-11-20 10:00", "--reason", "first") == []


def test_reports_count_recurring_calls_apart_from_order_calls(tmp_path):
    """The demo's morning: four calls on orders and two recurring calls, one reached."""
    import csv
    import io
    import shutil
    import subprocess

    exe = shutil.which("callbackctl")
    if exe is None:
        pytest.skip("callbackctl must be installed")
    db = str(tmp_path / "demo.db")
    subprocess.run([exe, "--db", db, "demo"], check=True, capture_output=True)

    def report(*args):
        r = subprocess.run([exe, "--db", db, "--now", "2026-11-23 10:30", "report", "--period", "day",
                            "--from", "2026-11-23", "-f", "csv", *args], capture_output=True, text=True, check=True)
        return [(r_["period"], r_[args[1]] if args else r_["region"], r_["calls_made"], r_["recurring_calls_made"],
                 r_["recurring_calls_reached"]) for r_ in csv.DictReader(io.StringIO(r.stdout))]

    assert report("--by", "agent") == [("2026-11-23", "demo", "4", "2", "1"), ("2026-11-23", "小王", "0", "0", "0"),
                                       ("2026-11-23", "", "0", "0", "0")]  # the callbacks due today not reached yet
    assert report() == [  # a customer has no region: their calls are in the row without one
        ("2026-11-23", "East", "2", "0", "0"), ("2026-11-23", "华东", "1", "0", "0"),
        ("2026-11-23", "华北", "1", "0", "0"), ("2026-11-23", "西南", "0", "0", "0"), ("2026-11-23", "", "0", "2", "1")]


def test_the_daily_form_shows_each_agents_recurring_calls(tmp_path):
    import shutil
    import subprocess

    openpyxl = pytest.importorskip("openpyxl")
    exe = shutil.which("callbackctl")
    if exe is None:
        pytest.skip("callbackctl must be installed")
    db, out = str(tmp_path / "demo.db"), str(tmp_path / "daily.xlsx")
    subprocess.run([exe, "--db", db, "demo"], check=True, capture_output=True)
    subprocess.run([exe, "--db", db, "--now", "2026-11-23 10:30", "--lang", "zh", "report", "--name", "daily",
                    "-o", out], check=True, capture_output=True)
    rows = [tuple(row) for row in openpyxl.load_workbook(out).active.iter_rows(values_only=True)]
    at = next(i for i, row in enumerate(rows) if row[0] == "回访人")
    assert rows[at][:7] == ("回访人", "拨打次数", "接通次数", "满意率", "定期回访拨打", "定期回访接通", "投诉")
    assert rows[at + 1][:7] == ("demo", 4, 2, 0.5, 2, 1, 0)  # SY2026110017 (3.6, a score of 2): not satisfied
