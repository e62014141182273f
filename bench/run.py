"""Benchmarks: callbackctl against the sqlite3 shell and sqlite-utils, same file, same run.

    python bench/run.py                 # 1M orders (generated once into bench/data/)
    python bench/run.py --orders 100000 --json bench/results.json

Each step runs as a whole process (start-up included). Wall seconds and the
peak memory of that process alone (wait4's rusage) are reported, with ratios
against the reference tool doing the same job on the same file.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
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


def fresh(path):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--data", default=os.path.join(HERE, "data"))
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()
    os.makedirs(args.data, exist_ok=True)
    csv_path = os.path.join(args.data, f"orders_{args.orders}.csv")
    if not os.path.exists(csv_path):
        print(f"generating {csv_path} ...", file=sys.stderr)
        generate.write_orders(csv_path, args.orders)
    cb = shutil.which("callbackctl") or sys.exit("callbackctl is not installed (pip install -e .)")
    db = os.path.join(args.data, "bench.db")
    results = []

    def step(name, argv, reference=None, ref_argv=None, ref_db=None, prepare=None):
        if prepare:
            prepare()
        wall, mem, _ = timed(argv)
        row = {"step": name, "seconds": round(wall, 3), "peak_mib": round(mem, 1)}
        if ref_argv:
            if ref_db:
                fresh(ref_db)
            rwall, rmem, _ = timed(ref_argv)
            row.update(reference=reference, ref_seconds=round(rwall, 3), ref_peak_mib=round(rmem, 1),
                       ratio=round(wall / rwall, 2))
        results.append(row)
        print(json.dumps(row), file=sys.stderr)

    ref_db = os.path.join(args.data, "ref.db")
    step("import (new file)", [cb, "--db", db, "--now", NOW, "import", csv_path],
         "sqlite3 .import", ["sqlite3", ref_db, ".mode csv", f".import {csv_path} orders"], ref_db,
         prepare=lambda: fresh(db))
    sqlite_utils = shutil.which("sqlite-utils")
    if sqlite_utils:
        fresh(ref_db)
        rwall, rmem, _ = timed([sqlite_utils, "insert", ref_db, "orders", csv_path, "--csv"])
        results[-1].update(ref2="sqlite-utils insert --csv", ref2_seconds=round(rwall, 3),
                           ref2_peak_mib=round(rmem, 1), ratio2=round(results[-1]["seconds"] / rwall, 2))
    step("import (again, unchanged)", [cb, "--db", db, "--now", NOW, "import", csv_path])
    step("--help", [cb, "--help"], "python -c pass", [sys.executable, "-c", "pass"])
    fresh(ref_db)

    width = max(len(r["step"]) for r in results)
    print(f"{'step':{width}}  seconds  peak MiB  reference                    ref s   ratio")
    for r in results:
        print(f"{r['step']:{width}}  {r['seconds']:7.2f}  {r['peak_mib']:8.1f}  "
              f"{r.get('reference', ''):27}  {r.get('ref_seconds', ''):>6}  {r.get('ratio', ''):>5}")
        if "ref2" in r:
            print(f"{'':{width}}  {'':7}  {'':8}  {r['ref2']:27}  {r['ref2_seconds']:>6}  {r['ratio2']:>5}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"orders": args.orders, "results": results}, f, indent=2)


if __name__ == "__main__":
    main()
