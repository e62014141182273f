"""Shell completion (--install-completion): commands, options, and ORDER_NO from the due list."""

import os
import shutil
import subprocess

import pytest

EXE = shutil.which("callbackctl")
pytestmark = pytest.mark.skipif(EXE is None, reason="callbackctl must be installed (pip install -e .)")


def complete(words: str, db: str, now: str = "2026-11-23 10:00"):
    """What bash is offered for the last word of `words`."""
    env = {**os.environ, "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
           "_CALLBACKCTL_COMPLETE": "complete_bash", "CALLBACKCTL_DB": db, "CALLBACKCTL_NOW": now}
    r = subprocess.run([EXE], capture_output=True, text=True, env=env)
    assert (r.returncode, r.stderr) == (0, "")
    return [line for line in r.stdout.splitlines() if line]


@pytest.fixture
def demo(tmp_path):
    path = str(tmp_path / "demo.db")
    subprocess.run([EXE, "--db", path, "demo"], check=True, capture_output=True)
    return path


def test_commands_and_options(demo):
    assert complete("callbackctl re", demo) == ["rejects", "record", "release", "report"]
    assert complete("callbackctl record SY2026110001 --o", demo) == ["--outcome", "--overall", "--output"]


def test_order_numbers_due_first_in_the_due_lists_order(demo):
    assert complete("callbackctl record SY20261100", demo)[:4] == [
        "SY2026110001", "SY2026110036", "SY2026110002", "SY2026110034"]
    # an order that is not due is still a stored number to complete, after the due ones
    assert complete("callbackctl show SY202611002", demo) == [
        "SY2026110022", "SY2026110029", "SY2026110020", "SY2026110025", "SY2026110028",  # due
        "SY2026110021", "SY2026110023", "SY2026110024", "SY2026110026", "SY2026110027"]


def test_no_desk_file_completes_nothing_and_creates_none(tmp_path):
    path = str(tmp_path / "none.db")
    assert complete("callbackctl record SY", path) == []
    assert not os.path.exists(path)


def test_install_completion_is_offered():
    r = subprocess.run([EXE, "--help"], capture_output=True, text=True)
    assert "--install-completion" in r.stdout
