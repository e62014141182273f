"""policy, info, backup, export, show, demo, global options, and migrations."""

import csv
import json
import os
import sqlite3
import stat

import pytest

from callbackctl import db, policy
from conftest import write


def test_default_policy_round_trips_through_show(cli, tmp_path):
    r = cli("policy", "show")
    assert r.exit_code == 0
    assert 'windows = ["09:30-11:30", "14:40-17:00"]' in r.stdout
    assert 'repair          = { delay = "1d", within = "3d", coverage = 1.0 }' in r.stdout
    assert policy.load_text(r.stdout, "shown").raw == policy.DEFAULT.raw


@pytest.mark.parametrize("text, message", [
    ("[callback]\nretry_aftr = \"2h\"\n", "policy: unknown key callback.retry_aftr"),
    ("[callback]\nretry_after = \"2x\"\n", "policy: callback.retry_after: bad duration '2x' (use e.g. 30m, 4h, 1h30m, 1d)"),
    ("[callback]\nmax_attempts = 0\n", "policy: callback.max_attempts: 0 is out of range (1 to any)"),
    ("[callback.rules]\nbogus = { delay = \"1d\", within = \"1d\" }\n", "policy: unknown service type in callback.rules.bogus"),
    ("[callback.rules]\nparts = { delay = \"1d\" }\n", "policy: callback.rules.parts.within is missing"),
    ("[callback.rules.repair]\ncoverage = 1.5\n", "policy: callback.rules.repair: 1.5 is out of range (0 to 1)"),
    ("[calendar]\nholidays = [\"2026-02-30\"]\n", "policy: calendar.holidays: bad date '2026-02-30' (use YYYY-MM-DD)"),
    ("timezone = \"Mars/Base\"\n", "policy: timezone: unknown time zone 'Mars/Base'"),
    ("[apology]\nwindows = [\"12:00-08:30\"]\n", "policy: apology.windows: bad window '12:00-08:30' (start must be before end, within a day)"),
    ("callback = 3\n", "policy: callback must be a table"),
])
def test_policy_errors_name_the_key(cli, tmp_path, text, message):
    path = write(tmp_path / "p.toml", text)
    r = cli("policy", "check", path)
    assert r.exit_code == 1
    assert r.stderr == f"Error: {message}\n"


def test_not_toml_is_one_line(cli, tmp_path):
    r = cli("policy", "check", write(tmp_path / "p.toml", "[callback\n"))
    assert r.exit_code == 1
    assert r.stderr.startswith("Error: policy: ") and "not valid TOML" in r.stderr and r.stderr.count("\n") == 1


def test_partial_rule_keeps_the_other_defaults():
    p = policy.load_text("[callback.rules.repair]\nwithin = \"2d\"\n[callback.rules]\nparts = { delay = \"2d\", within = \"1d\" }\n", "t")
    assert str(p.rules["repair"].delay) == "1d" and str(p.rules["repair"].within) == "2d"
    assert p.rules["parts"].coverage == 1.0


def test_policy_precedence_file_then_stored_then_default(cli, tmp_path, monkeypatch):
    stored = write(tmp_path / "stored.toml", "[callback]\nmax_attempts = 5\n")
    given = write(tmp_path / "given.toml", "[callback]\nmax_attempts = 7\n")
    assert "max_attempts = 3" in cli("policy", "show").stdout
    r = cli("policy", "load", stored)
    assert r.exit_code == 0
    assert "max_attempts = 5" in cli("policy", "show").stdout
    assert "max_attempts = 7" in cli("policy", "show", policy=given).stdout
    monkeypatch.setenv("CALLBACKCTL_POLICY", given)
    assert "max_attempts = 7" in cli("policy", "show").stdout


def test_bad_policy_file_never_gets_stored(cli, tmp_path):
    r = cli("policy", "load", write(tmp_path / "bad.toml", "[callback]\nmax_attempts = -1\n"))
    assert r.exit_code == 1
    assert "max_attempts = 3" in cli("policy", "show").stdout


def test_info_lists_paths_and_counts(cli, db_path, fixture_file):
    cli("import", fixture_file("service_orders_utf8bom.csv"))
    got = {r["key"]: r["value"] for r in json.loads(cli("info", "-f", "json").stdout)}
    assert got["database"] == db_path
    assert got["policy"] == "built-in defaults"
    assert got["now"] == "2026-11-23 10:00:00"
    assert got["rows.orders"] == 20 and got["rows.import_rejects"] == 2
    assert got["holiday_data_years"].endswith("2026")


def test_database_is_private_to_its_owner(cli, db_path):
    cli("info")
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600


def test_backup_is_a_complete_copy(cli, db_path, tmp_path, fixture_file):
    cli("import", fixture_file("dealer_export_gbk.csv"))
    dest = tmp_path / "copy.db"
    r = cli("backup", dest)
    assert r.exit_code == 0 and r.stderr == f"backup written to {dest}\n"
    conn = sqlite3.connect(dest)
    assert conn.execute("SELECT count(*) FROM orders").fetchone() == (36,)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    again = cli("backup", dest)
    assert again.exit_code == 1 and again.stderr == f"Error: {dest} already exists; choose a new file name\n"


def test_export_orders_imports_back_unchanged(cli, db_path, tmp_path, fixture_file):
    cli("import", fixture_file("dealer_export_gbk.csv"))
    out = tmp_path / "orders.csv"
    assert cli("export", "orders", "--output", out).exit_code == 0
    with open(out, encoding="utf-8") as f:
        exported = list(csv.DictReader(f))
    assert len(exported) == 36
    assert exported[0]["order_no"] == "SY2026110001" and exported[0]["warranty"] == "1"
    assert "故障描述" in exported[0]  # the unknown column comes back as a column
    other = Cli2(str(tmp_path / "second.db"))
    r = other("import", out, "-f", "csv")
    assert r.exit_code == 0 and ",36,0,0,0" in r.stdout
    r = cli("import", out, "-f", "csv")
    assert ",0,0,36,0" in r.stdout  # into the original: nothing changes


def Cli2(path):
    from conftest import Cli

    return Cli(path)


def test_export_for_excel_is_inert(cli, tmp_path):
    cli("import", write(tmp_path / "x.csv", "order_no,type,customer\nX1,repair,=HYPERLINK(\"http://x\")\nX2,repair,@SUM(A1)\n"))
    r = cli("export", "orders", "--excel")
    assert r.stdout.startswith("\ufeff")
    assert "'=HYPERLINK" in r.stdout and "'@SUM(A1)" in r.stdout


def test_export_masks_phones(cli, tmp_path):
    cli("import", write(tmp_path / "x.csv", "order_no,type,phone\nX1,repair,13800138000\n"))
    got = json.loads(cli("export", "orders", "-f", "json", "--mask-phone").stdout)
    assert got[0]["phone"] == "138****8000"


def test_show_an_order(cli, tmp_path):
    cli("import", write(tmp_path / "x.csv", "order_no,type,phone,故障描述\nX1,repair,13800138000,漏油\n"))
    r = cli("show", "X1", "-f", "json")
    doc = json.loads(r.stdout)
    assert doc["order"]["service_type"] == "repair" and doc["order"]["故障描述"] == "漏油"
    assert doc["audit_log"][0]["kind"] == "order_created"
    missing = cli("show", "X9")
    assert missing.exit_code == 1 and missing.stderr == "Error: unknown order 'X9'\n"


@pytest.mark.parametrize("args, code, message", [
    (["--now", "2026-13-01", "info"], 2, "Error: --now: bad time '2026-13-01'"),
    (["info", "-f", "xml"], 2, "Invalid value for '--format'"),
    (["nosuchcommand"], 2, "No such command 'nosuchcommand'"),
    (["folowup", "list"], 2, "No such command 'folowup'. Did you mean 'followup'?"),
])
def test_usage_errors_exit_2(db_path, args, code, message):
    from typer.testing import CliRunner
    from callbackctl.cli import app

    r = CliRunner().invoke(app, ["--db", db_path] + args)
    assert r.exit_code == code
    assert message in r.stderr


def test_help_lists_every_command_though_they_are_loaded_lazily(db_path):
    from typer.testing import CliRunner
    from callbackctl.cli import app

    r = CliRunner().invoke(app, ["--help"])
    listed = [line.split()[0] for line in r.stdout.split("Commands:")[1].splitlines() if line.startswith("  ")]
    assert listed == ["import", "rejects", "export", "due", "record", "work", "claim", "release", "chase", "report", "sample", "spot-checks",
                      "merge", "info", "calendar", "backup", "demo", "show", "find", "followup", "complaint",
                      "apology", "policy", "order", "call", "customer", "contact", "promises"]
    sub = CliRunner().invoke(app, ["policy", "--help"])
    assert sub.exit_code == 0 and "check" in sub.stdout and "load" in sub.stdout


def test_version(db_path):
    from typer.testing import CliRunner
    from callbackctl import __version__
    from callbackctl.cli import app

    r = CliRunner().invoke(app, ["--version"])
    assert r.stdout == f"callbackctl {__version__}\n"


def test_env_vars_choose_db_and_now(tmp_path, monkeypatch):
    from typer.testing import CliRunner
    from callbackctl.cli import app

    monkeypatch.setenv("CALLBACKCTL_DB", str(tmp_path / "env.db"))
    monkeypatch.setenv("CALLBACKCTL_NOW", "2026-11-20 08:00")
    got = {r["key"]: r["value"] for r in json.loads(CliRunner().invoke(app, ["info", "-f", "json"]).stdout)}
    assert got["database"] == str(tmp_path / "env.db") and got["now"] == "2026-11-20 08:00:00"


def test_upgrade_from_the_first_migration_keeps_data(tmp_path):
    from callbackctl.migrations import MIGRATIONS

    path = str(tmp_path / "old.db")
    conn = db.connect(path, migrate=False)
    db.apply_migrations(conn, path, upto=1)
    conn.execute("INSERT INTO orders (order_no, service_type, created_at, updated_at) VALUES ('OLD1', 'repair', 'x', 'x')")
    conn.close()
    conn = db.connect(path)
    assert db.schema_version(conn) == len(MIGRATIONS)
    assert [tuple(r) for r in conn.execute("SELECT order_no, status FROM orders")] == [("OLD1", "open")]
    assert [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")] == [
        m.__name__.rsplit(".", 1)[-1] for m in MIGRATIONS]


def test_upgrade_from_the_first_release_reshapes_its_indexes(tmp_path):
    # The first release's m002/m003 made callbacks_reached without outcome and an
    # orders_unfinished on reported_at alone; later migrations reuse both names.
    path = str(tmp_path / "first.db")
    conn = db.connect(path, migrate=False)
    db.apply_migrations(conn, path, upto=5)
    conn.execute("DROP INDEX callbacks_reached")
    conn.execute("CREATE INDEX callbacks_reached ON callbacks(order_id, called_at) WHERE outcome = 'reached'")
    conn.execute("CREATE INDEX orders_unfinished ON orders(reported_at) WHERE completed_at IS NULL")
    conn.close()
    conn = db.connect(path)
    shapes = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE name IN ('callbacks_reached', 'orders_unfinished')"))
    assert shapes["callbacks_reached"].startswith("CREATE INDEX callbacks_reached ON callbacks(order_id, outcome, called_at)")
    assert shapes["orders_unfinished"].startswith("CREATE INDEX orders_unfinished ON orders(reported_at, order_no,")


def test_upgrade_marks_first_rounds_that_calls_already_closed(tmp_path):
    # m011 adds the flag `due` narrows its query by; a file's existing calls
    # must set it, or `due` would read every order called in the last weeks.
    from conftest import Cli, candidates

    path = str(tmp_path / "ten.db")
    conn = db.connect(path, migrate=False)
    db.apply_migrations(conn, path, upto=10)
    with conn:
        for no in ("DONE", "OPEN", "RETRY"):
            conn.execute("INSERT INTO orders (order_no, service_type, completed_at, created_at, updated_at) "
                         "VALUES (?, 'repair', '2026-11-20 15:00:00', 'x', 'x')", (no,))
        conn.executemany("INSERT INTO callbacks (order_id, called_at, round, reason, outcome, closes) "
                         "SELECT id, '2026-11-23 09:40:00', 1, 'first', ?, ? FROM orders WHERE order_no = ?",
                         [("reached", 1, "DONE"), ("no_answer", 0, "RETRY")])
    conn.close()
    r = Cli(path)("due", "-f", "csv", now="2026-11-23 14:40")
    assert r.exit_code == 0, r.output
    assert [line.split(",")[0] for line in r.stdout.splitlines()[1:]] == ["OPEN", "RETRY"]
    assert candidates(path, "2026-11-23 14:40") == ["OPEN", "RETRY"]


def test_a_failing_migration_leaves_nothing_behind(tmp_path, monkeypatch):
    from callbackctl import migrations

    class Broken:
        __name__ = "m999_broken"

        @staticmethod
        def up(conn):
            conn.execute("CREATE TABLE half_done (x)")
            raise RuntimeError("boom")

    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS + [Broken])
    path = str(tmp_path / "m.db")
    with pytest.raises(RuntimeError):
        db.connect(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").fetchone() == (0,)
    # The pending migrations are one transaction: the new file is left as it was, empty.
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)


def test_a_newer_database_is_refused(tmp_path):
    path = str(tmp_path / "new.db")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    with pytest.raises(Exception, match="newer than this callbackctl knows"):
        db.connect(path)


def test_demo_builds_a_fresh_file_and_refuses_real_data(tmp_path, cli, fixture_file):
    from typer.testing import CliRunner
    from callbackctl.cli import app

    demo_db = str(tmp_path / "demo.db")
    r = CliRunner().invoke(app, ["--db", demo_db, "demo"])
    assert r.exit_code == 0, r.output
    assert "dealer_export_gbk.csv           39          36          0            0           3" in r.stdout
    for line in ("SY2026110017  reached        3.6  no         dissatisfied, not_genuine  first",
                 "SY2026110005  invalid_contact  2026-11-20 14:00:00  王建国      phone '12345' does not look valid",
                 "SY2026110031  杭州恒通机械           urban     2026-11-17 16:50:00  2026-11-19 08:30:00             97.5  late",
                 "   1  SY2026110017  agent      小王      open      2026-11-24 10:00:00  no",
                 "total                               31               28                 2              0.071"):
        assert line in r.stdout, line
    assert "R-13139624595-2026-11  reached        4.0              contract  R1" in r.stdout
    assert r.stdout.count("== ") == 12
    assert "   3  2026-11-23 09:50:00                service       问附近的服务网点和营业时间  no          2026-11-23 10:20:00" in r.stdout
    again = CliRunner().invoke(app, ["--db", demo_db, "demo"])
    assert again.exit_code == 0 and again.stdout == r.stdout
    cli("import", fixture_file("service_orders_utf8bom.csv"))
    refused = CliRunner().invoke(app, ["--db", cli.db_path, "demo"])
    assert refused.exit_code == 1
    assert refused.stderr == f"Error: {cli.db_path} holds a real database; the demo only writes to a new or demo file (use --db demo.db)\n"


@pytest.mark.parametrize("db, message", [
    ("{tmp}", "Error: {tmp} is a folder; give the database file's name (--db PATH)\n"),
    ("{tmp}/no/such/desk.db", "Error: cannot create desk file {tmp}/no/such/desk.db: no such folder\n"),
])
def test_bad_database_paths(tmp_path, db, message):
    from typer.testing import CliRunner
    from callbackctl.cli import app

    r = CliRunner().invoke(app, ["--db", db.format(tmp=tmp_path), "info"])
    assert r.exit_code == 1 and r.stderr == message.format(tmp=tmp_path)
    assert not (tmp_path / "no").exists()


def test_an_unwritable_rejects_path_fails_before_importing(cli, db_path, tmp_path, fixture_file):
    r = cli("import", fixture_file("service_orders_utf8bom.csv"), "--rejects", tmp_path / "no" / "r.csv")
    assert (r.exit_code, r.stderr) == (2, f"Error: --rejects: cannot write {tmp_path / 'no' / 'r.csv'}: no such folder\n")
    assert not os.path.exists(db_path)  # refused before the desk was opened
