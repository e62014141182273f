"""Every command has help text ending in runnable examples, the examples run on the
demo desk, and the README mentions every command (after sqlite-utils' test_docs.py).

A new command fails `test_command_tree` until it is added to COMMAND_PATHS, and then
the other tests until it has a short help, examples and a mention in the README.
"""

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from callbackctl import demo
from callbackctl.cli import app

README = os.path.join(os.path.dirname(__file__), "..", "README.md")
EXE = shutil.which("callbackctl")

GROUPS = ["followup", "complaint", "apology", "policy", "order", "call", "customer", "contact"]
COMMAND_PATHS = [
    "import", "rejects", "export", "due", "record", "work", "claim", "release", "chase", "report", "sample", "spot-checks",
    "merge", "info", "calendar", "backup", "demo", "show", "find",
    "followup", "followup list", "followup done", "followup verify",
    "complaint", "complaint add", "complaint list", "complaint escalate", "complaint respond",
    "complaint resolve", "complaint close",
    "apology", "apology open", "apology due", "apology record", "apology sms", "apology sent", "apology list",
    "policy", "policy show", "policy check", "policy load",
    "order", "order set", "order cancel", "order revert", "call", "call void",
    "customer", "customer import", "customer set", "customer list",
    "contact", "contact add", "contact list", "contact reply", "promises",
]

# Examples that exit non-zero on the demo desk, and why. Anything else must exit 0.
EXIT_CODES = {
    # the shipped fixtures have rejected rows (3 in the GBK file, 2 in the UTF-8 one)
    "callbackctl import dealer_export_gbk.csv service_orders_utf8bom.csv --rejects rejected-rows.csv": 1,
    "callbackctl import --dry-run --strict dealer_export_gbk.csv": 1,
    # the demo's complaint 1 is still open: closing comes after respond or resolve
    "callbackctl complaint close 1 --satisfied": 1,
    # the demo has already opened the apology for complaint 1
    "callbackctl apology open 1": 1,
    # the demo's apology 1 is still being called: no message to mark sent yet
    "callbackctl apology sent 1": 1,
    # work is a session in a terminal: run from a test, its stdin is not one
    "callbackctl work --agent 王芳": 2,
    "callbackctl work --agent 王芳 --region 华北 --type repair": 2,
    # the demo corrects no order at the desk: nothing to hand back
    'callbackctl order revert SY2026110017 phone --reason "经销商系统已更正"': 1,
}

# Files the examples name besides the demo desk (callbackctl-demo.db) and demo.FIXTURES:
# the README's policy example, for `policy check|load my.toml`.
MY_TOML = """\
[callback]
retry_after = "1h"
[callback.rules]
install = { delay = "1d", within = "2d", coverage = 0.3 }
[calendar]
holidays = ["2027-01-01"]
"""

ROOT_OPTIONS = ("--db", "--now", "--policy")  # each takes a value, before the command name


def command_tree():
    """{"path": click command} for every command and subcommand, walking click's tree."""
    found = {}

    def visit(group, prefix):
        ctx = group.context_class(group)  # the click.Context of the click typer uses
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            path = f"{prefix} {name}".strip()
            found[path] = command
            if hasattr(command, "list_commands"):
                visit(command, path)

    visit(typer.main.get_command(app), "")
    return found


TREE = command_tree()
LEAVES = [p for p in COMMAND_PATHS if p not in GROUPS]


def examples_of(path):
    """The lines of the `\\b Examples:` paragraph (the docstring's last, shown as the epilog)."""
    lines = (TREE[path].epilog or "").rstrip().splitlines()
    if "Examples:" not in lines:
        return []
    at = lines.index("Examples:")
    assert lines[at - 1] == "\b", f"{path}: the Examples paragraph must start with \\b (unwrapped)"
    return [line.strip() for line in lines[at + 1:]]


EXAMPLES = [(path, example) for path in LEAVES if path in TREE for example in examples_of(path)]


def argv_of(example):
    """The example's arguments: a trailing `| ...` pipe or `> file` redirect removed."""
    command = re.sub(r"\s*(\|.*|>\s*\S+)$", "", example)
    argv = shlex.split(command)
    assert argv[0] == "callbackctl", example
    return argv[1:]


def command_words(argv):
    """The arguments after the root options (--db PATH ...)."""
    while argv and argv[0] in ROOT_OPTIONS:
        argv = argv[2:]
    return argv


def test_command_tree():
    assert sorted(TREE) == sorted(COMMAND_PATHS)
    assert sorted(p for p, c in TREE.items() if hasattr(c, "list_commands")) == sorted(GROUPS)


@pytest.mark.parametrize("path", COMMAND_PATHS)
def test_help(path):
    r = CliRunner().invoke(app, path.split() + ["--help"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    command = TREE[path]
    assert command.get_short_help_str().strip(), f"{path}: no short help"
    assert r.output.startswith(f"Usage: callbackctl {path} ")
    if path in GROUPS:
        return
    examples = examples_of(path)
    assert 1 <= len(examples) <= 2, f"{path}: --help must end with one or two examples"
    for example in examples:
        assert command_words(argv_of(example))[:len(path.split())] == path.split(), (
            f"{path}: example does not run `callbackctl {path}`: {example}")
    # click printed them unwrapped, as the last lines of --help, after the options
    out = r.output.rstrip().splitlines()
    at = out.index("  Examples:")
    assert [line.strip() for line in out[at + 1:]] == examples
    assert "Options:" in out[:at] and (TREE[path].help or "").strip(), r.output


def test_exit_code_exceptions_are_examples():
    assert set(EXIT_CODES) <= {example for _, example in EXAMPLES}


@pytest.fixture(scope="session")
def demo_desk(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    for name in (*demo.FIXTURES, demo.CUSTOMER_FIXTURE):
        shutil.copy(demo.fixture_path(name), folder / name)
    db = folder / "callbackctl-demo.db"
    subprocess.run([EXE, "--db", str(db), "demo"], check=True, capture_output=True, cwd=folder)
    return db


@pytest.mark.skipif(EXE is None, reason="callbackctl must be installed (pip install -e .)")
@pytest.mark.parametrize("path,example", EXAMPLES, ids=[f"{p}-{i}" for i, (p, _) in enumerate(EXAMPLES)])
def test_example_runs(tmp_path, demo_desk, path, example):
    for name in (*demo.FIXTURES, demo.CUSTOMER_FIXTURE):
        shutil.copy(demo_desk.parent / name, tmp_path / name)
    db = tmp_path / demo_desk.name
    shutil.copy(demo_desk, db)
    for notice in (Path(__file__).parent / "notices").iterdir():  # calendar load's
        shutil.copy(notice, tmp_path / notice.name)
    (tmp_path / "my.toml").write_text(MY_TOML, encoding="utf-8")
    env = {**os.environ, "CALLBACKCTL_DB": str(db), "CALLBACKCTL_NOW": "2026-11-23 10:30"}
    env.pop("CALLBACKCTL_POLICY", None)
    r = subprocess.run([EXE] + argv_of(example), capture_output=True, text=True, cwd=tmp_path, env=env,
                       stdin=subprocess.DEVNULL, timeout=60)
    assert r.returncode == EXIT_CODES.get(example, 0), f"{example}\n{r.stdout}{r.stderr}"
    assert "Traceback" not in r.stderr and "unexpected" not in r.stderr, f"{example}\n{r.stderr}"


def mentioned(path, text):
    """`callbackctl PATH` (root options allowed between), a code span starting with PATH,
    or a group's subcommand in a list such as `policy show|check|load`."""
    *group, name = path.split()
    lead = r"(?:callbackctl (?:--[\w-]+ \S+ )*|`)"
    words = "".join(re.escape(g) + " " for g in group) + (r"(?:[\w-]+\|)*" if group else "")
    return re.search(lead + words + re.escape(name) + r"(?![\w-])", text) is not None


@pytest.mark.parametrize("path", COMMAND_PATHS)
def test_readme_mentions_command(path):
    text = open(README, encoding="utf-8").read()
    assert mentioned(path, text), f"README.md does not mention `callbackctl {path}`"
