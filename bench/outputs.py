"""What a desk prints, kept byte for byte, to hold a rebuild of the house to the same output.

    python bench/outputs.py save OUT_DIR [--exe CALLBACKCTL] [--desk DESK.db]
    python bench/outputs.py compare DIR_A DIR_B

`save` runs a fixed list of read-only commands as of a fixed moment - the demo's, or
those of a given desk (the benchmark's 1M orders) - and writes each one's standard
output, standard error and exit code to OUT_DIR. Without --desk it builds the demo desk
first (with that callbackctl). A desk given is copied to OUT_DIR before anything runs:
an older release upgrades its copy, never the original. `compare` names every command
whose output differs, and exits 1 if one does.

The commands: `due`, `chase` and `report` for every grouping and period in csv, the
daily report as a table, and `show` of the first orders, each as of NOW.
"""

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys

NOW = "2026-11-23 10:00"
GROUPS = ("region", "provider", "engineer", "service_type", "agent", "product", "category")
PERIODS = ("day", "week", "month")


def commands(db: str) -> dict:
    """name -> the arguments after `callbackctl --db DB --now NOW`."""
    out = {"due": ["due", "-f", "csv"], "due-overdue": ["due", "--overdue", "-f", "csv"],
           "chase": ["chase", "-f", "csv"], "daily-table": ["report", "--name", "daily"]}
    for by in GROUPS:
        for period in PERIODS:
            out[f"report-{by}-{period}"] = ["report", "--by", by, "--period", period, "--from", "2025-11-01", "-f", "csv"]
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    orders = [no for (no,) in conn.execute("SELECT order_no FROM orders ORDER BY id LIMIT 5")]
    conn.close()
    for no in orders:
        out[f"show-{no}"] = ["show", no]
    return out


def save(out_dir: str, exe: str, desk: str | None):
    os.makedirs(out_dir, exist_ok=True)
    db = os.path.join(out_dir, "desk.db")
    if desk:
        shutil.copyfile(desk, db)
    else:
        subprocess.run([exe, "--db", db, "demo"], check=True, capture_output=True)
    for name, args in commands(db).items():
        r = subprocess.run([exe, "--db", db, "--now", NOW, *args], capture_output=True,
                           env={**os.environ, "CALLBACKCTL_LANG": "en"})
        with open(os.path.join(out_dir, name + ".out"), "wb") as f:
            f.write(r.stdout + b"\n--- stderr ---\n" + r.stderr + f"\n--- exit {r.returncode} ---\n".encode())
    print(f"{len(commands(db))} outputs saved in {out_dir}")


def compare(a: str, b: str) -> int:
    names = sorted({n for n in os.listdir(a) if n.endswith(".out")} | {n for n in os.listdir(b) if n.endswith(".out")})
    differ = []
    for name in names:
        pa, pb = os.path.join(a, name), os.path.join(b, name)
        if not (os.path.exists(pa) and os.path.exists(pb)) or open(pa, "rb").read() != open(pb, "rb").read():
            differ.append(name[:-4])
    print(f"{len(names) - len(differ)} of {len(names)} outputs identical" + (": differ " + ", ".join(differ) if differ else ""))
    return 1 if differ else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    s = sub.add_parser("save")
    s.add_argument("out_dir")
    s.add_argument("--exe", default=shutil.which("callbackctl") or "callbackctl")
    s.add_argument("--desk")
    c = sub.add_parser("compare")
    c.add_argument("a")
    c.add_argument("b")
    args = parser.parse_args()
    if args.what == "save":
        save(args.out_dir, args.exe, args.desk)
        return 0
    return compare(args.a, args.b)


if __name__ == "__main__":
    sys.exit(main())
