"""find: orders by phone (any format, or its last digits), name, order number or serial,
with what is open for each. Now is Monday 2026-11-23 10:00 unless a test says otherwise;
windows 09:30-11:30, 14:40-17:00; repair due the next working day, within 3 days."""

import json

import pytest

from conftest import write

ORDERS = """order_no,service_type,customer,phone,serial_no,region,provider,zone,reported_at,feedback_at,completed_at
R1,repair,Li Lei,13800138000,SN-001A,East,P1,urban,2026-11-20 08:00,2026-11-20 09:00,2026-11-20 15:00
R10,repair,Wu Gang,13800138001,SN-010,East,P1,urban,2026-11-20 08:00,2026-11-20 09:00,2026-11-20 15:00
I1,install,Zhang Min,13800138002,,North,P2,urban,2026-11-22 08:00,2026-11-22 09:00,2026-11-23 10:00
OV1,repair,Liu Yang,13900139000,,East,P1,urban,2026-11-16 08:00,2026-11-16 09:00,2026-11-17 15:00
F1,repair,Ma Lin,13700137000,,East,P1,urban,2026-11-19 08:00,2026-11-19 09:00,2026-11-20 15:00
C1,repair,Sun Li,13600136000,,East,P1,urban,2026-11-19 08:00,2026-11-19 09:00,2026-11-20 15:00
L1,repair,Hu Bo,13500135000,,East,P2,urban,2026-11-20 08:00,,
X1,repair,Gao Feng,0571-88886666 转 123,,East,P2,urban,2026-11-20 08:00,2026-11-20 09:00,2026-11-20 15:00
"""

HEADER = ("order_no,customer,phone,service_type,status,completed_at,region,provider,callback,followup,complaint,"
          "chase,matched")


@pytest.fixture
def desk(cli, tmp_path):
    r = cli("import", write(tmp_path / "orders.csv", ORDERS), now="2026-11-23 09:00")
    assert r.exit_code == 0, r.output
    # a dissatisfied customer: a follow-up; R10 not answered: a retry
    assert cli("record", "F1", "--outcome", "reached", "--satisfaction", "非常不满意", now="2026-11-23 09:40").exit_code == 0
    assert cli("record", "R10", "--outcome", "no_answer", now="2026-11-23 09:45").exit_code == 0
    assert cli("complaint", "add", "--order", "C1", "--against", "engineer", "--text", "迟到",
               now="2026-11-21 09:00").stdout.strip() == "1"
    # filed by phone: one on I1's number, one on a number no order has
    assert cli("complaint", "add", "--phone", "138 0013 8002", "--against", "product", "--text", "漏油",
               now="2026-11-23 09:50").stdout.strip() == "2"
    assert cli("complaint", "add", "--phone", "139-1234-5678", "--customer", "王先生", "--against", "sales",
               "--text", "报价不符", now="2026-11-23 09:50").stdout.strip() == "3"
    assert cli("chase", "--record", now="2026-11-23 09:55").exit_code == 0
    return cli


def find(cli, text, *args, now=None):
    r = cli("find", text, "-f", "csv", *args, now=now)
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0] == HEADER
    return lines[1:]


def orders_found(cli, text, **kw):
    return [line.split(",")[0] for line in find(cli, text, **kw)]


def test_exact_rows_with_what_is_open(desk):
    assert find(desk, "13800138000") == [
        "R1,Li Lei,13800138000,repair,completed,2026-11-20 15:00:00,East,P1,due now until 2026-11-25 17:00,,,,phone"]
    assert find(desk, "13800138001") == [
        "R10,Wu Gang,13800138001,repair,completed,2026-11-20 15:00:00,East,P1,retry due 2026-11-23 14:40,,,,phone"]
    assert find(desk, "13800138002") == [
        "I1,Zhang Min,13800138002,install,completed,2026-11-23 10:00:00,North,P2,due 2026-11-24 09:30,,"
        "#2 open by phone,,phone"]
    assert find(desk, "13900139000") == [
        "OV1,Liu Yang,13900139000,repair,completed,2026-11-17 15:00:00,East,P1,overdue since 2026-11-20 17:00,,,,phone"]
    assert find(desk, "13700137000") == [
        "F1,Ma Lin,13700137000,repair,completed,2026-11-20 15:00:00,East,P1,,"
        "dissatisfied since 2026-11-23 09:40,,,phone"]
    assert find(desk, "13600136000") == [
        "C1,Sun Li,13600136000,repair,completed,2026-11-20 15:00:00,East,P1,due now until 2026-11-25 17:00,,"
        "#1 open (reply overdue),,phone"]
    assert find(desk, "13500135000") == [
        "L1,Hu Bo,13500135000,repair,open,,East,P2,,,,late since 2026-11-21 08:00 (chased 1x),phone"]


def test_json_rows_and_nulls(desk):
    r = desk("find", "l1", "-f", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == [{
        "order_no": "L1", "customer": "Hu Bo", "phone": "13500135000", "service_type": "repair", "status": "open",
        "completed_at": None, "region": "East", "provider": "P2", "callback": None, "followup": None,
        "complaint": None, "chase": "late since 2026-11-21 08:00 (chased 1x)", "matched": "order_no"}]


@pytest.mark.parametrize("typed", ["13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000",
                                   "0086-13800138000", "(+86) 138.0013.8000", "１３８００１３８０００",
                                   "8000", "0013 8000", "138000"])
def test_phone_in_any_format_or_its_last_digits(desk, typed):
    assert orders_found(desk, typed) == ["R1"]


def test_last_digits_find_every_order_ending_so(desk):
    assert orders_found(desk, "13800138") == []  # the start of a number is not its end
    assert orders_found(desk, "0138001") == ["R10"]
    assert orders_found(desk, "000") == []  # fewer than 4 digits: not a phone search


def test_a_stored_extension_is_found_by_the_number_or_its_end(desk):
    for typed in ("0571-88886666", "0571 8888 6666 转 123", "6666"):
        assert orders_found(desk, typed) == ["X1"], typed
    assert orders_found(desk, "0571-88886666 转 999") == []


def test_customer_substring_case_blind_for_latin_letters(desk):
    assert orders_found(desk, "lei") == ["R1"]
    assert orders_found(desk, "LI LEI") == ["R1"]
    # Sun Li, Ma Lin, Liu Yang, Li Lei: the order imported last first
    assert orders_found(desk, "li") == ["C1", "F1", "OV1", "R1"]
    assert [line.split(",")[-1] for line in find(desk, "li")] == ["customer"] * 4
    assert orders_found(desk, "East") == []  # region is not searched


def test_order_number_any_case_with_spaces_exact_or_prefix(desk):
    assert find(desk, "  r1  ")[0].startswith("R1,Li Lei,")
    assert orders_found(desk, "  r1  ") == ["R1"]  # typed whole: that order alone, not R10
    assert orders_found(desk, "ｒ１０") == ["R10"]  # full-width
    assert orders_found(desk, "ov") == ["OV1"]  # a prefix
    assert [line.split(",")[-1] for line in find(desk, "ov")] == ["order_no"]


def test_serial_exact_any_case(desk):
    assert find(desk, " sn-001a ") == [
        "R1,Li Lei,13800138000,repair,completed,2026-11-20 15:00:00,East,P1,due now until 2026-11-25 17:00,,,,"
        "serial_no"]
    assert orders_found(desk, "SN-001") == []  # a serial is matched whole


def test_complaint_filed_by_phone_on_no_order_is_a_row_of_its_own(desk):
    assert find(desk, "13912345678") == [",王先生,13912345678,,,,,,,,#3 open by phone,,phone"]
    assert find(desk, "5678") == [",王先生,13912345678,,,,,,,,#3 open by phone,,phone"]
    assert find(desk, "王先生") == [",王先生,13912345678,,,,,,,,#3 open by phone,,customer"]


def test_what_is_closed_is_not_open(desk):
    assert desk("record", "R1", "--outcome", "reached", "--satisfaction", "5", now="2026-11-23 10:05").exit_code == 0
    assert desk("complaint", "resolve", "1", now="2026-11-23 10:05").exit_code == 0
    assert desk("complaint", "close", "1", "--satisfied", now="2026-11-23 10:06").exit_code == 0
    assert desk("followup", "done", "F1", now="2026-11-23 10:07").exit_code == 0
    now = "2026-11-23 10:10"
    assert find(desk, "R1", now=now)[0].split(",")[8:12] == ["", "", "", ""]
    assert find(desk, "C1", now=now)[0].split(",")[8:12] == ["due now until 2026-11-25 17:00", "", "", ""]
    # the second visit starts a second round: due a working day later
    assert find(desk, "F1", now=now)[0].split(",")[8:12] == ["second due 2026-11-24 09:30", "", "", ""]


def test_as_of_now_later_facts_do_not_count(desk):
    assert find(desk, "I1", now="2026-11-23 09:49")[0].split(",")[10] == ""  # complaint 2 came at 09:50
    assert find(desk, "F1", now="2026-11-23 09:39")[0].split(",")[9] == ""  # the call came at 09:40


def test_nothing_found_is_an_empty_listing(desk):
    r = desk("find", "nobody")
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", "no order matches 'nobody'\n")
    r = desk("find", "nobody", "-f", "json")
    assert (r.exit_code, r.stdout.strip(), r.stderr) == (0, "[]", "")
    r = desk("find", "nobody", "-f", "csv")
    assert (r.exit_code, r.stdout, r.stderr) == (0, HEADER + "\n", "")


def test_blank_text_is_a_usage_error(desk):
    r = desk("find", "   ")
    assert r.exit_code == 2
    assert r.stderr.startswith("Error: give a phone number")


def test_limit_says_when_more_match(desk):
    r = desk("find", "li", "-f", "csv", "--limit", "2")
    assert r.exit_code == 0
    assert [line.split(",")[0] for line in r.stdout.splitlines()[1:]] == ["C1", "F1"]
    assert r.stderr == "more than 2 orders match 'li': showing 2 (type more of it, or --limit 0 for all)\n"
    r = desk("find", "li", "-f", "csv", "--limit", "0")
    assert (r.exit_code, len(r.stdout.splitlines()), r.stderr) == (0, 5, "")


def test_table_for_the_clerk(desk):
    r = desk("find", "138 0013 8002")
    assert r.exit_code == 0 and r.stderr == ""
    head, rule, row = r.stdout.splitlines()
    assert head.split() == HEADER.split(",")
    assert "due 2026-11-24 09:30" in row and "#2 open by phone" in row


def test_an_order_number_stored_in_mixed_case(desk, tmp_path):
    r = desk("import", write(tmp_path / "more.csv", "order_no,service_type,customer,phone\nAp-7,repair,Qian,13300133000\n"))
    assert r.exit_code == 0, r.output
    assert find(desk, "aP-7") == ["Ap-7,Qian,13300133000,repair,open,,,,,,,,order_no"]
