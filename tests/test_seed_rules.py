"""The seeds' call, to the letter (#29): seed 000's words for a 5, and the hours reading
that grows with use after the service."""

import json
import sqlite3

import pytest

from conftest import write

ORDERS = """order_no,service_type,customer,phone,completed_at,machine_hours
H1,repair,Li,13800138000,2026-11-17 15:00,1344
H2,repair,Wu,13800138001,2026-11-20 15:00,1344
"""


@pytest.fixture
def desk(cli, tmp_path):
    assert cli("import", write(tmp_path / "o.csv", ORDERS), now="2026-11-17 16:00").exit_code == 0
    return cli


@pytest.mark.parametrize("said", ["很好", "特别好", "非常好", "很满意", "建议对王工进行嘉奖", "建议对××予以表扬。",
                                  "服务比其他厂家好", "质量比其他厂家好"])
def test_every_phrase_of_seed_000s_table_for_5(desk, said):
    r = desk("record", "H1", "--outcome", "reached", "--satisfaction", said, "-f", "json", now="2026-11-23 10:00")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)[0]["index"] == 5.0


@pytest.mark.parametrize("order, reading, genuine, found", [
    ("H1", 1400, True, None),        # 5 whole days after (11-17 15:00 to 11-23 10:00): 1344 + 50 + 5 x 20 = 1494
    ("H1", 1494, True, None),
    ("H1", 1495, False, "hours: customer reads 1495, order has 1344"),
    ("H1", 1293, False, "hours: customer reads 1293, order has 1344"),  # less than the order said, beyond 50
    ("H2", 1434, True, None),        # 2 whole days: 1344 + 50 + 40
    ("H2", 1435, False, "hours: customer reads 1435, order has 1344"),
])
def test_the_hours_reading_may_grow_with_the_days_since_the_service(desk, db_path, order, reading, genuine, found):
    r = desk("record", order, "--outcome", "reached", "--satisfaction", "5", "--hours", str(reading), "-f", "json",
             now="2026-11-23 10:00")
    assert r.exit_code == 0, r.output
    row = json.loads(r.stdout)[0]
    assert (row["genuine"], row["discrepancies"]) == (genuine, [found] if found else [])


CALLS = """order_no,service_type,customer,phone,arrived_at,completed_at
T1,repair,Li,13800138010,2026-11-20 09:00,2026-11-20 15:00
T2,repair,Wu,13800138011,2026-11-20 09:00,2026-11-20 15:00
"""


@pytest.fixture
def timed(cli, tmp_path):
    assert cli("import", write(tmp_path / "t.csv", CALLS), now="2026-11-20 16:00").exit_code == 0
    return cli


def test_someone_not_on_site_nor_aware_keeps_the_callback_due(timed, db_path):
    r = timed("record", "T1", "-o", "reached", "--respondent", "其他", "-f", "json", now="2026-11-23 10:00")
    assert r.exit_code == 0
    assert json.loads(r.stdout)[0]["outcome"] == "wrong_person"
    assert r.stderr == ("Warning: T1: who answered was neither on site nor aware of the service: kept as not reached "
                        "(wrong_person); the callback stays due\n")
    due = json.loads(timed("due", "-f", "json", now="2026-11-23 14:40").stdout)
    assert [(d["order_no"], d["reason"]) for d in due] == [("T1", "retry"), ("T2", "first")]
    r = timed("record", "T1", "-o", "reached", "-s", "5", "--respondent", "other", now="2026-11-23 14:40")
    assert (r.exit_code, r.stderr) == (2, "Error: scores come from someone on site or who knows the service (not "
                                          "other): the callback stays due\n")
    r = timed("record", "T1", "-o", "reached", "-s", "5", "--respondent", "nobody", now="2026-11-23 14:40")
    assert (r.exit_code, r.stderr) == (2, "Error: --respondent: unknown respondent 'nobody' (use on_site 在现场, "
                                          "aware 知晓服务过程, other 其他)\n")


def test_the_engineers_times_the_recording_and_the_suggestion(timed, db_path):
    r = timed("record", "T1", "-o", "reached", "-s", "5", "--respondent", "在现场", "--arrived", "2026-11-20 12:00",
              "--finished", "2026-11-20 16:30", "--recording", "REC-0001", "--suggestion", "希望多送滤芯", "-f", "json",
              now="2026-11-23 10:00")
    row = json.loads(r.stdout)[0]
    assert (row["genuine"], row["discrepancies"], row["followup"]) == (
        False, ["arrival: customer says 2026-11-20 12:00, order has 2026-11-20 09:00"], "not_genuine")
    stored = sqlite3.connect(db_path).execute(
        "SELECT respondent, said_arrived, said_finished, recording, suggestion FROM callbacks").fetchall()
    assert stored == [("on_site", "2026-11-20 12:00:00", "2026-11-20 16:30:00", "REC-0001", "希望多送滤芯")]
    shown = json.loads(timed("show", "T1", "-f", "json", now="2026-11-23 10:00").stdout)["calls"][0]
    assert (shown["respondent"], shown["recording"], shown["suggestion"]) == ("on_site", "REC-0001", "希望多送滤芯")
    exported = timed("export", "callbacks", "-f", "csv", now="2026-11-23 10:00").stdout.splitlines()
    assert exported[0].endswith(",respondent,said_arrived,said_finished,recording,suggestion")
    assert exported[1].endswith(",on_site,2026-11-20 12:00:00,2026-11-20 16:30:00,REC-0001,希望多送滤芯")


def test_suggestions_are_counted_in_reports_and_listed_on_the_monthly_form(timed, tmp_path):
    from python_calamine import CalamineWorkbook

    timed("record", "T1", "-o", "reached", "-s", "5", "--suggestion", "希望多送滤芯", now="2026-11-23 10:00")
    timed("record", "T2", "-o", "reached", "-s", "4", "--suggestion", "录错了", now="2026-11-23 10:05")
    assert timed("call", "void", "2", "--reason", "录错", now="2026-11-23 10:10").exit_code == 0
    timed("record", "T2", "-o", "reached", "-s", "4", "--suggestion", "想买延保", now="2026-11-23 10:15")
    rows = json.loads(timed("report", "--by", "agent", "-f", "json", now="2026-11-30 18:00").stdout)
    assert [(r["agent"], r["suggestions"]) for r in rows] == [("root", 2)]
    form = tmp_path / "m.xlsx"
    assert timed("report", "--name", "monthly", "-f", "xlsx", "-o", form, now="2026-12-01 09:00").exit_code == 0
    cells = [[c for c in row if c != ""] for row in CalamineWorkbook.from_path(str(form)).get_sheet_by_index(0).to_python()]
    at = cells.index(["Customers' suggestions and needs"])  # the tests' interface is English (conftest)
    assert cells[at + 1:at + 4] == [["Called at", "Order no", "Customer", "Region", "Agent", "Suggestion"],
                                    ["2026-11-23 10:00:00", "T1", "Li", "root", "希望多送滤芯"],
                                    ["2026-11-23 10:15:00", "T2", "Wu", "root", "想买延保"]]


def test_a_desk_may_require_the_respondent_and_the_recording(timed, tmp_path):
    policy = tmp_path / "p.toml"
    policy.write_text("[callback]\nrespondent_required = true\nrecording_required = true\n", encoding="utf-8")
    r = timed("record", "T2", "-o", "reached", "-s", "4", now="2026-11-23 10:00", policy=policy)
    assert (r.exit_code, r.stderr) == (2, "Error: --respondent: this desk records who answered a reached call (受访人): "
                                          "give --respondent on_site, aware or other\n")
    r = timed("record", "T2", "-o", "reached", "-s", "4", "--respondent", "aware", now="2026-11-23 10:00", policy=policy)
    assert (r.exit_code, r.stderr) == (2, "Error: --recording: this desk keeps each reached call's recording (录音): "
                                          "give --recording REF\n")
    assert timed("record", "T2", "-o", "no_answer", now="2026-11-23 10:00", policy=policy).exit_code == 0


def test_a_call_log_gives_them_in_its_own_words(timed, db_path, tmp_path):
    log = write(tmp_path / "log.csv", "工单号,回访结果,满意度,受访人,到达时间,服务完成时间,录音编号,用户建议,回访时间\n"
                                     "T2,已接通,很好,知晓服务过程,2026-11-20 09:30,2026-11-20 15:10,R-77,无,2026-11-23 09:40\n")
    r = timed("record", "--from", log, now="2026-11-23 10:00")
    assert r.exit_code == 0, r.output
    assert sqlite3.connect(db_path).execute(
        "SELECT outcome, satisfaction, genuine, respondent, recording, suggestion FROM callbacks").fetchall() == [
        ("reached", 5.0, 1, "aware", "R-77", "无")]


# -- apologies (seed 004) ---------------------------------------------------------------

APOLOGY_ORDERS = """order_no,service_type,customer,phone,completed_at
P1,repair,Li,13800138020,2026-11-20 15:00
P2,repair,Li,13800138020,2026-11-21 15:00
"""


@pytest.fixture
def two_complaints(cli, tmp_path):
    cli("import", write(tmp_path / "p.csv", APOLOGY_ORDERS), now="2026-11-22 09:00")
    for order, agent in (("P1", "小王"), ("P2", "小李")):
        assert cli("complaint", "add", "--order", order, "--against", "agent", "--target", agent, "--text", "语气差",
                   now="2026-11-23 09:00").exit_code == 0
    return cli


def apology_rows(cli, *args, now="2026-11-23 10:00"):
    return json.loads(cli("apology", *args, "-f", "json", now=now).stdout or "[]")


def test_one_apology_call_for_a_customers_several_complaints(two_complaints, db_path):
    first = apology_rows(two_complaints, "open", "1")
    second = apology_rows(two_complaints, "open", "2")
    assert (first[0]["id"], first[0]["complaints"]) == (1, "1")
    assert (second[0]["id"], second[0]["complaints"]) == (1, "1, 2")
    due = apology_rows(two_complaints, "due")
    assert [(a["id"], a["complaints"], a["call_by"]) for a in due] == [(1, "1, 2", "2026-11-23 21:00:00")]
    r = two_complaints("apology", "open", "2", now="2026-11-23 10:01")
    assert (r.exit_code, r.stderr) == (1, "Error: complaint 2 already has an apology\n")


def test_an_accepted_apology_resolves_its_complaints(two_complaints, db_path):
    apology_rows(two_complaints, "open", "1")
    apology_rows(two_complaints, "open", "2")
    done = apology_rows(two_complaints, "record", "1", "--outcome", "accepted", now="2026-11-23 10:30")
    assert done[0]["state"] == "accepted"
    assert sqlite3.connect(db_path).execute("SELECT id, status, resolution FROM complaints").fetchall() == [
        (1, "resolved", "apology accepted"), (2, "resolved", "apology accepted")]
    assert apology_rows(two_complaints, "sms", now="2026-11-23 10:31") == []


def test_not_accepted_goes_back_to_the_complaint_procedure_without_a_message(two_complaints, db_path):
    apology_rows(two_complaints, "open", "1")
    done = apology_rows(two_complaints, "record", "1", "--outcome", "not_accepted", now="2026-11-23 10:30")
    assert (done[0]["state"], done[0]["closed_at"]) == ("not_accepted", "2026-11-23 10:30:00")
    assert apology_rows(two_complaints, "sms", now="2026-11-23 10:31") == []
    assert sqlite3.connect(db_path).execute("SELECT status FROM complaints WHERE id = 1").fetchone() == ("open",)


def test_an_apology_opened_after_the_last_window_is_due_the_next_day(two_complaints):
    apology_rows(two_complaints, "open", "1", now="2026-11-23 21:30")
    due = apology_rows(two_complaints, "due", now="2026-11-24 09:00")
    assert [(a["id"], a["call_by"]) for a in due] == [(1, "2026-11-24 21:00:00")]


# -- one rule for satisfied -------------------------------------------------------------

def test_a_call_with_a_score_of_2_is_not_counted_satisfied(desk, db_path):
    """4 4 2 4 4 (index 3.6) opens a dissatisfied follow-up: the report does not count it
    satisfied at the same time (满意 + 一般 + 不满意 are the rated calls)."""
    r = desk("record", "H1", "-o", "reached", "--skill", "4", "--attitude", "4", "--timeliness", "2", "--parts", "4",
             "--overall", "4", "-f", "json", now="2026-11-23 10:00")
    assert (json.loads(r.stdout)[0]["index"], json.loads(r.stdout)[0]["followup"]) == (3.6, "dissatisfied")
    desk("record", "H2", "-o", "reached", "-s", "4", now="2026-11-23 10:05")
    report = json.loads(desk("report", "--from", "2026-11-01", "--to", "2026-11-30", "-f", "json",
                             now="2026-11-30 10:00").stdout)[0]
    assert (report["calls_reached"], report["satisfied_rate"], report["dissatisfied"]) == (2, 0.5, 1)
    assert sqlite3.connect(db_path).execute("SELECT lowest FROM callbacks ORDER BY id").fetchall() == [(2,), (4,)]


# -- seed 003: the provider contacts within 30 minutes of dispatch, reports within 3 hours ----

DUTIES = """工单号,服务类型,服务商,区域,报修时间,派工时间,联系用户时间,回馈时间,完工时间
D1,维修,P1,East,2026-11-23 09:00,2026-11-23 09:10,2026-11-23 09:35,2026-11-23 11:00,2026-11-23 15:00
D2,维修,P1,East,2026-11-23 09:00,2026-11-23 09:10,2026-11-23 09:45,2026-11-23 12:20,
D3,维修,P2,East,2026-11-23 16:50,2026-11-23 16:50,2026-11-24 08:50,2026-11-24 10:30,
D4,维修,P2,East,2026-11-23 16:50,2026-11-23 16:50,2026-11-24 09:10,,
D5,维修,P2,East,2026-11-23 10:00,2026-11-23 10:00,,,
"""


@pytest.fixture
def dispatched(cli, tmp_path):
    assert cli("import", write(tmp_path / "d.csv", DUTIES), now="2026-11-24 12:00").exit_code == 0
    return cli


def duties(cli, order, now="2026-11-24 12:00"):
    shown = json.loads(cli("show", order, "-f", "json", now=now).stdout)["provider_duties"]
    return [(d["duty"], d["deadline"], d["done_at"], d["state"]) for d in shown]


@pytest.mark.parametrize("order, rows", [
    ("D1", [("contact", "2026-11-23 09:40:00", "2026-11-23 09:35:00", "on time"),
            ("status", "2026-11-23 12:10:00", "2026-11-23 11:00:00", "on time")]),
    ("D2", [("contact", "2026-11-23 09:40:00", "2026-11-23 09:45:00", "late"),
            ("status", "2026-11-23 12:10:00", "2026-11-23 12:20:00", "late")]),
    # dispatched 10 minutes before the desk closes: the rest of the allowance is the next morning's
    ("D3", [("contact", "2026-11-24 08:50:00", "2026-11-24 08:50:00", "on time"),
            ("status", "2026-11-24 11:20:00", "2026-11-24 10:30:00", "on time")]),
    ("D4", [("contact", "2026-11-24 08:50:00", "2026-11-24 09:10:00", "late"),
            ("status", "2026-11-24 11:20:00", None, "not recorded")]),
])
def test_show_explains_the_providers_duties(dispatched, order, rows):
    assert duties(dispatched, order) == rows


def test_an_allowance_in_days_counts_from_the_dispatch_rolled_into_desk_time(cli, tmp_path):
    """1d after a dispatch at 20:03 is the next working day's close, not the same day's (review of #29)."""
    policy = write(tmp_path / "p.toml", '[dispatch]\nstatus_within = "1d"\n')
    cli("import", write(tmp_path / "d.csv", "order_no,service_type,dispatched_at,feedback_at\n"
                                            "L1,repair,2026-11-23 20:03,2026-11-23 20:03\n"), now="2026-11-24 12:00")
    shown = json.loads(cli("show", "L1", "-f", "json", now="2026-11-24 12:00", policy=policy).stdout)
    assert [(d["duty"], d["deadline"], d["state"]) for d in shown["provider_duties"]][1] == (
        "status", "2026-11-24 17:00:00", "on time")


def test_a_duty_not_yet_due_is_owed(dispatched):
    assert duties(dispatched, "D4", now="2026-11-24 08:00") == [
        ("contact", "2026-11-24 08:50:00", None, "owed"), ("status", "2026-11-24 11:20:00", None, "owed")]


def test_reports_count_late_duties_per_provider_by_the_dispatch(dispatched, tmp_path):
    def late(*args, policy=None):
        rows = json.loads(dispatched("report", "--by", "provider", "-f", "json", *args, now="2026-11-24 12:00",
                                     policy=policy).stdout)
        return [(r["period"], r["provider"], r["dispatched"], r["late_contact"], r["late_status"]) for r in rows]

    assert late() == [("2026-11", "P1", 2, 1, 1), ("2026-11", "P2", 3, 1, 0)]  # D5 recorded nothing: not counted
    # the 24th: nothing dispatched, but D1's callback fell due
    assert late("--period", "day", "--from", "2026-11-23") == [
        ("2026-11-23", "P1", 2, 1, 1), ("2026-11-23", "P2", 3, 1, 0), ("2026-11-24", "P1", 0, 0, 0)]
    policy = write(tmp_path / "p.toml", '[dispatch]\ncontact_within = "1h"\nstatus_within = "4h"\n')
    assert late(policy=policy) == [("2026-11", "P1", 2, 0, 0), ("2026-11", "P2", 3, 0, 0)]


def test_the_reports_desk_time_agrees_with_the_calendar_at_every_edge(cli, db_path, tmp_path):
    """late_contact/late_status in SQL (desk seconds per day) against dispatch.duty_deadline, for
    dispatches at window edges, before a weekend and a holiday, and duties done one second
    either side of the deadline, on it, and in the gap after a deadline at a window's end."""
    import datetime as dt
    import random

    from callbackctl import desk as desk_mod, dispatch

    cli("info")
    desk = desk_mod.open_desk(db_path, now="2026-12-31 12:00")
    rng = random.Random(29)
    starts = [dt.datetime(2026, 9, 30, h, m) for h, m in ((8, 29), (8, 30), (16, 29), (16, 30), (16, 59), (17, 0))]
    starts += [dt.datetime(2026, 11, 20, 16, 45), dt.datetime(2026, 11, 21, 10, 0)]  # a Friday, a Saturday
    starts += [dt.datetime(2026, 10, rng.randint(1, 31), rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))
               for _ in range(30)]
    rows, expected = ["order_no,service_type,engineer,dispatched_at,contacted_at,feedback_at"], {}
    for i, start in enumerate(starts):
        for j, shift in enumerate((-1, 0, 1, 3600, 7200)):
            contact = dt.datetime.fromisoformat(dispatch.duty_deadline(desk, start.isoformat(" "), "contact_within"))
            status = dt.datetime.fromisoformat(dispatch.duty_deadline(desk, start.isoformat(" "), "status_within"))
            done = [t + dt.timedelta(seconds=shift) for t in (contact, status)]
            engineer = f"E{i:02d}{j}"
            rows.append(f"K{i:02d}{j},repair,{engineer},{start:%Y-%m-%d %H:%M:%S},{done[0]:%Y-%m-%d %H:%M:%S},"
                        f"{done[1]:%Y-%m-%d %H:%M:%S}")
            expected[engineer] = (int(done[0] > contact), int(done[1] > status))
    desk.conn.close()
    assert cli("import", write(tmp_path / "k.csv", "\n".join(rows) + "\n"), now="2026-12-31 12:00").exit_code == 0
    got = json.loads(cli("report", "--by", "engineer", "--from", "2026-09-01", "-f", "json",
                         now="2026-12-31 12:00").stdout)
    counted = {}
    for r in got:
        late = counted.setdefault(r["engineer"], [0, 0])
        late[0] += r["late_contact"]
        late[1] += r["late_status"]
    assert {e: tuple(v) for e, v in counted.items() if any(v)} == {e: v for e, v in expected.items() if any(v)}
    assert sum(a + b for a, b in expected.values()) > 50  # the edges were there
