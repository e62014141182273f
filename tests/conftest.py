import shutil

import pytest
from typer.testing import CliRunner

from callbackctl import demo


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """No test sees the user's environment or the real clock's variables."""
    for var in ("CALLBACKCTL_DB", "CALLBACKCTL_NOW", "CALLBACKCTL_POLICY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("CALLBACKCTL_LANG", "en")  # whatever the machine's LANG; tests of Chinese say so
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def db_path(tmp_path):
    return str(tmp_path / "desk.db")


class Cli:
    """Run callbackctl in-process; `now` fixed unless a test gives another."""

    def __init__(self, db_path, now="2026-11-23 10:00"):
        self.db_path, self.now = db_path, now
        self.runner = CliRunner()

    def __call__(self, *args, input=None, now=None, policy=None):
        from callbackctl.cli import app

        argv = ["--db", self.db_path, "--now", now or self.now]
        if policy:
            argv += ["--policy", policy]
        return self.runner.invoke(app, argv + [str(a) for a in args], input=input, catch_exceptions=False)


@pytest.fixture
def cli(db_path):
    return Cli(db_path)


@pytest.fixture
def fixture_file(tmp_path):
    def copy(name):
        dest = tmp_path / name
        shutil.copy(demo.fixture_path(name), dest)
        return str(dest)

    return copy


def write(path, text, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as f:
        f.write(text)
    return str(path)


def candidates(db_path, now):
    """The orders the due query reads before working out their schedules."""
    from callbackctl import schedule, desk as desk_mod

    d = desk_mod.open_desk(db_path, now=now)
    lower = schedule.earliest_open_completion(schedule.Scheduler(d), d.now)
    return sorted(r["order_no"] for r in d.conn.execute(*schedule.due_query(d.policy, d.now, d.now, lower)))
