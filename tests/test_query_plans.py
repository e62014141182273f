"""The indexes the hot queries rely on, checked with EXPLAIN QUERY PLAN.

A full scan of orders is what made `due` take seconds on a million orders;
these tests fail if a change to a query or an index brings one back.
"""

import datetime as dt

import pytest

from callbackctl import desk as desk_mod, dispatch, duelist, schedule


def plan(d, sql, params):
    return [r[3] for r in d.conn.execute("EXPLAIN QUERY PLAN " + sql, params)]


def test_due_reads_an_index_range_not_every_order(tmp_path):
    d = desk_mod.open_desk(str(tmp_path / "p.db"), now="2026-11-23 10:00")
    lower = schedule.earliest_open_completion(schedule.Scheduler(d), d.now)
    steps = plan(d, *schedule.due_query(d.policy, d.now, d.now, lower))
    # whether the first round is open, the type and the status, from the index alone
    assert "SEARCH orders USING COVERING INDEX orders_completed (completed_at>? AND completed_at<?)" in steps, steps
    # calls are read for those orders alone: their round's, one probe each
    assert [s for s in steps if "callbacks" in s] == ["SEARCH c USING INDEX callbacks_order (order_id=? AND round=?)"]
    assert "SEARCH followups USING INDEX followups_done (done_at>?)" in steps, steps  # recent second visits
    assert "SEARCH f USING INDEX followups_order (order_id=?)" in steps, steps  # each order's visits, not all
    assert not any(s.startswith("SCAN") for s in steps), steps


def test_the_due_window_is_tight(tmp_path):
    d = desk_mod.open_desk(str(tmp_path / "p.db"), now="2026-11-23 10:00")
    lower = schedule.earliest_open_completion(schedule.Scheduler(d), d.now)
    # repair: due the next working day, 3 working days to call, then 7 calendar days
    assert dt.datetime(2026, 11, 10) <= lower < dt.datetime(2026, 11, 12)


def test_chase_reads_only_unfinished_orders(tmp_path):
    d = desk_mod.open_desk(str(tmp_path / "p.db"), now="2026-11-23 10:00")
    steps = plan(d, *dispatch.chase_query(d.policy, d.now))
    # the unfinished orders' own index, never their rows in the table
    assert "SEARCH o USING COVERING INDEX orders_unfinished (reported_at<?)" in steps, steps
    assert steps.count("SEARCH c USING COVERING INDEX chases_order_at (order_id=?)") == 2, steps
    assert not any(s.startswith("SCAN") for s in steps), steps


def test_chase_filters_stay_on_the_index(tmp_path):
    d = desk_mod.open_desk(str(tmp_path / "p.db"), now="2026-11-23 10:00")
    steps = plan(d, *dispatch.chase_query(d.policy, d.now, region="East", provider="P1"))
    assert "SEARCH o USING COVERING INDEX orders_unfinished (reported_at<?)" in steps, steps


def _report_plans(tmp_path, date_from, by="region", statement="AS orders_completed"):
    from callbackctl import reports

    d = desk_mod.open_desk(str(tmp_path / "p.db"), now="2026-11-23 10:00")
    with d.conn:  # a desk of two years' orders
        for i, day in enumerate(("2025-01-02", "2025-09-01", "2026-11-20")):
            d.conn.execute("INSERT INTO orders (order_no, service_type, completed_at, created_at, updated_at) "
                           "VALUES (?, 'repair', ?, '', '')", (f"O{i}", day + " 10:00"))
    beside = reports._beside
    reports._beside = lambda desk, job, parallel: beside(desk, job, False)  # every pass on the traced connection
    try:
        plans = plans_of_statements(d, lambda: reports.report(d, by=by, date_from=dt.date.fromisoformat(date_from),
                                                                     date_to=dt.date(2026, 11, 23)))
    finally:
        reports._beside = beside
    return next(p for s, p in plans.items() if statement in s)


def test_a_short_report_reads_its_range_of_orders_completed(tmp_path):
    steps = _report_plans(tmp_path, "2026-11-01")
    assert "SEARCH o USING INDEX orders_completed (completed_at>? AND completed_at<?)" in steps, steps
    # each order's first reached call is kept on the order (m017): the calls are not read
    assert not any(" c " in s or " f " in s for s in steps), steps


def test_a_wide_report_reads_the_orders_in_row_order(tmp_path):
    steps = _report_plans(tmp_path, "2025-06-01")
    assert "SCAN o" in steps, steps
    assert not any(" c " in s or " f " in s for s in steps), steps


def test_a_wide_report_reads_the_calls_in_the_order_of_their_orders_from_an_index_alone(tmp_path):
    steps = _report_plans(tmp_path, "2025-06-01", statement="AS calls_made")
    assert steps[:2] == ["SCAN c USING COVERING INDEX callbacks_order",
                         "SEARCH o USING INTEGER PRIMARY KEY (rowid=?) LEFT-JOIN"], steps


def test_a_wide_report_by_agent_reads_the_calls_in_row_order(tmp_path):
    steps = _report_plans(tmp_path, "2025-06-01", by="agent", statement="AS calls_made")
    assert steps[0] == "SCAN c", steps


def test_a_report_by_agent_reads_each_first_reached_call_by_its_id(tmp_path):
    steps = _report_plans(tmp_path, "2026-11-01", by="agent")
    assert "SEARCH f USING INTEGER PRIMARY KEY (rowid=?) LEFT-JOIN" in steps, steps


def plans_of_statements(d, call):
    """The query plan of every SELECT that `call()` runs on the desk's connection."""
    statements = []
    d.conn.set_trace_callback(statements.append)
    try:
        call()
    finally:
        d.conn.set_trace_callback(None)
    return {s: [r[3] for r in d.conn.execute("EXPLAIN QUERY PLAN " + s)]
            for s in statements if s.lstrip().upper().startswith("SELECT")}


@pytest.mark.parametrize("filters", [{}, {"region": "East"}, {"provider": "P1"}, {"engineer": "E1"},
                                     {"service_type": "repair"}])
def test_due_never_scans_orders_or_calls_whatever_the_filter(tmp_path, filters):
    # Spot checks' calls were found by scanning every call, twice per open
    # check (91 checks, 900k calls: 56 s), and a filter made SQLite scan
    # every order to find the few open checks.
    d = desk_mod.open_desk(str(tmp_path / "p.db"), now="2026-11-23 10:00")
    plans = plans_of_statements(d, lambda: duelist.due(d, **filters))
    spot = [p for s, p in plans.items() if "FROM spot_checks" in s]
    assert spot and "SCAN s USING INDEX spot_checks_open" in spot[0], spot
    assert spot[0].count("SEARCH c USING INDEX callbacks_spot (spot_check_id=?)") + \
        spot[0].count("SEARCH c USING COVERING INDEX callbacks_spot (spot_check_id=?)") == 2, spot
    for statement, steps in plans.items():
        assert not any(s.startswith("SCAN") and not s.startswith("SCAN s USING INDEX spot_checks_open")
                       for s in steps), (statement, steps)


def test_followup_list_reads_only_orders_whose_phone_needs_checking(tmp_path):
    from callbackctl import followups

    d = desk_mod.open_desk(str(tmp_path / "p.db"), now="2026-11-23 10:00")
    plans = plans_of_statements(d, lambda: followups.followups(d))
    contact = [p for s, p in plans.items() if "phone_valid IS NOT 1" in s]
    assert contact == [["SCAN orders USING INDEX orders_contact_check"]], plans
