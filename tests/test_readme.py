"""The README's examples run: every `$ callbackctl ...` line in a console block is
executed against the demo desk, and each output line shown (lines with "..." are
elided ones) must appear in what the command prints, spacing aside."""

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from callbackctl import demo

README = os.path.join(os.path.dirname(__file__), "..", "README.md")
NOTICES = Path(__file__).parent / "notices"
EXE = shutil.which("callbackctl")


def examples():
    text = open(README, encoding="utf-8").read()
    out = []
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
        steps, current = [], None
        for line in block.splitlines():
            if line.startswith("$ "):
                current = {"command": line[2:], "lines": []}
                steps.append(current)
            elif current is not None:
                current["lines"].append(line)
        out.append(steps)
    return out


def squash(line):
    return " ".join(line.split())


@pytest.mark.skipif(EXE is None, reason="callbackctl must be installed (pip install -e .)")
@pytest.mark.parametrize("block", examples(), ids=lambda b: b[0]["command"][:40])
def test_readme_console_examples(tmp_path, block):
    db = str(tmp_path / "callbackctl-demo.db")
    for name in demo.FIXTURES:
        shutil.copy(demo.fixture_path(name), tmp_path / name)
    for notice in NOTICES.iterdir():  # `calendar load`'s example
        shutil.copy(notice, tmp_path / notice.name)
    subprocess.run([EXE, "--db", db, "demo"], check=True, capture_output=True, cwd=tmp_path)
    env = {**os.environ, "CALLBACKCTL_DB": db, "CALLBACKCTL_NOW": "2026-11-23 10:30"}
    last_code = None
    for step in block:
        if step["command"] == "echo $?":
            assert [str(last_code)] == step["lines"]
            continue
        argv = shlex.split(step["command"])
        assert argv[0] == "callbackctl"
        r = subprocess.run([EXE] + argv[1:], capture_output=True, text=True, cwd=tmp_path, env=env)
        last_code = r.returncode
        printed = {squash(x) for x in (r.stdout + r.stderr).splitlines()}
        for line in step["lines"]:
            if "..." in line or not line.strip():
                continue
            assert squash(line) in printed, f"{step['command']}: {line!r} not in output:\n{r.stdout}{r.stderr}"
