"""claim and release: two agents never get the same callback."""

import json
import shutil
import sqlite3
import subprocess

import pytest

from conftest import write

EXE = shutil.which("callbackctl")
ORDERS = "order_no,service_type,customer,phone,region,completed_at\n" + "".join(
    f"C{i},repair,Cu{i},1380013800{i},East,2026-11-20 15:00\n" for i in range(10))
NOW = "2026-11-23 10:00"


@pytest.fixture
def desk(cli, tmp_path):
    assert cli("import", write(tmp_path / "o.csv", ORDERS)).exit_code == 0
    return cli


def claimed(cli, agent, now=NOW, *args):
    r = cli("claim", "--agent", agent, "-f", "json", *args, now=now)
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout) if r.stdout.strip() else []
    return [(x["order_no"], x["claimed_by"], x["claimed_until"]) for x in rows]


def test_claims_go_to_one_agent_each_and_show_in_due(desk):
    assert claimed(desk, "王芳") == [("C0", "王芳", "2026-11-23 10:15:00")]
    assert claimed(desk, "李娜") == [("C1", "李娜", "2026-11-23 10:15:00")]
    assert claimed(desk, "王芳") == [("C0", "王芳", "2026-11-23 10:15:00")]  # her own claim first
    due = json.loads(desk("due", "-f", "json", now=NOW).stdout)
    assert [(r["order_no"], r["claimed_by"]) for r in due[:3]] == [("C0", "王芳"), ("C1", "李娜"), ("C2", None)]


def test_a_claim_lapses_ends_with_a_call_or_a_release(desk, db_path):
    assert claimed(desk, "王芳")[0][0] == "C0"
    assert claimed(desk, "李娜", "2026-11-23 10:16")[0][0] == "C0"  # 王芳's lapsed after 15 minutes
    desk("record", "C0", "--outcome", "no_answer", "--agent", "李娜", now="2026-11-23 10:17")
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM claims").fetchone() == (0,)
    assert claimed(desk, "王芳", "2026-11-23 10:18")[0][0] == "C1"
    r = desk("release", "c1", "--agent", "王芳", now="2026-11-23 10:19")
    assert (r.exit_code, r.stderr) == (0, "c1: released (was 王芳's)\n")
    assert desk("release", "C1", now="2026-11-23 10:19").stderr == "C1: nobody held it\n"
    assert claimed(desk, "李娜", "2026-11-23 10:20")[0][0] == "C1"


def test_nothing_left_to_claim(desk):
    for i in range(10):
        claimed(desk, f"agent{i}")
    r = desk("claim", "--agent", "late", now=NOW)
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", "no callback due that nobody holds\n")


@pytest.mark.skipif(EXE is None, reason="callbackctl must be installed (pip install -e .)")
def test_eight_agents_claiming_at_once_get_eight_callbacks(desk, db_path):
    procs = [subprocess.Popen([EXE, "--db", db_path, "--now", NOW, "claim", "--agent", f"agent{i}", "-f", "csv"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(8)]
    got = []
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        got.append(out.splitlines()[1].split(",")[0])
    assert len(set(got)) == 8 and set(got) <= {f"C{i}" for i in range(10)}
    held = sqlite3.connect(db_path).execute("SELECT count(DISTINCT key), count(DISTINCT agent) FROM claims").fetchone()
    assert held == (8, 8)


def test_a_stale_card_is_not_recorded(tmp_path):
    """work: one agent's claim lapsed while they talked, another took the callback; or a call
    was recorded by hand meanwhile. Recording the stale card says so and writes nothing."""
    import subprocess
    import shutil

    from callbackctl import calls, desk as desk_mod, session
    from callbackctl.errors import StateError

    exe = shutil.which("callbackctl")
    if exe is None:
        pytest.skip("callbackctl must be installed")
    db = str(tmp_path / "demo.db")
    subprocess.run([exe, "--db", db, "demo"], check=True, capture_output=True)
    a = session.Session(desk_mod.open_desk(db, now="2026-11-23 10:00"), "王芳", fixed_now=True)
    card = a.next()
    b = session.Session(desk_mod.open_desk(db, now="2026-11-23 10:16"), "李娜", fixed_now=True)  # 15m later
    assert b.next().order_no == card.order_no == "SY2026110001"
    with pytest.raises(StateError, match=r"^SY2026110001: this card was taken by 李娜 \(theirs until 10:31; "
                                         r"yours lapsed after 15m\): skip it$"):
        a.record(card, calls.Call(order_no="", outcome="no_answer", scores={}))
    b.record(b.card(card.due), calls.Call(order_no="", outcome="no_answer", scores={}))
    with pytest.raises(StateError, match=r"^SY2026110001: a call was recorded on it meanwhile "
                                         r"\(11-23 10:16 no_answer, 李娜\): skip it$"):
        a.record(card, calls.Call(order_no="", outcome="busy", scores={}))
    n = a.desk.conn.execute("SELECT count(*) FROM callbacks WHERE agent IN ('王芳', '李娜')").fetchone()[0]
    assert n == 1


def test_one_agent_in_two_sessions_gets_two_orders(tmp_path):
    import subprocess
    import shutil

    from callbackctl import desk as desk_mod, session

    exe = shutil.which("callbackctl")
    if exe is None:
        pytest.skip("callbackctl must be installed")
    db = str(tmp_path / "demo.db")
    subprocess.run([exe, "--db", db, "demo"], check=True, capture_output=True)
    one, two = (session.Session(desk_mod.open_desk(db, now="2026-11-23 10:00"), "王芳", fixed_now=True)
                for _ in range(2))
    assert (one.next().order_no, two.next().order_no) == ("SY2026110001", "SY2026110036")


@pytest.mark.parametrize("args", [["claim", "--agent", "张三"], ["record", "SY2026110001", "-o", "n", "--agent", "张三"]])
def test_a_desk_that_lists_its_agents_refuses_other_names(tmp_path, args):
    import shutil
    import subprocess

    exe = shutil.which("callbackctl")
    if exe is None:
        pytest.skip("callbackctl must be installed")
    db, policy = str(tmp_path / "demo.db"), tmp_path / "p.toml"
    subprocess.run([exe, "--db", db, "demo"], check=True, capture_output=True)
    policy.write_text('[desk]\nagents = ["王芳", "李娜"]\n', encoding="utf-8")
    r = subprocess.run([exe, "--db", db, "--now", "2026-11-23 10:00", "--policy", str(policy), *args],
                       capture_output=True, text=True)
    assert (r.returncode, r.stdout, r.stderr) == (
        2, "", "Error: --agent: '张三' is not one of the desk's agents (王芳, 李娜; policy [desk] agents)\n")


def released_events(db_path):
    return [json.loads(d) for d, in sqlite3.connect(db_path).execute(
        "SELECT detail FROM events WHERE kind = 'released' ORDER BY id")]


@pytest.mark.parametrize("args, message", [
    (["--agent", "李娜"], "Error: C0 is held by 王芳 until 10:15\n"),
    ([], "Error: C0 is held by 王芳 until 10:15 (release it with --agent 王芳, or --force --reason WHY)\n"),
])
def test_another_agents_live_claim_is_theirs(desk, db_path, args, message):
    claimed(desk, "王芳")
    r = desk("release", "C0", *args, now="2026-11-23 10:05")
    assert (r.exit_code, r.stderr) == (1, message)
    due = json.loads(desk("due", "-f", "json", now="2026-11-23 10:05").stdout)
    assert due[0]["claimed_by"] == "王芳"
    assert released_events(db_path) == []


def test_a_supervisor_forces_a_claim_off_with_a_reason(desk, db_path):
    claimed(desk, "王芳")
    r = desk("release", "C0", "--force", now="2026-11-23 10:05")
    assert (r.exit_code, r.stderr) == (2, "Error: --force needs --reason (kept in the audit log)\n")
    r = desk("release", "C0", "--force", "--reason", "王芳 下班了", now="2026-11-23 10:05")
    assert (r.exit_code, r.stderr) == (0, "C0: released (was 王芳's)\n")
    assert released_events(db_path) == [{"agent": "王芳", "forced": "王芳 下班了"}]
    assert claimed(desk, "李娜", "2026-11-23 10:06")[0][0] == "C0"


def test_a_lapsed_claim_is_anyones_to_release(desk, db_path):
    claimed(desk, "王芳")
    r = desk("release", "C0", now="2026-11-23 10:16")
    assert (r.exit_code, r.stderr) == (0, "C0: nobody held it\n")


def _session(db, agent, now):
    from callbackctl import desk as desk_mod, session

    return session.Session(desk_mod.open_desk(db, now=now), agent, fixed_now=True)


def test_a_stale_session_never_frees_another_agents_claim(desk, db_path):
    """A's card lapses, B claims it, A presses skip: B keeps it, and A is told plainly."""
    from callbackctl import calls
    from callbackctl.errors import StateError

    a = _session(db_path, "王芳", NOW)
    card = a.next()
    b = _session(db_path, "李娜", "2026-11-23 10:16")
    assert b.next().order_no == card.order_no == "C0"
    with pytest.raises(StateError, match=r"^C0: this card was taken by 李娜 \(theirs until 10:31; yours lapsed "
                                         r"after 15m\): skip it$"):
        a.record(card, calls.Call(order_no="", outcome="no_answer", scores={}))
    a.desk.now = b.desk.now
    a.skip(card)
    a.end(card)
    due = json.loads(desk("due", "-f", "json", now="2026-11-23 10:17").stdout)
    assert (due[0]["order_no"], due[0]["claimed_by"]) == ("C0", "李娜")
    assert [e["agent"] for e in released_events(db_path)] == []


def test_a_skipped_callback_comes_back_at_the_end_of_the_queue(tmp_path, cli, db_path):
    cli("import", write(tmp_path / "o.csv", "".join(ORDERS.splitlines(True)[:4])))
    s = _session(db_path, "王芳", NOW)
    order = []
    for _ in range(5):
        card = s.next()
        order.append(card.order_no)
        s.skip(card)
    assert order == ["C0", "C1", "C2", "C0", "C1"]
