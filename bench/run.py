"""Benchmarks: callbackctl against the sqlite3 shell and sqlite-utils, same file, same run.

    python bench/run.py                 # 1M orders (generated once into bench/data/)
    python bench/run.py --orders 100000 --json bench/results.json
    python bench/run.py --installs plain

Both installs are timed in one run, each from a venv of its own under bench/data/
holding this checkout: `plain` (pip install .) and `fast` (pip install '.[fast]').

Each step runs as a whole process (start-up included). Wall seconds and the
peak memory of that process alone (wait4's rusage) are reported, with ratios
against the reference tool doing the same job on the same file. Read-only
steps run several times, in turn with their reference: the median seconds
and the median of the pairs' ratios are reported.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from statistics import median

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import build  # noqa: E402
import generate  # noqa: E402

NOW = "2026-11-23 10:00"


def timed(argv, env=None, stdin=None):
    """(wall seconds, peak RSS MiB, exit code) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, stdin=stdin)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{argv[0]} failed ({code}): {err[-500:]}")
    return wall, usage.ru_maxrss / 1024, code


def inline(sql, params):
    """The query with its parameters written in, for the sqlite3 shell."""
    if isinstance(params, dict):
        for name in sorted(params, key=len, reverse=True):
            sql = sql.replace(f":{name}", "'%s'" % str(params[name]).replace("'", "''"))
        return " ".join(sql.split())
    for value in params:
        sql = sql.replace("?", "'%s'" % str(value).replace("'", "''"), 1)
    return " ".join(sql.split())


def _desk(db):
    from callbackctl import desk

    return desk.open_desk(db, now=NOW)


def due_sql(db):
    from callbackctl import schedule

    d = _desk(db)
    lower = schedule.earliest_open_completion(schedule.Scheduler(d), d.now)
    return inline(*schedule.due_query(d.policy, d.now, d.now, lower))


def chase_sql(db):
    from callbackctl import dispatch

    d = _desk(db)
    return inline(*dispatch.chase_query(d.policy, d.now))


def write_calls(db, path, n_orders=5000):
    """10k calls for orders whose callback is open: an unanswered try, then the customer reached."""
    import csv
    import sqlite3

    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT order_no FROM orders o WHERE completed_at >= '2026-11-20' AND service_type != 'parts' "
        "AND status = 'completed' AND NOT EXISTS (SELECT 1 FROM callbacks c WHERE c.order_id = o.id) "
        "ORDER BY order_no LIMIT ?", (n_orders,)).fetchall()
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["order_no", "outcome", "satisfaction", "called_at", "agent"])
        for (no,) in rows:
            w.writerow([no, "no_answer", "", "2026-11-23 09:40", "bench"])
            w.writerow([no, "reached", "满意", "2026-11-23 09:50", "bench"])


def fresh(path):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    return path


def prepare(db, calls_csv, due_file, chase_file):
    print(f"adding {build.add_calls(db)} calls ...", file=sys.stderr)
    write_calls(db, calls_csv)
    for path, sql in ((due_file, due_sql(db)), (chase_file, chase_sql(db))):
        with open(path, "w") as f:
            f.write(sql + ";\n")


INSTALLS = {"plain": ".", "fast": ".[fast]"}  # what pip installs into each one's venv


def install(data, name, repo):
    """The callbackctl of a venv of its own holding this checkout (pip install .
    or '.[fast]'), made on the first run and brought up to date on each."""
    venv = os.path.join(data, f"venv-{name}")
    exe = os.path.join(venv, "bin", "callbackctl")
    if not os.path.exists(exe):
        print(f"making {venv} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q", INSTALLS[name].replace(".", repo, 1)],
                       check=True)
    # this checkout's code, not the one the venv was made with (its dependencies stay)
    subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q", "--no-deps", "--force-reinstall", repo],
                   check=True, stdout=subprocess.DEVNULL)
    return exe


def main():
    if len(sys.argv) == 6 and sys.argv[1] == "--prepare":
        return prepare(*sys.argv[2:])
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--data", default=os.path.join(HERE, "data"))
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--installs", default="plain,fast",
                    help="which installs to time, each in a venv of its own under --data (default: both)")
    args = ap.parse_args()
    os.makedirs(args.data, exist_ok=True)
    csv_path = os.path.join(args.data, f"orders_{args.orders}.csv")
    if not os.path.exists(csv_path):
        print(f"generating {csv_path} ...", file=sys.stderr)
        generate.write_orders(csv_path, args.orders)
    repo = os.path.dirname(HERE)
    results = []
    for n, name in enumerate(args.installs.split(",")):
        cb = install(args.data, name, repo)
        results += run_steps(name, cb, csv_path, os.path.join(args.data, f"bench-{name}.db"), args.data, first=n == 0)
    show(results)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"orders": args.orders, "results": results}, f, indent=2)


def run_steps(install_name, cb, csv_path, db, data, first=True):
    """Every step with one install's callbackctl, on a desk file of its own."""
    results = []

    def step(name, argv, reference=None, ref_argv=None, ref_db=None, prepare=None, runs=1):
        """Time argv (and the reference, in turn: A B A B ...); medians over `runs`.

        Read-only steps run several times: this kind of machine is noisy, and
        the ratio of each pair is steadier than either figure alone.
        """
        walls, mems, ref_walls, ref_mems = [], [], [], []
        os.sync()  # the last step's dirty pages are written back now, not while this one is timed
        for _ in range(runs):
            if prepare:
                prepare()
            wall, mem, _ = timed(argv)
            walls.append(wall)
            mems.append(mem)
            if ref_argv:
                if ref_db:
                    fresh(ref_db)
                rwall, rmem, _ = timed(ref_argv)
                ref_walls.append(rwall)
                ref_mems.append(rmem)
        row = {"install": install_name, "step": name, "runs": runs, "seconds": round(median(walls), 3),
               "peak_mib": round(max(mems), 1)}
        if runs > 1:
            row.update(min_seconds=round(min(walls), 3), max_seconds=round(max(walls), 3))
        if ref_argv:
            row.update(reference=reference, ref_seconds=round(median(ref_walls), 3),
                       ref_peak_mib=round(max(ref_mems), 1),
                       ratio=round(median(a / b for a, b in zip(walls, ref_walls)), 2))
        results.append(row)
        print(json.dumps(row), file=sys.stderr)

    ref_db = os.path.join(data, "ref.db")
    dot_import = ["sqlite3", ref_db, ".mode csv", f".import {csv_path} orders"]
    step("import (new file)", [cb, "--db", db, "--now", NOW, "import", csv_path],
         "sqlite3 .import", dot_import, ref_db, prepare=lambda: fresh(db))

    def also(n, label, argv):
        """A further reference for the last step, run once on a fresh ref.db."""
        fresh(ref_db)
        rwall, rmem, _ = timed(argv)
        results[-1].update({f"ref{n}": label, f"ref{n}_seconds": round(rwall, 3), f"ref{n}_peak_mib": round(rmem, 1),
                            f"ratio{n}": round(results[-1]["seconds"] / rwall, 2)})

    # a dependency of callbackctl: the install's own, whatever PATH the bench runs with
    sqlite_utils = shutil.which("sqlite-utils", path=os.path.dirname(cb)) or shutil.which("sqlite-utils")
    if first:  # the further references of the import: the same for every install, timed once
        if sqlite_utils:
            also(2, "sqlite-utils insert --csv", [sqlite_utils, "insert", ref_db, "orders", csv_path, "--csv"])
        also(3, "python csv + executemany, no checks", [sys.executable, os.path.join(HERE, "rawload.py"), csv_path,
                                                        ref_db])
    step("import (again, unchanged)", [cb, "--db", db, "--now", NOW, "import", csv_path],
         "sqlite3 .import", dot_import, ref_db)

    # Preparation runs in a child: a fork inherits this process's peak memory,
    # which would then be reported as every later step's.
    calls_csv = os.path.join(data, "calls_10k.csv")
    due_file, chase_file = os.path.join(data, "due.sql"), os.path.join(data, "chase.sql")
    # (with the install's own Python: it imports callbackctl, which the Python running this may lack)
    python = os.path.join(os.path.dirname(cb), "python")
    subprocess.run([python, __file__, "--prepare", db, calls_csv, due_file, chase_file], check=True)
    step("due (-f csv)", [cb, "--db", db, "--now", NOW, "due", "-f", "csv"],
         "sqlite3: the same query", ["sqlite3", "-csv", db, f".read {due_file}"], runs=9)
    step("chase (-f csv)", [cb, "--db", db, "--now", NOW, "chase", "-f", "csv"],
         "sqlite3: the same query", ["sqlite3", "-csv", db, f".read {chase_file}"], runs=9)
    month = ["--from", "2026-10-01", "--to", "2026-10-31"]
    step("report (one month, by region)", [cb, "--db", db, "--now", NOW, "report", "-f", "csv", *month],
         "sqlite3: GROUP BY of the same orders",
         ["sqlite3", "-csv", db, "SELECT substr(completed_at, 1, 7), region, count(*) FROM orders "
          "WHERE completed_at >= '2026-10-01' AND completed_at < '2026-11-01' GROUP BY 1, 2"], runs=7)
    form = os.path.join(data, "monthly.xlsx")
    step("report --name monthly -f xlsx (the form)", [cb, "--db", db, "--now", NOW, "report", "--name", "monthly",
                                                      "-f", "xlsx", "--output", form],
         "the same month as report -f csv", [cb, "--db", db, "--now", NOW, "report", "-f", "csv", *month], runs=7)
    step("report (whole year, by month and region)", [cb, "--db", db, "--now", NOW, "report", "-f", "csv"],
         "sqlite3: GROUP BY of the same orders",
         ["sqlite3", "-csv", db, "SELECT substr(completed_at, 1, 7), region, count(*) FROM orders "
          "WHERE completed_at >= '2025-11-23' AND completed_at < '2026-11-24' GROUP BY 1, 2"], runs=3)
    step("record --from (10k calls)", [cb, "--db", db, "--now", NOW, "record", "--from", calls_csv, "-f", "csv"],
         "sqlite-utils insert --csv", [sqlite_utils or "true", "insert", ref_db, "calls", calls_csv, "--csv"], ref_db)
    step("--help", [cb, "--help"], "python -c pass", [sys.executable, "-c", "pass"], runs=9)
    fresh(ref_db)
    return results


def show(results):
    width = max(len(r["step"]) for r in results)
    print(f"{'install':7}  {'step':{width}}  runs  seconds  peak MiB  reference                    ref s   ratio")
    for r in results:
        print(f"{r['install']:7}  {r['step']:{width}}  {r['runs']:4}  {r['seconds']:7.2f}  {r['peak_mib']:8.1f}  "
              f"{r.get('reference', ''):27}  {r.get('ref_seconds', ''):>6}  {r.get('ratio', ''):>5}")
        for n in ("2", "3"):
            if "ref" + n in r:
                print(f"{'':7}  {'':{width}}  {'':4}  {'':7}  {'':8}  {r['ref' + n]:27}  {r['ref' + n + '_seconds']:>6}  "
                      f"{r['ratio' + n]:>5}")


if __name__ == "__main__":
    main()
