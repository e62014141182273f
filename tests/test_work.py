"""`work`, driven as an agent would drive it: in a real pseudo-terminal of 80x24."""

import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest
from wcwidth import wcswidth

pexpect = pytest.importorskip("pexpect")

EXE = shutil.which("callbackctl")
pytestmark = [
    pytest.mark.skipif(EXE is None, reason="callbackctl must be installed (pip install -e .)"),
    pytest.mark.skipif(sys.platform == "win32", reason="pexpect drives a pty"),
]
NOW = "2026-11-23 10:00"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\r")


@pytest.fixture
def desk(tmp_path):
    path = str(tmp_path / "demo.db")
    subprocess.run([EXE, "--db", path, "demo"], check=True, capture_output=True)
    return path


def env(lang="en"):
    return {"PATH": os.path.dirname(EXE) + os.pathsep + os.environ.get("PATH", ""), "TERM": "xterm",
            "PROMPT_TOOLKIT_NO_CPR": "1", "CALLBACKCTL_LANG": lang, "HOME": os.environ.get("HOME", "/tmp")}


def start(desk, *args, lang="en"):
    return pexpect.spawn(EXE, ["--db", desk, "--now", NOW, "work", *args], env=env(lang), encoding="utf-8",
                         dimensions=(24, 80), timeout=10)


def screen(p) -> str:
    """What the terminal showed, without its control sequences."""
    return ANSI.sub("", p.before + (p.after if isinstance(p.after, str) else ""))


def run(desk, *args):
    r = subprocess.run([EXE, "--db", desk, "--now", NOW, *args], capture_output=True, text=True, env=env())
    return r


def card_of(p):
    p.expect(r"━━ (\S+) · ")
    return p.match.group(1)


def keys(p, steps):
    """Send each step's keys and wait for what it should show (None: nothing to wait for)."""
    for sent, then in steps:
        p.send(sent)
        if then:
            p.expect(then)


def test_a_morning_of_calls(desk):
    p = start(desk, "--agent", "王芳")
    assert card_of(p) == "SY2026110001"
    p.expect("quit")
    shown = screen(p)
    assert "customer    林工  151 8609 1390" in shown
    assert "order says  hours 1344 · location 吴中矿场" in shown
    assert "How many hours does the machine show now? (order: 1344)" in shown
    assert "Hello, 王芳 of 鑫源工程机械 here:" in shown

    # a reached call, five scores and the hours the customer reads out: 12 keys in all
    steps = [("5", "one for all"), ("5554", r"\[h\] hours"), ("h", r"hours \(order says 1344\)>"),
             ("1500\r", r"» reached · scores 5 5 5 5 4 · hours 1500"), ("\r", None)]
    assert sum(len(keys) for keys, _ in steps) == 12
    for keys, then in steps:
        p.send(keys)
        if then:
            p.expect(then)
    p.expect(r"✓ recorded [^━]*opened: not genuine")
    assert ANSI.sub("", p.after).strip().split("\n") == [  # wrapped at 80 columns
        "✓ recorded SY2026110001: reached · index 4.80 · not genuine · hours: customer",
        "reads 1500, order has 1344 · follow-up opened: not genuine"]

    # a no-answer: two keys
    assert card_of(p) == "SY2026110036"
    p.expect("quit")
    p.send("n")
    p.expect(r"\[Enter\] record")
    p.send("\r")
    p.expect("✓ recorded SY2026110036: no answer")

    # skip, then quit
    assert card_of(p) == "AP-2611002"
    p.expect("quit")
    p.send("s")
    p.expect("skipped AP-2611002")
    assert card_of(p) == "AP-2611012"
    p.expect("quit")
    p.send("q")
    p.expect(pexpect.EOF)
    p.close()
    assert p.exitstatus == 0
    assert ANSI.sub("", p.before).strip().endswith("2 call(s) recorded")

    shown = json.loads(run(desk, "show", "SY2026110001", "-f", "json").stdout)
    call = shown["calls"][-1]
    assert {k: call[k] for k in ("outcome", "skill", "attitude", "timeliness", "parts", "overall", "index",
                                 "genuine", "agent")} == {
        "outcome": "reached", "skill": 5, "attitude": 5, "timeliness": 5, "parts": 5, "overall": 4,
        "index": 4.8, "genuine": False, "agent": "王芳"}
    assert [f["reason"] for f in shown["follow-ups"]] == ["not_genuine"]
    # quitting let the card in hand go; the skipped one was let go too
    due = json.loads(run(desk, "due", "-f", "json").stdout)
    assert [r["claimed_by"] for r in due if r["order_no"] in ("AP-2611002", "AP-2611012")] == [None, None]
    assert "SY2026110036" not in [r["order_no"] for r in due]  # its retry: 2h later, after lunch
    later = json.loads(run(desk, "due", "--until", "2026-11-23 15:00", "-f", "json").stdout)
    assert [(r["reason"], r["attempts"]) for r in later if r["order_no"] == "SY2026110036"] == [("retry", 1)]


def test_every_line_fits_80_columns(desk):
    p = start(desk, "--agent", "王芳")
    card_of(p)
    p.expect("quit")
    p.send("q")
    p.expect(pexpect.EOF)
    lines = ANSI.sub("", p.before).split("\n")
    assert max(wcswidth(line) for line in lines) <= 80


def test_two_agents_never_see_the_same_order(desk):
    a = start(desk, "--agent", "王芳")
    first = card_of(a)
    b = start(desk, "--agent", "李娜")
    second = card_of(b)
    assert (first, second) == ("SY2026110001", "SY2026110036")
    for p in (a, b):
        p.expect("quit")
        p.send("q")
        p.expect(pexpect.EOF)


def test_start_over_then_a_refusal(desk):
    p = start(desk, "--agent", "王芳")
    card_of(p)
    p.expect("quit")
    p.send("r")
    p.expect("one for all")
    p.send("\x1b")  # Esc: back to the outcome
    p.expect("quit")
    p.send("x")
    p.expect(r"\[Enter\] record")
    p.send("n")
    p.expect("note>")
    p.send("客户说不需要回访\r")
    p.expect("» refused · note: 客户说不需要回访")
    p.send("\r")
    p.expect("✓ recorded SY2026110001: refused")
    card_of(p)
    p.sendcontrol("c")  # Ctrl-C quits as q does
    p.expect(pexpect.EOF)
    p.close()
    assert p.exitstatus == 0
    due = json.loads(run(desk, "due", "-f", "json").stdout)
    assert all(r["claimed_by"] is None for r in due)
    note = json.loads(run(desk, "show", "SY2026110001", "-f", "json").stdout)["calls"][-1]["note"]
    assert note == "客户说不需要回访"


def test_not_a_terminal(desk):
    r = subprocess.run([EXE, "--db", desk, "work", "--agent", "王芳"], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, env=env())
    assert (r.returncode, r.stdout, r.stderr) == (
        2, "", "Error: work needs a terminal, and standard input is not one (in scripts, use `claim` and `record`)\n")


def test_an_agent_the_desk_does_not_know(desk, tmp_path):
    policy = tmp_path / "p.toml"
    policy.write_text('[desk]\nagents = ["王芳", "李娜"]\n', encoding="utf-8")
    p = pexpect.spawn(EXE, ["--db", desk, "--now", NOW, "--policy", str(policy), "work", "--agent", "张三"],
                      env=env(), encoding="utf-8", dimensions=(24, 80), timeout=10)
    p.expect(pexpect.EOF)
    p.close()
    assert p.exitstatus == 2
    assert ANSI.sub("", p.before).strip() == (
        "Error: --agent: '张三' is not one of the desk's agents (王芳, 李娜; policy [desk] agents)")


def test_the_readme_transcript(desk):
    """The README's session is what an 80x24 terminal shows for these keys."""
    pyte = pytest.importorskip("pyte")
    import time

    readme = open(os.path.join(os.path.dirname(__file__), "..", "README.md"), encoding="utf-8").read()
    shown = readme.split("```text\n$ callbackctl work --agent 王芳\n")[1].split("```")[0].splitlines()
    screen = pyte.HistoryScreen(80, 24, history=200)
    stream = pyte.Stream(screen)
    p = start(desk, "--agent", "王芳")

    def until(text):
        p.expect(text)
        stream.feed(p.before + p.after)

    until("quit")
    for keys, then in (("5", "none>"), ("5554", "genuine"), ("h", "1344\\)>"), ("1500\r", "genuine"),
                       ("\r", "━━ SY2026110036 · consultation ━+")):
        p.send(keys)
        until(then)
    rows = [line for line in screen.history.top] + [screen.buffer[y] for y in range(24)]
    lines = ["".join(row[x].data for x in range(80)).rstrip() for row in rows]
    assert [line for line in lines if line] == shown
    p.sendcontrol("c")
    p.expect(pexpect.EOF)


def test_in_chinese(desk):
    p = start(desk, "--agent", "王芳", lang="zh")
    p.expect("━━ SY2026110001 · 保养 ━")
    p.expect("退出")
    shown = screen(p)
    assert "工单记录  工作小时 1344 · 施工地点 吴中矿场" in shown
    assert "客户      林工  151 8609 1390" in shown  # labels two columns a character, values aligned
    assert "机器现在的工作小时数是多少？（工单：1344）" in shown
    assert "感谢您的支持！有问题请拨打鑫源工程机械服务热线400-600-8800。再见！" in shown
    p.send("4")
    p.expect("未评价>")
    p.send("\r")  # one digit: all five
    p.expect("» 已接通 · 评分 4 4 4 4 4")
    p.send("\r")
    p.expect("✓ 已保存 SY2026110001: 已接通 · 满意度指数 4.00")
    p.expect("退出")
    p.send("q")
    p.expect(pexpect.EOF)
    assert ANSI.sub("", p.before).strip().endswith("保存了 1 条回访")


def test_a_promise_to_call_back(desk):
    p = start(desk, "--agent", "王芳")
    card_of(p)
    p.expect("quit")
    p.send("\r")  # Enter means nothing until there is something to record
    p.send("b")
    p.expect(r"\[c\] call back at")
    p.send("c")
    p.expect(r"\+2h\)>")
    p.send("soon\r")  # not a time: asked again
    p.expect("a time after now: 15:00, tomorrow 09:30, \\+2h")
    p.send("\x15" + "09:00\r")  # the customer said 9, and it is 10 now: refused too
    time.sleep(0.3)
    p.send("\x15" + "15:00\r")  # Ctrl-U clears the line
    p.expect("» busy · call back at 11-23 15:00")
    p.send("\r")
    p.expect("✓ recorded SY2026110001: busy · call back at 11-23 15:00")
    card_of(p)
    p.expect("quit")
    p.send("q")
    p.expect(pexpect.EOF)
    later = json.loads(run(desk, "due", "--until", "2026-11-23 15:00", "-f", "json").stdout)
    assert [(r["reason"], r["due_at"]) for r in later if r["order_no"] == "SY2026110001"] == [
        ("promised", "2026-11-23 15:00:00")]


def test_answers_an_agent_changes_their_mind_about(desk):
    """Empty answers, Esc, x twice, a record that fails: nothing typed is lost, nothing guessed."""
    p = start(desk, "--agent", "王芳")
    card_of(p)
    p.expect("quit")
    p.send("r")
    p.expect("one for all")
    p.send("\r")  # a reached customer's rating is needed: asked again, not recorded
    p.expect("1-5 each")
    p.send("44444")
    p.expect(r"\[h\] hours")
    p.send("h")
    p.expect(r"1344\)>")
    p.send("\r")  # nothing: the question was not asked
    p.expect("» reached · scores 4 4 4 4 4[^·]*\n")  # no hours
    p.send("h")
    p.expect(r"1344\)>")
    p.send("-5\r")
    p.expect("a number, 0 or more")
    p.send("\x15" + "1350\r")
    p.expect("» reached · scores 4 4 4 4 4 · hours 1350")
    p.send("n")
    p.expect("note>")
    p.send("要发票\r")
    p.expect("note: 要发票")
    p.send("n")
    p.expect("note>")
    p.send("\x1b")  # Esc: the note stays
    p.expect("note: 要发票")
    p.send("x")
    p.expect(r"\[x\] undo not genuine")
    p.send("x")
    p.expect(r"\[x\] not genuine")
    p.send("\r")
    p.expect("✓ recorded SY2026110001: reached · index 4.00 · genuine")
    card_of(p)
    p.expect("quit")
    p.send("q")
    p.expect(pexpect.EOF)
    call = json.loads(run(desk, "show", "SY2026110001", "-f", "json").stdout)["calls"][-1]
    assert (call["index"], call["genuine"], call["discrepancies"], call["note"]) == (4.0, True, None, "要发票")


def test_a_desk_that_has_not_said_who_it_is(desk, tmp_path):
    policy = tmp_path / "p.toml"
    policy.write_text('[desk]\ncompany = ""\n', encoding="utf-8")
    p = pexpect.spawn(EXE, ["--db", desk, "--now", NOW, "--policy", str(policy), "work", "--agent", "王芳"],
                      env=env(), encoding="utf-8", dimensions=(24, 80), timeout=10)
    p.expect("━━")
    assert ANSI.sub("", p.before).strip() == (
        "Warning: the call script says - for the company and hotline: set [desk] company, hotline in the policy "
        "(callbackctl policy load FILE)")
    p.expect("quit")
    p.send("q")
    p.expect(pexpect.EOF)


def test_who_answered_is_one_key(desk):
    """[a] steps through 在现场 / 知晓服务过程 / 其他; someone else carries no scores and the
    callback stays due (#29)."""
    p = start(desk, "--agent", "王芳")
    assert card_of(p) == "SY2026110001"
    p.expect("quit")
    keys(p, [("5", "one for all"), ("5555", r"\[a\] who answered"), ("a", r"answered by on_site"),
                       ("a", r"answered by aware · scores 5 5 5 5 5"), ("\r", None)])
    p.expect(r"✓ recorded SY2026110001")
    assert card_of(p) == "SY2026110036"
    p.expect("quit")
    keys(p, [("5", "one for all"), ("5555", r"\[a\] who answered"), ("aaa", r"answered by other"),
                       ("\r", None)])
    p.expect(r"✓ recorded SY2026110036: wrong person")
    p.expect("quit")
    p.send("q")
    p.expect(pexpect.EOF)
    shown = json.loads(run(desk, "show", "SY2026110001", "-f", "json").stdout)["calls"][-1]
    assert (shown["outcome"], shown["respondent"], shown["index"]) == ("reached", "aware", 5.0)
    other = json.loads(run(desk, "show", "SY2026110036", "-f", "json").stdout)["calls"][-1]
    assert (other["outcome"], other["respondent"], other["index"]) == ("wrong_person", "other", None)


def test_a_promised_recurring_call_is_no_attempt(desk):
    """As an order's (#27): busy with a promise, the promised call unanswered, one more: 2 of 3."""
    key = "R-13700001111-2026-11"
    for now, args in (("2026-11-23 10:40", ["-o", "busy", "--callback-at", "11:00"]),
                      ("2026-11-23 11:00", ["-o", "no_answer"]), ("2026-11-23 14:40", ["-o", "no_answer"])):
        r = subprocess.run([EXE, "--db", desk, "--now", now, "record", key, *args], capture_output=True, text=True,
                           env=env())
        assert r.returncode == 0, r.stderr
    shown = subprocess.run([EXE, "--db", desk, "--now", "2026-11-23 14:41", "show", key], capture_output=True,
                           text=True, env=env()).stdout
    assert "attempts    2 of 3, last no_answer" in shown
    assert "unreachable" not in shown


def test_a_complaint_during_the_call_is_filed_with_it(desk):
    """[k] during a reached call: against whom (one key), what, general or special (#29)."""
    p = start(desk, "--agent", "王芳")
    assert card_of(p) == "SY2026110001"
    p.expect("quit")
    keys(p, [("5", "one for all"), ("5555", r"\[k\] complaint"), ("k", r"\[s\] sales \[⌫\] back"),
                       ("e", "what the customer complains of"), ("师傅态度不好\r", r"\[g\] general"),
                       ("g", r"complaint against the engineer: 师傅态度不好"), ("\r", None)])
    p.expect(r"✓ recorded SY2026110001: reached.* complaint #(\d+) filed")
    filed = p.match.group(1)
    p.expect("quit")
    p.send("q")
    p.expect(pexpect.EOF)
    listed = json.loads(run(desk, "complaint", "list", "-f", "json").stdout)
    mine = next(c for c in listed if str(c["id"]) == filed)
    assert (mine["order_no"], mine["against"], mine["target"], mine["severity"], mine["status"]) == (
        "SY2026110001", "engineer", json.loads(run(desk, "show", "SY2026110001", "-f", "json").stdout)["order"]["engineer"],
        "general", "open")
    assert json.loads(run(desk, "show", "SY2026110001", "-f", "json").stdout)["calls"][-1]["outcome"] == "reached"


def test_a_complaint_started_and_backed_out_of_files_nothing(desk):
    p = start(desk, "--agent", "王芳")
    assert card_of(p) == "SY2026110001"
    p.expect("quit")
    before = len(json.loads(run(desk, "complaint", "list", "-f", "json").stdout))
    keys(p, [("n", r"\[k\] complaint"), ("k", r"\[⌫\] back"), ("\x7f", r"\[k\] complaint"), ("\r", None)])
    p.expect(r"✓ recorded SY2026110001: no answer")
    p.expect("quit")
    p.send("q")
    p.expect(pexpect.EOF)
    assert len(json.loads(run(desk, "complaint", "list", "-f", "json").stdout)) == before
