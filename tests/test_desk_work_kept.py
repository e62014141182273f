"""Desk work is never undone (#27): corrections survive imports, a verified number is
called, promised calls cost no attempt, and no write goes back before a record's last event."""

import json
import sqlite3

import pytest

from conftest import write

ORDERS = """order_no,service_type,customer,phone,region,completed_at,fee,status
X1,repair,Li,12345,East,2026-11-20 15:00,350,
X2,repair,Wu,13800138000,East,2026-11-20 15:00,100,
X3,repair,Zhao,13800138001,East,2026-11-20 15:00,100,
"""


@pytest.fixture
def desk(cli, tmp_path):
    r = cli("import", write(tmp_path / "o.csv", ORDERS), now="2026-11-21 08:00")
    assert r.exit_code == 0, r.output
    return cli


def stored(db_path, sql, *params):
    return sqlite3.connect(db_path).execute(sql, params).fetchall()


def imported(cli, tmp_path, text, name="o.csv", now="2026-11-23 11:00"):
    r = cli("import", write(tmp_path / name, text), "-f", "json", now=now)
    row = json.loads(r.stdout)[0]
    return (row["inserted"], row["updated"], row["unchanged"]), r.stderr


# -- 1. a re-import never reverts a correction ---------------------------------------

def test_the_same_file_again_keeps_the_verified_phone(desk, db_path, tmp_path):
    desk("record", "X1", "--outcome", "wrong_number", now="2026-11-23 09:40")
    r = desk("followup", "verify", "X1", "--phone", "13800001111", "--reason", "客户来电", now="2026-11-23 10:00")
    assert r.exit_code == 0, r.output
    assert imported(desk, tmp_path, ORDERS) == ((0, 0, 3), "")
    assert stored(db_path, "SELECT phone, phone_valid FROM orders WHERE order_no = 'X1'") == [("13800001111", 1)]
    listed = json.loads(desk("followup", "list", "-f", "json", now="2026-11-23 11:00").stdout)
    assert [(f["order_no"], f["reason"]) for f in listed] == []


def test_a_cancellation_survives_the_dealers_file(desk, db_path, tmp_path):
    desk("order", "cancel", "X2", "--reason", "重复工单", now="2026-11-23 10:00")
    again = ORDERS.replace("X2,repair,Wu,13800138000,East,2026-11-20 15:00,100,",
                           "X2,repair,Wu,13800138000,East,2026-11-20 15:00,100,completed")
    assert imported(desk, tmp_path, again) == ((0, 0, 3), "")
    assert stored(db_path, "SELECT status FROM orders WHERE order_no = 'X2'") == [("cancelled",)]


def test_a_new_file_value_keeps_the_correction_and_says_so(desk, db_path, tmp_path):
    desk("order", "set", "X2", "--fee", "120", "--phone", "13911112222", "--reason", "改价", now="2026-11-22 10:00")
    new = ORDERS.replace("13800138000,East,2026-11-20 15:00,100", "13800138009,East,2026-11-20 15:00,130")
    counts, warnings = imported(desk, tmp_path, new, name="new.csv")
    assert counts == (0, 0, 3)
    assert warnings == (
        f"Warning: {tmp_path}/new.csv: line 3: X2 phone kept as corrected on 2026-11-22 (the file has 13800138009)\n"
        f"Warning: {tmp_path}/new.csv: line 3: X2 fee kept as corrected on 2026-11-22 (the file has 130)\n")
    assert stored(db_path, "SELECT phone, fee FROM orders WHERE order_no = 'X2'") == [("13911112222", 120.0)]
    # the same new file again: nothing new to say
    assert imported(desk, tmp_path, new, name="new.csv", now="2026-11-23 12:00") == ((0, 0, 3), "")
    # another field of the row still updates it
    other = new.replace("X2,repair,Wu,", "X2,repair,Wu Wei,")
    assert imported(desk, tmp_path, other, name="new.csv", now="2026-11-23 13:00")[0] == (0, 1, 2)
    shown = json.loads(desk("show", "X2", "-f", "json", now="2026-11-23 13:00").stdout)
    assert shown["corrections"] == [
        {"field": "fee", "value": 120, "corrected_at": "2026-11-22 10:00:00", "actor": shown["corrections"][0]["actor"],
         "reason": "改价", "imported": 130},
        {"field": "phone", "value": "13911112222", "corrected_at": "2026-11-22 10:00:00",
         "actor": shown["corrections"][1]["actor"], "reason": "改价", "imported": "13800138009"}]


def test_revert_hands_the_field_back_to_imports(desk, db_path, tmp_path):
    desk("order", "set", "X2", "--fee", "120", "--reason", "改价", now="2026-11-22 10:00")
    r = desk("order", "revert", "X2", "fee", "--reason", "经销商已更正", now="2026-11-22 11:00")
    assert (r.exit_code, r.stderr) == (0, "X2: fee handed back to imports: fee = 100.0\n")
    assert stored(db_path, "SELECT fee FROM orders WHERE order_no = 'X2'") == [(100.0,)]
    events = stored(db_path, "SELECT detail FROM events WHERE kind = 'order_reverted'")
    assert [json.loads(d) for d, in events] == [{"field": "fee", "reason": "经销商已更正", "corrected_at": "2026-11-22 10:00:00",
                                                 "before": {"fee": 120}, "after": {"fee": 100.0}}]
    # the file's new value now lands
    assert imported(desk, tmp_path, ORDERS.replace(",100,\nX3", ",140,\nX3"))[0] == (0, 1, 2)
    assert stored(db_path, "SELECT fee FROM orders WHERE order_no = 'X2'") == [(140.0,)]
    r = desk("order", "revert", "X2", "fee", "--reason", "again", now="2026-11-23 12:00")
    assert (r.exit_code, r.stderr) == (1, "Error: order X2: fee was not corrected at the desk\n")
    r = desk("order", "revert", "X2", "colour", "--reason", "x", now="2026-11-23 12:00")
    assert r.exit_code == 2 and r.stderr.startswith("Error: FIELD: 'colour' is not a field of an order (use one of ")


def test_a_dry_run_says_what_it_would_keep_and_writes_nothing(desk, db_path, tmp_path):
    desk("order", "set", "X2", "--fee", "120", "--reason", "改价", now="2026-11-22 10:00")
    r = desk("import", write(tmp_path / "n.csv", ORDERS.replace(",100,\nX3", ",130,\nX3")), "--dry-run",
             now="2026-11-23 10:00")
    assert r.stderr.startswith(f"Warning: {tmp_path}/n.csv: line 3: X2 fee kept as corrected on 2026-11-22 (the file has 130)\n")
    assert stored(db_path, "SELECT json_extract(imported, '$.fee') FROM corrections") == [(100.0,)]


# -- 2. the verified number is called ---------------------------------------------------

def due(cli, now, *args):
    return [(r["order_no"], r["reason"], r["due_at"], r["deadline"], r["attempts"])
            for r in json.loads(cli("due", "-f", "json", *args, now=now).stdout or "[]")]


def test_a_verified_number_brings_the_callback_back(desk, db_path):
    desk("record", "X1", "--outcome", "wrong_number", now="2026-11-23 09:40")
    assert [d[0] for d in due(desk, "2026-11-23 09:45")] == ["X2", "X3"]
    desk("followup", "verify", "X1", "--phone", "13800001111", "--reason", "客户来电", now="2026-11-23 12:10")
    assert "X1" not in [d[0] for d in due(desk, "2026-11-23 12:15")]  # lunch: the next window is at 14:40
    assert due(desk, "2026-11-23 14:40")[0] == ("X1", "verified", "2026-11-23 14:40:00", "2026-11-25 17:00:00", 0)
    claimed = json.loads(desk("claim", "--agent", "王芳", "-f", "json", now="2026-11-23 14:41").stdout)
    assert claimed[0]["order_no"] == "X1"
    r = desk("record", "X1", "--outcome", "reached", "--satisfaction", "5", "--agent", "王芳", now="2026-11-23 14:45")
    assert r.exit_code == 0, r.output
    assert stored(db_path, "SELECT round, reason, outcome FROM callbacks WHERE order_id = 1 ORDER BY id") == [
        (1, "first", "wrong_number"), (1, "verified", "reached")]
    assert "X1" not in [d[0] for d in due(desk, "2026-11-23 14:50")]
    report = json.loads(desk("report", "--from", "2026-11-01", "--to", "2026-11-30", "-f", "json",
                             now="2026-11-30 18:00").stdout)[0]
    assert (report["callbacks_done"], report["invalid_contacts"]) == (1, 1)


def test_order_set_phone_with_an_open_invalid_contact_verifies_it(desk):
    desk("record", "X1", "--outcome", "wrong_number", now="2026-11-23 09:40")
    desk("order", "set", "X1", "--phone", "13800001111", "--reason", "经销商更正", now="2026-11-23 10:00")
    assert due(desk, "2026-11-23 10:01")[0][:2] == ("X1", "verified")
    shown = json.loads(desk("show", "X1", "-f", "json", now="2026-11-23 10:01").stdout)
    steps = {s["step"]: s["value"] for s in shown["callback_schedule"]}
    assert steps["due_at"] == ("Mon 2026-11-23 10:00:00: the wrong number was verified at 2026-11-23 10:00:00, "
                               "at the next window")
    assert steps["next_call"] == "Mon 2026-11-23 10:00:00 (verified)"


# -- 4. a promised call costs no attempt ----------------------------------------------------

def test_a_call_at_the_promised_time_is_not_an_attempt(desk, db_path):
    desk("record", "X2", "--outcome", "busy", "--callback-at", "2026-11-23 15:00", now="2026-11-23 09:40")
    desk("record", "X2", "--outcome", "no_answer", now="2026-11-23 15:00")
    r = desk("record", "X2", "--outcome", "no_answer", now="2026-11-23 17:00")
    assert r.exit_code == 0
    assert stored(db_path, "SELECT reason FROM followups") == []  # 2 real attempts of 3: not unreachable
    assert [d[0::4] for d in due(desk, "2026-11-24 17:00") if d[0] == "X2"] == [("X2", 2)]
    shown = json.loads(desk("show", "X2", "-f", "json", now="2026-11-24 17:00").stdout)
    steps = {s["step"]: s["value"] for s in shown["callback_schedule"]}
    assert steps["attempts"] == "2 of 3, last no_answer; 1 call(s) at a time the customer asked for, not counted"
    desk("record", "X2", "--outcome", "no_answer", now="2026-11-24 17:00")
    assert stored(db_path, "SELECT reason, detail FROM followups") == [("unreachable", "3 attempts, last no_answer")]


# -- 5. time never runs backwards on a record ----------------------------------------------

def test_a_complaint_is_not_closed_before_it_was_resolved(desk, db_path):
    desk("complaint", "add", "--order", "X2", "--against", "engineer", "--text", "迟到", now="2026-11-23 10:00")
    desk("complaint", "respond", "1", "--text", "已联系", now="2026-11-23 11:00")
    desk("complaint", "resolve", "1", "--text", "已处理", now="2026-11-23 15:00")
    r = desk("complaint", "close", "1", "--satisfied", now="2026-11-23 14:00")
    assert (r.exit_code, r.stderr) == (1, "Error: complaint 1 was last changed at 2026-11-23 15:00:00 (resolved): "
                                          "nothing is written to it as of 2026-11-23 14:00:00, which is earlier\n")
    assert stored(db_path, "SELECT status, closed_at FROM complaints") == [("resolved", None)]


def test_reopening_keeps_the_reply_and_list_and_report_agree(desk, db_path):
    desk("complaint", "add", "--order", "X2", "--against", "engineer", "--text", "迟到", now="2026-11-23 10:00")
    desk("complaint", "respond", "1", "--text", "已联系", now="2026-11-23 11:00")
    desk("complaint", "resolve", "1", "--text", "已处理", now="2026-11-23 15:00")
    assert desk("complaint", "close", "1", "--unsatisfied", now="2026-11-24 10:00").exit_code == 0
    desk("complaint", "resolve", "1", "--text", "再处理", now="2026-11-24 15:00")
    listed = json.loads(desk("complaint", "list", "-f", "json", now="2026-11-30 10:00").stdout)
    report = json.loads(desk("report", "--from", "2026-11-01", "--to", "2026-11-30", "-f", "json",
                             now="2026-11-30 10:00").stdout)[0]
    assert (listed[0]["overdue"], report["overdue_complaints"]) == (False, 0)  # resolved in time after reopening
    reopened = [json.loads(d) for d, in stored(db_path, "SELECT detail FROM events WHERE kind = 'complaint_reopen'")]
    assert reopened[0]["before"]["replied_at"] == "2026-11-23 11:00:00"
    assert reopened[0]["before"]["resolved_at"] == "2026-11-23 15:00:00"


def test_a_call_is_not_recorded_before_its_order_was_completed(desk, db_path):
    r = desk("record", "X2", "--outcome", "no_answer", now="2026-11-20 14:00")
    assert (r.exit_code, r.stderr) == (1, "Error: order X2 was last changed at 2026-11-20 15:00:00 (completed): "
                                          "nothing is written to it as of 2026-11-20 14:00:00, which is earlier\n")
    assert stored(db_path, "SELECT count(*) FROM callbacks") == [(0,)]


def test_an_order_is_not_corrected_before_its_last_change(desk, db_path):
    r = desk("order", "set", "X2", "--fee", "1", "--reason", "x", now="2026-11-21 07:00")
    assert (r.exit_code, r.stderr) == (1, "Error: order X2 was last changed at 2026-11-21 08:00:00: "
                                          "nothing is written to it as of 2026-11-21 07:00:00, which is earlier\n")


# -- the property: corrections win, every other field is the newest file's -----------------

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

NUMBERS = ["P1", "P2", "P3"]
VALUES = {"phone": ["13800138000", "13911112222", "13700001111"], "fee": [100.0, 120.0, 150.5],
          "customer": ["李", "王", "张"], "engineer": ["E1", "E2"]}
FILE = st.fixed_dictionaries({no: st.fixed_dictionaries({f: st.sampled_from(v) for f, v in VALUES.items()})
                              for no in NUMBERS})
STEP = st.one_of(
    st.tuples(st.just("import"), FILE),
    st.tuples(st.just("correct"), st.sampled_from(NUMBERS), st.sampled_from(sorted(VALUES)), st.integers(0, 2)),
    st.tuples(st.just("revert"), st.sampled_from(NUMBERS), st.sampled_from(sorted(VALUES))),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=FILE, steps=st.lists(STEP, max_size=12))
def test_corrections_win_and_everything_else_is_the_newest_files(tmp_path_factory, first, steps):
    import datetime as dt

    from callbackctl import desk as desk_mod, orders
    from callbackctl.errors import StateError

    folder = tmp_path_factory.mktemp("prop")
    desk = desk_mod.open_desk(str(folder / "d.db"), now="2026-11-21 08:00")

    def load(version):
        text = "order_no,service_type," + ",".join(VALUES) + "\n" + "".join(
            f"{no},repair," + ",".join(str(version[no][f]) for f in VALUES) + "\n" for no in NUMBERS)
        path = write(folder / "f.csv", text)
        orders.import_file(desk, str(path))

    load(first)
    newest = {no: dict(first[no]) for no in NUMBERS}
    kept = {}  # (no, field) -> the desk's value
    for i, step in enumerate(steps, 1):
        desk.now = dt.datetime(2026, 11, 21, 8) + dt.timedelta(minutes=i)
        if step[0] == "import":
            load(step[1])
            newest = {no: dict(step[1][no]) for no in NUMBERS}
        elif step[0] == "correct":
            _, no, field, k = step
            value = VALUES[field][k % len(VALUES[field])]
            _, changed = orders.correct(desk, no, {field: str(value)}, reason="test")
            if changed:
                kept[(no, field)] = value
        else:
            _, no, field = step
            try:
                orders.revert(desk, no, field, reason="test")
            except StateError:
                assert (no, field) not in kept
            kept.pop((no, field), None)
        for no in NUMBERS:
            stored = orders.get(desk.conn, no)
            for field in VALUES:
                assert stored[field] == kept.get((no, field), newest[no][field]), (no, field, step)


def test_a_call_is_not_voided_before_it_was_made(desk, db_path):
    desk("record", "X2", "--outcome", "no_answer", now="2026-11-23 10:00")
    r = desk("call", "void", "1", "--reason", "录错", now="2026-11-23 09:00")
    assert (r.exit_code, r.stderr) == (1, "Error: call 1 was last changed at 2026-11-23 10:00:00 (called): "
                                          "nothing is written to it as of 2026-11-23 09:00:00, which is earlier\n")
